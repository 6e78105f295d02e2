"""Rendering one export: cells in the form's styles, the planted defects, the XLSX or CSV bytes."""

from __future__ import annotations

import dataclasses
import datetime as dt
import unicodedata
from pathlib import Path

import numpy as np
import polars as pl
import xlsxwriter

from pipelines.sample.forms import TEXT_DATE, FileSpec, title_rows, value_words
from schemas.records import RECORD_SCHEMAS
from schemas.vocabularies import (CHANNEL, DOSSIER_STATUS, LETTER_KIND, PETITION_KIND, PETITION_OUTCOME,
                                  RATING, TIMELINESS)

FIXED_TIME = dt.datetime(2025, 7, 1, 8, 0, 0)
"""Every workbook's creation time (so the bytes do not depend on the clock)."""

# Deliberately wrong values (each must map to nothing in its vocabulary / registry).
_BAD_STATUS = "Tạm dừng xử lý"
_BAD_COMMUNE = "Xã Tân Lập Hạ"
_BAD_RATING = "Tuyệt vời"


def _format_dates(values: np.ndarray, style: str, rng) -> list:
    """Render a datetime64[D] array (NaT = empty) for the file's date style."""
    s = pl.Series(values.astype("datetime64[D]")).cast(pl.Date)
    n = len(s)
    if style in ("excel", "excel_time"):
        out = [None if d is None else dt.datetime(d.year, d.month, d.day) for d in s.to_list()]
        if style == "excel_time":
            mins = rng.integers(7 * 60 + 15, 17 * 60, n)
            out = [None if d is None else d + dt.timedelta(minutes=int(m)) for d, m in zip(out, mins)]
        return out
    if style == "serial":
        base = dt.date(1899, 12, 30)
        return [None if d is None else (d - base).days for d in s.to_list()]
    fmt = TEXT_DATE[style]
    if "%H" in fmt:
        mins = pl.Series(rng.integers(7 * 60 + 15, 17 * 60, n) * 60_000_000).cast(pl.Duration("us"))
        s = s.cast(pl.Datetime("us")) + mins
    return s.dt.strftime(fmt).to_list()


def _bad_date_text(style: str, year: int) -> str:
    return {"dmy": f"31/02/{year}", "dmy_short": f"31/2/{year % 100:02d}", "dmy_dash": f"31-02-{year}",
            "iso": f"{year}-02-31", "dmy_time": f"31/02/{year} 08:30", "iso_time": f"{year}-02-31 08:30:00"}[style]


def _cells(spec: FileSpec, data: dict, rows: np.ndarray, rng, words: dict) -> list[list]:
    """Column-wise cell values for the selected rows."""
    f, u = spec.form, spec.unit
    schema = RECORD_SCHEMAS[spec.kind]
    cols: list[list] = []
    for name in spec.columns:
        if name == "_stt":
            cols.append(list(range(1, len(rows) + 1)))
            continue
        if name == "_commune":
            v = {"code": u["commune_code"], "name": u["commune_name"], "short": u["commune_short_name"]}[f.commune_value]
            cols.append([v] * len(rows))
            continue
        if name == "_district":
            v = u["district_name"] if rng.random() < 0.6 else u["district_short_name"]
            cols.append([v] * len(rows))
            continue
        col = schema.column(name)
        arr = data[name][rows]
        if col.type == "date":
            cols.append(_format_dates(arr, f.date_style, rng))
        elif col.type == "bool":
            cols.append([f.yes_no[0] if x else f.yes_no[1] for x in arr])
        elif col.type == "rating":
            if f.rating_words:
                cols.append([RATING.labels_vi[str(int(x))] for x in arr])
            else:
                cols.append([int(x) for x in arr])
        elif col.type == "category":
            w = words[col.vocabulary]
            cols.append([None if x is None else w[x] for x in arr])
        elif col.type == "int":
            cols.append([int(x) for x in arr])
        else:
            cols.append([None if x is None else str(x) for x in arr])
    return cols


def _inject_defects(spec: FileSpec, cols: list[list], data: dict, rows: np.ndarray, rng, first_row: int,
                    defects: list[dict], rate: float, words: dict) -> None:
    """Spoil about ``rate`` of the rows with one defect each; log them."""
    n = len(rows)
    k = int(rng.binomial(n, rate)) if n else 0
    if not k:
        return
    f = spec.form
    text_dates = f.date_style in TEXT_DATE
    idx = {c: i for i, c in enumerate(spec.columns)}
    options: list[str] = []
    kind = spec.kind
    if kind == "dossier":
        options += ["completed_before_received", "unknown_status"]
        if "supplement_requests" in idx:
            options.append("negative_count")
        if text_dates:
            options.append("impossible_date")
    elif kind == "petition":
        options += ["resolved_before_received"] + (["impossible_date"] if text_dates else [])
    elif kind == "dialogue":
        options += ["answered_more_than_raised", "negative_count"]
    elif kind == "survey":
        options += ["unknown_rating"] + (["impossible_date"] if text_dates else [])
    elif kind == "letter":
        options += ["impossible_date"] if text_dates else []
    if "_commune" in idx and f.commune_value != "code":
        options.append("unknown_commune")
    if not options:
        return
    for r in rng.choice(n, size=min(k, n), replace=False):
        r = int(r)
        defect = str(options[int(rng.integers(len(options)))])
        schema = RECORD_SCHEMAS[kind]
        if defect == "impossible_date":
            target = schema.date_column if kind != "dossier" else "received_date"
            year = int(str(data[target][rows[r]])[:4])
            cols[idx[target]][r] = _bad_date_text(f.date_style, year)
        elif defect in ("completed_before_received", "resolved_before_received"):
            a, b = ("received_date", "completed_date") if kind == "dossier" else ("received_date", "resolved_date")
            value = data[a][rows[r]] - np.timedelta64(int(rng.integers(3, 30)), "D")
            cols[idx[b]][r] = _format_dates(np.array([value]), f.date_style, rng)[0]
            if kind == "dossier":
                cols[idx["status"]][r] = words["dossier_status"]["completed"]
            else:
                cols[idx["outcome"]][r] = words["petition_outcome"]["resolved"]
        elif defect == "unknown_status":
            cols[idx["status"]][r] = _BAD_STATUS
        elif defect == "negative_count":
            col = "supplement_requests" if kind == "dossier" else "attendees"
            cols[idx[col]][r] = -1 if kind == "dossier" else -int(rng.integers(5, 50))
        elif defect == "answered_more_than_raised":
            cols[idx["opinions_answered"]][r] = cols[idx["opinions_raised"]][r] + int(rng.integers(1, 5))
        elif defect == "unknown_rating":
            cols[idx["overall"]][r] = _BAD_RATING if f.rating_words else 7
        elif defect == "unknown_commune":
            cols[idx["_commune"]][r] = _BAD_COMMUNE
        defects.append({"file": spec.name, "sheet": spec.sheet, "row": first_row + r, "kind": kind, "defect": defect,
                        "record_id": str(data[schema.id_column][rows[r]])})


def _render(spec: FileSpec, data: dict, rows: np.ndarray, rng, defects: list[dict], defect_rate: float
            ) -> tuple[list[list], list[str], list[list]]:
    """(title rows, headers, columns of cells) of one table, defects planted in about ``defect_rate``
    of its rows and logged in ``defects``."""
    f = spec.form
    words = {}
    for vocab, canon in ((DOSSIER_STATUS, ["pending", "completed", "returned", "withdrawn"]),
                         (TIMELINESS, ["early", "on_time", "late"]), (CHANNEL, ["direct", "online", "postal"]),
                         (LETTER_KIND, ["apology", "thanks", "congratulation", "condolence"]),
                         (PETITION_KIND, ["complaint", "denunciation", "petition"]),
                         (PETITION_OUTCOME, ["resolved", "transferred", "withdrawn", "filed", "pending"])):
        words[vocab.name] = value_words(rng, vocab, canon)
    title = title_rows(spec, rng) if f.title else []
    cols = _cells(spec, data, rows, rng, words)
    _inject_defects(spec, cols, data, rows, rng, len(title) + 2, defects, defect_rate, words)
    headers = list(spec.headers)
    if f.nfd:
        norm = lambda v: unicodedata.normalize("NFD", v) if isinstance(v, str) else v  # noqa: E731
        cols = [[norm(v) for v in c] for c in cols]
        headers = [norm(h) for h in headers]
        title = [[norm(v) for v in r] for r in title]
    return title, headers, cols


def write_file(spec: FileSpec, out_dir: Path, data: dict, rows: np.ndarray, rng, defects: list[dict],
               defect_rate: float) -> int:
    """Write one export of one kind (its ``rows`` of ``data``); return the number of data rows."""
    f = spec.form
    if f.fmt == "xlsx":
        spec = dataclasses.replace(spec, sheet=str(rng.choice(["Sheet1", "Báo cáo", "Danh sách", "Tổng hợp"])))
        write_workbook(out_dir / spec.name, [(spec, data, rows, rng)], defects, defect_rate)
        return len(rows)
    title, headers, cols = _render(spec, data, rows, rng, defects, defect_rate)
    sep = ";" if f.fmt == "csv_semicolon" else ","
    frame = pl.DataFrame({f"c{i}": pl.Series([None if v is None else str(v) for v in c], dtype=pl.String)
                          for i, c in enumerate(cols)})
    head = sep.join(_csv_quote(h, sep) for h in headers)
    body = frame.write_csv(separator=sep, include_header=False, line_terminator="\r\n")
    text = head + "\r\n" + body
    (out_dir / spec.name).write_bytes((("\ufeff" if f.fmt == "csv_semicolon" else "") + text).encode("utf-8"))
    return len(rows)


def _csv_quote(value: str, sep: str) -> str:
    if any(ch in value for ch in (sep, '"', "\n", "\r")):
        return '"' + value.replace('"', '""') + '"'
    return value


def write_workbook(path: Path, sheets: list[tuple[FileSpec, dict, np.ndarray, np.random.Generator]],
                   defects: list[dict], defect_rate: float) -> None:
    """An XLSX file with one sheet per (spec, data, rows, rng), named ``spec.sheet``; all sheets share the
    first one's date style (one workbook, one default date format)."""
    date_fmt = "dd/mm/yyyy hh:mm" if sheets[0][0].form.date_style == "excel_time" else "dd/mm/yyyy"
    wb = xlsxwriter.Workbook(str(path), {"default_date_format": date_fmt, "constant_memory": True})
    wb.set_properties({"created": FIXED_TIME, "author": "Bộ phận một cửa", "title": ""})
    bold = wb.add_format({"bold": True, "text_wrap": True, "border": 1, "align": "center"})
    tbold = wb.add_format({"bold": True})
    for spec, data, rows, rng in sheets:
        title, headers, cols = _render(spec, data, rows, rng, defects, defect_rate)
        ws = wb.add_worksheet(spec.sheet)
        for r, row in enumerate(title):
            ws.write_row(r, 0, row, tbold)
        hr = len(title)
        ws.write_row(hr, 0, headers, bold)
        for c in range(len(headers)):
            ws.set_column(c, c, 16)
        for i, row in enumerate(zip(*cols)):
            ws.write_row(hr + 1 + i, 0, row)
    wb.close()
