"""Facts built once, at publish, and read by every consumer (dbt's marts, inside the atomic publish).

The rules that derive a dossier's closing and timeliness, a petition's effective due date and
closing, which dossiers were ever late and the daily counts every indicator sums are stated once,
in ``pipelines/sql/facts_*.sql``, and run here on the private copy before it is published; so are
the engine's counts of every calendar month, quarter and year of the data (``period_counts``: the
quota-free part of ``commune_counts.sql``, by the same SQL, which the engine then reads for those
periods instead of computing them). The
engine, the backlog, the flags, the trends, the dashboard and the CLI read these tables (through
the structure views); the record tables are for drill-down and exploration. Rebuilding them whole
at each publish keeps them exact after any upsert; the statutory days they used are remembered,
so a changed configuration is noticed (``facts_rules`` in ``warehouse_meta``).
"""

from __future__ import annotations

import hashlib
import json
import time

import duckdb
import polars as pl

from pipelines.sql import InStructure, execute, load_sql, run
from schemas.admin_unit import ERAS
from schemas.catalog import MAX_SUPPLEMENT_REQUESTS, SATISFIED_RATING, published_codes
from schemas.config import DvcqConfig
from schemas.periods import stored_periods
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
    params = fact_rules(config)
    seconds: dict[str, float] = {}
    for table in BUILD_ORDER:
        started = time.perf_counter()
        execute(con, "clear_table", {}, {"table": table})
        if table not in PER_STRUCTURE:
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
    return seconds
