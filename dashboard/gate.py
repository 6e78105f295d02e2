"""The server's gate: nothing of the dashboard leaves the server without a valid session.

Why a gate in front of Streamlit and not only the entry script's check: the script runs only after the
browser has loaded Streamlit's page, its scripts and opened the live connection (websocket); until then
Streamlit answers anyone, and its endpoints (uploads, media, the connection itself) would be reachable
without an account. The gate is a pure ASGI middleware around the whole server (``st.App``): an HTTP request
without a valid session is sent to the sign-in form, a websocket is refused before it opens. The entry script
still checks the session at every run (a session can end while a page stays open): two locks.

What passes without a session: the sign-in form (``/dang_nhap``), "Đăng xuất" (``/dang_xuat``, which only
ends the session the browser holds) and Streamlit's health check (``/_stcore/health``, for the service
manager). The password form (``/doi_mat_khau``) needs a session; an account holding a one-time password is
sent there for every other page. While the account store holds no enabled account, every request but the
health check gets a page saying how to make one: no deployment is ever open by accident.

The forms are plain HTML (no script): they work before Streamlit's page loads, and a password never passes
through Streamlit's websocket. Posts from another site are refused (their ``Origin``, else ``Referer``, must
name this host), on top of the cookie's ``SameSite=Strict``.

Served by ``python -m dashboard.serve``: it runs ``streamlit run`` on this file, where Streamlit finds the
``st.App`` below and serves it with uvicorn (Streamlit imports this file as the module ``gate``).
"""

from __future__ import annotations

import functools
import html
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import anyio.to_thread
import streamlit as st
from starlette.middleware import Middleware
from starlette.requests import HTTPConnection, Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from dashboard.access import APP_TITLE, CHANGE_PASSWORD_PATH, SIGN_IN_PATH, SIGN_OUT_PATH
from dashboard.connection import db_path
from pipelines.access.store import COOKIE_NAME, SIGN_IN_REFUSED, AccessError, AccessStore, Account, accounts_path
from schemas.config import load_config

ENTRY_SCRIPT = Path(__file__).with_name("app.py")
HEALTH_PATH = "/_stcore/health"
FAVICON_PATH = "/favicon.png"
GATE_PATHS = (SIGN_IN_PATH, SIGN_OUT_PATH, CHANGE_PASSWORD_PATH)
ACCOUNT_STATE = "dvcq_account"  # where the gate leaves the signed-in account for its own forms
SIGNED_OUT = "Đã đăng xuất."
NOTICES = {"da_dang_xuat": SIGNED_OUT}  # ?thong_bao= codes: a link can only show these words
FORM_MAX_BYTES = 4096
NEW_PASSWORDS_DIFFER = "Hai lần nhập mật khẩu mới không khớp."
SAME_PASSWORD = "Mật khẩu mới phải khác mật khẩu hiện tại."
WRONG_CURRENT = "Mật khẩu hiện tại không đúng (hoặc tài khoản đang tạm khóa vì nhập sai nhiều lần)."
CROSS_SITE = "Yêu cầu này không gửi từ trang của hệ thống nên không được nhận. Hãy mở lại trang và gửi lại."
NO_ACCOUNT = "Chưa có tài khoản nào"
HEADERS = {  # the gate's own pages: never cached, never framed, no script, posts only to this server
    "Cache-Control": "no-store",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; "
                               "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
}


@functools.cache
def _store(path: str) -> AccessStore:
    return AccessStore(accounts_path(path), load_config().access)


def store() -> AccessStore:
    """The account store of the warehouse this server reads (the one ``dashboard.access`` reads too)."""
    return _store(db_path())


def local_target(value: str | None) -> str:
    """Where to go after signing in: a path on this server, else the start page. A ``tiep`` naming another
    host (``//evil.example``, ``https://…``, ``/\\evil``) would make the form a relay for phishing."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/"
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in value):
        return "/"
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or parts.path in (SIGN_IN_PATH, SIGN_OUT_PATH):
        return "/"
    return value


def _with_target(path: str, target: str) -> str:
    return path if target == "/" else f"{path}?{urlencode({'tiep': target})}"


def _requested(conn: HTTPConnection) -> str:
    query = conn.scope.get("query_string", b"").decode("latin-1")
    return conn.scope["path"] + (f"?{query}" if query else "")


def _client(conn: HTTPConnection) -> str | None:
    return conn.client.host if conn.client else None


def _same_origin(request: Request) -> bool:
    """A form post comes from this server's own page: its Origin (else its Referer) names the Host it was
    sent to. A post that carries neither is refused too (browsers send Origin with every form post)."""
    host = request.headers.get("host")
    source = request.headers.get("origin") or request.headers.get("referer")
    if not host or not source or source == "null":
        return False
    return urlsplit(source).netloc == host


# ------------------------------------------------------------------ pages
_STYLE = """
*{box-sizing:border-box}
body{margin:0;font-family:"Source Sans Pro","Segoe UI",Roboto,"Noto Sans",Arial,sans-serif;background:#f0f2f6;
 color:#262730;line-height:1.5}
main{max-width:26rem;margin:8vh auto 2rem;padding:2rem 2rem 1.5rem;background:#fff;border-radius:.75rem;
 box-shadow:0 1px 3px rgba(0,0,0,.12)}
.model{margin:0 0 .25rem;font-size:.95rem;color:#555;font-weight:600}
h1{margin:0 0 1.25rem;font-size:1.6rem;color:#2166AC}
label{display:block;margin:.9rem 0 .3rem;font-weight:600}
input{width:100%;padding:.55rem .7rem;font-size:1rem;border:1px solid #c4c7cf;border-radius:.4rem}
input:focus{outline:2px solid #2166AC;outline-offset:1px;border-color:#2166AC}
button{margin-top:1.4rem;width:100%;padding:.65rem;font-size:1rem;font-weight:600;color:#fff;background:#2166AC;
 border:0;border-radius:.4rem;cursor:pointer}
button:hover{background:#1a5289}
.msg{padding:.7rem .9rem;border-radius:.4rem;margin:0 0 1rem}
.error{background:#fde8e8;color:#8a1c1c}
.info{background:#e6f1fb;color:#174a7c}
.note{margin:1.2rem 0 0;font-size:.9rem;color:#555}
code{background:#f0f2f6;padding:.1rem .3rem;border-radius:.25rem;font-size:.9em}
a{color:#2166AC}
"""


def _html(title: str, body: str, status: int = 200) -> HTMLResponse:
    page = (f'<!doctype html><html lang="vi"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{html.escape(title)} · {html.escape(APP_TITLE)}</title><style>{_STYLE}</style></head>"
            f'<body><main><p class="model">{html.escape(APP_TITLE)}</p><h1>{html.escape(title)}</h1>'
            f"{body}</main></body></html>")
    return HTMLResponse(page, status_code=status, headers=HEADERS)


def _message(text: str | None, kind: str = "error") -> str:
    role = "alert" if kind == "error" else "status"
    return f'<p class="msg {kind}" role="{role}">{html.escape(text)}</p>' if text else ""


def _field(name: str, label: str, kind: str = "text", autocomplete: str = "", autofocus: bool = False,
           value: str = "") -> str:
    extra = ' autocapitalize="none" spellcheck="false"' if kind == "text" else ""
    filled = f' value="{html.escape(value)}"' if value else ""
    return (f'<label for="{name}">{html.escape(label)}</label><input id="{name}" name="{name}" type="{kind}" '
            f'autocomplete="{autocomplete}" required{" autofocus" if autofocus else ""}{filled}{extra}>')


def sign_in_form(target: str, message: str | None = None, notice: str | None = None, status: int = 200,
                 login: str = "") -> Response:
    """The sign-in form; after a refusal it keeps the login typed (the password is typed again)."""
    body = (f"{_message(notice, 'info')}{_message(message)}"
            f'<form method="post" action="{SIGN_IN_PATH}" accept-charset="utf-8">'
            f'<input type="hidden" name="tiep" value="{html.escape(target)}">'
            f"{_field('ten_dang_nhap', 'Tên đăng nhập', autocomplete='username', autofocus=not login, value=login)}"
            f"{_field('mat_khau', 'Mật khẩu', 'password', 'current-password', autofocus=bool(login))}"
            f'<button type="submit">Đăng nhập</button></form>'
            f'<p class="note">Quên mật khẩu hoặc tài khoản bị khóa: liên hệ người quản trị hệ thống.</p>')
    return _html("Đăng nhập", body, status)


def change_form(account: Account, target: str, message: str | None = None, status: int = 200) -> Response:
    why = ("Mật khẩu của bạn là mật khẩu dùng một lần: hãy đặt mật khẩu của riêng bạn trước khi xem số liệu."
           if account.must_change else None)
    minimum = store().config.min_password_length
    back = "" if account.must_change else f'<a href="{html.escape(target)}">Quay lại trang đang xem</a> · '
    body = (f"{_message(why, 'info')}{_message(message)}"
            f'<p>Tài khoản: <strong>{html.escape(account.login)}</strong></p>'
            f'<form method="post" action="{CHANGE_PASSWORD_PATH}" accept-charset="utf-8">'
            f'<input type="hidden" name="tiep" value="{html.escape(target)}">'
            f"{_field('mat_khau', 'Mật khẩu hiện tại', 'password', 'current-password', autofocus=True)}"
            f"{_field('mat_khau_moi', f'Mật khẩu mới (ít nhất {minimum} ký tự)', 'password', 'new-password')}"
            f"{_field('nhap_lai', 'Nhập lại mật khẩu mới', 'password', 'new-password')}"
            f'<button type="submit">Đổi mật khẩu</button></form>'
            f'<p class="note">{back}<a href="{SIGN_OUT_PATH}">Đăng xuất</a></p>')
    return _html("Đổi mật khẩu", body, status)


def no_account_page() -> Response:
    body = ("<p>Máy chủ chưa có tài khoản nào được phép đăng nhập, nên chưa mở số liệu cho ai.</p>"
            "<p>Người quản trị máy chủ tạo tài khoản bằng dòng lệnh, trong thư mục của dvcq:</p>"
            "<p><code>dvcq users add quantri --role quan_tri</code> (nhập mật khẩu khi được hỏi)</p>"
            "<p>hoặc, với dữ liệu mẫu, <code>dvcq users sample</code> (mỗi vai trò một tài khoản, in mật khẩu "
            "dùng một lần).</p><p>Sau đó tải lại trang này.</p>")
    return _html(NO_ACCOUNT, body, 503)


def refused_page(status: int = 403) -> Response:
    return _html("Không nhận yêu cầu", _message(CROSS_SITE) + f'<p><a href="{SIGN_IN_PATH}">Đăng nhập</a></p>', status)


def _session_cookie(response: Response, value: str) -> Response:
    config = store().config
    response.set_cookie(COOKIE_NAME, value, max_age=int(config.session_hours * 3600), path="/",
                        secure=config.secure_cookie, httponly=True, samesite="strict")
    return response


def _clear_cookie(response: Response) -> Response:
    response.delete_cookie(COOKIE_NAME, path="/", secure=store().config.secure_cookie, httponly=True,
                           samesite="strict")
    return response


def _redirect(location: str) -> RedirectResponse:
    return RedirectResponse(location, status_code=303, headers={"Cache-Control": "no-store"})


async def _form(request: Request) -> dict[str, str] | None:
    """The posted fields (a urlencoded form of a few fields), or None for anything else or larger."""
    if int(request.headers.get("content-length") or 0) > FORM_MAX_BYTES:
        return None
    if not request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        return None
    body = await request.body()
    if len(body) > FORM_MAX_BYTES:
        return None
    form = await request.form(max_files=0, max_fields=8)
    return {k: v for k, v in form.items() if isinstance(v, str)}


async def _posted(request: Request) -> dict[str, str] | Response:
    """A form posted from this server's own page, or the refusal to answer instead (cross-site, or not a form)."""
    if not _same_origin(request):
        return refused_page()
    form = await _form(request)
    return refused_page(400) if form is None else form


# ------------------------------------------------------------------ routes
async def sign_in(request: Request) -> Response:
    """GET: the form (or straight on when this browser is signed in). POST: check the password, set the
    session cookie and go on to ``tiep``; a refusal shows the form again with the store's one message."""
    account: Account | None = request.scope.get("state", {}).get(ACCOUNT_STATE)
    if request.method == "GET":
        target = local_target(request.query_params.get("tiep"))
        if account is not None:
            return _redirect(_with_target(CHANGE_PASSWORD_PATH, target) if account.must_change else target)
        return sign_in_form(target, notice=NOTICES.get(request.query_params.get("thong_bao", "")))
    form = await _posted(request)
    if isinstance(form, Response):
        return form
    target = local_target(form.get("tiep"))
    signed = await anyio.to_thread.run_sync(store().sign_in, form.get("ten_dang_nhap", ""),
                                            form.get("mat_khau", ""), _client(request))
    if signed.cookie is None:
        return sign_in_form(target, signed.message or SIGN_IN_REFUSED, status=401,
                            login=form.get("ten_dang_nhap", "")[:40])
    if request.cookies.get(COOKIE_NAME):  # a session this browser held before: it ends with the new one
        await anyio.to_thread.run_sync(store().sign_out, request.cookies[COOKIE_NAME])
    after = _with_target(CHANGE_PASSWORD_PATH, target) if signed.account.must_change else target
    return _session_cookie(_redirect(after), signed.cookie)


async def sign_out(request: Request) -> Response:
    """End the session this browser holds, forget its cookie, and say so on the sign-in form."""
    await anyio.to_thread.run_sync(store().sign_out, request.cookies.get(COOKIE_NAME))
    return _clear_cookie(_redirect(f"{SIGN_IN_PATH}?thong_bao=da_dang_xuat"))


async def change_password(request: Request) -> Response:
    """GET: the form. POST: the current password checked (a wrong one counts toward the lockout), the new
    one set (the store refuses a short one, in its words), every session of the account ended, and a fresh
    session opened for this browser."""
    account: Account = request.scope["state"][ACCOUNT_STATE]  # the gate lets no one here without a session
    if request.method == "GET":
        return change_form(account, local_target(request.query_params.get("tiep")))
    form = await _posted(request)
    if isinstance(form, Response):
        return form
    target = local_target(form.get("tiep"))
    current, new = form.get("mat_khau", ""), form.get("mat_khau_moi", "")
    if new != form.get("nhap_lai"):
        return change_form(account, target, NEW_PASSWORDS_DIFFER, 400)
    if new == current:
        return change_form(account, target, SAME_PASSWORD, 400)
    checked = await anyio.to_thread.run_sync(store().sign_in, account.login, current, _client(request))
    if checked.cookie is None:
        return change_form(account, target, WRONG_CURRENT, 401)
    try:  # ends every session of the account, the one just opened to check the password included
        await anyio.to_thread.run_sync(functools.partial(store().set_password, account.login, new,
                                                         by=account.login))
    except AccessError as problem:
        await anyio.to_thread.run_sync(store().sign_out, checked.cookie)
        return change_form(account, target, f"Mật khẩu mới không dùng được: {problem}.", 400)
    fresh = await anyio.to_thread.run_sync(store().sign_in, account.login, new, _client(request))
    if fresh.cookie is None:  # cannot happen unless the account was disabled meanwhile
        return _clear_cookie(_redirect(SIGN_IN_PATH))
    return _session_cookie(_redirect(target), fresh.cookie)


ROUTES = [Route(SIGN_IN_PATH, sign_in, methods=["GET", "POST"]),
          Route(SIGN_OUT_PATH, sign_out, methods=["GET"]),
          Route(CHANGE_PASSWORD_PATH, change_password, methods=["GET", "POST"])]


# ------------------------------------------------------------------ the middleware
class Gate:
    """Pure ASGI middleware (HTTP and websocket): a valid session or the sign-in form, nothing else."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] not in ("http", "websocket") or scope["path"] == HEALTH_PATH:
            await self.app(scope, receive, send)
            return
        conn = HTTPConnection(scope)
        path = scope["path"]
        account = await anyio.to_thread.run_sync(store().session, conn.cookies.get(COOKIE_NAME))
        if account is None and not await anyio.to_thread.run_sync(store().has_accounts):
            await self._refuse(scope, receive, send, no_account_page())
            return
        if account is None and path not in (SIGN_IN_PATH, SIGN_OUT_PATH, FAVICON_PATH):
            await self._refuse(scope, receive, send, _redirect(_with_target(SIGN_IN_PATH, local_target(
                _requested(conn)))))
            return
        if account is not None and account.must_change and path not in (*GATE_PATHS, FAVICON_PATH):
            await self._refuse(scope, receive, send, _redirect(_with_target(CHANGE_PASSWORD_PATH, local_target(
                _requested(conn)))))
            return
        scope.setdefault("state", {})[ACCOUNT_STATE] = account
        await self.app(scope, receive, send)

    @staticmethod
    async def _refuse(scope, receive, send, response: Response) -> None:
        if scope["type"] == "websocket":  # closed before it is accepted: the handshake gets HTTP 403
            await send({"type": "websocket.close", "code": 1008})
            return
        await response(scope, receive, send)


app = st.App(ENTRY_SCRIPT, routes=ROUTES, middleware=[Middleware(Gate)])
