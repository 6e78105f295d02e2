"""Entry script: builds the navigation only. Serve it with ``python -m dashboard.serve`` (see there why).

The menu is drawn with ``st.page_link`` instead of Streamlit's own so that ``/tong_quan`` can be an
alias of the start page (served at ``/``) without appearing twice: an official who types or shares
``/tong_quan`` gets Tổng quan, not an English "Page not found".
"""

import duckdb
import streamlit as st

from pipelines.ingest.service import WarehouseError, explain_failure

st.set_page_config(page_title="Chính quyền thân thiện, vì Nhân dân phục vụ", layout="wide",
                   page_icon=":material/account_balance:")

PAGES = [
    # Served at "/"; Streamlit still reserves a pathname for it, which must differ from the alias's.
    st.Page("pages/tong_quan.py", title="Tổng quan", url_path="trang_chu", icon=":material/dashboard:", default=True),
    st.Page("pages/so_sanh.py", title="So sánh", url_path="so_sanh", icon=":material/compare_arrows:"),
    st.Page("pages/don_vi.py", title="Đơn vị", url_path="don_vi", icon=":material/location_city:"),
    st.Page("pages/ton_dong.py", title="Tồn đọng", url_path="ton_dong", icon=":material/pending_actions:"),
    st.Page("pages/canh_bao.py", title="Cảnh báo", url_path="canh_bao", icon=":material/warning:"),
    st.Page("pages/don_thu.py", title="Đơn thư, đối thoại, thư", url_path="don_thu", icon=":material/mail:"),
    st.Page("pages/kham_pha.py", title="Khám phá", url_path="kham_pha", icon=":material/query_stats:"),
    st.Page("pages/gui_so_lieu.py", title="Đôn đốc gửi số liệu", url_path="gui_so_lieu",
            icon=":material/notification_important:"),
    st.Page("pages/du_lieu.py", title="Dữ liệu", url_path="du_lieu", icon=":material/upload_file:"),
]
OVERVIEW_ALIAS = st.Page(lambda: st.switch_page(PAGES[0], query_params=st.query_params.to_dict()),
                         title="Tổng quan", url_path="tong_quan")

page = st.navigation([*PAGES, OVERVIEW_ALIAS], position="hidden")
with st.sidebar.container(key="menu"):
    for item in PAGES:
        st.page_link(item)
try:
    page.run()
except (duckdb.Error, OSError, WarehouseError) as exc:  # a damaged warehouse: one message, not Streamlit's error page
    explained = explain_failure(exc)
    if explained is None and not isinstance(exc, WarehouseError):
        raise
    st.error(f"Không đọc được kho dữ liệu: {explained or 'tệp kho dữ liệu bị hỏng hoặc không phải kho DuckDB'}. "
             "Báo cho người quản trị máy chủ.", icon=":material/error:")
