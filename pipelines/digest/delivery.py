"""Delivering a digest once: by e-mail over SMTP with STARTTLS, or by a webhook (a JSON POST), remembered per
account, period and channel.

Why a delivery log of its own: a digest run by cron must never send the same digest twice (a second run, a run
retried by hand) and must send again what failed (a mail server down at 06:30). The log is a table of the
accounts' SQLite file (beside the warehouse, not replaced by a publish), written by this module only; the
audit trail (``AccessStore.record``) says each delivery and each failure in words. Runs must not overlap
(docs/digest.md schedules them under ``flock``).

The mail server's password is read from the environment variable the configuration names, never from a file.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import smtplib
import sqlite3
import ssl
import urllib.error
import urllib.request
from contextlib import closing
from email.message import EmailMessage
from pathlib import Path
from typing import Literal, NamedTuple

from pipelines.access.store import Account, AccessStore
from pipelines.digest.content import Digest
from schemas.config import DigestConfig

_SCHEMA = """
CREATE TABLE IF NOT EXISTS digest_deliveries (
    login TEXT NOT NULL, period TEXT NOT NULL, period_key TEXT NOT NULL, channel TEXT NOT NULL,
    delivered INTEGER NOT NULL, attempts INTEGER NOT NULL, last_at TEXT NOT NULL, error TEXT,
    PRIMARY KEY (login, period, period_key, channel));
"""


class DeliveryError(RuntimeError):
    """A delivery that did not go through, said in Vietnamese (recorded, retried on the next run)."""


class Outcome(NamedTuple):
    """What became of one digest: sent now, sent before (not again), failed (retried next run), or no channel."""

    status: Literal["sent", "already", "failed", "none"]
    message: str


class DeliveryLog:
    """Which digests went out: one row per account x period x period key x channel."""

    def __init__(self, path: str | os.PathLike) -> None:
        self.path = Path(path)

    def _db(self) -> sqlite3.Connection:
        con = sqlite3.connect(self.path, timeout=15, isolation_level=None)
        con.executescript(_SCHEMA)
        return con

    def sent(self, login: str, period: str, key: str, channel: str) -> bool:
        with closing(self._db()) as con:
            row = con.execute("SELECT delivered FROM digest_deliveries WHERE login = ? AND period = ? "
                              "AND period_key = ? AND channel = ?", (login, period, key, channel)).fetchone()
        return row is not None and bool(row[0])

    def note(self, login: str, period: str, key: str, channel: str, error: str | None) -> None:
        """Remember one attempt: sent (``error`` None) or failed with its reason."""
        now = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
        with closing(self._db()) as con:
            con.execute("INSERT INTO digest_deliveries VALUES (?, ?, ?, ?, ?, 1, ?, ?) "
                        "ON CONFLICT (login, period, period_key, channel) DO UPDATE SET delivered = excluded.delivered, "
                        "attempts = attempts + 1, last_at = excluded.last_at, error = excluded.error",
                        (login, period, key, channel, int(error is None), now, error))


def send_email(config: DigestConfig, to: str, digest: Digest, files: dict[str, tuple[bytes, str]]) -> None:
    """The text as the body, the workbook (and the report) attached; STARTTLS before the login when
    ``starttls`` (refused if the server does not offer it: the password never crosses in clear)."""
    message = EmailMessage()
    message["Subject"], message["From"], message["To"] = digest.title, config.smtp_sender, to
    message.set_content(digest.text)
    for name, (content, media) in files.items():
        if name.endswith(".txt"):
            continue
        main, sub = media.split(";")[0].split("/")
        message.add_attachment(content, maintype=main, subtype=sub, filename=name)
    password = os.environ.get(config.smtp_password_env, "")
    if config.smtp_username and not password:
        raise DeliveryError(f"chưa đặt biến môi trường {config.smtp_password_env} (mật khẩu máy chủ thư)")
    try:
        with smtplib.SMTP(config.smtp_host, config.smtp_port, timeout=config.timeout) as smtp:
            smtp.ehlo()
            if config.starttls:
                if not smtp.has_extn("starttls"):
                    raise DeliveryError(f"máy chủ thư {config.smtp_host} không hỗ trợ STARTTLS: không gửi qua "
                                        "kết nối không mã hóa")
                smtp.starttls(context=ssl.create_default_context(cafile=config.smtp_ca_file or None))
                smtp.ehlo()
            if config.smtp_username:
                smtp.login(config.smtp_username, password)
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as exc:
        raise DeliveryError(f"máy chủ thư {config.smtp_host}:{config.smtp_port}: {exc}") from exc


def webhook_payload(account: Account, digest: Digest) -> dict:
    """What a webhook receives: the text, the dashboard links in it, the account and the period."""
    return {"text": digest.text, "links": digest.links, "account": account.login, "period": digest.kind,
            "period_key": digest.span.key, "title": digest.title}


def post_webhook(url: str, payload: dict, timeout: float) -> None:
    """POST the payload as JSON; anything but a 2xx answer is a failure."""
    if not url.startswith(("https://", "http://")):
        raise DeliveryError(f"địa chỉ webhook phải bắt đầu bằng https:// hoặc http://: {url}")
    request = urllib.request.Request(url, data=json.dumps(payload, ensure_ascii=False).encode("utf-8"),
                                     headers={"Content-Type": "application/json; charset=utf-8"}, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:  # noqa: S310 - the scheme is checked
            status = answer.status
    except urllib.error.HTTPError as exc:
        raise DeliveryError(f"webhook trả lời HTTP {exc.code}") from exc
    except (OSError, urllib.error.URLError) as exc:
        raise DeliveryError(f"không gọi được webhook: {exc}") from exc
    if not 200 <= status < 300:
        raise DeliveryError(f"webhook trả lời HTTP {status}")


def deliver(account: Account, digest: Digest, files: dict[str, tuple[bytes, str]], config: DigestConfig,
            log: DeliveryLog, store: AccessStore, by: str) -> Outcome:
    """Send the digest on the account's channel unless it was sent already; the outcome in words. A failure is
    remembered (and audited) so the next run tries again."""
    channel = account.channel
    if channel == "none":
        return Outcome("none", "không gửi: tài khoản chưa chọn kênh nhận bản tin")
    if log.sent(account.login, digest.kind, digest.span.key, channel):
        return Outcome("already", f"đã gửi trước đó ({digest.span.key}, {channel}): không gửi lại")
    detail = {"account": account.login, "period": digest.kind, "key": digest.span.key, "channel": channel}
    try:
        if channel == "email":
            if not account.email:
                raise DeliveryError("tài khoản chưa có địa chỉ thư điện tử")
            send_email(config, account.email, digest, files)
        else:
            if not account.webhook:
                raise DeliveryError("tài khoản chưa có địa chỉ webhook")
            post_webhook(account.webhook, webhook_payload(account, digest), config.timeout)
    except DeliveryError as exc:
        log.note(account.login, digest.kind, digest.span.key, channel, str(exc))
        store.record(by, "digest_failed", **detail, error=str(exc))
        return Outcome("failed", f"gửi không thành công: {exc}")
    log.note(account.login, digest.kind, digest.span.key, channel, None)
    store.record(by, "digest", **detail)
    return Outcome("sent", f"đã gửi ({channel})")
