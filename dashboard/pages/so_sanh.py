"""So sánh: heatmap units x 12 indicators with what each unit rests on, sortable table with intervals and
an XLSX export, two to five units side by side; the page's choices are kept in the link."""

import polars as pl
import streamlit as st

from dashboard import charts, chrome, data
from dashboard.filters import page_control
from schemas.catalog import COMPOSITE, COMPOSITE_LABEL, INDICATOR_COUNT, LEVEL_WORDS, OUTPUT_LABELS
from schemas.config import SCORED_INDICATORS

cfg = data.config()
SLOGAN = f"{INDICATOR_COUNT} chỉ số «{', '.join(g.label for g in cfg.groups.values())}»"
f = chrome.page("So sánh các đơn vị", SLOGAN)
if f is not None:
    head, export = st.columns([3, 1])
    head.subheader("Xếp hạng các xã toàn tỉnh theo điểm tổng hợp")
    ranking = chrome.with_basis(data.commune_ranking(f.period, f.district, f.commune), f.era)
    chrome.export_button(export, ranking, chrome.RANKING_SPEC, "Xếp hạng các xã theo điểm tổng hợp", f, "xep_hang_xa",
                         label="Tải bảng xếp hạng (XLSX)", sheet="Xếp hạng")
    chrome.show_table(ranking, chrome.in_structure(chrome.RANKING_SPEC, f.era), key="ss_ranking", height=360)
    st.caption("Mọi xã đều được so trên cùng một cơ sở: chỉ số cần phiếu khảo sát, hội nghị đối thoại hay sổ hồ sơ mà xã "
               "chưa gửi được tính 0 điểm; chỉ số không có gì để tính (không có hồ sơ trễ hẹn) không tính cho xã nào. "
               "Xã không gửi số liệu không bao giờ được xếp trên xã có gửi.")

    names = data.districts()
    group = LEVEL_WORDS[f.era]["district"]
    chosen = page_control(st.multiselect, f"So sánh các xã của {group} (để trống: so sánh các {group})", list(names),
                          "nhom", [f.district] if f.district else [], many=True, format_func=names.get,
                          placeholder=f"Chọn {group}…")
    level = "commune" if chosen else "district"
    everything = data.indicators(level, f.period)
    if chosen:
        everything = everything.filter(pl.col("district_code").is_in(chosen))
    table = everything.filter(pl.col("indicator").is_in(SCORED_INDICATORS))
    if table["value"].is_null().all():
        chrome.empty(f"Chưa có chỉ số nào có giá trị trong {f.label.lower()}", "Hãy chọn kỳ khác ở thanh bên.")
    else:
        labels = [cfg.indicators[i].label for i in SCORED_INDICATORS]
        composite = (everything.filter(pl.col("indicator") == COMPOSITE)
                     .sort(["ranked", "value"], descending=True, nulls_last=True))
        basis = {row["unit_code"]: chrome.coverage_text(row, f.era, short=True)
                 for row in composite.iter_rows(named=True)}
        rows = [(row["unit_code"], f"{row['unit_name']} ({basis[row['unit_code']]})"
                 + ("" if row["ranked"] else " · chưa xếp hạng")) for row in composite.iter_rows(named=True)]
        st.subheader("Bản đồ nhiệt: giá trị so với chỉ tiêu")
        event = st.plotly_chart(charts.heatmap(table, rows, labels), key="heatmap", on_select="rerun",
                                selection_mode="points")
        if code := chrome.clicked_unit(event):
            chrome.open_unit(code)
        st.caption("Trong ngoặc: số xã gửi dữ liệu, số chỉ số tính điểm và số chỉ số chưa gửi số liệu (0 điểm, ô «chưa gửi»); "
                   "đơn vị chưa đủ dữ liệu để xếp "
                   "hạng xếp cuối. Bấm một ô để mở trang đơn vị.")
        chrome.indicator_explanations(list(SCORED_INDICATORS))

        head, export = st.columns([3, 1])
        head.subheader("Bảng chi tiết")
        c1, c2, c3 = st.columns([2, 2, 1])
        pick = page_control(c1.selectbox, OUTPUT_LABELS["label"], ["all", *SCORED_INDICATORS], "chi_so", "all",
                            format_func=lambda i: "Tất cả chỉ số" if i == "all" else cfg.indicators[i].label)
        sorts = {"value": "Giá trị", "gap": "Chênh lệch so với chỉ tiêu", "denominator": OUTPUT_LABELS["denominator"], "unit_name": "Tên đơn vị"}
        by = page_control(c2.selectbox, "Sắp xếp theo", list(sorts), "sap_xep", "value", format_func=sorts.get)
        directions = {"giam": "Giảm dần", "tang": "Tăng dần"}
        order = page_control(c3.radio, "Chiều", list(directions), "giam_dan", "giam", format_func=directions.get)
        shown = table if pick == "all" else table.filter(pl.col("indicator") == pick)
        scores = composite.select("unit_code", composite_value="value",
                                  composite_rank=pl.when(pl.col("ranked")).then(pl.col("rank_province")))
        shown = chrome.with_interval(shown.sort(by, descending=order == "giam", nulls_last=True)).with_columns(
            basis=pl.col("unit_code").replace_strict(basis)).join(scores, on="unit_code", how="left",
                                                                   maintain_order="left")
        spec = chrome.INDICATOR_SPEC | {"composite_value": (COMPOSITE_LABEL, "num"),
                                        "composite_rank": ("Hạng theo điểm tổng hợp", "int"),
                                        "basis": (OUTPUT_LABELS["basis"], "text")}
        chrome.show_table(shown, spec, key="ss_table", height=420)
        filters_text = "; ".join([f"chỉ số: {'tất cả' if pick == 'all' else cfg.indicators[pick].label}",
                            f"sắp xếp theo {sorts[by].lower()}, {directions[order].lower()}"]
                           + ([f"các xã của {', '.join(names[c] for c in chosen)}"] if chosen else []))
        chrome.export_button(export, shown, spec, f"So sánh các đơn vị theo {INDICATOR_COUNT} chỉ số", f, "so_sanh",
                             label="Tải bảng (XLSX)", chosen=filters_text, sheet="So sánh")

        st.subheader("So sánh trực tiếp từ 2 đến 5 đơn vị")
        order_names = composite["unit_name"].to_list()
        pick_units = st.multiselect("Chọn đơn vị", order_names, default=order_names[:2], max_selections=5,
                                    key="ss_units", placeholder="Chọn từ 2 đến 5 đơn vị…")
        if len(pick_units) < 2:
            st.info("Hãy chọn ít nhất 2 đơn vị để so sánh.")
        else:
            tabs = st.tabs([g.label for g in cfg.groups.values()])
            for tab, gid in zip(tabs, cfg.groups):
                part = table.filter(pl.col("group") == gid, pl.col("unit_name").is_in(pick_units))
                part = part.sort(pl.col("unit_name").replace_strict({u: i for i, u in enumerate(pick_units)}))
                tab.plotly_chart(charts.grouped_bars(part, f"Nhóm «{cfg.groups[gid].label}» (%)"), key=f"cmp_{gid}")
