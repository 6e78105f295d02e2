"""Read-only SQL explorer over the warehouse, in DuckDB's sandbox and a child process.

Three layers: (1) only one statement, and it must be a SELECT (or WITH ... SELECT, a read-only
query) that names none of the functions that show the server's paths or settings; ATTACH,
COPY, SET, INSTALL, LOAD, PRAGMA, writes and several statements are refused before running;
(2) the connection itself is an in-memory database with the warehouse attached READ_ONLY, then
external access disabled (no file, no network), extension autoload/-install off and the
configuration locked, so even a query that slipped through cannot read files, attach, copy
out or change settings; (3) the query runs in a child process with a hard address-space limit
(``resource.setrlimit``), killed at the time limit, and its result is capped in rows and bytes,
so no query can take the dashboard's memory or time.
"""

from __future__ import annotations

import io
import json
import re
import resource
import subprocess
import sys
import time
from dataclasses import dataclass

import duckdb
import polars as pl

from pipelines.text import vn_number

MAX_ROWS = 10_000
MAX_RESULT_MB = 64
TIMEOUT_S = 10.0
MEMORY_MB = 1024          # DuckDB's own budget inside the child
ADDRESS_SPACE_MB = 3072   # the child's hard limit: interpreter, libraries, DuckDB and the result
# Table functions and settings that would show the server's paths or configuration.
_REVEALING = re.compile(r"\b(duckdb_(databases|settings|extensions|temporary_files|secrets|memory)|"
                        r"pragma_\w+|current_setting|getenv|which_secret)\b", re.IGNORECASE)


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
    con.execute(f"SET max_memory = '{MEMORY_MB}MB'")
    con.execute("SET threads = 2")
    con.execute("SET lock_configuration = true")
    return con


# DuckDB's messages are English ("Parser Error: syntax error at or near …"); an analyst reads them
# inside a Vietnamese page. The common ones are said in Vietnamese, the rest keep DuckDB's detail after
# a Vietnamese lead; the "LINE n:" pointer under the query is kept (as "Dòng n:").
_DUCKDB_MESSAGES = [
    (re.compile(r'syntax error at or near "(.*?)"'), "sai cú pháp gần «{0}»"),
    (re.compile(r"syntax error at end of input"), "câu lệnh chưa hết (thiếu phần cuối)"),
    (re.compile(r"Table with name (\S+) does not exist!"), "không có bảng «{0}»"),
    (re.compile(r'Referenced column "(.*?)" not found in FROM clause!'), "không có cột «{0}» trong các bảng ở FROM"),
    (re.compile(r"Scalar Function with name (\S+) does not exist!"), "không có hàm «{0}»"),
    (re.compile(r'Did you mean "(.*?)"\?'), "Có phải là «{0}»?"),
    (re.compile(r"Candidate bindings: (.*)"), "Cột gần giống: {0}"),
    (re.compile(r"^LINE (\d+):", re.M), "Dòng {0}:"),
]
_ERROR_KINDS = {"Parser": "cú pháp", "Catalog": "tên bảng hoặc hàm", "Binder": "tên cột hoặc kiểu",
                "Conversion": "chuyển kiểu dữ liệu", "Invalid Input": "dữ liệu vào", "Out of Range": "giá trị vượt giới hạn"}


def vietnamese_error(message: str) -> str:
    """A DuckDB error message in Vietnamese words where it has a known form, its detail kept otherwise."""
    kind = re.match(r"^([A-Za-z ]+) Error: ", message)
    text = message[kind.end():] if kind else message
    for pattern, words in _DUCKDB_MESSAGES:
        text = pattern.sub(lambda m, w=words: w.format(*m.groups()), text)
    lead = f"Lỗi {_ERROR_KINDS.get(kind.group(1), kind.group(1))}" if kind else "Lỗi"
    return f"{lead}: {text}"


def check(sql: str) -> str:
    """The single read-only statement in ``sql``, or SandboxError saying why it is refused."""
    text = sql.strip().rstrip(";").strip()
    if not text:
        raise SandboxError("Chưa có câu lệnh SQL.")
    try:
        statements = duckdb.extract_statements(text)
    except duckdb.Error as exc:
        raise SandboxError(f"Câu lệnh SQL không đọc được. {vietnamese_error(str(exc))}") from exc
    if len(statements) != 1:
        raise SandboxError("Chỉ được chạy một câu lệnh SELECT mỗi lần.")
    kind = statements[0].type
    if kind != duckdb.StatementType.SELECT:
        name = str(kind).split(".")[-1]
        raise SandboxError(f"Chỉ cho phép truy vấn đọc (SELECT); câu lệnh loại {name} bị từ chối "
                           "(không được ghi, ATTACH, COPY, SET, INSTALL, LOAD, PRAGMA).")
    revealing = _REVEALING.search(text)
    if revealing:
        raise SandboxError(f"Hàm {revealing.group(0)} cho biết đường dẫn, cấu hình của máy chủ: không được dùng.")
    return text


def run(path: str, sql: str, max_rows: int = MAX_ROWS, timeout_s: float = TIMEOUT_S) -> SandboxResult:
    """Run one checked SELECT on the warehouse at ``path`` in a child process; its result or why not."""
    text = check(sql)
    started = time.perf_counter()
    try:
        done = subprocess.run([sys.executable, "-m", "dashboard.sandbox", str(path), str(int(max_rows))],
                              input=text.encode("utf-8"), capture_output=True, timeout=timeout_s)
    except subprocess.TimeoutExpired as exc:
        raise SandboxError(f"Truy vấn chạy quá {timeout_s:g} giây và đã bị dừng.") from exc
    seconds = time.perf_counter() - started
    if done.returncode == 0:
        frame = pl.read_ipc(io.BytesIO(done.stdout))
        return SandboxResult(frame.head(max_rows), len(frame) > max_rows, seconds)
    try:
        message = json.loads(done.stdout.decode("utf-8"))["error"]
    except (ValueError, KeyError):  # killed by the memory limit before it could say so
        message = f"Truy vấn cần quá nhiều bộ nhớ (giới hạn {vn_number(ADDRESS_SPACE_MB)} MB) và đã bị dừng."
    raise SandboxError(message)


def _child(path: str, max_rows: int) -> int:
    """In the child: run the query read from stdin, write Arrow IPC (or a JSON error) to stdout.

    The child caps its own address space first (a limit set from the threaded server with
    ``preexec_fn`` could deadlock); what it allocates beyond fails here, never in the dashboard."""
    limit = ADDRESS_SPACE_MB * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    text = sys.stdin.read()
    out = sys.stdout.buffer
    try:
        con = open_sandbox(path)
        cur = con.cursor()
        cur.execute("USE warehouse")
        # The closing parenthesis on its own line: a query ending in a '-- comment' stays whole.
        frame = cur.sql(f"SELECT * FROM (\n{text}\n) AS q LIMIT {int(max_rows) + 1}").pl()
        if frame.estimated_size("mb") > MAX_RESULT_MB:
            raise SandboxError(f"Kết quả quá lớn (trên {MAX_RESULT_MB} MB): hãy chọn ít cột hơn hoặc gộp nhóm.")
        buffer = io.BytesIO()
        frame.write_ipc(buffer)
        out.write(buffer.getvalue())
        return 0
    except SandboxError as exc:
        message = str(exc)
    except duckdb.PermissionException:
        message = "Không được truy cập tệp, mạng hay cơ sở dữ liệu khác."
    except duckdb.OutOfMemoryException:
        message = f"Truy vấn cần quá nhiều bộ nhớ (giới hạn {MEMORY_MB} MB) và đã bị dừng."
    except duckdb.Error as exc:
        message = f"Truy vấn không chạy được. {vietnamese_error(str(exc))}"
    except MemoryError:
        message = f"Truy vấn cần quá nhiều bộ nhớ (giới hạn {ADDRESS_SPACE_MB} MB) và đã bị dừng."
    out.write(json.dumps({"error": message}, ensure_ascii=False).encode("utf-8"))
    return 3


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


if __name__ == "__main__":
    sys.exit(_child(sys.argv[1], int(sys.argv[2])))
