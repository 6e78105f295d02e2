"""The hand-off to a national data platform: the facts, their rollups, the unit lists and the codes as Parquet.

Why Parquet, partitioned by province, year and month (hive style: ``<table>/province=38/year=2025/month=7/``):
a ministry collects every province's warehouse, and a warehouse is a file only dvcq's DuckDB version opens,
one writer at a time. Parquet is read by DuckDB, Spark, Trino and the rest; a province's export holds only
folders named by its province, so many provinces' exports put side by side are one data set, and a query
for one month or one province reads only those folders. What leaves is what the indicators are computed
from, never what a citizen wrote or is: the facts carry no personal column, and the columns a fact copies
from a record that a clerk types freely (a procedure's name, a petition's field: where a name or an ID
number may slip in; ``schemas.records.RecordSchema.free_text_columns``) are left out. The layout and the
queries are in ``docs/hand-off.md``.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from pipelines.sql import execute
from schemas.records import DOSSIER, PETITION, RecordSchema
from schemas.warehouse import table_definitions

# Each table handed off, with the date whose year and month name its folders (None: by province only) and the
# commune columns that give a row's province, the first one filled.
HANDOFF_TABLES: dict[str, tuple[str | None, tuple[str, ...]]] = {
    "dossier_facts": ("received_date", ("code_2025", "legacy_code")),
    "late_dossiers": ("received_date", ("code_2025", "legacy_code")),
    "petition_facts": ("received_date", ("code_2025", "legacy_code")),
    "daily_counts": ("day", ("code_2025", "legacy_code")),
    "monthly_counts": ("month", ("code_2025", "legacy_code")),
    "period_counts": ("date_from", ("commune_code",)),
    "units_legacy": (None, ("commune_code",)),
    "units_2025": (None, ("commune_code",)),
    "unit_successors": (None, ("code_2025", "legacy_code")),
}
# The record kind whose columns a fact table copies: its personal and free-text columns stay behind.
COPIED_FROM: dict[str, RecordSchema] = {"dossier_facts": DOSSIER, "late_dossiers": DOSSIER, "petition_facts": PETITION}


# The folders' keys. A column of the same name stays out of the files: its folder says it (monthly_counts.month,
# the month's first day, is the folders' year and month).
PARTITION_KEYS = ("province", "year", "month")


def handed_off_columns(table: str) -> list[str]:
    """The table's columns that leave: all but those its record kind declares personal or free text, and
    those its folders name."""
    schema = COPIED_FROM.get(table)
    withheld = set(schema.personal_columns + schema.free_text_columns) if schema else set()
    return [name for name, _, _ in table_definitions()[table] if name not in withheld | set(PARTITION_KEYS)]


def export_parquet(con: duckdb.DuckDBPyConnection, out: Path, province: str) -> dict[str, Path]:
    """Write every hand-off table and the codes under ``out`` (one folder a table, replaced if there); rows
    whose commune the unit lists do not know go to ``province`` (the warehouse's). Returns the folders."""
    out.mkdir(parents=True, exist_ok=True)
    written = {}
    for table, (dated, communes) in HANDOFF_TABLES.items():
        path = out / table
        identifiers = {"table": table, "columns": handed_off_columns(table), "communes": list(communes)}
        if dated:
            execute(con, "handoff_table", {"path": str(path), "province": province}, identifiers | {"dated": dated})
        else:
            execute(con, "handoff_units", {"path": str(path), "province": province}, identifiers)
        written[table] = path
    execute(con, "handoff_codes", {"path": str(out / "codes"), "province": province})
    written["codes"] = out / "codes"
    return written
