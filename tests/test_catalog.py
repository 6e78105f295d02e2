"""The catalog is the one place a code or a label is written: the SQL compares only codes the schemas
declare, every rate and measure the catalog names is a column the engine produces, and the codes table
published to the warehouse is the vocabularies."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import duckdb
import pytest

from pipelines.engine.indicators import commune_counts
from pipelines.sql import Definition, InStructure, UndeclaredIdentifier, load_sql, quoted, render, run
from schemas.admin_unit import ERA_SCHEMA, ERAS
from schemas.catalog import MEASURES, RATE_COUNTS
from schemas.records import RECORD_SCHEMAS, UPSERT_ACTIONS
from schemas.vocabularies import VOCABULARIES
from schemas.warehouse import DAILY_COUNTS, FACT_TABLES, PERIOD_COUNTS_COLUMNS, table_definitions
from tests.engine_fixtures import D, build_warehouse, config, dossier

SQL_DIR = Path(__file__).resolve().parents[1] / "pipelines" / "sql"
KNOWN = ({code for v in VOCABULARIES.values() for code in v.values} | set(RECORD_SCHEMAS) | set(ERAS)
         | set(VOCABULARIES) | set(UPSERT_ACTIONS))
_COMPARED = re.compile(r"(?:=|<>|!=|\bWHEN)\s*'([^']*)'", re.IGNORECASE)
_LISTED = re.compile(r"\bIN\s*\(((?:\s*'[^']*'\s*,?)+)\)", re.IGNORECASE)


def compared_literals(text: str) -> set[str]:
    """String literals the SQL compares a value with (=, <>, WHEN of a simple CASE, IN (...))."""
    text = re.sub(r"--[^\n]*", "", text)
    found = set(_COMPARED.findall(text))
    for listed in _LISTED.findall(text):
        found |= set(re.findall(r"'([^']*)'", listed))
    return found


REPO = SQL_DIR.parents[1]
# Names of the warehouse's schemas, tables and columns: SQL compares with them when it reads
# information_schema (a declared identifier, not a code).
IDENTIFIERS = ({"main", *ERA_SCHEMA.values()} | set(table_definitions())
               | {name for columns in table_definitions().values() for name, _, _ in columns})
_STATEMENT = re.compile(r"\b(SELECT|INSERT|UPDATE|DELETE|CREATE|ALTER|DROP)\b")


@pytest.mark.parametrize("name", sorted(p.stem for p in SQL_DIR.glob("*.sql")))
def test_every_literal_compared_in_sql_is_a_declared_code(name):
    unknown = compared_literals(load_sql(name)) - KNOWN - IDENTIFIERS - {""}
    assert not unknown, f"{name}.sql compares with codes no schema declares: {sorted(unknown)}"


def python_sql(path: Path) -> list[tuple[int, str]]:
    """(line, text) of every SQL statement a Python file writes: string constants and f-strings holding a
    statement, an f-string's replacement fields read as '{}'."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.JoinedStr):
            text = "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            text = node.value
        else:
            continue
        if _STATEMENT.search(text):
            found.append((node.lineno, text))
    return found


PYTHON_WITH_SQL = sorted(str(p.relative_to(REPO)) for folder in ("pipelines", "dashboard")
                         for p in (REPO / folder).rglob("*.py") if python_sql(p))


@pytest.mark.parametrize("name", PYTHON_WITH_SQL)
def test_every_literal_compared_in_sql_written_in_python_is_a_declared_code(name):
    allowed = KNOWN | IDENTIFIERS | {""}
    unknown = {(line, literal) for line, text in python_sql(REPO / name) for literal in compared_literals(text) - allowed}
    assert not unknown, f"{name} compares with codes no schema declares: {sorted(unknown)}"


def test_sql_written_in_python_is_found_in_every_form(tmp_path):
    """Constants, triple-quoted or not, and f-strings, whose fields cannot hide a literal from the test."""
    source = tmp_path / "m.py"
    source.write_text("a = 'SELECT 1 WHERE x = \\'one\\''\n"
                      "b = f\"\"\"UPDATE {t} SET y = 1\n WHERE status = '{word}' AND kind IN ('two', 'three')\"\"\"\n"
                      "c = 'no statement = \\'four\\''\n", encoding="utf-8")
    assert {literal for _, text in python_sql(source) for literal in compared_literals(text)} == {
        "one", "{}", "two", "three"}
    assert {"pipelines/ingest/load.py", "pipelines/ingest/checks.py", "dashboard/explore.py"} <= set(PYTHON_WITH_SQL)


def test_the_ingest_writes_its_statements_in_pipelines_sql():
    """What the ingest still writes in Python is generated per column from the schemas: the staging projection
    that hashes each personal column (load.py, with privacy.py's expression), the not-null and accepted-values
    counts of a table in one scan (checks.py); and admin_units.py reads the units package's own SQLite file."""
    assert {name for name in PYTHON_WITH_SQL if name.startswith("pipelines/ingest/")} == {
        "pipelines/ingest/admin_units.py", "pipelines/ingest/checks.py", "pipelines/ingest/load.py",
        "pipelines/ingest/privacy.py"}


def test_the_loaders_plan_uses_the_declared_actions_and_only_them():
    """upsert_plan.sql decides one action a row (its THEN words); the statements after it compare with them."""
    plan = load_sql("upsert_plan")
    decided = set(re.findall(r"\bTHEN\s*'([^']*)'", plan)) | set(re.findall(r"\bELSE\s*'([^']*)'", plan))
    assert decided == set(UPSERT_ACTIONS) == {"insert", "replace", "adopt", "same", "older"}
    compared = set().union(*(compared_literals(load_sql(name)) for name in (
        "upsert_counts", "upsert_adopt", "upsert_delete_replaced", "upsert_insert")))
    assert compared - set(ERAS) == set(UPSERT_ACTIONS)  # the eras: the placement of an inserted record


def test_a_statement_is_given_only_declared_names_quoted():
    assert render("structure_records", {"schema": "era_2025", "table": "dossiers", "place": "code_2025"}).splitlines()[
        -3:] == ['CREATE OR REPLACE VIEW "era_2025"."dossiers" AS',
                 'SELECT * REPLACE ("code_2025" AS commune_code), commune_code AS sent_commune_code',
                 'FROM main."dossiers" WHERE "code_2025" IS NOT NULL']
    assert render("create_table", {"table": "warehouse_meta", "columns": [
        Definition("name", "VARCHAR"), Definition("value", "VARCHAR")]}).splitlines()[-1] == (
        'CREATE TABLE IF NOT EXISTS main."warehouse_meta" ("name" VARCHAR, "value" VARCHAR)')
    assert quoted("timeliness") == '"timeliness"'  # a retired column, dropped from older warehouses
    for name in ('dossiers"; DROP TABLE dossiers; --', "admin_units", "Dossiers", ""):
        with pytest.raises(UndeclaredIdentifier, match="is not a table, column or schema declared in schemas/"):
            render("clear_table", {"table": name})
    with pytest.raises(UndeclaredIdentifier, match="is not the type of a column declared in schemas/"):
        render("add_column", {"table": "dossiers", "column": Definition("status", "VARCHAR; DROP TABLE dossiers")})
    with pytest.raises(UndeclaredIdentifier, match="an empty list of names"):
        render("duplicate_keys", {"table": "dossiers", "key": ()})
    with pytest.raises(KeyError, match=r"statement clear_table names \['table'\], given \['table', 'x'\]"):
        render("clear_table", {"table": "dossiers", "x": "dossiers"})
    with pytest.raises(KeyError, match=r"statement clear_table names \['table'\], given \[\]"):
        render("clear_table")


def test_the_literal_finder_finds_what_it_must():
    text = "WHERE status = 'pending' AND kind IN ('complaint', 'typo') CASE kind WHEN 'x' THEN 'label' END"
    assert compared_literals(text) == {"pending", "complaint", "typo", "x"}


def test_catalog_names_only_columns_the_engine_produces(tmp_path, template_root):
    db = build_warehouse(tmp_path, template_root, {"dossier": [
        dossier("15271", "A1", D(2024, 1, 2), D(2024, 1, 9), D(2024, 1, 8))]})
    with InStructure(duckdb.connect(str(db), read_only=True), "legacy") as con:
        counts = commune_counts(con, config(), [_period()])
    produced = set(counts.columns)
    named = {c for pair in RATE_COUNTS.values() for c in pair} | (set(MEASURES) - {"online_share", "care_letters"})
    assert named <= produced, sorted(named - produced)
    assert set(DAILY_COUNTS) <= {c for c, _, _ in FACT_TABLES["daily_counts"]}


def test_period_counts_declares_the_columns_in_the_order_the_counts_query_returns_them(tmp_path, template_root):
    """The engine returns a stored period's rows (period_counts, in its declared order) and a computed
    period's (_period_counts.sql's SELECT, then the quota columns) as one frame: the orders must agree."""
    from pipelines.engine.indicators import engine_params
    db = build_warehouse(tmp_path, template_root, {})
    with InStructure(duckdb.connect(str(db), read_only=True), "legacy") as seen:
        computed = run(seen, "commune_counts", engine_params(config(), [_period()]))
    declared = [name for name, _, _ in PERIOD_COUNTS_COLUMNS if name != "era"]  # era: the structure view's filter
    assert computed.columns == declared + ["dialogues_counted", "dialogues_required", "thanks_counted",
                                           "thanks_required"]


def test_codes_table_is_the_vocabularies(tmp_path, template_root):
    """Every vocabulary is published, one row per code: the value words, the structures, each structure's levels
    (the 2025 'area' beside the legacy 'district'), flag kinds, indicator statuses, overdue buckets of the
    configured edges and record kinds."""
    db = build_warehouse(tmp_path, template_root, {})
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute("SELECT vocabulary, code, label_vi FROM codes").fetchall()
        per_list = dict(con.execute("SELECT vocabulary, COUNT(*) FROM codes GROUP BY ALL").fetchall())
    assert len(rows) == len(set(rows))
    assert set(rows) >= {(v.name, code, label) for v in VOCABULARIES.values() for code, label in v.labels_vi.items()}
    assert {r for r in rows if r[0].startswith("level_")} == {
        ("level_legacy", "commune", "Xã/phường/thị trấn"), ("level_legacy", "district", "Huyện/thị xã/thành phố"),
        ("level_legacy", "province", "Tỉnh"), ("level_2025", "commune", "Xã/phường"),
        ("level_2025", "area", "Địa bàn huyện cũ"), ("level_2025", "province", "Tỉnh")}
    assert {r for r in rows if r[0] == "overdue_bucket"} == {  # backlog_bucket_edges = [5, 15, 30]
        ("overdue_bucket", "1", "1–5"), ("overdue_bucket", "6", "6–15"), ("overdue_bucket", "16", "16–30"),
        ("overdue_bucket", "31", "> 30")}
    assert ("structure", "2025", "Cấu trúc mới (từ 01/07/2025)") in rows
    assert ("flag_kind", "below_peers", "Thấp hơn mặt bằng chung rõ rệt") in rows
    assert ("indicator_status", "weak", "Yếu (dưới chỉ tiêu > 10 điểm)") in rows
    assert ("record_kind", "survey", "Phiếu khảo sát mức độ hài lòng") in rows
    assert {k: per_list[k] for k in ("structure", "flag_kind", "indicator_status", "record_kind")} == {
        "structure": 2, "flag_kind": 5, "indicator_status": 4, "record_kind": 5}


def _period():
    from pipelines.engine.indicators import Period
    return Period(D(2024, 1, 1), D(2024, 12, 31), D(2024, 12, 31))
