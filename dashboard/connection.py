"""The process's read-only warehouse connection and configuration.

One DuckDB connection per process (``st.cache_resource``), a cursor per query (``InStructure``
gives cursors that see one administrative structure). ``version()`` changes with every publish;
the data layer keys its caches on it, and a new version releases (closes) the old connection and
reopens the path, so pages see new data without a restart.
"""

from __future__ import annotations

import threading

import duckdb
import streamlit as st

from pipelines.ingest import service
from pipelines.sql import InStructure
from schemas.admin_unit import Era
from schemas.config import DvcqConfig, load_config

_lock = threading.Lock()
_opened: dict[str, str] = {}


def _close(con: duckdb.DuckDBPyConnection) -> None:
    try:
        con.close()
    except duckdb.Error:  # already closed
        pass


@st.cache_resource(on_release=_close, show_spinner=False, max_entries=4)
def _open(path: str, version: str) -> duckdb.DuckDBPyConnection:
    return service.open_read_only(path)


def db_path() -> str:
    return service.db_path()


def version() -> str:
    """Current warehouse version ('' when there is none); reopens the connection when it changed."""
    path = db_path()
    v = service.version(path)
    with _lock:
        if _opened.get(path) not in (None, v):
            _open.clear()           # on_release closes the old connections
        _opened[path] = v
    return v


def in_structure(path: str, v: str, era: Era) -> InStructure:
    """The process's connection to warehouse version ``v``, its cursors seeing one structure."""
    return InStructure(_open(path, v), era)


@st.cache_resource(show_spinner=False)
def config() -> DvcqConfig:
    return load_config()


@st.cache_data(max_entries=4, show_spinner=False)
def _is_current(v: str, path: str) -> bool:
    return service.is_current(path, config())


def has_warehouse() -> bool:
    return version() != ""


def is_current() -> bool:
    """The warehouse has the structure views and facts this version reads, built with today's rules."""
    return _is_current(version(), db_path())
