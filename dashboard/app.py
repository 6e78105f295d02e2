"""Entry script: builds the navigation only. Serve it with ``python -m dashboard.serve`` (see there why)."""

import streamlit as st

st.set_page_config(page_title="Chính quyền thân thiện, vì Nhân dân phục vụ", layout="wide",
                   page_icon=":material/account_balance:")

PAGES = [
    st.Page("pages/tong_quan.py", title="Tổng quan", url_path="tong_quan", icon=":material/dashboard:",
            default=True),
    st.Page("pages/so_sanh.py", title="So sánh", url_path="so_sanh", icon=":material/compare_arrows:"),
    st.Page("pages/don_vi.py", title="Đơn vị", url_path="don_vi", icon=":material/location_city:"),
    st.Page("pages/ton_dong.py", title="Tồn đọng", url_path="ton_dong", icon=":material/pending_actions:"),
    st.Page("pages/canh_bao.py", title="Cảnh báo", url_path="canh_bao", icon=":material/warning:"),
    st.Page("pages/don_thu.py", title="Đơn thư, đối thoại, thư", url_path="don_thu", icon=":material/mail:"),
    st.Page("pages/kham_pha.py", title="Khám phá", url_path="kham_pha", icon=":material/query_stats:"),
    st.Page("pages/du_lieu.py", title="Dữ liệu", url_path="du_lieu", icon=":material/upload_file:"),
]

st.navigation(PAGES).run()
