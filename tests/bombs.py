"""Workbooks that lie about their size, small on disk: the tests build them at a scale their limits are
scaled down to, ``bench/bench_bombs.py`` at the scale a red team used (a 3 MB file holding 950 MB of
sheet XML; a 6.7 MB file whose zip index declares 5 KB for 2.1 GB)."""

from __future__ import annotations

import re
import struct
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path

import xlsxwriter

SHEET = "xl/worksheets/sheet1.xml"
CELL = b"<c><v>1</v></c>"


def cell_rows(rows: int, cells_per_row: int) -> Iterator[bytes]:
    """``rows`` rows of ``cells_per_row`` cells that state no position (the reader places them in order)."""
    row = b"<row>" + CELL * cells_per_row + b"</row>"
    batch = max(1, (1 << 20) // len(row))
    for start in range(0, rows, batch):
        yield row * min(batch, rows - start)


def comment(size: int) -> Iterator[bytes]:
    """An XML comment of ``size`` zeros: compresses to almost nothing."""
    yield b"<!--"
    for start in range(0, size, 1 << 20):
        yield b"0" * min(1 << 20, size - start)
    yield b"-->"


def far_cell(row: int, column: str) -> Iterator[bytes]:
    """One cell far from A1: the reader builds the whole block up to it."""
    yield f'<row r="{row}"><c r="{column}{row}" t="inlineStr"><is><t>x</t></is></c></row>'.encode()


def workbook(path: Path, body: Iterable[bytes], dimension: str | None = None, declared_size: int | None = None) -> Path:
    """A real export (header Mã hồ sơ / Ngày tiếp nhận and one dossier) whose sheet gets ``body`` after its
    rows; ``dimension`` replaces the sheet's declared size (None: no <dimension> at all); ``declared_size``
    is the sheet's uncompressed size written in both zip headers instead of the real one."""
    plain = path.with_suffix(".plain.xlsx")
    book = xlsxwriter.Workbook(str(plain))
    sheet = book.add_worksheet("Hồ sơ")
    for column, value in enumerate(["Mã hồ sơ", "Ngày tiếp nhận"]):
        sheet.write(0, column, value)
    sheet.write(1, 0, "A1")
    sheet.write(1, 1, "03/03/2024")
    book.close()
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as out:
        for info in src.infolist():
            data = src.read(info)
            if info.filename != SHEET:
                out.writestr(info.filename, data)
                continue
            text = re.sub(rb"<dimension [^>]*/>", b"" if dimension is None else f'<dimension ref="{dimension}"/>'.encode(),
                          data)
            head, tail = text.split(b"</sheetData>")
            with out.open(SHEET, "w") as member:
                member.write(head)
                for piece in body:
                    member.write(piece)
                member.write(b"</sheetData>" + tail)
    plain.unlink()
    if declared_size is not None:
        _declare(path, SHEET, declared_size)
    return path


def _declare(path: Path, name: str, size: int) -> None:
    """Write ``size`` as the member's uncompressed size in its local header and in the central directory."""
    with zipfile.ZipFile(path) as book:
        offset, directory = book.getinfo(name).header_offset, book.start_dir
    data = bytearray(path.read_bytes())
    struct.pack_into("<I", data, offset + 22, size)
    entry = data.find(b"PK\x01\x02", directory)
    while data[entry + 46:entry + 46 + len(name)] != name.encode():
        entry = data.find(b"PK\x01\x02", entry + 4)
    struct.pack_into("<I", data, entry + 24, size)
    path.write_bytes(bytes(data))
