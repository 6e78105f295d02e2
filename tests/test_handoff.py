"""`dvcq export-parquet`: the hand-off to a national data platform (pipelines.handoff).

A warehouse of a generated sample (three communes of Thanh Hóa, the year before and after the reform) is
exported; the Parquet is read back with DuckDB, as a ministry would: its folders, its columns (nothing
personal, no free text) and an indicator computed from it, equal to the engine's on the warehouse.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from pipelines.engine.indicators import indicator_table, latest_date
from pipelines.handoff import COPIED_FROM, HANDOFF_TABLES
from pipelines.ingest.pipeline import ingest_files
from pipelines.ingest.warehouse import connect_read_only
from pipelines.sample import generate
from pipelines.sql import InStructure
from schemas.config import load_config
from schemas.periods import build_period
from schemas.records import RECORD_SCHEMAS

REPO = Path(__file__).resolve().parents[1]
READ = "read_parquet('{}/**/*.parquet', hive_partitioning = true, hive_types = {{'province': VARCHAR}})"


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    root = tmp_path_factory.mktemp("handoff")
    db = root / "dvcq.duckdb"
    ingest_files(generate(root / "files", communes=3, years=1, seed=3).paths, db=db)
    out = root / "hand-off"
    done = subprocess.run([sys.executable, "-m", "pipelines.cli", "export-parquet", "--db", str(db), "--out", str(out)],
                          cwd=REPO, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(REPO)})
    assert done.returncode == 0, done.stderr
    return db, out


def test_every_table_is_in_folders_by_province_year_and_month(exported):
    db, out = exported
    assert sorted(p.name for p in out.iterdir()) == sorted([*HANDOFF_TABLES, "codes"])
    for table, (dated, _) in HANDOFF_TABLES.items():
        files = list((out / table).rglob("*.parquet"))
        assert files, table
        depth = 3 if dated else 1
        for file in files:
            parts = file.relative_to(out / table).parts[:-1]
            assert len(parts) == depth and parts[0] == "province=38", (table, parts)
            if dated:
                assert parts[1].startswith("year=") and parts[2].startswith("month="), (table, parts)
    with duckdb.connect() as con, connect_read_only(db) as warehouse:
        for table in HANDOFF_TABLES:
            rows = con.execute(f"SELECT count(*) FROM {READ.format(out / table)}").fetchone()[0]
            assert rows == warehouse.execute(f"SELECT count(*) FROM main.{table}").fetchone()[0], table
        # a month's folder holds that month's rows
        wrong = con.execute(f"SELECT count(*) FROM {READ.format(out / 'daily_counts')} "
                            "WHERE year <> year(day) OR month <> month(day)").fetchone()[0]
        assert wrong == 0


def test_nothing_personal_and_no_free_text_leaves(exported):
    _, out = exported
    personal = {c for s in RECORD_SCHEMAS.values() for c in s.personal_columns}
    with duckdb.connect() as con:
        for table in [*HANDOFF_TABLES, "codes"]:
            columns = {name for (name,) in con.execute(
                f"SELECT column_name FROM (DESCRIBE SELECT * FROM {READ.format(out / table)})").fetchall()}
            assert not columns & personal, table
            if table in COPIED_FROM:
                assert not columns & set(COPIED_FROM[table].free_text_columns), table
        assert {"sector", "procedure"} & {name for (name,) in con.execute(
            f"SELECT column_name FROM (DESCRIBE SELECT * FROM {READ.format(out / 'dossier_facts')})").fetchall()} == set()


def test_an_indicator_computed_from_the_parquet_equals_the_warehouses(exported):
    """khong_tre_hen (dossiers completed early or on time among those with a known timeliness) of every new
    commune in 2026, summed from the months of monthly_counts in the Parquet, is the engine's figure."""
    db, out = exported
    with duckdb.connect() as con:
        from_parquet = dict(((code, (num, den)) for code, num, den in con.execute(
            f"SELECT code_2025, SUM(dossiers_early + dossiers_on_time), SUM(dossiers_timed) "
            f"FROM {READ.format(out / 'monthly_counts')} WHERE year = 2026 GROUP BY code_2025").fetchall()))
    config = load_config()
    with InStructure(connect_read_only(db), "2025") as warehouse:
        period = build_period(latest_date(warehouse.cursor()), dt.date(2026, 1, 1), dt.date(2026, 12, 31))
        table = indicator_table(warehouse, config, "commune", period)
    engine = {row["unit_code"]: (row["numerator"], row["denominator"])
              for row in table.filter(indicator="khong_tre_hen").iter_rows(named=True) if row["denominator"]}
    assert engine and from_parquet == engine
