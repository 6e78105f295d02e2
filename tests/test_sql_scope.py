"""Khám phá by role (issue 21): SQL over views that hold no free text for roles without ``free_text``.

The sandbox judges what a query reads from its bound plan (the table scans and their columns), so a view,
a CTE or a subquery that reads a free-text column is refused as the column itself is; the administrator
reads every column. Every query run is in the audit trail; a role without ``sql`` is refused where a query
runs, not only by the menu.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard import explore, filters, sandbox
from pipelines.access.store import AccessStore, accounts_path
from schemas.access import ROLES
from schemas.config import load_config
from schemas.records import RECORD_SCHEMAS
from schemas.warehouse import TABLE_LABELS
from tests.dashboard_fixtures import REPO, browser_cookie, dashboard_db, session_cookie, sql_one
from tests.dashboard_fixtures import test_accounts as accounts_of

TINH = explore.closed_columns(ROLES["tinh"])


def refused_column(query: str, closed=TINH) -> str | None:
    """The column the sandbox names in refusing ``query`` for a role with ``closed`` columns; None if it ran."""
    try:
        sandbox.run(str(dashboard_db()), query, closed=closed)
    except sandbox.SandboxError as exc:
        named = re.match(r"Vai trò của bạn không đọc cột «(\w+)»", str(exc))
        assert named, str(exc)
        return named.group(1)
    return None


def test_what_each_role_may_not_read():
    assert explore.closed_columns(ROLES["quan_tri"]) == {}
    assert explore.closed_columns(ROLES["phan_tich"]) == TINH
    assert TINH["dossiers"] == ("dossier_id", "sector", "procedure", "applicant", "applicant_id_number",
                                "applicant_phone", "applicant_address")
    assert TINH["dialogues"] == ("chair", "topic") and TINH["dossier_facts"] == ("dossier_id", "sector", "procedure")
    assert "raw_values" in TINH["quarantine"] and "daily_counts" not in TINH


def test_tinh_may_not_read_a_procedure_name():
    with pytest.raises(sandbox.SandboxError) as refused:
        sandbox.run(str(dashboard_db()), "SELECT procedure FROM dossiers", closed=TINH)
    assert str(refused.value).startswith("Vai trò của bạn không đọc cột «procedure» (Thủ tục) của bảng «dossiers»")


def test_tinh_may_count_dossiers():
    result = sandbox.run(str(dashboard_db()), "SELECT count(*) AS n FROM dossiers", closed=TINH)
    assert result.frame["n"].to_list() == [sql_one("SELECT count(*) FROM main.dossiers")]


@pytest.mark.parametrize("query", [
    "SELECT count(*) FROM era_2025.dialogues WHERE topic ILIKE '%đất%'",                 # a view, in WHERE only
    "WITH t AS (SELECT topic FROM dialogues) SELECT length(topic) AS n FROM t",           # a CTE
    "SELECT count(*) FROM (SELECT dialogue_id, upper(topic) AS t FROM dialogues) s WHERE t <> ''",  # a subquery
    "SELECT (SELECT max(topic) FROM era_legacy.dialogues) AS x",                          # a scalar subquery
    "SELECT count(*) FROM dialogues WHERE topic = 'chưa có chủ đề này'",  # the stored statistics alone answer it
])
def test_a_view_cte_or_subquery_reading_topic_is_refused(query):
    assert refused_column(query) == "topic"


def test_reading_around_closed_columns_runs():
    """Columns closed to a role may sit in a table or a view it reads, as long as the query reads none of them."""
    assert refused_column("SELECT count(*) FROM (SELECT topic FROM dialogues)") is None  # topic never read
    assert refused_column("SELECT commune_code, count(*) FROM era_2025.dossiers GROUP BY ALL") is None
    assert refused_column(explore.EXAMPLE) is None


def test_the_administrator_reads_procedure():
    result = sandbox.run(str(dashboard_db()), "SELECT procedure FROM dossiers WHERE procedure IS NOT NULL "
                         "ORDER BY procedure LIMIT 1", closed=explore.closed_columns(ROLES["quan_tri"]))
    assert result.frame["procedure"].to_list() == [
        sql_one("SELECT min(procedure) FROM main.dossiers WHERE procedure IS NOT NULL")]


@pytest.fixture
def db(tmp_path, monkeypatch) -> Path:
    """A copy of the sample warehouse (its audit trail the test's own), served to the AppTests."""
    copy = tmp_path / "w.duckdb"
    shutil.copy(dashboard_db(), copy)
    accounts_of(copy)
    monkeypatch.setenv("DVCQ_DB", str(copy))
    return copy


def sql_audit(db: Path) -> list[tuple[str, dict]]:
    trail = AccessStore(accounts_path(db), load_config().access).audit()
    return [(row["login"], json.loads(row["detail"])) for row in reversed(trail.to_dicts()) if row["action"] == "sql"]


def run_as(role: str, db: Path, query: str) -> AppTest:
    browser_cookie(session_cookie(role, db))
    at = AppTest.from_file(str(REPO / "dashboard" / "app.py"), default_timeout=90)
    at.switch_page("pages/kham_pha.py")
    at.run()
    at.text_area(key="sql_text").input(query)
    at.button(key="sql_run").click()
    return at.run()


def test_each_query_is_in_the_audit_trail(db):
    at = run_as("tinh", db, "SELECT count(*) AS n FROM dossiers")
    assert not at.error, [e.value for e in at.error]
    at.text_area(key="sql_text").input("SELECT topic FROM dialogues")
    at.button(key="sql_run").click()
    at.run()
    assert [e.value for e in at.error][0].startswith("Vai trò của bạn không đọc cột «topic»")
    trail = sql_audit(db)
    builder = explore.default_query(filters.default_filters())
    assert [(login, detail["sql"], detail.get("rows")) for login, detail in trail] == [
        ("bandanvan", builder, trail[0][1]["rows"]),   # the builder's table, shown when the page opens
        ("bandanvan", "SELECT count(*) AS n FROM dossiers", 1),
        ("bandanvan", "SELECT topic FROM dialogues", None)]
    assert trail[0][1]["rows"] > 0 and trail[2][1]["reason"].startswith("Vai trò của bạn không đọc cột «topic»")


def test_the_builder_offers_tinh_no_free_text(db):
    """The builder's tables and columns (as it labels them) for the administrator and for tinh."""
    free = {c.label_vi for c in RECORD_SCHEMAS["dossier"].columns if c.name in ("procedure", "sector", "dossier_id")}
    offered = {}
    for role in ("quan_tri", "tinh"):
        browser_cookie(session_cookie(role, db))
        at = AppTest.from_file(str(REPO / "dashboard" / "app.py"), default_timeout=90)
        at.switch_page("pages/kham_pha.py")
        at.run()
        tables = at.selectbox(key="b_table").options
        at.selectbox(key="b_table").set_value("dossiers").run()
        columns = set(at.multiselect(key="b_group").options) | set(at.selectbox(key="b_fcol").options)
        offered[role] = (TABLE_LABELS["quarantine"] in tables, columns & free)
    assert offered == {"quan_tri": (True, free), "tinh": (False, set())}
    assert free == {"Thủ tục", "Lĩnh vực", "Mã hồ sơ"}


def _run_as_script():
    """Khám phá's run function called directly in a signed-in session whose role has no ``sql``."""
    import streamlit as st

    from dashboard import access, explore
    from pipelines.access.scope import OutOfScope

    access.signed_in()
    try:
        explore.run_sql("SELECT 1")
    except OutOfScope as refusal:
        st.error(f"{type(refusal).__name__}: {refusal}")
    else:
        st.success("ran")


def test_a_role_without_sql_is_refused_by_the_run_function(db):
    browser_cookie(session_cookie("xa", db))
    at = AppTest.from_function(_run_as_script, default_timeout=60).run()
    assert [e.value for e in at.error] == ["OutOfScope: Vai trò của bạn không chạy truy vấn ở Khám phá"]
    assert sql_audit(db) == []
