"""Đôn đốc gửi số liệu: which commune has not sent which month's records, the grid and the reminder list."""

import streamlit as st

from dashboard import chrome, data, filters, formatting
from schemas.catalog import OUTPUT_LABELS

f = chrome.page("Đôn đốc gửi số liệu", "Xã nào chưa gửi số liệu tháng nào")
if f is not None:
    table = data.submissions(f.date_from, f.date_to, f.district, f.commune)
    totals = data.submission_totals(table)
    c = st.columns(4)
    c[0].metric("Xã phải gửi", formatting.fmt_int(totals["communes"]), border=True)
    c[1].metric("Xã còn thiếu số liệu", formatting.fmt_int(totals["communes_missing"]),
                border=True, help="Xã có ít nhất một kỳ chưa gửi một loại số liệu bắt buộc, đã quá hạn gửi.")
    c[2].metric("Kỳ chưa gửi", formatting.fmt_int(totals["missing"]), border=True)
    c[3].metric("Kỳ gửi muộn", formatting.fmt_int(totals["late"]), border=True)
    if not totals["missing"]:
        st.success("Mọi xã đã gửi đủ các loại số liệu bắt buộc của các kỳ đã đến hạn.")
    else:
        st.warning(f"{formatting.fmt_int(totals['communes_missing'])} xã chưa gửi đủ số "
                   f"liệu bắt buộc; danh sách đôn đốc ở dưới, xã thiếu nhiều nhất trước.")

    labels = data.submission_labels()
    kind = filters.page_control(st.segmented_control, OUTPUT_LABELS["submission_kind"], list(labels), "loai_so_lieu", "dossier",
                                format_func=labels.get)
    grid = data.submission_grid(table, kind)
    st.markdown(f"#### {labels[kind].capitalize()} theo tháng")
    chrome.show_table(grid, chrome.in_structure(data.submission_grid_spec(grid), f.era), key="submission_grid", height=min(38 + 35 * len(grid), 460))
    st.caption(" · ".join(f"{symbol} {label}" for symbol, label in data.submission_symbols().items()))

    head, export = st.columns([3, 1])
    head.markdown("#### Danh sách đôn đốc")
    todo = data.reminders(table)
    spec = chrome.in_structure(chrome.REMINDER_SPEC, f.era)
    chrome.export_button(export, todo, spec, "Danh sách đôn đốc gửi số liệu", f, "don_doc",
                         label="Tải danh sách đôn đốc (XLSX)")
    chrome.show_table(todo, spec, key="reminders", height=min(38 + 35 * len(todo), 460))
    st.caption("Hạn gửi, tần suất và các loại số liệu bắt buộc lấy từ tệp cấu hình config/dvcq.toml. «Gửi muộn» chỉ "
               "xét các kỳ đến hạn sau khi dvcq bắt đầu nhận số liệu.")
