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

import streamlit as st
from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

from dashboard.connection import config, db_path, has_warehouse, in_structure, version
from pipelines.access.scope import OutOfScope, Scope, scope_of
from pipelines.access.store import COOKIE_NAME, AccessStore, Account, accounts_path
from schemas.access import ROLES

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
