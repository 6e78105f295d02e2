"""Read-only SQL explorer over the warehouse, in DuckDB's sandbox.

Two layers: (1) only one statement, and it must be a SELECT (or WITH ... SELECT, a read-only
query); ATTACH, COPY, SET, INSTALL, LOAD, PRAGMA, writes and several statements are refused
before running; (2) the connection itself is an in-memory database with the warehouse attached
READ_ONLY, then external access disabled (no file, no network), extension autoload/-install off
and the configuration locked, so even a query that slipped through cannot read files, attach,
copy out or change settings. A row limit wraps the query; a timer interrupts it after a time limit.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import duckdb
import polars as pl

MAX_ROWS = 10_000
TIMEOUT_S = 10.0


class SandboxError(ValueError):
    """The query was refused or failed; the message is in Vietnamese."""


@dataclass
class SandboxResult:
    frame: pl.DataFrame
    truncated: bool
    seconds: float


def open_sandbox(path: str) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(":memory:", config={"autoinstall_known_extensions": False,
                                             "autoload_known_extensions": False})
    escaped = str(path).replace("'", "''")
    con.execute(f"ATTACH '{escaped}' AS warehouse (READ_ONLY)")
    con.execute("USE warehouse")
    con.execute("SET enable_external_access = false")
    con.execute("SET allow_community_extensions = false")
    con.execute("SET max_memory = '1GB'")
    con.execute("SET lock_configuration = true")
    return con


def check(sql: str) -> str:
    """The single read-only statement in ``sql``, or SandboxError saying why it is refused."""
    text = sql.strip().rstrip(";").strip()
    if not text:
        raise SandboxError("Chưa có câu lệnh SQL.")
    try:
        statements = duckdb.extract_statements(text)
    except duckdb.Error as exc:
        raise SandboxError(f"Câu lệnh SQL sai cú pháp: {exc}") from exc
    if len(statements) != 1:
        raise SandboxError("Chỉ được chạy một câu lệnh SELECT mỗi lần.")
    kind = statements[0].type
    if kind != duckdb.StatementType.SELECT:
        name = str(kind).split(".")[-1]
        raise SandboxError(f"Chỉ cho phép truy vấn đọc (SELECT); câu lệnh loại {name} bị từ chối "
                           "(không được ghi, ATTACH, COPY, SET, INSTALL, LOAD, PRAGMA).")
    return text


def run(con: duckdb.DuckDBPyConnection, sql: str, max_rows: int = MAX_ROWS,
        timeout_s: float = TIMEOUT_S) -> SandboxResult:
    text = check(sql)
    cur = con.cursor()
    cur.execute("USE warehouse")
    timer = threading.Timer(timeout_s, cur.interrupt)
    started = time.perf_counter()
    timer.start()
    try:
        frame = cur.sql(f"SELECT * FROM ({text}) AS q LIMIT {int(max_rows) + 1}").pl()
    except duckdb.InterruptException as exc:
        raise SandboxError(f"Truy vấn chạy quá {timeout_s:g} giây và đã bị dừng.") from exc
    except duckdb.PermissionException as exc:
        raise SandboxError(f"Không được truy cập tệp, mạng hay cơ sở dữ liệu khác: {exc}") from exc
    except duckdb.Error as exc:
        raise SandboxError(f"Lỗi khi chạy truy vấn: {exc}") from exc
    finally:
        timer.cancel()
        cur.close()
    truncated = len(frame) > max_rows
    return SandboxResult(frame.head(max_rows), truncated, time.perf_counter() - started)


# --------------------------------------------------------------- no-code builder
AGGREGATES = {"count": "Đếm số bản ghi", "sum": "Tổng", "avg": "Trung bình", "min": "Nhỏ nhất", "max": "Lớn nhất"}
OPERATORS = {"=": "bằng", "<>": "khác", ">": "lớn hơn", ">=": "từ", "<": "nhỏ hơn", "<=": "đến", "contains": "chứa"}


def _ident(name: str, allowed: set[str]) -> str:
    if name not in allowed:
        raise SandboxError(f"Cột không có: {name}")
    return '"' + name.replace('"', '""') + '"'


def _literal(value: str) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def build_query(table: str, columns: set[str], group_by: list[str], aggregate: str, measure: str | None,
                filters: list[tuple[str, str, str]], structure: str | None = None) -> str:
    """SQL for a group-by/filter built from widgets; every identifier is checked against ``columns``.

    ``structure`` (a record table's era schema, e.g. ``era_2025``) reads the table there, with every
    record on its commune in that structure and the commune and district names joined."""
    if aggregate not in AGGREGATES:
        raise SandboxError(f"Phép tính không hợp lệ: {aggregate}")
    tbl = '"' + table.replace('"', '""') + '"'
    join = structure is not None and "commune_code" in columns
    if join:
        tbl = f"{structure}.{tbl}"
    allowed = columns | ({"commune_name", "district_name"} if join else set())
    keys = [_ident(c, allowed) for c in group_by]
    agg = "count(*)" if aggregate == "count" else f"{aggregate}({_ident(measure or '', columns)})"
    where = []
    for col, op, value in filters:
        c = _ident(col, allowed)
        if op == "contains":
            where.append(f"CAST({c} AS VARCHAR) ILIKE {_literal('%' + value + '%')}")
        elif op in OPERATORS:
            where.append(f"CAST({c} AS VARCHAR) {op} {_literal(value)}" if not value.replace('.', '', 1).isdigit()
                         else f"{c} {op} {value}")
        else:
            raise SandboxError(f"Phép so sánh không hợp lệ: {op}")
    src = f"{tbl} t LEFT JOIN {structure}.admin_units USING (commune_code)" if join else f"{tbl} t"
    sql = f"SELECT {', '.join(keys + [agg + ' AS ket_qua'])} FROM {src}"
    if where:
        sql += " WHERE " + " AND ".join(where)
    if keys:
        sql += f" GROUP BY {', '.join(keys)} ORDER BY ket_qua DESC"
    return sql
