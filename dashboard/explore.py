"""Widgets of the Khám phá page: SQL editor, schema browser, no-code group-by builder.

Only roles with ``sql`` run queries, checked where a query runs (``run_sql``, ``run_cached``), not only by the
menu. A role without ``free_text`` reads no free-text or personal column of a record (nor the facts that
carry them) and a role without ``manage`` no quarantined row (rows as sent): the builder neither offers nor
reads them, and the sandbox refuses a query whose plan reads one (``closed_columns``). Every query run is
recorded in the audit trail (its text masked by the store) with the rows it returned.
"""

from __future__ import annotations

import polars as pl
import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from dashboard import access, chrome, data, formatting, sandbox
from dashboard.connection import config
from dashboard.filters import Filters
from pipelines.access.scope import FREE_TEXT_COLUMNS, OutOfScope
from pipelines.exports import neutralise_formulas
from schemas.access import Role
from schemas.admin_unit import ERA_SCHEMA
from schemas.catalog import LEVEL_LABELS
from schemas.records import RECORD_SCHEMAS, RECORD_TABLES
from schemas.warehouse import TABLE_LABELS, table_definitions

EXAMPLE = ("SELECT u.district_name AS huyen, count(*) AS so_ho_so,\n"
           "       count(*) FILTER (WHERE d.timeliness = 'late') AS tre_hen\n"
           "FROM era_legacy.dossier_facts d JOIN era_legacy.admin_units u USING (commune_code)\n"
           "GROUP BY ALL ORDER BY so_ho_so DESC")
STRUCTURE_NOTE = ("Bảng gốc (`dossiers`, `letters`…) giữ xã như tệp gửi (`commune_code`, `unit_era`). Để tính theo "
                  "một cấu trúc, dùng `era_2025.<bảng>` (mọi bản ghi đặt vào xã mới; `admin_units` là 166 xã mới với "
                  "địa bàn huyện cũ) hoặc `era_legacy.<bảng>` (xã, huyện trước 01/07/2025). Các bảng `*_facts`, "
                  "`late_dossiers`, `daily_counts` là số liệu dẫn xuất mà mọi trang dùng (tiến độ, hạn, ngày đóng).")


SQL_REFUSED = "Vai trò của bạn không chạy truy vấn ở Khám phá"
PERSONAL_COLUMNS = frozenset(c for s in RECORD_SCHEMAS.values() for c in s.personal_columns)


def closed_columns(role: Role) -> dict[str, tuple[str, ...]]:
    """Warehouse table -> the columns ``role`` may not read in Khám phá: without ``free_text``, the records'
    free-text and personal columns wherever they are stored (record tables and the facts copied from them);
    without ``manage``, every column of the quarantine (rows as sent)."""
    closed = {}
    for table, columns in table_definitions().items():
        shut = [c for c, _, _ in columns if (not role.free_text and c in FREE_TEXT_COLUMNS | PERSONAL_COLUMNS)
                or (not role.manage and table == "quarantine")]
        if shut:
            closed[table] = tuple(shut)
    return closed


def _require_sql() -> Role:
    """The signed-in account's role, when it may run queries; refused (and recorded) otherwise."""
    role = access.scope().role
    if not role.sql:
        access.record("refused", page="kham_pha")
        raise OutOfScope(SQL_REFUSED)
    return role


def _label(table: str, column: str) -> str:
    for s in RECORD_SCHEMAS.values():
        if s.table == table and column in {c.name for c in s.columns}:
            return s.column(column).label_vi
    return ""


def schema_browser() -> None:
    """The tables and the columns the account's role may read (``closed_columns`` left out)."""
    closed = closed_columns(access.scope().role)
    st.markdown("**Các bảng trong kho dữ liệu**")
    for table, columns in table_definitions().items():
        columns = [c for c in columns if c[0] not in closed.get(table, ())]
        if not columns:
            continue
        with st.expander(f"{TABLE_LABELS.get(table, table)} — `{table}`"):
            frame = pl.DataFrame({"Cột": [c for c, _, _ in columns], "Kiểu": [t for _, t, _ in columns],
                                  "Tên tiếng Việt": [_label(table, c) for c, _, _ in columns]})
            st.dataframe(frame, hide_index=True, width="stretch")
    if closed:
        st.caption("Vai trò của bạn không đọc các cột văn bản tự do (tên thủ tục, nội dung, nguồn, dịp…), thông tin "
                   "cá nhân và các dòng bị cách ly: danh sách trên không có chúng và truy vấn đọc chúng bị từ chối.")
    st.caption("Thông tin cá nhân (họ tên, CCCD, điện thoại, địa chỉ) chỉ có dạng mã băm. " + STRUCTURE_NOTE)


def _results(frame: pl.DataFrame, truncated: bool, seconds: float, key: str) -> None:
    note = f" (chỉ hiện {formatting.fmt_int(sandbox.MAX_ROWS)} dòng đầu)" if truncated else ""
    st.caption(f"{formatting.fmt_int(len(frame))} dòng{note} · {formatting.fmt_num(seconds * 1000, 0)} ms")
    if frame.is_empty():
        st.info("Truy vấn không trả về dòng nào.")
        return
    spec = {c: (c, _kind(frame.schema[c])) for c in frame.columns}
    chrome.show_table(frame, spec, key=f"{key}_table")
    c1, c2 = st.columns(2)
    csv = neutralise_formulas(frame).write_csv(include_bom=True, separator=";", date_format="%d/%m/%Y")
    c1.download_button("Tải CSV", csv,
                       file_name="ket_qua.csv", mime="text/csv", key=f"{key}_csv")
    c2.download_button("Tải XLSX", formatting.xlsx_bytes(frame, spec, "Kết quả"), file_name="ket_qua.xlsx",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key=f"{key}_xlsx")


def _kind(dtype) -> str:
    if dtype == pl.Date:
        return "date"
    if dtype.is_integer():
        return "int"
    if dtype.is_float():
        return "num"
    return "text"


def sql_editor() -> None:
    text = st.text_area("Câu lệnh SQL (chỉ SELECT)", value=EXAMPLE, height=180, key="sql_text")
    st.caption(f"Chỉ đọc; không truy cập tệp hay mạng; tối đa {formatting.fmt_int(sandbox.MAX_ROWS)} dòng và "
               f"{formatting.fmt_int(sandbox.TIMEOUT_S)} giây mỗi truy vấn.")
    # The query runs when asked (the button), not on every rerun of the page; its answer is kept
    # for the text it answered, with the warehouse version it read.
    if st.button("Chạy truy vấn", type="primary", key="sql_run"):
        try:
            st.session_state["sql_answer"] = (text, data.version(), run_sql(text))
        except sandbox.SandboxError as exc:
            st.session_state["sql_answer"] = (text, data.version(), exc)
    answer = st.session_state.get("sql_answer")
    if answer is None or answer[0] != text or answer[1] != data.version():
        st.info("Bấm «Chạy truy vấn» để chạy câu lệnh.")
        return
    result = answer[2]
    if isinstance(result, sandbox.SandboxError):
        st.error(formatting.md_escape(result), icon=":material/block:")
        return
    _results(result.frame, result.truncated, result.seconds, "sql")


def run_sql(text: str) -> sandbox.SandboxResult:
    """Run an account's own SQL in the sandbox, with the columns its role may not read closed; recorded in the
    audit trail with the rows it returned (or why it did not run). A role without ``sql`` is refused."""
    role = _require_sql()
    try:
        result = sandbox.run(data.db_path(), text, owner=_session(),
                             max_running=config().explorer.max_running_queries, closed=closed_columns(role))
    except sandbox.SandboxError as exc:
        access.record("sql", sql=text, reason=str(exc))
        raise
    access.record("sql", sql=text, rows=len(result.frame))
    return result


def _session() -> str | None:
    """The browser tab's session: it may have one query running at a time (None: the server's warm-up)."""
    ctx = get_script_run_ctx()
    return ctx.session_id if ctx else None


@st.cache_data(max_entries=64, show_spinner="Đang chạy truy vấn…")
def _run_builder(version: str, path: str, query: str, closed: tuple[tuple[str, tuple[str, ...]], ...],
                 _owner: str | None) -> sandbox.SandboxResult:
    return sandbox.run(path, query, owner=_owner, max_running=config().explorer.max_running_queries,
                       closed=dict(closed))


def run_cached(query: str) -> sandbox.SandboxResult:
    """The builder's query: SQL it generated itself, cached per warehouse version and the columns closed to the
    role (not per session: the session only counts towards the running queries). Recorded in the audit trail
    once per session for each query and warehouse version it shows; the server's warm-up (no session)
    records nothing."""
    role = _require_sql()
    result = _run_builder(data.version(), data.db_path(), query, tuple(sorted(closed_columns(role).items())),
                          _session())
    shown = (query, data.version())
    if _session() is not None and st.session_state.get("_builder_recorded") != shown:
        access.record("sql", sql=query, rows=len(result.frame))
        st.session_state["_builder_recorded"] = shown
    return result


def _sidebar_scope(table: str, f: Filters) -> tuple[list[tuple[str, str, str]], str]:
    """Filters of the sidebar's period and unit for a record table, and a sentence saying what they are.

    A record falls in the period by its own date (dossiers by the day they were received, since an
    analyst's table counts intake; pending dossiers have no completion date)."""
    schema = next((s for s in RECORD_SCHEMAS.values() if s.table == table), None)
    if schema is None:
        return [], ""
    date = "received_date" if schema.kind == "dossier" else schema.date_column
    scope = [(date, ">=", f.date_from.isoformat()), (date, "<=", f.date_to.isoformat())]
    where = "toàn tỉnh"
    if f.commune:
        scope.append(("commune_code", "=", f.commune))
        where = data.unit_name(f.commune)
    elif f.district:
        scope.append(("district_name", "=", data.unit_name(f.district)))
        where = data.unit_name(f.district)
    label = schema.column(date).label_vi.lower()
    return scope, (f"Theo bộ lọc bên trái: {label} từ {formatting.fmt_date(f.date_from)} đến "
                   f"{formatting.fmt_date(f.date_to)}, {where}.")


def _tables(role: Role) -> dict[str, list[tuple[str, str, str]]]:
    """The tables the builder offers ``role``, with their columns (none it may not read entirely)."""
    closed = closed_columns(role)
    return {t: cols for t, cols in table_definitions().items() if t not in ("calendar", "warehouse_meta")
            and any(c not in closed.get(t, ()) for c, _, _ in cols)}


def _shown_columns(table: str, role: Role) -> set[str]:
    """A table's columns ``role`` may group, filter or sum by: all but the personal ones (hashes) and those
    closed to it (``closed_columns``)."""
    shut = PERSONAL_COLUMNS | set(closed_columns(role).get(table, ()))
    return {c for c, _, _ in _tables(role)[table] if c not in shut}


def builder_query(f: Filters, table: str, group: list[str], agg: str, measure: str | None,
                  filters: list[tuple[str, str, str]], scoped: bool) -> str:
    """The builder's SQL for the signed-in account's role; ``scoped`` adds the sidebar's period and unit (a
    record table only)."""
    scope = _sidebar_scope(table, f)[0] if scoped else []
    return sandbox.build_query(table, _shown_columns(table, access.scope().role), group, agg, measure,
                               filters + scope, structure=ERA_SCHEMA[f.era] if table in RECORD_TABLES else None)


def _default_group(table: str) -> list[str]:
    return ["district_name"] if table in RECORD_TABLES else []


def default_query(f: Filters) -> str:
    """What the builder shows first for ``f`` (the widgets' defaults); the warm-up runs it."""
    table = next(iter(_tables(access.scope().role)))
    return builder_query(f, table, _default_group(table), next(iter(sandbox.AGGREGATES)), None, [], True)


def builder(f: Filters) -> None:
    role = access.scope().role
    tables = _tables(role)
    c1, c2, c3 = st.columns(3)
    table = c1.selectbox("Bảng", list(tables), format_func=TABLE_LABELS.get, key="b_table")
    columns = _shown_columns(table, role)
    names = sorted(columns) + (["commune_name", "district_name"] if table in RECORD_TABLES else [])

    def fmt(c):
        return _label(table, c) or {"commune_name": "Tên xã", "district_name": LEVEL_LABELS[f.era]["district"]}.get(c, c)

    group = c2.multiselect("Nhóm theo", names, default=_default_group(table),
                           format_func=fmt, key="b_group", placeholder="Chọn cột…")
    agg = c3.selectbox("Phép tính", list(sandbox.AGGREGATES), format_func=sandbox.AGGREGATES.get, key="b_agg")
    numeric = [c for c, t, _ in tables[table] if t in ("INTEGER", "DOUBLE", "TINYINT") and c in columns]
    measure = st.selectbox("Cột để tính", numeric, format_func=fmt, key="b_measure") if agg != "count" else None
    f1, f2, f3 = st.columns(3)
    fcol = f1.selectbox("Lọc theo cột (tùy chọn)", names, index=None, format_func=fmt, key="b_fcol",
                        placeholder="Không lọc")
    fop = f2.selectbox("Điều kiện", list(sandbox.OPERATORS), format_func=sandbox.OPERATORS.get, key="b_fop")
    fval = f3.text_input("Giá trị", key="b_fval")
    filters = [(fcol, fop, fval)] if fcol and fval else []
    scope, said = _sidebar_scope(table, f)
    scoped = bool(scope) and st.toggle("Theo kỳ và đơn vị ở thanh bên trái", value=True, key="b_scope", help=said)
    if scoped:
        st.caption(said)
    if agg != "count" and not measure:
        st.info("Bảng này không có cột số để tính tổng/trung bình; hãy chọn «Đếm số bản ghi».")
        return
    try:
        query = builder_query(f, table, group, agg, measure, filters, scoped)
        result = run_cached(query)
    except sandbox.SandboxError as exc:
        st.error(str(exc))
        return
    frame = result.frame.rename({c: fmt(c) for c in group} | {"ket_qua": sandbox.AGGREGATES[agg]})
    with st.expander("Câu lệnh SQL tương ứng"):
        st.code(query, language="sql")
    _results(frame, result.truncated, result.seconds, "builder")
