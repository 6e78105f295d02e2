"""Helpers that build small, real warehouses for the indicator-engine tests.

Why real files: the engine runs on read-only DuckDB connections to a published warehouse;
testing on the same kind of file (built by ``pipelines.ingest.warehouse.publishing``) catches what
an in-memory mock would hide. Building the calendar and the unit tables takes a second or two,
so one empty template is published per session and copied for each test.
"""

from __future__ import annotations

import datetime as dt
import functools
import shutil
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from pipelines.sql import InStructure
from pipelines.ingest.warehouse import connect_read_only, publishing
from schemas.config import DvcqConfig, load_config
from schemas.records import RECORD_SCHEMAS

TABLE_OF = {s.kind: s.table for s in RECORD_SCHEMAS.values()}
D = dt.date


@functools.cache
def _template(root: str) -> Path:
    path = Path(root) / "template.duckdb"
    with publishing(path, "38"):
        pass
    return path


def build_warehouse(tmp_path: Path, template_root: Path, records: dict[str, list[dict[str, Any]]]) -> Path:
    """Publish a warehouse at ``tmp_path/'w.duckdb'`` holding the given records per kind."""
    db = tmp_path / "w.duckdb"
    shutil.copyfile(_template(str(template_root)), db)
    with publishing(db, "38") as con:
        for kind, rows in records.items():
            if rows:
                insert(con, TABLE_OF[kind], rows)
    return db


def insert(con: duckdb.DuckDBPyConnection, table: str, rows: list[dict[str, Any]]) -> None:
    """INSERT rows (dicts of column -> value) into a record table by column name."""
    types = dict(con.sql(f"SELECT column_name, data_type FROM information_schema.columns "
                         f"WHERE table_name = '{table}'").fetchall())
    columns = sorted({k for row in rows for k in row})
    frame = pl.DataFrame([{c: row.get(c) for c in columns} for row in rows],
                         schema={c: _polars_type(types[c]) for c in columns})
    con.register("_rows", frame)
    con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM _rows")
    con.unregister("_rows")


def _polars_type(sql_type: str) -> pl.DataType:
    return {"DATE": pl.Date, "INTEGER": pl.Int64, "TINYINT": pl.Int64, "BOOLEAN": pl.Boolean,
            "TIMESTAMP": pl.Datetime}.get(sql_type, pl.String)


def dossier(commune: str, dossier_id: str, received: dt.date, due: dt.date | None,
            completed: dt.date | None = None, status: str | None = None, supplements: int | None = None,
            channel: str = "direct", **extra: Any) -> dict[str, Any]:
    status = status or ("completed" if completed else "pending")
    row = {"commune_code": commune, "dossier_id": dossier_id, "received_date": received, "due_date": due,
           "completed_date": completed, "status": status, "supplement_requests": supplements,
           "channel": channel, "sector": "Hộ tịch", "procedure": "Đăng ký khai sinh",
           "applicant": "hmac:secret-applicant"}
    return row | extra


def letter(commune: str, letter_id: str, kind: str, sent: dt.date, dossier_id: str | None = None) -> dict[str, Any]:
    return {"commune_code": commune, "letter_id": letter_id, "kind": kind, "sent_date": sent,
            "dossier_id": dossier_id, "recipient": "hmac:secret-recipient"}


def petition(commune: str, petition_id: str, kind: str, received: dt.date, due: dt.date | None = None,
             resolved: dt.date | None = None, outcome: str | None = None, escalated: bool = False,
             **extra: Any) -> dict[str, Any]:
    outcome = outcome or ("resolved" if resolved else "pending")
    return {"commune_code": commune, "petition_id": petition_id, "kind": kind, "received_date": received,
            "due_date": due, "resolved_date": resolved, "outcome": outcome, "escalated": escalated,
            "field": "Đất đai", "within_authority": True, "petitioner": "hmac:secret-petitioner"} | extra


def dialogue(commune: str, dialogue_id: str, day: dt.date, raised: int | None = 0, answered: int | None = 0,
             attendees: int = 50) -> dict[str, Any]:
    return {"commune_code": commune, "dialogue_id": dialogue_id, "dialogue_date": day,
            "opinions_raised": raised, "opinions_answered": answered, "attendees": attendees,
            "chair_is_head": True}


def survey(commune: str, response_id: str, day: dt.date, overall: int, respect: int | None = None,
           civility: int | None = None, guidance: int | None = None, explanation: int | None = None,
           harassment: bool = False) -> dict[str, Any]:
    return {"commune_code": commune, "response_id": response_id, "survey_date": day, "overall": overall,
            "respect": respect, "civility": civility, "guidance": guidance, "explanation": explanation,
            "harassment": harassment, "respondent": "hmac:secret-respondent"}


def commune_code(template_root: Path, name: str) -> str:
    """Code of a legacy commune by its full name in the template's units_legacy (must be unique)."""
    con = connect_read_only(_template(str(template_root)))
    try:
        rows = con.execute("SELECT commune_code FROM units_legacy WHERE commune_name = ?", [name]).fetchall()
    finally:
        con.close()
    assert len(rows) == 1, f"{name}: {len(rows)} communes"
    return rows[0][0]


def district_communes(template_root: Path, district_code: str) -> list[str]:
    con = connect_read_only(_template(str(template_root)))
    try:
        rows = con.execute("SELECT commune_code FROM units_legacy WHERE district_code = ? ORDER BY 1",
                           [district_code]).fetchall()
    finally:
        con.close()
    return [r[0] for r in rows]


def open_legacy(db: Path) -> InStructure:
    """The published warehouse seen in the legacy structure (these fixtures hold legacy records)."""
    return InStructure(connect_read_only(db), "legacy")


def config(**overrides: Any) -> DvcqConfig:
    """The shipped configuration, with top-level values overridden."""
    base = load_config()
    return base.model_copy(update=overrides) if overrides else base
