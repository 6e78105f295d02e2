"""Every SQL query of the indicator engine, one file per query, loaded by name.

Why one folder: the rules of the indicators live in SQL (DuckDB does the counting), so
keeping every query here makes the rules reviewable in one place, like evidence-dev's
``queries/``. Files whose name starts with ``_`` are fragments (CTE bodies) that other
files include with ``{{ name }}``. Values are always bound as ``$name`` parameters; ``run`` binds
exactly the parameters a query names, because DuckDB rejects unused ones. The one other substitution is
``${name}``: a name the schemas declare (a table, a column, a structure's schema), given by the caller and
written quoted (``render``), so one statement serves every record table and a name no schema declares
never reaches the SQL. The ingest's statements need it (the upsert reads the record table of the file's
kind and its key); the engine's queries name their tables.

Structures: the same query text serves the legacy structure (with districts) and the 2025
one. A query names ``admin_units``, ``dossiers``, ... unqualified; ``InStructure`` gives cursors
whose ``search_path`` finds them in the ``era_legacy`` or ``era_2025`` views, where every
record's ``commune_code`` is its commune in that structure.
"""

from __future__ import annotations

import contextlib
import functools
import re
import warnings
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import NamedTuple

import duckdb
import polars as pl

from schemas.admin_unit import ERA_SCHEMA, ERAS, Era
from schemas.records import RETIRED_COLUMNS
from schemas.warehouse import table_definitions

_DIR = Path(__file__).resolve().parent
_INCLUDE = re.compile(r"\{\{\s*(\w+)\s*\}\}")
_PARAM = re.compile(r"\$([a-z_][a-z0-9_]*)")
_IDENTIFIER = re.compile(r"\$\{(\w+)\}")


class UndeclaredIdentifier(ValueError):
    """A statement was given a name that no schema declares, or a type that no declared column has."""


class Definition(NamedTuple):
    """A declared column with its declared type, for the DDL (``CREATE TABLE``, ``ADD COLUMN``)."""

    name: str
    sql_type: str


@functools.cache
def _declared() -> tuple[frozenset[str], frozenset[str]]:
    """Every name and every column type ``schemas.warehouse.table_definitions`` declares, the structures'
    schemas (``schemas.admin_unit.ERA_SCHEMA``) and the columns older warehouses lose
    (``schemas.records.RETIRED_COLUMNS``)."""
    tables = table_definitions()
    names = {*tables, *ERA_SCHEMA.values(), *RETIRED_COLUMNS,
             *(name for columns in tables.values() for name, _, _ in columns)}
    types = {sql_type for columns in tables.values() for _, sql_type, _ in columns}
    return frozenset(names), frozenset(types)


def quoted(name: str) -> str:
    """A declared name as a quoted SQL identifier; any other name is refused."""
    if name not in _declared()[0]:
        raise UndeclaredIdentifier(f"{name!r} is not a table, column or schema declared in schemas/")
    return '"' + name.replace('"', '""') + '"'


def _written(value: str | Definition | Sequence[str | Definition]) -> str:
    if isinstance(value, Definition):
        if value.sql_type not in _declared()[1]:
            raise UndeclaredIdentifier(f"{value.sql_type!r} is not the type of a column declared in schemas/")
        return f"{quoted(value.name)} {value.sql_type}"
    if isinstance(value, str):
        return quoted(value)
    if not value:
        raise UndeclaredIdentifier("an empty list of names")
    return ", ".join(map(_written, value))


def render(name: str, identifiers: Mapping[str, str | Definition | Sequence[str | Definition]] | None = None) -> str:
    """The text of a named statement with each ``${placeholder}`` replaced by the declared name (quoted), the
    list of names (comma-separated) or the column definitions given for it. Every placeholder must be given,
    and nothing else."""
    text, identifiers = load_sql(name), identifiers or {}
    wanted = set(_IDENTIFIER.findall(text))
    if wanted != identifiers.keys():
        raise KeyError(f"statement {name} names {sorted(wanted)}, given {sorted(identifiers)}")
    return _IDENTIFIER.sub(lambda m: _written(identifiers[m.group(1)]), text)


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


Identifiers = Mapping[str, str | Definition | Sequence[str | Definition]]
Frames = Mapping[str, pl.DataFrame]


@contextlib.contextmanager
def _registered(con: duckdb.DuckDBPyConnection, frames: Frames | None) -> Iterator[None]:
    """The frames a statement reads by name (``staged``, ``quarantined``), visible to it alone: DuckDB finds a
    frame by name only in the Python frame that calls it, which is this module's, not the caller's."""
    for name, frame in (frames or {}).items():
        con.register(name, frame)
    try:
        yield
    finally:
        for name in frames or {}:
            con.unregister(name)


def _bound(name: str, params: dict) -> dict:
    wanted = query_params(name)
    missing = wanted - params.keys()
    if missing:
        raise KeyError(f"query {name} needs parameters {sorted(missing)}")
    return {k: params[k] for k in wanted}


def run(con: duckdb.DuckDBPyConnection, name: str, params: dict, identifiers: Identifiers | None = None,
        frames: Frames | None = None) -> pl.DataFrame:
    """Run a named query on its own cursor (safe on read-only and shared connections)."""
    cur = con.cursor()
    try:
        with _registered(cur, frames):
            cur.execute(render(name, identifiers), _bound(name, params))
            with warnings.catch_warnings():
                warnings.filterwarnings("ignore", message=_ARROW_COPY, category=UserWarning)
                return pl.from_arrow(cur.to_arrow_table())
    finally:
        cur.close()


def execute(con: duckdb.DuckDBPyConnection, name: str, params: dict | None = None,
            identifiers: Identifiers | None = None, frames: Frames | None = None) -> list[tuple]:
    """Run a named statement on ``con`` itself (the ingest's statements, which share its temporary tables, and the
    facts' INSERTs at publish), binding the parameters it names; its rows (a count, a list), if any."""
    with _registered(con, frames):
        con.execute(render(name, identifiers), _bound(name, params or {}))
        return con.fetchall() if con.description else []


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
