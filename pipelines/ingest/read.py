"""Read raw: every table of a file as text cells, title rows included.

Nothing is interpreted here except the file's encoding and CSV separator: each table comes
back as a frame of strings with positional columns, so header detection can look at the
title rows and the original row numbers stay known.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import fastexcel
import polars as pl

from pipelines.text import vn_number

CSV_SUFFIXES = {".csv", ".txt", ".tsv"}
EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"}
PARQUET_SUFFIXES = {".parquet", ".pq"}
SUPPORTED_SUFFIXES = CSV_SUFFIXES | EXCEL_SUFFIXES | PARQUET_SUFFIXES
PREVIEW_ROWS = 30
# Excel's own width: no export from a spreadsheet is wider, and every further column costs the ingest as
# much as a real one (100,000 of them: 44 s and 400 MB for a one-row CSV).
MAX_COLUMNS = 16_384


class UnreadableFile(Exception):
    """The file cannot be read at all; the message says why, in Vietnamese."""


@dataclass(frozen=True)
class WorkbookLimits:
    """How big a workbook may unpack to (the configuration's ingest limits): a 3 MB .xlsx can hold a
    3 GB sheet (a zip bomb), and the reader would inflate it whole and hold every cell. Checked before
    the reader opens the workbook, on what the zip really holds, not on what its headers say."""

    max_uncompressed_mb: int
    max_sheet_cells: int


_DIMENSION = re.compile(rb'<dimension ref="[A-Z]+(\d+):?([A-Z]*)(\d*)"')
_SHEET_STATE = re.compile(r'<sheet\b[^>]*?name="([^"]*)"[^>]*?state="(hidden|veryHidden)"')
# A cell element, with or without a namespace prefix, and the position it states. Writers put '<c ' and
# r="A1": those are counted with bytes.count and a plain pattern (five times faster than one regular
# expression for every form); the other forms XML allows (a prefix, r = 'A1') take the full patterns.
_CELL_OPENINGS = (b"<c ", b"<c>", b"<c/", b"<c\t", b"<c\n", b"<c\r")
_PREFIXED_CELL = re.compile(rb'<[A-Za-z_][\w.-]{0,31}:c[\s>/]')
_COLUMN = re.compile(rb'\br="([A-Z]{1,3})\d')
_ROW = re.compile(rb'\br="[A-Z]{1,3}(\d{1,7})"')
_ANY_COLUMN = re.compile(rb"""\br\s*=\s*["']([A-Z]{1,3})\d""")
_ANY_ROW = re.compile(rb"""\br\s*=\s*["'][A-Z]{1,3}(\d{1,7})["']""")
_ODD_REFS = (b"r='", b"r =", b"r= ", b"r\t", b"r\n", b"r\r", b"r=\t", b"r=\n", b"r=\r")
# A cell tag cut at the end of one inflated piece is read whole with the next; a '<' further back
# than this opens no cell tag anyone writes.
_TAG_CARRY = 4096
_CHUNK = 1 << 20
_LOCAL_HEADER = struct.Struct("<4sHHHHHIIIHH")


def _column_number(letters: bytes) -> int:
    number = 0
    for ch in letters.decode():
        number = number * 26 + ord(ch) - 64
    return number


class _SheetCount:
    """Cells of one XML member as it is inflated: how many, and the block from A1 to the farthest row
    and column they state (the reader builds that whole block, so two cells A1 and ZZ1000000 cost
    702 million)."""

    def __init__(self) -> None:
        self.cells = self.rows = self.columns = 0
        self._carry = b""

    def feed(self, data: bytes, final: bool = False) -> int:
        """Count ``data``; returns the larger of the cells and the block so far."""
        buffer = self._carry + data
        cut = len(buffer)
        if not final:
            last = buffer.rfind(b"<", max(0, len(buffer) - _TAG_CARRY))
            cut = last if last >= 0 else cut
        piece, self._carry = buffer[:cut], buffer[cut:]
        self.cells += sum(piece.count(opening) for opening in _CELL_OPENINGS)
        if b":c" in piece:
            self.cells += len(_PREFIXED_CELL.findall(piece))
        odd = any(form in piece for form in _ODD_REFS)
        if letters := set((_ANY_COLUMN if odd else _COLUMN).findall(piece)):
            self.columns = max(self.columns, max(map(_column_number, letters)))
        if numbers := (_ANY_ROW if odd else _ROW).findall(piece):
            self.rows = max(self.rows, max(map(int, numbers)))
        return max(self.cells, self.rows * self.columns)


def _inflate(fh, info: zipfile.ZipInfo):
    """The member's bytes as they inflate, pieces of at most _CHUNK, until its deflate stream ends
    whatever sizes the zip's headers state (a central directory may declare 5 KB for 2 GB)."""
    fh.seek(info.header_offset)
    header = fh.read(_LOCAL_HEADER.size)
    if len(header) < _LOCAL_HEADER.size or header[:4] != b"PK\x03\x04":
        raise zipfile.BadZipFile("local header")
    fields = _LOCAL_HEADER.unpack(header)
    fh.seek(info.header_offset + _LOCAL_HEADER.size + fields[-2] + fields[-1])
    if info.flag_bits & 1:
        raise zipfile.BadZipFile("encrypted member")
    if info.compress_type == zipfile.ZIP_STORED:
        left = info.compress_size
        while left > 0 and (data := fh.read(min(left, _CHUNK))):
            left -= len(data)
            yield data
        return
    if info.compress_type != zipfile.ZIP_DEFLATED:
        raise zipfile.BadZipFile("compression method")
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    while not inflater.eof:
        data = inflater.unconsumed_tail or fh.read(_CHUNK)
        out = inflater.decompress(data, _CHUNK)
        if out:
            yield out
        elif not data:  # the file ends inside the stream: the reader says it is damaged
            return


def check_workbook(path: Path, limits: WorkbookLimits) -> set[str]:
    """Refuse a workbook that unpacks beyond the limits; return the names of its hidden sheets.

    Every member is inflated once, in pieces, before the reader opens the file: its real bytes are
    counted against ``max_uncompressed_mb`` and the cells of every XML member against
    ``max_sheet_cells``, stopping as soon as a limit is crossed, so memory stays at a few MB whatever
    the headers or the sheet's declared dimension say. A workbook that is no zip (old .xls) has nothing
    to check here.
    """
    if not zipfile.is_zipfile(path):
        return set()
    byte_limit = limits.max_uncompressed_mb * 1_000_000
    try:
        with zipfile.ZipFile(path) as book, open(path, "rb") as fh:
            infos = book.infolist()
            declared = sum(i.file_size for i in infos)
            if declared > byte_limit:
                raise _too_big(declared, limits)
            total = 0
            for info in infos:
                sheet = _SheetCount() if info.filename.lower().endswith(".xml") else None
                for piece in _inflate(fh, info):
                    total += len(piece)
                    if total > byte_limit:
                        raise _too_big(total, limits, more=True)
                    if sheet and sheet.feed(piece) > limits.max_sheet_cells:
                        raise _too_many_cells(sheet, limits)
                if sheet and sheet.feed(b"", final=True) > limits.max_sheet_cells:
                    raise _too_many_cells(sheet, limits)
                if info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml"):
                    with book.open(info) as member:
                        found = _DIMENSION.search(member.read(4096))
                    if found and found.group(3):
                        rows = int(found.group(3)) - int(found.group(1)) + 1
                        cells = rows * _column_number(found.group(2))
                        if cells > limits.max_sheet_cells:
                            raise UnreadableFile(
                                f"một trang tính khai báo {vn_number(cells)} ô, vượt giới hạn {vn_number(limits.max_sheet_cells)} ô "
                                "(ingest.max_sheet_cells): không đọc")
            names = {i.filename for i in infos}
            workbook = book.read("xl/workbook.xml").decode("utf-8", "replace") if "xl/workbook.xml" in names else ""
    except UnreadableFile:
        raise
    except Exception as exc:  # a damaged zip fails in zipfile, zlib or the XML it holds
        raise UnreadableFile("không mở được tệp Excel: tệp hỏng") from exc
    return {name for name, _ in _SHEET_STATE.findall(workbook)}


def _too_big(size: int, limits: WorkbookLimits, more: bool = False) -> UnreadableFile:
    limit = vn_number(limits.max_uncompressed_mb)
    said = f"hơn {limit} MB (giới hạn " if more else f"{vn_number(size / 1e6)} MB, vượt giới hạn {limit} MB ("
    return UnreadableFile(f"tệp Excel giải nén ra {said}ingest.max_uncompressed_mb): không đọc, hãy tách tệp hoặc "
                          "xuất dạng CSV")


def _too_many_cells(sheet: _SheetCount, limits: WorkbookLimits) -> UnreadableFile:
    limit = vn_number(limits.max_sheet_cells)
    said = f"có hơn {limit} ô (giới hạn " if sheet.cells > limits.max_sheet_cells else (
        f"trải tới dòng {vn_number(sheet.rows)}, cột {vn_number(sheet.columns)}: "
        f"{vn_number(sheet.rows * sheet.columns)} ô, vượt giới hạn {limit} ô (")
    return UnreadableFile(f"một trang tính {said}ingest.max_sheet_cells): không đọc, hãy tách tệp hoặc xuất dạng CSV")


@dataclass(frozen=True)
class RawTable:
    """One sheet (or the one table of a CSV/Parquet file) as text cells.

    ``cells`` holds every row from ``first_row`` on (0-based row index in the file), with
    positional string columns; ``preview`` is the first rows of the file for header and
    title-row detection. For CSV, ``cells`` is read only once the header row is known.
    """

    sheet: str
    preview: list[list[str | None]]
    cells: pl.DataFrame | None
    csv_bytes: bytes | None = None
    csv_separator: str | None = None
    hidden: bool = False


HEAD_BYTES = 1 << 16


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Text of the file's head and the encoding: UTF-8 (with or without BOM), UTF-16, Windows-1258.

    Only the first HEAD_BYTES are decoded to choose; a UTF-8 body is validated by Polars while it
    reads (``csv_cells`` falls back to Windows-1258 if the rest is not UTF-8), so a large export
    is never copied into a Python string.
    """
    if data.startswith(codecs.BOM_UTF8):
        try:
            return _decode_head(data[len(codecs.BOM_UTF8):], "utf-8"), "utf-8-sig"
        except UnicodeDecodeError as exc:
            raise UnreadableFile("tệp có dấu BOM UTF-8 nhưng nội dung không phải UTF-8 hợp lệ (byte hỏng ở vị trí "
                                 f"{exc.start + len(codecs.BOM_UTF8)}): hãy lưu lại dạng 'CSV UTF-8'") from exc
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as exc:
            raise UnreadableFile(f"tệp có dấu BOM UTF-16 nhưng nội dung hỏng ({exc.reason})") from exc
    try:
        return _decode_head(data, "utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    if b"\x00" in data[:4096]:
        raise UnreadableFile("tệp có ký tự NUL: không phải CSV văn bản (UTF-16 không có BOM?) — hãy lưu lại "
                             "dạng 'CSV UTF-8'")
    # Old Vietnamese Windows software writes Windows-1258 (tone marks as combining characters).
    try:
        return data.decode("cp1258"), "cp1258"
    except UnicodeDecodeError as exc:
        raise UnreadableFile("không nhận ra bảng mã của tệp (không phải UTF-8, UTF-16 hay Windows-1258): "
                             "hãy lưu lại dạng 'CSV UTF-8'") from exc


def _decode_head(data: bytes, encoding: str) -> str:
    """The first HEAD_BYTES, cut at a line end so no character is split."""
    if len(data) <= HEAD_BYTES:
        return data.decode(encoding)
    head = data[:HEAD_BYTES]
    cut = head.rfind(b"\n") + 1
    if cut:
        return head[:cut].decode(encoding)
    # No line end in the head (a first line over 64 KB): a character cut at the boundary is not bad text.
    return codecs.getincrementaldecoder(encoding)().decode(head, final=False)


def _head_lines(text: str, count: int = PREVIEW_ROWS) -> list[str]:
    """The first lines without splitting the whole file (exports run to millions of lines)."""
    lines: list[str] = []
    start = 0
    while len(lines) < count and start < len(text):
        end = text.find("\n", start)
        end = len(text) if end < 0 else end
        lines.append(text[start:end].rstrip("\r"))
        start = end + 1
    return lines


def _lf_line_ends(data: bytes) -> bytes:
    return data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")


def sniff_separator(head: list[str]) -> str:
    """The most frequent of ; , tab over the first lines (Excel in a Vietnamese locale writes ;)."""
    sample = "\n".join(head)
    counts = {sep: sample.count(sep) for sep in (";", ",", "\t")}
    return max(counts, key=lambda sep: counts[sep]) if any(counts.values()) else ","


def _read_csv(path: Path) -> list[RawTable]:
    data = path.read_bytes()
    if b"\r" in data[:HEAD_BYTES] and b"\n" not in data[:HEAD_BYTES]:
        data = _lf_line_ends(data)  # old Mac line ends (CR only): the same file with LF
    text, encoding = decode_bytes(data)
    if not text.strip():
        raise UnreadableFile("tệp rỗng")
    head = _head_lines(text)
    separator = sniff_separator(head)
    try:
        rows = list(csv.reader(io.StringIO("\n".join(head)), delimiter=separator))
    except csv.Error:  # a lone CR among LF line ends: read every line end as LF
        data = _lf_line_ends(data)
        text, encoding = decode_bytes(data)
        head = _head_lines(text)
        rows = list(csv.reader(io.StringIO("\n".join(head)), delimiter=separator))
    preview = [[cell if cell != "" else None for cell in row] for row in rows]
    # UTF-8 bytes go to Polars as they are; other encodings are re-encoded once.
    body = data[len(codecs.BOM_UTF8):] if encoding == "utf-8-sig" else data if encoding == "utf-8" else text.encode()
    return [RawTable(sheet="", preview=preview, cells=None, csv_bytes=body, csv_separator=separator)]


# Spare columns read beyond the header's width: a row that fills any of them has more cells than
# the header (an unquoted separator inside a value, say) and is quarantined, never cut short.
SPARE_COLUMNS = 16


def csv_cells(table: RawTable, header_index: int) -> pl.DataFrame:
    """All rows from the header row on, as strings, with SPARE_COLUMNS extra columns for ragged rows."""
    assert table.csv_bytes is not None and table.csv_separator is not None
    width = max([len(row) for row in table.preview[header_index:header_index + 3]] + [_first_line_width(table, header_index)])
    _check_width(width)

    def read(columns: int) -> pl.DataFrame:
        return pl.read_csv(
            io.BytesIO(table.csv_bytes), has_header=False, separator=table.csv_separator,
            skip_rows=header_index, truncate_ragged_lines=True, quote_char='"',
            schema={f"column_{i}": pl.String for i in range(columns)}, missing_columns="insert",
        )
    try:
        # One spare column first: when no row reaches it, the other spare columns would be empty too
        # (a row shorter than the spares leaves them null), and each costs as much to read as a real one.
        frame = read(width + 1)
        if frame[f"column_{width}"].is_not_null().any():
            frame = read(width + SPARE_COLUMNS)
    except pl.exceptions.NoDataError as exc:  # an unclosed quote at the header swallows every row
        raise UnreadableFile("không đọc được dòng nào của tệp CSV từ dòng tiêu đề (thường là dấu ngoặc kép \" không "
                             "đóng); hãy mở bằng Excel và lưu lại dạng CSV") from exc
    except pl.exceptions.ComputeError as exc:
        try:  # a UTF-8 head over a Windows-1258 body: read it again as Windows-1258
            table.csv_bytes.decode("utf-8")
        except UnicodeDecodeError:
            recoded = RawTable(sheet=table.sheet, preview=table.preview, cells=None, csv_separator=table.csv_separator,
                               csv_bytes=table.csv_bytes.decode("cp1258", errors="replace").encode())
            return csv_cells(recoded, header_index)
        # Polars quotes the offending line, which may hold a citizen's data: never echo it.
        raise UnreadableFile("không đọc được nội dung CSV: có dòng hỏng (thường là dấu ngoặc kép \" không đóng); "
                             "hãy mở bằng Excel và lưu lại dạng CSV") from exc
    return frame


def _check_width(width: int) -> None:
    if width > MAX_COLUMNS:
        raise UnreadableFile(f"bảng có {vn_number(width)} cột, vượt {vn_number(MAX_COLUMNS)} cột (giới hạn của Excel): "
                             "không đọc, hãy bỏ các cột thừa")


def _first_line_width(table: RawTable, header_index: int) -> int:
    """How many cells the header row really has. The preview holds only the file's first HEAD_BYTES, so a
    header line longer than that (100,000 columns) is cut there; given fewer columns than its first line
    holds, Polars refuses the whole file (a SchemaError) instead of reading it."""
    try:
        return pl.read_csv(io.BytesIO(table.csv_bytes), has_header=False, separator=table.csv_separator,
                           skip_rows=header_index, n_rows=1, infer_schema=False, quote_char='"',
                           truncate_ragged_lines=True).width
    except pl.exceptions.NoDataError:  # nothing readable from the header on: the full read says so
        return 0


def _read_excel(path: Path, limits: WorkbookLimits) -> list[RawTable]:
    """Every sheet as text cells; hidden sheets (templates, lookup lists) are returned flagged, not read."""
    hidden = check_workbook(path, limits)
    try:
        reader = fastexcel.read_excel(str(path))
        tables = []
        for name in reader.sheet_names:
            if name in hidden:
                tables.append(RawTable(sheet=name, preview=[], cells=None, hidden=True))
                continue
            sheet = reader.load_sheet(name, header_row=None, dtypes="string")
            if sheet.visible != "visible":
                tables.append(RawTable(sheet=name, preview=[], cells=None, hidden=True))
                continue
            frame = sheet.to_polars()
            if frame.width == 0:
                continue
            frame = frame.rename({old: f"column_{i}" for i, old in enumerate(frame.columns)})
            preview = [list(row) for row in frame.head(PREVIEW_ROWS).iter_rows()]
            tables.append(RawTable(sheet=name, preview=preview, cells=frame))
    except Exception as exc:  # calamine raises several types for corrupt or encrypted files
        raise UnreadableFile("không mở được tệp Excel: tệp hỏng, có mật khẩu, hoặc không phải Excel dù có đuôi "
                             f"{path.suffix}") from exc
    return tables


def _read_parquet(path: Path) -> list[RawTable]:
    try:
        frame = pl.read_parquet(path)
    except Exception as exc:
        raise UnreadableFile("không đọc được tệp Parquet: tệp hỏng hoặc không phải Parquet") from exc
    _check_width(frame.width)
    header = pl.DataFrame([pl.Series(f"column_{i}", [name], pl.String) for i, name in enumerate(frame.columns)])
    texts = [_as_text(c, t).alias(f"column_{i}") for i, (c, t) in enumerate(frame.schema.items())]
    try:
        body = frame.select(texts)
    except pl.exceptions.PolarsError as exc:
        position, dtype = next((i, t) for i, (e, t) in enumerate(zip(texts, frame.schema.dtypes())) if _fails(frame, e))
        what = "dữ liệu nhị phân không phải văn bản UTF-8" if dtype == pl.Binary else f"giá trị kiểu {dtype}"
        raise UnreadableFile(f"cột thứ {position + 1} của tệp Parquet chứa {what}, không đọc được thành chữ: hãy xuất "
                             "lại dạng CSV hoặc XLSX") from exc
    cells = pl.concat([header, body])
    return [RawTable(sheet="", preview=[list(r) for r in cells.head(PREVIEW_ROWS).iter_rows()], cells=cells)]


def _fails(frame: pl.DataFrame, text: pl.Expr) -> bool:
    try:
        frame.select(text)
    except pl.exceptions.PolarsError:
        return True
    return False


def _as_text(column: str, dtype: pl.DataType) -> pl.Expr:
    """A Parquet column as text: values as written, a list or struct cell as its JSON, a duration in ISO 8601
    (P3DT5S) — a value that is no single value, date or count is then quarantined by its column's parser,
    never a crash. Bytes are text only when they are UTF-8 (``_read_parquet`` refuses the file otherwise)."""
    if dtype.is_nested():
        return pl.struct(pl.col(column).alias("v")).struct.json_encode()
    if dtype == pl.Duration:
        return pl.col(column).dt.to_string("iso")
    return pl.col(column).cast(pl.String)


def read_tables(path: Path, limits: WorkbookLimits) -> list[RawTable]:
    """Every table in the file; raises UnreadableFile with a reason when there is none to read."""
    suffix = path.suffix.lower()
    if suffix in CSV_SUFFIXES:
        return _read_csv(path)
    if suffix in EXCEL_SUFFIXES:
        return _read_excel(path, limits)
    if suffix in PARQUET_SUFFIXES:
        return _read_parquet(path)
    raise UnreadableFile(f"không hỗ trợ định dạng '{suffix or '(không có đuôi)'}': dùng CSV, XLSX, XLS hoặc Parquet")
