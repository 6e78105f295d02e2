"""The digest's files: its text (.txt), its workbook (.xlsx) and, for a monthly digest, the written report (.docx).

Why here and not in the dashboard's formatting: the digest runs from cron without the dashboard (which it may not
import). The workbook is written with the options of ``pipelines.exports`` (formulas and links off: a formula a
clerk typed in a commune's file stays text), dates stay dates (dd/mm/yyyy), counts stay numbers; each sheet
starts with the digest's title and span so a file forwarded on says what it holds.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import duckdb
import xlsxwriter

from pipelines.digest.content import Digest
from pipelines.engine.flags import vn_date
from pipelines.exports import WORKBOOK_OPTIONS
from pipelines.report import build_report, docx_bytes
from pipelines.sql import InStructure
from schemas.config import DvcqConfig
from schemas.periods import Period
from schemas.report import load_report_templates

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def xlsx_bytes(digest: Digest) -> bytes:
    """Every sheet of the digest: title, span, then the Vietnamese headers and the rows."""
    buf = io.BytesIO()
    with xlsxwriter.Workbook(buf, WORKBOOK_OPTIONS) as wb:
        head = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True})
        title_f, note_f = wb.add_format({"bold": True, "font_size": 14}), wb.add_format({"italic": True})
        formats = {"date": wb.add_format({"num_format": "dd/mm/yyyy"}), "int": wb.add_format({"num_format": "#,##0"}),
                   "num": wb.add_format({"num_format": "0.0"}),
                   "long": wb.add_format({"text_wrap": True, "valign": "top"})}
        for sheet in digest.sheets:
            ws = wb.add_worksheet(sheet.name[:31])
            ws.write_string(0, 0, digest.title, title_f)
            ws.write_string(1, 0, f"Số liệu tính đến ngày {vn_date(digest.span.as_of)}; kỳ: {digest.span.label}",
                            note_f)
            columns = [(c, label, kind) for c, (label, kind) in sheet.columns.items() if c in sheet.frame.columns]
            top = 3
            for j, (_, label, kind) in enumerate(columns):
                ws.write_string(top, j, label, head)
                ws.set_column(j, j, 60 if kind == "long" else max(12, min(40, len(label) + 4)))
            for i, row in enumerate(sheet.frame.select([c for c, _, _ in columns]).iter_rows(), start=top + 1):
                for j, ((_, _, kind), value) in enumerate(zip(columns, row)):
                    if value is None:
                        continue
                    if kind == "date":
                        ws.write_datetime(i, j, dt.datetime.combine(value, dt.time()), formats["date"])
                    elif kind in ("int", "num"):
                        ws.write_number(i, j, value, formats[kind])
                    elif kind == "long":  # a reason read in full: wrapped in a wide column
                        ws.write_string(i, j, value, formats["long"])
                    else:
                        ws.write_string(i, j, str(value))
            ws.freeze_panes(top + 1, 0)
    return buf.getvalue()


def report_bytes(con: duckdb.DuckDBPyConnection, config: DvcqConfig, digest: Digest) -> bytes | None:
    """The written report of the digest's unit over its month to date (``dvcq report``'s document), or None
    for a daily or weekly digest."""
    if digest.report_unit is None:
        return None
    period = Period(digest.span.start, digest.span.as_of, digest.span.as_of)
    report = build_report(InStructure(con, digest.structure), config, load_report_templates(None),
                          digest.report_unit, period)
    return docx_bytes(report)


def digest_files(digest: Digest, report: bytes | None) -> dict[str, tuple[bytes, str]]:
    """File name -> (content, media type) of everything the digest holds."""
    files = {f"{digest.file_stem}.txt": (digest.text.encode("utf-8"), "text/plain; charset=utf-8"),
             f"{digest.file_stem}.xlsx": (xlsx_bytes(digest), XLSX_TYPE)}
    if report is not None:
        files[f"{digest.file_stem}.docx"] = (report, DOCX_TYPE)
    return files


def write_files(folder: Path, files: dict[str, tuple[bytes, str]]) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, (content, _) in files.items():
        path = folder / name
        path.write_bytes(content)
        written.append(path)
    return written
