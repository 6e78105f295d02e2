"""Dữ liệu: upload and ingest export files, per-file counts, quarantined rows, freshness per commune. The uploader
is shown to roles that load files, the quarantine (rows as sent) to the administrator (``schemas.access``)."""

import streamlit as st

from dashboard import access, chrome, data, filters, loading

st.title("Dữ liệu")
rights = access.scope().role
view = filters.sidebar() if data.has_warehouse() and data.has_records() else None
if rights.upload:
    loading.upload_section()
if not data.has_warehouse():
    chrome.empty("Chưa có kho dữ liệu", "Hãy tải lên các tệp xuất (XLSX, XLS, CSV) của xã ở trên rồi bấm "
                 "«Nạp dữ liệu»." if rights.upload else "Người quản trị chưa nạp tệp nào.")
else:
    tabs = ["Các tệp đã nạp", *(["Dòng bị cách ly"] if rights.manage else []), "Độ mới dữ liệu theo xã"]
    shown = dict(zip(tabs, st.tabs(tabs)))
    with shown["Các tệp đã nạp"]:
        loading.ingest_log()
    if rights.manage:
        with shown["Dòng bị cách ly"]:
            loading.quarantine()
    with shown["Độ mới dữ liệu theo xã"]:
        loading.freshness(view)
