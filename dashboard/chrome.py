"""Shared chrome for every page: title and filters, colours and status bands, empty states, help texts,
links between pages and tables. Formatting lives in ``dashboard.formatting``, the filters in
``dashboard.filters``, every label of a measure, flag or level in ``schemas.catalog``.
"""

from __future__ import annotations

import datetime as dt
import json
from urllib.parse import urlencode

import polars as pl
import streamlit as st

from dashboard import access, data, links
from dashboard.connection import config, has_warehouse, is_current
from dashboard.filters import Filters, sidebar
from dashboard.formatting import display_frame, fmt_date, fmt_int, fmt_num, fmt_pct, xlsx_bytes
from schemas.admin_unit import ERA_SHORT_VI, REFORM_DATE, Era
from schemas.catalog import (COMPOSITE, COMPOSITE_LABEL, FEW_RECORDS, INDICATOR_COUNT, LEVEL_LABELS, LEVEL_WORDS, NOT_SENT,
                             OUTPUT_LABELS,
                             STATUS_LABELS, WATCH_MARGIN, rule_labels)
from schemas.config import ALL_RATES
from schemas.records import RECORD_SCHEMAS

# Colour-blind-safe (blue / orange, ColorBrewer PuOr-like); the same three everywhere.
GOOD, WATCH, WEAK, NA_COLOUR = "#2166AC", "#F1A340", "#B35806", "#D9D9D9"
STATUS_COLOURS = {"good": GOOD, "watch": WATCH, "weak": WEAK, "na": NA_COLOUR}
# Composite 50..100: orange through lilac to blue. Every colour on it stays saturated and far from
# NA_COLOUR (RGB distance above 100), so a ranked bar with a middling score never reads as the grey of
# "not ranked"; the light blue it used to pass through (214,220,215 at a score near 85) did.
SCORE_SCALE = [[0.0, WEAK], [0.5, WATCH], [0.75, "#9E7BD0"], [1.0, GOOD]]
# Units and indicators side by side: hues none of the status colours above use, so a unit's colour
# never reads as "meets target" or "weak" (Dark2-like, without its orange and grey).
SERIES = ["#1B9E77", "#7570B3", "#E7298A", "#66A61E", "#17BECF", "#542788", "#BCBD22", "#8C6D31"]

BUCKET_COLOURS = ["#FDB863", "#E08214", "#B35806", "#7F3B08"]  # light to dark: older is darker
_UNIT = LEVEL_LABELS["legacy"]  # the commune and district headers; in_structure() words them for the view's structure


def record_label(kind: str, column: str) -> str:
    """A record column's Vietnamese header, from the schemas."""
    return RECORD_SCHEMAS[kind].column(column).label_vi


BACKLOG_SPEC = {  # what a phone shows without scrolling comes first
    "commune_name": (_UNIT["commune"], "text"), "days_overdue": (OUTPUT_LABELS["days_overdue"], "int"),
    "kind_vi": (OUTPUT_LABELS["record_kind"], "text"), "record_id": (OUTPUT_LABELS["record_id"], "text"),
    "due_date": (OUTPUT_LABELS["due_date"], "date"), "received_date": (record_label("dossier", "received_date"), "date"),
    "district_name": (_UNIT["district"], "text"), "bucket": (OUTPUT_LABELS["bucket"], "text"),
    "sector": (record_label("dossier", "sector"), "text"), "procedure": (record_label("dossier", "procedure"), "text"),
    "petition_kind_vi": (record_label("petition", "kind"), "text"), "field": ("Lĩnh vực đơn", "text"),
}

DUE_SOON_SPEC = {  # the backlog's columns, with the working days left (and the item's window) for the days overdue
    "commune_name": (_UNIT["commune"], "text"), "working_days_left": (OUTPUT_LABELS["working_days_left"], "int"),
    **{k: v for k, v in BACKLOG_SPEC.items() if k not in ("commune_name", "days_overdue", "bucket", "district_name")},
    "window_working_days": (OUTPUT_LABELS["window_working_days"], "int"), "district_name": (_UNIT["district"], "text"),
}

REMINDER_SPEC = {
    "commune_name": (_UNIT["commune"], "text"), "kind_vi": (OUTPUT_LABELS["submission_kind"], "text"),
    "months_missing": ("Các tháng chưa gửi", "text"), "missing": ("Số kỳ chưa gửi", "int"),
    "first_due": ("Hạn gửi sớm nhất đã qua", "date"), "months_late": ("Các tháng gửi muộn", "text"),
    "district_name": (_UNIT["district"], "text"),
}


def status(value, target) -> str:
    if value is None:
        return "na"
    if target is None or value >= target:
        return "good"
    return "watch" if value >= target - WATCH_MARGIN else "weak"


# ---------------------------------------------------------------- tables
def export_notes(f: Filters, stocks: bool = False, chosen: str | None = None) -> tuple[str, ...]:
    """What an exported sheet holds, written inside it: scope, period, structure, as-of day, the page's
    own choices (``chosen``), export day."""
    scope = data.unit_name(f.commune or f.district) if (f.commune or f.district) else data.province_name()
    notes = [f"Phạm vi: {scope} · Kỳ: {f.label} · {ERA_SHORT_VI[f.era]}"]
    if stocks:
        notes.append(f"Tồn đọng tính đến ngày {fmt_date(f.as_of)}")
    if chosen:
        notes.append(f"Lọc: {chosen}")
    notes.append(f"Xuất từ dvcq ngày {fmt_date(dt.date.today())}")
    return tuple(notes)


def export_button(container, frame: pl.DataFrame, spec: dict[str, tuple[str, str]], title: str, f: Filters,
                  file_stem: str, label: str = "Tải bảng (XLSX)", stocks: bool = False, chosen: str | None = None,
                  sheet: str | None = None) -> None:
    """An XLSX download of a table with its title, scope, period and filters written inside the sheet. The
    sheet is named ``sheet``, else the title when it fits Excel's 31 characters, else its words that fit.

    ``frame`` is what the page shows, read through ``dashboard.data`` and so already limited to the account's
    scope; each download is written to the audit trail (file name and rows) by the click's callback, which
    runs in the account's session (the workbook itself is built apart from it)."""
    sheet = sheet or (title if len(title) <= 31 else title[:32].rsplit(" ", 1)[0])
    unit = f.commune or f.district or "toan_tinh"
    stamp = f"{f.as_of:%Y%m%d}" if stocks else f"{f.date_from:%Y%m%d}_{f.date_to:%Y%m%d}"
    file_name = f"{file_stem}_{unit}_{stamp}.xlsx"
    # The workbook is written when the button is pressed, not on every run of the page.
    container.download_button(label, lambda: xlsx_bytes(frame, spec, sheet, title, export_notes(f, stocks, chosen)),
                              file_name=file_name, icon=":material/download:",
                              mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                              key=f"xlsx_{file_stem}", on_click=access.record, args=("export",),
                              kwargs={"file": file_name, "rows": frame.height})


def withheld_note(withheld: int) -> None:
    """Under a list that leaves denunciations out (``data.withheld``): how many, and that the counts hold them;
    nothing when none is left out."""
    if withheld:
        st.caption(f":material/visibility_off: {fmt_int(withheld)} đơn tố cáo không hiển thị từng đơn trong danh "
                   f"sách (vai trò của bạn chỉ xem số lượng đơn tố cáo); các số đếm đã tính cả những đơn này.")


def show_table(df: pl.DataFrame, spec: dict[str, tuple[str, str]], key: str | None = None,
               height: int | None = None, **kwargs):
    """A table with Vietnamese headers and display strings; returns what ``st.dataframe`` returns
    (the selection when ``on_select`` is given)."""
    return st.dataframe(display_frame(df, spec), hide_index=True, width="stretch", key=key,
                 height=height or "auto", **kwargs)


# ---------------------------------------------------------------- empty states, help
def empty(what: str, how: str = "Hãy nạp tệp xuất từ phần mềm của xã ở trang **Dữ liệu** "
          "(hoặc chạy `dvcq ingest <thư mục> --db <kho>`).") -> None:
    st.info(f"**{what}.** {how}", icon=":material/info:")


INDICATOR_SPEC = {column: (OUTPUT_LABELS[column], kind) for column, kind in {
    "unit_name": "text", "label": "text", "numerator": "int", "denominator": "int", "value": "num",
    "interval": "text", "target": "num", "state": "text", "points": "num", "why_na": "text", "rank": "text"}.items()}


DRILL_SPEC = {
    "in_numerator": ("Tính vào tử số", "vocab:yes_no"), "in_denominator": ("Tính vào mẫu số", "vocab:yes_no"),
    "kind_vi": (OUTPUT_LABELS["record_kind"], "text"), "record_id": ("Mã bản ghi", "text"),
    "commune_name": (_UNIT["commune"], "text"),
    "record_date": ("Ngày ghi nhận", "date"), "due_date": ("Hạn", "date"),
    "closed_date": ("Ngày trả kết quả / giải quyết", "date"), "status": (record_label("dossier", "status"), "text"),
    "detail": ("Chi tiết", "text"), "den_count": ("Số tính vào mẫu số", "int"), "num_count": ("Số tính vào tử số", "int"),
}


def drill_spec(records: pl.DataFrame, era: Era) -> dict[str, tuple[str, str]]:
    """DRILL_SPEC for the records of one indicator, the id headed as its record kind names it."""
    kinds = [k for k in records["record_kind"].unique().to_list() if k in RECORD_SCHEMAS]
    spec = in_structure(DRILL_SPEC, era)
    if len(kinds) == 1:
        schema = RECORD_SCHEMAS[kinds[0]]
        spec["record_id"] = (schema.column(schema.id_column).label_vi, "text")
    return spec


def with_interval(df: pl.DataFrame) -> pl.DataFrame:
    """Adds 'interval' (\"a – b\") and 'state' (Đạt / Cần theo dõi / Yếu / N/A) text columns."""
    interval = [f"{fmt_num(lo)} – {fmt_num(hi)}" if lo is not None and hi is not None else ""
                for lo, hi in zip(df["ci_low"], df["ci_high"])]
    missing = df["missing"] if "missing" in df.columns else [None] * df.height
    state = ["" if ind == COMPOSITE else "Chưa gửi số liệu (0 điểm)" if m == NOT_SENT
             else STATUS_LABELS[status(v, t)].split(" (")[0]
             for v, t, ind, m in zip(df["value"], df["target"], df["indicator"], missing)]
    return df.with_columns(pl.Series("interval", interval, pl.String), pl.Series("state", state, pl.String))


def indicator_label(indicator: str) -> str:
    cfg = config()
    return cfg.indicators[indicator].label if indicator in cfg.indicators else rule_labels(cfg).get(indicator, indicator)


UNIT_PAGE, UNIT_PATH = "pages/don_vi.py", "don_vi"  # the script and its address (dashboard/app.py)


def unit_view(code: str) -> dict[str, str]:
    """The link of the current view (period, as-of, structure) moved to one unit (``don_vi`` = its code)."""
    shown = {k: v for k, v in st.query_params.to_dict().items() if k in links.SIDEBAR_PARAMETERS}
    return shown | {"don_vi": code}


def unit_page_link(container, code: str, name: str) -> None:
    """A link to the unit's Đơn vị page in this tab (Back returns here), keeping the period."""
    container.page_link(UNIT_PAGE, label=name, query_params=unit_view(code))


def coverage_text(row: dict, era: Era, short: bool = False) -> str:
    """What a unit's score rests on: "6/47 xã gửi dữ liệu · 12/12 chỉ số tính điểm, 4 chỉ số 0 điểm vì chưa gửi
    phiếu khảo sát hài lòng" (the communes part for districts, areas and the province); ``short`` keeps the
    counts (chart labels): "12/12 chỉ số · 4 chưa gửi"."""
    sent, counted = ("", " chỉ số") if short else (" gửi dữ liệu", " chỉ số tính điểm")
    parts = [] if row["level"] == "commune" else [
        f"{fmt_int(row['reporting_communes'])}/{fmt_int(row['communes'])} {LEVEL_WORDS[era]['commune']}{sent}"]
    basis = f"{row['coverage']}/{INDICATOR_COUNT}{counted}"
    not_sent = [i for i in (row.get("not_sent") or "").split(",") if i]
    if not_sent and short:
        basis += f" · {len(not_sent)} chưa gửi"
    elif not_sent:
        kinds = data.kind_labels()
        what = sorted({kinds[config().indicators[i].requires] for i in not_sent})
        basis += f", {len(not_sent)} chỉ số 0 điểm vì chưa gửi đủ {', '.join(what)}"
    return " · ".join([*parts, basis])


RANKING_SPEC = {
    "rank": (OUTPUT_LABELS["rank"], "text"), "commune_name": (_UNIT["commune"], "text"), "value": (COMPOSITE_LABEL, "num"),
    "basis": (OUTPUT_LABELS["basis"], "text"), "district_name": (_UNIT["district"], "text"),
}


def with_basis(ranking: pl.DataFrame, era: Era) -> pl.DataFrame:
    """A ranking's ``rank`` as shown (the place, or why the unit is not ranked) and ``basis``: what its score
    rests on."""
    rows = ranking.to_dicts()
    return ranking.with_columns(
        rank=pl.Series([str(r["rank_province"]) if r["ranked"] else f"chưa xếp hạng: {unranked_reason(r, era)}"
                        for r in rows], dtype=pl.String),
        basis=pl.Series([coverage_text(r, era) for r in rows], dtype=pl.String))


def unranked_reason(row: dict, era: Era) -> str:
    """Why a unit with a composite value is left out of the ranking (the configuration's thresholds)."""
    cfg, why = config(), []
    if row["coverage"] < cfg.min_indicators_ranked:
        why.append(f"chỉ {row['coverage']}/{INDICATOR_COUNT} chỉ số tính điểm (cần {cfg.min_indicators_ranked})")
    if row["level"] != "commune" and \
            row["reporting_communes"] * 100 < row["communes"] * cfg.min_communes_reporting_ranked:
        why.append(f"chỉ {fmt_int(row['reporting_communes'])}/{fmt_int(row['communes'])} "
                   f"{LEVEL_WORDS[era]['commune']} gửi dữ liệu (cần {fmt_pct(cfg.min_communes_reporting_ranked, 0)})")
    return "; ".join(why) or "chưa có giá trị"


def clicked_unit(event) -> str | None:
    """The unit code of the point or bar a user clicked in a chart drawn with ``customdata[0]`` = code."""
    points = event.selection.points if event and event.selection else []
    for point in points:
        data_ = point.get("customdata")
        if data_:
            return data_[0]
    return None


def open_unit(code: str) -> None:
    """Go to the unit's Đơn vị page in this tab: what a click on a bar, a cell, a point or a row does.

    The browser is sent there as its Back and Forward buttons would send it (one history entry for the
    unit's page, then the event Streamlit follows on Back), not with ``st.switch_page``: that first writes
    the unit's parameters into the address of the page being left, so Back returned to that page
    filtered to the unit instead of the view that was left.
    """
    st.html(navigation_script(f"{UNIT_PATH}?{urlencode(unit_view(code))}"), unsafe_allow_javascript=True)


def navigation_script(address: str) -> str:
    """The script that moves this tab to ``address`` (a page's path and query). The address is written as
    a JSON string with '<', '>' and '&' escaped, so no value in it (a unit code comes back from the
    browser in a chart's selection) can end the script or add markup."""
    quoted = json.dumps(address).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return f"<script>history.pushState({{}}, '', {quoted}); dispatchEvent(new PopStateEvent('popstate'));</script>"


def indicator_help(indicator: str) -> str:
    ind = config().indicators[indicator]
    return f"{ind.explanation} Chỉ tiêu: {fmt_pct(ind.target, 0)}."


def indicator_explanations(indicators: list[str] | None = None) -> None:
    # Written only when opened (a rerun then): closed, its text would still be sent and laid out by
    # every visitor's browser.
    with st.expander("Cách tính các chỉ số (theo tệp cấu hình)", key="cach_tinh", on_change="rerun") as box:
        if not box.open:
            return
        cfg, paragraphs = config(), []
        for name in indicators or ALL_RATES:
            ind = cfg.indicators[name]
            group = cfg.groups[ind.group].label if ind.group else "chỉ số bổ trợ"
            paragraphs.append(f"**{ind.label}** ({group}; chỉ tiêu {fmt_pct(ind.target, 0)}): {ind.explanation}")
        st.markdown("\n\n".join(paragraphs))  # one element, not one per indicator: each costs the browser
        st.caption(f"Điểm tổng hợp: trung bình có trọng số của các chỉ số có giá trị; không xếp hạng khi "
                   f"dưới {cfg.min_indicators_ranked} chỉ số có giá trị. Màu: xanh = đạt chỉ tiêu, cam nhạt = "
                   f"dưới chỉ tiêu không quá {fmt_int(WATCH_MARGIN)} điểm, nâu cam = thấp hơn nữa, xám = N/A.")


def few_records_note() -> None:
    """Under a trend: what its grey dots mean."""
    st.caption(f"Chấm xám không nối vào đường, ghi kèm tử số/mẫu số: kỳ có dưới {fmt_int(FEW_RECORDS)} bản ghi, "
               f"tỷ lệ chưa đủ để kết luận (di chuột vào mỗi điểm để xem tử số/mẫu số).")


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
    names = {"district_name": LEVEL_LABELS[era]["district"], "commune_name": LEVEL_LABELS[era]["commune"]}
    return {k: (names.get(k, label), fmt) for k, (label, fmt) in spec.items()}


def crosses_reform(era: Era, first: dt.date, last: dt.date) -> bool:
    """A 2025-structure series that starts before the reform: its early points are predecessors' sums."""
    return era == "2025" and first < REFORM_DATE <= last


NO_TOOLBAR = {"displayModeBar": False}  # a chart's config where Plotly's toolbar would cover its legend on a phone
NARROW = 640  # px: below this width a page shows the narrow form of a block that has two


def narrow_or_wide(name: str) -> None:
    """Show the container keyed ``narrow_<name>`` on a screen narrower than ``NARROW`` pixels and the one
    keyed ``wide_<name>`` on a wider one (CSS media queries: Streamlit does not know the screen's width)."""
    st.html(f"<style>@media (max-width: {NARROW - 1}px) {{ .st-key-wide_{name} {{ display: none; }} }}"
            f"@media (min-width: {NARROW}px) {{ .st-key-narrow_{name} {{ display: none; }} }}</style>")


def page(title: str, caption: str | None = None) -> Filters | None:
    """Title + filters; None (after an explanatory empty state) when there is no warehouse yet."""
    st.title(title)
    if not has_warehouse():
        empty("Chưa có kho dữ liệu", "Hãy nạp tệp xuất từ phần mềm của xã ở trang **Dữ liệu**, hoặc chạy "
              "`dvcq ingest data/sample --db data/dvcq.duckdb` rồi tải lại trang.")
        return None
    if not is_current():
        empty("Kho dữ liệu cần cập nhật", "Kho do phiên bản cũ của dvcq tạo, hoặc tệp cấu hình đã đổi thời hạn "
              "giải quyết đơn thư. Hãy chạy `.venv/bin/dvcq upgrade` (không nạp gì mới: tính lại danh mục đơn vị "
              "hai thời kỳ và các bảng số liệu tổng hợp) rồi tải lại trang.")
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
