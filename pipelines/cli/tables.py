"""Frames behind the ``dvcq indicators | flags | backlog [--due-soon]`` commands (see pipelines.cli).

Why a separate module: the CLI only parses and prints; here the warehouse is opened
read-only, the period is built by the one period model (``schemas.periods.build_period``: to = the
data's last day, from = 1 January of that year, as-of = the earlier of the period's end and the
data's last day), as the dashboard and the report build it, and the first columns are fixed so
scripts reading the CSV can rely on them.
"""

from __future__ import annotations

import argparse
import datetime as dt

import duckdb
import polars as pl

from pipelines.engine.backlog import backlog_table, due_soon_table
from pipelines.engine.flags import flag_table
from pipelines.engine.indicators import indicator_table, latest_date
from pipelines.engine.submissions import submission_table
from pipelines.sql import InStructure
from pipelines.ingest.warehouse import connect_read_only
from schemas.admin_unit import ERA_SHORT_VI, ERAS, LEVELS, Era, grouping_of, level_in
from pipelines.text import vn_number
from schemas.catalog import FLAG_KINDS, NOT_SENT, OUTPUT_LABELS
from schemas.config import DvcqConfig, load_config
from schemas.periods import Period, build_period, default_as_of
from schemas.vocabularies import SUBMISSION_STATUS
from schemas.records import RECORD_SCHEMAS

LEAD_COLUMNS = {
    "indicators": ["unit_code", "unit_name", "indicator", "numerator", "denominator", "value", "ci_low", "ci_high",
                   "target"],
    "flags": ["unit_code", "unit_name", "flag", "indicator", "reason"],
    "backlog": ["kind", "record_id", "unit_code", "unit_name", "district_name", "due_date", "days_overdue", "bucket"],
    "due_soon": ["kind", "record_id", "unit_code", "unit_name", "district_name", "due_date", "days_overdue", "bucket",
                 "working_days_left"],
    "submissions": ["unit_code", "unit_name", "month", "kind", "status", "rows", "first_received"],
}


def period_from_args(con: duckdb.DuckDBPyConnection, args: argparse.Namespace) -> Period:
    """--from, --to and --as-of, the missing ones filled by ``build_period`` from the data's last day."""
    return build_period(latest_date(con), getattr(args, "date_from", None), getattr(args, "date_to", None),
                        getattr(args, "as_of", None))


def _lead(frame: pl.DataFrame, command: str) -> pl.DataFrame:
    lead = LEAD_COLUMNS[command]
    return frame.select(*lead, *[c for c in frame.columns if c not in lead])


class StructureError(ValueError):
    """A level that the chosen administrative structure does not have."""


def structure_for(args: argparse.Namespace, period: Period) -> Era:
    """--units, else the period's own structure (``Period.structure``); the level must exist in it."""
    era = getattr(args, "units", None) or period.structure
    level = getattr(args, "level", "commune")
    if level not in LEVELS[era]:
        other_era = next(e for e in ERAS if e != era)
        raise StructureError(f"cấp '{level}' không có trong {ERA_SHORT_VI[era]} (cấp có: {', '.join(LEVELS[era])}); "
                             f"dùng --level {level_in(era, grouping_of(level)).code} hoặc --units {other_era}")
    return era


def readable(frame: pl.DataFrame, command: str) -> pl.DataFrame:
    """What ``--format table`` prints: the columns a reader needs, Vietnamese headers, numbers as
    1.234,5 and dates as dd/mm/yyyy (CSV and JSON keep the machine columns above)."""
    def num(column: str) -> pl.Expr:
        return pl.col(column).map_elements(lambda x: vn_number(x, 1), return_dtype=pl.String).fill_null("N/A")

    def date(column: str) -> pl.Expr:
        return pl.col(column).dt.strftime("%d/%m/%Y")

    if command == "indicators":
        rows = frame.select(
            pl.col("unit_name"), pl.col("label"),
            pl.col("numerator", "denominator").map_elements(vn_number, return_dtype=pl.String).fill_null(""),
            pl.when(pl.col("missing") == NOT_SENT).then(pl.lit("chưa gửi (0 điểm)")).otherwise(num("value"))
            .alias("value"),
            pl.when(pl.col("ci_low").is_not_null()).then(pl.concat_str(num("ci_low"), pl.lit(" – "), num("ci_high")))
            .otherwise(pl.lit("")).alias("interval"),
            num("target"), pl.when(pl.col("ranked")).then(pl.col("rank_province").cast(pl.String))
            .when(pl.col("level") == "province").then(pl.lit("")).otherwise(pl.lit("chưa xếp hạng")).alias("rank"))
    elif command == "flags":
        rows = frame.select("unit_name", pl.col("flag").replace_strict(FLAG_KINDS).alias("flag_kind"), "reason")
    elif command == "submissions":
        rows = frame.select("unit_name", pl.col("period_start").dt.strftime("%m/%Y").alias("month"),
                            pl.col("kind").replace_strict({k: r.label for k, r in load_config().submissions.items()})
                            .alias("submission_kind"),
                            pl.col("status").replace_strict(SUBMISSION_STATUS.labels_vi).alias("submission_status"),
                            pl.col("rows").map_elements(vn_number, return_dtype=pl.String),
                            pl.col("first_received").dt.strftime("%d/%m/%Y").fill_null("").alias("first_received"))
    else:  # the backlog: how long overdue, or, due soon, how many working days are left
        ages = ["working_days_left"] if "working_days_left" in frame.columns else ["days_overdue", "bucket"]
        rows = frame.select(pl.col("kind").replace_strict({k: s.label_vi for k, s in RECORD_SCHEMAS.items()})
                            .alias("record_kind"), "record_id", "unit_name", date("due_date"), *ages)
    return rows.rename({c: OUTPUT_LABELS[c] for c in rows.columns})


def command_frame(command: str, args: argparse.Namespace, config: DvcqConfig) -> pl.DataFrame:
    """The result frame of one command; rates rounded to 2 decimals, null (empty in CSV) when N/A."""
    raw = connect_read_only(getattr(args, "db", None))
    try:
        # The engine groups by the level's grouping (a 2025 'area' by its communes' old district columns);
        # the output names the level by its code.
        level = getattr(args, "level", "commune")
        engine_level = grouping_of(level)
        if command == "submissions":
            # the months are a period like any other; their due days are judged on --as-of (today: a reminder
            # is about now), so the period's own as-of day is its end, even past the data
            last = latest_date(raw)
            span = build_period(last, args.date_from, args.date_to, as_of=args.date_to or last or dt.date.today())
            table = submission_table(raw, config, span.date_from, span.date_to, args.as_of or dt.date.today(),
                                     args.units)
            return _lead(table.drop("period_end"), command)
        if command == "backlog":
            as_of = args.as_of or default_as_of(latest_date(raw))
            # the backlog is a stock: the period of its one day, seen in the structure in force then
            con = InStructure(raw, structure_for(args, Period(as_of, as_of, as_of)))
            if getattr(args, "due_soon", False):
                return _lead(due_soon_table(con, config, as_of, engine_level), "due_soon")
            return _lead(backlog_table(con, config, as_of, engine_level), command)
        period = period_from_args(raw, args)
        con = InStructure(raw, structure_for(args, period))
        if command == "indicators":
            table = indicator_table(con, config, engine_level, period).with_columns(
                pl.col("value", "ci_low", "ci_high", "gap").round(2))
        elif command == "flags":
            table = flag_table(con, config, engine_level, period).with_columns(
                pl.col("value", "ci_low", "ci_high").round(2))
        else:
            raise ValueError(f"lệnh không biết: {command}")
        return _lead(table.with_columns(pl.col("level").replace(engine_level, level)), command)
    finally:
        raw.close()
