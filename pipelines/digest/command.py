"""``dvcq digest``: build the digest of each chosen account, write it to files, send it, or show its text.

The warehouse is read once for all accounts (``WarehouseFacts``) and closed before anything is sent, so a slow
mail server never holds it. Exit code 1 when a digest could not be made or delivered (cron mails the output),
0 otherwise.
"""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

from schemas.access import DIGEST_PERIOD_LABELS
from schemas.config import DvcqConfig


def add_parser(sub: argparse._SubParsersAction, add_db, date_type) -> None:
    digest = sub.add_parser("digest", help="each account's digest (bản tin): overdue and due-soon items, missing "
                                           "submissions, new warnings, indicator changes; to files or sent")
    digest.add_argument("--period", required=True, choices=[p for p in DIGEST_PERIOD_LABELS if p != "none"])
    digest.add_argument("--as-of", dest="as_of", type=date_type,
                        help="the day the digest is for (default: the latest date in data; the submissions are "
                             "then judged on today)")
    who = digest.add_mutually_exclusive_group()
    who.add_argument("--user", help="one account, whatever period it chose")
    who.add_argument("--all", action="store_true", help="every enabled account whose digest is --period (the default)")
    digest.add_argument("--out", help="folder to write each digest's .txt, .xlsx and (monthly) .docx into")
    digest.add_argument("--send", action="store_true", help="deliver on each account's channel (once per period)")
    add_db(digest)


def _accounts(store, args: argparse.Namespace) -> list:
    from pipelines.access.store import AccessError
    if args.user:
        account = store.account(args.user)
        if account is None:
            raise AccessError(f"không có tài khoản {args.user}")
        if account.disabled:
            raise AccessError(f"tài khoản {args.user} đang bị khóa: không lập bản tin")
        return [account]
    return [a for a in store.accounts() if not a.disabled and a.digest == args.period]


def digest_command(args: argparse.Namespace, config: DvcqConfig) -> int:
    # the engine, the report's writer and the mail modules load only when a digest is made
    from pipelines.access.scope import scope_of
    from pipelines.access.store import AccessStore, accounts_path
    from pipelines.cli.users import _actor
    from pipelines.digest.content import WarehouseFacts, build_digest, digest_span
    from pipelines.digest.delivery import DeliveryLog, deliver
    from pipelines.digest.writers import digest_files, report_bytes, write_files
    from pipelines.engine.indicators import latest_date
    from pipelines.ingest.warehouse import connect_read_only, resolve_db_path
    from pipelines.report import ReportUnitError
    from schemas.periods import default_as_of

    path = resolve_db_path(args.db)
    store = AccessStore(accounts_path(path), config.access)
    accounts = _accounts(store, args)
    if not accounts:
        print(f"Không có tài khoản nào nhận bản tin {DIGEST_PERIOD_LABELS[args.period].lower()}.")
        return 0
    con = connect_read_only(path)
    try:
        as_of = args.as_of or default_as_of(latest_date(con))
        facts = WarehouseFacts(con, config, digest_span(args.period, as_of), args.as_of or dt.date.today())
        built, failed = [], False
        for account in accounts:
            digest = build_digest(facts, account, scope_of(account, con))
            try:
                report = report_bytes(con, config, digest)
            except ReportUnitError as exc:  # a unit this warehouse does not hold: said, the others go on
                print(f"{account.login}: không lập được bản tin: {exc}")
                failed = True
                continue
            built.append((account, digest, digest_files(digest, report)))
    finally:
        con.close()
    log, by = DeliveryLog(store.path), _actor()
    for account, digest, files in built:
        if args.out:
            written = write_files(Path(args.out), files)
            print(f"{account.login}: đã ghi {', '.join(str(p) for p in written)}")
        if args.send:
            outcome = deliver(account, digest, files, config.digest, log, store, by)
            failed = failed or outcome.status == "failed"
            print(f"{account.login}: {outcome.message}")
        if not args.out and not args.send:
            print(digest.text)
    return 1 if failed else 0
