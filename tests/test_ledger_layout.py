"""The one-stop ledger as Thanh Hóa's software prints it: a header over two rows with merged cells,
a row of column numbers, no status column, names, addresses and phones in clear."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import xlsxwriter

import pytest

from pipelines.ingest.headers import detect_header
from pipelines.ingest.pipeline import ingest_files
from tests.ingest_fixtures import dossier_workbook, write_csv

TOP = ["TT", "Mã hồ sơ", "Tên TTHC", "Tên cá nhân, tổ chức", "Địa chỉ, số điện thoại", "Cơ quan chủ trì giải quyết",
       "Ngày, tháng, năm", None, None, None, None]
UNDER = [None] * 6 + ["Nhận hồ sơ", "Hẹn trả kết quả", "Trả kết quả", "Phương thức nhận kết quả", "Ký nhận"]
NUMBERS = [f"({i})" for i in range(1, 12)]
CLEAR = ["Lê Thị Hoa", "Trần Văn Nam", "Thôn Yên Xá, 0912777888", "Thôn Đông, 0987111222", "Hoàng Văn Thái"]
# Each piece of the clear text on its own: none may reach the warehouse, whole or in part.
PIECES = [*CLEAR, "Thôn Yên Xá", "0912777888", "Thôn Đông", "0987111222", "Thôn Tây", "0912000111"]
ROWS = [  # 2 completed (a return date), 1 pending, 1 with an impossible date (quarantined)
    ["1", "000.00.15.H56-260105-0001", "Đăng ký khai sinh", CLEAR[0], CLEAR[2], "UBND xã Hà Trung",
     "05/01/2026", "08/01/2026", "07/01/2026", "Trực tiếp", ""],
    ["2", "000.00.15.H56-260106-0002", "Chứng thực bản sao", CLEAR[1], CLEAR[3], "UBND xã Hà Trung",
     "06/01/2026", "07/01/2026", "09/01/2026", "Bưu chính", ""],
    ["3", "000.00.15.H56-260112-0003", "Cấp giấy chứng nhận QSDĐ", CLEAR[4], "Thôn Tây, 0912000111",
     "UBND xã Hà Trung", "12/01/2026", "12/02/2026", "", "", ""],
    ["4", "000.00.15.H56-260113-0004", "Đăng ký kết hôn", CLEAR[0], CLEAR[2], "UBND xã Hà Trung",
     "31/02/2026", "05/03/2026", "", "", ""],
]
TITLE = [["ỦY BAN NHÂN DÂN XÃ HÀ TRUNG"], ["SỔ THEO DÕI HỒ SƠ"], []]


def ledger_xlsx(path: Path) -> Path:
    """Title rows, the two header rows with 'Ngày, tháng, năm' merged over five columns and the first
    six headers merged down two rows, the numbering row, the data."""
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("So theo doi")
    bold = book.add_format({"bold": True})
    for r, row in enumerate(TITLE):
        for c, v in enumerate(row):
            sheet.write(r, c, v)
    top = len(TITLE)
    for c, v in enumerate(TOP[:6]):
        sheet.merge_range(top, c, top + 1, c, v, bold)
    sheet.merge_range(top, 6, top, 10, TOP[6], bold)
    for c, v in enumerate(UNDER):
        if v:
            sheet.write(top + 1, c, v, bold)
    for c, v in enumerate(NUMBERS):
        sheet.write(top + 2, c, v)
    for r, row in enumerate(ROWS, start=top + 3):
        for c, v in enumerate(row):
            if v:
                sheet.write(r, c, v)
    book.close()
    return path


def ledger_csv(path: Path, numbers: list[str] = NUMBERS) -> Path:
    """The same layout as a semicolon CSV with a BOM: the merged cells are empty cells."""
    cells = [[c or "" for c in row] for row in [*TITLE, TOP, UNDER, numbers, *ROWS]]
    return write_csv(path, cells)


def one_row_ledger_csv(path: Path) -> Path:
    """The ledger's columns under a header of one row and no numbering row."""
    header = [*TOP[:6], *UNDER[6:]]
    return write_csv(path, [[c or "" for c in row] for row in [*TITLE, header, *ROWS]])


def _check(db: Path, first_data_row: int) -> None:
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute("""SELECT d.dossier_id, d.commune_code, d.unit_era, d.status, d.received_date, d.due_date,
                                     d.completed_date, f.timeliness, d.procedure, d.source_row
                              FROM main.dossiers d JOIN main.dossier_facts f USING (dossier_id)
                              ORDER BY dossier_id""").fetchall()
        assert rows == [
            ("000.00.15.H56-260105-0001", "15271", "2025", "completed", dt.date(2026, 1, 5), dt.date(2026, 1, 8),
             dt.date(2026, 1, 7), "early", "Đăng ký khai sinh", first_data_row),
            ("000.00.15.H56-260106-0002", "15271", "2025", "completed", dt.date(2026, 1, 6), dt.date(2026, 1, 7),
             dt.date(2026, 1, 9), "late", "Chứng thực bản sao", first_data_row + 1),
            ("000.00.15.H56-260112-0003", "15271", "2025", "pending", dt.date(2026, 1, 12), dt.date(2026, 2, 12),
             None, None, "Cấp giấy chứng nhận QSDĐ", first_data_row + 2)]
        quarantined = con.execute("SELECT row_number, reason_code, raw_values FROM quarantine").fetchall()
        # The numbering row (just above the first data row) is neither loaded nor quarantined.
        assert [(r[0], r[1]) for r in quarantined] == [(first_data_row + 3, "bad_date")]
        # Names, addresses and phones are hashes everywhere: every text column of every table.
        texts = con.execute("SELECT table_schema, table_name, column_name FROM information_schema.columns "
                            "WHERE data_type = 'VARCHAR' AND table_schema = 'main'").fetchall()
        assert {"dossiers", "quarantine"} <= {table for _, table, _ in texts}
        for schema, table, column in texts:
            values = con.execute(f'SELECT DISTINCT "{column}" FROM "{schema}"."{table}"').fetchall()
            for clear in PIECES:
                assert not any(v is not None and clear in v for v, in values), (table, column, clear)
        hashed = con.execute("SELECT count(*) FROM main.dossiers WHERE applicant LIKE 'h:%' "
                             "AND applicant_address LIKE 'h:%'").fetchall()
        assert hashed == [(3,)]


def test_two_row_header_is_detected_with_its_numbering_row():
    preview = [*[list(r) for r in TITLE], TOP, UNDER, NUMBERS, ROWS[0]]
    match = detect_header(preview)
    assert (match.kind, match.row_index, match.header_rows, match.numbering_row) == ("dossier", 3, 2, True)
    assert match.body_start == 6
    assert set(match.columns.values()) == {"dossier_id", "procedure", "applicant", "applicant_address", "commune",
                                           "received_date", "due_date", "completed_date"}
    assert match.unknown == []


def test_the_ledger_workbook_loads_completion_from_the_return_date(tmp_path):
    db = tmp_path / "w.duckdb"
    report, = ingest_files([ledger_xlsx(tmp_path / "so_theo_doi.xlsx")], db=db, units="2025")
    assert (report.rows_read, report.rows_inserted, report.rows_quarantined) == (4, 3, 1)
    assert report.unit_era == "2025" and report.communes == ["15271"]
    assert "tiêu đề cột gồm 2 dòng" in report.message and "bỏ qua dòng đánh số cột (dòng 6)" in report.message
    _check(db, first_data_row=7)


@pytest.mark.parametrize("numbers", [NUMBERS, [str(i) for i in range(1, 12)]], ids=["(1)", "1"])
def test_the_ledger_as_csv_loads_the_same(tmp_path, numbers):
    db = tmp_path / "w.duckdb"
    report, = ingest_files([ledger_csv(tmp_path / "so_theo_doi.csv", numbers)], db=db, units="2025")
    assert (report.rows_read, report.rows_inserted, report.rows_quarantined) == (4, 3, 1)
    assert "bỏ qua dòng đánh số cột (dòng 6)" in report.message
    _check(db, first_data_row=7)


def test_the_ledger_with_a_one_row_header_loads_as_before(tmp_path):
    db = tmp_path / "w.duckdb"
    report, = ingest_files([one_row_ledger_csv(tmp_path / "so_theo_doi.csv")], db=db, units="2025")
    assert (report.rows_read, report.rows_inserted, report.rows_quarantined) == (4, 3, 1)
    assert "tiêu đề cột gồm" not in report.message and "đánh số cột" not in report.message
    # Title rows 1-3, the header on row 4: data from row 5.
    _check(db, first_data_row=5)


def test_a_one_row_header_is_still_one_row():
    match = detect_header([["ỦY BAN NHÂN DÂN XÃ HOẰNG ĐỒNG"], [], ["STT", "Mã hồ sơ", "Ngày tiếp nhận", "Ngày hẹn trả"],
                           ["1", "HS001", "01/03/2024", "04/03/2024"]])
    assert (match.row_index, match.header_rows, match.numbering_row, match.body_start) == (2, 1, False, 3)


def test_the_house_workbook_still_reads_its_header_on_one_row(tmp_path):
    db = tmp_path / "w.duckdb"
    report, = ingest_files([dossier_workbook(tmp_path / "bao_cao.xlsx")], db=db)
    assert (report.rows_read, report.rows_inserted, report.rows_quarantined) == (5, 3, 2)
    assert "tiêu đề cột gồm" not in report.message
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT min(source_row) FROM main.dossiers").fetchall() == [(6,)]


@pytest.mark.parametrize(("first", "quarantined"), [(["1", "", "2", "3", "4"], [(2, "missing_value")]),
                                                    (["1", "03/03/2026", "5", "4", "5"], [])])
def test_a_first_record_of_small_numbers_is_data_not_a_numbering_row(tmp_path, first, quarantined):
    """Only a row numbering every header column 1, 2, 3… is skipped; a survey's first response
    (its id and ratings, the date left out or not) is read like any other row."""
    header = ["Số phiếu", "Ngày khảo sát", "Mức độ hài lòng", "Tôn trọng", "Hướng dẫn"]
    second = ["2", "04/03/2026", "5", "5", "4"]
    assert not detect_header([header, first, second]).numbering_row
    db = tmp_path / "w.duckdb"
    report, = ingest_files([write_csv(tmp_path / "khao_sat_xa_ha_trung.csv", [header, first, second])], db=db,
                           units="2025")
    assert (report.rows_read, report.rows_quarantined) == (2, len(quarantined))
    assert "đánh số cột" not in report.message
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT row_number, reason_code FROM quarantine").fetchall() == quarantined
        seen = con.execute("SELECT source_row FROM main.surveys UNION ALL SELECT row_number FROM quarantine").fetchall()
    assert sorted(r for r, in seen) == [2, 3]
