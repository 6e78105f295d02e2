"""Accounts, sessions and the audit trail of one warehouse, in a SQLite file beside it.

Why beside the warehouse and not in it: the warehouse is replaced whole at every publish (readers never wait)
and is opened read-only by the dashboard, while sign-ins, lockouts and the audit are written by every server
thread and by the command line at any time. SQLite takes short writes from many processes (WAL, a busy wait),
and a warehouse copied elsewhere does not carry its officials' passwords with it.

Rules kept here, each once:
- passwords are stored as argon2id hashes (argon2-cffi), never in clear, and checked in the same time
  whether the login exists or not;
- every failed sign-in counts; ``access.max_failed_sign_ins`` in a row lock the account for
  ``access.lockout_minutes``; the refusal says the same words whatever was wrong;
- a session is a random token: the browser holds it signed (itsdangerous) with the cookie secret kept
  here (never the HMAC key of the personal data), the store only its SHA-256, so a copy of this file opens
  no session; it ends ``access.session_hours`` after sign-in, at "Đăng xuất", or when the account is
  disabled or its password changed;
- the audit trail is append-only (triggers refuse UPDATE and DELETE) and holds no personal data in clear:
  what callers put in it (file names, SQL text) is masked here.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import secrets
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import polars as pl
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from itsdangerous import BadSignature, TimestampSigner

from schemas.access import AUDIT_ACTIONS, ROLES, DigestChannel, DigestPeriod, Role
from schemas.config import AccessConfig

SIGN_IN_REFUSED = ("Tên đăng nhập hoặc mật khẩu không đúng, hoặc tài khoản đang tạm khóa vì đăng nhập sai nhiều "
                   "lần. Hãy thử lại, hoặc liên hệ người quản trị.")
COOKIE_NAME = "dvcq_phien"
LOGIN_PATTERN = "^[a-z0-9][a-z0-9._-]{1,39}$"

_COOKIE_SECRET = "cookie_secret"  # the settings row that holds it
_HASHER = PasswordHasher()
# Checked against when the login does not exist, so an unknown login takes as long as a wrong password.
_DUMMY_HASH = _HASHER.hash(secrets.token_hex(16))

_SCHEMA = """
CREATE TABLE IF NOT EXISTS accounts (
    login TEXT PRIMARY KEY, role TEXT NOT NULL, units TEXT NOT NULL DEFAULT '[]',
    email TEXT, webhook TEXT, channel TEXT NOT NULL DEFAULT 'none', digest TEXT NOT NULL DEFAULT 'none',
    password_hash TEXT NOT NULL, must_change INTEGER NOT NULL DEFAULT 0, disabled INTEGER NOT NULL DEFAULT 0,
    failed INTEGER NOT NULL DEFAULT 0, locked_until TEXT,
    created_at TEXT NOT NULL, changed_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sessions (
    token_sha256 TEXT PRIMARY KEY, login TEXT NOT NULL REFERENCES accounts(login),
    created_at TEXT NOT NULL, expires_at TEXT NOT NULL, ended_at TEXT);
CREATE TABLE IF NOT EXISTS audit (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, login TEXT NOT NULL, action TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT '{}');
CREATE TRIGGER IF NOT EXISTS audit_append_only_update BEFORE UPDATE ON audit
    BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_append_only_delete BEFORE DELETE ON audit
    BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
CREATE TABLE IF NOT EXISTS settings (name TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


class AccessError(ValueError):
    """A request about accounts that cannot be done, said in Vietnamese (the CLI prints it, the page shows it)."""


@dataclass(frozen=True)
class Account:
    login: str
    role: str
    units: tuple[str, ...]
    email: str | None
    webhook: str | None
    channel: DigestChannel
    digest: DigestPeriod
    must_change: bool
    disabled: bool
    locked_until: dt.datetime | None
    created_at: dt.datetime

    @property
    def rights(self) -> Role:
        return ROLES[self.role]


@dataclass(frozen=True)
class SignIn:
    """The outcome of a sign-in: the signed cookie value of a new session, or the one refusal message."""

    cookie: str | None
    account: Account | None
    message: str | None


def accounts_path(warehouse: str | os.PathLike) -> Path:
    """The accounts file of a warehouse: ``data/dvcq.duckdb`` keeps its accounts in ``data/dvcq.accounts.sqlite3``."""
    path = Path(warehouse)
    return path.with_name(f"{path.stem}.accounts.sqlite3")


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat()


def _token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class AccessStore:
    """The accounts, sessions and audit trail of one warehouse (``accounts_path``)."""

    def __init__(self, path: str | os.PathLike, config: AccessConfig) -> None:
        self.path = Path(path)
        self.config = config
        self._secret: str | None = None

    # ------------------------------------------------------------------ plumbing
    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        fresh = not self.path.exists()
        if fresh:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.path.touch(mode=0o600)  # password hashes and session digests: the server's user only
        con = sqlite3.connect(self.path, timeout=15, isolation_level=None)
        try:
            con.row_factory = sqlite3.Row
            con.execute("PRAGMA journal_mode=WAL")
            con.execute("PRAGMA foreign_keys=ON")
            if fresh or not con.execute("SELECT 1 FROM sqlite_master WHERE name = ?", ("audit",)).fetchall():
                con.executescript(_SCHEMA)
            yield con
        finally:
            con.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._db() as con:
            con.execute("BEGIN IMMEDIATE")
            try:
                yield con
            except BaseException:
                con.execute("ROLLBACK")
                raise
            con.execute("COMMIT")

    @staticmethod
    def _account(row: sqlite3.Row) -> Account:
        locked = row["locked_until"]
        return Account(login=row["login"], role=row["role"], units=tuple(json.loads(row["units"])),
                       email=row["email"], webhook=row["webhook"], channel=row["channel"], digest=row["digest"],
                       must_change=bool(row["must_change"]), disabled=bool(row["disabled"]),
                       locked_until=dt.datetime.fromisoformat(locked) if locked else None,
                       created_at=dt.datetime.fromisoformat(row["created_at"]))

    def _check_password(self, login: str, password: str) -> None:
        if len(password) < self.config.min_password_length:
            raise AccessError(f"mật khẩu phải có ít nhất {self.config.min_password_length} ký tự")
        if password.strip().lower() == login.lower():
            raise AccessError("mật khẩu không được trùng tên đăng nhập")

    # ------------------------------------------------------------------ accounts
    def has_accounts(self) -> bool:
        """At least one account can sign in: without one the server serves no data."""
        if not self.path.exists():
            return False
        with self._db() as con:
            return con.execute("SELECT count(*) FROM accounts WHERE disabled = 0").fetchone()[0] > 0

    def accounts(self) -> list[Account]:
        if not self.path.exists():
            return []
        with self._db() as con:
            return [self._account(r) for r in con.execute("SELECT * FROM accounts ORDER BY role, login")]

    def account(self, login: str) -> Account | None:
        with self._db() as con:
            row = con.execute("SELECT * FROM accounts WHERE login = ?", (login,)).fetchone()
        return self._account(row) if row else None

    def add(self, login: str, role: str, units: list[str], password: str, *, email: str | None = None,
            webhook: str | None = None, channel: DigestChannel = "none", digest: DigestPeriod = "none",
            one_time: bool = False, by: str) -> Account:
        """A new account. ``units`` must already be checked against the warehouse (``scope.check_units``).
        A ``one_time`` password must be changed at the first sign-in."""
        import re

        if not re.fullmatch(LOGIN_PATTERN, login):
            raise AccessError(f"tên đăng nhập {login!r} không hợp lệ: 2–40 ký tự thường không dấu, chữ số, . _ -, "
                              "bắt đầu bằng chữ hoặc số")
        if role not in ROLES:
            raise AccessError(f"vai trò {role!r} không có; các vai trò: {', '.join(ROLES)}")
        self._check_password(login, password)
        now = _iso(_now())
        try:
            with self._transaction() as con:
                con.execute("INSERT INTO accounts (login, role, units, email, webhook, channel, digest, password_hash,"
                            " must_change, created_at, changed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                            (login, role, json.dumps(list(units)), email, webhook, channel, digest,
                             _HASHER.hash(password), int(one_time), now, now))
                self._record(con, by, "account_add", {"account": login, "role": role, "units": list(units)})
        except sqlite3.IntegrityError:
            raise AccessError(f"tài khoản {login} đã có") from None
        return self.account(login)

    def _existing(self, con: sqlite3.Connection, login: str) -> None:
        if not con.execute("SELECT 1 FROM accounts WHERE login = ?", (login,)).fetchone():
            raise AccessError(f"không có tài khoản {login}")

    def set_password(self, login: str, password: str, *, by: str, one_time: bool = False) -> None:
        """A new password; the account's sessions end and a lockout is lifted. A ``one_time`` password (set by
        someone else) must be changed at the next sign-in."""
        self._check_password(login, password)
        with self._transaction() as con:
            self._existing(con, login)
            con.execute("UPDATE accounts SET password_hash = ?, must_change = ?, failed = 0, locked_until = NULL, "
                        "changed_at = ? WHERE login = ?", (_HASHER.hash(password), int(one_time), _iso(_now()), login))
            self._end_sessions(con, login)
            self._record(con, by, "account_password", {"account": login})

    def set_disabled(self, login: str, disabled: bool, *, by: str) -> None:
        """A disabled account cannot sign in and its open sessions end at once."""
        with self._transaction() as con:
            self._existing(con, login)
            con.execute("UPDATE accounts SET disabled = ?, changed_at = ? WHERE login = ?",
                        (int(disabled), _iso(_now()), login))
            if disabled:
                self._end_sessions(con, login)
            self._record(con, by, "account_disable" if disabled else "account_enable", {"account": login})

    def change(self, login: str, *, by: str, **fields) -> Account:
        """Change an account's delivery (email, webhook, channel, digest) or units; ``units`` must be checked."""
        allowed = {"email", "webhook", "channel", "digest", "units"}
        if unknown := set(fields) - allowed:
            raise AccessError(f"không sửa được {', '.join(sorted(unknown))}")
        values = {k: json.dumps(list(v)) if k == "units" else v for k, v in fields.items()}
        with self._transaction() as con:
            self._existing(con, login)
            if values:
                assignments = ", ".join(f"{name} = ?" for name in values)  # names from `allowed` only
                con.execute(f"UPDATE accounts SET {assignments}, changed_at = ? WHERE login = ?",
                            (*values.values(), _iso(_now()), login))
                if "units" in values:
                    self._end_sessions(con, login)  # a session must not keep units the account lost
            said = {k: urlsplit(v).netloc if k == "webhook" and v else v for k, v in fields.items()}
            self._record(con, by, "account_change", {"account": login, **said})  # a webhook's path may hold a token
        return self.account(login)

    # ------------------------------------------------------------------ sign-in and sessions
    def _signer(self) -> TimestampSigner:
        if self._secret is None:
            self._secret = os.environ.get("DVCQ_COOKIE_SECRET") or self._stored_secret()
        return TimestampSigner(self._secret, salt="dvcq-phien")

    def _stored_secret(self) -> str:
        """The cookie secret kept in the store, made at the first sign-in."""
        with self._transaction() as con:
            row = con.execute("SELECT value FROM settings WHERE name = ?", (_COOKIE_SECRET,)).fetchone()
            if row is None:
                secret = secrets.token_hex(32)
                con.execute("INSERT INTO settings VALUES (?, ?)", (_COOKIE_SECRET, secret))
            else:
                secret = row["value"]
        return secret

    def sign_in(self, login: str, password: str, client: str | None = None) -> SignIn:
        """Check a password and open a session. Every failure, whatever its cause, gives ``SIGN_IN_REFUSED``."""
        login = (login or "").strip().lower()
        now = _now()
        with self._db() as con:
            row = con.execute("SELECT * FROM accounts WHERE login = ?", (login,)).fetchone()
        try:
            _HASHER.verify(row["password_hash"] if row else _DUMMY_HASH, password or "")
            good = row is not None
        except (VerificationError, InvalidHashError):
            good = False
        locked = row is not None and row["locked_until"] is not None and dt.datetime.fromisoformat(
            row["locked_until"]) > now
        who = login if row is not None else "?" + _token_digest(login)[:8]  # a mistyped password is not logged
        detail = {"client": client} if client else {}
        with self._transaction() as con:
            if not good or locked or row["disabled"]:
                if row is not None and not locked:
                    failed = row["failed"] + (0 if good else 1)
                    until = (_iso(now + dt.timedelta(minutes=self.config.lockout_minutes))
                             if failed >= self.config.max_failed_sign_ins else None)
                    con.execute("UPDATE accounts SET failed = ?, locked_until = ? WHERE login = ?",
                                (0 if until else failed, until, login))
                    if until:
                        detail = {**detail, "locked_until": until}
                reason = ("locked" if locked else "disabled" if row is not None and row["disabled"] and good
                          else "wrong")
                self._record(con, who, "sign_in_failed", {**detail, "reason": reason})
                return SignIn(None, None, SIGN_IN_REFUSED)
            token = secrets.token_urlsafe(32)
            expires = now + dt.timedelta(hours=self.config.session_hours)
            con.execute("INSERT INTO sessions VALUES (?, ?, ?, ?, NULL)",
                        (_token_digest(token), login, _iso(now), _iso(expires)))
            con.execute("UPDATE accounts SET failed = 0, locked_until = NULL WHERE login = ?", (login,))
            self._record(con, login, "sign_in", detail)
        if _HASHER.check_needs_rehash(row["password_hash"]):
            with self._transaction() as con:
                con.execute("UPDATE accounts SET password_hash = ? WHERE login = ?", (_HASHER.hash(password), login))
        return SignIn(self._signer().sign(token).decode(), self.account(login), None)

    def session(self, cookie: str | None) -> Account | None:
        """The account a cookie value signs in, or None: a forged or altered cookie, an ended or expired
        session, a disabled account."""
        if not cookie or not self.path.exists():
            return None
        try:
            token = self._signer().unsign(cookie, max_age=int(self.config.session_hours * 3600)).decode()
        except (BadSignature, UnicodeDecodeError):
            return None
        with self._db() as con:
            row = con.execute(
                "SELECT a.* FROM sessions s JOIN accounts a USING (login) WHERE s.token_sha256 = ? "
                "AND s.ended_at IS NULL AND s.expires_at > ? AND a.disabled = 0",
                (_token_digest(token), _iso(_now()))).fetchone()
        return self._account(row) if row else None

    def sign_out(self, cookie: str | None) -> None:
        """End the session a cookie holds (nothing when it holds none)."""
        account = self.session(cookie)
        if account is None:
            return
        token = self._signer().unsign(cookie).decode()
        with self._transaction() as con:
            con.execute("UPDATE sessions SET ended_at = ? WHERE token_sha256 = ?", (_iso(_now()), _token_digest(token)))
            self._record(con, account.login, "sign_out", {})

    @staticmethod
    def _end_sessions(con: sqlite3.Connection, login: str) -> None:
        con.execute("UPDATE sessions SET ended_at = ? WHERE login = ? AND ended_at IS NULL", (_iso(_now()), login))

    # ------------------------------------------------------------------ audit
    @staticmethod
    def _record(con: sqlite3.Connection, login: str, action: str, detail: dict) -> None:
        if action not in AUDIT_ACTIONS:
            raise ValueError(f"unknown audit action {action!r}")
        from pipelines.ingest.privacy import mask_identifiers_text

        masked = {k: mask_identifiers_text(v) if isinstance(v, str) else v for k, v in detail.items()}
        con.execute("INSERT INTO audit (at, login, action, detail) VALUES (?, ?, ?, ?)",
                    (_iso(_now()), login, action, json.dumps(masked, ensure_ascii=False, default=str)))

    def record(self, login: str, action: str, **detail) -> None:
        """Append one event to the audit trail; its text values (file names, SQL) are masked first."""
        with self._transaction() as con:
            self._record(con, login, action, detail)

    def audit(self, date_from: dt.date | None = None, date_to: dt.date | None = None,
              login: str | None = None) -> pl.DataFrame:
        """The audit trail, newest first, between two days (inclusive, Vietnam's time) and for one login."""
        vn = dt.timezone(dt.timedelta(hours=7))
        start = _iso(dt.datetime.combine(date_from, dt.time(), vn)) if date_from else ""
        end = _iso(dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time(), vn)) if date_to else "9999"
        schema = {"seq": pl.Int64, "at": pl.String, "login": pl.String, "action": pl.String, "detail": pl.String}
        if not self.path.exists():
            return pl.DataFrame(schema=schema)
        with self._db() as con:
            rows = con.execute("SELECT seq, at, login, action, detail FROM audit WHERE at >= ? AND at < ? "
                               "AND (? IS NULL OR login = ?) ORDER BY seq DESC",
                               (start, end, login, login)).fetchall()
        frame = pl.DataFrame([tuple(r) for r in rows], schema=schema, orient="row")
        return frame.with_columns(
            at=pl.col("at").str.to_datetime(time_zone="UTC").dt.convert_time_zone("Asia/Ho_Chi_Minh"),
            action_vi=pl.col("action").replace_strict(AUDIT_ACTIONS))
