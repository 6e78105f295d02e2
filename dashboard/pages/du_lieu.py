"""Dữ liệu: upload and ingest export files, per-file counts, quarantined rows, freshness per commune."""

import streamlit as st

from dashboard import chrome, data, filters, loading

st.title("Dữ liệu")
view = filters.sidebar() if data.has_warehouse() and data.has_records() else None
loading.upload_section()
if not data.has_warehouse():
    chrome.empty("Chưa có kho dữ liệu", "Hãy tải lên các tệp xuất (XLSX, XLS, CSV) của xã ở trên rồi bấm "
                 "«Nạp dữ liệu».")
else:
    files, quarantine, freshness = st.tabs(["Các tệp đã nạp", "Dòng bị cách ly", "Độ mới dữ liệu theo xã"])
    with files:
        loading.ingest_log()
    with quarantine:
        loading.quarantine()
    with freshness:
        loading.freshness(view)
