"""The account signed in to this browser session, and its scope: what the data interface may read for it.

The server's gate (``dashboard.gate``) lets no request through without a valid session cookie, and the entry
script checks it again at every run (a session can end or expire while a page stays open). The cookie is read
from the browser's connection (``st.context.cookies``) and checked against the warehouse's account store
(``pipelines.access.store``): signature, session, expiry, account enabled. ``scope()`` is what
``dashboard.data`` asks before it reads anything.

Outside a browser session (the server's warm-up thread, which fills the shared caches before anyone signs in,
and code run directly in tests and benchmarks) there is no account: ``scope()`` then gives every unit. No
request of a browser reaches that path, since every page runs inside a session.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import secrets

import polars as pl
import streamlit as st
from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

from dashboard.connection import config, db_path, has_warehouse, in_structure, version
from pipelines.access.scope import OutOfScope, Scope, check_units, scope_of
from pipelines.access.store import COOKIE_NAME, AccessError, AccessStore, Account, accounts_path
from schemas.access import (AUDIT_DETAIL_LABELS, AUDIT_REASON_LABELS, DIGEST_CHANNEL_LABELS, DIGEST_PERIOD_LABELS,
                            ROLES, DigestChannel, DigestPeriod)

__all__ = ["OutOfScope", "Scope", "store", "signed_in", "scope", "record", "WHOLE_PROVINCE"]

APP_TITLE = "Chính quyền thân thiện, vì Nhân dân phục vụ"
# The gate's forms (``dashboard.gate``), served beside the pages; the entry script links to them.
SIGN_IN_PATH = "/dang_nhap"
SIGN_OUT_PATH = "/dang_xuat"
CHANGE_PASSWORD_PATH = "/doi_mat_khau"
WHOLE_PROVINCE = Scope("", ROLES["quan_tri"], None)
_SCOPE_KEY = "_dvcq_scope"


@st.cache_resource(show_spinner=False)
def _store(path: str) -> AccessStore:
    return AccessStore(accounts_path(path), config().access)


def store() -> AccessStore:
    """The account store of the warehouse this server reads."""
    return _store(db_path())


def _cookie() -> str | None:
    return st.context.cookies.get(COOKIE_NAME)


def signed_in() -> Account | None:
    """The account whose valid session this browser holds, or None; the entry script stores its scope."""
    account = store().session(_cookie())
    if account is None:
        st.session_state.pop(_SCOPE_KEY, None)
        return None
    st.session_state[_SCOPE_KEY] = (scope_of(account, None) if account.rights.reach == "all"  # reads no warehouse
                                    else _scope(version() if has_warehouse() else "", db_path(), account))
    return account


@st.cache_data(max_entries=256, show_spinner=False)
def _scope(v: str, path: str, account: Account) -> Scope:
    return scope_of(account, in_structure(path, v, "2025").con if v else None)


def scope() -> Scope:
    """The scope every read of this run is limited to. In a browser session without a signed-in account it
    refuses (the entry script stops such a run before any page draws; this is the second lock)."""
    if get_script_run_ctx(suppress_warning=True) is None:
        return WHOLE_PROVINCE
    current = st.session_state.get(_SCOPE_KEY)
    if current is None:
        raise OutOfScope("Bạn chưa đăng nhập")
    return current


def record(action: str, **detail) -> None:
    """Append to the audit trail as the signed-in account (exports, reports, SQL, uploads)."""
    store().record(scope().login or "?", action, **detail)


# ------------------------------------------------------------------ administration (pages Tài khoản, Nhật ký)
VIETNAM = dt.timezone(dt.timedelta(hours=7))
MANAGE_REFUSED = "Chỉ tài khoản quản trị được quản lý tài khoản và xem nhật ký"
SELF_DISABLE_REFUSED = "Không khóa được chính tài khoản đang đăng nhập"
ACCOUNT_SPEC = {"login": ("Tên đăng nhập", "text"), "role_vi": ("Vai trò", "text"), "units": ("Mã đơn vị", "text"),
                "email": ("Thư điện tử", "text"), "channel_vi": ("Kênh nhận bản tin", "text"),
                "digest_vi": ("Bản tin", "text"), "state": ("Tình trạng tài khoản", "text")}
AUDIT_SPEC = {"at": ("Thời điểm", "text"), "login": ("Tài khoản", "text"), "action_vi": ("Việc", "text"),
              "detail_vi": ("Chi tiết", "text")}


def administrator() -> Scope:
    """The signed-in administrator every account action is done as; anyone else is refused here, whatever
    the page shows (outside a browser session there is no one to act as, so it refuses too)."""
    current = scope()
    if not current.role.manage or not current.login:
        raise OutOfScope(MANAGE_REFUSED)
    return current


def one_time_password() -> str:
    """A random password for someone else to receive (once) and change at the first sign-in."""
    return secrets.token_urlsafe(12)


def account_table() -> pl.DataFrame:
    """Every account with its role, units, digest and state in words; never a password hash."""
    administrator()
    from pipelines.cli.users import account_frame

    return account_frame(store()).with_columns(
        channel_vi=pl.col("channel").replace_strict(DIGEST_CHANNEL_LABELS),
        digest_vi=pl.col("digest").replace_strict(DIGEST_PERIOD_LABELS))


def checked_units(role: str, units: list[str]) -> list[str]:
    """``units`` checked for an account of ``role`` against the 2025 communes of the warehouse served."""
    if ROLES[role].reach == "all":
        return check_units(None, role, units)
    if not has_warehouse():
        raise AccessError("chưa có kho dữ liệu: chưa kiểm tra được mã đơn vị")
    return check_units(in_structure(db_path(), version(), "2025").con, role, units)


def _delivery(channel: DigestChannel, email: str | None, webhook: str | None) -> None:
    """A digest channel needs its address: an e-mail that looks like one, a webhook over HTTP(S)."""
    if email and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email):
        raise AccessError(f"địa chỉ thư điện tử «{email}» không đúng dạng")
    if channel == "email" and not email:
        raise AccessError("kênh thư điện tử cần địa chỉ thư điện tử")
    if channel == "webhook" and not (webhook or "").startswith(("https://", "http://")):
        raise AccessError("kênh webhook cần địa chỉ webhook bắt đầu bằng https://")


def add_account(login: str, role: str, units: list[str], email: str | None, channel: DigestChannel,
                digest: DigestPeriod) -> tuple[Account, str]:
    """A new account with a one-time password, returned to be shown once (its webhook is set afterwards)."""
    by = administrator().login
    _delivery(channel, email, None)
    password = one_time_password()
    account = store().add(login.strip().lower(), role, checked_units(role, units), password,
                          email=email or None, channel=channel, digest=digest, one_time=True, by=by)
    return account, password


def set_disabled(login: str, disabled: bool) -> None:
    """Disable (its sessions end at once) or enable an account; never the administrator's own."""
    by = administrator().login
    if disabled and login == by:
        raise AccessError(SELF_DISABLE_REFUSED)
    store().set_disabled(login, disabled, by=by)


def reset_password(login: str) -> str:
    """A one-time password for ``login`` (its sessions end, a lockout is lifted), returned to be shown once."""
    by = administrator().login
    password = one_time_password()
    store().set_password(login, password, by=by, one_time=True)
    return password


def set_digest(login: str, channel: DigestChannel, digest: DigestPeriod, email: str | None,
               webhook: str | None) -> Account:
    """Where and how often ``login`` receives the digest; an empty ``webhook`` keeps the one stored (it may
    hold a secret token, so the page never shows it)."""
    by = administrator().login
    account = store().account(login)
    if account is None:
        raise AccessError(f"không có tài khoản {login}")
    _delivery(channel, email, webhook or account.webhook)
    fields = {"channel": channel, "digest": digest, "email": email or None} | ({"webhook": webhook} if webhook else {})
    return store().change(login, by=by, **fields)


def _detail_value(key: str, value) -> str:
    words = {"reason": AUDIT_REASON_LABELS, "channel": DIGEST_CHANNEL_LABELS, "digest": DIGEST_PERIOD_LABELS,
             "role": {code: role.label for code, role in ROLES.items()}}
    if key in words and isinstance(value, str):
        return words[key].get(value, value)
    return " ".join(map(str, value)) if isinstance(value, list) else str(value)


def _detail_words(detail: str) -> str:
    return "; ".join(f"{AUDIT_DETAIL_LABELS.get(key, key)}: {_detail_value(key, value)}"
                     for key, value in json.loads(detail or "{}").items())


def vietnam_today() -> dt.date:
    """Today in Vietnam, where the audit trail's days are counted (the server's clock may run in UTC)."""
    return dt.datetime.now(VIETNAM).date()


def audit_trail(date_from: dt.date | None, date_to: dt.date | None, login: str | None) -> pl.DataFrame:
    """The audit trail between two days (Vietnam's time) for one login or all, newest first: its moment as
    dd/mm/yyyy HH:MM, its action and details in words."""
    administrator()
    frame = store().audit(date_from, date_to, login or None)
    distinct = frame["detail"].unique().to_list()
    return frame.with_columns(
        at=pl.col("at").dt.strftime("%d/%m/%Y %H:%M"),
        detail_vi=pl.col("detail").replace_strict(distinct, [_detail_words(d) for d in distinct],
                                                  return_dtype=pl.String) if distinct else pl.lit(""))


def audit_logins() -> list[str]:
    """Every login the audit trail names, for the page's choice of one."""
    administrator()
    return sorted(set(store().audit()["login"].to_list()))


def audit_csv(frame: pl.DataFrame, by: str, date_from: dt.date | None, date_to: dt.date | None,
              login: str | None) -> bytes:
    """The audit trail shown, as CSV with Vietnamese headers (UTF-8 with BOM: spreadsheets read the
    diacritics); the download itself is recorded as an export. Called when the button is pressed, outside
    the page's run: ``by`` is the administrator the page was drawn for."""
    store().record(by, "export", what="audit", rows=frame.height, date_from=str(date_from or ""),
                   date_to=str(date_to or ""), account=login or "")
    shown = frame.select([pl.col(column).alias(label) for column, (label, _) in AUDIT_SPEC.items()])
    return "\ufeff".encode() + shown.write_csv().encode()
