"""Normalize and validate: raw text cells to typed canonical columns, each row's problems listed.

All work is vectorised Polars expressions over whole columns. A row is never dropped: every
problem becomes a line of the row's ``_problems`` text ("reason_code<TAB>Vietnamese message",
lines joined by newlines; null when there is none), and the pipeline quarantines rows whose
``_problems`` is not null. (Text, not a list column: concatenating a dozen list columns costs
more than all the parsing.)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import polars as pl

from pipelines.ingest.privacy import masked_record_ids
from pipelines.text import clean_text_expr, fold_expr
from schemas.records import Column, RecordSchema
from schemas.vocabularies import VOCABULARIES

PROBLEMS = "_problems"
ROW = "_row"
EXCEL_EPOCH = dt.date(1899, 12, 30)
# Serial numbers Excel uses for 1954..2119: anything else that is all digits is not a date.
EXCEL_SERIAL_RANGE = (20000, 80000)

_DAY_FIRST = r"^(\d{1,2})[/\-.](\d{1,2})[/\-.](\d{4}|\d{2})(?:$|[ T,]+\d{1,2}[:h]\d{1,2}(?::\d{1,2}(?:\.\d+)?)?\s*(?:[AaPp][Mm])?$)"
_ISO = r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:$|[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?$)"
_SERIAL = r"^(\d{5})(?:\.\d+)?$"
INT32_MAX = 2_147_483_647
PROMISE_DAYS_AHEAD = 366


def parse_date_expr(raw: pl.Expr) -> pl.Expr:
    """Day-first dates in every form communes send; null when the text is no real date.

    Accepted: dd/mm/yyyy, d/m/yy, dd-mm-yyyy, dd.mm.yyyy (each optionally with a time),
    ISO yyyy-mm-dd (with a time), and Excel serial day numbers. Two-digit years are 20yy.
    An impossible day such as 31/02/2024 gives null (and the row is quarantined).
    """
    text = raw.str.strip_chars()
    day_first = text.str.extract_groups(_DAY_FIRST)
    iso = text.str.extract_groups(_ISO)
    year_text = pl.coalesce(iso.struct.field("1"), day_first.struct.field("3"))
    year = year_text.cast(pl.Int32, strict=False)
    # Only a two-digit year is 20yy: '01/01/0000' is year 0 (refused), never 2000.
    year = pl.when(year_text.str.len_chars() == 2).then(year + 2000).otherwise(year)
    month = pl.coalesce(iso.struct.field("2"), day_first.struct.field("2")).cast(pl.Int32, strict=False)
    day = pl.coalesce(iso.struct.field("3"), day_first.struct.field("1")).cast(pl.Int32, strict=False)
    iso_text = pl.format("{}-{}-{}", year.cast(pl.String).str.zfill(4), month.cast(pl.String).str.zfill(2),
                         day.cast(pl.String).str.zfill(2))
    from_parts = iso_text.str.strptime(pl.Date, "%Y-%m-%d", strict=False)
    serial = text.str.extract(_SERIAL, 1).cast(pl.Int32, strict=False)
    serial = pl.when(serial.is_between(*EXCEL_SERIAL_RANGE)).then(serial)
    from_serial = pl.lit(EXCEL_EPOCH) + pl.duration(days=serial)
    return pl.coalesce(from_parts, from_serial.cast(pl.Date))


def vocabulary_expr(raw: pl.Expr, vocabulary_name: str) -> pl.Expr:
    """Canonical value of a vocabulary for each cell (folded match); null when unknown or empty."""
    vocabulary = VOCABULARIES[vocabulary_name]
    mapping: dict[str, str] = {}
    for phrase, canonical in vocabulary.phrases():
        mapping.setdefault(_fold_py(phrase), canonical)
    folded = fold_expr(raw)
    # "5.0" from a numeric Excel cell means 5.
    folded = folded.str.replace(r"^(\d+) 0+$", "$1")
    return folded.replace_strict(mapping, default=None, return_dtype=pl.String)


def _fold_py(text: str) -> str:
    from pipelines.text import fold

    return fold(text)


def int_expr(raw: pl.Expr) -> pl.Expr:
    """Whole numbers; null when not one.

    '1.000' and '1,200' are thousands written the Vietnamese (or English) way: 1000 and 1200.
    '2.0' or '2,00' (a numeric Excel cell) is 2. Any other decimal is no count.
    """
    text = raw.str.strip_chars().str.replace_all(" ", "")
    grouped = text.str.contains(r"^[+-]?\d{1,3}([.,]\d{3})+$")
    whole = (pl.when(grouped).then(text.str.replace_all(r"[.,]", ""))
             .otherwise(text.str.replace(r"^([+-]?\d+)[.,]0{1,2}$", "$1")))
    number = whole.cast(pl.Int64, strict=False)
    # The warehouse stores counts as INTEGER: a larger number is no count (quarantined), not NULL on load.
    return pl.when(number.abs() <= INT32_MAX).then(number)


def with_problems(*found: pl.Expr) -> pl.Expr:
    """``_problems`` with the found problems (each a "code<TAB>message" or null) appended."""
    joined = pl.concat_str([pl.col(PROBLEMS), *found], separator="\n", ignore_nulls=True)
    return pl.when(joined == "").then(None).otherwise(joined).alias(PROBLEMS)


def first_reason(problems: pl.Expr) -> pl.Expr:
    return problems.str.extract(r"^([^\t\n]*)\t", 1)


def problem_messages(problems: pl.Expr) -> pl.Expr:
    """All messages of a row, '; '-separated, without their codes."""
    return problems.str.replace_all(r"(?m)^[^\t\n]*\t", "").str.replace_all("\n", "; ")


def _problem(condition: pl.Expr, code: str, message: pl.Expr | str) -> pl.Expr:
    message_expr = pl.lit(message) if isinstance(message, str) else message
    return pl.when(condition).then(pl.concat_str([pl.lit(code + "\t"), message_expr]))


WORDLESS_TYPES = ("date", "int")
WORDS_HIDDEN = "(chữ, đã ẩn)"


def words_hidden(value: pl.Expr) -> pl.Expr:
    """A date or count cell holding words is no date or count, and the words may be a citizen's name
    typed in the wrong cell: they are not repeated in messages or kept in quarantine."""
    return pl.when(value.str.contains(r"\p{L}{2,}")).then(pl.lit(WORDS_HIDDEN)).otherwise(value)


UNRECOGNISED_HIDDEN = "(không thuộc danh mục, đã ẩn)"


def unrecognised_hidden(value: pl.Expr, vocabulary_name: str) -> pl.Expr:
    """A cell of a list column (status, kind, yes/no, rating) that is no value of its list is not kept in
    quarantine: it may be a citizen's name typed in the wrong cell."""
    cleaned = clean_text_expr(value)
    unknown = cleaned.is_not_null() & vocabulary_expr(cleaned, vocabulary_name).is_null()
    return pl.when(unknown).then(pl.lit(UNRECOGNISED_HIDDEN)).otherwise(value)


def _parse_column(column: Column, cleaned: pl.Expr) -> tuple[pl.Expr, list[pl.Expr]]:
    """Typed value of one cleaned column and the problems its parsing finds."""
    shown = pl.format("{}: '{}'", pl.lit(column.label_vi),
                      words_hidden(cleaned) if column.type in WORDLESS_TYPES else cleaned)
    problems = [_problem(cleaned.is_null(), "missing_value", f"thiếu {column.label_vi}")] if column.required else []
    if column.personal or column.type == "text":
        return cleaned, problems
    if column.type == "date":
        value = parse_date_expr(cleaned)
        problems.append(_problem(cleaned.is_not_null() & value.is_null(), "bad_date",
                                 pl.format("{} không phải ngày hợp lệ (ngày/tháng/năm)", shown)))
        return value, problems
    if column.type == "int":
        value = int_expr(cleaned)
        problems.append(_problem(cleaned.is_not_null() & value.is_null(), "bad_number",
                                 pl.format("{} không phải số nguyên", shown)))
        problems.append(_problem(value < 0, "negative_count", pl.format("{} là số âm", shown)))
        return value.cast(pl.Int32, strict=False), problems
    mapped = vocabulary_expr(cleaned, column.vocabulary or "")
    if column.type == "bool":
        value = mapped == "true"
    elif column.type == "rating":
        value = mapped.cast(pl.Int8)
    else:
        value = mapped
    # The cell is not quoted: a word that is no value of the list may be a citizen's name typed there.
    allowed = ", ".join(VOCABULARIES[column.vocabulary or ""].labels_vi.values())
    problems.append(_problem(cleaned.is_not_null() & mapped.is_null(), "unknown_value",
                             f"{column.label_vi}: giá trị không thuộc danh mục ({allowed})"))
    return value, problems


def _parse_distinct(raw: pl.DataFrame, column: Column) -> pl.DataFrame:
    """Parse each distinct raw value once (exports repeat dates and words thousands of times).

    Returns one row per distinct raw value with the typed value and its problems, to be
    mapped back; this keeps the regex work proportional to distinct values, not rows.
    """
    source = raw.select(pl.col(column.name).unique())
    value, problems = _parse_column(column, clean_text_expr(pl.col(column.name)))
    # A column has at most one problem (missing, unparseable and out-of-range exclude each other).
    found = pl.coalesce(problems) if problems else pl.lit(None, dtype=pl.String)
    return source.select(pl.col(column.name).alias("_raw"), value.alias(column.name), found.alias(f"_p_{column.name}"))


def mapped_back(name: str, lookup: pl.DataFrame, result: str) -> pl.Expr:
    """The lookup's ``result`` for each row's raw value of ``name`` (every raw value is in the lookup):
    a hash map over the distinct values, cheaper than a join that must keep the frame's row order."""
    dtype = lookup.schema[result]
    if lookup[result].null_count() == lookup.height:  # e.g. no value of the column has a problem
        return pl.lit(None, dtype=dtype).alias(result)
    known = lookup.filter(pl.col("_raw").is_not_null())
    mapped = pl.col(name).replace_strict(known["_raw"], known[result], default=None, return_dtype=dtype)
    blank = lookup.filter(pl.col("_raw").is_null())[result]
    if blank.len() and blank[0] is not None:
        mapped = pl.when(pl.col(name).is_null()).then(pl.lit(blank[0], dtype=dtype)).otherwise(mapped)
    return mapped.alias(result)


def per_distinct(frame: pl.DataFrame, name: str, rule: Callable[[pl.Expr], pl.Expr]) -> pl.Expr:
    """``rule`` applied to column ``name``, once per distinct value when values repeat (sectors,
    procedures), else in place; the result is the same."""
    if frame.height < 2 * frame[name].n_unique():
        return rule(pl.col(name)).alias(name)
    lookup = frame.select(pl.col(name).unique()).select(pl.col(name).alias("_raw"), rule(pl.col(name)).alias(name))
    return mapped_back(name, lookup, name)


_NOT_PRINTABLE_ASCII_OR_SPACE = r"[^!-~]"  # a space, a control or a non-ASCII character


def clean_text_column(frame: pl.DataFrame, name: str) -> pl.Expr:
    """``clean_text_expr`` of a column, with a shortcut when every value is printable ASCII without
    spaces (record ids, codes): such text is already NFC and has no space to trim or collapse, so
    only empty strings change (to null). The result is the same either way."""
    if frame[name].str.contains(_NOT_PRINTABLE_ASCII_OR_SPACE).any():
        return clean_text_expr(pl.col(name))
    return pl.when(pl.col(name) != "").then(pl.col(name))


def parse_columns(raw: pl.DataFrame, schema: RecordSchema) -> pl.DataFrame:
    """Typed canonical columns (absent ones null) plus ``_problems`` from parsing."""
    keep = [c for c in raw.columns if c.startswith("_") or c in ("commune", "district")]
    columns: list[pl.Expr] = []
    problem_columns = []
    for column in schema.columns:
        name, problem = column.name, f"_p_{column.name}"
        if name not in raw.columns:
            absent = f"missing_value\tthiếu {column.label_vi}" if column.required else None
            columns += [pl.lit(None, dtype=_POLARS_TYPES[column.type]).alias(name),
                        pl.lit(absent, dtype=pl.String).alias(problem)]
        elif column.personal:  # kept as read: hashed in the staging statement or before quarantine
            columns += [pl.col(name), pl.lit(None, dtype=pl.String).alias(problem)]
        elif name == schema.id_column:  # nearly every value distinct: clean in place, no lookup
            ids = clean_text_column(raw, name)
            masked = masked_record_ids(raw[name], ids)
            columns += [masked.alias(name), _problem(masked != ids, "personal_data_in_id", pl.format(
                "{} '{}' chứa số CCCD, số điện thoại hoặc họ tên người dân nên không nạp: hãy ghi mã do phần mềm cấp",
                pl.lit(column.label_vi), masked)).alias(problem)]
        else:
            lookup = _parse_distinct(raw, column)
            columns += [mapped_back(name, lookup, name), mapped_back(name, lookup, problem)]
        problem_columns.append(problem)
    names = [c.name for c in schema.columns]
    parsed = raw.select(*keep, *columns)
    joined = pl.concat_str(problem_columns, separator="\n", ignore_nulls=True)
    problems = pl.when(joined == "").then(None).otherwise(joined).alias(PROBLEMS)
    return parsed.lazy().select(*keep, *names, problems).collect()


_POLARS_TYPES = {"text": pl.String, "date": pl.Date, "int": pl.Int32, "bool": pl.Boolean,
                 "category": pl.String, "rating": pl.Int8}


def _date_label(schema: RecordSchema, name: str) -> str:
    return schema.column(name).label_vi


def _fmt(name: str) -> pl.Expr:
    return pl.col(name).dt.strftime("%d/%m/%Y")


def _order_rule(schema: RecordSchema, earlier: str, later: str, code: str) -> pl.Expr:
    message = pl.format("{} ({}) trước {} ({})", pl.lit(_date_label(schema, later)), _fmt(later),
                        pl.lit(_date_label(schema, earlier)), _fmt(earlier))
    return _problem(pl.col(later) < pl.col(earlier), code, message)


def derive_and_check(frame: pl.DataFrame, schema: RecordSchema, today: dt.date, earliest: dt.date,
                     future_tolerance_days: int) -> pl.DataFrame:
    """Kind-specific derived columns and cross-column rules; appends to ``_problems``."""
    checks: list[pl.Expr] = []
    for column in schema.columns:
        if column.type != "date":
            continue
        # What happened cannot lie ahead; a promise (a due date, a new appointment) may, within a year.
        ahead = future_tolerance_days if column.name in schema.event_columns else PROMISE_DAYS_AHEAD
        latest = today + dt.timedelta(days=ahead)
        shown = pl.format("{}: {}", pl.lit(column.label_vi), _fmt(column.name))
        checks.append(_problem(pl.col(column.name) > latest, "future_date",
                               pl.format("{} ở tương lai (sau {})", shown, pl.lit(latest.strftime("%d/%m/%Y")))))
        checks.append(_problem(pl.col(column.name) < earliest, "date_too_early",
                               pl.format("{} trước {}", shown, pl.lit(earliest.strftime("%d/%m/%Y")))))
    derived = frame
    if schema.kind == "dossier":
        derived, extra = _dossier_rules(frame, schema)
        checks += extra
    elif schema.kind == "petition":
        derived = frame.with_columns(
            pl.when(pl.col("outcome").is_null())
            .then(pl.when(pl.col("resolved_date").is_not_null()).then(pl.lit("resolved")).otherwise(pl.lit("pending")))
            .otherwise(pl.col("outcome")).alias("outcome"))
        checks += [_order_rule(schema, "received_date", "due_date", "due_before_received"),
                   _order_rule(schema, "received_date", "resolved_date", "resolved_before_received"),
                   _problem((pl.col("outcome") == "pending") & pl.col("resolved_date").is_not_null(), "status_conflict",
                            pl.format("Kết quả 'đang giải quyết' nhưng có ngày giải quyết {}", _fmt("resolved_date")))]
    elif schema.kind == "dialogue":
        checks.append(_problem(pl.col("opinions_answered") > pl.col("opinions_raised"), "answered_above_raised",
                               pl.format("Số ý kiến được giải đáp ({}) lớn hơn số ý kiến ({})",
                                         pl.col("opinions_answered"), pl.col("opinions_raised"))))
    elif schema.kind == "letter":
        checks.append(_order_rule(schema, "sent_date", "new_appointment_date", "appointment_before_sent"))
    if not checks:
        return derived
    return derived.with_columns(with_problems(*checks))


def _dossier_rules(frame: pl.DataFrame, schema: RecordSchema) -> tuple[pl.DataFrame, list[pl.Expr]]:
    """Status when absent (completed if a completed date is given). Timeliness is derived at publish
    (``dossier_facts``), from the dates this checks."""
    status = (pl.when(pl.col("status").is_null())
              .then(pl.when(pl.col("completed_date").is_not_null()).then(pl.lit("completed")).otherwise(pl.lit("pending")))
              .otherwise(pl.col("status")))
    derived = frame.with_columns(status.alias("status"))
    checks = [
        _order_rule(schema, "received_date", "due_date", "due_before_received"),
        _order_rule(schema, "received_date", "completed_date", "completed_before_received"),
        _problem((pl.col("status") == "pending") & pl.col("completed_date").is_not_null(), "status_conflict",
                 pl.format("Trạng thái 'đang giải quyết' nhưng có ngày trả kết quả {}", _fmt("completed_date"))),
    ]
    return derived, checks
