"""Tài khoản: the accounts of this warehouse, for the administrator: list, add, disable or enable, a one-time
password, the digest. Every action is done in ``dashboard.access`` as the signed-in administrator, which
refuses anyone else.

Each action runs as its button's callback, before the page is drawn, so the list below shows its result at
once; what it says (a one-time password above all) is kept for that one drawing and then forgotten."""

import streamlit as st

from dashboard import access, chrome
from pipelines.access.scope import OutOfScope
from pipelines.access.store import AccessError
from schemas.access import DIGEST_CHANNEL_LABELS, DIGEST_PERIOD_LABELS, ROLES

OUTCOME = "_tai_khoan_outcome"
state = st.session_state


def act(action, success: str | None = None) -> None:
    """Run ``action`` and keep what to say: the (login, one-time password) it returns, else ``success``, or
    why it was refused."""
    try:
        password = action()
    except (AccessError, OutOfScope) as problem:
        text = str(problem)
        state[OUTCOME] = ("error", text[:1].upper() + text[1:])
    else:
        state[OUTCOME] = ("password", password) if password else ("success", success)


def add() -> None:
    login = state.new_login.strip().lower()
    act(lambda: (login, access.add_account(login, state.new_role, state.new_units.replace(",", " ").split(),
                                           state.new_email, state.new_channel, state.new_digest)[1]))


def set_disabled(disabled: bool) -> None:
    login = state.state_login
    act(lambda: access.set_disabled(login, disabled),
        f"Đã {'khóa' if disabled else 'mở khóa'} tài khoản {login}"
        + ("; các phiên đang mở của tài khoản đã kết thúc." if disabled else "."))


def reset_password() -> None:
    login = state.password_login
    act(lambda: (login, access.reset_password(login)))


def set_digest() -> None:
    login = state.digest_login

    def save() -> None:
        access.set_digest(login, state[f"digest_channel_{login}"], state[f"digest_period_{login}"],
                          state[f"digest_email_{login}"], state[f"digest_webhook_{login}"])

    act(save, f"Đã lưu cách nhận bản tin của {login}.")


st.title("Tài khoản")
admin = access.administrator()
st.caption(f"Tài khoản đăng nhập vào kho dữ liệu này · thao tác ghi vào nhật ký dưới tên {admin.login}")
if outcome := state.pop(OUTCOME, None):
    kind, said = outcome
    if kind == "password":
        login, password = said
        st.success(f"Mật khẩu dùng một lần của **{login}** (chỉ hiện lần này; người dùng phải đổi ở lần đăng nhập "
                   "đầu). Hãy trao tận tay hoặc qua kênh an toàn:", icon=":material/key:")
        st.code(password, language=None)
    elif kind == "success":
        st.success(said, icon=":material/check_circle:")
    else:
        st.error(said, icon=":material/error:")

accounts = access.account_table()
chrome.show_table(accounts, access.ACCOUNT_SPEC, key="accounts", height=min(38 + 35 * len(accounts), 460))
logins = accounts["login"].to_list()

adding, locking, password_tab, digest_tab = st.tabs(["Thêm tài khoản", "Khóa / mở khóa",
                                                     "Đặt mật khẩu dùng một lần", "Bản tin"])
with adding, st.form("add_account", clear_on_submit=True):
    st.text_input("Tên đăng nhập", key="new_login", help="2–40 ký tự thường không dấu, chữ số, dấu . _ -")
    st.selectbox("Vai trò", list(ROLES), format_func=lambda code: ROLES[code].label, key="new_role")
    st.text_input("Mã đơn vị", key="new_units", help="Mã xã từ 01/07/2025 (5 chữ số) hoặc mã địa bàn huyện cũ "
                                                 "(3 chữ số), cách nhau bởi dấu cách; để trống với vai trò xem mọi "
                                                 "đơn vị.")
    st.text_input("Thư điện tử", key="new_email")
    st.selectbox("Kênh nhận bản tin", list(DIGEST_CHANNEL_LABELS), format_func=DIGEST_CHANNEL_LABELS.get,
                 index=list(DIGEST_CHANNEL_LABELS).index("none"), key="new_channel")
    st.selectbox("Bản tin", list(DIGEST_PERIOD_LABELS), format_func=DIGEST_PERIOD_LABELS.get,
                 index=list(DIGEST_PERIOD_LABELS).index("none"), key="new_digest")
    st.form_submit_button("Tạo tài khoản", type="primary", on_click=add)

with locking:
    st.selectbox("Tài khoản", logins, key="state_login")
    left, right = st.columns(2)
    left.button("Khóa tài khoản", key="disable_True", on_click=set_disabled, args=(True,))
    right.button("Mở khóa tài khoản", key="disable_False", on_click=set_disabled, args=(False,))
    st.caption("Tài khoản bị khóa không đăng nhập được; các phiên đang mở kết thúc ngay.")

with password_tab:
    st.selectbox("Tài khoản", logins, key="password_login")
    st.button("Đặt mật khẩu dùng một lần", key="reset_password", on_click=reset_password)
    st.caption("Các phiên đang mở của tài khoản kết thúc; tài khoản đang tạm khóa vì nhập sai được mở.")

with digest_tab:
    chosen = st.selectbox("Tài khoản", logins, key="digest_login")
    current = accounts.row(logins.index(chosen), named=True) if chosen in logins else {}
    with st.form("digest"):
        st.selectbox("Kênh nhận bản tin", list(DIGEST_CHANNEL_LABELS), format_func=DIGEST_CHANNEL_LABELS.get,
                     index=list(DIGEST_CHANNEL_LABELS).index(current.get("channel") or "none"),
                     key=f"digest_channel_{chosen}")
        st.selectbox("Bản tin", list(DIGEST_PERIOD_LABELS), format_func=DIGEST_PERIOD_LABELS.get,
                     index=list(DIGEST_PERIOD_LABELS).index(current.get("digest") or "none"),
                     key=f"digest_period_{chosen}")
        st.text_input("Thư điện tử", value=current.get("email") or "", key=f"digest_email_{chosen}")
        st.text_input("Địa chỉ webhook", key=f"digest_webhook_{chosen}", type="password",
                      help="Địa chỉ nhận bản tin dạng JSON (Telegram, Zalo OA). Để trống: giữ địa chỉ đã lưu "
                           "(địa chỉ webhook có thể chứa mã bí mật nên không hiện lại).")
        st.form_submit_button("Lưu", type="primary", on_click=set_digest, disabled=not chosen)
