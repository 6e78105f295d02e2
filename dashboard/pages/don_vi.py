"""Đơn vị: one commune or district: scorecard with intervals and targets, rank, flags, what falls due soon, quarterly
trends, drill-down."""

import polars as pl
import streamlit as st

from dashboard import charts, chrome, data, formatting
from dashboard.filters import page_control
from dashboard.report import report_button
from schemas.catalog import COMPOSITE, COMPOSITE_LABEL, INDICATOR_COUNT, LEVEL_WORDS
from schemas.config import SCORED_INDICATORS

DUE_SOON_SHOWN = 5  # the short list: the whole one is on Tồn đọng

f = chrome.page("Đơn vị", "Thẻ điểm của một xã, một huyện hoặc một địa bàn huyện cũ")
if f is not None and not (f.commune or f.district):
    group = LEVEL_WORDS[f.era]["district"]
    st.info(f"Hãy chọn một {group} hoặc một xã ở thanh bên trái, hoặc bấm một {group} dưới đây.")
    cols = st.columns(3)
    for i, (code, name) in enumerate(data.own_districts().items()):
        chrome.unit_page_link(cols[i % 3], code, name)
elif f is not None:
    level, unit = data.scope(f.district, f.commune)
    table = data.unit_rows(data.indicators(level, f.period), unit)
    head, action = st.columns([4, 1])
    head.header(data.unit_name(unit))
    report_button(f, action)
    if f.era == "2025" and level == "commune":
        chrome.predecessors_caption(data.predecessors(unit))
    comp = table.filter(pl.col("indicator") == COMPOSITE).row(0, named=True)
    in_province, in_district = data.ranked_counts(level, f.period, comp["district_code"] if level == "commune" else None)
    c = st.columns(4)
    basis = chrome.coverage_text(comp, f.era)
    c[0].metric(COMPOSITE_LABEL, formatting.fmt_num(comp["value"]), border=True, help=f"Dựa trên {basis}.")
    unranked = {} if comp["ranked"] else {"delta": "chưa xếp hạng", "delta_arrow": "off", "delta_color": "off"}
    why = f"Chưa xếp hạng: {chrome.unranked_reason(comp, f.era)}." if not comp["ranked"] else f"Dựa trên {basis}."
    c[1].metric("Hạng trong tỉnh", f"{comp['rank_province']}/{in_province}" if comp["ranked"] else "—", border=True,
                help=why, **unranked)
    if level == "commune":
        c[2].metric(f"Hạng trong {LEVEL_WORDS[f.era]['district']}", f"{comp['rank_district']}/{in_district}"
                    if comp["ranked"] else "—", border=True, help=why, **unranked)
    c[3].metric("Chỉ số tính điểm", f"{comp['coverage']}/{INDICATOR_COUNT}", border=True, help=f"Dựa trên {basis}.")

    scored = chrome.with_interval(table.filter(pl.col("indicator").is_in([*SCORED_INDICATORS, "hai_long"])))
    left, right = st.columns([3, 2])
    left.plotly_chart(charts.scorecard(scored, f"{INDICATOR_COUNT} chỉ số và mức độ hài lòng — {f.label}"), key="dv_score")
    with right:
        flags = data.unit_rows(data.flags(level, f.period), unit)
        st.markdown(f"**Cảnh báo ({formatting.fmt_int(len(flags))})**")
        if flags.is_empty():
            st.success("Không có cảnh báo nào trong kỳ.")
        with st.container(height=460 if len(flags) > 5 else "content", border=bool(len(flags))):
            for kind, reason in flags.select("kind_vi", "reason").iter_rows():
                st.markdown(f":orange[:material/flag:] **{kind}:** {reason}")
    card_spec = {k: v for k, v in chrome.INDICATOR_SPEC.items() if k != "unit_name"}
    chrome.show_table(scored, card_spec, key="dv_table")
    chrome.export_button(st, scored, card_spec, f"Thẻ điểm {data.unit_name(unit)}", f, "the_diem",
                         label="Tải thẻ điểm (XLSX)")
    chrome.indicator_explanations()

    soon, counted = data.due_soon_items(f.as_of, f.district, f.commune), data.due_soon_counted(f.as_of, f.district, f.commune)
    totals = data.due_soon_totals(counted)
    st.subheader(f"Sắp đến hạn ({formatting.fmt_int(totals['items'])})")
    if not totals["items"]:
        st.success(f"Không có hồ sơ hay đơn thư nào sắp đến hạn tính đến {formatting.fmt_date(f.as_of)}.")
    else:
        st.caption(f"{formatting.fmt_int(totals['dossiers'])} hồ sơ, "
                   f"{formatting.fmt_int(totals['petitions'])} đơn thư chưa quá hạn sắp đến hạn tính "
                   f"đến {formatting.fmt_date(f.as_of)}, ít ngày làm việc còn lại nhất trước"
                   + (f"; {DUE_SOON_SHOWN} việc đầu, trang Tồn đọng có đủ." if len(soon) > DUE_SOON_SHOWN else "."))
        chrome.withheld_note(data.withheld(counted))
        chrome.show_table(soon.head(DUE_SOON_SHOWN), chrome.in_structure(chrome.DUE_SOON_SPEC, f.era), key="dv_due_soon")

    st.subheader("Xu hướng theo quý")
    first = data.date_range()[0]
    trend = data.trend(level, [unit], first, f.date_to, "quarter")
    tabs = st.tabs([g.label for g in data.config().groups.values()] + [data.config().indicators["hai_long"].label])
    for tab, gid in zip(tabs, [*data.config().groups, None]):
        part = trend.filter(pl.col("group") == gid) if gid else trend.filter(pl.col("indicator") == "hai_long")
        if part["value"].is_null().all():
            tab.info("Chưa có dữ liệu theo quý cho nhóm chỉ số này.")
        else:
            tab.plotly_chart(charts.trend_lines(part, "Giá trị theo quý (%)", tickformat="Quý %q/%Y",
                                                reform_note=chrome.crosses_reform(f.era, first, f.date_to)),
                             key=f"dv_tr_{gid}")
    chrome.few_records_note()

    st.subheader("Các bản ghi đằng sau mỗi con số")
    ind = page_control(st.selectbox, "Chọn chỉ số", [*SCORED_INDICATORS, "hai_long"], "chi_so", SCORED_INDICATORS[0],
                       format_func=chrome.indicator_label)
    row = scored.filter(pl.col("indicator") == ind).row(0, named=True)
    st.caption(f"{chrome.indicator_help(ind)} Tử số {formatting.fmt_int(row['numerator'])}, mẫu số "
               f"{formatting.fmt_int(row['denominator'])}.")
    records, withheld = data.drill_down(ind, level, unit, f.period), data.drill_down_withheld(ind, level, unit, f.period)
    if records.is_empty() and not withheld:
        chrome.empty("Không có bản ghi nào cho chỉ số này trong kỳ", "Mẫu số bằng 0 nên chỉ số là N/A.")
    elif not records.is_empty():
        chrome.show_table(records, chrome.drill_spec(records, f.era), key="dv_records", height=400)
    chrome.withheld_note(withheld)
