"""Every SQL query of the indicator engine, one file per query, loaded by name.

Why one folder: the rules of the indicators live in SQL (DuckDB does the counting), so
keeping every query here makes the rules reviewable in one place, like evidence-dev's
``queries/``. Files whose name starts with ``_`` are fragments (CTE bodies) that other
files include with ``{{ name }}``; including is the only text substitution, values are
always bound as ``$name`` parameters. ``run`` binds exactly the parameters a query names,
because DuckDB rejects unused ones.

Structures: the same query text serves the legacy structure (with districts) and the 2025
one. A query names ``admin_units``, ``dossiers``, ... unqualified; ``InStructure`` gives cursors
whose ``search_path`` finds them in the ``era_legacy`` or ``era_2025`` views, where every
record's ``commune_code`` is its commune in that structure.
"""

from __future__ import annotations

import functools
import re
import warnings
from pathlib import Path

import duckdb
import polars as pl

from schemas.admin_unit import ERA_SCHEMA, ERAS, Era

_DIR = Path(__file__).resolve().parent
_INCLUDE = re.compile(r"\{\{\s*(\w+)\s*\}\}")
_PARAM = re.compile(r"\$([a-z_][a-z0-9_]*)")


@functools.cache
def load_sql(name: str) -> str:
    """The text of ``<name>.sql`` with its ``{{ fragment }}`` includes expanded."""
    text = (_DIR / f"{name}.sql").read_text(encoding="utf-8")
    return _INCLUDE.sub(lambda m: load_sql(m.group(1)), text)


def query_params(name: str) -> set[str]:
    """Names of the ``$parameters`` a query binds (comments included: keep them free of ``$``)."""
    return set(_PARAM.findall(load_sql(name)))


# run() takes the DB-API path, which plans a query once: con.sql(...).pl() binds it for its schema and
# plans it again to run it, ~15 ms of a 50 ms engine query (bench/bench_indicators.py). Its one cost,
# a copy of the result into Arrow, is nothing for results of a few thousand rows; DuckDB warns about
# that copy on every call, so that warning (and only it) is silenced where the copy is made.
_ARROW_COPY = "Arrow output on a DB-API result makes an extra copy"


def run(con: duckdb.DuckDBPyConnection, name: str, params: dict) -> pl.DataFrame:
    """Run a named query on its own cursor (safe on read-only and shared connections)."""
    wanted = query_params(name)
    missing = wanted - params.keys()
    if missing:
        raise KeyError(f"query {name} needs parameters {sorted(missing)}")
    cur = con.cursor()
    try:
        cur.execute(load_sql(name), {k: params[k] for k in wanted})
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=_ARROW_COPY, category=UserWarning)
            return pl.from_arrow(cur.to_arrow_table())
    finally:
        cur.close()


def execute(con: duckdb.DuckDBPyConnection, name: str, params: dict) -> None:
    """Run a named statement (the facts' INSERTs at publish), binding the parameters it names."""
    wanted = query_params(name)
    missing = wanted - params.keys()
    if missing:
        raise KeyError(f"statement {name} needs parameters {sorted(missing)}")
    con.execute(load_sql(name), {k: params[k] for k in wanted})


class InStructure:
    """A DuckDB connection seen in one administrative structure: its cursors resolve table names in
    that structure's views first, then in ``main`` (calendar, logs)."""

    def __init__(self, con: duckdb.DuckDBPyConnection, era: Era) -> None:
        if era not in ERAS:
            raise ValueError(f"cấu trúc không hợp lệ {era!r}: chọn một trong {ERAS}")
        self.con = con
        self.era = era

    def cursor(self) -> duckdb.DuckDBPyConnection:
        cur = self.con.cursor()
        cur.execute(f"SET search_path = '{ERA_SCHEMA[self.era]},main'")
        return cur

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> "InStructure":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
