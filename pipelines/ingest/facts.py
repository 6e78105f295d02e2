"""Facts built at publish, and read by every consumer (dbt's marts, inside the atomic publish).

The rules that derive a dossier's closing and timeliness, a petition's effective due date and
closing, which dossiers were ever late and the daily counts every indicator sums are stated once,
in ``pipelines/sql/_*.sql`` fragments that ``facts_*.sql`` include, and run here on the private copy
before it is published; so are the engine's counts of every calendar month, quarter and year of the
data (``period_counts``: the quota-free part of ``commune_counts.sql``, by the same SQL, which the engine
then reads for those periods instead of computing them). The engine, the backlog, the flags, the
trends, the dashboard and the CLI read these tables (through the structure views); the record tables
are for drill-down and exploration. The statutory days they used are remembered, so a changed
configuration is noticed (``facts_rules`` in ``warehouse_meta``).

Two ways to build them, one set of rules. ``build_facts`` builds every table whole from the records.
``update_facts`` builds again only what the records a publish changed count on: the loader logs, as it
writes, the stored versions it replaces, adopts or closes and the ids it inserts (``start_change_log``,
``log_replaced``, ``log_inserted``, ``log_closed``); from them come the per-record facts' keys, the
(commune pair, day) keys of daily_counts the old and new versions count on, the months from the first
changed one on (the stocks carry forward) and the stored periods that end on or after the first changed
day; when the data's first or last day moves, the periods it adds, cuts or takes away are counted too.
A small export into a large warehouse then costs what it touches, not the warehouse's size; the
publish decides which (``pipelines.ingest.warehouse.publishing``), and a test builds the facts both ways
after random publishes and finds them equal (``tests/test_incremental_facts.py``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import time

import duckdb
import polars as pl

from pipelines.sql import InStructure, execute, load_sql, run
from schemas.admin_unit import ERAS
from schemas.catalog import MAX_SUPPLEMENT_REQUESTS, SATISFIED_RATING, published_codes
from schemas.config import DvcqConfig
from schemas.periods import Period, stored_periods
from schemas.records import RECORD_SCHEMAS, RecordSchema
from schemas.warehouse import FACT_TABLES

# In dependency order: late dossiers and the rollup read dossier_facts and petition_facts; the
# monthly rollup sums the daily one; the counts of the stored periods read all of them.
BUILD_ORDER = ("dossier_facts", "petition_facts", "late_dossiers", "daily_counts", "monthly_counts",
               "period_counts")
_SQL = {"dossier_facts": "facts_dossiers", "petition_facts": "facts_petitions",
        "late_dossiers": "facts_late_dossiers", "daily_counts": "facts_daily_counts",
        "monthly_counts": "facts_monthly_counts", "period_counts": "facts_period_counts"}
# period_counts is built in each structure (through its views: the counts query reads a structure's
# communes), one kind of stored period at a time (schemas.periods.stored_periods names them).
PER_STRUCTURE = ("period_counts",)


def fact_rules(config: DvcqConfig) -> dict:
    """Every value from outside the records that the facts depend on."""
    due = config.petition_due
    return {"complaint_days": due.complaint_days, "denunciation_days": due.denunciation_days,
            "petition_working_days": due.petition_working_days,
            "max_supplement_requests": MAX_SUPPLEMENT_REQUESTS, "satisfied_rating": SATISFIED_RATING}


def rules_fingerprint(config: DvcqConfig) -> str:
    """What the facts of a warehouse were built with: the rules' values, the text of their definitions and
    the codes table's rows. A warehouse whose fingerprint differs is rebuilt by ``dvcq upgrade``."""
    definitions = json.dumps([load_sql(_SQL[t]) for t in BUILD_ORDER] + [FACT_TABLES[t] for t in sorted(FACT_TABLES)]
                             + published_codes(config))
    return json.dumps({**fact_rules(config), "definitions": hashlib.sha256(definitions.encode()).hexdigest()[:16]},
                      sort_keys=True)


def build_facts(con: duckdb.DuckDBPyConnection, config: DvcqConfig) -> dict[str, float]:
    """Rebuild every fact table and the codes table from the records (read-write connection with the
    structure views made: ``pipelines.ingest.warehouse.create_structure_views``). Returns the seconds
    each table took, in build order (bench/bench_facts.py prints them)."""
    execute(con, "fact_changes_start")  # (monthly_counts reads the pairs it builds there; a log is not needed)
    params = fact_rules(config)
    seconds: dict[str, float] = {}
    for table in BUILD_ORDER:
        started = time.perf_counter()
        execute(con, "clear_table", {}, {"table": table})
        if table == "monthly_counts":  # every commune pair whole
            execute(con, "monthly_redo_all")
            execute(con, _SQL[table], {"last_month": execute(con, "last_count_month")[0][0]})
        elif table not in PER_STRUCTURE:
            execute(con, _SQL[table], params)
        else:
            first, last = run(con, "latest_date", {}).row(0)  # daily_counts is built: the data's span
            kinds = stored_periods(first, last) if last is not None else {}
            for era in ERAS:
                cur = InStructure(con, era).cursor()
                try:
                    for periods in kinds.values():
                        execute(cur, _SQL[table], params | {
                            "era": era, "communes": None, "date_from": [p.date_from for p in periods],
                            "date_to": [p.date_to for p in periods], "as_of": [p.as_of for p in periods]})
                finally:
                    cur.close()
        seconds[table] = time.perf_counter() - started
    codes = pl.DataFrame(published_codes(config), schema={"vocabulary": pl.String, "code": pl.String,
                                                          "label_vi": pl.String}, orient="row")
    execute(con, "clear_table", {}, {"table": "codes"})
    execute(con, "codes_load", frames={"codes_frame": codes})
    for table in STORED_ORDER:
        execute(con, "meta_forget", {"name": _UNORDERED + table})
    execute(con, "fact_changes_end")
    return seconds


def start_change_log(con: duckdb.DuckDBPyConnection) -> None:
    """An empty log of record changes in the private copy (``fact_changes_start.sql``): one table of each
    record table's columns for the stored versions a publish replaces, adopts or closes, and the ids it
    inserts. The loader fills it as it writes; ``update_facts`` reads it."""
    execute(con, "fact_changes_start")
    for schema in RECORD_SCHEMAS.values():
        execute(con, "fact_changes_table", {}, {"table": schema.table})


def log_replaced(con: duckdb.DuckDBPyConnection, schema: RecordSchema, staged: pl.DataFrame) -> None:
    """Before the upsert writes: the rows its plan replaces or adopts, as stored, and the ids it inserts."""
    execute(con, "fact_changes_replaced", {}, {"table": schema.table})
    execute(con, "fact_changes_inserted", {"record_table": schema.table}, {"key": schema.id_column},
            {"staged": staged})


def log_inserted(con: duckdb.DuckDBPyConnection, schema: RecordSchema, staged: pl.DataFrame) -> None:
    """Every staged row is a new record (nothing of them was stored): their ids."""
    execute(con, "fact_changes_inserted_all", {"record_table": schema.table}, {"key": schema.id_column},
            {"staged": staged})


def log_closed(con: duckdb.DuckDBPyConnection, schema: RecordSchema, missing: pl.DataFrame) -> None:
    """Before the records a newer export no longer lists are closed: those rows, as stored."""
    execute(con, "fact_changes_closed", {}, {"table": schema.table}, {"_missing": missing.select("record_row")})


# The fact tables whose stored order the readers' scans rely on (daily_counts: the engine reads a period's edge
# days, and DuckDB skips the row groups of other days; late_dossiers: the few rows whose apology came after the
# completion are stored last), with the order their SQL writes them in. ``update_facts`` appends the rows it
# builds again at the end, in that order; the rows out of place are counted (``_UNORDERED`` in warehouse_meta)
# and, when they pass ``REORDER_SHARE`` of the table (at least a row group), the table is written again in order.
STORED_ORDER: dict[str, tuple[str, ...]] = {"daily_counts": ("day",),
                                            "late_dossiers": ("apology_after_completion", "completed_date")}
_UNORDERED = "unordered_rows:"
REORDER_SHARE = 0.1
ROW_GROUP = 122_880


def update_facts(con: duckdb.DuckDBPyConnection, config: DvcqConfig) -> dict[str, float]:
    """Build again only the facts the logged changes touch (``start_change_log``), on a warehouse whose
    facts were built with the configuration's rules and are current up to this publish's writes (the
    publish checks both; otherwise it calls ``build_facts``). Equal to ``build_facts`` after any sequence of
    publishes (``tests/test_incremental_facts.py``). Returns the seconds each step took.

    Order: the keys of the changed records; the days their old facts count on; those facts go and are
    built again, and the days of the new ones are added; daily_counts of those days; monthly_counts of
    the changed pairs from their first changed month (and every pair from the month after the earlier
    of the old and new last month, when the data's last month moved); period_counts: the periods the
    data's new span adds (every commune) or no longer has, and, for the changed communes, the kept
    periods ending on or after their first changed day (the stocks at a later as-of date carry the change)."""
    params = fact_rules(config)
    seconds: dict[str, float] = {}
    started = time.perf_counter()

    def lap(step: str) -> None:
        nonlocal started
        seconds[step] = time.perf_counter() - started
        started = time.perf_counter()

    old_span = run(con, "latest_date", {}).row(0)
    old_last_month = execute(con, "last_count_month")[0][0]
    execute(con, "fact_changes_keys")
    execute(con, "fact_changes_days")  # the old facts' days
    execute(con, "facts_forget_changed")
    before = _rows(con, "late_dossiers")
    for table in ("dossier_facts", "petition_facts", "late_dossiers"):
        execute(con, f"{_SQL[table]}_changed", params)
    _count_unordered(con, "late_dossiers", _rows(con, "late_dossiers") - before)
    execute(con, "fact_changes_days")  # the new facts' days
    lap("records")
    execute(con, "daily_forget_changed")
    before = _rows(con, "daily_counts")
    execute(con, "facts_daily_counts_changed", params)
    _count_unordered(con, "daily_counts", _rows(con, "daily_counts") - before)
    lap("daily_counts")
    last_month = execute(con, "last_count_month")[0][0]
    moved = None if last_month == old_last_month or old_last_month is None or last_month is None else \
        _next_month(min(last_month, old_last_month))
    execute(con, "monthly_redo_changed", {"moved_from": moved})
    execute(con, "monthly_forget_changed")
    execute(con, "facts_monthly_counts", {"last_month": last_month})
    lap("monthly_counts")
    _update_period_counts(con, params, old_span, run(con, "latest_date", {}).row(0))
    lap("period_counts")
    for table in STORED_ORDER:
        _reorder_if_needed(con, table)
    execute(con, "fact_checks_scope")  # what the tests at publish read (pipelines.ingest.checks)
    lap("order")
    return seconds


def _rows(con: duckdb.DuckDBPyConnection, table: str) -> int:
    return execute(con, "table_rows", {}, {"table": table})[0][0]


def _next_month(day: dt.date) -> dt.date:
    return dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)


def _update_period_counts(con: duckdb.DuckDBPyConnection, params: dict, old_span: tuple, new_span: tuple) -> None:
    """period_counts after the daily and monthly counts are updated: the stored periods of the old span
    (``schemas.periods.stored_periods``) the new one no longer has go; those it adds are counted for every
    commune; of those both have, the changed communes' periods ending on or after their first changed day
    are counted again, in each structure."""
    def periods(span: tuple) -> dict[str, set[Period]]:
        return {kind: set(found) for kind, found in stored_periods(*span).items()} if span[1] is not None else {}

    old, new = periods(old_span), periods(new_span)
    gone = [p for kind in old for p in old[kind] - new.get(kind, set())]
    if gone:
        execute(con, "period_counts_forget", _period_lists(gone) | {"era": None, "communes": None})
    for era, place in (("legacy", "legacy_code"), ("2025", "code_2025")):
        changed = execute(con, "changed_communes", {}, {"place": place})
        communes = [code for code, _ in changed]
        first_day = min((day for _, day in changed), default=None)
        cur = InStructure(con, era).cursor()
        try:
            for kind, found in new.items():
                added = sorted(found - old.get(kind, set()), key=lambda p: p.date_from)
                if added:
                    execute(cur, _SQL["period_counts"], params | {"era": era, "communes": None} | _period_lists(added))
                again = sorted((p for p in found & old.get(kind, set()) if first_day is not None
                                and p.date_to >= first_day), key=lambda p: p.date_from)
                if again and communes:
                    lists = _period_lists(again)
                    execute(cur, "period_counts_forget", lists | {"era": era, "communes": communes})
                    execute(cur, _SQL["period_counts"], params | {"era": era, "communes": communes} | lists)
        finally:
            cur.close()


def _period_lists(periods: list[Period]) -> dict[str, list[dt.date]]:
    return {"date_from": [p.date_from for p in periods], "date_to": [p.date_to for p in periods],
            "as_of": [p.as_of for p in periods]}


def _count_unordered(con: duckdb.DuckDBPyConnection, table: str, appended: int) -> None:
    name = _UNORDERED + table
    before = int(_remembered(con, name) or 0)
    execute(con, "meta_forget", {"name": name})
    execute(con, "meta_remember", {"name": name, "value": str(before + appended)})


def _reorder_if_needed(con: duckdb.DuckDBPyConnection, table: str) -> None:
    """Write ``table`` again in its stored order once the rows appended out of place pass the share."""
    unordered = int(_remembered(con, _UNORDERED + table) or 0)
    if unordered <= max(ROW_GROUP, REORDER_SHARE * _rows(con, table)):
        return
    execute(con, "facts_reorder", {}, {"table": table, "order": list(STORED_ORDER[table])})
    execute(con, "meta_forget", {"name": _UNORDERED + table})


def _remembered(con: duckdb.DuckDBPyConnection, name: str) -> str | None:
    rows = execute(con, "meta_value", {"name": name})
    return rows[0][0] if rows else None
