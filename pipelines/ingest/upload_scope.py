"""An upload limited to some communes (a commune clerk's account): a file whose rows name any other unit is
refused whole.

Why in the ingest, not in the page: only the ingest knows each row's commune (from a commune column, the
title rows or the file name, in either administrative list), and it knows it before anything is written, so
the check is exact and a refused file leaves nothing behind (no record, no quarantined row, no log line).
Units are compared in the 2025 structure, the one accounts are given in: a legacy commune's rows are its
default successor's, the rule that places its records (``upload_units.sql``). Rows whose commune could not
be told at all name no unit; they are quarantined as in any upload.
"""

from __future__ import annotations

import duckdb
import polars as pl

from pipelines.sql import execute
from pipelines.text import vn_number

# How many of the other units a refusal names before it says how many more there are.
UNITS_NAMED = 5


def other_units(con: duckdb.DuckDBPyConnection, frames: list[pl.DataFrame], allowed: frozenset[str]
                ) -> list[tuple[str, str, int]]:
    """(unit code, name, rows) of every unit outside ``allowed`` (2025 commune codes) that rows of ``frames``
    (a file's tables, loaded and quarantined rows alike, each with ``commune_code`` and ``unit_era``) belong
    to, the unit with most rows first; empty when every placed row is in ``allowed``."""
    placed = [f.select("commune_code", "unit_era") for f in frames if len(f)]
    if not placed:
        return []
    rows = (pl.concat(placed).drop_nulls("commune_code").group_by("commune_code", "unit_era").len("rows"))
    if rows.is_empty():
        return []
    units = execute(con, "upload_units", {}, frames={"_rows": rows})
    return [(code, name, count) for code_2025, code, name, count in units
            if code_2025 is None or code_2025 not in allowed]


def refusal(file_name: str, others: list[tuple[str, str, int]]) -> str:
    """Why the file is not loaded, in Vietnamese: the units it names that the account does not reach."""
    named = ", ".join(f"{name} (mã {code}): {vn_number(rows)} dòng" for code, name, rows in others[:UNITS_NAMED])
    more = f" và {vn_number(len(others) - UNITS_NAMED)} đơn vị khác" if len(others) > UNITS_NAMED else ""
    return (f"Không nạp tệp {file_name}: tệp có dòng của đơn vị khác, không phải xã của tài khoản — {named}{more}. "
            "Không dòng nào của tệp này được nạp; các tệp khác trong cùng lần nạp được xét riêng. Hãy chỉ nạp tệp "
            "của xã mình; tệp của xã khác do xã đó hoặc người quản trị nạp.")
