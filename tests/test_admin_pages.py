"""The administrator's pages, Tài khoản and Nhật ký (AppTest on the sample warehouse's account store), and the
functions behind them refusing anyone but a signed-in administrator."""

from __future__ import annotations

import datetime as dt
import re
import secrets

import pytest

from dashboard import access
from pipelines.access.scope import PAGE_REFUSED, OutOfScope, Scope
from pipelines.access.store import AccessStore, accounts_path
from pipelines.cli.users import SAMPLE_LOGINS
from schemas.access import ROLES
from schemas.config import load_config
from tests.dashboard_fixtures import TEST_PASSWORD, dashboard_db, new_app, no_errors, test_accounts

ADMIN = SAMPLE_LOGINS["quan_tri"]

ACCOUNT_HEADERS = ["Tên đăng nhập", "Vai trò", "Mã đơn vị", "Thư điện tử", "Kênh nhận bản tin", "Bản tin", "Tình trạng tài khoản"]


def store() -> AccessStore:
    return AccessStore(accounts_path(dashboard_db()), load_config().access)


def unique(prefix: str) -> str:
    """A login no earlier run made (the sample's store may be reused between runs: DVCQ_TEST_DB)."""
    return f"{prefix}.{secrets.token_hex(3)}"


def open_admin(page: str, role: str = "quan_tri"):
    """``page`` after a first run of the entry script, which checks the session and keeps the account's scope;
    the switched page runs through the entry script too (``dashboard_fixtures.new_app``), as in a browser."""
    at = new_app(None, role=role)
    return at.switch_page(f"pages/{page}.py").run()


def add(at, login: str, role: str, units: str = "", email: str = "", channel: str = "none"):
    at.text_input(key="new_login").set_value(login)
    at.selectbox(key="new_role").set_value(role)
    at.text_input(key="new_units").set_value(units)
    at.text_input(key="new_email").set_value(email)
    at.selectbox(key="new_channel").set_value(channel)
    return at.button(key="FormSubmitter:add_account-Tạo tài khoản").click().run()


def test_the_account_list_says_every_account_in_words_and_no_hash():
    logins = test_accounts(dashboard_db())
    at = open_admin("tai_khoan")
    no_errors(at)
    table = at.dataframe[0].value
    assert list(table.columns) == ACCOUNT_HEADERS
    rows = {row["Tên đăng nhập"]: row for row in table.to_dict("records")}
    assert set(logins.values()) <= set(rows)
    commune = logins["xa"].split(".")[1]
    assert (rows[logins["xa"]]["Vai trò"], rows[logins["xa"]]["Mã đơn vị"]) == ("Cán bộ xã", commune)
    assert rows[logins["quan_tri"]]["Tình trạng tài khoản"] == "hoạt động"
    assert not table.map(lambda v: "argon2" in str(v)).any().any()


def test_a_new_account_gets_a_one_time_password_shown_once_that_must_be_changed():
    commune = test_accounts(dashboard_db())["xa"].split(".")[1]
    login = unique("xa")
    at = add(open_admin("tai_khoan"), login, "xa", commune, "can.bo@xa.gov.vn", "email")
    no_errors(at)
    assert len(at.code) == 1
    password = at.code[0].value
    assert at.success[0].value.startswith(f"Mật khẩu dùng một lần của **{login}**")
    signed = store().sign_in(login, password)
    assert signed.account.must_change and signed.account.units == (commune,)
    assert (signed.account.email, signed.account.channel) == ("can.bo@xa.gov.vn", "email")
    assert login in set(at.dataframe[0].value["Tên đăng nhập"])  # the list below already has it
    at.selectbox(key="state_login").set_value(login).run()  # any other step: the password is gone
    assert len(at.code) == 0
    events = store().audit(login=test_accounts(dashboard_db())["quan_tri"])
    assert events.filter(events["action"] == "account_add")["detail"].str.contains(login).any()


@pytest.mark.parametrize("role,units,email,channel,said", [
    ("xa", "99999", "", "none", "Không có xã hay địa bàn nào mang mã 99999 trong danh mục từ 01/07/2025"),
    ("xa", "", "", "none", "Vai trò xa cần --unit: mã xã (5 chữ số)"),
    ("tinh", "", "", "email", "Kênh thư điện tử cần địa chỉ thư điện tử"),
    ("tinh", "", "khong-phai-thu", "none", "Địa chỉ thư điện tử «khong-phai-thu» không đúng dạng"),
], ids=["unknown-unit", "no-unit", "email-channel-without-address", "bad-address"])
def test_a_wrong_new_account_is_said_and_not_made(role, units, email, channel, said):
    login = unique("sai")
    at = add(open_admin("tai_khoan"), login, role, units, email, channel)
    assert [e.value for e in at.error] == [said] and len(at.code) == 0
    assert store().account(login) is None


def test_disable_enable_and_a_new_one_time_password():
    login = unique("bdv")
    store().add(login, "tinh", [], "mat-khau-ban-dau-1", by="test")
    session = store().sign_in(login, "mat-khau-ban-dau-1").cookie
    at = open_admin("tai_khoan")
    at.selectbox(key="state_login").set_value(login).run()
    at.button(key="disable_True").click().run()
    no_errors(at)
    assert store().account(login).disabled and store().session(session) is None
    at.button(key="disable_False").click().run()
    assert not store().account(login).disabled
    at.selectbox(key="password_login").set_value(login).run()
    at.button(key="reset_password").click().run()
    no_errors(at)
    password = at.code[0].value
    assert store().sign_in(login, "mat-khau-ban-dau-1").cookie is None
    assert store().sign_in(login, password).account.must_change


def test_the_administrator_cannot_disable_the_account_it_is_signed_in_with():
    me = test_accounts(dashboard_db())["quan_tri"]
    at = open_admin("tai_khoan")
    at.selectbox(key="state_login").set_value(me).run()
    at.button(key="disable_True").click().run()
    assert [e.value for e in at.error] == [access.SELF_DISABLE_REFUSED]
    assert not store().account(me).disabled


def test_the_digest_is_set_and_a_stored_webhook_is_kept_when_left_empty():
    login = unique("pt")
    store().add(login, "phan_tich", [], "mat-khau-ban-dau-1", by="test")
    store().change(login, by="test", webhook="https://hook.example/bot123:secret", channel="webhook")
    at = open_admin("tai_khoan")
    at.selectbox(key="digest_login").set_value(login).run()
    at.selectbox(key=f"digest_period_{login}").set_value("week")
    at.text_input(key=f"digest_email_{login}").set_value("pt@tinh.gov.vn")
    at.button(key="FormSubmitter:digest-Lưu").click().run()
    no_errors(at)
    saved = store().account(login)
    assert (saved.channel, saved.digest, saved.email, saved.webhook) == (
        "webhook", "week", "pt@tinh.gov.vn", "https://hook.example/bot123:secret")
    assert "bot123" not in str([t.value for t in at.text_input])
    at = open_admin("nhat_ky")
    at.selectbox(key="nk_tai_khoan").set_value("test").run()
    change = [d for d in at.dataframe[0].value["Chi tiết"] if f"tài khoản: {login}" in d][0]
    assert change == f"tài khoản: {login}; webhook: hook.example; kênh: Webhook (Telegram, Zalo OA)"
    at.selectbox(key="nk_tai_khoan").set_value(ADMIN).run()
    change = [d for d in at.dataframe[0].value["Chi tiết"] if f"tài khoản: {login}" in d][0]
    assert change == (f"tài khoản: {login}; kênh: Webhook (Telegram, Zalo OA); bản tin: Hằng tuần; "
                      "thư điện tử: pt@tinh.gov.vn")


def test_the_audit_page_shows_the_trail_in_words_by_login_and_day():
    logins = test_accounts(dashboard_db())
    store().sign_in(logins["phan_tich"], "sai-mat-khau-roi", "10.0.0.7")
    store().sign_in(logins["phan_tich"], TEST_PASSWORD.format(role="phan_tich"), "10.0.0.7")
    at = open_admin("nhat_ky")
    no_errors(at)
    at.selectbox(key="nk_tai_khoan").set_value(logins["phan_tich"]).run()
    table = at.dataframe[0].value
    assert list(table.columns) == ["Thời điểm", "Tài khoản", "Việc", "Chi tiết"]
    assert set(table["Tài khoản"]) == {logins["phan_tich"]}
    first, second = table.to_dict("records")[:2]  # newest first
    assert (first["Việc"], first["Chi tiết"]) == ("Đăng nhập", "máy: 10.0.0.7")
    assert (second["Việc"], second["Chi tiết"]) == ("Đăng nhập không thành công",
                                                    "máy: 10.0.0.7; lý do: sai tên đăng nhập hoặc mật khẩu")
    assert re.fullmatch(r"\d\d/\d\d/\d{4} \d\d:\d\d", first["Thời điểm"])
    assert first["Thời điểm"][:10] == f"{dt.datetime.now(dt.timezone(dt.timedelta(hours=7))):%d/%m/%Y}"
    at.date_input(key="nk_den").set_value(access.vietnam_today() - dt.timedelta(days=1)).run()
    assert not ({"Đăng nhập"} & set(at.dataframe[0].value.head(2)["Việc"]) and at.dataframe[0].value.head(2)[
        "Chi tiết"].str.contains("10.0.0.7").all())  # today's two events are not there up to yesterday


def test_the_audit_csv_has_vietnamese_headers_and_its_download_is_recorded():
    trail = store().audit().head(3)
    with pytest.MonkeyPatch.context() as patch:  # the page's run, signed in as the administrator
        patch.setattr(access, "scope", lambda: Scope(ADMIN, ROLES["quan_tri"], None))
        patch.setattr(access, "store", store)
        shown = access.audit_trail(None, None, None).head(3)
        data = access.audit_csv(shown, ADMIN, dt.date(2026, 1, 1), None, None)
    assert trail.height == 3
    assert data.startswith("\ufeff".encode())
    lines = data.decode("utf-8-sig").splitlines()
    assert lines[0] == "Thời điểm,Tài khoản,Việc,Chi tiết" and len(lines) == 4
    last = store().audit().row(0, named=True)
    assert (last["login"], last["action"]) == (ADMIN, "export")
    assert '"what": "audit"' in last["detail"] and '"rows": 3' in last["detail"]


def test_other_roles_are_refused_the_pages_and_the_functions():
    for page in ("tai_khoan", "nhat_ky"):  # the entry script refuses the page; its functions refuse too (below)
        at = open_admin(page, role="tinh")
        assert [e.value for e in at.error] == [PAGE_REFUSED] and not at.dataframe and not at.button
    calls = [access.account_table, lambda: access.add_account("x.y", "tinh", [], None, "none", "none"),
             lambda: access.set_disabled(ADMIN, True), lambda: access.reset_password(ADMIN),
             lambda: access.set_digest(ADMIN, "none", "none", None, None),
             lambda: access.audit_trail(None, None, None), access.audit_logins]
    for role in ("tinh", "dia_ban", "xa", "phan_tich"):
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(access, "scope", lambda role=role: Scope(f"u.{role}", ROLES[role], None))
            for call in calls:
                with pytest.raises(OutOfScope, match=access.MANAGE_REFUSED):
                    call()
    for call in calls:  # outside a browser session there is no administrator to act as
        with pytest.raises(OutOfScope, match=access.MANAGE_REFUSED):
            call()
    assert not store().account(ADMIN).disabled
