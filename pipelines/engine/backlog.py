"""The overdue backlog: what is overdue right now, where, and for how long; and what falls due soon.

Why working days: statutory dossier deadlines count working days, so "3 days overdue"
across Tết must not count the holiday. The calendar table (Monday–Friday less Vietnamese
holidays from the ``holidays`` package) turns that into a subtraction of
``working_day_index`` values; see ``sql/backlog.sql`` for the exact definition. Officials act on what
is about to be late, so the items due soon (``sql/due_soon.sql``) are counted on the same facts and the
same calendar.
"""

from __future__ import annotations

import datetime as dt
import duckdb
import polars as pl

from pipelines.engine.indicators import engine_params
from pipelines.sql import run
from schemas.admin_unit import Grouping
from schemas.catalog import bucket_labels
from schemas.config import DvcqConfig

BACKLOG_COLUMNS = ["kind", "record_id", "unit_code", "unit_name", "commune_code", "commune_name", "district_code",
                   "district_name", "received_date", "due_date", "days_overdue", "bucket", "sector", "procedure",
                   "petition_kind", "field"]

DUE_SOON_COLUMNS = [*BACKLOG_COLUMNS, "working_days_left", "window_working_days"]
"""The backlog's columns (``days_overdue`` and ``bucket`` empty: nothing here is overdue), then the working days
left up to the due date and the item's window."""


def bucket_expr(days: str, edges: list[int]) -> pl.Expr:
    """Bucket label of a days-overdue column (right-closed: 5 is in 1–5, 6 in 6–15)."""
    labels = bucket_labels(edges)
    expr = pl.lit(labels[-1])
    for edge, label in reversed(list(zip(edges, labels))):
        expr = pl.when(pl.col(days) <= edge).then(pl.lit(label)).otherwise(expr)
    return pl.when(pl.col(days).is_not_null()).then(expr)


def _unit_of(level: Grouping) -> dict[str, pl.Expr]:
    """``unit_code`` and ``unit_name``: the commune's, or the district's with ``level="district"``."""
    code, name = ("commune_code", "commune_name") if level == "commune" else ("district_code", "district_name")
    return {"unit_code": pl.col(code), "unit_name": pl.col(name)}


def backlog_table(con: duckdb.DuckDBPyConnection, config: DvcqConfig, as_of: dt.date,
                  level: Grouping = "commune") -> pl.DataFrame:
    """One row per overdue dossier or petition as of ``as_of``, oldest due date first.

    Columns: BACKLOG_COLUMNS. ``unit_code``/``unit_name`` are the commune's, or the district's
    with ``level="district"``. No personal column is ever selected.
    """
    params = engine_params(config, []) | {"as_of": as_of}
    items = run(con, "backlog", params)
    return items.with_columns(**_unit_of(level), bucket=bucket_expr("days_overdue", config.backlog_bucket_edges),
                              days_overdue=pl.col("days_overdue").cast(pl.Int64)).select(BACKLOG_COLUMNS)


def backlog_summary(con: duckdb.DuckDBPyConnection, config: DvcqConfig, as_of: dt.date,
                    level: Grouping = "commune") -> pl.DataFrame:
    """Per unit with overdue items: counts by kind and by bucket, oldest due date, max days overdue.

    Columns: unit_code, unit_name, district_code, district_name, overdue_dossiers,
    overdue_petitions, total, one column per bucket label, oldest_due_date, max_days_overdue.
    """
    items = backlog_table(con, config, as_of, level)
    labels = bucket_labels(config.backlog_bucket_edges)
    keys = ["unit_code", "unit_name", "district_code", "district_name"]
    return (items.group_by(keys, maintain_order=True)
            .agg(overdue_dossiers=(pl.col("kind") == "dossier").sum().cast(pl.Int64),
                 overdue_petitions=(pl.col("kind") == "petition").sum().cast(pl.Int64),
                 total=pl.len().cast(pl.Int64),
                 **{label: (pl.col("bucket") == label).sum().cast(pl.Int64) for label in labels},
                 oldest_due_date=pl.col("due_date").min(),
                 max_days_overdue=pl.col("days_overdue").max())
            .sort("max_days_overdue", "total", descending=True))


def due_soon_params(config: DvcqConfig, as_of: dt.date) -> dict:
    """The window of ``config.due_soon`` as the parameters of ``due_soon.sql`` (a kind without a fixed window
    binds NULL: its window is its share of the processing time)."""
    rule = config.due_soon
    return {"as_of": as_of, "parts": rule.processing_parts, "min_window": rule.min_working_days,
            "dossier_window": rule.working_days.get("dossier"), "petition_window": rule.working_days.get("petition")}


def due_soon_table(con: duckdb.DuckDBPyConnection, config: DvcqConfig, as_of: dt.date,
                   level: Grouping = "commune") -> pl.DataFrame:
    """One row per dossier or petition due soon ("sắp đến hạn") as of ``as_of``, nearest due date first.

    Columns: DUE_SOON_COLUMNS; ``unit_code``/``unit_name`` as in ``backlog_table``. No personal column is ever
    selected.
    """
    items = run(con, "due_soon", due_soon_params(config, as_of))
    return items.with_columns(**_unit_of(level), days_overdue=pl.lit(None, dtype=pl.Int64),
                              bucket=pl.lit(None, dtype=pl.String),
                              working_days_left=pl.col("working_days_left").cast(pl.Int64),
                              window_working_days=pl.col("window_working_days").cast(pl.Int64)
                              ).select(DUE_SOON_COLUMNS)
