"""Entry script: checks the sign-in, then builds the navigation. Serve it with ``python -m dashboard.serve``
(see there why).

Every run starts by checking the browser's session (``dashboard.access``): without a valid one nothing is read
and the visitor is sent to the sign-in form. A page the account's role may not open shows why instead of
running; the menu lists only the pages it may open (a convenience: the refusal is the lock).

The menu is drawn with ``st.page_link`` instead of Streamlit's own so that ``/tong_quan`` can be an
alias of the start page (served at ``/``) without appearing twice: an official who types or shares
``/tong_quan`` gets Tổng quan, not an English "Page not found".
"""

import duckdb
import streamlit as st

from dashboard import access
from pipelines.access.scope import PAGE_REFUSED, OutOfScope
from pipelines.ingest.service import WarehouseError, explain_failure

st.set_page_config(page_title=access.APP_TITLE, layout="wide",
                   page_icon=":material/account_balance:")

START_PATH = "trang_chu"
PAGES = [
    # Served at "/"; Streamlit still reserves a pathname for it, which must differ from the alias's.
    st.Page("pages/tong_quan.py", title="Tổng quan", url_path=START_PATH, icon=":material/dashboard:", default=True),
    st.Page("pages/so_sanh.py", title="So sánh", url_path="so_sanh", icon=":material/compare_arrows:"),
    st.Page("pages/don_vi.py", title="Đơn vị", url_path="don_vi", icon=":material/location_city:"),
    st.Page("pages/ton_dong.py", title="Tồn đọng", url_path="ton_dong", icon=":material/pending_actions:"),
    st.Page("pages/canh_bao.py", title="Cảnh báo", url_path="canh_bao", icon=":material/warning:"),
    st.Page("pages/don_thu.py", title="Đơn thư, đối thoại, thư", url_path="don_thu", icon=":material/mail:"),
    st.Page("pages/kham_pha.py", title="Khám phá", url_path="kham_pha", icon=":material/query_stats:"),
    st.Page("pages/gui_so_lieu.py", title="Đôn đốc gửi số liệu", url_path="gui_so_lieu",
            icon=":material/notification_important:"),
    st.Page("pages/du_lieu.py", title="Dữ liệu", url_path="du_lieu", icon=":material/upload_file:"),
    st.Page("pages/tai_khoan.py", title="Tài khoản", url_path="tai_khoan", icon=":material/manage_accounts:"),
    st.Page("pages/nhat_ky.py", title="Nhật ký", url_path="nhat_ky", icon=":material/history:"),
]
OVERVIEW_ALIAS = st.Page(lambda: st.switch_page(PAGES[0], query_params=st.query_params.to_dict()),
                         title="Tổng quan", url_path="tong_quan")


def path_of(item: st.Page) -> str:
    """A page's URL path as the roles name it (Streamlit reports the start page's as "")."""
    return item.url_path or START_PATH


def gate_links(*links: tuple[str, str], primary: bool = False) -> None:
    """Links (label, path) to the gate's forms in this tab, drawn as buttons side by side (``st.link_button``
    opens a new tab, where "Đăng xuất" would leave the dashboard open in the first)."""
    colours = ("background:#2166AC;color:#fff;border-color:#2166AC" if primary
               else "background:#fff;color:#31333F;border-color:rgba(49,51,63,.2)")
    style = (f"display:inline-block;margin:0 .4rem .3rem 0;padding:.3rem .75rem;border:1px solid;"
             f"border-radius:.5rem;text-decoration:none;font-size:.95rem;{colours}")
    st.html("".join(f'<a href="{path}" style="{style}">{label}</a>' for label, path in links))


def run_signed_in(page: st.Page) -> None:
    """Run ``page`` for the account this browser is signed in as; without one, or for a page its role may not
    open, say so instead."""
    account = access.signed_in()
    if account is None:
        st.warning("Bạn chưa đăng nhập hoặc phiên đăng nhập đã hết hạn.", icon=":material/lock:")
        gate_links(("Đăng nhập", access.SIGN_IN_PATH), primary=True)
        return
    if account.must_change:
        st.warning("Mật khẩu của bạn là mật khẩu dùng một lần: hãy đổi mật khẩu trước khi xem số liệu.",
                   icon=":material/key:")
        gate_links(("Đổi mật khẩu", access.CHANGE_PASSWORD_PATH), primary=True)
        return
    allowed = [item for item in PAGES if account.rights.may_open(path_of(item))]
    with st.sidebar.container(key="menu"):
        for item in allowed:
            st.page_link(item)
    with st.sidebar.container(key="account"):
        st.caption(f"Đăng nhập: **{account.login}** · {account.rights.label}")
        gate_links(("Đăng xuất", access.SIGN_OUT_PATH), ("Đổi mật khẩu", access.CHANGE_PASSWORD_PATH))
    opened = next((item for item in PAGES if item.url_path == page.url_path), None)
    if opened is not None and not account.rights.may_open(path_of(opened)):
        if opened is PAGES[0] and allowed:  # the start page of a role without it: its first page instead
            st.switch_page(allowed[0], query_params=st.query_params.to_dict())
        access.record("refused", page=path_of(opened))
        raise OutOfScope(PAGE_REFUSED)
    page.run()


try:
    run_signed_in(st.navigation([*PAGES, OVERVIEW_ALIAS], position="hidden"))
except OutOfScope as refusal:
    st.error(str(refusal), icon=":material/block:")
except (duckdb.Error, OSError, WarehouseError) as exc:  # a damaged warehouse: one message, not Streamlit's error page
    explained = explain_failure(exc)
    if explained is None and not isinstance(exc, WarehouseError):
        raise
    st.error(f"Không đọc được kho dữ liệu: {explained or 'tệp kho dữ liệu bị hỏng hoặc không phải kho DuckDB'}. "
             "Báo cho người quản trị máy chủ.", icon=":material/error:")
