"""End-to-end ingest of hand-made exports: counts, quarantine, idempotency, updates, privacy."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import subprocess
import sys
import unicodedata
from pathlib import Path

import duckdb
import polars as pl
import pytest

from pipelines.ingest.admin_units import NATIONAL, province_legacy_units, province_units_2025, unit_tables
from pipelines.ingest.communes import resolve_codes, resolve_commune
from pipelines.ingest.load import _content_sql
from pipelines.ingest.pipeline import ingest_files
from pipelines.ingest.privacy import scope_key
from pipelines.ingest.warehouse import table_definitions
from schemas.records import RECORD_SCHEMAS
from tests.ingest_fixtures import (CITIZEN_IDS, CITIZEN_NAMES, CITIZEN_PHONES, dossier_workbook, write_csv,
                                   write_xlsx)

HOANG_DONG = "15952"   # Xã Hoằng Đồng, Huyện Hoằng Hóa
DINH_HAI_YD = "15475"  # Xã Định Hải, Huyện Yên Định


def rows(db: Path, sql: str, params=None):
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def ingest_one(path: Path, db: Path, **kwargs):
    reports = ingest_files([path], db=db, **kwargs)
    assert all(r.error is None for r in reports), [r.error for r in reports]
    return reports


def test_xlsx_with_title_rows_loads_trusted_rows_and_quarantines_the_rest(tmp_path):
    db = tmp_path / "w.duckdb"
    [report] = ingest_one(dossier_workbook(tmp_path / "bao_cao.xlsx"), db)
    assert (report.kind, report.sheet, report.communes) == ("dossier", "Hồ sơ", [HOANG_DONG])
    assert (report.rows_read, report.rows_inserted, report.rows_quarantined) == (5, 3, 2)
    assert report.unknown_columns == ["Cột lạ"]
    assert "dòng tiêu đề" in report.message
    loaded = rows(db, "SELECT d.dossier_id, d.channel, d.received_date, d.due_date, d.completed_date, d.status, f.timeliness, "
                      "d.supplement_requests, d.source_row FROM dossiers d JOIN dossier_facts f USING (dossier_id) "
                      "ORDER BY dossier_id")
    # Title rows 1-3, a blank row 4, the header on row 5: data starts on Excel row 6.
    assert loaded == [
        ("HS001", "direct", dt.date(2024, 3, 1), dt.date(2024, 3, 4), dt.date(2024, 3, 3), "completed", "early", 0, 6),
        ("HS002", "online", dt.date(2024, 3, 5), dt.date(2024, 3, 6), None, "pending", None, None, 7),
        ("HS005", "direct", dt.date(2024, 3, 4), dt.date(2024, 3, 7), dt.date(2024, 3, 8), "completed", "late", 2, 10),
    ]
    quarantined = rows(db, "SELECT row_number, record_id, reason_code, message_vi FROM quarantine ORDER BY row_number")
    assert [(r[0], r[1], r[2]) for r in quarantined] == [(8, "HS003", "bad_date"), (9, "HS004", "unknown_value")]
    assert "Ngày tiếp nhận: '31/02/2024' không phải ngày hợp lệ" in quarantined[0][3]
    # HS004 has three problems, all named.
    for words in ("Trạng thái: giá trị không thuộc danh mục", "số âm", "Ngày hẹn trả (06/03/2024) trước Ngày tiếp nhận (10/03/2024)"):
        assert words in quarantined[1][3]


def test_same_file_twice_changes_nothing(tmp_path):
    db = tmp_path / "w.duckdb"
    source = dossier_workbook(tmp_path / "bao_cao.xlsx")
    ingest_one(source, db)
    snapshot = rows(db, "SELECT * EXCLUDE (loaded_at) FROM dossiers ORDER BY ALL")
    [again] = ingest_one(source, db)
    assert (again.rows_read, again.rows_inserted, again.rows_updated, again.rows_unchanged,
            again.rows_quarantined) == (5, 0, 0, 3, 2)
    assert rows(db, "SELECT * EXCLUDE (loaded_at) FROM dossiers ORDER BY ALL") == snapshot
    assert len(rows(db, "SELECT * FROM quarantine")) == 2
    assert rows(db, "SELECT count(*) FROM ingest_log")[0][0] == 2


def test_later_export_updates_the_dossier_instead_of_adding_one(tmp_path):
    db = tmp_path / "w.duckdb"
    header = ["Ma ho so", "Xa", "Ngay tiep nhan", "Ngay hen tra", "Ngay tra ket qua", "Trang thai"]
    write_csv(tmp_path / "t3.csv", [header, ["A1", "15952", "01/03/2024", "05/03/2024", "", "Dang giai quyet"],
                                    ["A2", "15952", "02/03/2024", "06/03/2024", "", "Dang giai quyet"]])
    write_csv(tmp_path / "t4.csv", [header, ["A1", "15952", "01/03/2024", "05/03/2024", "07/03/2024", "Da tra ket qua"],
                                    ["A2", "15952", "02/03/2024", "06/03/2024", "", "Dang giai quyet"],
                                    ["A3", "15952", "03/03/2024", "08/03/2024", "", "Dang giai quyet"]])
    ingest_one(tmp_path / "t3.csv", db)
    [later] = ingest_one(tmp_path / "t4.csv", db)
    assert (later.rows_inserted, later.rows_updated, later.rows_unchanged) == (1, 1, 1)
    assert rows(db, "SELECT dossier_id, status, f.timeliness, source_file FROM dossiers "
                    "JOIN dossier_facts f USING (dossier_id, status) ORDER BY 1") == [
        ("A1", "completed", "late", "t4.csv"), ("A2", "pending", None, "t3.csv"), ("A3", "pending", None, "t4.csv")]
    # Loading the older export again does not reopen A1: the warehouse keeps the later state.
    [older] = ingest_one(tmp_path / "t3.csv", db)
    # A2 is as it was; A1 is older than the stored record: counted apart, not as unchanged.
    assert (older.rows_inserted, older.rows_updated, older.rows_unchanged, older.rows_older) == (0, 0, 1, 1)
    assert rows(db, "SELECT status FROM dossiers WHERE dossier_id = 'A1'") == [("completed",)]


def test_semicolon_bom_csv_with_unaccented_headers_and_nfd_text(tmp_path):
    db = tmp_path / "w.duckdb"
    nfd = unicodedata.normalize("NFD", "Cảm ơn")
    write_csv(tmp_path / "thu_xa_dinh_hai_huyen_yen_dinh.csv", [
        ["Loai thu", "Ngay gui", "Ma ho so", "Nguoi nhan", "Noi dung"],
        ["Xin loi", "02/03/24", "HS001", CITIZEN_NAMES[0], "Trễ hẹn hồ sơ đất đai"],
        [nfd, "2024-03-05", "", "", unicodedata.normalize("NFD", "Cảm ơn đóng góp")],
        ["Chúc mừng", "5-3-2024 08:30", "", CITIZEN_NAMES[1], "Đám cưới"],
        ["THƯ CHIA BUỒN", "45360", "", "", ""],
    ])
    [report] = ingest_one(tmp_path / "thu_xa_dinh_hai_huyen_yen_dinh.csv", db)
    assert (report.kind, report.communes, report.rows_inserted, report.rows_quarantined) == ("letter", [DINH_HAI_YD], 4, 0)
    assert "tên tệp" in report.message
    assert rows(db, "SELECT kind, sent_date, dossier_id, occasion FROM letters ORDER BY sent_date, kind") == [
        ("apology", dt.date(2024, 3, 2), "HS001", "Trễ hẹn hồ sơ đất đai"),
        ("congratulation", dt.date(2024, 3, 5), None, "Đám cưới"),
        ("thanks", dt.date(2024, 3, 5), None, "Cảm ơn đóng góp"),  # stored NFC
        ("condolence", dt.date(2024, 3, 9), None, None),  # Excel serial 45292 = 01/01/2024, so 45360 = 09/03/2024
    ]


def test_commune_column_with_names_codes_and_an_ambiguous_name(tmp_path):
    db = tmp_path / "w.duckdb"
    write_csv(tmp_path / "don_thu.csv", [
        ["So don", "Xa", "Huyen", "Loai don", "Ngay nhan don", "Ket qua", "Vuot cap", "Nguoi gui don"],
        ["D1", "Lam Sơn", "Thọ Xuân", "Khiếu nại", "01/02/2024", "Đang giải quyết", "", CITIZEN_NAMES[2]],
        ["D2", "Lam Sơn", "", "Tố cáo", "02/02/2024", "", "x", CITIZEN_NAMES[3]],
        ["D3", "15952", "", "Kiến nghị", "03/02/2024", "Đã giải quyết", "Không", ""],
        ["D4", "P. Lam Sơn", "TX Bỉm Sơn", "Phản ánh", "04/02/2024", "Lưu đơn", "0", ""],
        ["D5", "Xã Không Có", "", "Phản ánh", "04/02/2024", "", "", ""],
    ], separator=",", encoding="utf-8")
    [report] = ingest_one(tmp_path / "don_thu.csv", db)
    assert (report.rows_read, report.rows_inserted, report.rows_quarantined) == (5, 3, 2)
    assert rows(db, "SELECT petition_id, commune_code, kind, outcome, escalated FROM petitions ORDER BY 1") == [
        ("D1", "15556", "complaint", "pending", None), ("D3", HOANG_DONG, "petition", "resolved", False),
        ("D4", "14815", "petition", "filed", False)]
    quarantined = rows(db, "SELECT record_id, reason_code, message_vi FROM quarantine ORDER BY 1")
    assert [(r[0], r[1]) for r in quarantined] == [("D2", "ambiguous_commune"), ("D5", "unknown_commune")]
    for code in ("14773", "14815", "15064", "15556"):  # every Lam Sơn of Thanh Hóa is named, none chosen
        assert code in quarantined[0][2]


def test_ambiguous_commune_in_file_name_loads_nothing(tmp_path):
    db = tmp_path / "w.duckdb"
    write_csv(tmp_path / "ho_so_phuong_lam_son.csv", [
        ["Ma ho so", "Ngay tiep nhan", "Ngay hen tra"], ["X1", "01/03/2024", "05/03/2024"]])
    [report] = ingest_one(tmp_path / "ho_so_phuong_lam_son.csv", db)
    assert (report.rows_inserted, report.rows_quarantined) == (0, 1)
    [(reason, message)] = rows(db, "SELECT reason_code, message_vi FROM quarantine")
    assert reason == "ambiguous_commune" and "14773" in message and "14815" in message
    # With the caller's help it loads.
    [report] = ingest_one(tmp_path / "ho_so_phuong_lam_son.csv", db, commune="14815")
    assert report.rows_inserted == 1


def test_dialogues_and_surveys_with_counts_and_ratings(tmp_path):
    db = tmp_path / "w.duckdb"
    write_xlsx(tmp_path / "doi_thoai.xlsx", [["ỦY BAN NHÂN DÂN THỊ TRẤN HÀ TRUNG"]],
               ["Ngày đối thoại", "Chủ trì", "Người đứng đầu chủ trì", "Số người tham dự", "Số ý kiến",
                "Số ý kiến được giải đáp"],
               [[dt.datetime(2022, 5, 10), "Chủ tịch UBND", "x", 120, 8, 8],
                ["20/11/2022", "Phó Chủ tịch", "", 80, 6, 7],
                ["01/12/2022", "Chủ tịch UBND", "Có", -5, 3, 2]])
    [report] = ingest_one(tmp_path / "doi_thoai.xlsx", db)
    assert (report.kind, report.communes, report.rows_inserted, report.rows_quarantined) == ("dialogue", ["15271"], 1, 2)
    assert sorted(r[0] for r in rows(db, "SELECT reason_code FROM quarantine")) == ["answered_above_raised",
                                                                                     "negative_count"]
    write_csv(tmp_path / "khao_sat_thi_tran_ha_trung.csv", [
        ["Ngay danh gia", "Muc do hai long", "Ton trong", "Phien ha sach nhieu", "So dien thoai"],
        ["01/06/2022", "Rất hài lòng", "5", "", CITIZEN_PHONES[0]],
        ["02/06/2022", "HÀI LÒNG", "4", "Không", ""],
        ["03/06/2022", "3", "", "x", CITIZEN_PHONES[1]],
        ["04/06/2022", "tuyệt vời", "", "", ""],
    ])
    [report] = ingest_one(tmp_path / "khao_sat_thi_tran_ha_trung.csv", db)
    assert (report.kind, report.rows_inserted, report.rows_quarantined) == ("survey", 3, 1)
    assert rows(db, "SELECT overall, respect, harassment FROM surveys ORDER BY survey_date") == [
        (5, 5, None), (4, 4, False), (3, None, True)]


def test_no_personal_data_in_clear_anywhere(tmp_path):
    db = tmp_path / "w.duckdb"
    ingest_one(dossier_workbook(tmp_path / "bao_cao.xlsx"), db)
    write_csv(tmp_path / "don_thu_thi_tran_ha_trung.csv", [
        ["So don", "Loai don", "Ngay nhan don", "Nguoi gui don", "CCCD", "Dien thoai", "Dia chi"],
        ["D1", "Tố cáo", "01/02/2024", CITIZEN_NAMES[2], CITIZEN_IDS[2], CITIZEN_PHONES[0], "Thôn 3"],
        ["D2", "Tố cáo", "31/13/2024", CITIZEN_NAMES[3], CITIZEN_IDS[3], CITIZEN_PHONES[1], "Thôn 4"]])
    ingest_one(tmp_path / "don_thu_thi_tran_ha_trung.csv", db)
    secrets = [*CITIZEN_NAMES, *CITIZEN_IDS, *CITIZEN_PHONES, "Thôn 3", "Thôn 4"]
    secrets += [unicodedata.normalize("NFD", s) for s in secrets] + [s.lower() for s in secrets]
    with duckdb.connect(str(db), read_only=True) as con:
        for table, columns in table_definitions().items():
            for name, sql_type, _ in columns:
                if sql_type != "VARCHAR":
                    continue
                for secret in secrets:
                    hits = con.execute(f'SELECT count(*) FROM {table} WHERE "{name}" ILIKE ?', [f"%{secret}%"]).fetchall()
                    assert hits[0][0] == 0, (table, name, secret)
        # Hashes are stable: the same applicant (HS001 and HS005) counts as one person.
        same = con.execute("SELECT count(DISTINCT applicant) FROM dossiers WHERE dossier_id IN ('HS001','HS005')")
        assert same.fetchall() == [(1,)]
    stored = (tmp_path / "w.duckdb").read_bytes()
    assert not [s for s in (*CITIZEN_NAMES, *CITIZEN_IDS, *CITIZEN_PHONES) if s.encode() in stored]


def test_encodings_utf16_and_windows_1258_are_read(tmp_path):
    db = tmp_path / "w.duckdb"
    lines = [["Mã hồ sơ", "Xã", "Ngày tiếp nhận"], ["E1", "15952", "01/03/2024"]]
    write_csv(tmp_path / "utf16.csv", lines, encoding="utf-16")
    # Windows-1258 writes "Hộ tịch" as ô (0xF4) + combining dot below (0xF2): no UTF-8 codec reads it.
    (tmp_path / "cp1258.csv").write_bytes(b"Ma ho so;Xa;Ngay tiep nhan;Linh vuc\r\nE2;15952;02/03/2024;H\xf4\xf2 ti\xf2ch\r\n")
    reports = ingest_files([tmp_path / "utf16.csv", tmp_path / "cp1258.csv"], db=db)
    assert [(r.error, r.rows_inserted) for r in reports] == [(None, 1), (None, 1)]
    assert rows(db, "SELECT sector FROM dossiers WHERE dossier_id = 'E2'") == [("Hộ tịch",)]


def test_unreadable_and_missing_inputs_give_clear_messages(tmp_path):
    garbage = tmp_path / "hong.xlsx"
    garbage.write_bytes(b"PK\x03\x04 not really a workbook")
    no_header = write_csv(tmp_path / "khac.csv", [["a", "b"], ["1", "2"]])
    reports = ingest_files([garbage, no_header], db=tmp_path / "w.duckdb")
    assert "không mở được tệp Excel" in reports[0].error
    assert "không tìm thấy dòng tiêu đề" in reports[1].error
    cli = [sys.executable, "-m", "pipelines.cli", "ingest"]
    missing = subprocess.run([*cli, str(tmp_path / "khong_co.csv"), "--db", str(tmp_path / "w.duckdb")],
                             capture_output=True, text=True)
    assert missing.returncode == 2 and "không tìm thấy đường dẫn" in missing.stderr
    assert "Traceback" not in missing.stderr
    broken = subprocess.run([*cli, str(garbage), "--db", str(tmp_path / "w.duckdb")], capture_output=True, text=True)
    assert broken.returncode == 1 and "LỖI" in broken.stdout and "Traceback" not in broken.stderr


def test_cli_prints_one_line_per_table_and_conservation_holds(tmp_path):
    dossier_workbook(tmp_path / "bao_cao.xlsx")
    done = subprocess.run([sys.executable, "-m", "pipelines.cli", "ingest", str(tmp_path), "--db",
                           str(tmp_path / "w.duckdb")], capture_output=True, text=True, check=True)
    assert ("bao_cao.xlsx[Hồ sơ]: dossier | xã (cấu trúc cũ) 15952 | đọc 5 = thêm 3 + cập nhật 0 + không đổi 0 + "
            "cũ hơn bản đã có 0 + cách ly 2") in done.stdout
    logged = rows(tmp_path / "w.duckdb", "SELECT rows_read, rows_inserted + rows_updated + rows_unchanged + "
                                          "rows_older + rows_quarantined FROM ingest_log")
    assert logged == [(5, 5)]


def test_reader_holding_the_warehouse_open_is_not_blocked_by_publish(tmp_path):
    db = tmp_path / "w.duckdb"
    ingest_one(dossier_workbook(tmp_path / "bao_cao.xlsx"), db)
    reader = subprocess.Popen([sys.executable, "-c", f"""
import duckdb, time, sys
con = duckdb.connect({str(db)!r}, read_only=True)
print(con.execute("SELECT count(*) FROM dossiers").fetchall()[0][0], flush=True)
sys.stdin.readline()
print(con.execute("SELECT count(*) FROM dossiers").fetchall()[0][0], flush=True)
con.close()
fresh = duckdb.connect({str(db)!r}, read_only=True)
print(fresh.execute("SELECT count(*) FROM dossiers").fetchall()[0][0], flush=True)
"""], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert reader.stdout.readline().strip() == "3"
    write_csv(tmp_path / "them.csv", [["Ma ho so", "Xa", "Ngay tiep nhan"], ["N1", "15952", "01/04/2024"]])
    [report] = ingest_one(tmp_path / "them.csv", db)  # publishes while the reader holds the old file open
    assert report.rows_inserted == 1
    out, err = reader.communicate("go\n", timeout=60)
    assert reader.returncode == 0, err
    assert out.split() == ["3", "4"]  # old snapshot stays readable; reopening sees the new one


@pytest.mark.parametrize("kind_flag, expected", [(None, "dossier"), ("dossier", "dossier")])
def test_kind_detected_or_given(tmp_path, kind_flag, expected):
    write_csv(tmp_path / "x.csv", [["So ho so", "Xa", "Ngay nhan ho so", "Han tra"], ["Z1", "15952", "01/03/2024", ""]])
    [report] = ingest_one(tmp_path / "x.csv", tmp_path / "w.duckdb", kind=kind_flag)
    assert report.kind == expected and report.rows_inserted == 1


def test_old_xls_workbook_with_title_rows(tmp_path):
    """A real BIFF8 .xls (written once with xlwt, committed as a fixture): Sao Vàng's petition book."""
    db = tmp_path / "w.duckdb"
    [report] = ingest_one(Path(__file__).parent / "fixtures" / "so_theo_doi_don_thu_2023.xls", db)
    assert (report.kind, report.communes, report.rows_read, report.rows_inserted, report.rows_quarantined) == (
        "petition", ["15553"], 3, 2, 1)
    assert rows(db, "SELECT petition_id, kind, received_date, due_date, resolved_date, outcome, escalated "
                    "FROM petitions ORDER BY 1") == [
        ("SV-01", "complaint", dt.date(2023, 3, 2), dt.date(2023, 4, 11), dt.date(2023, 4, 1), "resolved", None),
        ("SV-02", "petition", dt.date(2023, 5, 15), None, None, "pending", True)]
    assert rows(db, "SELECT record_id, reason_code FROM quarantine") == [("SV-03", "bad_date")]


def test_parquet_and_a_workbook_with_two_record_sheets(tmp_path):
    import polars as pl
    db = tmp_path / "w.duckdb"
    pl.DataFrame({"dialogue_id": ["DT1"], "commune_code": ["15271"], "dialogue_date": ["2022-05-10"],
                  "opinions_raised": [14], "opinions_answered": [14]}).write_parquet(tmp_path / "doi_thoai.parquet")
    [report] = ingest_one(tmp_path / "doi_thoai.parquet", db)
    assert (report.kind, report.communes, report.rows_inserted) == ("dialogue", ["15271"], 1)
    write_xlsx(tmp_path / "tong_hop.xlsx", [["ỦY BAN NHÂN DÂN XÃ HOẰNG ĐỒNG"]], ["Loại thư", "Ngày gửi"],
               [["Cảm ơn", "01/02/2024"], ["Chia buồn", "03/02/2024"]], sheet="Thư",
               extra_sheets={"Đối thoại": [["Ngày đối thoại", "Số ý kiến", "Số ý kiến được giải đáp", "Xã"],
                                           ["05/02/2024", 5, 4, "15952"]],
                             "Trống": [["Không có dữ liệu"]]})
    reports = ingest_one(tmp_path / "tong_hop.xlsx", db)
    assert [(r.sheet, r.kind, r.rows_inserted) for r in reports] == [("Thư", "letter", 2), ("Đối thoại", "dialogue", 1)]
    assert "trang 'Trống' không có dữ liệu" in reports[0].message


def test_quarantine_command_lists_reasons_as_csv(tmp_path):
    import csv
    import io
    db = tmp_path / "w.duckdb"
    ingest_one(dossier_workbook(tmp_path / "bao_cao.xlsx"), db)
    done = subprocess.run([sys.executable, "-m", "pipelines.cli", "quarantine", "--db", str(db), "--format", "csv"],
                          capture_output=True, text=True, check=True)
    listed = list(csv.DictReader(io.StringIO(done.stdout)))
    assert [(r["row_number"], r["reason_code"]) for r in listed] == [("8", "bad_date"), ("9", "unknown_value")]
    assert all(CITIZEN_NAMES[2] not in r["raw_values"] and CITIZEN_IDS[2] not in r["raw_values"] for r in listed)


def test_row_with_more_cells_than_the_header_is_quarantined_with_every_value_hashed(tmp_path):
    """An unquoted ';' inside a name shifts the cells: the ID number lands under 'Ngày tiếp nhận'."""
    db = tmp_path / "w.duckdb"
    write_csv(tmp_path / "ho_so_thi_tran_ha_trung.csv", [
        ["Mã hồ sơ", "Ngày tiếp nhận", "Người nộp", "Số CCCD"],
        ["R1", "01/03/2024", CITIZEN_NAMES[0], CITIZEN_IDS[0]],
        ["R2", "Trần", "Thị Bình", "02/03/2024", CITIZEN_IDS[1]],
    ])
    [report] = ingest_one(tmp_path / "ho_so_thi_tran_ha_trung.csv", db)
    assert (report.rows_read, report.rows_inserted, report.rows_quarantined) == (2, 1, 1)
    [(reason, message, raw)] = rows(db, "SELECT reason_code, message_vi, raw_values FROM quarantine")
    assert reason == "ragged_row" and "nhiều ô hơn" in message
    for clear in ("Trần", "Thị Bình", CITIZEN_IDS[1], "02/03/2024"):
        assert clear not in raw and clear not in message


def test_id_like_digits_under_a_non_personal_header_are_masked(tmp_path):
    db = tmp_path / "w.duckdb"
    write_csv(tmp_path / "ho_so_thi_tran_ha_trung.csv", [
        ["Mã hồ sơ", "Ngày tiếp nhận", "Lĩnh vực"], ["M1", CITIZEN_IDS[2], "Hộ tịch"]])
    ingest_one(tmp_path / "ho_so_thi_tran_ha_trung.csv", db)
    [(message, raw)] = rows(db, "SELECT message_vi, raw_values FROM quarantine")
    assert CITIZEN_IDS[2] not in message and CITIZEN_IDS[2] not in raw
    assert "[đã ẩn]" in message


def test_broken_quoting_is_refused_without_echoing_the_line(tmp_path):
    path = write_csv(tmp_path / "hong.csv", [["Mã hồ sơ", "Ngày tiếp nhận", "Người nộp"],
                                            ["Q1", "01/03/2024", f'"{CITIZEN_NAMES[1]};{CITIZEN_IDS[1]}']])
    [report] = ingest_files([path], db=tmp_path / "w.duckdb")
    if report.error:  # Polars may read the open quote to the end of the file or refuse it
        assert CITIZEN_NAMES[1] not in report.error and CITIZEN_IDS[1] not in report.error
    else:
        assert report.rows_inserted + report.rows_quarantined == report.rows_read


def test_dossiers_and_petitions_need_an_id_other_kinds_get_one_per_identical_row(tmp_path):
    db = tmp_path / "w.duckdb"
    write_csv(tmp_path / "ho_so_thi_tran_ha_trung.csv", [
        ["Ngày tiếp nhận", "Ngày hẹn trả"], ["01/03/2024", "05/03/2024"]])
    [report] = ingest_one(tmp_path / "ho_so_thi_tran_ha_trung.csv", db)
    assert (report.rows_inserted, report.rows_quarantined) == (0, 1)
    assert rows(db, "SELECT reason_code, message_vi FROM quarantine") == [("missing_value", "thiếu Mã hồ sơ")]
    survey = [["Ngay danh gia", "Muc do hai long"], ["01/06/2024", "Hài lòng"], ["01/06/2024", "Hài lòng"],
              ["01/06/2024", "Hài lòng"], ["02/06/2024", "Rất hài lòng"]]
    write_csv(tmp_path / "khao_sat_thi_tran_ha_trung.csv", survey)
    [first] = ingest_one(tmp_path / "khao_sat_thi_tran_ha_trung.csv", db)
    [again] = ingest_one(tmp_path / "khao_sat_thi_tran_ha_trung.csv", db)
    assert (first.rows_read, first.rows_inserted) == (4, 4)       # three identical forms stay three
    assert (again.rows_read, again.rows_inserted, again.rows_unchanged) == (4, 0, 4)
    assert rows(db, "SELECT count(*), count(DISTINCT response_id) FROM surveys") == [(4, 4)]


def test_commune_is_read_from_title_rows_above_the_header_never_from_data(tmp_path):
    db = tmp_path / "w.duckdb"
    write_csv(tmp_path / "bao_cao.csv", [["Mã hồ sơ", "Ngày tiếp nhận", "Địa chỉ"],
                                         ["T1", "01/03/2024", "Phường Đông Thọ"]])
    [report] = ingest_one(tmp_path / "bao_cao.csv", db)
    assert (report.rows_inserted, report.rows_quarantined) == (0, 1)
    assert rows(db, "SELECT reason_code FROM quarantine") == [("missing_commune",)]


def test_hidden_sheet_is_skipped_and_said(tmp_path):
    import xlsxwriter
    path = tmp_path / "doi_thoai.xlsx"
    workbook = xlsxwriter.Workbook(str(path))
    visible = workbook.add_worksheet("Đối thoại")
    hidden = workbook.add_worksheet("DanhMuc")
    for sheet, row in ((visible, ["05/02/2024", 5, 4]), (hidden, ["01/01/2024", 1, 1])):
        for c, value in enumerate(["Ngày đối thoại", "Số ý kiến", "Số ý kiến được giải đáp", "Xã"]):
            sheet.write(0, c, value)
        for c, value in enumerate([*row, "15952"]):
            sheet.write(1, c, value)
    hidden.hide()
    workbook.close()
    [report] = ingest_one(path, tmp_path / "w.duckdb")
    assert (report.sheet, report.rows_inserted) == ("Đối thoại", 1)
    assert "bỏ qua trang ẩn 'DanhMuc'" in report.message


def test_excel_column_with_data_but_no_header_is_reported(tmp_path):
    write_xlsx(tmp_path / "thu.xlsx", [["ỦY BAN NHÂN DÂN XÃ HOẰNG ĐỒNG"]], ["Loại thư", "Ngày gửi", None, "Nội dung"],
               [["Cảm ơn", "01/02/2024", "ghi chú tay", "Cảm ơn đóng góp"]])
    [report] = ingest_one(tmp_path / "thu.xlsx", tmp_path / "w.duckdb")
    assert report.rows_inserted == 1 and report.unknown_columns == ["(cột 3 không có tiêu đề)"]


def test_windows_1258_body_under_a_plain_ascii_head(tmp_path):
    """Only the head is decoded to choose the encoding; a Windows-1258 body further down is still read."""
    lines = [b"Ma ho so;Xa;Ngay tiep nhan;Linh vuc"]
    lines += [b"A%05d;15952;01/03/2024;Ho tich" % i for i in range(3000)]            # > 64 KiB of ASCII
    lines += [b"B00001;15952;02/03/2024;H\xf4\xf2 ti\xf2ch"]                         # "Hộ tịch" in Windows-1258
    (tmp_path / "dai.csv").write_bytes(b"\r\n".join(lines) + b"\r\n")
    [report] = ingest_one(tmp_path / "dai.csv", tmp_path / "w.duckdb")
    assert (report.rows_read, report.rows_inserted) == (3001, 3001)
    assert rows(tmp_path / "w.duckdb", "SELECT sector FROM dossiers WHERE dossier_id = 'B00001'") == [("Hộ tịch",)]


def test_an_older_warehouse_gains_new_columns_and_keeps_its_rows(tmp_path):
    db = tmp_path / "w.duckdb"
    ingest_one(dossier_workbook(tmp_path / "bao_cao.xlsx"), db)
    with duckdb.connect(str(db)) as con:  # as if written before the schema had these columns
        con.execute("ALTER TABLE dossiers DROP COLUMN applicant_address")
        con.execute("ALTER TABLE letters DROP COLUMN new_appointment_date")
    write_csv(tmp_path / "thu_thi_tran_ha_trung.csv", [["Loai thu", "Ngay gui", "Ngay hen lai"],
                                                       ["Xin loi", "02/03/2024", "09/03/2024"]])
    [report] = ingest_one(tmp_path / "thu_thi_tran_ha_trung.csv", db)
    assert report.rows_inserted == 1
    assert rows(db, "SELECT count(*) FROM dossiers") == [(3,)]
    assert rows(db, "SELECT new_appointment_date FROM letters") == [(dt.date(2024, 3, 9),)]


def test_an_older_warehouse_loses_the_column_this_version_derives_elsewhere(tmp_path):
    """Dossiers once stored their timeliness; it is now a fact (dossier_facts). A warehouse still holding the
    column loses it at the next publish (schemas.records.RETIRED_COLUMNS), so no reader finds two; the rows
    stay."""
    db = tmp_path / "w.duckdb"
    ingest_one(dossier_workbook(tmp_path / "bao_cao.xlsx"), db)
    with duckdb.connect(str(db)) as con:
        con.execute("ALTER TABLE dossiers ADD COLUMN timeliness VARCHAR DEFAULT 'late'")
    write_csv(tmp_path / "thu_thi_tran_ha_trung.csv", [["Loai thu", "Ngay gui"], ["Xin loi", "02/03/2024"]])
    ingest_one(tmp_path / "thu_thi_tran_ha_trung.csv", db)
    assert rows(db, "SELECT count(*) FROM information_schema.columns WHERE table_schema = 'main' "
                    "AND table_name = 'dossiers' AND column_name = 'timeliness'") == [(0,)]
    assert rows(db, "SELECT count(*) FROM dossiers") == [(3,)]


def test_row_hashes_an_older_warehouse_stored_as_hex_text_still_find_unchanged_rows(tmp_path):
    """Until December 2026 a row hash was the MD5 of the row's content in hex; now it is a number. The
    warehouse is put back as the older ingest left it (the same content's MD5 in hex), then the same files
    are loaded again: the next publish converts the hashes, and every row is found unchanged, a dossier
    workbook and a letters file without ids (whose keys come from their content) alike."""
    db = tmp_path / "w.duckdb"
    letters = tmp_path / "thu_thi_tran_ha_trung.csv"
    write_csv(letters, [["Loai thu", "Ngay gui"], ["Xin loi", "02/03/2024"], ["Cam on", "03/03/2024"]])
    files = [dossier_workbook(tmp_path / "bao_cao.xlsx"), letters]
    first = ingest_files(files, db=db)
    assert [r.rows_inserted for r in first] == [3, 2]
    query = "SELECT dossier_id, row_hash FROM dossiers UNION ALL SELECT letter_id, row_hash FROM letters ORDER BY 1"
    numbers = rows(db, query)
    with duckdb.connect(str(db)) as con:
        for schema in (RECORD_SCHEMAS["dossier"], RECORD_SCHEMAS["letter"]):
            content = _content_sql([c.name for c in schema.columns if c.name != schema.id_column])
            con.execute(f"ALTER TABLE {schema.table} ADD COLUMN hex_hash VARCHAR")
            con.execute(f"UPDATE {schema.table} AS s SET hex_hash = md5({content})")
            con.execute(f"ALTER TABLE {schema.table} DROP COLUMN row_hash")
            con.execute(f"ALTER TABLE {schema.table} RENAME hex_hash TO row_hash")
        assert all(len(h) == 32 for (h,) in con.execute("SELECT row_hash FROM dossiers").fetchall())
    again = ingest_files(files, db=db)
    assert [(r.rows_inserted, r.rows_updated, r.rows_unchanged) for r in again] == [(0, 0, 3), (0, 0, 2)]
    assert rows(db, query) == numbers


def test_pseudonyms_are_the_hmac_of_the_normalised_value_in_every_kind(tmp_path, monkeypatch):
    """Each distinct value is hashed once and joined back; the stored pseudonym must still be exactly
    'h:' + the first 24 hex digits of HMAC-SHA256(scope key, normalised value), as computed by
    Python's hmac, for plain and apart (denunciation) keys alike, so warehouses built before keep
    counting the same people."""
    secret = "test-secret-0123456789-0123456789-abcdef"
    monkeypatch.setenv("DVCQ_SECRET", secret)
    db = tmp_path / "w.duckdb"
    write_csv(tmp_path / "don_thu_thi_tran_ha_trung.csv", [
        ["So don", "Loai don", "Ngay nhan don", "Nguoi gui don", "CCCD"],
        ["D1", "Tố cáo", "01/02/2024", CITIZEN_NAMES[0], CITIZEN_IDS[0]],
        ["D2", "Khiếu nại", "02/02/2024", "  " + CITIZEN_NAMES[0].upper(), "038 090 001 234"],
        ["D3", "Khiếu nại", "03/02/2024", CITIZEN_NAMES[0], ""]])
    ingest_one(tmp_path / "don_thu_thi_tran_ha_trung.csv", db)

    def pseudonym(scope: str, value: str) -> str:
        key = scope_key(secret.encode(), scope)
        return "h:" + hmac.new(key, value.encode(), hashlib.sha256).hexdigest()[:24]

    name, number = CITIZEN_NAMES[0].lower(), CITIZEN_IDS[0]
    assert rows(db, "SELECT petition_id, petitioner, petitioner_id_number FROM petitions ORDER BY 1") == [
        ("D1", pseudonym("petition:denunciation", name), pseudonym("petition:denunciation", number)),
        ("D2", pseudonym("petition", name), pseudonym("petition", number)),
        ("D3", pseudonym("petition", name), None)]


def test_codes_resolved_at_once_agree_with_one_by_one():
    """resolve_codes (a join, for exports naming thousands of communes) places every value it places
    where resolve_commune does, and leaves to it exactly the values that need a message."""
    legacy, new = province_legacy_units("38")["commune_code"], province_units_2025("38")["commune_code"]
    values = [*legacy.head(40), *new.head(40), " 15952 ", "1", "99999", "00001", "01", "Xã Hoằng Đồng", None]
    for era in ("legacy", "2025", None):
        at_once = {r["commune"]: (r["commune_code"], r["unit_era"]) for r in
                   resolve_codes(pl.Series(values, dtype=pl.String), "38", era).iter_rows(named=True)}
        for value in values:
            one = resolve_commune(value, None, "38", era) if value else None
            if value in at_once:
                assert at_once[value] == (one.code, one.era), value
            else:
                assert value is None or one.code is None or not value.strip().isdigit(), value


def test_a_national_deployment_holds_every_commune_of_both_structures():
    tables = unit_tables(NATIONAL)
    assert tables["units_2025"].height == 3321
    assert tables["units_legacy"].height > 10_000
    assert tables["unit_successors"].filter(pl.col("is_default"))["legacy_code"].n_unique() == tables["units_legacy"].height
