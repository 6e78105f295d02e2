"""The account store and ``dvcq users``/``dvcq audit``: hashing, lockout, sessions, the append-only audit, units.

Every case drives the real store on a file in a temp folder; the units cases read the sample warehouse.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import subprocess
import sys

import pytest

from pipelines.access.scope import OutOfScope, check_units, scope_of
from pipelines.access.store import SIGN_IN_REFUSED, AccessError, AccessStore, accounts_path
from schemas.config import AccessConfig
from tests.dashboard_fixtures import REPO, dashboard_db

CONFIG = AccessConfig(session_hours=8, max_failed_sign_ins=5, lockout_minutes=15, min_password_length=10,
                      secure_cookie=False)
PASSWORD = "mot-mat-khau-dai"


@pytest.fixture
def store(tmp_path):
    store = AccessStore(tmp_path / "w.accounts.sqlite3", CONFIG)
    store.add("bdv", "tinh", [], PASSWORD, by="test")
    return store


def test_accounts_live_beside_their_warehouse(tmp_path):
    assert accounts_path(tmp_path / "data" / "dvcq.duckdb") == tmp_path / "data" / "dvcq.accounts.sqlite3"


def test_the_password_is_stored_as_an_argon2id_hash_never_in_clear(store):
    raw = store.path.read_bytes()
    assert PASSWORD.encode() not in raw
    with sqlite3.connect(store.path) as con:
        (hashed,) = con.execute("SELECT password_hash FROM accounts WHERE login = 'bdv'").fetchone()
    assert hashed.startswith("$argon2id$")
    assert oct(store.path.stat().st_mode & 0o777) == "0o600"


def test_a_right_password_opens_a_session_the_cookie_finds_again(store):
    signed = store.sign_in("BDV ", PASSWORD)  # logins are folded to lower case and trimmed
    assert signed.message is None
    assert store.session(signed.cookie).login == "bdv"
    store.sign_out(signed.cookie)
    assert store.session(signed.cookie) is None


def test_unknown_login_and_wrong_password_get_the_same_words(store):
    assert store.sign_in("khong-co", PASSWORD).message == SIGN_IN_REFUSED
    assert store.sign_in("bdv", "sai-mat-khau-roi").message == SIGN_IN_REFUSED


def test_five_failures_lock_the_account_for_fifteen_minutes(store, monkeypatch):
    for _ in range(4):
        assert store.sign_in("bdv", "sai-mat-khau-roi").cookie is None
    assert store.account("bdv").locked_until is None  # four failures: not yet
    assert store.sign_in("bdv", "sai-mat-khau-roi").cookie is None
    locked = store.account("bdv").locked_until
    assert locked is not None
    started = dt.datetime.now(dt.UTC)
    assert dt.timedelta(minutes=14) < locked - started <= dt.timedelta(minutes=15)
    refused = store.sign_in("bdv", PASSWORD)  # the right password, while locked
    assert (refused.cookie, refused.message) == (None, SIGN_IN_REFUSED)
    # 15 minutes and a second later the right password opens again
    import pipelines.access.store as module
    monkeypatch.setattr(module, "_now", lambda: (started + dt.timedelta(minutes=15, seconds=1)).replace(microsecond=0))
    assert store.sign_in("bdv", PASSWORD).cookie is not None


def test_a_success_resets_the_count_of_failures(store):
    for _ in range(4):
        store.sign_in("bdv", "sai-mat-khau-roi")
    assert store.sign_in("bdv", PASSWORD).cookie
    for _ in range(4):
        store.sign_in("bdv", "sai-mat-khau-roi")
    assert store.account("bdv").locked_until is None


def test_forged_altered_and_expired_cookies_open_nothing(store, monkeypatch):
    cookie = store.sign_in("bdv", PASSWORD).cookie
    token, _, signature = cookie.rpartition(".")
    assert store.session(token + "." + ("A" if signature[0] != "A" else "B") + signature[1:]) is None
    assert store.session("gia-mao.abc.def") is None
    assert store.session("") is None
    other = AccessStore(store.path.with_name("other.sqlite3"), CONFIG)  # another store's secret
    other.add("bdv", "tinh", [], PASSWORD, by="test")
    assert other.session(cookie) is None
    import pipelines.access.store as module
    later = dt.datetime.now(dt.UTC) + dt.timedelta(hours=8, seconds=5)
    monkeypatch.setattr(module, "_now", lambda: later.replace(microsecond=0))
    assert store.session(cookie) is None  # the session row has expired


def test_the_cookie_is_not_signed_with_the_personal_data_key(store, monkeypatch):
    monkeypatch.setenv("DVCQ_SECRET", "k" * 64)
    with sqlite3.connect(store.path) as con:
        store.sign_in("bdv", PASSWORD)
        (secret,) = con.execute("SELECT value FROM settings WHERE name = 'cookie_secret'").fetchone()
    assert secret != "k" * 64 and len(secret) == 64


def test_disabling_and_a_new_password_end_open_sessions(store):
    cookie = store.sign_in("bdv", PASSWORD).cookie
    store.set_disabled("bdv", True, by="admin")
    assert store.session(cookie) is None
    assert store.sign_in("bdv", PASSWORD).message == SIGN_IN_REFUSED
    store.set_disabled("bdv", False, by="admin")
    cookie = store.sign_in("bdv", PASSWORD).cookie
    store.set_password("bdv", "mat-khau-moi-dai", by="admin", one_time=True)
    assert store.session(cookie) is None
    assert store.account("bdv").must_change


def test_bad_logins_passwords_and_duplicates_are_said(store):
    with pytest.raises(AccessError, match="không hợp lệ"):
        store.add("Tên Có Dấu", "tinh", [], PASSWORD, by="t")
    with pytest.raises(AccessError, match="ít nhất 10 ký tự"):
        store.add("ngan", "tinh", [], "ngan", by="t")
    with pytest.raises(AccessError, match="trùng tên đăng nhập"):
        store.add("matkhau-dai", "tinh", [], "MATKHAU-DAI", by="t")
    with pytest.raises(AccessError, match="đã có"):
        store.add("bdv", "tinh", [], PASSWORD, by="t")
    with pytest.raises(AccessError, match="vai trò"):
        store.add("ai-do", "vua", [], PASSWORD, by="t")


def test_the_audit_trail_is_append_only_and_masks_what_it_is_given(store):
    store.sign_in("bdv", PASSWORD)
    store.sign_in("khong-co", "x")
    store.record("bdv", "upload", file="ho_so_Nguyen Van An_038095001234.xlsx", rows=12)
    trail = store.audit()
    assert trail["action"].to_list() == ["upload", "sign_in_failed", "sign_in", "account_add"]
    upload = json.loads(trail.item(0, "detail"))
    assert "038095001234" not in upload["file"] and upload["rows"] == 12
    assert trail.item(1, "login").startswith("?")  # a login that does not exist is not written as typed
    assert "khong-co" not in store.path.read_bytes().decode("utf-8", "replace")
    with sqlite3.connect(store.path) as con, pytest.raises(sqlite3.DatabaseError, match="append-only"):
        con.execute("DELETE FROM audit")
    with sqlite3.connect(store.path) as con, pytest.raises(sqlite3.DatabaseError, match="append-only"):
        con.execute("UPDATE audit SET login = 'x'")


def test_a_webhook_s_secret_path_is_not_written_in_the_audit(store):
    store.change("bdv", by="admin", channel="webhook", webhook="https://relay.example.vn/bot123:SECRET/digest")
    assert store.account("bdv").webhook.endswith("SECRET/digest")
    change = json.loads(store.audit().item(0, "detail"))
    assert change["webhook"] == "relay.example.vn" and "SECRET" not in store.audit()["detail"].str.join("")


def test_audit_filters_by_day_in_vietnam_time_and_login(store, monkeypatch):
    import pipelines.access.store as module
    # 23:30 UTC on 06/12 is 06:30 on 07/12 in Vietnam
    monkeypatch.setattr(module, "_now", lambda: dt.datetime(2026, 12, 6, 23, 30, tzinfo=dt.UTC))
    store.record("bdv", "export", file="a.xlsx")
    assert store.audit(dt.date(2026, 12, 7), dt.date(2026, 12, 7))["action"].to_list() == ["export"]
    assert store.audit(dt.date(2026, 12, 6), dt.date(2026, 12, 6)).is_empty()
    assert store.audit(login="khac").is_empty()


def test_units_are_checked_against_the_2025_communes_and_areas(tmp_path):
    import duckdb

    with duckdb.connect(str(dashboard_db()), read_only=True) as con:
        commune, area = con.execute("SELECT commune_code, split_part(area_code, '+', 1) FROM units_2025 "
                                    "ORDER BY commune_code LIMIT 1").fetchall()[0]
        in_area = {c for (c,) in con.execute("SELECT commune_code FROM units_2025 WHERE list_contains("
                                             "string_split(area_code, '+'), ?)", [area]).fetchall()}
        assert check_units(con, "xa", [commune]) == [commune]
        with pytest.raises(AccessError, match="đúng một xã"):
            check_units(con, "xa", [area])
        with pytest.raises(AccessError, match="99999"):
            check_units(con, "dia_ban", [commune, "99999"])
        with pytest.raises(AccessError, match="không nhận --unit"):
            check_units(con, "tinh", [commune])
        store = AccessStore(tmp_path / "units.sqlite3", CONFIG)
        account = store.add(f"diaban.{area}.t", "dia_ban", [area], PASSWORD, by="t")
        scope = scope_of(account, con)
    assert scope.communes == in_area and len(in_area) > 1
    assert scope.structure("legacy") == "2025"
    with pytest.raises(OutOfScope, match="không có quyền xem đơn vị này"):
        scope.require("00000")
    assert not scope.reaches("00000") and scope.reaches(commune) == (commune in in_area)


def _dvcq(*args, stdin: str | None = None, db=None):
    return subprocess.run([sys.executable, "-m", "pipelines.cli", *args, "--db", str(db)], input=stdin,
                          capture_output=True, text=True, cwd=REPO, timeout=120)


def test_cli_adds_lists_disables_and_audits(tmp_path):
    import shutil

    db = tmp_path / "w.duckdb"
    shutil.copy(dashboard_db(), db)
    added = _dvcq("users", "add", "canbo", "--role", "tinh", "--email", "a@b.vn", stdin=PASSWORD + "\n", db=db)
    assert added.returncode == 0, added.stderr
    refused = _dvcq("users", "add", "canbo2", "--role", "xa", "--unit", "99999", stdin=PASSWORD + "\n", db=db)
    assert refused.returncode == 2 and "99999" in refused.stderr and "Traceback" not in refused.stderr
    assert _dvcq("users", "disable", "canbo", db=db).returncode == 0
    listed = _dvcq("users", "list", "--format", "csv", db=db)
    assert listed.stdout.splitlines()[1].split(",")[:2] == ["canbo", "tinh"] and ",khóa" in listed.stdout
    assert PASSWORD not in listed.stdout and "argon2" not in listed.stdout
    trail = _dvcq("audit", "--user", "cli:" + __import__("getpass").getuser(), "--format", "csv", db=db)
    assert [line.split(",")[3] for line in trail.stdout.splitlines()[1:]] == ["account_disable", "account_add"]
    sample = _dvcq("users", "sample", db=db)
    assert sample.returncode == 0 and "đã có tài khoản" in sample.stdout  # never beside existing accounts
