"""Hardening of the ingest, second round: records of another province never land on this one's units
(type words, districts and provinces named anywhere), records missing from a newer export, an older
export and a re-loaded file counted as what they are."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest

from pipelines.engine.backlog import backlog_table
from pipelines.ingest.communes import resolve_commune
from pipelines.ingest.pipeline import ingest_command, ingest_files
from pipelines.ingest.warehouse import connect_read_only
from pipelines.sql import InStructure
from schemas.config import DEFAULT_CONFIG_PATH, ConfigError, load_config
from tests.ingest_fixtures import write_csv

HEADER = ["Mã hồ sơ", "Ngày tiếp nhận", "Ngày hẹn trả", "Trạng thái"]
PENDING = "Đang giải quyết"


def rows(db: Path, sql: str):
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()


# ---------------------------------------------------------------- item 1: another province's records

def test_a_ward_of_another_province_is_not_the_commune_of_the_same_name_here():
    ward = resolve_commune("Phường Thành Vinh", None, "38", "2025")
    assert (ward.code, ward.reason) == (None, "other_province")
    assert "16681 Phường Thành Vinh, Tỉnh Nghệ An" in ward.message
    assert resolve_commune("Xã Thành Vinh", None, "38", "2025").code == "15229"


def test_a_type_word_must_match_even_when_only_the_name_is_known_here():
    town = resolve_commune("Thị trấn Thành Vinh", None, "38", "2025")
    assert (town.code, town.reason) == (None, "unknown_commune")
    assert "khác loại đơn vị (không tự nhận): 15229 Xã Thành Vinh" in town.message


def test_a_district_of_another_province_is_foreign_not_merged():
    foreign = resolve_commune("Xã Kỳ Tân", "Huyện Tân Kỳ", "38", "legacy")
    assert (foreign.code, foreign.reason, foreign.note) == (None, "other_province", None)
    assert foreign.message == ("'Huyện Tân Kỳ' là huyện của tỉnh khác (Huyện Tân Kỳ, Tỉnh Nghệ An), không thuộc tỉnh "
                               "đang cấu hình (Tỉnh Thanh Hóa)")
    merged = resolve_commune("Xã Đông Văn", "Huyện Đông Sơn", "38", "legacy")  # merged into TP Thanh Hóa in 2024
    assert merged.code == "16417" and merged.note.endswith("Xã Đông Văn nay thuộc Thành phố Thanh Hóa")


REFUSED = ("tệp ghi Tỉnh Nghệ An, không phải tỉnh đang cấu hình (mã 38): không nạp dòng nào của tỉnh khác; hãy gửi "
           "tệp cho đơn vị quản lý tỉnh đó")


@pytest.mark.parametrize("name, lines", [
    ("tieu_de.csv", [["UBND TỈNH NGHỆ AN"], ["ỦY BAN NHÂN DÂN XÃ VÂN DU"], HEADER,
                     ["NA1", "03/03/2026", "06/03/2026", PENDING]]),
    ("tieu_de_thuong.csv", [["Uỷ ban nhân dân tỉnh Nghệ An"], ["ỦY BAN NHÂN DÂN XÃ VÂN DU"], HEADER,
                            ["NA1", "03/03/2026", "06/03/2026", PENDING]]),
    ("ho_so_xa_van_du_tinh_nghe_an_2026.csv", [HEADER, ["NA1", "03/03/2026", "06/03/2026", PENDING]]),
    ("cot_tinh.csv", [["Tỉnh", "Xã"] + HEADER, ["Thanh Hóa", "Xã Vân Du", "TH1", "03/03/2026", "06/03/2026", PENDING],
                      ["Nghệ An", "Xã Vân Du", "NA1", "03/03/2026", "06/03/2026", PENDING]]),
])
def test_a_file_naming_another_province_is_refused_whole(tmp_path, name, lines):
    db = tmp_path / "w.duckdb"
    reports = ingest_files([write_csv(tmp_path / name, lines)], db=db)
    assert [(r.file_name, r.error) for r in reports] == [(name, REFUSED)]
    assert rows(db, "SELECT count(*) FROM dossiers") == [(0,)]
    assert rows(db, "SELECT count(*) FROM quarantine") == [(0,)]


def test_a_file_naming_its_own_province_loads_and_an_unknown_province_cell_is_quarantined(tmp_path):
    db = tmp_path / "w.duckdb"
    titled = write_csv(tmp_path / "ho_so_tinh_thanh_hoa.csv", [
        ["UBND TỈNH THANH HOÁ"], ["ỦY BAN NHÂN DÂN XÃ VÂN DU"], ["BÁO CÁO TÌNH HÌNH GIẢI QUYẾT HỒ SƠ"], HEADER,
        ["TH1", "03/03/2026", "06/03/2026", PENDING]])
    column = write_csv(tmp_path / "cot_tinh.csv", [
        ["Tỉnh", "Xã"] + HEADER, ["Tỉnh Thanh Hóa", "Xã Vân Du", "TH2", "03/03/2026", "06/03/2026", PENDING],
        ["Không rõ", "Xã Vân Du", "TH3", "03/03/2026", "06/03/2026", PENDING]])
    reports = ingest_files([titled, column], db=db)
    assert [(r.error, r.rows_inserted, r.rows_quarantined) for r in reports] == [(None, 1, 0), (None, 1, 1)]
    assert rows(db, "SELECT commune_code, dossier_id FROM dossiers ORDER BY 2") == [("15190", "TH1"), ("15190", "TH2")]
    assert rows(db, "SELECT record_id, reason_code FROM quarantine") == [("TH3", "unknown_province")]


def test_a_province_named_in_free_text_of_a_title_does_not_refuse_the_file(tmp_path):
    # Only an issuer line ('UBND TỈNH X', 'ỦY BAN NHÂN DÂN TỈNH X', 'TỈNH X') names the file's province:
    # a petition passed on by another province's police is still this commune's ledger.
    db = tmp_path / "w.duckdb"
    ledger = write_csv(tmp_path / "so_don_thu.csv", [
        ["ỦY BAN NHÂN DÂN XÃ LAM SƠN"], ["Sổ đơn thư xã Lam Sơn (đơn do Công an tỉnh Nghệ An chuyển đến)"],
        ["Số đơn", "Loại đơn", "Ngày nhận đơn", "Kết quả"], ["D1", "Kiến nghị", "03/03/2026", PENDING]])
    [report] = ingest_files([ledger], db=db)
    assert (report.error, report.rows_read, report.rows_inserted, report.rows_quarantined) == (None, 1, 1, 0)
    assert rows(db, "SELECT commune_code, petition_id, outcome FROM petitions") == [("15544", "D1", "pending")]


# ---------------------------------------------------------------- item 10: a record missing from a newer export

DL3 = ["Mã hồ sơ", "Ngày tiếp nhận", "Ngày hẹn trả", "Ngày trả kết quả", "Trạng thái"]


def test_a_pending_record_missing_from_a_newer_export_is_said_listed_and_stored(tmp_path):
    db = tmp_path / "w.duckdb"
    # The April export: A1 completed, A4 new, A3 present but quarantined (due before receipt); A2 gone.
    # Its span for Xã Vân Du is 02/03/2026 (A1's receipt) to 10/04/2026: A0 (01/03) lies before it.
    march, april = march_and_april(tmp_path)
    ingest_files([march], db=db)
    [later] = ingest_files([april], db=db)
    assert (later.rows_read, later.rows_inserted, later.rows_updated, later.rows_quarantined,
            later.rows_missing, later.rows_closed) == (3, 1, 1, 1, 1, 0)
    note = ("1 bản ghi đang giải quyết trong kho không còn trong tệp này dù nhận trong khoảng ngày tệp bao quát: "
            "A2 (xã 15190, nhận 03/03/2026)")
    assert later.message.endswith(note)
    assert later.summary_line().endswith(note)
    assert rows(db, "SELECT rows_missing, message LIKE '%' || 'A2 (xã 15190' || '%' FROM ingest_log "
                    "WHERE file_name = 'ho_so_xa_van_du_t4.csv'") == [(1, True)]
    # By default the record is only reported: it stays pending as the March export said.
    assert rows(db, "SELECT dossier_id, status FROM dossiers ORDER BY 1") == [
        ("A0", "pending"), ("A1", "completed"), ("A2", "pending"), ("A3", "pending"), ("A4", "pending")]


def test_an_older_export_rightly_not_applied_is_counted_apart(tmp_path):
    db = tmp_path / "w.duckdb"
    march = write_csv(tmp_path / "ho_so_xa_van_du_t3.csv", [
        DL3, ["A1", "02/03/2026", "05/03/2026", "", PENDING], ["A2", "03/03/2026", "06/03/2026", "", PENDING]])
    april = write_csv(tmp_path / "ho_so_xa_van_du_t4.csv", [
        DL3, ["A1", "02/03/2026", "05/03/2026", "04/03/2026", "Đã trả kết quả"],
        ["A2", "03/03/2026", "06/03/2026", "", PENDING]])
    ingest_files([march, april], db=db)
    [again] = ingest_files([march], db=db)  # A1 pending in March, completed since: never reopened
    assert again.summary_line().split(" | ")[2] == ("đọc 2 = thêm 0 + cập nhật 0 + không đổi 1 + cũ hơn bản đã có 1 "
                                                    "+ cách ly 0")
    assert rows(db, "SELECT rows_read, rows_inserted, rows_updated, rows_unchanged, rows_older, rows_quarantined "
                    "FROM ingest_log ORDER BY ingested_at DESC LIMIT 1") == [(2, 0, 0, 1, 1, 0)]
    assert rows(db, "SELECT status FROM dossiers WHERE dossier_id = 'A1'") == [("completed",)]


def closing(config=None):
    """The configuration with ingest.missing_from_newer_export = "close"."""
    config = config or load_config()
    return config.model_copy(update={"ingest": config.ingest.model_copy(update={"missing_from_newer_export": "close"})})


def test_the_configuration_says_report_or_close_and_nothing_else(tmp_path):
    assert load_config().ingest.missing_from_newer_export == "report"
    text = DEFAULT_CONFIG_PATH.read_text(encoding="utf-8")
    bad = tmp_path / "bad.toml"
    bad.write_text(text.replace('missing_from_newer_export = "report"', 'missing_from_newer_export = "đóng"'),
                   encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        load_config(bad)
    assert ("ingest.missing_from_newer_export: Input should be 'report' or 'close' (giá trị: 'đóng')"
            in str(error.value))


def march_and_april(tmp_path: Path) -> tuple[Path, Path]:
    """The March/April example: A2 (received 03/03/2026, due 06/03/2026) is pending in March and
    gone from April, whose latest date for Xã Vân Du is 10/04/2026 (A4's receipt)."""
    march = write_csv(tmp_path / "ho_so_xa_van_du_t3.csv", [
        DL3, ["A0", "01/03/2026", "04/03/2026", "", PENDING], ["A1", "02/03/2026", "05/03/2026", "", PENDING],
        ["A2", "03/03/2026", "06/03/2026", "", PENDING], ["A3", "20/03/2026", "25/03/2026", "", PENDING]])
    april = write_csv(tmp_path / "ho_so_xa_van_du_t4.csv", [
        DL3, ["A1", "02/03/2026", "05/03/2026", "04/03/2026", "Đã trả kết quả"],
        ["A3", "20/03/2026", "19/03/2026", "", PENDING], ["A4", "10/04/2026", "15/04/2026", "", PENDING]])
    return march, april


def overdue_ids(db: Path, day: dt.date) -> list[str]:
    with connect_read_only(db) as raw:
        return backlog_table(InStructure(raw, "2025"), load_config(), day)["record_id"].to_list()


def test_with_close_a_record_missing_from_a_newer_export_is_withdrawn_on_its_last_event_day(tmp_path):
    db = tmp_path / "w.duckdb"
    march, april = march_and_april(tmp_path)
    ingest_files([march], db=db, config=closing())
    # Under March alone A2 is overdue from 07/03/2026 for ever (due 06/03/2026), like A0, A1 and A3.
    assert overdue_ids(db, dt.date(2026, 4, 10)) == ["A0", "A1", "A2", "A3"]
    [later] = ingest_files([april], db=db, config=closing())
    assert (later.rows_read, later.rows_inserted, later.rows_updated, later.rows_quarantined, later.rows_missing,
            later.rows_closed) == (3, 1, 1, 1, 1, 1)
    note = ("đóng 1 bản ghi đang giải quyết không còn trong bản xuất mới (ghi là rút hồ sơ vào ngày mới nhất của xã "
            "trong tệp): A2 (xã 15190, nhận 03/03/2026, đóng 10/04/2026)")
    assert later.message.endswith(note)
    assert rows(db, "SELECT rows_missing, rows_closed, message LIKE '%' || 'đóng 10/04/2026)' FROM ingest_log "
                    "WHERE file_name = 'ho_so_xa_van_du_t4.csv'") == [(1, 1, True)]
    assert rows(db, "SELECT dossier_id, status, completed_date, closed_missing_from FROM dossiers ORDER BY 1") == [
        ("A0", "pending", None, None), ("A1", "completed", dt.date(2026, 3, 4), None),
        ("A2", "withdrawn", dt.date(2026, 4, 10), "ho_so_xa_van_du_t4.csv"), ("A3", "pending", None, None),
        ("A4", "pending", None, None)]
    # The facts close it on 10/04/2026: overdue from 07/03 until then, never completed nor late.
    assert rows(db, "SELECT f.status, f.closed_date, f.timeliness, l.overdue_from, l.overdue_until FROM dossier_facts f "
                    "JOIN late_dossiers l USING (dossier_id) WHERE dossier_id = 'A2'") == [
        ("withdrawn", dt.date(2026, 4, 10), None, dt.date(2026, 3, 7), dt.date(2026, 4, 10))]
    assert overdue_ids(db, dt.date(2026, 4, 9)) == ["A0", "A2", "A3"]
    assert overdue_ids(db, dt.date(2026, 4, 10)) == ["A0", "A3"]


def test_with_close_loading_the_same_two_files_again_changes_nothing(tmp_path):
    db = tmp_path / "w.duckdb"
    march, april = march_and_april(tmp_path)
    ingest_files([march, april], db=db, config=closing())
    everything = "SELECT * FROM dossiers ORDER BY dossier_id"
    before = rows(db, everything)
    assert [r[:2] for r in rows(db, "SELECT dossier_id, status FROM dossiers ORDER BY 1")] == [
        ("A0", "pending"), ("A1", "completed"), ("A2", "withdrawn"), ("A3", "pending"), ("A4", "pending")]
    again = ingest_files([march, april], db=db, config=closing())
    # March: A1 completed and A2 closed since, both by a later export: neither reopened. April: nothing to close.
    assert [(r.summary_line().split(" | ")[2], r.rows_missing, r.rows_closed) for r in again] == [
        ("đọc 4 = thêm 0 + cập nhật 0 + không đổi 2 + cũ hơn bản đã có 2 + cách ly 0", 0, 0),
        ("đọc 3 = thêm 0 + cập nhật 0 + không đổi 2 + cũ hơn bản đã có 0 + cách ly 1", 0, 0)]
    assert rows(db, everything) == before


def test_with_close_a_missing_petition_is_withdrawn_and_the_cli_says_how_many_were_closed(tmp_path, capsys):
    db = tmp_path / "w.duckdb"
    header = ["Số đơn", "Loại đơn", "Ngày nhận đơn", "Hạn giải quyết", "Ngày giải quyết", "Kết quả"]
    march = write_csv(tmp_path / "don_thu_xa_van_du_t3.csv", [
        header, ["D1", "Kiến nghị", "02/03/2026", "20/03/2026", "", PENDING],
        ["D2", "Kiến nghị", "05/03/2026", "25/03/2026", "", PENDING]])
    april = write_csv(tmp_path / "don_thu_xa_van_du_t4.csv", [
        header, ["D1", "Kiến nghị", "02/03/2026", "20/03/2026", "18/03/2026", "Đã giải quyết"],
        ["D3", "Kiến nghị", "08/04/2026", "28/04/2026", "", PENDING]])
    assert ingest_command([str(march)], str(db), None, None, closing()) == 0
    capsys.readouterr()
    assert ingest_command([str(april)], str(db), None, None, closing()) == 0
    printed = capsys.readouterr().out.splitlines()
    assert printed[0].endswith("đóng 1 bản ghi đang giải quyết không còn trong bản xuất mới (ghi là rút đơn vào ngày "
                               "mới nhất của xã trong tệp): D2 (xã 15190, nhận 05/03/2026, đóng 08/04/2026)")
    assert printed[2] == ("đóng 1 bản ghi không còn trong bản xuất mới của xã (1 tệp): danh sách ở ghi chú của từng tệp "
                          "(dvcq ingest không --quiet, trang Dữ liệu).")
    assert rows(db, "SELECT petition_id, outcome, resolved_date, closed_missing_from FROM petitions ORDER BY 1") == [
        ("D1", "resolved", dt.date(2026, 3, 18), None),
        ("D2", "withdrawn", dt.date(2026, 4, 8), "don_thu_xa_van_du_t4.csv"), ("D3", "pending", None, None)]
    # Overdue from 26/03/2026 (due 25/03) until it was closed on 08/04/2026.
    assert rows(db, "SELECT closed_date, overdue_from, overdue_until FROM petition_facts WHERE petition_id = 'D2'") == [
        (dt.date(2026, 4, 8), dt.date(2026, 3, 26), dt.date(2026, 4, 8))]
    assert overdue_ids(db, dt.date(2026, 4, 7)) == ["D2"]
    assert overdue_ids(db, dt.date(2026, 4, 8)) == []


# May lists A2 again, completed on 12/04/2026 or still pending; loading March again afterwards finds A1 older
# (completed since) and, when May completed it, A2 too.
@pytest.mark.parametrize("may_row, stored, march_older", [
    (["A2", "03/03/2026", "06/03/2026", "12/04/2026", "Đã trả kết quả"], ("completed", dt.date(2026, 4, 12), None), 2),
    (["A2", "03/03/2026", "06/03/2026", "", PENDING], ("pending", None, None), 1),
])
def test_a_record_closed_as_missing_is_updated_by_a_later_export_that_lists_it(tmp_path, may_row, stored,
                                                                                march_older):
    db = tmp_path / "w.duckdb"
    march, april = march_and_april(tmp_path)
    may = write_csv(tmp_path / "ho_so_xa_van_du_t5.csv", [
        DL3, may_row, ["A3", "20/03/2026", "25/03/2026", "", PENDING], ["A4", "10/04/2026", "15/04/2026", "", PENDING],
        ["A5", "05/05/2026", "08/05/2026", "", PENDING]])
    ingest_files([march, april], db=db, config=closing())
    a2 = "SELECT status, completed_date, closed_missing_from FROM dossiers WHERE dossier_id = 'A2'"
    assert rows(db, a2) == [("withdrawn", dt.date(2026, 4, 10), "ho_so_xa_van_du_t4.csv")]
    [later] = ingest_files([may], db=db, config=closing())
    assert (later.rows_inserted, later.rows_updated, later.rows_unchanged, later.rows_missing) == (1, 1, 2, 0)
    assert rows(db, a2) == [stored]
    [march_again] = ingest_files([march], db=db, config=closing())  # older than May: changes nothing
    assert (march_again.rows_updated, march_again.rows_older) == (0, march_older)
    assert rows(db, a2) == [stored]


# ---------------------------------------------------------------- a sample file uploaded twice

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample" / "ho_so_xa_nhu_thanh_2026.csv"


def test_a_sample_file_loaded_twice_is_one_file_and_every_part_of_its_rows_is_said(tmp_path):
    from dashboard.formatting import fmt_int
    from pipelines.ingest.pipeline import count_sum, quarantine_frame, report_totals
    from pipelines.sql import run

    db = tmp_path / "w.duckdb"
    ingest_files([SAMPLE], db=db)
    again = ingest_files([SAMPLE], db=db)
    # 97 data rows under the header; row 33 names 'Xã Tân Lập Hạ', a commune that does not exist.
    assert count_sum(report_totals(again), fmt_int) == ("đọc 97 = thêm 0 + cập nhật 0 + không đổi 96 + cũ hơn bản "
                                                        "đã có 0 + cách ly 1")
    with duckdb.connect(str(db), read_only=True) as con:
        totals = run(con, "ingest_totals", {}).row(0, named=True)
        assert totals == {"files": 1, "rows_read": 97, "rows_applied": 96, "rows_quarantined": 1}
        assert con.execute("SELECT count(*) FROM ingest_log").fetchall() == [(2,)]  # both loads stay in the log
    assert len(quarantine_frame(db)) == totals["rows_quarantined"]
