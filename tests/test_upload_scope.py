"""Uploads by role (issue 21): who may load files, and a commune clerk only its own commune's.

A small warehouse (6 dossiers received 03/09/2025: 4 of Xã Yên Thọ, 16264, the busiest, so the test account
``xa.16264`` is its clerk's; 2 of Xã Trường Văn, 16348) is copied for each test, which uploads through the
Dữ liệu page as a browser would (AppTest) or calls the page's ingest function.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from pipelines.access.store import AccessStore, accounts_path
from pipelines.ingest.pipeline import ingest_files
from pipelines.ingest.privacy import mask_identifiers_text
from schemas.config import load_config
from tests.dashboard_fixtures import REPO, browser_cookie, session_cookie
from tests.dashboard_fixtures import test_accounts as accounts_of
from tests.ingest_fixtures import CITIZEN_IDS, write_csv

HEADER = ["Mã hồ sơ", "Mã xã", "Ngày tiếp nhận", "Ngày hẹn trả", "Ngày trả kết quả"]
OWN, OTHER = "16264", "16348"   # Xã Yên Thọ, Xã Trường Văn (2025 list)
OWN_LEGACY = "16267"            # Xã Yên Lạc (legacy list), whose default successor is Yên Thọ
CSV = "text/csv"


def _csv(rows: list[tuple[str, str]], day: str = "03/09/2025") -> bytes:
    """An export of dossiers (id, commune code) received ``day``, due 3 days later, completed 2 days later."""
    d, m, y = day.split("/")
    due, done = f"{int(d) + 3:02d}/{m}/{y}", f"{int(d) + 2:02d}/{m}/{y}"
    lines = [HEADER] + [[record, commune, day, due, done] for record, commune in rows]
    return ("\r\n".join(";".join(cells) for cells in lines) + "\r\n").encode("utf-8-sig")


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("upload-base")
    write_csv(folder / "base.csv", [HEADER] + [[f"A{i}", OWN, "03/09/2025", "06/09/2025", "05/09/2025"]
                                              for i in range(4)]
              + [[f"B{i}", OTHER, "03/09/2025", "06/09/2025", "05/09/2025"] for i in range(2)])
    ingest_files([folder / "base.csv"], db=folder / "w.duckdb")
    return folder / "w.duckdb"


@pytest.fixture
def db(base, tmp_path, monkeypatch) -> Path:
    """A copy of the base warehouse with its own accounts (one per role), served to the AppTests."""
    copy = tmp_path / "w.duckdb"
    shutil.copy(base, copy)
    assert accounts_of(copy)["xa"] == f"xa.{OWN}"
    monkeypatch.setenv("DVCQ_DB", str(copy))
    return copy


def dossiers_of(db: Path, commune: str) -> int:
    """Dossiers of a 2025 commune in the warehouse (legacy records on their default successor)."""
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute("SELECT count(*) FROM era_2025.dossiers WHERE commune_code = ?", [commune]).fetchone()[0]


def audit(db: Path) -> list[tuple[str, str, dict]]:
    """(login, action, detail) of the audit trail's upload entries, oldest first."""
    trail = AccessStore(accounts_path(db), load_config().access).audit()
    return [(row["login"], row["action"], json.loads(row["detail"])) for row in reversed(trail.to_dicts())
            if row["action"].startswith("upload")]


def errors(at: AppTest) -> list[str]:
    """The page's error messages as a reader sees them (the page escapes Markdown in what a file names)."""
    return [re.sub(r"\\(.)", r"\1", e.value) for e in at.error]


def upload_as(role: str, db: Path, files: list[tuple[str, bytes, str]]) -> AppTest:
    """Dữ liệu opened as the test account of ``role``, ``files`` chosen in its uploader and «Nạp dữ liệu» pressed."""
    browser_cookie(session_cookie(role, db))
    at = AppTest.from_file(str(REPO / "dashboard" / "app.py"), default_timeout=90)
    at.switch_page("pages/du_lieu.py")
    at.run()
    at.file_uploader(key="upload").set_value(files)
    at.run()
    at.button(key="ingest").click()
    return at.run()


def test_a_clerk_loads_its_own_communes_file(db):
    name = f"ho_so_yen_tho_{CITIZEN_IDS[0]}.csv"   # an ID number in the name: masked wherever it is said
    at = upload_as("xa", db, [(name, _csv([("N1", OWN), ("N2", OWN), ("N3", OWN)]), CSV)])
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert at.success[0].value.startswith("Đã nạp 1 tệp/trang tính: đọc 3 = thêm 3 + cập nhật 0")
    assert dossiers_of(db, OWN) == 4 + 3 and dossiers_of(db, OTHER) == 2
    (login, action, detail), = audit(db)
    assert (login, action) == (f"xa.{OWN}", "upload")
    assert detail["file"] == mask_identifiers_text(name) and CITIZEN_IDS[0] not in json.dumps(detail)
    assert (detail["units"], detail["rows"], detail["what"]) == (
        [OWN], 3, "đọc 3 = thêm 3 + cập nhật 0 + không đổi 0 + cũ hơn bản đã có 0 + cách ly 0")
    assert "reason" not in detail


def test_a_legacy_communes_rows_are_its_successors(db):
    """Xã Yên Lạc (legacy 16267) became part of Yên Thọ: its 2024 export is Yên Thọ's clerk's to load."""
    at = upload_as("xa", db, [("yen_lac_2024.csv", _csv([("L1", OWN_LEGACY)], "03/03/2024"), CSV)])
    assert not at.error, [e.value for e in at.error]
    assert dossiers_of(db, OWN) == 5


def test_a_file_of_another_commune_is_refused_whole(db):
    name = f"truong_van_{CITIZEN_IDS[1]}.csv"
    at = upload_as("xa", db, [(name, _csv([("X1", OTHER), ("X2", OTHER)]), CSV)])
    refusal, = errors(at)
    assert refusal.startswith("Không nạp tệp truong_van_[đã ẩn].csv: tệp có dòng của đơn vị khác")
    assert "Xã Trường Văn (mã 16348): 2 dòng" in refusal
    assert dossiers_of(db, OTHER) == 2 and dossiers_of(db, OWN) == 4
    (login, action, detail), = audit(db)
    assert (login, action, detail["file"], detail["units"], detail["rows"], detail["what"]) == (
        f"xa.{OWN}", "upload_refused", "truong_van_[đã ẩn].csv", [OTHER], 2,
        "đọc 2 = thêm 0 + cập nhật 0 + không đổi 0 + cũ hơn bản đã có 0 + cách ly 0")
    assert detail["reason"] == refusal
    assert CITIZEN_IDS[1] not in json.dumps(detail, ensure_ascii=False)


def test_a_file_mixing_both_is_refused_whole_and_the_other_files_load(db):
    mixed = _csv([("M1", OWN), ("M2", OWN), ("M3", OTHER)])
    at = upload_as("xa", db, [("tron.csv", mixed, CSV), ("rieng.csv", _csv([("R1", OWN)]), CSV)])
    refusal, = errors(at)
    assert "tệp tron.csv" in refusal and "Xã Trường Văn (mã 16348): 1 dòng" in refusal
    assert "các tệp khác trong cùng lần nạp được xét riêng" in refusal
    assert at.success[0].value.startswith("Đã nạp 1 tệp/trang tính: đọc 1 = thêm 1")
    assert dossiers_of(db, OWN) == 4 + 1 and dossiers_of(db, OTHER) == 2   # nothing of tron.csv, not even M1, M2
    with duckdb.connect(str(db), read_only=True) as con:   # nor a log line or a quarantined row
        assert con.execute("SELECT count(*) FROM ingest_log WHERE file_name = 'tron.csv'").fetchone()[0] == 0
        assert con.execute("SELECT count(*) FROM quarantine").fetchone()[0] == 0
    assert [(action, detail["file"]) for _, action, detail in audit(db)] == [
        ("upload_refused", "tron.csv"), ("upload", "rieng.csv")]


def test_the_administrator_loads_any_commune(db):
    at = upload_as("quan_tri", db, [("tron.csv", _csv([("M1", OWN), ("M3", OTHER)]), CSV)])
    assert not at.error, [e.value for e in at.error]
    assert dossiers_of(db, OTHER) == 3


def _ingest_as_script():
    """Dữ liệu's ingest function called directly in a signed-in session (no uploader shown to the role)."""
    import streamlit as st

    from dashboard import access, loading
    from pipelines.access.scope import OutOfScope

    class Upload:
        name = "ho_so.csv"

        def getbuffer(self):
            return b"x"

    access.signed_in()
    try:
        loading.ingest([Upload()], None)
    except OutOfScope as refusal:
        st.error(f"{type(refusal).__name__}: {refusal}")
    else:
        st.success("loaded")


@pytest.mark.parametrize("role", ["tinh", "dia_ban", "phan_tich"])
def test_a_role_without_upload_is_refused_by_the_ingest_itself(db, role):
    browser_cookie(session_cookie(role, db))
    at = AppTest.from_function(_ingest_as_script, default_timeout=60).run()
    assert errors(at) == ["OutOfScope: Vai trò của bạn không được nạp tệp: chỉ Quản trị, Cán bộ xã nạp dữ liệu"]
    (login, action, detail), = audit(db)
    assert (login, action, detail) == (accounts_of(db)[role], "upload_refused", {
        "file": ["ho_so.csv"], "reason": "Vai trò của bạn không được nạp tệp: chỉ Quản trị, Cán bộ xã nạp dữ liệu"})


def test_what_each_role_sees_on_du_lieu(db):
    for name, commune in (("khac.csv", OTHER), ("yen_tho.csv", OWN)):
        ingest_files([write_csv(db.parent / name, [HEADER, ["K1", commune, "04/09/2025", "07/09/2025", ""]])], db=db)
    shown = {}
    for role in ("quan_tri", "tinh", "xa"):
        browser_cookie(session_cookie(role, db))
        at = AppTest.from_file(str(REPO / "dashboard" / "app.py"), default_timeout=90)
        at.switch_page("pages/du_lieu.py")
        at.run()
        assert not at.exception and not at.error, [e.value for e in at.error]
        shown[role] = (len(at.file_uploader), [t.label for t in at.tabs],
                       at.dataframe[0].value["Tệp"].to_list(),  # the log, then the freshness
                       at.dataframe[-1].value["Xã/phường"].to_list() if role == "xa" else None)
    assert shown["quan_tri"][:3] == (1, ["Các tệp đã nạp", "Dòng bị cách ly", "Độ mới dữ liệu theo xã"],
                                     ["yen_tho.csv", "khac.csv", "base.csv"])
    assert shown["tinh"][:2] == (0, ["Các tệp đã nạp", "Độ mới dữ liệu theo xã"])
    # the clerk: neither base.csv (Trường Văn's rows too) nor khac.csv; only Yên Thọ's freshness
    assert shown["xa"] == (1, ["Các tệp đã nạp", "Độ mới dữ liệu theo xã"], ["yen_tho.csv"], ["Xã Yên Thọ"])
