"""Formatting the Vietnamese way, in one place: numbers 1.234,5 and 95,3 %, dates dd/mm/yyyy, vocabulary
codes as their labels, tables turned into display strings (so the browser's locale never decides) and
XLSX exports with Vietnamese headers whose dates stay dates and numbers stay numbers.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import re

import polars as pl
import xlsxwriter

from pipelines.exports import WORKBOOK_OPTIONS
from pipelines.text import vn_number
from schemas.vocabularies import VOCABULARIES

NA = "N/A"


def _missing(x) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def md_escape(text: str) -> str:
    """Text from users' files (a file name, a sheet name) inside markdown, shown as typed: no link,
    no emphasis, no HTML."""
    return re.sub(r"([\\`*_{}\[\]()#+\-.!|<>~:$])", r"\\\1", str(text))


LITERAL_MAX_CHARS = 120


def literal(value) -> str:
    """A value someone typed (a link's parameter) inside markdown, shown as typed and never as markup:
    an inline code span.

    Backslash escapes (``md_escape``) are not enough there: Streamlit's markdown turns ``http://…``,
    ``www.…``, an e-mail address or ``:material/…:`` standing in text into a live link or an icon
    whatever the escapes, while nothing inside a code span is read as markdown. A control or invisible
    character (a newline would start a heading, U+202E reverses the text) is shown as its escape
    (``\\n``, ``\\u202e``), and a value longer than ``LITERAL_MAX_CHARS`` is cut with "…" so that a
    crafted link cannot fill the page.
    """
    text = str(value)
    if len(text) > LITERAL_MAX_CHARS:
        text = text[:LITERAL_MAX_CHARS] + "…"
    text = "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)
    fence = "`" * (max((len(run) for run in re.findall("`+", text)), default=0) + 1)
    pad = " " if text[:1] in ("`", " ") or text[-1:] in ("`", " ") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def fmt_num(x, decimals: int = 1) -> str:
    """1234.5 -> '1.234,5' (Vietnamese separators)."""
    return NA if _missing(x) else vn_number(x, decimals)


def fmt_int(x) -> str:
    return NA if _missing(x) else fmt_num(round(x), 0)


def fmt_pct(x, decimals: int = 1) -> str:
    return NA if _missing(x) else f"{fmt_num(x, decimals)} %"


def fmt_date(d) -> str:
    if d is None:
        return ""
    if isinstance(d, str):
        d = dt.date.fromisoformat(d[:10])
    return f"{d.day:02d}/{d.month:02d}/{d.year:04d}"  # strftime writes the year 1 as "1"


def metric_delta(now, before, kind: str = "int", lower_is_better: bool = False) -> dict:
    """``st.metric`` keyword arguments for the change from the previous period.

    The change is compared as shown (one decimal for rates and scores), so a change that rounds to
    nothing reads "không đổi" with no arrow and no colour, never "+0,0" with a green arrow.
    Rates change by percentage points ("điểm %", as reports write it), scores by points.
    """
    if _missing(now) or _missing(before):
        return {}
    diff = round(now - before, 1) if kind in ("pct", "score") else now - before
    if diff == 0:
        return {"delta": "không đổi so với kỳ trước", "delta_arrow": "off", "delta_color": "off"}
    unit = {"pct": " điểm %", "score": " điểm"}.get(kind, "")
    amount = fmt_num(abs(diff)) if kind in ("pct", "score") else fmt_int(abs(diff))
    return {"delta": f"{'+' if diff > 0 else '-'}{amount}{unit} so với kỳ trước",
            "delta_color": "inverse" if lower_is_better else "normal"}


def vocab_label(vocabulary: str, value) -> str:
    if value is None:
        return ""
    key = str(value).lower() if isinstance(value, bool) else str(value)
    return VOCABULARIES[vocabulary].labels_vi.get(key, key)


def display_frame(df: pl.DataFrame, spec: dict[str, tuple[str, str]]) -> pl.DataFrame:
    """Select ``spec``'s columns, format each by kind, rename to its Vietnamese label.

    kinds: text, long (text shown in full, wrapped in XLSX), int, num, pct, date, vocab:<name>.
    Each distinct value is formatted once and mapped back: a backlog of 300 000 items has a few
    hundred distinct ages and dates, so a page does not format 300 000 cells in Python.
    """
    formatters = {"int": lambda v: fmt_int(v) if v is not None else "", "num": fmt_num, "pct": fmt_pct,
                  "date": fmt_date}
    columns = []
    for col, (label, kind) in spec.items():
        if col not in df.columns:
            continue
        values = df.get_column(col)
        if kind.startswith("vocab:"):
            format_one = lambda v, vocabulary=kind[6:]: vocab_label(vocabulary, v)  # noqa: E731
        else:
            format_one = formatters.get(kind, lambda v: "" if v is None else str(v))
        distinct = values.unique().to_list()
        shown = values.replace_strict(distinct, [format_one(v) for v in distinct], return_dtype=pl.String) \
            if distinct else pl.Series([], dtype=pl.String)
        columns.append(shown.alias(label))
    return pl.DataFrame(columns)


def xlsx_bytes(df: pl.DataFrame, spec: dict[str, tuple[str, str]], sheet: str = "Dữ liệu",
               title: str | None = None, notes: tuple[str, ...] = ()) -> bytes:
    """An XLSX with Vietnamese headers; dates stay real dates shown dd/mm/yyyy, numbers stay numbers.

    ``title`` and ``notes`` (period, as-of day, filters) are written above the header inside the
    sheet: a file forwarded to a commune says what it holds even after it is renamed.
    """
    buf = io.BytesIO()
    cols = [(c, label, kind) for c, (label, kind) in spec.items() if c in df.columns]
    with xlsxwriter.Workbook(buf, WORKBOOK_OPTIONS) as wb:  # text stays text: no formula, no link
        ws = wb.add_worksheet(sheet[:31])
        head = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True})
        date_f, int_f = wb.add_format({"num_format": "dd/mm/yyyy"}), wb.add_format({"num_format": "#,##0"})
        pct_f, wrap = wb.add_format({"num_format": "0.0"}), wb.add_format({"text_wrap": True, "valign": "top"})
        top = 0
        if title:
            ws.write_string(0, 0, title, wb.add_format({"bold": True, "font_size": 14}))
            for top, note in enumerate(notes, start=1):
                ws.write_string(top, 0, note, wb.add_format({"italic": True}))
            top += 2
        for j, (_, label, kind) in enumerate(cols):
            ws.write(top, j, label, head)
            ws.set_column(j, j, 60 if kind == "long" else max(12, min(40, len(label) + 4)))
        for i, row in enumerate(df.select([c for c, _, _ in cols]).iter_rows(), start=top + 1):
            for j, ((_, _, kind), v) in enumerate(zip(cols, row)):
                if v is None:
                    continue
                if kind == "date":
                    ws.write_datetime(i, j, dt.datetime.combine(v, dt.time()), date_f)
                elif kind == "int":
                    ws.write_number(i, j, v, int_f)
                elif kind in ("num", "pct"):
                    ws.write_number(i, j, v, pct_f)
                elif kind.startswith("vocab:"):
                    ws.write_string(i, j, vocab_label(kind[6:], v))
                elif kind == "long":
                    ws.write_string(i, j, v, wrap)
                elif isinstance(v, str):
                    ws.write_string(i, j, v)
                else:
                    ws.write(i, j, v)
        ws.freeze_panes(top + 1, 0)
    return buf.getvalue()
