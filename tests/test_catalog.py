"""The catalog is the one place a code or a label is written: the SQL compares only codes the schemas
declare, every rate and measure the catalog names is a column the engine produces, and the codes table
published to the warehouse is the vocabularies."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest

from pipelines.engine.indicators import commune_counts
from pipelines.sql import InStructure, load_sql
from schemas.admin_unit import ERAS
from schemas.catalog import MEASURES, RATE_COUNTS
from schemas.records import RECORD_SCHEMAS
from schemas.vocabularies import VOCABULARIES
from schemas.warehouse import DAILY_COUNTS, FACT_TABLES
from tests.engine_fixtures import D, build_warehouse, config, dossier

SQL_DIR = Path(__file__).resolve().parents[1] / "pipelines" / "sql"
KNOWN = ({code for v in VOCABULARIES.values() for code in v.values} | set(RECORD_SCHEMAS) | set(ERAS)
         | set(VOCABULARIES))
_COMPARED = re.compile(r"(?:=|<>|!=|\bWHEN)\s*'([^']*)'", re.IGNORECASE)
_LISTED = re.compile(r"\bIN\s*\(((?:\s*'[^']*'\s*,?)+)\)", re.IGNORECASE)


def compared_literals(text: str) -> set[str]:
    """String literals the SQL compares a value with (=, <>, WHEN of a simple CASE, IN (...))."""
    text = re.sub(r"--[^\n]*", "", text)
    found = set(_COMPARED.findall(text))
    for listed in _LISTED.findall(text):
        found |= set(re.findall(r"'([^']*)'", listed))
    return found


@pytest.mark.parametrize("name", sorted(p.stem for p in SQL_DIR.glob("*.sql")))
def test_every_literal_compared_in_sql_is_a_declared_code(name):
    unknown = compared_literals(load_sql(name)) - KNOWN - {""}
    assert not unknown, f"{name}.sql compares with codes no schema declares: {sorted(unknown)}"


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
