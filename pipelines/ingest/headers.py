"""Find the header row under the title rows, tell the record kind, map headers to columns.

A header cell matches a column when its compact fold (no case, diacritics, spacing or
punctuation) equals the compact fold of one of the column's aliases in schemas/records.py.
The header row is the row among the first ones that matches most columns of one kind.

Real ledgers print their header over two or three rows with merged cells (the one-stop
ledger: ``Ngày, tháng, năm`` merged over ``Nhận hồ sơ | Hẹn trả kết quả | Trả kết quả | …``).
A spreadsheet keeps a merged cell's text in its first cell only, so a column's header is the
lowest non-empty cell of the header rows above it. A multi-row header is chosen only when it
matches more columns than any single row. A row of column numbers right under the header
(``(1) | (2) | …``) is not data: it is skipped and said.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from pipelines.text import fold_compact
from schemas.records import IGNORED_HEADERS, LOCATION_COLUMNS, RECORD_SCHEMAS, Column

MIN_MATCHED_COLUMNS = 2


MAX_HEADER_ROWS = 3
_COLUMN_NUMBER = re.compile(r"^\(?(\d{1,3})\)?$")


@dataclass(frozen=True)
class HeaderMatch:
    kind: str
    row_index: int                   # first header row (0-based)
    columns: dict[int, str]          # position -> canonical column name (record or location column)
    unknown: list[str]               # header texts that match nothing (reported, not loaded)
    header: list[str | None] = field(default_factory=list)  # each column's header text (rows combined)
    header_rows: int = 1             # rows the header spans
    numbering_row: bool = False      # a row of column numbers follows the header

    @property
    def body_start(self) -> int:
        """0-based index of the first row under the header (and its numbering row)."""
        return self.row_index + self.header_rows + int(self.numbering_row)


class HeaderError(Exception):
    """No header row found, or the kind cannot be told apart; message in Vietnamese."""


@functools.cache
def alias_index(kind: str) -> dict[str, str]:
    """Compact-folded alias -> canonical column for one kind (location columns included)."""
    columns: list[Column] = RECORD_SCHEMAS[kind].columns + LOCATION_COLUMNS
    index: dict[str, str] = {}
    for column in columns:
        for alias in [column.name, *column.aliases]:
            index.setdefault(fold_compact(alias), column.name)
    return index


@functools.cache
def _ignored() -> frozenset[str]:
    return frozenset(fold_compact(h) for h in IGNORED_HEADERS)


def map_header_row(kind: str, row: list[str | None]) -> tuple[dict[int, str], list[str]]:
    """Positions mapped to canonical columns (first header wins) and the unknown header texts."""
    index = alias_index(kind)
    mapped: dict[int, str] = {}
    unknown: list[str] = []
    for position, cell in enumerate(row):
        if cell is None or not str(cell).strip():
            continue
        key = fold_compact(str(cell))
        column = index.get(key)
        if column is not None and column not in mapped.values():
            mapped[position] = column
        elif key not in _ignored():
            unknown.append(str(cell).strip())
    return mapped, unknown


def _score(kind: str, mapped: dict[int, str]) -> tuple[int, int]:
    """(record columns matched, required columns matched); location columns do not tell kinds apart."""
    schema = RECORD_SCHEMAS[kind]
    own = {c for c in mapped.values() if c not in {loc.name for loc in LOCATION_COLUMNS}}
    required = {c.name for c in schema.columns if c.required}
    return len(own), len(own & required)


def combined_header(preview: list[list[str | None]], row_index: int, rows: int) -> list[str | None]:
    """Each column's header over ``rows`` rows from ``row_index``: its lowest non-empty cell."""
    block = preview[row_index:row_index + rows]
    width = max((len(r) for r in block), default=0)
    combined: list[str | None] = []
    for position in range(width):
        cells = [r[position] for r in block if position < len(r) and r[position] is not None and str(r[position]).strip()]
        combined.append(cells[-1] if cells else None)
    return combined


def is_numbering_row(row: list[str | None], header: list[str | None]) -> bool:
    """A row like '(1) | (2) | … | (11)' (or '1 | 2 | …') printed under a ledger's header.

    It must number every header column 1, 2, 3… in order: a first record made only of small
    numbers (a survey's id and ratings, a meeting's counts) is data, and is never skipped.
    """
    filled = {i: str(c).strip() for i, c in enumerate(row) if c is not None and str(c).strip()}
    titled = [i for i, c in enumerate(header) if c is not None and str(c).strip()]
    numbers = [_COLUMN_NUMBER.match(c) for c in filled.values()]
    return (len(filled) >= 3 and all(numbers) and set(titled) <= set(filled)
            and [int(m.group(1)) for m in numbers if m] == list(range(1, len(filled) + 1)))


def detect_header(preview: list[list[str | None]], kind: str | None = None) -> HeaderMatch:
    """The best (rows, kind) over the preview rows; ``kind`` restricts the search to one kind.

    Candidates are each row alone and each row combined with the one or two under it; a
    combination wins only with a strictly better score than every single row (ties go to
    fewer rows, so one-row headers read as they always did).
    """
    kinds = [kind] if kind else list(RECORD_SCHEMAS)
    best: list[tuple[tuple[int, int], int, int, str]] = []
    for row_index in range(len(preview)):
        for rows in range(1, MAX_HEADER_ROWS + 1):
            if row_index + rows > len(preview):
                break
            header = combined_header(preview, row_index, rows)
            for candidate in kinds:
                mapped, _ = map_header_row(candidate, header)
                score = _score(candidate, mapped)
                if score[0] >= MIN_MATCHED_COLUMNS:
                    best.append((score, -rows, row_index, candidate))
    if not best:
        wanted = f"loại '{kind}'" if kind else "loại hồ sơ nào"
        raise HeaderError(f"không tìm thấy dòng tiêu đề cột của {wanted} trong {len(preview)} dòng đầu "
                          "(xem danh sách tên cột trong docs/data-model.md)")
    top = max((score, fewer) for score, fewer, _, _ in best)
    winners = sorted({(row_index, -fewer, candidate) for score, fewer, row_index, candidate in best
                      if (score, fewer) == top})
    winning_kinds = sorted({candidate for _, _, candidate in winners})
    if len(winning_kinds) > 1:
        raise HeaderError(f"tiêu đề cột khớp với nhiều loại ({', '.join(winning_kinds)}): hãy chỉ rõ --kind")
    row_index, rows, chosen = winners[0]
    header = combined_header(preview, row_index, rows)
    mapped, unknown = map_header_row(chosen, header)
    after = row_index + rows
    numbering = after < len(preview) and is_numbering_row(preview[after], header)
    return HeaderMatch(kind=chosen, row_index=row_index, columns=mapped, unknown=unknown, header=header,
                       header_rows=rows, numbering_row=numbering)
