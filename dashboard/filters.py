"""The sidebar's filters, kept in the URL: period (year, quarter, month or custom dates), the as-of
date of the stocks, the administrative structure and the unit. Returns one ``Filters`` the pages read.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl
import streamlit as st

from dashboard import data
from dashboard.formatting import fmt_date
from schemas.admin_unit import ERA_LABELS_VI, Era, default_era
from schemas.catalog import LEVEL_LABELS

PERIOD_KINDS = {"nam": "Năm", "quy": "Quý", "thang": "Tháng", "tuy_chon": "Tùy chọn"}
STRUCTURES = {"auto": "Tự động theo kỳ", **ERA_LABELS_VI}


def commune_labels(communes: pl.DataFrame) -> dict[str, str]:
    """commune_code -> label, unique in the list: a name shared by two communes gets its district added."""
    counts = communes.group_by("commune_name").len()
    shared = set(counts.filter(pl.col("len") > 1)["commune_name"])
    return {c: (f"{n} ({d})" if n in shared else n)
            for c, n, d in communes.select("commune_code", "commune_name", "district_name").iter_rows()}


@dataclass(frozen=True)
class Filters:
    kind: str
    date_from: dt.date
    date_to: dt.date
    as_of: dt.date
    prev_from: dt.date
    prev_to: dt.date
    label: str
    district: str | None
    commune: str | None
    era: Era

    @property
    def period(self) -> tuple[dt.date, dt.date, dt.date]:
        return (self.date_from, self.date_to, self.as_of)

    @property
    def previous(self) -> tuple[dt.date, dt.date, dt.date]:
        return (self.prev_from, self.prev_to, self.prev_to)


def _quarter_bounds(year: int, q: int) -> tuple[dt.date, dt.date]:
    first = dt.date(year, 3 * q - 2, 1)
    return first, _month_end(year, 3 * q)


def _month_end(year: int, month: int) -> dt.date:
    nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)


def _period_options(first: dt.date, last: dt.date) -> dict[str, list[str]]:
    years = [str(y) for y in range(last.year, first.year - 1, -1)]
    quarters, months = [], []
    for y in range(last.year, first.year - 1, -1):
        for q in range(4, 0, -1):
            lo, hi = _quarter_bounds(y, q)
            if lo <= last and hi >= first:
                quarters.append(f"{y}-Q{q}")
        for m in range(12, 0, -1):
            if dt.date(y, m, 1) <= last and _month_end(y, m) >= first:
                months.append(f"{y}-{m:02d}")
    return {"nam": years, "quy": quarters, "thang": months}


def _bounds(kind: str, value: str) -> tuple[dt.date, dt.date, dt.date, dt.date, str]:
    if kind == "nam":
        y = int(value)
        return dt.date(y, 1, 1), dt.date(y, 12, 31), dt.date(y - 1, 1, 1), dt.date(y - 1, 12, 31), f"Năm {y}"
    if kind == "quy":
        y, q = int(value[:4]), int(value[-1])
        lo, hi = _quarter_bounds(y, q)
        py, pq = (y, q - 1) if q > 1 else (y - 1, 4)
        plo, phi = _quarter_bounds(py, pq)
        return lo, hi, plo, phi, f"Quý {q}/{y}"
    y, m = int(value[:4]), int(value[5:7])
    py, pm = (y, m - 1) if m > 1 else (y - 1, 12)
    return (dt.date(y, m, 1), _month_end(y, m), dt.date(py, pm, 1), _month_end(py, pm), f"Tháng {m:02d}/{y}")


def sidebar() -> Filters:
    """Render the shared filters (bound to the URL query string) and return the chosen view."""
    first, last = data.date_range()
    opts = _period_options(first, last)
    sb = st.sidebar
    sb.markdown("### Bộ lọc")
    kind = sb.selectbox("Kỳ báo cáo", list(PERIOD_KINDS), format_func=PERIOD_KINDS.get, key="ky",
                        bind="query-params")
    if kind == "tuy_chon":
        c1, c2 = sb.columns(2)
        lo = c1.date_input("Từ ngày", value=dt.date(last.year, 1, 1), min_value=dt.date(2000, 1, 1),
                           format="DD/MM/YYYY", key="tu", bind="query-params")
        hi = c2.date_input("Đến ngày", value=last, min_value=dt.date(2000, 1, 1), format="DD/MM/YYYY",
                           key="den", bind="query-params")
        if hi < lo:
            lo, hi = hi, lo
        span = hi - lo
        plo, phi, label = lo - span - dt.timedelta(days=1), lo - dt.timedelta(days=1), f"{fmt_date(lo)} – {fmt_date(hi)}"
    else:
        fmt = {"nam": lambda v: f"Năm {v}", "quy": lambda v: f"Quý {v[-1]}/{v[:4]}",
               "thang": lambda v: f"Tháng {v[5:]}/{v[:4]}"}[kind]
        value = sb.selectbox(PERIOD_KINDS[kind], opts[kind], format_func=fmt, key=kind, bind="query-params")
        lo, hi, plo, phi, label = calendar_period(kind, value, last)
    at_end = sb.toggle("Tính tồn đọng đến cuối kỳ", value=True, key="cuoi_ky", bind="query-params",
                       help="Hồ sơ, đơn thư quá hạn được tính đến cuối kỳ (hoặc ngày dữ liệu mới nhất).")
    # The stocks (open and overdue items) are the period's: taken on a day inside it.
    as_of = None if at_end else sb.date_input("Ngày tính tồn đọng (trong kỳ)", value=min(hi, last), min_value=lo,
                                              max_value=hi, format="DD/MM/YYYY", key="ngay", bind="query-params")
    era = _structure(sb, hi)
    units = data.units()
    districts = units.select("district_code", "district_name").unique().sort("district_code")
    dnames = dict(districts.iter_rows())
    district = sb.selectbox(LEVEL_LABELS[era]["district"], list(dnames), index=None, format_func=dnames.get,
                            placeholder="Toàn tỉnh", key="huyen", bind="query-params")
    communes = units if district is None else units.filter(pl.col("district_code") == district)
    cnames = commune_labels(communes)
    if st.session_state.get("xa") not in (None, *cnames):
        st.session_state["xa"] = None
    commune = sb.selectbox(LEVEL_LABELS[era]["commune"], list(cnames), index=None, format_func=cnames.get,
                           placeholder="Tất cả", key="xa", bind="query-params")
    if commune and district is None:
        district = units.filter(pl.col("commune_code") == commune).item(0, "district_code")
    sb.caption(f"Dữ liệu từ {fmt_date(first)} đến {fmt_date(last)}. Đường dẫn trang giữ nguyên bộ lọc.")
    return Filters(kind, lo, hi, _as_of(as_of, lo, hi, last), plo, phi, label, district, commune, era)


def calendar_period(kind: str, value: str, last: dt.date) -> tuple[dt.date, dt.date, dt.date, dt.date, str]:
    """A year, quarter or month and the one before it; when the data stop inside it, both are cut to
    the same length (compare like with like)."""
    lo, hi, plo, phi, label = _bounds(kind, value)
    if lo <= last < hi:
        hi, phi = last, plo + (last - lo)
        label += f" (dữ liệu đến {fmt_date(last)})"
    return lo, hi, plo, phi, label


def _as_of(chosen: dt.date | None, lo: dt.date, hi: dt.date, last: dt.date) -> dt.date:
    """The day the stocks are taken: the one chosen, else the period's end or the data's last day;
    always inside the period."""
    return min(max(chosen or min(hi, last), lo), hi)


def default_filters() -> Filters:
    """The view of a visitor who opens a page without parameters: the latest year, the whole province,
    the structure in force at its end (what the sidebar shows first; the server warms it up)."""
    _, last = data.date_range()
    lo, hi, plo, phi, label = calendar_period("nam", str(last.year), last)
    return Filters("nam", lo, hi, _as_of(None, lo, hi, last), plo, phi, label, None, None, default_era(hi))


def _structure(sb, period_end: dt.date) -> Era:
    """The administrative structure of the view (kept in the URL); 'auto' follows the period's end.

    A code means different units in the two structures (15271 is Thị trấn Hà Trung before
    01/07/2025 and Xã Hà Trung after), so a chosen district or commune is cleared when the
    structure changes, never carried over.
    """
    choice = sb.selectbox("Cấu trúc đơn vị hành chính", list(STRUCTURES), format_func=STRUCTURES.get,
                          key="cau_truc", bind="query-params",
                          help="Từ 01/07/2025 không còn cấp huyện và các xã đã sáp nhập. Cấu trúc mới cộng "
                               "số liệu trước đó của các xã cũ vào xã mới kế thừa; cấu trúc cũ giữ huyện và "
                               "xã như trước 01/07/2025.")
    era: Era = default_era(period_end) if choice == "auto" else choice
    if st.session_state.get("_era") not in (None, era):
        st.session_state["huyen"] = None
        st.session_state["xa"] = None
    st.session_state["_era"] = era
    return era
