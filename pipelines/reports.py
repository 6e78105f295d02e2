"""Frames behind the ``dvcq indicators | flags | backlog`` commands (see pipelines.cli).

Why a separate module: the CLI only parses and prints; here the warehouse is opened
read-only, defaults are filled the same way the dashboard fills them (to = latest date in
the data, from = 1 January of that year, as_of = to), and the first columns are fixed so
scripts reading the CSV can rely on them.
"""

from __future__ import annotations

import argparse
import datetime as dt

import duckdb
import polars as pl

from pipelines.backlog import backlog_table
from pipelines.flags import flag_table
from pipelines.indicators import Period, indicator_table, latest_date
from pipelines.warehouse import connect_read_only
from schemas.config import DvcqConfig

LEAD_COLUMNS = {
    "indicators": ["unit_code", "unit_name", "indicator", "numerator", "denominator", "value", "ci_low", "ci_high",
                   "target"],
    "flags": ["unit_code", "unit_name", "flag", "indicator", "reason"],
    "backlog": ["kind", "record_id", "unit_code", "unit_name", "district_name", "due_date", "days_overdue", "bucket"],
}


def period_from_args(con: duckdb.DuckDBPyConnection, args: argparse.Namespace) -> Period:
    """--to defaults to the latest record date, --from to 1 January of --to's year, --as-of to --to."""
    date_to = getattr(args, "date_to", None) or latest_date(con) or dt.date.today()
    date_from = getattr(args, "date_from", None) or dt.date(date_to.year, 1, 1)
    as_of = getattr(args, "as_of", None) or date_to
    return Period(date_from, date_to, as_of)


def _lead(frame: pl.DataFrame, command: str) -> pl.DataFrame:
    lead = LEAD_COLUMNS[command]
    return frame.select(*lead, *[c for c in frame.columns if c not in lead])


def command_frame(command: str, args: argparse.Namespace, config: DvcqConfig) -> pl.DataFrame:
    """The result frame of one command; rates rounded to 2 decimals, null (empty in CSV) when N/A."""
    con = connect_read_only(getattr(args, "db", None))
    try:
        level = getattr(args, "level", "commune")
        if command == "backlog":
            as_of = args.as_of or latest_date(con) or dt.date.today()
            return _lead(backlog_table(con, config, as_of, level), command)
        period = period_from_args(con, args)
        if command == "indicators":
            table = indicator_table(con, config, level, period).with_columns(
                pl.col("value", "ci_low", "ci_high", "gap").round(2))
            return _lead(table, command)
        if command == "flags":
            table = flag_table(con, config, level, period).with_columns(pl.col("value", "ci_low", "ci_high").round(2))
            return _lead(table, command)
        raise ValueError(f"lệnh không biết: {command}")
    finally:
        con.close()
