"""Read-only SQL explorer over the warehouse, in DuckDB's sandbox and a child process.

Four layers: (1) only one statement, and it must be a SELECT (or WITH ... SELECT, a read-only
query); ATTACH, COPY, SET, INSTALL, LOAD, PRAGMA, writes and several statements are refused before
running; (2) in the child, what the query reads is judged from what DuckDB makes of it, never from
its text: its parse tree names the table functions and settings functions it calls (``query()``
builds SQL from strings at bind time, so it is refused by name), and its bound plan, walked to every
leaf, must scan only the warehouse's own tables (a view such as ``pg_settings`` binds to
``duckdb_settings()``, which is refused); (3) the connection itself is an in-memory database with
the warehouse attached READ_ONLY, then external access disabled (no file, no network), extension
autoload/-install off and the configuration locked, so even a query that slipped through cannot read
files, attach, copy out or change settings; (4) the query runs in a child process with a hard
address-space limit (``resource.setrlimit``), killed at the time limit, its result capped in rows and
bytes, and a session runs one query at a time, the server at most ``explorer.max_running_queries``
(``config/dvcq.toml``), so no query can take the dashboard's memory or time.

Columns a role may not read (``closed``: the free-text and personal columns for a role without free text) are
judged the same way, in the child, from the bound plan: every scan of a warehouse table names the columns it
reads. That plan is made with filter pushdown and statistics propagation off, so a column read only in a
WHERE, or one whose stored statistics alone decide the answer, still shows in its scan; removing columns
the result does not depend on stays on, so a view's other columns do not count.
"""

from __future__ import annotations

import io
import json
import re
import resource
import subprocess
import sys
import threading
import time
from collections.abc import Collection, Iterator, Mapping
from contextlib import closing, contextmanager
from dataclasses import dataclass

import duckdb
import polars as pl

from pipelines.text import vn_number

MAX_ROWS = 10_000
MAX_RESULT_MB = 64
TIMEOUT_S = 10.0
MEMORY_MB = 1024          # DuckDB's own budget inside the child
ADDRESS_SPACE_MB = 3072   # the child's hard limit: interpreter, libraries, DuckDB and the result
# What a query may call and read, judged on DuckDB's parse tree and bound plan (``_refusal``): table
# functions that only compute; none of the functions that read a setting; the warehouse's own tables
# (the era_* views bind to them); and plan leaves that read nothing stored (a constant row, a VALUES
# list, a CTE, an empty result).
COMPUTING_TABLE_FUNCTIONS = frozenset({"range", "generate_series", "unnest"})
SETTING_FUNCTIONS = frozenset({"current_setting", "getenv", "getvariable"})
# The optimizers left out of the plan that judges columns (see the module's docstring).
COLUMN_PLAN_OPTIMIZERS_OFF = "filter_pushdown,statistics_propagation"
HARMLESS_LEAVES = frozenset({"DUMMY_SCAN", "EMPTY_RESULT", "COLUMN_DATA_SCAN", "CTE_SCAN", "REC_CTE_SCAN",
                             "DELIM_SCAN", "CHUNK_SCAN", "EXPRESSION_SCAN"})
# Result columns handed to the page as they are; any other type (a list, a map, a struct, a blob, an
# interval, a timestamp…) is converted to DuckDB's text for it, which every table, CSV and XLSX can show.
PLAIN_TYPES = frozenset({"boolean", "tinyint", "smallint", "integer", "bigint", "hugeint", "utinyint", "usmallint",
                         "uinteger", "ubigint", "float", "double", "decimal", "varchar", "date"})


class SandboxError(ValueError):
    """The query was refused or failed; the message is in Vietnamese."""


@dataclass
class SandboxResult:
    frame: pl.DataFrame
    truncated: bool
    seconds: float


def open_sandbox(path: str, optimizers_off: str = "") -> duckdb.DuckDBPyConnection:
    """The warehouse at ``path`` attached read-only in a locked in-memory database; ``optimizers_off`` (DuckDB's
    ``disabled_optimizers``, a setting of the whole database) for the connection that only plans."""
    con = duckdb.connect(":memory:", config={"autoinstall_known_extensions": False,
                                             "autoload_known_extensions": False})
    escaped = str(path).replace("'", "''")
    con.execute(f"ATTACH '{escaped}' AS warehouse (READ_ONLY)")
    con.execute("USE warehouse")
    if optimizers_off:
        con.execute("SET disabled_optimizers = $off", {"off": optimizers_off})
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
    return text


_RUNNING_LOCK = threading.Lock()
_running: list[str | None] = []   # the owner (a session) of each query running now


@contextmanager
def _slot(owner: str | None, max_running: int | None) -> Iterator[None]:
    """One running query per owner, and at most ``max_running`` in all; "đang bận" otherwise."""
    with _RUNNING_LOCK:
        if owner is not None and owner in _running:
            raise SandboxError("Đang bận: truy vấn trước của bạn vẫn đang chạy. Hãy chờ nó xong "
                               f"(tối đa {vn_number(TIMEOUT_S, 0)} giây) rồi chạy lại.")
        if max_running is not None and len(_running) >= max_running:
            raise SandboxError(f"Máy chủ đang bận: đã có {vn_number(len(_running), 0)} truy vấn đang chạy (tối đa "
                               f"{vn_number(max_running, 0)} cùng lúc). Hãy thử lại sau ít giây.")
        _running.append(owner)
    try:
        yield
    finally:
        with _RUNNING_LOCK:
            _running.remove(owner)


Closed = Mapping[str, Collection[str]]
"""Warehouse table -> the columns of it a query may not read."""


def run(path: str, sql: str, max_rows: int = MAX_ROWS, timeout_s: float = TIMEOUT_S, *, owner: str | None = None,
        max_running: int | None = None, closed: Closed | None = None) -> SandboxResult:
    """Run one checked SELECT on the warehouse at ``path`` in a child process; its result or why not.

    ``owner`` (a dashboard session) may have one query running at a time; ``max_running`` caps the
    queries running at once in this process (the dashboard passes its configuration's value). A query
    whose plan reads a ``closed`` column is refused, the column named."""
    text = check(sql)
    request = json.dumps({"sql": text, "closed": {t: sorted(c) for t, c in (closed or {}).items() if c}},
                         ensure_ascii=False)
    with _slot(owner, max_running):
        started = time.perf_counter()
        try:
            done = subprocess.run([sys.executable, "-m", "dashboard.sandbox", str(path), str(int(max_rows))],
                                  input=request.encode("utf-8"), capture_output=True, timeout=timeout_s)
        except subprocess.TimeoutExpired as exc:
            raise SandboxError(f"Truy vấn chạy quá {timeout_s:g} giây và đã bị dừng.") from exc
        seconds = time.perf_counter() - started
    if done.returncode == 0:
        frame = pl.read_ipc(io.BytesIO(done.stdout))
        return SandboxResult(frame.head(max_rows), len(frame) > max_rows, seconds)
    try:
        message = json.loads(done.stdout.decode("utf-8"))["error"]
    except (ValueError, KeyError):  # the child died before it could say why
        message = _died(done.returncode, done.stderr)
    raise SandboxError(message)


def _died(returncode: int, stderr: bytes) -> str:
    """Why a child ended without its answer: memory only when that is what stopped it (the allocator
    failing under the address-space limit), else that it stopped, with its exit code."""
    if b"MemoryError" in stderr or b"bad_alloc" in stderr or b"Out of Memory" in stderr:
        return f"Truy vấn cần quá nhiều bộ nhớ (giới hạn {vn_number(ADDRESS_SPACE_MB)} MB) và đã bị dừng."
    return f"Truy vấn dừng bất thường (mã {returncode}) mà không có kết quả; hãy thử câu lệnh đơn giản hơn."


def _functions_called(cur: duckdb.DuckDBPyConnection, text: str) -> tuple[set[str], set[str]]:
    """(table functions, all functions) named in the query's parse tree (DuckDB's ``json_serialize_sql``),
    in lower case; empty when it does not parse (running it then says why)."""
    tree = json.loads(cur.execute("SELECT json_serialize_sql(?)", [text]).fetchone()[0])
    tables: set[str] = set()
    functions: set[str] = set()

    def walk(node) -> None:
        if isinstance(node, dict):
            if node.get("type") == "TABLE_FUNCTION" and isinstance(node.get("function"), dict):
                tables.add(str(node["function"].get("function_name", "")).lower())
            if node.get("class") == "FUNCTION":
                functions.add(str(node.get("function_name", "")).lower())
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(tree)
    return tables, functions


def _plan_leaves(node: dict) -> Iterator[tuple[str, dict, bool]]:
    """(operator name, its details, whether it is a leaf) for every operator of a bound plan."""
    info = node.get("extra_info")
    children = node.get("children") or []
    yield str(node.get("name", "")), info if isinstance(info, dict) else {}, not children
    for child in children:
        yield from _plan_leaves(child)


def _refusal(cur: duckdb.DuckDBPyConnection, text: str, query: str) -> str | None:
    """Why the query may not run (Vietnamese), from what it calls and what its bound plan reads; None
    when it reads only the warehouse's tables. ``query`` is ``text`` as it will run (limited)."""
    from schemas.warehouse import table_definitions

    def refused(name: str) -> str:
        return (f"Không được dùng «{name}»: Khám phá chỉ đọc các bảng của kho dữ liệu (danh sách bên phải); "
                "bảng hệ thống, hàm đọc tệp và hàm cho biết đường dẫn, cấu hình của máy chủ bị từ chối.")

    table_functions, functions = _functions_called(cur, text)
    banned = sorted(table_functions - COMPUTING_TABLE_FUNCTIONS) + sorted(functions & SETTING_FUNCTIONS)
    if banned:
        return refused(banned[0])
    tables = {f"warehouse.main.{t}" for t in table_definitions()}
    plan = json.loads(cur.execute(f"EXPLAIN (FORMAT json) {query}").fetchall()[-1][1])
    for root in plan:
        for name, info, leaf in _plan_leaves(root):
            if "Function" in info and str(info["Function"]).lower() not in COMPUTING_TABLE_FUNCTIONS:
                return refused(str(info["Function"]).lower())
            if "Table" in info and info["Table"] not in tables:
                return refused(str(info["Table"]).split(".")[-1])
            if leaf and "Function" not in info and "Table" not in info and name not in HARMLESS_LEAVES:
                return refused(name.lower())
    return None


def _column_label(column: str) -> str:
    """A record column's Vietnamese label (the facts tables carry the records' columns under their names)."""
    from schemas.records import RECORD_SCHEMAS

    return next((c.label_vi for s in RECORD_SCHEMAS.values() for c in s.columns if c.name == column), "")


def _scanned_columns(info: dict) -> set[str] | None:
    """The columns a table scan reads (its projections and any filter it was given); None when the plan does not
    say, which counts as all of them."""
    if "Projections" not in info:
        return None
    shown = info["Projections"]
    read = {shown} if isinstance(shown, str) else set(shown)
    filters = info.get("Filters") or ""
    words = set(re.findall(r"\w+", filters if isinstance(filters, str) else " ".join(map(str, filters))))
    return (read | words) - {""}


def _closed_refusal(checker: duckdb.DuckDBPyConnection, query: str, closed: dict[str, list[str]]) -> str | None:
    """Why the query may not run when its plan (made on ``checker``, see the module's docstring) reads a closed
    column: that column named, with its label; None when it reads none."""
    plan = json.loads(checker.execute(f"EXPLAIN (FORMAT json) {query}").fetchall()[-1][1])
    for root in plan:
        for _, info, _ in _plan_leaves(root):
            table = str(info.get("Table", "")).split(".")[-1] if "Table" in info else None
            if table not in closed:
                continue
            read = _scanned_columns(info)
            hit = next((c for c in closed[table] if read is None or c in read), None)
            if hit:
                label = _column_label(hit)
                return (f"Vai trò của bạn không đọc cột «{hit}»{f' ({label})' if label else ''} của bảng «{table}»: "
                        "Khám phá cho vai trò này đọc mọi cột trừ văn bản tự do (tên thủ tục, nội dung, nguồn, "
                        "dịp…), thông tin cá nhân và các dòng bị cách ly. Hãy bỏ cột đó khỏi câu lệnh (kể cả ở "
                        "WHERE, JOIN, GROUP BY).")
    return None


def _as_shown(relation: duckdb.DuckDBPyRelation) -> duckdb.DuckDBPyRelation:
    """The result with every column not of a plain type cast to DuckDB's text of it (``PLAIN_TYPES``)."""
    columns = []
    for name, kind in zip(relation.columns, relation.types):
        quoted = '"' + name.replace('"', '""') + '"'
        columns.append(quoted if kind.id in PLAIN_TYPES else f"CAST({quoted} AS VARCHAR) AS {quoted}")
    return relation.project(", ".join(columns))


def _child(path: str, max_rows: int) -> int:
    """In the child: run the query read from stdin, write Arrow IPC (or a JSON error) to stdout.

    The child caps its own address space first (a limit set from the threaded server with
    ``preexec_fn`` could deadlock); what it allocates beyond fails here, never in the dashboard.
    Every failure is said as what it is: an error DuckDB or the conversion raises is not memory."""
    limit = ADDRESS_SPACE_MB * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    request = json.loads(sys.stdin.read())
    text, closed = request["sql"], request["closed"]
    out = sys.stdout.buffer
    try:
        con = open_sandbox(path)
        cur = con.cursor()
        cur.execute("USE warehouse")
        # The closing parenthesis on its own line: a query ending in a '-- comment' stays whole.
        query = f"SELECT * FROM (\n{text}\n) AS q LIMIT {int(max_rows) + 1}"
        refusal = _refusal(cur, text, query)
        if refusal is None and closed:  # the plan judged after _refusal: it reads only the warehouse's tables
            with closing(open_sandbox(path, COLUMN_PLAN_OPTIMIZERS_OFF)) as checker:
                refusal = _closed_refusal(checker, query, closed)
        if refusal:
            raise SandboxError(refusal)
        frame = _as_shown(cur.sql(query)).pl()
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
    except Exception as exc:  # noqa: BLE001 - whatever else stops it is said, never taken for memory
        message = f"Không hiển thị được kết quả ({type(exc).__name__}: {exc})."
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
