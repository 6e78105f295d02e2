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
from schemas.records import RECORD_SCHEMAS
from schemas.warehouse import TableTests, table_tests


# The tables an incremental publish writes in part, with the key columns that name the rows it wrote
# (fact_checks_scope.sql hashes them): after such a publish only those rows, and the stored rows sharing their
# key, are tested; the rest passed when they were written. Every other table is small and tested whole.
CHANGED_SCOPE: dict[str, tuple[str, ...]] = {
    **{schema.table: (schema.id_column,) for schema in RECORD_SCHEMAS.values()},
    "dossier_facts": ("legacy_code", "code_2025", "dossier_id"),
    "petition_facts": ("legacy_code", "code_2025", "petition_id"),
    "late_dossiers": ("code_2025", "dossier_id"),
    "daily_counts": ("legacy_code", "code_2025", "day"),
    "monthly_counts": ("legacy_code", "code_2025"),
}


def column_tests_sql(table: str, tests: TableTests, scope: tuple[str, ...] = ()) -> tuple[str, dict[str, list[str]]]:
    """One scan of the table (of its rows named by ``scope``'s hash in fact_checks, when given) counting, per
    not-null column, its empty rows, then, per accepted column, its rows holding another code; and the
    parameters (each accepted column's codes)."""
    counts = [f"count(*) FILTER ({quoted(c)} IS NULL)" for c in tests.not_null]
    params = {}
    for i, (column, codes) in enumerate(tests.accepted.items()):
        params[f"codes_{i}"] = list(codes)
        counts.append(f"count(*) FILTER (NOT list_contains($codes_{i}::VARCHAR[], {quoted(column)}::VARCHAR))")
    where = (f" WHERE hash({', '.join(map(quoted, scope))}) IN (SELECT h FROM fact_checks.{quoted(table)})"
             if scope else "")
    return f"SELECT {', '.join(counts)} FROM main.{quoted(table)}{where}", params


def failed_tests(con: duckdb.DuckDBPyConnection, changed_only: bool = False) -> list[str]:
    """What every failed test found, in Vietnamese, one phrase each (table, column, count of rows). After an
    incremental publish (``changed_only``, with fact_checks_scope.sql's scopes made) the tables of
    ``CHANGED_SCOPE`` are tested on the rows it wrote."""
    failures = []
    for table, tests in table_tests().items():
        scope = CHANGED_SCOPE.get(table, ()) if changed_only else ()
        if scope:
            duplicates = execute(con, "duplicate_keys_changed", {}, {"table": table, "key": tests.key,
                                                                     "scope": list(scope)})[0][0]
        else:
            duplicates = execute(con, "duplicate_keys", {}, {"table": table, "key": tests.key})[0][0]
        if duplicates:
            failures.append(f"bảng {table}: {vn_number(duplicates)} dòng trùng khóa ({', '.join(tests.key)})")
        if not tests.not_null and not tests.accepted:
            continue
        sql, params = column_tests_sql(table, tests, scope)
        counts = con.execute(sql, params).fetchone()
        for column, empty in zip(tests.not_null, counts):
            if empty:
                failures.append(f"bảng {table}, cột {column}: {vn_number(empty)} dòng để trống")
        for column, other in zip(tests.accepted, counts[len(tests.not_null):]):
            if other:
                failures.append(f"bảng {table}, cột {column}: {vn_number(other)} dòng có mã ngoài danh mục")
    return failures
