"""The warehouse's schema tests, run on the private copy before it replaces the live file (dbt's
``unique``, ``not_null`` and ``accepted_values``).

Why at publish: a loader or a fact rule that writes a record twice, leaves a key empty or stores a word
outside its vocabulary would otherwise change every count the pages show, silently. The tests are
generated from the declarations (``schemas.warehouse.table_tests``: keys in ``schemas/records.py``,
``schemas/admin_unit.py`` and ``schemas/warehouse.py``), so a new table or column is tested as soon as it
is declared. The unique test is ``pipelines/sql/duplicate_keys.sql``; the not-null and accepted-values tests
of a table are one statement generated here, so that one scan counts them all. Identifiers come only from
the declarations and are quoted by ``pipelines.sql.quoted``, which refuses any other; the accepted codes are
bound as parameters. A failure is said as counts of rows, never with a value: a key holds a hashed or a
citizen's record id, and nothing of a record reaches a message.
"""

from __future__ import annotations

import duckdb

from pipelines.sql import execute, quoted
from pipelines.text import vn_number
from schemas.warehouse import TableTests, table_tests


def column_tests_sql(table: str, tests: TableTests) -> tuple[str, dict[str, list[str]]]:
    """One scan of the table counting, per not-null column, its empty rows, then, per accepted column, its
    rows holding another code; and the parameters (each accepted column's codes)."""
    counts = [f"count(*) FILTER ({quoted(c)} IS NULL)" for c in tests.not_null]
    params = {}
    for i, (column, codes) in enumerate(tests.accepted.items()):
        params[f"codes_{i}"] = list(codes)
        counts.append(f"count(*) FILTER (NOT list_contains($codes_{i}::VARCHAR[], {quoted(column)}::VARCHAR))")
    return f"SELECT {', '.join(counts)} FROM main.{quoted(table)}", params


def failed_tests(con: duckdb.DuckDBPyConnection) -> list[str]:
    """What every failed test found, in Vietnamese, one phrase each (table, column, count of rows)."""
    failures = []
    for table, tests in table_tests().items():
        duplicates = execute(con, "duplicate_keys", {}, {"table": table, "key": tests.key})[0][0]
        if duplicates:
            failures.append(f"bảng {table}: {vn_number(duplicates)} dòng trùng khóa ({', '.join(tests.key)})")
        if not tests.not_null and not tests.accepted:
            continue
        sql, params = column_tests_sql(table, tests)
        counts = con.execute(sql, params).fetchone()
        for column, empty in zip(tests.not_null, counts):
            if empty:
                failures.append(f"bảng {table}, cột {column}: {vn_number(empty)} dòng để trống")
        for column, other in zip(tests.accepted, counts[len(tests.not_null):]):
            if other:
                failures.append(f"bảng {table}, cột {column}: {vn_number(other)} dòng có mã ngoài danh mục")
    return failures
