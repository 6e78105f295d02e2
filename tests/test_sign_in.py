"""The server's gate (``dashboard.gate``) on a real server bound to 127.0.0.1: plain HTTP with urllib (no
redirect followed, so every answer is seen), a raw websocket handshake, and chromium signing in through the
form as each role. The account store is the sample warehouse's (tests.dashboard_fixtures.test_accounts); the
cases that lock or change an account make one of their own."""

from __future__ import annotations

import base64
import hashlib
import html
import io
import secrets
import socket
import sqlite3
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import polars as pl
import pytest

from pipelines.access.scope import PAGE_REFUSED, UNIT_REFUSED
from pipelines.access.store import COOKIE_NAME, SIGN_IN_REFUSED, AccessStore, accounts_path
from schemas.access import PAGE_PATHS, ROLES
from schemas.admin_unit import ERA_SCHEMA
from schemas.config import load_config
from tests.dashboard_fixtures import REPO, TEST_PASSWORD, dashboard_db, test_accounts
from tests.test_browser import (CHROMIUM, SHOTS, SignedIn, browser, free_port, server,  # noqa: F401 (fixtures)
                                sign_in, start_server)

pytestmark = pytest.mark.browser

# The menu's words for each page path (dashboard/app.py), in the menu's order.
TITLES = {"trang_chu": "Tổng quan", "so_sanh": "So sánh", "don_vi": "Đơn vị", "ton_dong": "Tồn đọng",
          "canh_bao": "Cảnh báo", "don_thu": "Đơn thư, đối thoại, thư", "kham_pha": "Khám phá",
          "gui_so_lieu": "Đôn đốc gửi số liệu", "du_lieu": "Dữ liệu", "tai_khoan": "Tài khoản", "nhat_ky": "Nhật ký"}
PASSWORD = "mat-khau-rieng-cua-test"


class _Seen(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # a redirect is an answer to look at, not to follow
        return None


OPENER = urllib.request.build_opener(_Seen)


def http(url: str, form: dict | None = None, cookie: str | None = None, origin: str | None = "same",
         referer: str | None = None) -> tuple[int, dict, str]:
    """(status, headers, body) of one request; ``form`` makes it a POST from the server's own page (its
    Origin), unless ``origin`` says otherwise (None: no Origin at all)."""
    parts = urlsplit(url)
    headers = {"Cookie": f"{COOKIE_NAME}={cookie}"} if cookie else {}
    if form is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        if origin:
            headers["Origin"] = f"{parts.scheme}://{parts.netloc}" if origin == "same" else origin
        if referer:
            headers["Referer"] = referer
    request = urllib.request.Request(url, data=urlencode(form).encode() if form is not None else None,
                                     headers=headers)
    try:
        with OPENER.open(request, timeout=30) as answer:
            return answer.status, dict(answer.headers), answer.read().decode()
    except urllib.error.HTTPError as answer:
        return answer.code, dict(answer.headers), answer.read().decode()


def post_sign_in(base: str, login: str, password: str, tiep: str | None = None, **options) -> tuple[int, dict, str]:
    form = {"ten_dang_nhap": login, "mat_khau": password} | ({"tiep": tiep} if tiep is not None else {})
    return http(f"{base}/dang_nhap", form, **options)


def cookie_of(headers: dict) -> str | None:
    set_cookie = headers.get("set-cookie") or headers.get("Set-Cookie") or ""
    if not set_cookie.startswith(f"{COOKIE_NAME}="):
        return None
    return set_cookie.split(";")[0].split("=", 1)[1].strip('"') or None


def location(headers: dict) -> str | None:
    return headers.get("location") or headers.get("Location")


def signed_cookie(base: str, role: str) -> str:
    status, headers, _ = post_sign_in(base, test_accounts(dashboard_db())[role], TEST_PASSWORD.format(role=role))
    assert status == 303, status
    return cookie_of(headers)


def handshake(base: str, cookie: str | None = None) -> int:
    """The HTTP status a websocket handshake to Streamlit's live connection gets (101: opened)."""
    host = urlsplit(base).netloc
    request = (f"GET /_stcore/stream HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
               f"Sec-WebSocket-Key: {base64.b64encode(secrets.token_bytes(16)).decode()}\r\nSec-WebSocket-Version: 13\r\nOrigin: {base}\r\n"
               + (f"Cookie: {COOKIE_NAME}={cookie}\r\n" if cookie else "") + "\r\n")
    with socket.create_connection(("127.0.0.1", urlsplit(base).port), timeout=30) as conn:
        conn.sendall(request.encode())
        return int(conn.recv(1024).split(b" ", 2)[1])


def refusal(body: str) -> str:
    """The error message a form page shows."""
    start = body.index('<p class="msg error" role="alert">') + len('<p class="msg error" role="alert">')
    return html.unescape(body[start:body.index("</p>", start)])


def own_account(role: str = "tinh", one_time: bool = False) -> str:
    """A login of this test's own (locking or changing a shared test account would disturb other tests)."""
    login = f"gate.{secrets.token_hex(3)}"
    AccessStore(accounts_path(dashboard_db()), load_config().access).add(login, role, [], PASSWORD, by="test",
                                                                          one_time=one_time)
    return login


# ------------------------------------------------------------------ plain HTTP
@pytest.mark.parametrize("path,target", [
    ("/", "/dang_nhap"),
    ("/ton_dong?ky=nam&nam=2024", "/dang_nhap?tiep=%2Fton_dong%3Fky%3Dnam%26nam%3D2024"),
    ("/static/js/index.js", "/dang_nhap?tiep=%2Fstatic%2Fjs%2Findex.js"),
    ("/_stcore/host-config", "/dang_nhap?tiep=%2F_stcore%2Fhost-config"),
    ("/doi_mat_khau", "/dang_nhap?tiep=%2Fdoi_mat_khau"),
])
def test_without_a_session_every_request_is_sent_to_the_form(server, path, target):
    status, headers, body = http(f"{server}{path}")
    assert (status, location(headers), body) == (303, target, "")


def test_the_health_check_and_the_form_answer_without_a_session(server):
    assert http(f"{server}/_stcore/health")[::2] == (200, "ok")
    status, headers, body = http(f"{server}/dang_nhap?tiep=/ton_dong")
    assert status == 200 and "no-store" in headers["cache-control"] and "frame-ancestors 'none'" in headers[
        "content-security-policy"]
    for words in ("Tên đăng nhập", "Mật khẩu", ">Đăng nhập</button>", 'name="tiep" value="/ton_dong"'):
        assert words in body


def test_a_websocket_opens_only_with_a_session(server):
    assert handshake(server) == 403
    assert handshake(server, "forged.cookie.value") == 403
    assert handshake(server, signed_cookie(server, "tinh")) == 101


def test_the_form_sets_a_strict_http_only_cookie_and_goes_on_to_the_page_asked_for(server):
    login = test_accounts(dashboard_db())["tinh"]
    status, headers, _ = post_sign_in(server, f" {login.upper()}", TEST_PASSWORD.format(role="tinh"),
                                      "/ton_dong?ky=nam&nam=2024")
    assert (status, location(headers)) == (303, "/ton_dong?ky=nam&nam=2024")
    attributes = [a.strip() for a in headers["set-cookie"].split(";")[1:]]
    assert sorted(attributes) == ["HttpOnly", "Max-Age=28800", "Path=/", "SameSite=strict"]  # 8 h; no Secure: http
    assert http(f"{server}/ton_dong", cookie=cookie_of(headers))[0] == 200
    # signed in already: the form goes straight on
    assert location(http(f"{server}/dang_nhap?tiep=/so_sanh", cookie=cookie_of(headers))[1]) == "/so_sanh"


@pytest.mark.parametrize("tiep", ["//evil.example/x", "https://evil.example/", "/\\evil.example", "javascript:alert(1)",
                                  "/dang_xuat", "ton_dong", "/\x0d\x0aSet-Cookie: x=1"])
def test_after_signing_in_the_form_never_leads_to_another_host(server, tiep):
    login = test_accounts(dashboard_db())["tinh"]
    status, headers, _ = post_sign_in(server, login, TEST_PASSWORD.format(role="tinh"), tiep)
    assert (status, location(headers)) == (303, "/")


@pytest.mark.parametrize("origin,referer", [(None, None), ("http://evil.example", None), ("null", None),
                                            (None, "http://evil.example/dang_nhap")],
                         ids=["none", "other-origin", "null-origin", "other-referer"])
def test_a_post_from_another_site_is_refused(server, origin, referer):
    login = test_accounts(dashboard_db())["tinh"]
    status, headers, body = post_sign_in(server, login, TEST_PASSWORD.format(role="tinh"), origin=origin,
                                         referer=referer)
    assert status == 403 and cookie_of(headers) is None and "không gửi từ trang của hệ thống" in body
    same_page = f"{server}/dang_nhap"  # a Referer of the server's own form is enough
    assert post_sign_in(server, login, TEST_PASSWORD.format(role="tinh"), origin=None, referer=same_page)[0] == 303


def test_an_unknown_login_and_a_wrong_password_get_the_same_answer(server):
    unknown = post_sign_in(server, "khong.co.ai", "mot-mat-khau-bat-ky")
    wrong = post_sign_in(server, test_accounts(dashboard_db())["tinh"], "sai-mat-khau-roi")
    assert unknown[0] == wrong[0] == 401
    assert refusal(unknown[2]) == refusal(wrong[2]) == SIGN_IN_REFUSED
    assert cookie_of(unknown[1]) is None and cookie_of(wrong[1]) is None


def test_a_refused_login_is_written_back_as_text(server):
    """The form keeps the login typed after a refusal, escaped: a login cannot add markup to the page."""
    status, _, body = post_sign_in(server, '"><script>alert(1)</script>', "mot-mat-khau-bat-ky")
    assert status == 401 and "<script>" not in body
    assert 'value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"' in body


def test_five_wrong_passwords_lock_the_account_and_the_sixth_try_with_the_right_one_is_refused(server):
    login = own_account()
    for _ in range(5):
        status, _, body = post_sign_in(server, login, "sai-mat-khau-roi")
        assert (status, refusal(body)) == (401, SIGN_IN_REFUSED)
    status, headers, body = post_sign_in(server, login, PASSWORD)
    assert (status, refusal(body), cookie_of(headers)) == (401, SIGN_IN_REFUSED, None)
    trail = AccessStore(accounts_path(dashboard_db()), load_config().access).audit(login=login)
    assert trail["detail"].to_list()[0].endswith('"reason": "locked"}')


def test_forged_altered_and_expired_cookies_get_the_form(server):
    cookie = signed_cookie(server, "tinh")
    assert http(f"{server}/", cookie=cookie)[0] == 200
    at = cookie.rindex(".") + 5  # inside the signature: its last base64 character may carry only padding bits
    altered = cookie[:at] + ("A" if cookie[at] != "A" else "B") + cookie[at + 1:]
    for bad in ("forged", secrets.token_urlsafe(32) + ".ZZZZZZ.abc", altered):
        status, headers, _ = http(f"{server}/", cookie=bad)
        assert (status, location(headers)) == (303, "/dang_nhap")
    token = cookie.rsplit(".", 2)[0]
    with sqlite3.connect(accounts_path(dashboard_db())) as con:  # the session's end passed
        con.execute("UPDATE sessions SET expires_at = '2001-01-01T00:00:00+00:00' WHERE token_sha256 = ?",
                    (hashlib.sha256(token.encode()).hexdigest(),))
    status, headers, _ = http(f"{server}/ton_dong", cookie=cookie)
    assert (status, location(headers)) == (303, "/dang_nhap?tiep=%2Fton_dong")


def test_signing_out_ends_the_session_and_forgets_the_cookie(server):
    cookie = signed_cookie(server, "tinh")
    assert http(f"{server}/", cookie=cookie)[0] == 200
    status, headers, _ = http(f"{server}/dang_xuat", cookie=cookie)
    assert (status, location(headers)) == (303, "/dang_nhap?thong_bao=da_dang_xuat")
    assert headers["set-cookie"].startswith(f'{COOKIE_NAME}=""; ') and "Max-Age=0" in headers["set-cookie"]
    assert location(http(f"{server}/", cookie=cookie)[1]) == "/dang_nhap"  # the old cookie opens nothing
    assert handshake(server, cookie) == 403
    assert '<p class="msg info" role="status">Đã đăng xuất.</p>' in http(f"{server}/dang_nhap?thong_bao=da_dang_xuat")[2]


def test_a_one_time_password_must_be_changed_before_anything_else(server):
    login = own_account(one_time=True)
    status, headers, _ = post_sign_in(server, login, PASSWORD, "/ton_dong")
    assert (status, location(headers)) == (303, "/doi_mat_khau?tiep=%2Fton_dong")
    first = cookie_of(headers)
    assert location(http(f"{server}/so_sanh", cookie=first)[1]) == "/doi_mat_khau?tiep=%2Fso_sanh"
    assert handshake(server, first) == 403
    page = http(f"{server}/doi_mat_khau?tiep=/ton_dong", cookie=first)[2]
    assert "mật khẩu dùng một lần" in page and f"<strong>{login}</strong>" in page

    def change(current: str, new: str, again: str | None = None):
        return http(f"{server}/doi_mat_khau", {"mat_khau": current, "mat_khau_moi": new,
                                               "nhap_lai": new if again is None else again, "tiep": "/ton_dong"},
                    cookie=first)

    assert (change(PASSWORD, "ngan")[0], refusal(change(PASSWORD, "ngan")[2])) == (
        400, "Mật khẩu mới không dùng được: mật khẩu phải có ít nhất 10 ký tự.")
    assert refusal(change(PASSWORD, "mat-khau-moi-du-dai", "mat-khau-khac-han")[2]) == "Hai lần nhập mật khẩu mới không khớp."
    assert refusal(change(PASSWORD, PASSWORD)[2]) == "Mật khẩu mới phải khác mật khẩu hiện tại."
    assert change("sai-mat-khau-roi", "mat-khau-moi-du-dai")[0] == 401
    assert change(PASSWORD, "mat-khau-moi-du-dai", "x")[0] == 400 and http(f"{server}/", cookie=first)[0] == 303
    status, headers, _ = change(PASSWORD, "mat-khau-moi-du-dai")
    assert (status, location(headers)) == (303, "/ton_dong")
    fresh = cookie_of(headers)
    assert fresh != first and http(f"{server}/ton_dong", cookie=fresh)[0] == 200
    assert location(http(f"{server}/", cookie=first)[1]) == "/dang_nhap"  # the one-time session ended
    assert post_sign_in(server, login, PASSWORD)[0] == 401 and post_sign_in(server, login, "mat-khau-moi-du-dai")[0] == 303


def test_a_server_without_an_account_serves_nothing_but_says_how_to_make_one(tmp_path):
    port = free_port()
    proc = start_server(tmp_path / "chua_co.duckdb", port)
    base = f"http://127.0.0.1:{port}"
    try:
        for path in ("/", "/ton_dong", "/dang_nhap", "/static/js/index.js"):
            status, _, body = http(f"{base}{path}")
            assert status == 503 and "Chưa có tài khoản nào" in body
            assert "dvcq users add quantri --role quan_tri" in body and "dvcq users sample" in body
        assert handshake(base) == 403
        assert http(f"{base}/_stcore/health")[::2] == (200, "ok")
    finally:
        proc.terminate()
        proc.wait(timeout=20)


# ------------------------------------------------------------------ chromium, through the form
def signed_in_page(browser, server: str, role: str, path: str = "/"):
    """A new browser context signed in through the form as ``role``, on ``path``."""
    own = SignedIn(browser.browser, sign_in(browser.browser, server, role))
    page = own.new_page(viewport={"width": 1440, "height": 900}, locale="vi-VN")
    page.goto(f"{server}{path}", wait_until="domcontentloaded")
    return own, page


def menu(page) -> list[str]:
    """The menu's page names, once the run that draws it has ended."""
    page.locator(".st-key-menu a").first.wait_for(timeout=60_000)
    page.locator(".st-key-account").wait_for(timeout=60_000)
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60_000)
    return [text.strip().splitlines()[-1] for text in page.locator(".st-key-menu a").all_inner_texts()]  # after its icon


@pytest.mark.parametrize("role", list(ROLES))
def test_each_role_signed_in_through_the_form_sees_exactly_its_pages(server, browser, role):
    own, page = signed_in_page(browser, server, role)
    try:
        assert menu(page) == [TITLES[path] for path in PAGE_PATHS if path in ROLES[role].pages]
        account = page.locator(".st-key-account").inner_text()
        assert test_accounts(dashboard_db())[role] in account and ROLES[role].label in account
    finally:
        own.close()


@pytest.mark.parametrize("role,path", [("xa", "kham_pha"), ("phan_tich", "ton_dong"), ("tinh", "tai_khoan"),
                                       ("dia_ban", "nhat_ky")])
def test_a_page_the_role_may_not_open_says_so(server, browser, role, path):
    own, page = signed_in_page(browser, server, role, f"/{path}")
    try:
        page.get_by_text(PAGE_REFUSED).wait_for(timeout=60_000)
        assert page.locator('[data-testid="stDataFrame"], .js-plotly-plot').count() == 0
    finally:
        own.close()


def other_commune(login: str) -> str:
    import duckdb

    own = login.split(".")[1]
    with duckdb.connect(str(dashboard_db()), read_only=True) as con:
        return con.execute(f"SELECT min(commune_code) FROM {ERA_SCHEMA['2025']}.admin_units WHERE commune_code <> ?",
                           [own]).fetchall()[0][0]


def test_a_commune_clerk_asking_for_another_commune_is_refused(server, browser):
    login = test_accounts(dashboard_db())["xa"]
    own, page = signed_in_page(browser, server, "xa", f"/don_vi?don_vi={other_commune(login)}")
    try:
        page.get_by_text(UNIT_REFUSED).wait_for(timeout=60_000)
    finally:
        own.close()


def audit(login: str) -> pl.DataFrame:
    """The audit trail of ``login`` as ``dvcq audit --user`` prints it, oldest first."""
    done = subprocess.run([sys.executable, "-m", "pipelines.cli", "audit", "--user", login, "--db",
                           str(dashboard_db()), "--format", "csv"], cwd=REPO, capture_output=True, text=True,
                          check=True)
    return pl.read_csv(io.StringIO(done.stdout)).sort("seq")


def test_a_session_in_the_audit_trail_sign_in_refused_page_sign_out(server, browser):
    login = test_accounts(dashboard_db())["xa"]
    before = audit(login)["seq"].max() or 0
    own, page = signed_in_page(browser, server, "xa", "/kham_pha")
    try:
        page.get_by_text(PAGE_REFUSED).wait_for(timeout=60_000)
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "tu_choi_trang.png"), full_page=True)
        page.locator(".st-key-account").get_by_text("Đăng xuất").click()
        page.get_by_text("Đã đăng xuất.").wait_for(timeout=60_000)
        assert urlsplit(page.url).path == "/dang_nhap"
        page.goto(f"{server}/don_vi", wait_until="domcontentloaded")  # the cookie is gone: the form again
        page.get_by_role("button", name="Đăng nhập").wait_for(timeout=60_000)
    finally:
        own.close()
    trail = audit(login).filter(pl.col("seq") > before)
    assert trail["action"].to_list() == ["sign_in", "refused", "sign_out"]
    assert trail["detail"].to_list()[1] == '{"page": "kham_pha"}'
    assert trail["action_vi"].to_list() == ["Đăng nhập", "Bị từ chối", "Đăng xuất"]
