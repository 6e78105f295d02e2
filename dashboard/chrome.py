"""Shared chrome for every page: sidebar filters (kept in the URL), formatting, colours, empty states.

Numbers are shown the Vietnamese way (1.234,5; 95,3 %), dates as dd/mm/yyyy. Tables are turned
into display strings here (``show_table``) so that the browser's locale never decides.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass

import polars as pl
import streamlit as st

from dashboard import data
from pipelines.exports import WORKBOOK_OPTIONS
from schemas.admin_unit import ERA_LABELS_VI, ERA_SHORT_VI, REFORM_DATE, Era, default_era
from schemas.records import RECORD_SCHEMAS

# Colour-blind-safe (blue / orange, ColorBrewer PuOr-like); the same three everywhere.
GOOD, WATCH, WEAK, NA_COLOUR = "#2166AC", "#F1A340", "#B35806", "#D9D9D9"
STATUS_COLOURS = {"good": GOOD, "watch": WATCH, "weak": WEAK, "na": NA_COLOUR}
STATUS_LABELS = {"good": "Đạt chỉ tiêu", "watch": "Cần theo dõi (dưới chỉ tiêu ≤ 10 điểm)",
                 "weak": "Yếu (dưới chỉ tiêu > 10 điểm)", "na": "Không có dữ liệu (N/A)"}
WATCH_MARGIN = 10.0  # points below target still counted as "watch"
SCORE_SCALE = [[0.0, WEAK], [0.5, WATCH], [0.7, "#D1E5F0"], [1.0, GOOD]]  # composite 50..100
SERIES = ["#2166AC", "#E08214", "#8073AC", "#4393C3", "#B35806", "#542788", "#FDB863", "#92C5DE"]

BUCKET_COLOURS = ["#FDB863", "#E08214", "#B35806", "#7F3B08"]  # light to dark: older is darker
RECORD_KIND_LABELS = {kind: schema.label_vi for kind, schema in RECORD_SCHEMAS.items()}
BACKLOG_SPEC = {
    "kind": ("Loại", "text"), "record_id": ("Mã hồ sơ / Số đơn", "text"), "commune_name": ("Xã/phường/thị trấn", "text"),
    "district_name": ("Huyện/thị xã/thành phố", "text"), "received_date": ("Ngày tiếp nhận", "date"),
    "due_date": ("Hạn trả kết quả / hạn giải quyết", "date"), "days_overdue": ("Số ngày làm việc quá hạn", "int"),
    "bucket": ("Nhóm quá hạn (ngày làm việc)", "text"), "sector": ("Lĩnh vực", "text"), "procedure": ("Thủ tục", "text"),
    "petition_kind": ("Loại đơn", "vocab:petition_kind"), "field": ("Lĩnh vực đơn", "text"),
}
FLAG_KINDS = {"rule": "Vi phạm quy định", "below_target": "Thấp hơn chỉ tiêu rõ rệt",
              "below_peers": "Thấp hơn mặt bằng chung rõ rệt", "bottom_rank": "Nhóm cuối bảng xếp hạng"}
FLAG_KINDS_SHORT = {"rule": "Vi phạm quy định", "below_target": "Dưới chỉ tiêu", "below_peers": "Dưới mặt bằng chung",
                    "bottom_rank": "Cuối bảng xếp hạng"}
RULE_LABELS = {"late_without_apology": "Hồ sơ trễ hẹn chưa có thư xin lỗi",
               "pending_overdue": "Hồ sơ đang giải quyết đã quá hạn",
               "petition_overdue": "Đơn thư quá hạn chưa giải quyết",
               "no_dialogue_12m": "Không tổ chức đối thoại trong 12 tháng", "composite": "Điểm tổng hợp"}
PERIOD_KINDS = {"nam": "Năm", "quy": "Quý", "thang": "Tháng", "tuy_chon": "Tùy chọn"}
STRUCTURES = {"auto": "Tự động theo kỳ", **ERA_LABELS_VI}
GROUP_LABELS = {"legacy": "Huyện/thị xã/thành phố", "2025": "Địa bàn huyện cũ"}
COMMUNE_LABELS = {"legacy": "Xã/phường/thị trấn", "2025": "Xã/phường"}
NA = "N/A"


# ---------------------------------------------------------------- formatting
def _missing(x) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def md_escape(text: str) -> str:
    """Text from users' files (a file name, a sheet name) inside markdown, shown as typed: no link,
    no emphasis, no HTML."""
    return re.sub(r"([\\`*_{}\[\]()#+\-.!|<>~:$])", r"\\\1", str(text))


def fmt_num(x, decimals: int = 1) -> str:
    """1234.5 -> '1.234,5' (Vietnamese separators)."""
    if _missing(x):
        return NA
    text = f"{x:,.{decimals}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def fmt_int(x) -> str:
    return NA if _missing(x) else fmt_num(round(x), 0)


def fmt_pct(x, decimals: int = 1) -> str:
    return NA if _missing(x) else f"{fmt_num(x, decimals)} %"


def fmt_date(d) -> str:
    if d is None:
        return ""
    if isinstance(d, str):
        d = dt.date.fromisoformat(d[:10])
    return d.strftime("%d/%m/%Y")


def fmt_delta(now, before, kind: str = "int") -> str | None:
    """Change from the previous period, for st.metric (None when unknown)."""
    if _missing(now) or _missing(before):
        return None
    diff = now - before
    sign = "+" if diff > 0 else ("-" if diff < 0 else "±")
    if kind == "pct":
        return f"{sign}{fmt_num(abs(diff))} điểm % so với kỳ trước"
    if kind == "score":
        return f"{sign}{fmt_num(abs(diff))} điểm so với kỳ trước"
    return f"{sign}{fmt_int(abs(diff))} so với kỳ trước"


def status(value, target) -> str:
    if _missing(value):
        return "na"
    if _missing(target) or value >= target:
        return "good"
    return "watch" if value >= target - WATCH_MARGIN else "weak"


def vocab_label(vocabulary: str, value) -> str:
    from schemas.vocabularies import VOCABULARIES
    if value is None:
        return ""
    key = str(value).lower() if isinstance(value, bool) else str(value)
    return VOCABULARIES[vocabulary].labels_vi.get(key, key)


# ---------------------------------------------------------------- tables
def record_label(kind: str, column: str) -> str:
    from schemas.records import RECORD_SCHEMAS
    return RECORD_SCHEMAS[kind].column(column).label_vi


def display_frame(df: pl.DataFrame, spec: dict[str, tuple[str, str]]) -> pl.DataFrame:
    """Select ``spec``'s columns, format each by kind, rename to its Vietnamese label.

    kinds: text, int, num, pct, date, vocab:<name>.
    """
    out = {}
    for col, (label, kind) in spec.items():
        if col not in df.columns:
            continue
        values = df.get_column(col).to_list()
        if kind == "int":
            out[label] = [fmt_int(v) if v is not None else "" for v in values]
        elif kind == "num":
            out[label] = [fmt_num(v) for v in values]
        elif kind == "pct":
            out[label] = [fmt_pct(v) for v in values]
        elif kind == "date":
            out[label] = [fmt_date(v) for v in values]
        elif kind.startswith("vocab:"):
            out[label] = [vocab_label(kind[6:], v) for v in values]
        else:
            out[label] = ["" if v is None else str(v) for v in values]
    return pl.DataFrame(out, schema={k: pl.String for k in out})


def show_table(df: pl.DataFrame, spec: dict[str, tuple[str, str]], key: str | None = None,
               height: int | None = None, **kwargs) -> None:
    st.dataframe(display_frame(df, spec), hide_index=True, width="stretch", key=key,
                 height=height or "auto", **kwargs)


def xlsx_bytes(df: pl.DataFrame, spec: dict[str, tuple[str, str]], sheet: str = "Dữ liệu") -> bytes:
    """An XLSX with Vietnamese headers; dates stay real dates shown dd/mm/yyyy, numbers stay numbers."""
    import io

    import xlsxwriter

    buf = io.BytesIO()
    cols = [(c, label, kind) for c, (label, kind) in spec.items() if c in df.columns]
    with xlsxwriter.Workbook(buf, WORKBOOK_OPTIONS) as wb:  # text stays text: no formula, no link
        ws = wb.add_worksheet(sheet[:31])
        head = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True})
        date_f, int_f = wb.add_format({"num_format": "dd/mm/yyyy"}), wb.add_format({"num_format": "#,##0"})
        pct_f = wb.add_format({"num_format": "0.0"})
        for j, (_, label, _) in enumerate(cols):
            ws.write(0, j, label, head)
            ws.set_column(j, j, max(12, min(40, len(label) + 4)))
        for i, row in enumerate(df.select([c for c, _, _ in cols]).iter_rows(), start=1):
            for j, ((_, _, kind), v) in enumerate(zip(cols, row)):
                if v is None:
                    continue
                if kind == "date":
                    ws.write_datetime(i, j, dt.datetime.combine(v, dt.time()), date_f)
                elif kind == "int":
                    ws.write_number(i, j, v, int_f)
                elif kind in ("num", "pct"):
                    ws.write_number(i, j, v, pct_f)
                elif kind.startswith("vocab:"):
                    ws.write_string(i, j, vocab_label(kind[6:], v))
                elif isinstance(v, str):
                    ws.write_string(i, j, v)
                else:
                    ws.write(i, j, v)
        ws.freeze_panes(1, 0)
    return buf.getvalue()


# ---------------------------------------------------------------- empty states, help
def empty(what: str, how: str = "Hãy nạp tệp xuất từ phần mềm của xã ở trang **Dữ liệu** "
          "(hoặc chạy `dvcq ingest <thư mục> --db <kho>`).") -> None:
    st.info(f"**{what}.** {how}", icon=":material/info:")


INDICATOR_SPEC = {
    "unit_name": ("Đơn vị", "text"), "label": ("Chỉ số", "text"), "numerator": ("Tử số", "int"),
    "denominator": ("Mẫu số", "int"), "value": ("Giá trị (%)", "num"), "interval": ("Khoảng tin cậy 95 %", "text"),
    "target": ("Chỉ tiêu (%)", "num"), "state": ("Đánh giá", "text"), "rank": ("Hạng", "text"),
}


def with_interval(df: pl.DataFrame) -> pl.DataFrame:
    """Adds 'interval' (\"a – b\") and 'state' (Đạt / Cần theo dõi / Yếu / N/A) text columns."""
    interval = [f"{fmt_num(lo)} – {fmt_num(hi)}" if lo is not None and hi is not None else ""
                for lo, hi in zip(df["ci_low"], df["ci_high"])]
    state = [STATUS_LABELS[status(v, t)].split(" (")[0] if ind != "composite" else ""
             for v, t, ind in zip(df["value"], df["target"], df["indicator"])]
    return df.with_columns(pl.Series("interval", interval, pl.String), pl.Series("state", state, pl.String))


def indicator_label(indicator: str) -> str:
    cfg = data.config()
    return cfg.indicators[indicator].label if indicator in cfg.indicators else RULE_LABELS.get(indicator, indicator)


def commune_labels(communes: pl.DataFrame) -> dict[str, str]:
    """commune_code -> label, unique in the list: a name shared by two communes gets its district added."""
    counts = communes.group_by("commune_name").len()
    shared = set(counts.filter(pl.col("len") > 1)["commune_name"])
    return {c: (f"{n} ({d})" if n in shared else n)
            for c, n, d in communes.select("commune_code", "commune_name", "district_name").iter_rows()}


def unit_links(codes: list[str], fragment: bool = True) -> dict[str, str]:
    """Relative links to the Đơn vị page for communes (5 digits) or districts, keeping the period filters.

    Bound widgets keep their shown label in the URL, so a link carries names, not codes; the commune
    label is the one the sidebar shows within the commune's district.
    """
    from urllib.parse import urlencode
    base = {k: v for k, v in st.query_params.to_dict().items() if k not in ("xa", "huyen")}
    units = data.units()
    districts = dict(units.select("district_code", "district_name").unique().iter_rows())
    labels: dict[str, str] = {}
    wanted = {c for c in codes if len(c) == 5}
    if wanted:
        for (_,), part in units.group_by("district_code"):
            labels |= {k: v for k, v in commune_labels(part).items() if k in wanted}
    district_of = dict(units.select("commune_code", "district_code").iter_rows())
    links = {}
    for code in set(codes):
        if len(code) == 5:
            params = base | {"huyen": districts[district_of[code]], "xa": labels[code]}
            name = labels[code]
        else:
            params = base | {"huyen": districts.get(code, code)}
            name = districts.get(code, code)
        links[code] = f"./don_vi?{urlencode(params)}" + (f"#{name}" if fragment else "")
    return links


def unit_link(code: str, name: str, fragment: bool = True) -> str:
    return unit_links([code], fragment)[code]


def indicator_help(indicator: str) -> str:
    ind = data.config().indicators[indicator]
    return f"{ind.explanation} Chỉ tiêu: {fmt_pct(ind.target, 0)}."


def indicator_explanations(indicators: list[str] | None = None) -> None:
    from schemas.config import ALL_RATES
    cfg = data.config()
    with st.expander("Cách tính các chỉ số (theo tệp cấu hình)"):
        for name in indicators or ALL_RATES:
            ind = cfg.indicators[name]
            group = cfg.groups[ind.group].label if ind.group else "chỉ số bổ trợ"
            st.markdown(f"**{ind.label}** ({group}; chỉ tiêu {fmt_pct(ind.target, 0)}): {ind.explanation}")
        st.caption(f"Điểm tổng hợp: trung bình có trọng số của các chỉ số có giá trị; không xếp hạng khi "
                   f"dưới {cfg.min_indicators_ranked} chỉ số có giá trị. Màu: xanh = đạt chỉ tiêu, cam nhạt = "
                   f"dưới chỉ tiêu không quá {fmt_int(WATCH_MARGIN)} điểm, nâu cam = thấp hơn nữa, xám = N/A.")


# ---------------------------------------------------------------- filters
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
        lo, hi, plo, phi, label = _bounds(kind, value)
        if lo <= last < hi:  # the data stop inside the period: compare like with like
            hi, phi = last, plo + (last - lo)
            label += f" (dữ liệu đến {fmt_date(last)})"
    at_end = sb.toggle("Tính tồn đọng đến cuối kỳ", value=True, key="cuoi_ky", bind="query-params",
                       help="Hồ sơ, đơn thư quá hạn được tính đến cuối kỳ (hoặc ngày dữ liệu mới nhất).")
    as_of = None if at_end else sb.date_input("Ngày tính tồn đọng", value=last, min_value=dt.date(2000, 1, 1),
                                              format="DD/MM/YYYY", key="ngay", bind="query-params")
    era = _structure(sb, hi)
    units = data.units()
    districts = units.select("district_code", "district_name").unique().sort("district_code")
    dnames = dict(districts.iter_rows())
    district = sb.selectbox(GROUP_LABELS[era], list(dnames), index=None, format_func=dnames.get,
                            placeholder="Toàn tỉnh", key="huyen", bind="query-params")
    communes = units if district is None else units.filter(pl.col("district_code") == district)
    cnames = commune_labels(communes)
    if st.session_state.get("xa") not in (None, *cnames):
        st.session_state["xa"] = None
    commune = sb.selectbox(COMMUNE_LABELS[era], list(cnames), index=None, format_func=cnames.get,
                           placeholder="Tất cả", key="xa", bind="query-params")
    if commune and district is None:
        district = units.filter(pl.col("commune_code") == commune).item(0, "district_code")
    sb.caption(f"Dữ liệu từ {fmt_date(first)} đến {fmt_date(last)}. Đường dẫn trang giữ nguyên bộ lọc.")
    filters = Filters(kind, lo, hi, as_of or min(hi, last), plo, phi, label, district, commune, era)
    return filters


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


def predecessors_caption(rows: pl.DataFrame) -> None:
    """Under a 2025 commune's name: the legacy communes merged into it (a split one 'một phần')."""
    if rows.is_empty():
        return
    parts = [f"{name} ({district})" + ("" if not split else " — một phần" + ("" if default else
             ", số liệu cũ tính cho xã kế thừa khác"))
             for name, district, default, split in rows.select("commune_name", "district_name", "is_default",
                                                                 "split").iter_rows()]
    st.caption(f"Hợp nhất từ {fmt_int(len(parts))} xã cũ (trước 01/07/2025): " + "; ".join(parts) + ". "
               "Số liệu trước 01/07/2025 của xã mới là tổng của các xã cũ này (xã cũ bị chia tách được tính "
               "cho xã kế thừa mặc định).")


def in_structure(spec: dict[str, tuple[str, str]], era: Era) -> dict[str, tuple[str, str]]:
    """A table spec whose commune and district headers say what they are in the view's structure."""
    names = {"district_name": GROUP_LABELS[era], "commune_name": COMMUNE_LABELS[era]}
    return {k: (names.get(k, label), fmt) for k, (label, fmt) in spec.items()}


def crosses_reform(era: Era, first: dt.date, last: dt.date) -> bool:
    """A 2025-structure series that starts before the reform: its early points are predecessors' sums."""
    return era == "2025" and first < REFORM_DATE <= last


def page(title: str, caption: str | None = None) -> Filters | None:
    """Title + filters; None (after an explanatory empty state) when there is no warehouse yet."""
    st.title(title)
    if not data.has_warehouse():
        empty("Chưa có kho dữ liệu", "Hãy nạp tệp xuất từ phần mềm của xã ở trang **Dữ liệu**, hoặc chạy "
              "`dvcq ingest data/sample --db data/dvcq.duckdb` rồi tải lại trang.")
        return None
    if not data.is_current():
        empty("Kho dữ liệu do phiên bản cũ của dvcq tạo", "Hãy chạy `.venv/bin/dvcq upgrade` (không nạp gì mới: "
              "chỉ thêm danh mục đơn vị hai thời kỳ) rồi tải lại trang.")
        return None
    if not data.has_records():
        empty("Kho dữ liệu chưa có hồ sơ, đơn thư, thư, hội nghị hay phiếu khảo sát nào")
        return None
    filters = sidebar()
    scope = data.unit_name(filters.commune or filters.district) if (filters.commune or filters.district) \
        else data.province_name()
    st.caption(f"{caption + ' · ' if caption else ''}{scope} · {filters.label} · {ERA_SHORT_VI[filters.era]} · "
               f"tồn đọng tính đến {fmt_date(filters.as_of)}")
    return filters


def engine_missing(exc: Exception) -> None:
    empty("Bộ tính chỉ số chưa sẵn sàng", f"Trang này cần mô-đun tính chỉ số của hệ thống ({exc}). "
          "Các trang Dữ liệu và Khám phá vẫn dùng được.")
