"""Cached, read-only data access for the pages.

One DuckDB connection per process (``st.cache_resource``), a cursor per query, results cached
with ``st.cache_data`` keyed on ``warehouse_version()``. When an ingest publishes a new file the
version changes: the old connection is released (closed) and the path reopened, so the pages see
the new data without a restart. Personal columns never leave this module.
"""

from __future__ import annotations

import datetime as dt
import threading

import duckdb
import polars as pl
import streamlit as st

from dashboard import queries as q
from pipelines.sql import InStructure
from pipelines.warehouse import connect_read_only, resolve_db_path, warehouse_version
from schemas.admin_unit import Era, default_era
from schemas.records import RECORD_SCHEMAS

PERSONAL = {c for s in RECORD_SCHEMAS.values() for c in s.personal_columns}
_lock = threading.Lock()
_opened: dict[str, str] = {}


class EngineMissing(RuntimeError):
    """The indicator engine (pipelines.indicators / flags / backlog) is not installed yet."""


def _close(con: duckdb.DuckDBPyConnection) -> None:
    try:
        con.close()
    except Exception:  # already closed
        pass


@st.cache_resource(on_release=_close, show_spinner=False, max_entries=4)
def _open(path: str, version: str) -> duckdb.DuckDBPyConnection:
    return connect_read_only(path)


def db_path() -> str:
    return str(resolve_db_path())


def version() -> str:
    """Current warehouse version; reopens the connections when it changed since the last call."""
    path = db_path()
    v = warehouse_version(path)
    with _lock:
        if _opened.get(path) not in (None, v):
            _open.clear()           # on_release closes the old connections
        _opened[path] = v
    return v


def has_warehouse() -> bool:
    return version() != ""


@st.cache_data(max_entries=4, show_spinner=False)
def _is_current(v: str, path: str) -> bool:
    from pipelines.warehouse import is_current
    return is_current(path)


def is_current() -> bool:
    """The warehouse has the structure views this version reads."""
    return _is_current(version(), db_path())


def connection() -> duckdb.DuckDBPyConnection:
    v = version()
    return _open(db_path(), v)


@st.cache_resource(show_spinner=False)
def config():
    from schemas.config import load_config
    return load_config()


def _strip_personal(df: pl.DataFrame) -> pl.DataFrame:
    return df.drop([c for c in df.columns if c in PERSONAL or c.endswith(("_id_number", "_phone", "_address"))])


def _in(path: str, v: str, era: Era) -> InStructure:
    """The process's connection, its cursors seeing the records in one administrative structure."""
    return InStructure(_open(path, v), era)


def era() -> Era:
    """The structure the pages show: the sidebar's choice (``chrome.sidebar`` stores it), else the one
    in force on the data's last day."""
    return st.session_state.get("_era") or default_era(date_range()[1])


@st.cache_data(max_entries=512, show_spinner=False)
def _sql(v: str, path: str, structure: Era, sql: str, params: tuple | None) -> pl.DataFrame:
    cur = _in(path, v, structure).cursor()
    try:
        return _strip_personal(cur.sql(sql, params=list(params) if params else None).pl())
    finally:
        cur.close()


def sql(text: str, *params, structure: Era | None = None) -> pl.DataFrame:
    """A query of ``dashboard.queries`` in the pages' structure (or the one given)."""
    return _sql(version(), db_path(), structure or era(), text, tuple(params) if params else None)


# ------------------------------------------------------------------ basics
def date_range() -> tuple[dt.date, dt.date]:
    first, last = sql(q.DATE_RANGE, structure="2025").row(0)  # reads main tables: any structure
    today = dt.date.today()
    return first or today, last or today


def has_records() -> bool:
    return sum(sql(q.RECORD_COUNTS, structure="2025").row(0)) > 0


def units() -> pl.DataFrame:
    return sql(q.UNITS)


def unit_name(code: str) -> str:
    u = units()
    if len(code) == 5:
        hit = u.filter(pl.col("commune_code") == code)
        return f"{hit.item(0, 'commune_name')}, {hit.item(0, 'district_name')}" if len(hit) else code
    hit = u.filter(pl.col("district_code") == code)
    return hit.item(0, "district_name") if len(hit) else code


def province_name() -> str:
    u = units()
    return u.item(0, "province_name") if len(u) else ""


def scope(district: str | None, commune: str | None) -> tuple[str, str]:
    """(level, unit_code) of the view: the commune, else the district, else the province."""
    if commune:
        return "commune", commune
    if district:
        return "district", district
    return "province", config().province_code


def children(district: str | None) -> tuple[str, str | None]:
    """Units to rank under the view: districts of the province, or communes of one district."""
    return ("commune", district) if district else ("district", None)


def unit_rows(frame: pl.DataFrame, unit_code: str) -> pl.DataFrame:
    return frame.filter(pl.col("unit_code") == unit_code)


def value_of(frame: pl.DataFrame, unit_code: str, key: str, column: str = "value", by: str = "indicator"):
    hit = frame.filter((pl.col("unit_code") == unit_code) & (pl.col(by) == key))
    return hit.item(0, column) if len(hit) else None


def scoped(query: str, period, district, commune) -> pl.DataFrame:
    d_from, d_to, as_of = period
    return sql(query, *[d_from, d_to, district, commune] + ([as_of] if "$5" in query else []))


@st.cache_data(max_entries=64, show_spinner=False)
def _petition_breakdown(v: str, path: str, structure: Era, period, district, commune) -> pl.DataFrame:
    level, unit = scope(district, commune)
    communes = None if level == "province" else _engine().communes_of(_in(path, v, structure), level, [unit])
    return _engine_call(v, structure, "pipelines.indicators.petition_breakdown", _period(period), communes)


def petition_breakdown(period, district, commune) -> pl.DataFrame:
    """Petitions of the view by kind, field, outcome at as-of and timeliness (engine rules)."""
    return _petition_breakdown(version(), db_path(), era(), tuple(period), district, commune)


# ------------------------------------------------------------------ engine (pipelines.*)
def _period(period):
    try:
        from pipelines.indicators import Period
    except ImportError as exc:
        raise EngineMissing("pipelines.indicators") from exc
    d_from, d_to, as_of = period
    return Period(d_from, d_to, as_of)


def _engine_call(v: str, structure: Era, func: str, *args):
    import importlib

    module, name = func.rsplit(".", 1)
    try:
        fn = getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError) as exc:
        raise EngineMissing(func) from exc
    return fn(_in(db_path(), v, structure), config(), *args)


def _engine():
    try:
        from pipelines import indicators as engine
    except ImportError as exc:
        raise EngineMissing("pipelines.indicators") from exc
    return engine


@st.cache_data(max_entries=64, show_spinner=False)
def _counts(v: str, path: str, structure: Era, period) -> pl.DataFrame:
    """Numerators, denominators and supporting counts per commune for one period: one pass, shared by
    every level's indicators and measures (districts and the province sum their communes)."""
    return _engine().commune_counts(_in(path, v, structure), config(), [_period(period)])


@st.cache_data(max_entries=8, show_spinner=False)
def _unit_frame(v: str, path: str, structure: Era, level: str) -> pl.DataFrame:
    return _engine().unit_frame(_in(path, v, structure), level)


@st.cache_data(max_entries=256, show_spinner=False)
def _indicators(v: str, path: str, structure: Era, level: str, period) -> pl.DataFrame:
    """As pipelines.indicators.indicator_table, from the shared per-commune counts."""
    engine = _engine()
    wide = engine.aggregate(_counts(v, path, structure, period), _unit_frame(v, path, structure, level), [])
    order = {name: i for i, name in enumerate((*engine.ALL_RATES, engine.COMPOSITE))}
    return engine.rates_from_counts(wide, config(), level, []).sort(
        "unit_code", pl.col("indicator").replace_strict(order, default=len(order)))


def indicators(level: str, period) -> pl.DataFrame:
    """One row per unit x indicator (12 + hai_long + composite)."""
    return _indicators(version(), db_path(), era(), level, tuple(period))


@st.cache_data(max_entries=128, show_spinner=False)
def _measures(v: str, path: str, structure: Era, level: str, period) -> pl.DataFrame:
    """As pipelines.indicators.supporting_measures (long: unit_code, measure, value), from shared counts."""
    engine = _engine()
    wide = engine.aggregate(_counts(v, path, structure, period), _unit_frame(v, path, structure, level), [])
    wide = wide.with_columns(care_letters=pl.col("letters_congratulation") + pl.col("letters_condolence"),
                             online_share=pl.when(pl.col("dossiers_received") > 0)
                             .then(pl.col("dossiers_online") * 100.0 / pl.col("dossiers_received")))
    return pl.concat([wide.select("unit_code", "unit_name", measure=pl.lit(m), label=pl.lit(label),
                                  value=pl.col(m).cast(pl.Float64))
                      for m, label in engine.SUPPORTING_MEASURES.items()])


def measures(level: str, period) -> pl.DataFrame:
    return _measures(version(), db_path(), era(), level, tuple(period))


@st.cache_data(max_entries=128, show_spinner=False)
def _flags(v: str, path: str, structure: Era, level: str, period) -> pl.DataFrame:
    return _engine_call(v, structure, "pipelines.flags.flag_table", level, _period(period),
                        _counts(v, path, structure, period))


def flags(level: str, period) -> pl.DataFrame:
    return _flags(version(), db_path(), era(), level, tuple(period))


@st.cache_data(max_entries=64, show_spinner=False)
def _backlog(v: str, path: str, structure: Era, as_of: dt.date, level: str) -> pl.DataFrame:
    return _strip_personal(_engine_call(v, structure, "pipelines.backlog.backlog_table", as_of, level))


def backlog(as_of: dt.date, level: str = "commune") -> pl.DataFrame:
    return _backlog(version(), db_path(), era(), as_of, level)


@st.cache_data(max_entries=128, show_spinner=False)
def _trend(v: str, path: str, structure: Era, level: str, units: tuple, d_from, d_to, freq: str) -> pl.DataFrame:
    return _engine_call(v, structure, "pipelines.indicators.trend_table", level, list(units), d_from, d_to, freq)


def trend(level: str, unit_codes, d_from, d_to, freq: str = "month") -> pl.DataFrame:
    return _trend(version(), db_path(), era(), level, tuple(unit_codes), d_from, d_to, freq)


@st.cache_data(max_entries=64, show_spinner=False)
def _records(v: str, path: str, structure: Era, indicator: str, level: str, unit: str, period) -> pl.DataFrame:
    frame = _engine_call(v, structure, "pipelines.indicators.indicator_records", indicator, level, unit,
                         _period(period))
    return _strip_personal(frame)


def indicator_records(indicator: str, level: str, unit: str, period) -> pl.DataFrame:
    return _records(version(), db_path(), era(), indicator, level, unit, tuple(period))


def predecessors(commune: str) -> pl.DataFrame:
    """Legacy communes merged (wholly or in part) into a 2025 commune."""
    return sql(q.PREDECESSORS, commune, structure="2025")


def clear_caches() -> None:
    st.cache_data.clear()
    _open.clear()
    _opened.clear()


def flagged_communes(period, district: str | None, commune: str | None) -> int | None:
    """Communes with at least one flag in the view; None when the flag module is missing."""
    try:
        frame = flags("commune", period)
    except EngineMissing:
        return None
    if district:
        frame = frame.filter(pl.col("district_code") == district)
    if commune:
        frame = frame.filter(pl.col("unit_code") == commune)
    return frame["unit_code"].n_unique()


def commune_scores(period, district: str | None) -> pl.DataFrame:
    """Composite score per commune with its coordinates (all communes, null score when no data)."""
    scores = indicators("commune", period).filter(pl.col("indicator") == "composite")
    if district:
        scores = scores.filter(pl.col("district_code") == district)
    coords = units().select("commune_code", "latitude", "longitude")
    return scores.join(coords, left_on="unit_code", right_on="commune_code", how="left")


def bucket_labels() -> list[str]:
    from pipelines.backlog import bucket_labels as labels
    return labels(config().backlog_bucket_edges)


def backlog_items(as_of: dt.date, district: str | None, commune: str | None) -> pl.DataFrame:
    """Overdue items in the view, most overdue first."""
    items = backlog(as_of, "commune")
    if district:
        items = items.filter(pl.col("district_code") == district)
    if commune:
        items = items.filter(pl.col("commune_code") == commune)
    return items.sort("days_overdue", "due_date", descending=[True, False], nulls_last=True)


def backlog_chart_frames(items: pl.DataFrame, top: int = 25) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(per commune x bucket for the ``top`` communes by count, totals per bucket)."""
    labels = bucket_labels()
    worst = items.group_by("commune_name").len().sort("len", descending=True).head(top)["commune_name"]
    per = (items.filter(pl.col("commune_name").is_in(worst.to_list())).group_by("commune_name", "bucket")
           .agg(n=pl.len()).sort(pl.col("commune_name").replace_strict({c: i for i, c in enumerate(worst)})))
    buckets = (pl.DataFrame({"bucket": labels}).join(items.group_by("bucket").agg(n=pl.len()), on="bucket", how="left")
               .with_columns(pl.col("n").fill_null(0)))
    return per, buckets


SYSTEM_HIDDEN = {"source_sheet", "source_row", "row_hash", "loaded_at", "commune_code", "reported_timeliness"}


def record_spec(kind: str, columns: list[str]) -> dict[str, tuple[str, str]]:
    """Display spec (Vietnamese label, format kind) for a record frame's columns, from the schemas."""
    schema = RECORD_SCHEMAS[kind]
    by_name = {c.name: c for c in schema.columns}
    spec: dict[str, tuple[str, str]] = {}
    for flag, label in (("in_numerator", "Tính vào tử số"), ("in_denominator", "Tính vào mẫu số")):
        if flag in columns:
            spec[flag] = (label, "vocab:yes_no")
    if "commune_name" in columns:
        spec["commune_name"] = ("Xã/phường/thị trấn", "text")
    for name in columns:
        col = by_name.get(name)
        if col is None or col.personal or name in SYSTEM_HIDDEN:
            continue
        fmt = {"date": "date", "int": "int", "rating": "int", "text": "text"}.get(col.type, f"vocab:{col.vocabulary}")
        spec[name] = (col.label_vi, fmt)
    if "source_file" in columns:
        spec["source_file"] = ("Tệp nguồn", "text")
    return spec


ENGINE_RECORD_LABELS = {"record_date": ("Ngày ghi nhận", "date"), "due_date": ("Hạn", "date"),
                        "closed_date": ("Ngày trả kết quả / giải quyết", "date"), "status": ("Trạng thái", "text"),
                        "detail": ("Chi tiết", "text"), "den_count": ("Số tính vào mẫu số", "int"),
                        "num_count": ("Số tính vào tử số", "int")}
KIND_LABELS = {"requirement": "Yêu cầu trong kỳ", **{k: s.label_vi for k, s in RECORD_SCHEMAS.items()}}


def _vi(value) -> str | None:
    """An engine code (status, timeliness, kind) in Vietnamese; other text unchanged."""
    from schemas.vocabularies import VOCABULARIES
    if value is None:
        return None
    for name in ("dossier_status", "petition_outcome", "timeliness", "petition_kind", "letter_kind"):
        label = VOCABULARIES[name].labels_vi.get(value)
        if label:
            return label
    return value


def drill_down(indicator: str, level: str, unit: str, period) -> tuple[pl.DataFrame, dict]:
    """Records behind an indicator cell with a display spec (engine's indicator_records; SQL fallback)."""
    kind = q.RECORD_KIND[q.DRILL_KIND[indicator]]
    try:
        frame = indicator_records(indicator, level, unit, period)
    except EngineMissing:
        d_from, d_to, as_of = period
        query = q.DRILL[q.DRILL_KIND[indicator]]
        frame = sql(query, d_from, d_to, unit, *([as_of] if "$4" in query else []))
        return frame, record_spec(kind, frame.columns)
    frame = frame.with_columns(pl.col("status", "detail").map_elements(_vi, return_dtype=pl.String),
                               pl.col("record_kind").replace(KIND_LABELS).alias("kind_vi"))
    id_label = RECORD_SCHEMAS[kind].column(RECORD_SCHEMAS[kind].id_column).label_vi
    spec = {"in_numerator": ("Tính vào tử số", "vocab:yes_no"), "in_denominator": ("Tính vào mẫu số", "vocab:yes_no"),
            "kind_vi": ("Loại", "text"), "record_id": (id_label, "text"),
            "commune_name": ("Xã/phường/thị trấn", "text"), **ENGINE_RECORD_LABELS}
    return frame.sort("in_numerator", "record_date", nulls_last=True), spec

