"""Cảnh báo: every flag with its reason, filterable by kind, district and indicator; links to the unit's page."""

import polars as pl
import streamlit as st

from dashboard import chrome, data, formatting
from schemas.catalog import FLAG_KINDS, FLAG_KINDS_SHORT, LEVEL_LABELS

f = chrome.page("Cảnh báo đơn vị yếu", "Mỗi cảnh báo kèm lý do và số liệu")
if f is not None:
    c1, c2, c3 = st.columns([1, 2, 2])
    level = c1.radio("Cấp", ["commune", "district"], format_func={"commune": "Xã", "district": LEVEL_LABELS[f.era]["district"]}.get,
                     horizontal=True, key="cb_cap")
    flags = data.flags(level, f.period)
    if f.district:
        flags = flags.filter(pl.col("district_code") == f.district)
    if f.commune and level == "commune":
        flags = flags.filter(pl.col("unit_code") == f.commune)
    kinds = c2.multiselect("Loại cảnh báo", list(FLAG_KINDS), format_func=FLAG_KINDS.get, key="cb_loai",
                           placeholder="Tất cả các loại")
    present = flags["indicator"].unique().sort().to_list()
    inds = c3.multiselect("Chỉ số / quy định", present, format_func=chrome.indicator_label, key="cb_chiso",
                          placeholder="Tất cả")
    if kinds:
        flags = flags.filter(pl.col("flag").is_in(kinds))
    if inds:
        flags = flags.filter(pl.col("indicator").is_in(inds))
    if flags.is_empty():
        st.success(f"Không có cảnh báo nào trong {f.label.lower()} với các điều kiện đã chọn.")
    else:
        m = st.columns(len(FLAG_KINDS) + 1)
        m[0].metric("Đơn vị bị cảnh báo", formatting.fmt_int(flags["unit_code"].n_unique()), border=True)
        for col, (kind, label) in zip(m[1:], FLAG_KINDS_SHORT.items()):
            col.metric(label, formatting.fmt_int((flags["flag"] == kind).sum()), border=True, help=FLAG_KINDS[kind])
        shown = flags.with_columns(
            pl.col("unit_code").replace_strict(chrome.unit_links(flags["unit_code"].unique().to_list())).alias("link"))
        spec = {"link": ("Đơn vị", "text"), "kind_vi": ("Loại cảnh báo", "text"), "reason": ("Lý do", "text"),
                "indicator_vi": ("Chỉ số / quy định", "text"), "district_name": (LEVEL_LABELS[f.era]["district"], "text")}
        chrome.show_table(shown, spec, key="cb_table", height=560, column_config={
            "Đơn vị": st.column_config.LinkColumn("Đơn vị", display_text=r"#(.*)$", width="medium"),
            "Lý do": st.column_config.TextColumn("Lý do", width="large")})
        st.caption("Bấm tên đơn vị để mở trang Đơn vị. «Thấp hơn … rõ rệt»: cận trên khoảng tin cậy 95 % (Wilson) "
                   "vẫn thấp hơn mức so sánh, nên không phải do dao động ngẫu nhiên.")
