"""What each page computes for a view, in one place: the page renders it, the server's warm-up
(``dashboard.warm``) computes it for the default view before the first visitor arrives."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

from dashboard import data
from dashboard.filters import Filters
from schemas.catalog import COMPOSITE

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


def warm(f: Filters) -> None:
    """Compute what every page shows first for ``f`` (Tổng quan, So sánh, Tồn đọng, Cảnh báo, Đơn thư),
    so the results sit in the shared caches."""
    overview(f)
    data.indicators("commune", f.period)
    data.backlog_items(f.as_of, f.district, f.commune)
    data.flags("district", f.period)
    data.petition_breakdown(f.period, f.district, f.commune)
    data.dialogues(f.period, f.district, f.commune)
