"""The ``dvcq`` command line: ingest, quarantine, sample, indicators, flags, backlog, report, users, audit, digest,
docs.

Every command prints one clear Vietnamese/English message and exits non-zero on a user error
(missing path, unreadable file, bad option, bad configuration); tracebacks are for bugs only.
Tabular commands share one formatter (table, csv, json).
"""

from __future__ import annotations

import argparse
import datetime as dt
import subprocess
import sys
from pathlib import Path

import duckdb
import polars as pl

from schemas.admin_unit import ERAS, LEVEL_CODES, grouping_of
from schemas.config import ConfigError, load_config
from schemas.records import RECORD_KINDS


class UserError(Exception):
    """A problem with the user's input: printed as one line, exit code 2."""


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"ngày không hợp lệ {text!r}: dùng dạng YYYY-MM-DD") from exc


def emit(frame: pl.DataFrame, fmt: str) -> None:
    """Write a result frame to stdout as an aligned table, CSV or JSON (one object per row)."""
    if fmt == "csv":
        from pipelines.exports import neutralise_formulas
        sys.stdout.write(neutralise_formulas(frame).write_csv())
    elif fmt == "json":
        sys.stdout.write(frame.write_json() + "\n")
    else:
        with pl.Config(tbl_rows=-1, tbl_cols=-1, fmt_str_lengths=400, tbl_width_chars=200,
                       tbl_hide_dataframe_shape=True, tbl_hide_column_data_types=True):
            print(frame)


def _add_db(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", help="warehouse file (default: $DVCQ_DB or data/dvcq.duckdb)")


def _add_format(parser: argparse.ArgumentParser, choices=("table", "csv", "json")) -> None:
    parser.add_argument("--format", choices=choices, default="table")


def _add_period(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--from", dest="date_from", type=_date, help="period start YYYY-MM-DD")
    parser.add_argument("--to", dest="date_to", type=_date, help="period end YYYY-MM-DD (default: latest date in data)")
    parser.add_argument("--as-of", dest="as_of", type=_date,
                        help="'overdue yet?' date (default: the earlier of --to and the latest date in data)")


def _add_units(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--units", choices=ERAS,
                        help="administrative structure (default: 2025 for a period ending after 30/06/2025)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="dvcq", description="Chính quyền thân thiện, vì Nhân dân phục vụ: "
                                     "nạp dữ liệu xã, tính chỉ số, cảnh báo, hồ sơ tồn đọng.")
    parser.add_argument("--config", help="configuration file (default: $DVCQ_CONFIG or config/dvcq.toml)")
    sub = parser.add_subparsers(dest="command", required=True)

    ingest = sub.add_parser("ingest", help="load export files or folders into the warehouse")
    ingest.add_argument("paths", nargs="+", metavar="PATH")
    _add_db(ingest)
    ingest.add_argument("--kind", choices=RECORD_KINDS, help="record kind (default: detected from headers)")
    ingest.add_argument("--commune", help="commune code or name for files that do not say")
    ingest.add_argument("--units", choices=ERAS,
                        help="structure of codes and names that exist in both lists (default: the era of each "
                             "file's latest event date)")
    ingest.add_argument("--quiet", action="store_true",
                        help="print only unreadable files, the totals and the quarantine count (a progress bar "
                             "shows on a terminal)")

    quarantine = sub.add_parser("quarantine", help="list quarantined rows with reasons")
    _add_db(quarantine)
    _add_format(quarantine, ("table", "csv"))

    sample = sub.add_parser("sample", help="write synthetic commune exports for real communes")
    sample.add_argument("--out", required=True, type=Path)
    sample.add_argument("--communes", type=int, default=60)
    sample.add_argument("--years", type=int, default=2, help="years of history before the reform of 1 July 2025")
    sample.add_argument("--seed", type=int, default=2024)

    for name, help_text in (("indicators", "the 12 indicators, hai_long and composite per unit"),
                            ("flags", "weak-performer flags with reasons")):
        cmd = sub.add_parser(name, help=help_text)
        _add_db(cmd)
        cmd.add_argument("--level", choices=LEVEL_CODES, default="commune",
                         help="district: legacy structure; area: 'địa bàn huyện cũ' of the 2025 communes")
        _add_units(cmd)
        _add_period(cmd)
        _add_format(cmd)

    submissions = sub.add_parser("submissions", help="who has sent what: each commune, month and record kind it "
                                                     "must send, sent, late or missing (the reminder list)")
    _add_db(submissions)
    submissions.add_argument("--from", dest="date_from", type=_date, help="first month YYYY-MM-DD")
    submissions.add_argument("--to", dest="date_to", type=_date, help="last month YYYY-MM-DD (default: latest date in data)")
    submissions.add_argument("--as-of", dest="as_of", type=_date,
                             help="the day due days are judged against (default: today)")
    submissions.add_argument("--units", choices=ERAS,
                             help="one structure for every month (default: each month in the structure in force then)")
    _add_format(submissions)

    backlog = sub.add_parser("backlog", help="overdue (or, with --due-soon, due soon) dossiers and petitions as of "
                                             "a date")
    _add_db(backlog)
    backlog.add_argument("--as-of", dest="as_of", type=_date, help="'overdue yet?' date (default: latest date in data)")
    backlog.add_argument("--level", choices=[c for c in LEVEL_CODES if grouping_of(c) != "province"], default="commune")
    backlog.add_argument("--due-soon", dest="due_soon", action="store_true",
                         help="list what is due soon (sắp đến hạn: not yet overdue, inside its window of working days, "
                              "[due_soon] in the configuration) instead of what is overdue")
    _add_units(backlog)
    _add_format(backlog)

    report = sub.add_parser("report", help="the written report (BÁO CÁO kết quả … mô hình) of a unit as an editable "
                                           "Word file, with a PDF beside it when LibreOffice is installed")
    _add_db(report)
    report.add_argument("--unit", required=True,
                        help="commune code, district or 'địa bàn huyện cũ' code, or 'province'")
    _add_units(report)
    _add_period(report)
    report.add_argument("--out", type=Path, help="the .docx to write (default: bao_cao_<unit>_<from>_<to>.docx)")
    report.add_argument("--templates", help="report wording (default: $DVCQ_REPORT_TEMPLATES or config/report.toml)")

    upgrade = sub.add_parser("upgrade", help="bring a warehouse made by an older dvcq up to date (loads nothing)")
    _add_db(upgrade)
    upgrade.add_argument("--rebuild-facts", action="store_true",
                         help="build every fact table whole from the records, even when the warehouse is current "
                              "(publishing builds again only what the loaded files changed)")

    handoff = sub.add_parser("export-parquet", help="write the facts, rollups, units and codes as Parquet partitioned "
                                                    "by province, year and month (no personal data, no free text)")
    _add_db(handoff)
    handoff.add_argument("--out", type=Path, required=True, help="folder to write (one sub-folder a table)")

    from pipelines.cli.users import add_parsers as add_account_parsers
    add_account_parsers(sub, _add_db, _add_format, _date)
    from pipelines.digest.command import add_parser as add_digest_parser
    add_digest_parser(sub, _add_db, _date)

    docs = sub.add_parser("docs", help="regenerate docs/data-model.md from the schemas")
    docs.add_argument("--out", type=Path, default=Path("docs") / "data-model.md")
    return parser


def run(args: argparse.Namespace) -> int:
    config = load_config(args.config)
    if args.command == "ingest":
        from pipelines.ingest.pipeline import ingest_command
        return ingest_command(args.paths, db=args.db, kind=args.kind, commune=args.commune, config=config,
                              units=args.units, quiet=args.quiet)
    if args.command == "quarantine":
        from pipelines.ingest.pipeline import quarantine_frame
        emit(quarantine_frame(args.db), args.format)
        return 0
    if args.command == "sample":
        from pipelines.sample import generate_sample
        written = generate_sample(args.out, communes=args.communes, years=args.years, seed=args.seed,
                                  province_code=config.province_code)
        print(f"Đã ghi {len(written)} tệp vào {args.out}")
        return 0
    if args.command in ("indicators", "flags", "backlog", "submissions"):
        from pipelines.cli import tables
        frame = tables.command_frame(args.command, args, config)
        emit(tables.readable(frame, args.command) if args.format == "table" else frame, args.format)
        return 0
    if args.command == "report":
        return _report(args, config)
    if args.command == "upgrade":
        from pipelines.ingest.privacy import KEY_FILE
        from pipelines.ingest.warehouse import adopt_key, is_current, publishing, resolve_db_path
        if is_current(args.db) and not args.rebuild_facts:
            print(f"Kho dữ liệu {resolve_db_path(args.db)} đã ở phiên bản hiện tại.")
            return 0
        with publishing(args.db, config.province_code, config) as con:
            adopted = adopt_key(con, resolve_db_path(args.db))
        print(f"Đã cập nhật kho dữ liệu {resolve_db_path(args.db)}: danh mục đơn vị hai thời kỳ và các bảng số liệu "
              "dẫn xuất (tiến độ, hạn, tồn đọng) được tính lại theo cấu hình hiện tại; không nạp gì mới.")
        if adopted:
            print(f"Kho chưa ghi dấu vân tay khóa: khóa đưa vào lúc này (DVCQ_SECRET hoặc tệp {KEY_FILE}) được tin là "
                  f"khóa của kho và được ghi nhận (dấu vân tay {adopted}); từ nay mọi khóa khác bị từ chối.")
        return 0
    if args.command in ("users", "audit"):
        from pipelines.cli.users import audit_command, users_command
        return (users_command if args.command == "users" else audit_command)(args, config, emit)
    if args.command == "digest":
        from pipelines.digest.command import digest_command
        return digest_command(args, config)
    if args.command == "export-parquet":
        from pipelines.handoff import export_parquet
        from pipelines.ingest.warehouse import connect_read_only, remembered
        with connect_read_only(args.db) as con:
            written = export_parquet(con, args.out, remembered(con, "unit_province") or config.province_code)
        print(f"Đã ghi {len(written)} bảng dạng Parquet vào {args.out} (thư mục province=…/year=…/month=…)")
        return 0
    if args.command == "docs":
        from pipelines.cli.docs import write_data_model
        write_data_model(args.out)
        print(f"Đã ghi {args.out}")
        return 0
    raise UserError(f"lệnh không biết: {args.command}")


def _report(args: argparse.Namespace, config) -> int:
    """``dvcq report``: the .docx, then a PDF beside it when LibreOffice is installed (said in one line when
    not). Period defaults as for ``indicators``; an unknown unit is a user error."""
    from pipelines.cli.tables import period_from_args
    from pipelines.ingest.warehouse import connect_read_only
    from pipelines.report import ReportUnitError, build_report, write_docx
    from pipelines.report.pdf import convert_to_pdf
    from pipelines.sql import InStructure
    from schemas.report import load_report_templates

    templates = load_report_templates(args.templates)
    out = args.out
    if out is not None and out.suffix.lower() != ".docx":
        raise UserError(f"--out phải là tệp .docx: {out}")
    raw = connect_read_only(args.db)
    try:
        period = period_from_args(raw, args)
        report = build_report(InStructure(raw, args.units or period.structure), config, templates,
                              args.unit, period)
    except ReportUnitError as exc:
        raise UserError(str(exc)) from exc
    finally:
        raw.close()
    out = out or Path(f"{report.file_stem}.docx")
    write_docx(report, out)
    print(f"Đã ghi {out}")
    try:
        pdf = convert_to_pdf(out)
    except (RuntimeError, subprocess.TimeoutExpired) as exc:  # the Word file is the product: said, not failed
        print(f"dvcq: không tạo được bản PDF ({exc}); tệp Word vẫn dùng được.", file=sys.stderr)
        return 0
    print(f"Đã ghi {pdf}" if pdf else "Không có LibreOffice (soffice) trên máy này: chỉ ghi tệp Word, không kèm PDF.")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from schemas.periods import PeriodError
    from pipelines.ingest.privacy import SecretError
    from pipelines.cli.tables import StructureError
    from pipelines.ingest.warehouse import WarehouseError, explain_failure, resolve_db_path
    from pipelines.access.store import AccessError

    try:
        return run(args)
    except (UserError, ConfigError, FileNotFoundError, PeriodError, StructureError, SecretError,
            WarehouseError, AccessError) as exc:
        print(f"dvcq: lỗi: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # output piped into `head` and cut short: not an error (before OSError, its parent)
        sys.stderr.close()
        return 0
    except (OSError, duckdb.Error) as exc:  # a full disk, a damaged warehouse, a folder without write permission
        if explained := explain_failure(exc, resolve_db_path(args.db) if "db" in args else None):
            print(f"dvcq: lỗi: {explained}", file=sys.stderr)
            return 1
        if not isinstance(exc, OSError):
            raise
        print(f"dvcq: lỗi: không đọc/ghi được {exc.filename or ''}: {exc.strerror or exc}", file=sys.stderr)
        return 1

