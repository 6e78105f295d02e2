"""Find the header row under the title rows, tell the record kind, map headers to columns.

A header cell matches a column when its compact fold (no case, diacritics, spacing or
punctuation) equals the compact fold of one of the column's aliases in schemas/records.py.
The header row is the row among the first ones that matches most columns of one kind.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from pipelines.text import fold_compact
from schemas.records import IGNORED_HEADERS, LOCATION_COLUMNS, RECORD_SCHEMAS, Column

MIN_MATCHED_COLUMNS = 2


@dataclass(frozen=True)
class HeaderMatch:
    kind: str
    row_index: int
    columns: dict[int, str]          # position -> canonical column name (record or location column)
    unknown: list[str]               # header texts that match nothing (reported, not loaded)


class HeaderError(Exception):
    """No header row found, or the kind cannot be told apart; message in Vietnamese."""


@functools.cache
def alias_index(kind: str) -> dict[str, str]:
    """Compact-folded alias -> canonical column for one kind (location columns included)."""
    columns: list[Column] = RECORD_SCHEMAS[kind].input_columns + LOCATION_COLUMNS
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


def detect_header(preview: list[list[str | None]], kind: str | None = None) -> HeaderMatch:
    """The best (row, kind) over the preview rows; ``kind`` restricts the search to one kind."""
    kinds = [kind] if kind else list(RECORD_SCHEMAS)
    best: list[tuple[tuple[int, int], int, str]] = []
    for row_index, row in enumerate(preview):
        for candidate in kinds:
            mapped, _ = map_header_row(candidate, row)
            score = _score(candidate, mapped)
            if score[0] >= MIN_MATCHED_COLUMNS:
                best.append((score, row_index, candidate))
    if not best:
        wanted = f"loại '{kind}'" if kind else "loại hồ sơ nào"
        raise HeaderError(f"không tìm thấy dòng tiêu đề cột của {wanted} trong {len(preview)} dòng đầu "
                          "(xem danh sách tên cột trong docs/data-model.md)")
    top_score = max(score for score, _, _ in best)
    winners = sorted({(row_index, candidate) for score, row_index, candidate in best if score == top_score})
    winning_kinds = sorted({candidate for _, candidate in winners})
    if len(winning_kinds) > 1:
        raise HeaderError(f"tiêu đề cột khớp với nhiều loại ({', '.join(winning_kinds)}): hãy chỉ rõ --kind")
    row_index, chosen = winners[0]
    mapped, unknown = map_header_row(chosen, preview[row_index])
    return HeaderMatch(kind=chosen, row_index=row_index, columns=mapped, unknown=unknown)
