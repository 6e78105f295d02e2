"""``dvcq users`` and ``dvcq audit``: the accounts of a warehouse and its audit trail, from the command line.

A password is read from standard input when it is not a terminal (one line: scripts, ``echo … |``), and
prompted for twice otherwise; it is never an argument, which would leave it in the shell's history and in
the process list. What the command line does is recorded in the audit as ``cli:<system user>``.
"""

from __future__ import annotations

import argparse
import getpass
import secrets
import sys

import polars as pl

from pipelines.access.scope import check_units
from pipelines.access.store import AccessError, AccessStore, accounts_path
from schemas.access import DIGEST_CHANNEL_LABELS, DIGEST_PERIOD_LABELS, ROLES
from schemas.config import DvcqConfig


def add_parsers(sub: argparse._SubParsersAction, add_db, add_format, date_type) -> None:
    users = sub.add_parser("users", help="accounts of the warehouse: add, list, disable, enable, password, set, sample")
    actions = users.add_subparsers(dest="action", required=True)
    add = actions.add_parser("add", help="a new account; the password from standard input or a prompt")
    add.add_argument("login")
    add.add_argument("--role", required=True, choices=list(ROLES))
    add.add_argument("--unit", dest="units", action="append", default=[], metavar="CODE",
                     help="a 2025 commune code (5 digits) or an area's old district code (3 digits); repeat for more")
    add.add_argument("--email")
    add.add_argument("--one-time", action="store_true", help="the password must be changed at the first sign-in")
    add_db(add)
    listing = actions.add_parser("list", help="every account, its role, units and state")
    add_db(listing)
    add_format(listing)
    for name, text in (("disable", "the account can no longer sign in; its sessions end"),
                       ("enable", "the account can sign in again"),
                       ("password", "a new password (from standard input or a prompt); the sessions end")):
        action = actions.add_parser(name, help=text)
        action.add_argument("login")
        if name == "password":
            action.add_argument("--one-time", action="store_true",
                                help="the password must be changed at the next sign-in")
        add_db(action)
    setting = actions.add_parser("set", help="an account's e-mail, webhook, digest channel and period, or units")
    setting.add_argument("login")
    setting.add_argument("--email")
    setting.add_argument("--webhook", help="the URL the digest is POSTed to (JSON)")
    setting.add_argument("--channel", choices=list(DIGEST_CHANNEL_LABELS))
    setting.add_argument("--digest", choices=list(DIGEST_PERIOD_LABELS), help="how often the digest is sent")
    setting.add_argument("--unit", dest="units", action="append", metavar="CODE", help="replaces the account's units")
    add_db(setting)
    sample = actions.add_parser("sample", help="one account per role for sample communes, each with a one-time "
                                               "password printed once (only when the warehouse has no account)")
    add_db(sample)

    audit = sub.add_parser("audit", help="the audit trail: sign-ins, uploads, exports, reports, SQL, account changes")
    audit.add_argument("--from", dest="date_from", type=date_type, help="first day YYYY-MM-DD")
    audit.add_argument("--to", dest="date_to", type=date_type, help="last day YYYY-MM-DD")
    audit.add_argument("--user", help="one login")
    add_db(audit)
    add_format(audit, ("table", "csv"))


def _actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no name for this uid (a container)
        return "cli"


def read_password(login: str) -> str:
    """The new password of ``login``: one line of standard input, or typed twice at a terminal."""
    if not sys.stdin.isatty():
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise AccessError("không đọc được mật khẩu từ đầu vào chuẩn (một dòng)")
        return password
    first = getpass.getpass(f"Mật khẩu mới cho {login}: ")
    if getpass.getpass("Nhập lại mật khẩu: ") != first:
        raise AccessError("hai lần nhập mật khẩu không khớp")
    return first


def store_for(db: str | None, config: DvcqConfig) -> AccessStore:
    from pipelines.ingest.warehouse import resolve_db_path
    return AccessStore(accounts_path(resolve_db_path(db)), config.access)


def _checked_units(db: str | None, role: str, units: list[str]) -> list[str]:
    if ROLES[role].reach == "all":
        return check_units(None, role, units)
    from pipelines.ingest.warehouse import connect_read_only
    con = connect_read_only(db)
    try:
        return check_units(con, role, units)
    finally:
        con.close()


def account_frame(store: AccessStore) -> pl.DataFrame:
    """Every account with its role in words, units, delivery and state; never a password hash."""
    rows = [{"login": a.login, "role": a.role, "role_vi": a.rights.label, "units": " ".join(a.units),
             "email": a.email or "", "channel": a.channel, "digest": a.digest,
             "state": "khóa" if a.disabled else "tạm khóa" if a.locked_until else "đổi mật khẩu"
             if a.must_change else "hoạt động"} for a in store.accounts()]
    return pl.DataFrame(rows, schema=["login", "role", "role_vi", "units", "email", "channel", "digest", "state"],
                        orient="row")


def users_command(args: argparse.Namespace, config: DvcqConfig, emit) -> int:
    store = store_for(args.db, config)
    by = _actor()
    if args.action == "add":
        units = _checked_units(args.db, args.role, args.units)
        store.add(args.login, args.role, units, read_password(args.login), email=args.email,
                  channel="email" if args.email else "none", one_time=args.one_time, by=by)
        print(f"Đã tạo tài khoản {args.login} ({ROLES[args.role].label}" + (f", {' '.join(units)}" if units else "")
              + f") trong {store.path}")
    elif args.action == "list":
        emit(account_frame(store), args.format)
    elif args.action in ("disable", "enable"):
        store.set_disabled(args.login, args.action == "disable", by=by)
        print(f"Đã {'khóa' if args.action == 'disable' else 'mở khóa'} tài khoản {args.login}")
    elif args.action == "password":
        store.set_password(args.login, read_password(args.login), by=by, one_time=args.one_time)
        print(f"Đã đổi mật khẩu của {args.login}; các phiên đang mở của tài khoản này đã kết thúc")
    elif args.action == "set":
        account = store.account(args.login)
        if account is None:
            raise AccessError(f"không có tài khoản {args.login}")
        fields = {k: getattr(args, k) for k in ("email", "webhook", "channel", "digest") if getattr(args, k) is not None}
        if args.units is not None:
            fields["units"] = _checked_units(args.db, account.role, args.units)
        store.change(args.login, by=by, **fields)
        print(f"Đã sửa tài khoản {args.login}: {', '.join(fields) or 'không có gì thay đổi'}")
    elif args.action == "sample":
        return _sample_accounts(args.db, store, by)
    return 0


# The sample accounts of the roles that reach every unit (the others are named after their units).
SAMPLE_LOGINS = {"quan_tri": "quantri", "tinh": "bandanvan", "phan_tich": "phantich"}


def sample_plan(db: str | None) -> tuple[str, list[tuple[str, str, list[str]]]]:
    """The sample accounts, one per role: (login, role, units) on the warehouse's busiest commune and its area,
    with that commune's name."""
    from pipelines.ingest.warehouse import connect_read_only
    from pipelines.sql import InStructure, run

    con = connect_read_only(db)
    try:
        busiest = run(InStructure(con, "2025"), "busiest_commune", {})
    finally:
        con.close()
    if busiest.is_empty():
        raise AccessError("kho chưa có hồ sơ nào: không chọn được xã cho tài khoản mẫu")
    commune, area, name = busiest.row(0)
    return name, [(SAMPLE_LOGINS["quan_tri"], "quan_tri", []), (SAMPLE_LOGINS["tinh"], "tinh", []),
                  (f"diaban.{area}", "dia_ban", [area]), (f"xa.{commune}", "xa", [commune]),
                  (SAMPLE_LOGINS["phan_tich"], "phan_tich", [])]


def _sample_accounts(db: str | None, store: AccessStore, by: str) -> int:
    """One account per role on the sample's busiest commune and its area, each with a one-time password
    printed once: a newcomer signs in at the first start. Nothing when the warehouse has accounts already."""
    if store.accounts():  # even disabled ones: a real deployment never gets sample accounts beside its own
        print(f"Kho đã có tài khoản ({store.path}): không tạo tài khoản mẫu. Xem: dvcq users list; "
              "đặt lại mật khẩu: dvcq users password LOGIN")
        return 0
    name, plan = sample_plan(db)
    print(f"Tài khoản mẫu (mật khẩu dùng một lần: đổi ở lần đăng nhập đầu; xã mẫu: {name}):")
    for login, role, units in plan:
        password = secrets.token_urlsafe(12)
        store.add(login, role, units, password, one_time=True, by=by)
        print(f"  {login:<16} {password}  {ROLES[role].label}" + (f" ({' '.join(units)})" if units else ""))
    return 0


def audit_command(args: argparse.Namespace, config: DvcqConfig, emit) -> int:
    frame = store_for(args.db, config).audit(args.date_from, args.date_to, args.user)
    readable = frame.select(
        "seq", pl.col("at").dt.strftime("%d/%m/%Y %H:%M:%S").alias("at"), "login", "action", "action_vi", "detail")
    emit(readable, args.format)
    return 0
