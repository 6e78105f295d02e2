"""``dvcq digest``: each account's digest within its scope, delivered once, by e-mail (STARTTLS) or webhook.

The servers are local and bind 127.0.0.1 only: an SMTP server (aiosmtpd) that requires STARTTLS and a login,
with a certificate made here by the ``openssl`` command, and an HTTP receiver that can answer 500. The
warehouse is a temporary copy of the sample one, its accounts made there (``test_accounts``). The counts in
the digests are compared with ``dvcq backlog`` and ``dvcq backlog --due-soon`` run for the same day and
filtered to the same communes.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import io
import json
import re
import shutil
import socket
import ssl
import subprocess
import threading
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import polars as pl
import pytest

from pipelines.access.store import AccessStore, accounts_path
from pipelines.cli.main import build_parser, main
from pipelines.cli.users import _actor
from pipelines.digest.command import digest_command
from pipelines.digest.content import digest_span
from pipelines.report.content import split_type
from pipelines.sql import InStructure, run
from pipelines.text import vn_number
from schemas import urls
from schemas.access import ROLES
from schemas.config import DigestConfig, load_config
from tests import dashboard_fixtures

AS_OF = dt.date(2026, 10, 30)  # a Friday, the sample's last working day
PASSWORD_ENV = "DVCQ_TEST_SMTP_PASSWORD"
SMTP_LOGIN, SMTP_PASSWORD = "dvcq", "mat-khau-may-chu-thu"

aiosmtpd = pytest.importorskip("aiosmtpd")
if shutil.which("openssl") is None:
    pytest.skip("the openssl command makes the test server's certificate", allow_module_level=True)


# ------------------------------------------------------------------ local servers
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Mailbox:
    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []
        self.logins: list[str] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        message["X-Test-TLS"] = "yes" if session.ssl else "no"
        self.messages.append(message)
        return "250 OK"


@pytest.fixture(scope="module")
def smtp(tmp_path_factory):
    """An SMTP server on 127.0.0.1 that refuses mail and logins before STARTTLS; its certificate's file."""
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult, LoginPassword

    folder = tmp_path_factory.mktemp("smtp")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
                    "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, capture_output=True)
    tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    tls.load_cert_chain(cert, key)
    box = Mailbox()

    def authenticate(server, session, envelope, mechanism, auth_data):
        good = (isinstance(auth_data, LoginPassword) and auth_data.login.decode() == SMTP_LOGIN
                and auth_data.password.decode() == SMTP_PASSWORD)
        if good:
            box.logins.append(auth_data.login.decode())
        return AuthResult(success=good)

    controller = Controller(box, hostname="127.0.0.1", port=_free_port(), tls_context=tls, require_starttls=True,
                            authenticator=authenticate, auth_required=True, auth_require_tls=True)
    controller.start()
    yield box, controller.port, cert
    controller.stop()


class Receiver(BaseHTTPRequestHandler):
    """Records each JSON POST by path; answers 500 while ``fail[path]`` is above 0."""

    received: dict[str, list[dict]] = {}
    fail: dict[str, int] = {}

    def do_POST(self):  # noqa: N802 - http.server's hook name
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])).decode("utf-8"))
        if self.fail.get(self.path, 0) > 0:
            self.fail[self.path] -= 1
            self.send_response(500)
        else:
            self.received.setdefault(self.path, []).append(body)
            self.send_response(200)
        self.end_headers()

    def log_message(self, *args):  # quiet
        pass


@pytest.fixture(scope="module")
def webhook():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield Receiver, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


# ------------------------------------------------------------------ the warehouse, accounts and configuration
@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    """A temporary copy of the sample warehouse with one account per role (role -> login) and its store."""
    db = tmp_path_factory.mktemp("digest") / "sample.duckdb"
    shutil.copyfile(dashboard_fixtures.dashboard_db(), db)
    logins = dashboard_fixtures.test_accounts(db)
    return db, logins, AccessStore(accounts_path(db), load_config().access)


@pytest.fixture(scope="module")
def config(smtp):
    _, port, cert = smtp
    digest = DigestConfig(dashboard_url="https://dvcq.example.vn", smtp_host="127.0.0.1", smtp_port=port,
                          smtp_sender="dvcq@example.vn", smtp_username=SMTP_LOGIN, smtp_password_env=PASSWORD_ENV,
                          starttls=True, smtp_ca_file=str(cert), timeout=10, items=5)
    return load_config().model_copy(update={"digest": digest})


@pytest.fixture(autouse=True)
def _smtp_password(monkeypatch):
    monkeypatch.setenv(PASSWORD_ENV, SMTP_PASSWORD)


def _digest(db: Path, config, capsys, *options: str) -> tuple[int, str]:
    args = build_parser().parse_args(["digest", "--db", str(db), "--as-of", AS_OF.isoformat(), *options])
    code = digest_command(args, config)
    return code, capsys.readouterr().out


def _communes(db: Path, units: tuple[str, ...]) -> set[str]:
    """The 2025 communes of an account's units, read from the units table (not through the Scope)."""
    from pipelines.ingest.warehouse import connect_read_only

    con = connect_read_only(db)
    try:
        table = run(InStructure(con, "2025"), "units", {})
    finally:
        con.close()
    return set(table.filter(pl.col("commune_code").is_in(units) | pl.col("district_code").is_in(units))
               ["commune_code"])


def _backlog(db: Path, capsys, communes: set[str] | None, *options: str) -> pl.DataFrame:
    """What ``dvcq backlog [--due-soon]`` lists for the day in those communes."""
    assert main(["backlog", "--db", str(db), "--as-of", AS_OF.isoformat(), "--units", "2025", "--format", "csv",
                 *options]) == 0
    items = pl.read_csv(io.StringIO(capsys.readouterr().out), infer_schema=False)
    return items if communes is None else items.filter(pl.col("unit_code").is_in(sorted(communes)))


def _backlog_counts(db: Path, capsys, communes: set[str] | None, *options: str) -> tuple[int, int]:
    """(dossiers, petitions) that ``dvcq backlog [--due-soon]`` lists for the day in those communes."""
    items = _backlog(db, capsys, communes, *options)
    return int((items["kind"] == "dossier").sum()), int((items["kind"] == "petition").sum())


def _stock_line(number: int, heading: str, counts: tuple[int, int]) -> str:
    return f"{number}. {heading}: {vn_number(counts[0])} hồ sơ, {vn_number(counts[1])} đơn thư"


# ------------------------------------------------------------------ tests
@pytest.mark.parametrize("kind, as_of, span, key", [
    ("day", dt.date(2026, 3, 2), (dt.date(2026, 3, 2), dt.date(2026, 3, 1), dt.date(2026, 3, 1)), "2026-03-02"),
    # Sunday 01/03/2026 closes ISO week 9, which began on Monday 23/02
    ("week", dt.date(2026, 3, 1), (dt.date(2026, 2, 23), dt.date(2026, 2, 16), dt.date(2026, 2, 22)), "2026-W09"),
    # 31/03: the month before has no 31st, its span ends on its last day
    ("month", dt.date(2026, 3, 31), (dt.date(2026, 3, 1), dt.date(2026, 2, 1), dt.date(2026, 2, 28)), "2026-03"),
    # 01/01: the previous span is last December's first day
    ("month", dt.date(2027, 1, 1), (dt.date(2027, 1, 1), dt.date(2026, 12, 1), dt.date(2026, 12, 1)), "2027-01"),
])
def test_the_span_and_key_of_a_digest(kind, as_of, span, key):
    got = digest_span(kind, as_of)
    assert (got.start, got.previous_start, got.previous_as_of) == span and got.as_of == as_of and got.key == key


def test_each_account_receives_the_counts_the_backlog_gives_once(warehouse, config, smtp, webhook, capsys):
    db, logins, store = warehouse
    box, _, _ = smtp
    receiver, base = webhook
    store.change(logins["xa"], by="test", email="xa@example.vn", channel="email", digest="day")
    store.change(logins["dia_ban"], by="test", email="diaban@example.vn", channel="email", digest="day")
    store.change(logins["tinh"], by="test", webhook=f"{base}/tinh", channel="webhook", digest="day")
    store.change(logins["phan_tich"], by="test", webhook=f"{base}/phantich", channel="webhook", digest="day")
    store.change(logins["quan_tri"], by="test", channel="none", digest="week")  # another period: not in a daily run

    code, out = _digest(db, config, capsys, "--period", "day", "--all", "--send")
    assert code == 0, out
    assert logins["quan_tri"] not in out

    mails = {m["To"]: m for m in box.messages}
    assert set(mails) == {"xa@example.vn", "diaban@example.vn"}
    assert all(m["X-Test-TLS"] == "yes" for m in mails.values()) and box.logins == [SMTP_LOGIN, SMTP_LOGIN]
    for to, role in (("xa@example.vn", "xa"), ("diaban@example.vn", "dia_ban")):
        account = store.account(logins[role])
        communes = _communes(db, account.units)
        body = mails[to].get_body(("plain",)).get_content()
        assert _stock_line(1, "Tồn đọng quá hạn", _backlog_counts(db, capsys, communes)) in body
        assert _stock_line(2, "Sắp đến hạn", _backlog_counts(db, capsys, communes, "--due-soon")) in body
        (attached,) = mails[to].iter_attachments()  # a daily digest: the workbook, no report
        assert attached.get_filename() == f"ban_tin_{account.login}_day_{AS_OF.isoformat()}.xlsx"
        # the workbook lists every overdue item of its communes but denunciations, which the role reads as a count
        listed = pl.read_excel(attached.get_content(), sheet_name="Tồn đọng quá hạn", read_options={"header_row": 3})
        expected = _backlog(db, capsys, communes).filter(pl.col("petition_kind").ne_missing("denunciation"))
        assert sorted(listed["Mã hồ sơ / Số đơn"].cast(pl.String)) == sorted(expected["record_id"])
        withheld = _backlog(db, capsys, communes).height - expected.height
        assert withheld > 0  # the sample's busiest commune has an overdue denunciation: the note is checked
        assert f"({vn_number(withheld)} đơn tố cáo được đếm nhưng không liệt kê từng đơn.)" in body
    # the whole province, to the webhooks; the analyst's role reads no records: counts only, no item
    for path, role in (("/tinh", "tinh"), ("/phantich", "phan_tich")):
        (payload,) = receiver.received[path]
        assert payload["account"] == logins[role] and payload["period"] == "day"
        assert _stock_line(1, "Tồn đọng quá hạn", _backlog_counts(db, capsys, None)) in payload["text"]
        assert _stock_line(2, "Sắp đến hạn", _backlog_counts(db, capsys, None, "--due-soon")) in payload["text"]
        assert payload["links"] and all(link.startswith("https://dvcq.example.vn/") for link in payload["links"])
        assert all(ROLES[role].may_open(urlsplit(link).path.strip("/")) for link in payload["links"])
    analyst = receiver.received["/phantich"][0]["text"]
    assert "Hồ sơ " not in analyst and "việc quá hạn lâu nhất" not in analyst
    assert "việc quá hạn lâu nhất" in receiver.received["/tinh"][0]["text"]

    # a second run sends nothing again
    sent = len(box.messages), sum(len(v) for v in receiver.received.values())
    code, out = _digest(db, config, capsys, "--period", "day", "--send")
    assert code == 0 and out.count("đã gửi trước đó") == 4
    assert (len(box.messages), sum(len(v) for v in receiver.received.values())) == sent
    audit = store.audit(login=_actor())
    delivered = audit.filter(pl.col("action") == "digest")["detail"].map_elements(
        lambda d: json.loads(d)["account"], return_dtype=pl.String)
    assert sorted(delivered) == sorted(logins[r] for r in ("xa", "dia_ban", "tinh", "phan_tich"))


def test_a_receiver_that_fails_once_gets_the_digest_on_the_next_run(warehouse, config, webhook, capsys):
    db, logins, store = warehouse
    receiver, base = webhook
    login = logins["tinh"]
    store.change(login, by="test", webhook=f"{base}/flaky", channel="webhook", digest="week")
    receiver.fail["/flaky"] = 1
    code, out = _digest(db, config, capsys, "--period", "week", "--user", login, "--send")
    assert code == 1 and "HTTP 500" in out and "/flaky" not in receiver.received
    code, out = _digest(db, config, capsys, "--period", "week", "--user", login, "--send")
    assert code == 0 and f"{login}: đã gửi (webhook)" in out
    (payload,) = receiver.received["/flaky"]
    year, week, _ = AS_OF.isocalendar()
    assert payload["period"] == "week" and payload["period_key"] == f"{year}-W{week:02d}"
    code, out = _digest(db, config, capsys, "--period", "week", "--user", login, "--send")
    assert code == 0 and len(receiver.received["/flaky"]) == 1
    actions = store.audit().filter(pl.col("detail").str.contains('"channel": "webhook"')
                                   & pl.col("detail").str.contains(f'"account": "{login}"')
                                   & pl.col("detail").str.contains('"period": "week"'))["action"].to_list()
    assert actions == ["digest", "digest_failed"]  # newest first


def test_mail_is_never_sent_before_starttls(warehouse, config, capsys):
    db, logins, store = warehouse
    store.change(logins["xa"], by="test", email="xa@example.vn", channel="email")
    plain = config.model_copy(update={"digest": config.digest.model_copy(update={"starttls": False})})
    code, out = _digest(db, plain, capsys, "--period", "month", "--user", logins["xa"], "--send")
    assert code == 1 and "gửi không thành công" in out  # the server offers no login over a plain connection


def _files_text(path: Path) -> str:
    if path.suffix == ".txt":
        return path.read_text(encoding="utf-8")
    with zipfile.ZipFile(path) as z:
        return " ".join(re.sub(r"<[^>]+>", " ", z.read(n).decode("utf-8")) for n in z.namelist() if n.endswith(".xml"))


def _other_communes(text: str, units: pl.DataFrame, own: dict, ids: set[str]) -> tuple[list[str], list[str]]:
    """The names and codes of communes other than ``own`` that ``text`` holds. The report writes "phường Sầm
    Sơn" in its sentences, so names are compared without their type word, in lower case, once the names the
    clerk may read (its commune, its area, the province) and its items' ids are taken out."""
    allowed = sorted({split_type(own[c])[1].lower() for c in ("commune_name", "district_name", "province_name")},
                     key=len, reverse=True)
    text = text.lower()
    for name in allowed:
        text = text.replace(name, " ")
    bare = " ".join(w for w in re.split(r"[\s<>\"'=&?]+", text) if w not in ids)
    others = units.filter(pl.col("commune_code") != own["commune_code"])
    named = [n for n in others["commune_name"] if re.search(rf"(?<!\w){re.escape(split_type(n)[1].lower())}(?!\w)", bare)]
    coded = [c for c in others["commune_code"] if re.search(rf"(?<!\d){c}(?!\d)", bare)]
    return named, coded


def test_a_commune_clerks_digest_holds_only_its_commune(warehouse, config, capsys, tmp_path):
    db, logins, store = warehouse
    account = store.account(logins["xa"])
    code, out = _digest(db, config, capsys, "--period", "month", "--user", account.login, "--out", str(tmp_path))
    assert code == 0
    stem = f"ban_tin_{account.login}_month_{AS_OF:%Y-%m}"
    files = sorted(tmp_path.iterdir())
    assert [f.name for f in files] == [f"{stem}.docx", f"{stem}.txt", f"{stem}.xlsx"]

    from pipelines.engine.backlog import backlog_table, due_soon_table
    from pipelines.ingest.warehouse import connect_read_only

    (mine,) = account.units
    con = connect_read_only(db)
    try:
        units = run(InStructure(con, "2025"), "units", {})
        # its items' ids carry the code of the legacy commune that received them (its predecessor): left out
        ids = {i for table in (backlog_table, due_soon_table)
               for i in table(InStructure(con, "2025"), config, AS_OF).filter(pl.col("commune_code") == mine)
               ["record_id"]}
    finally:
        con.close()
    own = units.filter(pl.col("commune_code") == mine).row(0, named=True)
    for path in files:
        text = _files_text(path)
        assert split_type(own["commune_name"])[1].lower() in text.lower(), path.name
        assert _other_communes(text, units, own, ids) == ([], []), path.name
    # the same check finds other communes in the province's digest
    _digest(db, config, capsys, "--period", "month", "--user", logins["tinh"], "--out", str(tmp_path / "tinh"))
    province = "".join(_files_text(p) for p in (tmp_path / "tinh").iterdir())
    named, coded = _other_communes(province, units, own, ids)
    assert len(named) > 5 and len(coded) > 5
    text = (tmp_path / f"{stem}.txt").read_text(encoding="utf-8")
    links = re.findall(r"https://\S+", text)
    assert links and all(parse_qs(urlsplit(link).query).get(urls.UNIT) == [mine] for link in links)
    assert all(ROLES["xa"].may_open(urlsplit(link).path.strip("/")) for link in links)


def test_links_open_the_view_they_describe(warehouse, config, capsys):
    db, logins, _ = warehouse
    code, out = _digest(db, config, capsys, "--period", "week", "--user", logins["quan_tri"])
    assert code == 0
    monday = AS_OF - dt.timedelta(days=AS_OF.weekday())
    section = next(line.strip() for line in out.splitlines() if "/ton_dong?" in line)
    assert section == (f"https://dvcq.example.vn/ton_dong?ky=tuy_chon&tu={monday.isoformat()}"
                       f"&den={AS_OF.isoformat()}&cau_truc=2025")
    for link in re.findall(r"https://\S+", out):
        params = parse_qs(urlsplit(link).query)
        assert params["ky"] == ["tuy_chon"] and params["den"] == [AS_OF.isoformat()]
        assert set(params) <= set(urls.SIDEBAR_PARAMETERS) | set(urls.PAGE_PARAMETERS)
