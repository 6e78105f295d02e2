"""The loading service: all a reader of the warehouse (the dashboard) asks of the ingest side, in one module.

Why one module: the dashboard reads the published warehouse and lets an official load files, but it must
not depend on how the ingest is built (readers, normalisers, the loader, the publish). Here it finds the
warehouse's path, opens it read-only, asks its version and whether it holds what this version reads, hands
uploaded files to the ingest, says the outcome in the count line the CLI prints, and reads what the loading
recorded (the log, its totals, the quarantine). A test (``tests/test_interface.py``) keeps every other
module of ``pipelines.ingest`` out of the dashboard's imports.

The readers and normalisers are imported only when files are ingested: a page that only reads never
pays for them.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import polars as pl

from pipelines.ingest.privacy import mask_identifiers_text
from pipelines.ingest.warehouse import WarehouseError, explain_failure
from pipelines.ingest.warehouse import connect_read_only as open_read_only
from pipelines.ingest.warehouse import is_current, resolve_db_path, warehouse_version
from pipelines.sql import InStructure, run
from schemas.admin_unit import Era
from schemas.config import DvcqConfig

if TYPE_CHECKING:
    from pipelines.ingest.pipeline import FileReport

__all__ = ["WarehouseError", "explain_failure", "mask_identifiers_text", "open_read_only", "is_current",
           "db_path", "version", "ingest", "count_line", "missing_line", "ingest_log", "ingest_totals",
           "quarantine"]


def db_path(db: str | os.PathLike | None = None) -> str:
    """The warehouse the readers open: ``db``, else ``$DVCQ_DB``, else ``data/dvcq.duckdb``."""
    return str(resolve_db_path(db))


def version(path: str | os.PathLike) -> str:
    """Changes with every publish ('' while there is no warehouse): readers key their caches on it."""
    return warehouse_version(path)


def ingest(paths: list[Path], db: str | os.PathLike, config: DvcqConfig, units: Era | None,
           progress: Callable[[int, int, str], None] | None = None,
           allowed_communes: frozenset[str] | None = None) -> list[FileReport]:
    """Load ``paths`` in one atomic publish (``pipelines.ingest.pipeline.ingest_files``); one report per file
    or sheet read, each with its counts, its note, and ``error`` when the file could not be read.
    ``allowed_communes`` (2025 codes; None: any) is the uploader's reach: a file with a row of any other unit
    is refused whole (one report, ``refused`` set, ``error`` naming the units) and nothing of it is written."""
    from pipelines.ingest.pipeline import ingest_files
    return ingest_files(paths, db=db, config=config, units=units, progress=progress,
                        allowed_communes=allowed_communes)


def count_line(reports: list[FileReport], number: Callable[[int], str]) -> str:
    """The reports' counts summed, in the words of the CLI's line: 'đọc N = thêm … + cách ly …'."""
    from pipelines.ingest.pipeline import count_sum, report_totals
    return count_sum(report_totals(reports), number)


def missing_line(reports: list[FileReport], number: Callable[[int], str]) -> str | None:
    """What was done with pending records the newer exports no longer list (closed, or only reported);
    None when none was missing."""
    from pipelines.ingest.pipeline import missing_totals_line, report_totals
    return missing_totals_line(reports, number) if report_totals(reports).rows_missing else None


def ingest_log(con: duckdb.DuckDBPyConnection | InStructure) -> pl.DataFrame:
    """One row per file or sheet loaded, newest first, with its counts and note."""
    return run(con, "ingest_log", {})


def ingest_totals(con: duckdb.DuckDBPyConnection | InStructure) -> dict[str, int]:
    """Files, rows read, rows applied and quarantined entries as the warehouse holds them: a file loaded
    twice is one file, its quarantined rows replaced, not added."""
    return run(con, "ingest_totals", {}).row(0, named=True)


def quarantine(con: duckdb.DuckDBPyConnection | InStructure) -> pl.DataFrame:
    """The quarantined rows, newest first, each with its reason and its commune named (no raw values)."""
    return run(con, "quarantine", {})
