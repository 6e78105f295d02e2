"""Hardening of the ingest, second round: records of another province never land on this one's units
(type words, districts and provinces named anywhere), records missing from a newer export, an older
export and a re-loaded file counted as what they are."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from pipelines.ingest.communes import resolve_commune
from pipelines.ingest.pipeline import ingest_files
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
