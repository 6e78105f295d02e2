"""So sánh: heatmap units x 12 indicators, sortable table with intervals, two to five units side by side."""

import polars as pl
import streamlit as st

from dashboard import charts, chrome, data
from schemas.config import SCORED_INDICATORS

f = chrome.page("So sánh các đơn vị", "12 chỉ số «5 biết, 3 không, 4 thể hiện»")
if f is not None:
    cfg = data.config()
    units = data.units().select("district_code", "district_name").unique().sort("district_code")
    names = dict(units.iter_rows())
    group = "huyện" if f.era == "legacy" else "địa bàn huyện cũ"
    chosen = st.multiselect(f"So sánh các xã của {group} (để trống: so sánh các {group})", list(names),
                            default=[f.district] if f.district else [], format_func=names.get, key="ss_huyen",
                            placeholder=f"Chọn {group}…")
    level = "commune" if chosen else "district"
    table = data.indicators(level, f.period).filter(pl.col("indicator").is_in(SCORED_INDICATORS))
    if chosen:
        table = table.filter(pl.col("district_code").is_in(chosen))
    if table["value"].is_null().all():
        chrome.empty(f"Chưa có chỉ số nào có giá trị trong {f.label.lower()}", "Hãy chọn kỳ khác ở thanh bên.")
    else:
        labels = [cfg.indicators[i].label for i in SCORED_INDICATORS]
        order = (data.indicators(level, f.period).filter(pl.col("indicator") == "composite")
                 .filter(pl.col("unit_code").is_in(table["unit_code"].unique().to_list()))
                 .sort("value", descending=True, nulls_last=True)["unit_name"].to_list())
        st.subheader("Bản đồ nhiệt: giá trị so với chỉ tiêu")
        st.plotly_chart(charts.heatmap(table, order, labels), key="heatmap")
        chrome.indicator_explanations(list(SCORED_INDICATORS))

        st.subheader("Bảng chi tiết")
        c1, c2, c3 = st.columns([2, 2, 1])
        pick = c1.selectbox("Chỉ số", ["all", *SCORED_INDICATORS], format_func=lambda i: "Tất cả chỉ số" if i == "all"
                            else cfg.indicators[i].label, key="ss_chiso")
        sorts = {"value": "Giá trị", "gap": "Chênh lệch so với chỉ tiêu", "denominator": "Mẫu số", "unit_name": "Tên đơn vị"}
        by = c2.selectbox("Sắp xếp theo", list(sorts), format_func=sorts.get, key="ss_sort")
        desc = c3.toggle("Giảm dần", value=True, key="ss_desc")
        rows = table if pick == "all" else table.filter(pl.col("indicator") == pick)
        rows = chrome.with_interval(rows.sort(by, descending=desc, nulls_last=True))
        chrome.show_table(rows, chrome.INDICATOR_SPEC, key="ss_table", height=420)

        st.subheader("So sánh trực tiếp từ 2 đến 5 đơn vị")
        pick_units = st.multiselect("Chọn đơn vị", order, default=order[:2], max_selections=5, key="ss_units",
                                    placeholder="Chọn từ 2 đến 5 đơn vị…")
        if len(pick_units) < 2:
            st.info("Hãy chọn ít nhất 2 đơn vị để so sánh.")
        else:
            tabs = st.tabs([g.label for g in cfg.groups.values()])
            for tab, gid in zip(tabs, cfg.groups):
                part = table.filter(pl.col("group") == gid, pl.col("unit_name").is_in(pick_units))
                part = part.sort(pl.col("unit_name").replace_strict({u: i for i, u in enumerate(pick_units)}))
                tab.plotly_chart(charts.grouped_bars(part, f"Nhóm «{cfg.groups[gid].label}» (%)"), key=f"cmp_{gid}")
