"""What each page computes for a view, in one place: the page renders it, the server's warm-up
(``dashboard.warm``) computes it for the default view before the first visitor arrives."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import plotly.graph_objects as go
import polars as pl
import streamlit as st

from dashboard import access, charts, chrome, data, explore
from dashboard.filters import Filters
from schemas.catalog import COMPOSITE, COMPOSITE_LABEL, LEVEL_WORDS

KEY_RATES = ["khong_tre_hen", "biet_xin_loi", "biet_lam", "hai_long"]


@dataclass(frozen=True)
class Overview:
    """Tổng quan: the view's unit, its figures now and in the previous period, its children with their
    composite score and coverage (ranked or not), and the monthly trend of the key rates."""

    level: str
    unit: str
    measures: pl.DataFrame
    measures_before: pl.DataFrame
    rates: pl.DataFrame
    rates_before: pl.DataFrame
    flagged: int
    flagged_before: int
    children: pl.DataFrame
    trend: pl.DataFrame
    trend_from: dt.date


def overview(f: Filters) -> Overview:
    return _overview(data.version(), f, access.scope().figures_key)


# Shared by every session (its frames are only read): each would otherwise copy the cached frames it
# is built from, most of Tổng quan's server time when many people open it at once. Keyed on what the
# account's figures depend on (``Scope.figures_key``): the roles that read every unit's figures share one.
@st.cache_resource(max_entries=64, show_spinner=False)
def _overview(version: str, f: Filters, figures_key: tuple[str, ...] | None) -> Overview:
    level, unit = data.scope(f.district, f.commune)
    child_level, parent = data.children(f.district)
    children = data.indicators(child_level, f.period).filter(pl.col("indicator") == COMPOSITE)
    if parent:
        children = children.filter(pl.col("district_code") == parent)
    # Twelve months back from the period's end (or from the first data), at least the whole period.
    start = min(max(dt.date(f.date_to.year - 1, f.date_to.month, 1), data.date_range()[0]), f.date_from)
    trend = data.trend(level, [unit], start, f.date_to, "month").filter(pl.col("indicator").is_in(KEY_RATES))
    return Overview(level, unit, data.measures(level, f.period), data.measures(level, f.previous),
                    data.indicators(level, f.period), data.indicators(level, f.previous),
                    data.flagged_communes(f.period, f.district, f.commune),
                    data.flagged_communes(f.previous, f.district, f.commune),
                    children, trend, start)


@dataclass(frozen=True)
class OverviewFigures:
    """Tổng quan's charts, built once per view and shared by every session (a figure costs tens of
    milliseconds of plotly validation; eight people opening the page at once would each pay it)."""

    ranking: go.Figure | None   # None: no unit has a composite score
    map: go.Figure | None       # None: no commune has coordinates
    trend: go.Figure | None     # None: no monthly value


def overview_figures(f: Filters, colour_by: str = COMPOSITE) -> OverviewFigures:
    return _overview_figures(data.version(), f, colour_by, access.scope().figures_key)


# Keyed on the warehouse version (not underscored: Streamlit leaves ``_``-named arguments out of the
# key), so a publish that keeps the view's period and structure still gets new figures; and on what the
# account's figures depend on, as ``_overview``.
@st.cache_resource(max_entries=64, show_spinner=False)
def _overview_figures(version: str, f: Filters, colour_by: str,
                      figures_key: tuple[str, ...] | None) -> OverviewFigures:
    o = overview(f)
    group = LEVEL_WORDS[f.era]["commune" if f.district else "district"]
    scored = o.children.filter(pl.col("value").is_not_null())
    ranking = None
    if not scored.is_empty():
        rows = list(scored.iter_rows(named=True))
        ranking = charts.ranking_bar(
            scored, f"Xếp hạng các {group} theo điểm tổng hợp",
            [chrome.coverage_text(row, f.era, short=True) for row in rows],
            [chrome.coverage_text(row, f.era) for row in rows],
            [f"hạng {row['rank_province']}" if row["ranked"] else f"chưa xếp hạng: {chrome.unranked_reason(row, f.era)}"
             for row in rows])
    points = data.commune_scores(f.period, f.district, colour_by)
    measure = COMPOSITE_LABEL if colour_by == COMPOSITE else f"{chrome.indicator_label(colour_by)} (%)"
    commune_map = None if points.filter(pl.col("latitude").is_not_null()).is_empty() else \
        charts.commune_map(points, f"Bản đồ các xã theo {measure.lower()}", measure)
    trend = None if o.trend["value"].is_null().all() else charts.trend_lines(
        o.trend, "Xu hướng theo tháng của các tỷ lệ chính (%)",
        reform_note=chrome.crosses_reform(f.era, o.trend_from, f.date_to))
    return OverviewFigures(ranking, commune_map, trend)


def warm(f: Filters) -> None:
    """Compute what every page shows first for ``f`` (Tổng quan, So sánh, Tồn đọng, Cảnh báo, Đơn thư,
    Khám phá's builder), so the results sit in the shared caches."""
    overview_figures(f)
    data.indicators("commune", f.period)
    data.backlog_items(f.as_of, f.district, f.commune)
    data.flags("commune", f.period)   # Cảnh báo opens on communes
    data.petition_breakdown(f.period, f.district, f.commune)
    data.dialogues(f.period, f.district, f.commune)
    explore.run_cached(explore.default_query(f))  # in a child process: its start is most of the wait
