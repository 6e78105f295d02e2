"""Cảnh báo: flagged units most severe first, every reason in full, filters kept in the link, XLSX export."""

import polars as pl
import streamlit as st

from dashboard import chrome, data, formatting
from dashboard.filters import page_control
from schemas.admin_unit import LEVEL_CODES, grouping_of, level_in
from schemas.catalog import FLAG_KINDS, FLAG_KINDS_SHORT, LEVEL_LABELS, OUTPUT_LABELS

f = chrome.page("Cảnh báo đơn vị yếu", "Mỗi cảnh báo kèm lý do và số liệu")
if f is not None:
    c1, c2, c3 = st.columns([1, 2, 2])
    # The grouping above communes is 'area' in the link of a 2025 view and 'district' before, as in
    # `dvcq flags --level`; a link with the other structure's word means the same grouping.
    group = level_in(f.era, "district").code
    link = st.session_state.get("_incoming") or {}
    if link.get("cap") in LEVEL_CODES and grouping_of(link["cap"]) == "district":
        link["cap"] = group
    levels = {"commune": "Xã", group: LEVEL_LABELS[f.era]["district"]}
    if not data.sees_other_units():  # an area's flags are its other communes' too
        levels.pop(group)
    choice = page_control(c1.radio, "Cấp", list(levels), "cap", "commune", format_func=levels.get, horizontal=True)
    level = grouping_of(choice)  # the engine's grouping: 'district' for both words
    flags = data.flags(level, f.period)
    if f.district:
        flags = flags.filter(pl.col("district_code") == f.district)
    if f.commune and level == "commune":
        flags = flags.filter(pl.col("unit_code") == f.commune)
    kinds = page_control(c2.multiselect, OUTPUT_LABELS["flag_kind"], list(FLAG_KINDS), "loai", [], many=True,
                         format_func=FLAG_KINDS.get, placeholder="Tất cả các loại")
    present = data.flagged_indicators(flags)
    inds = page_control(c3.multiselect, "Chỉ số / quy định", present, "chi_so", [], many=True,
                        format_func=chrome.indicator_label, placeholder="Tất cả")
    if kinds:
        flags = flags.filter(pl.col("flag").is_in(kinds))
    if inds:
        flags = flags.filter(pl.col("indicator").is_in(inds))
    if flags.is_empty():
        st.success(f"Không có cảnh báo nào trong {f.label.lower()} với các điều kiện đã chọn.")
    else:
        units = data.flags_by_severity(flags)
        listed = data.flag_list(flags, units)
        m = st.columns(len(FLAG_KINDS) + 1)
        m[0].metric("Đơn vị bị cảnh báo", formatting.fmt_int(len(units)), border=True)
        per_kind = data.flag_counts(flags)
        for col, (kind, label) in zip(m[1:], FLAG_KINDS_SHORT.items()):
            col.metric(label, formatting.fmt_int(per_kind[kind]), border=True, help=FLAG_KINDS[kind])

        st.subheader("Đơn vị theo mức độ cảnh báo")
        spec = chrome.in_structure({"severity": ("Thứ tự", "int"), "unit_name": (OUTPUT_LABELS["unit_name"], "text"),
                                    "district_name": (LEVEL_LABELS[f.era]["district"], "text"),
                                    "n_flags": ("Số cảnh báo", "int"),
                                    **{k: (v, "int") for k, v in FLAG_KINDS_SHORT.items()}}, f.era)
        if level == "district":
            spec.pop("district_name")
        picked = chrome.show_table(units, spec, key="cb_units", height=min(38 + 35 * len(units), 420),
                                   on_select="rerun", selection_mode="single-row")
        if picked.selection.rows:
            chrome.open_unit(units.item(picked.selection.rows[0], "unit_code"))
        st.caption("Thứ tự: đơn vị không gửi số liệu bắt buộc trước (nhiều tháng thiếu nhất trước: chưa có số liệu thì "
                   "chưa đánh giá được gì khác), rồi nhiều loại cảnh báo, nhiều cảnh báo, loại nặng hơn ("
                   + " → ".join(label.lower() for label in FLAG_KINDS_SHORT.values()) + "). Chọn một dòng để mở "
                   "trang Đơn vị.")

        head, export = st.columns([3, 1])
        head.subheader("Lý do từng cảnh báo")
        xlsx_spec = chrome.in_structure({
            "severity": ("Thứ tự mức độ", "int"), "unit_name": (OUTPUT_LABELS["unit_name"], "text"),
            "district_name": (LEVEL_LABELS[f.era]["district"], "text"), "kind_vi": (OUTPUT_LABELS["flag_kind"], "text"),
            "indicator_vi": ("Chỉ số / quy định", "text"), "reason": (OUTPUT_LABELS["reason"], "long")}, f.era)
        filters_text = "; ".join([f"cấp {levels[choice].lower()}"]
                           + ([f"loại: {', '.join(FLAG_KINDS[k] for k in kinds)}"] if kinds else [])
                           + ([f"chỉ số/quy định: {', '.join(map(chrome.indicator_label, inds))}"] if inds else []))
        chrome.export_button(export, listed, xlsx_spec, "Cảnh báo đơn vị yếu", f, "canh_bao",
                             label="Tải cảnh báo (XLSX)", chosen=filters_text)
        blocks = []  # one markdown element for every unit: hundreds of elements would slow the page down
        for name, district, part in data.flags_per_unit(listed):
            where = f" — {district}" if level == "commune" else ""
            blocks.append(f"**{formatting.md_escape(name)}**{formatting.md_escape(where)} "
                          f"({formatting.fmt_int(len(part))} cảnh báo)\n\n" + "\n".join(
                              # an indicator's reason names it already; a rule's does not
                              f"- *{kind}* · {formatting.md_escape(reason if reason.startswith(ind) else f'{ind}: {reason}')}"
                              for kind, ind, reason in part.select("kind_vi", "indicator_vi", "reason").iter_rows()))
        st.container(height=620).markdown("\n\n".join(blocks))
        st.caption("«Thấp hơn … rõ rệt»: cận trên khoảng tin cậy 95 % (Wilson) vẫn thấp hơn mức so sánh, nên "
                   "không phải do dao động ngẫu nhiên.")
