"""Khám phá: read-only SQL editor in DuckDB's sandbox, schema beside it, and a no-code builder."""

import streamlit as st

from dashboard import chrome, explore

filters = chrome.page("Khám phá dữ liệu", "Dành cho cán bộ phân tích: chỉ đọc, không sửa được kho dữ liệu")
if filters is not None:
    builder, editor = st.tabs(["Tạo bảng tổng hợp (không cần SQL)", "Truy vấn SQL"])
    with builder:
        explore.builder(filters)
    with editor:
        left, right = st.columns([3, 2])
        with right:
            explore.schema_browser()
        with left:
            explore.sql_editor()
