"""Ingest: files and folders of commune exports into the warehouse, every row accounted for.

read raw (pipelines.ingest.read) -> find header and kind (pipelines.ingest.headers) -> parse and validate
(pipelines.ingest.normalize) -> resolve communes (pipelines.ingest.communes) -> load or quarantine
(pipelines.ingest.load), personal data hashed in the statement that stages the rows or before quarantine
(pipelines.ingest.privacy), all inside one atomic publish (pipelines.ingest.warehouse.publishing). For each file and sheet:
read = inserted + updated + unchanged + older + quarantined, printed and stored in ``ingest_log``, with the
pending records of its communes that it no longer lists (closed when the configuration says so).
"""

from __future__ import annotations

import collections
import contextlib
import datetime as dt
import hashlib
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import polars as pl

from pipelines.ingest.admin_units import NATIONAL, own_province_codes
from pipelines.ingest.communes import (Resolution, commune_from_file_name, commune_from_title, foreign_province,
                                       names_a_unit, province_value, resolve_codes, resolve_commune)
from pipelines.ingest.facts import log_closed
from pipelines.ingest.headers import HeaderError, HeaderMatch, detect_header
from pipelines.ingest.load import stage_records, upsert_records, write_quarantine
from pipelines.ingest.normalize import (PROBLEMS, ROW, WORDLESS_TYPES, WORDS_HIDDEN, derive_and_check, first_reason,
                                        parse_columns, per_distinct, problem_messages, unrecognised_hidden, with_problems,
                                        words_hidden)
from pipelines.ingest.privacy import mask_identifiers, mask_identifiers_text, pseudonymise, scope_key
from pipelines.ingest.read import SUPPORTED_SUFFIXES, RawTable, UnreadableFile, WorkbookLimits, csv_cells, read_tables
from pipelines.ingest.upload_scope import other_units, refusal
from pipelines.ingest.warehouse import (PUBLISH_MEMORY_LIMIT, connect_read_only, derive_structures, publishing,
                                       resolve_db_path, warehouse_key)
from pipelines.sql import execute, load_sql, run
from pipelines.text import vn_number
from schemas.admin_unit import ERA_SHORT_VI, Era, era_of
from schemas.config import DvcqConfig, load_config
from schemas.records import RECORD_SCHEMAS, RecordSchema
from schemas.vocabularies import VOCABULARIES


@dataclass
class FileReport:
    """What happened to one table (file or sheet); ``error`` set when it could not be read."""

    file_name: str
    sheet: str = ""
    kind: str = ""
    communes: list[str] = field(default_factory=list)
    unit_era: str = ""
    rows_read: int = 0
    rows_inserted: int = 0
    rows_updated: int = 0
    rows_unchanged: int = 0
    rows_older: int = 0
    rows_quarantined: int = 0
    rows_missing: int = 0  # pending records of its communes and dates the file no longer lists (not rows read)
    rows_closed: int = 0  # of them, closed as withdrawn (ingest.missing_from_newer_export = "close")
    unknown_columns: list[str] = field(default_factory=list)
    message: str = ""
    error: str | None = None
    refused: bool = False  # read, but refused whole: its rows name units the upload may not load (``error`` says)

    @property
    def where(self) -> str:
        """'file.xlsx[Sheet]', or the file name of a CSV."""
        return f"{self.file_name}[{self.sheet}]" if self.sheet else self.file_name

    def summary_line(self) -> str:
        where = self.where
        if self.error:
            return f"{where}: LỖI — {self.error}"
        communes = ",".join(self.communes[:5]) + (f",…(+{len(self.communes) - 5})" if len(self.communes) > 5 else "")
        era = f" ({ERA_SHORT_VI[self.unit_era]})" if self.unit_era else ""
        line = f"{where}: {self.kind} | xã{era} {communes or '-'} | {count_sum(self)}"
        if self.unknown_columns:
            line += f" | cột không nhận ra: {', '.join(self.unknown_columns)}"
        if self.message:
            line += f" | {self.message}"
        return line


# The parts of a file's rows, in the order every count line states them: read = the sum of the others.
COUNT_PARTS = (("rows_inserted", "thêm"), ("rows_updated", "cập nhật"), ("rows_unchanged", "không đổi"),
               ("rows_older", "cũ hơn bản đã có"), ("rows_quarantined", "cách ly"))


def count_sum(counts, number: Callable[[int], str] = vn_number) -> str:
    """'đọc 150 = thêm 0 + cập nhật 0 + không đổi 149 + cũ hơn bản đã có 0 + cách ly 1' for anything with
    the FileReport's count fields (a report, totals)."""
    parts = " + ".join(f"{word} {number(getattr(counts, field))}" for field, word in COUNT_PARTS)
    return f"đọc {number(counts.rows_read)} = {parts}"


def report_totals(reports: list[FileReport]) -> FileReport:
    """The counts of several tables summed, for the totals line and the upload message."""
    return FileReport("", **{field: sum(getattr(r, field) for r in reports)
                             for field in ("rows_read", "rows_missing", "rows_closed", *(f for f, _ in COUNT_PARTS))})


@dataclass(frozen=True)
class IngestContext:
    """What every file of one run shares."""

    con: duckdb.DuckDBPyConnection
    config: DvcqConfig
    secret: bytes
    kind: str | None
    commune: str | None
    today: dt.date
    units: Era | None = None
    # The 2025 communes the files may hold rows of (an account limited to its commune); None: any.
    allowed_communes: frozenset[str] | None = None
    # Stages the next file's rows (hashes them) in the thread that prepares it: an in-memory connection
    # that holds no table, so it never touches the warehouse the loading thread writes.
    hasher: duckdb.DuckDBPyConnection | None = None


def expand_paths(paths: list[str | Path]) -> tuple[list[Path], list[str]]:
    """Files to read (folders walked, sorted) and notes on files skipped inside folders."""
    files: list[Path] = []
    notes: list[str] = []
    for given in map(Path, paths):
        if not given.exists():
            raise FileNotFoundError(f"không tìm thấy đường dẫn '{given}'")
        if given.is_file():
            files.append(given)
            continue
        for path in sorted(p for p in given.rglob("*") if p.is_file()):
            if path.name.startswith((".", "~$")):
                continue
            if path.suffix.lower() in SUPPORTED_SUFFIXES:
                files.append(path)
            else:
                notes.append(f"bỏ qua {mask_identifiers_text(str(path))}: không phải CSV/XLSX/XLS/Parquet")
    return files, notes


def _table_body(table: RawTable, match: HeaderMatch) -> tuple[pl.DataFrame, int]:
    """Rows under the header (all its rows, and a numbering row under it) with positional columns,
    and the 1-based file row of the first one."""
    cells = table.cells.slice(match.row_index) if table.cells is not None else csv_cells(table, match.row_index)
    skip = match.body_start - match.row_index
    return cells.slice(skip), match.body_start + 1


def _blank_rows(body: pl.DataFrame) -> pl.Series:
    """Rows whose every cell is empty or white space. Checked first on the fullest column alone; only
    the rows blank there are checked across all columns."""
    def filled(column: str) -> pl.Expr:
        return pl.col(column).str.strip_chars().fill_null("") != ""
    fullest = min(body.columns, key=lambda c: body[c].null_count())
    blank = ~body.select(filled(fullest)).to_series()
    maybe = blank.arg_true()
    if maybe.len():
        blank = blank.scatter(maybe, ~body[maybe].select(pl.any_horizontal([filled(c) for c in body.columns]))
                              .to_series())
    return blank


def _raw_frame(body: pl.DataFrame, match: HeaderMatch, first_row: int, header: list[str | None],
               ragged_is_error: bool) -> tuple[pl.DataFrame, int, list[str]]:
    """Mapped columns renamed to canonical names, row numbers attached, blank rows removed (counted).

    Cells under no header are never dropped silently: in a CSV, a row with more cells than the
    header gets a ``_ragged`` mark (its values may have shifted; it is quarantined); in a
    workbook, a column with data but no header is reported among the unknown columns.
    """
    numbered = body.with_row_index(ROW, offset=first_row)
    blank = _blank_rows(body) if body.columns else None
    # (filtering copies every column: an export of half a million rows rarely has a blank one)
    kept = numbered.clear() if blank is None else numbered.filter(~blank) if blank.any() else numbered
    width = max((i + 1 for i, cell in enumerate(header) if cell is not None and str(cell).strip()), default=0)
    unnamed = [c for i, c in enumerate(body.columns) if i not in match.columns
               and (i >= width or header[i] is None or not str(header[i]).strip())]
    filled = [c for c in unnamed if kept[c].drop_nulls().str.strip_chars().ne("").any()]
    outside = [c for c in filled if int(c.removeprefix("column_")) >= width]
    notes = [f"(cột {int(c.removeprefix('column_')) + 1} không có tiêu đề)" for c in filled
             if not (ragged_is_error and c in outside)]
    ragged = pl.any_horizontal([pl.col(c).str.strip_chars().fill_null("") != "" for c in outside]) \
        if ragged_is_error and outside else pl.lit(False)
    renamed = kept.select(pl.col(ROW).cast(pl.Int32), ragged.alias("_ragged"),
                          *[pl.col(f"column_{pos}").alias(name) for pos, name in match.columns.items()
                            if f"column_{pos}" in kept.columns])
    return renamed, len(numbered) - len(kept), notes


def export_era(ctx: IngestContext, typed: pl.DataFrame, schema: RecordSchema) -> tuple[Era | None, str]:
    """The structure a file was made in: the user's choice, else the list in force on its latest event
    date (received, completed, sent, held; never a due date); None when it has no usable date."""
    if ctx.units:
        return ctx.units, f"{ERA_SHORT_VI[ctx.units]} theo lựa chọn của người dùng"
    latest_allowed = ctx.today + dt.timedelta(days=ctx.config.ingest.future_tolerance_days)
    dates = [typed[c] for c in schema.event_columns if c in typed.columns]
    latest = max((d.filter(d <= latest_allowed).max() for d in dates), default=None, key=lambda d: d or dt.date.min)
    if latest is None:
        return None, ""
    era = era_of(latest)
    return era, f"{ERA_SHORT_VI[era]} theo ngày mới nhất {latest:%d/%m/%Y}"


def _file_level_commune(ctx: IngestContext, table: RawTable, header_index: int, path: Path, era: Era | None
                        ) -> tuple[Resolution | None, str]:
    """--commune, else the title rows above the header, else the file name; with a note saying which."""
    province = ctx.config.province_code
    if ctx.commune:
        name, _, district = ctx.commune.partition(",")
        return resolve_commune(name, district or None, province, era), "xã theo --commune"
    from_title = commune_from_title(table.preview[:header_index], province, era)
    if from_title is not None:
        return from_title, "xã theo dòng tiêu đề"
    from_name = commune_from_file_name(path.stem, province, era)
    if from_name is not None:
        return from_name, "xã theo tên tệp"
    return None, ""


UNKNOWN_PROVINCE = ("unknown_province\tô Tỉnh không ghi tên hay mã một tỉnh, thành phố trong danh mục đơn vị hành "
                    "chính nên không biết dòng thuộc tỉnh nào")


def _other_province(province: str, table: RawTable, match: HeaderMatch, path: Path, raw: pl.DataFrame
                    ) -> tuple[str | None, list[str]]:
    """The first province other than the configured one that an issuer line of the title rows ('UBND TỈNH
    NGHỆ AN' at the start of a cell), the file name ('…_tinh_nghe_an_…') or a province column names (the
    file is then refused: none of its rows belongs here), and the province column's values that name no
    province at all."""
    titles = [str(cell) for row in table.preview[:match.row_index] for cell in row if cell is not None]
    named = foreign_province(titles, path.stem, province)
    if named or "province" not in raw.columns:
        return named, []
    values = raw["province"].drop_nulls().unique().sort().to_list()
    found = {value: province_value(value) for value in values if value.strip()}
    own = own_province_codes(province)
    other = next((hit[1] for hit in found.values() if hit and hit[0] not in own and province != NATIONAL), None)
    return other, [value for value, hit in found.items() if hit is None]


def _problem(result: Resolution) -> str | None:
    return None if result.code else f"{result.reason}\t{result.message}"


def _assign_communes(frame: pl.DataFrame, file_level: Resolution | None, province: str, era: Era | None
                     ) -> tuple[pl.DataFrame, list[str]]:
    """Add commune_code and unit_era; rows that cannot be placed get a problem naming why.
    Also returns the notes resolution made (a district no longer in the list, ...)."""
    missing = Resolution(None, None, "missing_commune",
                         "không xác định được xã: tệp không có cột xã, dòng tiêu đề 'ỦY BAN NHÂN DÂN XÃ …' "
                         "hay tên xã trong tên tệp; hãy dùng --commune")
    if "commune" in frame.columns:
        pairs = frame.select("commune", *(["district"] if "district" in frame.columns else [])).unique()
        by_code = resolve_codes(pairs["commune"].unique(), province, era)
        resolved, notes = [], []
        for row in pairs.join(by_code, on="commune", how="anti").iter_rows(named=True):
            value, district = row["commune"], row.get("district")
            result = resolve_commune(value, district, province, era) if value else (
                file_level or Resolution(None, None, "missing_commune", "thiếu tên hoặc mã xã"))
            notes += [result.note] if result.note else []
            problem = _problem(result)
            if problem and value and not names_a_unit(value):  # free words, maybe a name: not repeated
                problem = problem.replace(value, WORDS_HIDDEN)
            resolved.append({**row, "commune_code": result.code, "unit_era": result.era, "_commune_problem": problem})
        schema = {**pairs.schema, "commune_code": pl.String, "unit_era": pl.String, "_commune_problem": pl.String}
        lookup = pl.concat([pairs.join(by_code, on="commune", how="inner").with_columns(
                                pl.lit(None, pl.String).alias("_commune_problem")).select(list(schema)),
                            pl.DataFrame(resolved, schema=schema)])
        frame = frame.join(lookup, on=list(pairs.columns), how="left", nulls_equal=True)
    else:
        result = file_level or missing
        notes = [result.note] if result.note else []
        frame = frame.with_columns(
            pl.lit(result.code, dtype=pl.String).alias("commune_code"),
            pl.lit(result.era, dtype=pl.String).alias("unit_era"),
            pl.lit(_problem(result), dtype=pl.String).alias("_commune_problem"))
    return frame.with_columns(with_problems(pl.col("_commune_problem"))).drop("_commune_problem"), sorted(set(notes))


def _mark_duplicates(frame: pl.DataFrame, schema: RecordSchema) -> pl.DataFrame:
    """The same record id twice in one file: the later row is kept, earlier ones quarantined."""
    key = schema.id_column
    trusted = pl.col(PROBLEMS).is_null()
    is_last = (pl.col(ROW) == pl.col(ROW).filter(trusted).max().over("commune_code", "unit_era", key))
    duplicate = trusted & pl.col(key).is_not_null() & ~is_last
    message = pl.format("duplicate_in_file\t{} '{}' lặp lại ở dòng sau trong cùng tệp; dùng dòng sau",
                        pl.lit(schema.column(key).label_vi), pl.col(key))
    return frame.with_columns(
        with_problems(pl.when(duplicate).then(message)))


RAGGED_PROBLEM = ("ragged_row\tDòng có nhiều ô hơn số cột tiêu đề (thường do dấu ; hoặc , trong một giá trị): "
                  "các giá trị có thể bị lệch cột nên không nạp; mọi giá trị của dòng đã được mã hóa")
def _quarantine_rows(ctx: IngestContext, bad: pl.DataFrame, raw: pl.DataFrame, report: FileReport, checksum: str,
                     schema: RecordSchema) -> pl.DataFrame:
    """Quarantine rows: first reason's code, all messages, raw values as JSON with personal data hashed.

    Ragged rows have every value hashed (any cell may hold a shifted name); ID-like digit runs
    left anywhere are masked.
    """
    raw = raw.join(bad.select(ROW), on=ROW, how="semi")
    raw = raw.with_columns(words_hidden(pl.col(c.name)).alias(c.name) for c in schema.columns
                           if c.type in WORDLESS_TYPES and c.name in raw.columns)
    raw = raw.with_columns(unrecognised_hidden(pl.col(c.name), c.vocabulary).alias(c.name) for c in schema.columns
                           if c.vocabulary and c.name in raw.columns)
    if "commune" in raw.columns:
        raw = raw.with_columns(pl.col("commune").map_elements(
            lambda v: v if names_a_unit(v) else WORDS_HIDDEN, return_dtype=pl.String, skip_nulls=True))
    values = [c for c in raw.columns if c not in (ROW, "_ragged")]
    key = scope_key(ctx.secret, f"{schema.kind}:quarantine")
    hashed = pseudonymise(raw, schema.personal_columns, key, ctx.con)
    fully_hashed = pseudonymise(raw, values, key, ctx.con)
    raw_json = hashed.select(ROW, pl.when(pl.col("_ragged")).then(
        fully_hashed.select(pl.struct(values).struct.json_encode()).to_series() if values else pl.lit("{}"))
        .otherwise(pl.struct(values).struct.json_encode() if values else pl.lit("{}")).alias("raw_values"))
    ids = pseudonymise(bad.select(ROW, pl.col(schema.id_column).cast(pl.String).alias("_hashed_id")), ["_hashed_id"],
                       key, ctx.con)
    bad = bad.with_columns(pl.col("_ragged").fill_null(False)).join(ids, on=ROW, how="left")
    return bad.join(raw_json, on=ROW, how="left").select(
        pl.lit(report.file_name).alias("file_name"), pl.lit(checksum).alias("file_checksum"),
        pl.lit(report.sheet).alias("sheet"), pl.col(ROW).alias("row_number"), pl.lit(schema.kind).alias("kind"),
        pl.col("commune_code"), pl.col("unit_era"),
        pl.when(pl.col("_ragged")).then(pl.col("_hashed_id"))  # a shifted cell may have put a name there
        .otherwise(mask_identifiers(pl.col(schema.id_column).cast(pl.String))).alias("record_id"),
        first_reason(pl.col(PROBLEMS)).alias("reason_code"),
        mask_identifiers(problem_messages(pl.col(PROBLEMS))).alias("message_vi"),
        mask_identifiers(pl.col("raw_values")).alias("raw_values"),
    )


@dataclass
class PreparedTable:
    """One table parsed, validated and placed in its communes: all that loading it still needs."""

    report: FileReport
    schema: RecordSchema
    raw: pl.DataFrame
    good: pl.DataFrame
    bad: pl.DataFrame
    era: Era | None
    staged: pl.DataFrame  # the good rows as they will be stored (load.stage_records)


@dataclass
class PreparedFile:
    """A file read and its tables prepared (a table that could not be read is its error report)."""

    path: Path
    checksum: str = ""
    tables: list[PreparedTable | FileReport] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)


def prepare_table(ctx: IngestContext, path: Path, table: RawTable, match: HeaderMatch) -> PreparedTable:
    """One sheet or CSV: normalise, validate, resolve; no warehouse write."""
    schema = RECORD_SCHEMAS[match.kind]
    report = FileReport(file_name=mask_identifiers_text(path.name), sheet=mask_identifiers_text(table.sheet),
                        kind=schema.kind, unknown_columns=list(match.unknown))
    body, first_row = _table_body(table, match)
    raw, blank_rows, unnamed = _raw_frame(body, match, first_row, match.header, ragged_is_error=table.cells is None)
    report.unknown_columns += unnamed
    report.rows_read = len(raw)
    other, unknown_provinces = _other_province(ctx.config.province_code, table, match, path, raw)
    if other:
        raise UnreadableFile(f"tệp ghi {other}, không phải tỉnh đang cấu hình (mã {ctx.config.province_code}): "
                             "không nạp dòng nào của tỉnh khác; hãy gửi tệp cho đơn vị quản lý tỉnh đó")
    typed = parse_columns(raw, schema)
    typed = typed.with_columns(per_distinct(typed, c, mask_identifiers) for c in schema.free_text_columns
                               if c in typed.columns)
    typed = derive_and_check(typed, schema, ctx.today, dt.date.fromisoformat(ctx.config.ingest.earliest_date),
                             ctx.config.ingest.future_tolerance_days)
    era, era_note = export_era(ctx, typed, schema)
    file_level, how = _file_level_commune(ctx, table, match.row_index, path, era)
    typed, unit_notes = _assign_communes(typed, file_level, ctx.config.province_code, era)
    if unknown_provinces:  # (the province column is read, not kept: its rows are found by number)
        rows = raw.filter(pl.col("province").is_in(unknown_provinces))[ROW].implode()
        typed = typed.with_columns(with_problems(pl.when(pl.col(ROW).is_in(rows)).then(pl.lit(UNKNOWN_PROVINCE))))
    typed = _mark_duplicates(typed, schema)
    typed = typed.with_columns(  # a ragged row's values may sit under the wrong header: only that is said
        pl.when(pl.col("_ragged")).then(pl.lit(RAGGED_PROBLEM)).otherwise(pl.col(PROBLEMS)).alias(PROBLEMS))
    trusted = pl.col(PROBLEMS).is_null()
    notes = ([how] if how and "commune" not in raw.columns else []) + ([era_note] if era_note else []) + unit_notes
    if "commune" not in raw.columns and file_level is not None and file_level.code is None:
        notes.append(f"không xác định được xã ({file_level.reason}): {file_level.message}")  # said where it is seen
    if match.header_rows > 1:
        notes.append(f"tiêu đề cột gồm {match.header_rows} dòng")
    if match.numbering_row:
        notes.append(f"bỏ qua dòng đánh số cột (dòng {match.body_start})")
    if blank_rows:
        notes.append(f"bỏ qua {blank_rows} dòng trống")
    report.message = "; ".join(notes)
    bad = typed.filter(~trusted)
    good = typed.filter(trusted) if len(bad) else typed
    staged = stage_records(ctx.hasher or ctx.con, schema, good, ctx.secret)
    return PreparedTable(report, schema, raw, good, bad, era, staged)


def load_table(ctx: IngestContext, prepared: PreparedTable, checksum: str) -> FileReport:
    """Upsert a prepared table's trusted rows and quarantine the others; returns its counts."""
    report, schema, good, bad = prepared.report, prepared.schema, prepared.good, prepared.bad
    counts = upsert_records(ctx.con, schema, prepared.staged, report.file_name, report.sheet)
    if not counts.conflicts.is_empty():  # ids that match records of several predecessors: never guessed
        conflicted = good.join(counts.conflicts, on=ROW, how="inner").with_columns(
            with_problems(pl.col("_conflict"))).drop("_conflict")
        bad = pl.concat([bad, conflicted], how="diagonal_relaxed")
        good = good.join(counts.conflicts, on=ROW, how="anti")
    write_quarantine(ctx.con, _quarantine_rows(ctx, bad, prepared.raw, report, checksum, schema))
    report.rows_inserted, report.rows_updated, report.rows_unchanged = counts.inserted, counts.updated, counts.unchanged
    report.rows_older = counts.older
    report.rows_quarantined = len(bad)
    if schema.open_state:
        missing = _missing_from_export(ctx.con, schema, prepared.staged, pl.concat(
            [prepared.staged[schema.id_column], bad[schema.id_column].cast(pl.String)]))
        report.rows_missing = len(missing)
        if len(missing) and ctx.config.ingest.missing_from_newer_export == "close":
            _close_missing(ctx.con, schema, missing, report)
            report.rows_closed = len(missing)
        if len(missing):
            note = _missing_note(schema, missing, report.rows_closed)
            report.message = "; ".join(filter(None, [report.message, note]))
    report.communes = sorted(good["commune_code"].unique().to_list())
    eras = good["unit_era"].unique().to_list()
    report.unit_era = eras[0] if len(eras) == 1 else prepared.era or ""
    return report


def _missing_from_export(con: duckdb.DuckDBPyConnection, schema: RecordSchema, staged: pl.DataFrame,
                         ids: pl.Series) -> pl.DataFrame:
    """Pending records of the file's communes, received within the dates the file covers, that it no
    longer lists (``missing_from_export.sql``): the file is a newer export of the same period, so a
    record it omits was closed, cancelled or lost at the commune, and must not silently stay overdue."""
    events = [pl.col(c) for c in schema.event_columns]
    _export_rows = staged.select("commune_code", "unit_era", pl.min_horizontal(events).alias("first_day"),  # noqa: F841
                                 pl.max_horizontal(events).alias("last_day"))
    _export_ids = ids.drop_nulls().unique().to_frame("record_id")  # noqa: F841 - DuckDB reads both
    params = {"kind": schema.kind, "open_value": schema.open_state[1]}
    return con.sql(load_sql("missing_from_export"), params=params).pl()


def _close_missing(con: duckdb.DuckDBPyConnection, schema: RecordSchema, missing: pl.DataFrame,
                   report: FileReport) -> None:
    """The configuration closes what a newer export no longer lists (``close_missing_<table>.sql``): each
    record becomes withdrawn on the file's latest event date for its commune, naming the file."""
    log_closed(con, schema, missing)  # before the write: the incremental facts build what it changes
    _missing = missing.select("record_row", "last_day")  # noqa: F841 - DuckDB reads it
    con.execute(load_sql(f"close_missing_{schema.table}"), {
        "closed_value": schema.missing_closes_as[0], "closed_by": report.where, "loaded_at": dt.datetime.now()})


def _missing_note(schema: RecordSchema, missing: pl.DataFrame, closed: int) -> str:
    """'2 bản ghi đang giải quyết không còn trong tệp này dù nhận trong khoảng ngày tệp bao quát: HS9 (xã 15190,
    nhận 02/03/2026), …'; when they were closed, 'đóng 2 bản ghi đang giải quyết không còn trong bản xuất mới (ghi
    là rút hồ sơ vào ngày mới nhất của xã trong tệp): HS9 (xã 15190, nhận 02/03/2026, đóng 10/04/2026), …'."""
    column, open_value = schema.open_state
    labels = VOCABULARIES[schema.column(column).vocabulary].labels_vi
    rows = missing.select("commune_code", "record_id", "received_date", "last_day").iter_rows()
    if not closed:
        listed = ", ".join(f"{record_id} (xã {code}, nhận {received:%d/%m/%Y})"
                           for code, record_id, received, _ in rows)
        return (f"{vn_number(len(missing))} bản ghi {labels[open_value].lower()} trong kho không còn trong tệp này dù "
                f"nhận trong khoảng ngày tệp bao quát: {listed}")
    listed = ", ".join(f"{record_id} (xã {code}, nhận {received:%d/%m/%Y}, đóng {closed_on:%d/%m/%Y})"
                       for code, record_id, received, closed_on in rows)
    return (f"đóng {vn_number(closed)} bản ghi {labels[open_value].lower()} không còn trong bản xuất mới (ghi là "
            f"{labels[schema.missing_closes_as[0]].lower()} vào ngày mới nhất của xã trong tệp): {listed}")


def prepare_file(ctx: IngestContext, path: Path) -> PreparedFile:
    """Read a file and prepare every table of it that holds records (no warehouse write, so the next
    file is prepared while the previous one loads)."""
    prepared = PreparedFile(path)
    try:
        data = path.read_bytes()
        tables = read_tables(path, WorkbookLimits(ctx.config.ingest.max_uncompressed_mb,
                                                  ctx.config.ingest.max_sheet_cells))
    except (UnreadableFile, OSError) as exc:
        prepared.tables.append(FileReport(file_name=mask_identifiers_text(path.name), error=str(exc)))
        return prepared
    prepared.checksum = hashlib.sha256(data).hexdigest()
    for table in tables:
        if table.hidden:
            prepared.skipped.append((table.sheet, "trang ẩn"))
            continue
        try:
            match = detect_header(table.preview, ctx.kind)
        except HeaderError as exc:
            prepared.skipped.append((table.sheet, str(exc)))
            continue
        try:
            prepared.tables.append(prepare_table(ctx, path, table, match))
        except UnreadableFile as exc:
            prepared.tables.append(FileReport(file_name=mask_identifiers_text(path.name),
                                              sheet=mask_identifiers_text(table.sheet), error=str(exc)))
    return prepared


def load_file(ctx: IngestContext, prepared: PreparedFile) -> list[FileReport]:
    """Load every prepared table of one file; a file with none is an error report, a file naming a unit
    outside ``ctx.allowed_communes`` one refused report (nothing of it written)."""
    path = prepared.path
    if ctx.allowed_communes is not None and (refused := _refused(ctx, prepared)):
        return [refused]
    reports = [t if isinstance(t, FileReport) else load_table(ctx, t, prepared.checksum) for t in prepared.tables]
    if not prepared.checksum:  # the file itself could not be read
        return reports
    if not reports:
        reason = prepared.skipped[0][1] if prepared.skipped else "tệp không có bảng dữ liệu nào"
        return [FileReport(file_name=mask_identifiers_text(path.name), error=reason)]
    if prepared.skipped:
        reports[0].message = "; ".join(filter(None, [reports[0].message] + [
            f"bỏ qua trang ẩn '{mask_identifiers_text(sheet)}'" if why == "trang ẩn"
            else f"trang '{mask_identifiers_text(sheet)}' không có dữ liệu hồ sơ"
            for sheet, why in prepared.skipped]))
    _log(ctx.con, path, prepared.checksum, reports)
    return reports


def _refused(ctx: IngestContext, prepared: PreparedFile) -> FileReport | None:
    """The file's one report when any of its rows belongs to a unit outside ``ctx.allowed_communes``."""
    tables = [t for t in prepared.tables if isinstance(t, PreparedTable)]
    others = other_units(ctx.con, [f for t in tables for f in (t.good, t.bad)], ctx.allowed_communes)
    if not others:
        return None
    first = tables[0].report
    return FileReport(file_name=first.file_name, kind=first.kind, communes=sorted(code for code, _, _ in others),
                      rows_read=sum(t.report.rows_read for t in tables),
                      error=refusal(first.file_name, others), refused=True)


# The columns of ingest_log the loader fills, in the order of a report's values below (their types are the
# table's: the insert casts by name).
_LOGGED = ["file_name", "file_path", "file_checksum", "sheet", "kind", "communes", "unit_era", "rows_read",
           "rows_inserted", "rows_updated", "rows_unchanged", "rows_older", "rows_quarantined", "rows_missing",
           "rows_closed", "unknown_columns", "message", "ingested_at"]


def _log(con: duckdb.DuckDBPyConnection, path: Path, checksum: str, reports: list[FileReport]) -> None:
    now = dt.datetime.now()
    logged = pl.DataFrame([
        (r.file_name, mask_identifiers_text(str(path)), checksum, r.sheet, r.kind, ",".join(r.communes), r.unit_era,
         r.rows_read, r.rows_inserted, r.rows_updated, r.rows_unchanged, r.rows_older, r.rows_quarantined,
         r.rows_missing, r.rows_closed, ",".join(r.unknown_columns), r.message, now)
        for r in reports], schema=_LOGGED, orient="row", infer_schema_length=None)
    execute(con, "ingest_log_insert", frames={"logged": logged})


# Files prepared (read, parsed, validated, staged) at once, ahead of the one loading.
PREPARED_AHEAD = 2


def ingest_files(paths: list[str | Path], db: str | Path | None = None, kind: str | None = None,
                 commune: str | None = None, config: DvcqConfig | None = None, units: Era | None = None,
                 progress: Callable[[int, int, str], None] | None = None,
                 allowed_communes: frozenset[str] | None = None) -> list[FileReport]:
    """Ingest files/folders in one atomic publish; missing paths raise FileNotFoundError first.
    ``allowed_communes`` (2025 codes) refuses whole every file with a row of another unit."""
    config = config or load_config()
    files, notes = expand_paths(paths)
    db_path = resolve_db_path(db)
    reports: list[FileReport] = []
    # incremental: every write below goes through the loader, which logs it for the facts
    with publishing(db_path, config.province_code, config, incremental=True) as con, contextlib.closing(
            duckdb.connect(config={"memory_limit": PUBLISH_MEMORY_LIMIT})) as hasher:
        secret = warehouse_key(con, db_path)
        ctx = IngestContext(con=con, config=config, secret=secret, kind=kind,
                            commune=commune, today=dt.date.today(), units=units, hasher=hasher,
                            allowed_communes=allowed_communes)
        # Parsing is Polars and staging and loading are DuckDB, all outside the GIL: the next files are read
        # and prepared in other threads while this one loads (preparing costs about twice what loading
        # does, so two are prepared at once); they are loaded in order.
        with ThreadPoolExecutor(max_workers=PREPARED_AHEAD) as reader:
            upcoming = collections.deque(reader.submit(prepare_file, ctx, path) for path in files[:PREPARED_AHEAD])
            for number, path in enumerate(files, start=1):
                prepared = upcoming.popleft().result()
                if number - 1 + PREPARED_AHEAD < len(files):
                    upcoming.append(reader.submit(prepare_file, ctx, files[number - 1 + PREPARED_AHEAD]))
                if progress:
                    progress(number, len(files), mask_identifiers_text(path.name))
                # One transaction a file: its statements commit once, not one by one. Not one for the whole
                # run: no faster on large files (5 M rows: 36 s against 39 s) and it holds every row uncommitted.
                # Its records are placed in both structures now: at publish, one UPDATE of every row
                # of a 60 M-row national load ran out of memory; a file's rows are a small one.
                con.begin()
                reports.extend(load_file(ctx, prepared))
                derive_structures(con)
                con.commit()
    for note in notes:
        print(note, file=sys.stderr)
    return reports


def missing_totals_line(reports: list[FileReport], number: Callable[[int], str] = vn_number) -> str:
    """What a run that found pending records newer exports no longer list did with them, for the CLI and the
    upload message: closed them (ingest.missing_from_newer_export = "close") or only reported them."""
    total = report_totals(reports)
    files = number(sum(1 for r in reports if r.rows_missing))
    if total.rows_closed:
        return f"đóng {number(total.rows_closed)} bản ghi không còn trong bản xuất mới của xã ({files} tệp)"
    return (f"{number(total.rows_missing)} bản ghi còn đang giải quyết trong kho không có trong bản xuất mới hơn "
            f"của xã ({files} tệp)")


def _progress_printer(total_threshold: int = 5) -> Callable[[int, int, str], None]:
    """A one-line progress bar on stderr for runs of several files."""
    def show(number: int, total: int, name: str) -> None:
        if total < total_threshold or not sys.stderr.isatty():
            return
        width = 30
        filled = width * number // total
        end = "\n" if number == total else ""
        print(f"\r[{'#' * filled}{'.' * (width - filled)}] {number}/{total} {name[:40]:<40}", end=end,
              file=sys.stderr, flush=True)
    return show


def ingest_command(paths: list[str], db: str | None, kind: str | None, commune: str | None,
                   config: DvcqConfig, units: Era | None = None, quiet: bool = False) -> int:
    """`dvcq ingest`: one summary line per file or sheet (``quiet``: only for a file that could not be
    read, and one line on the quarantine), then the totals; exit 1 when any file could not be read."""
    reports = ingest_files(paths, db=db, kind=kind, commune=commune, config=config, units=units,
                           progress=_progress_printer())
    for report in reports:
        if not quiet or report.error:
            print(report.summary_line())
    ok = [r for r in reports if not r.error]
    total = report_totals(ok)
    print(f"Tổng: {vn_number(len(ok))} bảng, {count_sum(total)}; kho dữ liệu: {resolve_db_path(db)}")
    if quiet and total.rows_quarantined:
        files = sum(1 for r in ok if r.rows_quarantined)
        print(f"{vn_number(total.rows_quarantined)} dòng ở {vn_number(files)} tệp bị cách ly kèm lý do: xem bằng "
              f"dvcq quarantine --db {resolve_db_path(db)} hoặc trang Dữ liệu.")
    if total.rows_missing:
        print(missing_totals_line(ok, vn_number) + ": danh sách ở ghi chú của từng tệp (dvcq ingest không --quiet, "
              "trang Dữ liệu).")
    failed = [r for r in reports if r.error]
    if failed:
        print(f"dvcq: lỗi: {len(failed)} tệp không đọc được (xem các dòng LỖI ở trên)", file=sys.stderr)
        return 1
    return 0


def quarantine_frame(db: str | Path | None = None) -> pl.DataFrame:
    """The quarantined rows with reasons, newest file first."""
    with connect_read_only(db) as con:
        return run(con, "quarantine_rows", {})
