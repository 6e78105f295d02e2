"""The sidebar's filters, kept in the URL: period (year, quarter, month or custom dates), the as-of
date of the stocks, the administrative structure and the unit. Returns one ``Filters`` the pages read.

An account limited to some units is offered only those (a convenience: ``dashboard.data`` is the lock) and
the 2025 structure; a link naming a unit outside its scope is refused (``OutOfScope``, which the entry
script shows), never replaced by another view in silence.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl
import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from dashboard import access, data, links
from dashboard.formatting import fmt_date, literal
from dashboard.links import PERIOD_KINDS, STRUCTURES
from pipelines.access.scope import SCOPED_STRUCTURE
from schemas.admin_unit import ERA_LABELS_VI, Era, default_era
from schemas.catalog import LEVEL_LABELS
from schemas.periods import Period, build_period, default_as_of


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
    def period(self) -> Period:
        """The chosen period and its as-of day, as every figure is asked for it (``dashboard.data``)."""
        return Period(self.date_from, self.date_to, self.as_of)

    @property
    def previous(self) -> Period:
        """The period before it, of the same length, as of its last day (the cards' change)."""
        return Period(self.prev_from, self.prev_to, self.prev_to)


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
        return dt.date(y, 1, 1), dt.date(y, 12, 31), dt.date(y - 1, 1, 1), dt.date(y - 1, 12, 31), links.period_label(kind, value)
    if kind == "quy":
        y, q = int(value[:4]), int(value[-1])
        lo, hi = _quarter_bounds(y, q)
        py, pq = (y, q - 1) if q > 1 else (y - 1, 4)
        plo, phi = _quarter_bounds(py, pq)
        return lo, hi, plo, phi, links.period_label(kind, value)
    y, m = int(value[:4]), int(value[5:7])
    py, pm = (y, m - 1) if m > 1 else (y - 1, 12)
    return (dt.date(y, m, 1), _month_end(y, m), dt.date(py, pm, 1), _month_end(py, pm),
            links.period_label(kind, value))


def _link_to_apply() -> tuple[dict[str, str] | None, bool, bool]:
    """(parameters to apply to the widgets, whether they come from outside, whether the page changed).

    A new session (a link opened, a page reloaded) or a URL edited in place applies the URL, and its
    bad values are reported. A page switch applies the view shown before, silently: Streamlit keys a
    widget's state to its page, so the sidebar of the new page would otherwise start from its
    defaults. A rerun after a widget changed applies nothing (the widget holds the new value).
    """
    state, now = st.session_state, st.query_params.to_dict()
    shown, page = state.get("_link"), get_script_run_ctx().page_script_hash
    switched, state["_page"] = state.get("_page") != page, page
    if shown is None or (now and now != shown):
        return now, True, switched
    if switched:
        return {k: v for k, v in shown.items() if k in links.SIDEBAR_PARAMETERS}, False, True
    return None, False, False


def _write_link(params: dict[str, str], switched: bool) -> None:
    """Put the view in the URL, keeping the page's own controls (``page_control``) unless the page changed."""
    page_own = {} if switched else {k: v for k, v in st.query_params.to_dict().items() if k in links.PAGE_PARAMETERS}
    params = params | page_own
    # Written even when the server already holds these values: a page link to the page one is on
    # (a unit in the Đơn vị page's list) reruns with its parameters but leaves the browser's address
    # as it was, and only a write puts them there.
    st.query_params.from_dict(params)
    st.session_state["_link"] = params


def sidebar() -> Filters:
    """Render the shared filters, read from and written to the URL, and return the chosen view.

    A link's values are checked (``dashboard.links``); each value that names nothing is said in a
    warning above the page, and the view falls back to the default for that value only.
    """
    first, last = data.date_range()
    opts = _period_options(first, last)
    link, from_outside, switched = _link_to_apply()
    state = st.session_state
    state["_incoming"] = link if from_outside else None
    problems: list[str] = []
    if link is not None:
        read = links.read_period(link, opts, first, last)
        problems += read.problems + links.unknown_parameters(link)
        state.update({"ky": read.kind, **read.values, "tu": read.date_from, "den": read.date_to,
                      "cau_truc": read.structure, "cuoi_ky": read.as_of is None})
        if read.as_of is not None:
            state["ngay"] = read.as_of
    for key, default in (("ky", "nam"), ("cau_truc", "auto"), ("cuoi_ky", True),
                         ("tu", max(first, dt.date(last.year, 1, 1))), ("den", last),
                         *((k, v[0]) for k, v in opts.items() if v)):
        state.setdefault(key, default)
    sb = st.sidebar
    sb.markdown("### Bộ lọc")
    kind = sb.selectbox("Kỳ báo cáo", list(PERIOD_KINDS), format_func=PERIOD_KINDS.get, key="ky")
    value = None
    if kind == "tuy_chon":
        # A day kept from before a publish that shrank the data's span would be outside the pickers'
        # bounds, which stops the page: it is brought inside (a link's days were, with a message).
        for key in ("tu", "den"):
            state[key] = min(max(state[key], first), last)
        # One under the other: side by side, the sidebar cuts a date to "01 / 01 / 202".
        lo = sb.date_input("Từ ngày", min_value=first, max_value=last, format="DD/MM/YYYY", key="tu")
        hi = sb.date_input("Đến ngày", min_value=first, max_value=last, format="DD/MM/YYYY", key="den")
        if hi < lo:
            lo, hi = hi, lo
        span = hi - lo
        plo, phi, label = lo - span - dt.timedelta(days=1), lo - dt.timedelta(days=1), f"{fmt_date(lo)} – {fmt_date(hi)}"
    else:
        value = sb.selectbox(PERIOD_KINDS[kind], opts[kind], key=kind,
                             format_func=lambda v: links.period_label(kind, v))
        lo, hi, plo, phi, label = calendar_period(kind, value, last)
    if not state["cuoi_ky"] and state.get("ngay") is not None:
        problem = links.as_of_problem(state["ngay"], lo, hi)
        if problem:
            problems.append(problem)
            state["cuoi_ky"], state["ngay"] = True, None
    at_end = sb.toggle("Tính tồn đọng đến cuối kỳ", key="cuoi_ky",
                       help="Hồ sơ, đơn thư quá hạn được tính đến cuối kỳ (hoặc ngày dữ liệu mới nhất).")
    # The stocks (open and overdue items) are the period's: taken on a day inside it.
    as_of = None
    if not at_end:
        if state.get("ngay") is None or not lo <= state["ngay"] <= hi:
            state["ngay"] = default_as_of(last, hi)
        as_of = sb.date_input("Ngày tính tồn đọng (trong kỳ)", min_value=lo, max_value=hi, format="DD/MM/YYYY",
                              key="ngay")
    era = _structure(sb, hi, link, problems)
    units, own = data.units(), data.own_units()
    if link is not None:
        # read against every unit, so that a unit outside the scope is refused as such, not called unknown
        dnames_all = dict(units.select("district_code", "district_name").unique().iter_rows())
        communes_of = {c: (n, d) for c, n, d in units.select("commune_code", "commune_name", "district_code").iter_rows()}
        district, commune, unit_problems = links.read_unit(link, dnames_all, communes_of, ERA_LABELS_VI[era])
        problems += unit_problems
        _refuse_outside(district, commune)
        state["huyen"], state["xa"] = district, commune
    dnames = data.own_districts()
    fixed = _fixed_commune(own)  # an account of one commune without other units' figures: always that commune
    if fixed is not None:
        state["huyen"], state["xa"] = fixed
    state.setdefault("huyen", None)
    if state["huyen"] not in (None, *dnames):
        state["huyen"] = None
    district = sb.selectbox(LEVEL_LABELS[era]["district"], list(dnames), format_func=dnames.get,
                            placeholder="Toàn tỉnh", key="huyen", index=None, disabled=fixed is not None)
    communes = own if district is None else own.filter(pl.col("district_code") == district)
    cnames = commune_labels(communes)
    if state.get("xa") not in (None, *cnames):
        state["xa"] = None
    commune = sb.selectbox(LEVEL_LABELS[era]["commune"], list(cnames), format_func=cnames.get,
                           placeholder="Tất cả", key="xa", index=None, disabled=fixed is not None)
    if commune and district is None:
        district = units.filter(pl.col("commune_code") == commune).item(0, "district_code")
    data.require_view(district, commune)  # the lock, whatever the widgets hold
    sb.caption(f"Dữ liệu từ {fmt_date(first)} đến {fmt_date(last)}. Đường dẫn trang giữ nguyên bộ lọc.")
    _write_link(links.period_parameters(kind, value, lo, hi, as_of, state["cau_truc"], commune or district), switched)
    for problem in problems if from_outside else ():
        st.warning(problem, icon=":material/link_off:")
    return Filters(kind, lo, hi, build_period(last, lo, hi, as_of).as_of, plo, phi, label, district, commune, era)


def _refuse_outside(district: str | None, commune: str | None) -> None:
    """A linked unit outside the account's scope: recorded in the audit trail and refused."""
    try:
        data.require_view(district, commune)
    except access.OutOfScope:
        access.record("refused", unit=commune or district)
        raise


def _fixed_commune(own: pl.DataFrame) -> tuple[str, str] | None:
    """(district, commune) of an account that answers for one commune and reads no other unit's figures: its
    view is that commune, with no province or area to choose."""
    scope = access.scope()
    if scope.role.other_units_figures or own.height != 1:
        return None
    return own.item(0, "district_code"), own.item(0, "commune_code")


def page_control(widget, label: str, options: list[str], param: str, default, many: bool = False, **kwargs):
    """A page's own control kept in the link as ``param`` (codes, comma-separated when ``many``).

    ``widget`` is ``container.selectbox``, ``.radio`` or ``.multiselect``. A linked value that is not
    among ``options`` is named in a warning and the default is shown instead; the default itself is
    left out of the URL so links stay short.
    """
    key, state = f"url_{param}", st.session_state
    link = state.get("_incoming")
    if link is None and key not in state and param in st.query_params:
        link = st.query_params.to_dict()  # a control hidden for a while (a closed tab) resumes from the URL
    if link is not None:
        raw = link.get(param)
        wanted = [] if raw is None else (raw.split(",") if many else [raw])
        good = [w for w in wanted if w in options]
        if len(good) < len(wanted):
            bad = ", ".join(w for w in wanted if w not in options)
            st.warning(f"Đường dẫn có «{literal(f'{param}={raw}')}»: {literal(bad)} không có trong danh sách "
                       f"{links.PAGE_PARAMETERS[param]} của trang này; đã bỏ qua.", icon=":material/link_off:")
        state[key] = default if raw is None else (good if many else (good[0] if good else default))
    if many:
        state[key] = [v for v in state.get(key, default) if v in options]
    elif state.get(key) not in options:
        state[key] = default
    value = widget(label, options, key=key, **kwargs)
    text = ",".join(value) if many else str(value)
    shown = dict(state.get("_link") or {})
    if value == default:
        shown.pop(param, None)
        if param in st.query_params:
            del st.query_params[param]
    else:
        shown[param] = text
        st.query_params[param] = text
    state["_link"] = shown
    return value


def calendar_period(kind: str, value: str, last: dt.date) -> tuple[dt.date, dt.date, dt.date, dt.date, str]:
    """A year, quarter or month and the one before it; when the data stop inside it, both are cut to
    the same length (compare like with like)."""
    lo, hi, plo, phi, label = _bounds(kind, value)
    if lo <= last < hi:
        hi, phi = last, plo + (last - lo)
        label += f" (dữ liệu đến {fmt_date(last)})"
    return lo, hi, plo, phi, label


def default_filters() -> Filters:
    """The view of a visitor who opens a page without parameters: the latest year, the whole province,
    the structure in force at its end (what the sidebar shows first; the server warms it up)."""
    _, last = data.date_range()
    lo, hi, plo, phi, label = calendar_period("nam", str(last.year), last)
    return Filters("nam", lo, hi, build_period(last, lo, hi).as_of, plo, phi, label, None, None, default_era(hi))


def _structure(sb, period_end: dt.date, link: dict[str, str] | None, problems: list[str]) -> Era:
    """The administrative structure of the view (kept in the URL); 'auto' follows the period's end. An account
    limited to some units reads the 2025 one only (its units are named in it): the choice is fixed, and a link
    asking for another is said.

    A code means different units in the two structures (15271 is Thị trấn Hà Trung before
    01/07/2025 and Xã Hà Trung after), so a chosen district or commune is cleared when the
    structure changes, never carried over.
    """
    state, scope = st.session_state, access.scope()
    if scope.limited:
        fixed = SCOPED_STRUCTURE
        if link is not None and link.get("cau_truc", "auto") not in ("auto", fixed):
            problems.append(f"Tài khoản của bạn xem số liệu theo {ERA_LABELS_VI[fixed].lower()}; đang dùng cấu "
                            f"trúc này.")
        state["cau_truc"] = fixed
    choice = sb.selectbox("Cấu trúc đơn vị hành chính", list(STRUCTURES), format_func=STRUCTURES.get,
                          key="cau_truc", disabled=scope.limited,
                          help="Từ 01/07/2025 không còn cấp huyện và các xã đã sáp nhập. Cấu trúc mới cộng "
                               "số liệu trước đó của các xã cũ vào xã mới kế thừa; cấu trúc cũ giữ huyện và "
                               "xã như trước 01/07/2025.")
    era: Era = default_era(period_end) if choice == "auto" else choice
    if st.session_state.get("_era") not in (None, era):
        st.session_state["huyen"] = None
        st.session_state["xa"] = None
    st.session_state["_era"] = era
    return era
