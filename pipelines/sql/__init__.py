"""Every SQL query of the indicator engine, one file per query, loaded by name.

Why one folder: the rules of the indicators live in SQL (DuckDB does the counting), so
keeping every query here makes the rules reviewable in one place, like evidence-dev's
``queries/``. Files whose name starts with ``_`` are fragments (CTE bodies) that other
files include with ``{{ name }}``; including is the only text substitution, values are
always bound as ``$name`` parameters. ``run`` binds exactly the parameters a query names,
because DuckDB rejects unused ones.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

import duckdb
import polars as pl

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


def run(con: duckdb.DuckDBPyConnection, name: str, params: dict) -> pl.DataFrame:
    """Run a named query on its own cursor (safe on read-only and shared connections)."""
    wanted = query_params(name)
    missing = wanted - params.keys()
    if missing:
        raise KeyError(f"query {name} needs parameters {sorted(missing)}")
    cur = con.cursor()
    try:
        return cur.sql(load_sql(name), params={k: params[k] for k in wanted}).pl()
    finally:
        cur.close()
