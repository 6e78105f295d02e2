"""The DuckDB warehouse: DDL derived from the schemas, read-only access, atomic publishing.

Publishing design (why): DuckDB allows one read-write process *or* many read-only ones on a
file, never both. The dashboard keeps read-only connections open, so an ingest never writes
the live file. It copies the live warehouse to ``<db>.tmp-<pid>`` beside it, writes there,
checkpoints, fsyncs, and ``os.replace``-s the copy over the live path: one atomic rename on
the same file system. A reader holding the old file keeps reading its (unlinked) inode
without error and sees the new one when it reopens the path; ``warehouse_version`` changes
with every publish so readers know when to reopen. Concurrent ingests are serialised with an
exclusive ``flock`` on ``<db>.lock``; a failed ingest deletes its copy and leaves the live
warehouse untouched.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import duckdb
import holidays

from schemas.admin_unit import ADMIN_UNIT_SQL_TYPES, AdminUnit
from schemas.records import RECORD_SCHEMAS, SYSTEM_COLUMNS, RecordSchema

DEFAULT_DB = Path("data") / "dvcq.duckdb"
# Covers every date the ingest accepts (configuration's earliest_date may not go below 2000) and
# the years ahead; working-day arithmetic outside it would be wrong, so it is wide on purpose.
CALENDAR_YEARS = range(2000, 2051)

QUARANTINE_COLUMNS: list[tuple[str, str, str]] = [
    ("file_name", "VARCHAR", "File name the row came from."),
    ("file_checksum", "VARCHAR", "SHA-256 of the file's bytes."),
    ("sheet", "VARCHAR", "Sheet name (workbooks) or empty."),
    ("row_number", "INTEGER", "1-based row number in the file or sheet, title rows included."),
    ("kind", "VARCHAR", "Record kind the file holds."),
    ("commune_code", "VARCHAR", "Commune code when it could be resolved, else empty."),
    ("record_id", "VARCHAR", "The row's record id when it has one."),
    ("reason_code", "VARCHAR", "Machine-readable reason, e.g. bad_date, unknown_commune."),
    ("message_vi", "VARCHAR", "The reason in Vietnamese, naming the column and the value."),
    ("raw_values", "VARCHAR", "The row's raw values as JSON (personal data already hashed)."),
    ("quarantined_at", "TIMESTAMP", "When the row was quarantined."),
]

INGEST_LOG_COLUMNS: list[tuple[str, str, str]] = [
    ("file_name", "VARCHAR", "File name."),
    ("file_path", "VARCHAR", "Path as given to the ingest."),
    ("file_checksum", "VARCHAR", "SHA-256 of the file's bytes."),
    ("sheet", "VARCHAR", "Sheet name (workbooks) or empty."),
    ("kind", "VARCHAR", "Record kind detected or given."),
    ("communes", "VARCHAR", "Commune codes the rows resolved to, comma-separated."),
    ("rows_read", "INTEGER", "Data rows read below the header."),
    ("rows_inserted", "INTEGER", "New records."),
    ("rows_updated", "INTEGER", "Records replaced by a changed re-export."),
    ("rows_unchanged", "INTEGER", "Records already loaded with the same content."),
    ("rows_quarantined", "INTEGER", "Rows put in the quarantine table."),
    ("unknown_columns", "VARCHAR", "Headers that match no alias, comma-separated (reported, not loaded)."),
    ("message", "VARCHAR", "Notes on the file (how the commune was resolved, etc.)."),
    ("ingested_at", "TIMESTAMP", "When the file was ingested."),
]

CALENDAR_COLUMNS: list[tuple[str, str, str]] = [
    ("day", "DATE", "Calendar day."),
    ("is_working_day", "BOOLEAN", "Monday–Friday and not a Vietnamese public holiday (lunar ones included)."),
    ("working_day_index", "INTEGER", "Running count of working days up to and including this day."),
    ("holiday_name", "VARCHAR", "Holiday name from the `holidays` package, if any."),
]


def resolve_db_path(db: str | os.PathLike | None = None) -> Path:
    """``--db`` if given, else ``DVCQ_DB``, else ``data/dvcq.duckdb``."""
    return Path(db or os.environ.get("DVCQ_DB") or DEFAULT_DB)


def record_table_columns(schema: RecordSchema) -> list[tuple[str, str, str]]:
    """(name, SQL type, description) of a record table: system columns, then the schema's."""
    own = [(c.name, c.sql_type, c.description) for c in schema.columns]
    return SYSTEM_COLUMNS[:1] + own + SYSTEM_COLUMNS[1:]


def table_definitions() -> dict[str, list[tuple[str, str, str]]]:
    """Every warehouse table and its columns: the one place the DDL and the docs read from."""
    admin = [(name, ADMIN_UNIT_SQL_TYPES[name], field.description or "")
             for name, field in AdminUnit.model_fields.items()]
    tables = {"admin_units": admin}
    tables.update({s.table: record_table_columns(s) for s in RECORD_SCHEMAS.values()})
    tables["quarantine"] = QUARANTINE_COLUMNS
    tables["ingest_log"] = INGEST_LOG_COLUMNS
    tables["calendar"] = CALENDAR_COLUMNS
    return tables


def create_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Create missing tables, and add the columns a newer schema declares to older warehouses
    (additive changes migrate themselves; the data already loaded is kept)."""
    for table, columns in table_definitions().items():
        cols = ", ".join(f'"{name}" {sql_type}' for name, sql_type, _ in columns)
        con.execute(f"CREATE TABLE IF NOT EXISTS {table} ({cols})")
        present = {r[0] for r in con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = ?", [table]).fetchall()}
        for name, sql_type, _ in columns:
            if name not in present:
                con.execute(f'ALTER TABLE {table} ADD COLUMN "{name}" {sql_type}')


def build_calendar(con: duckdb.DuckDBPyConnection) -> None:
    """Fill ``calendar`` with working days, so working-day arithmetic is a join, not Python."""
    vn = holidays.country_holidays("VN", years=CALENDAR_YEARS, language="vi")
    first, last = dt.date(CALENDAR_YEARS.start, 1, 1), dt.date(CALENDAR_YEARS.stop - 1, 12, 31)
    holiday_rows = [(day, name) for day, name in vn.items() if first <= day <= last]
    con.execute("CREATE OR REPLACE TEMP TABLE _holidays (day DATE, name VARCHAR)")
    con.executemany("INSERT INTO _holidays VALUES (?, ?)", holiday_rows)
    con.execute("DELETE FROM calendar")
    con.execute(
        """
        INSERT INTO calendar
        SELECT d.day, w.is_working_day,
               SUM(w.is_working_day::INTEGER) OVER (ORDER BY d.day) AS working_day_index, h.name
        FROM (SELECT CAST(range AS DATE) AS day FROM range(?::DATE, ?::DATE + 1, INTERVAL 1 DAY)) d
        LEFT JOIN (SELECT day, string_agg(name, '; ') AS name FROM _holidays GROUP BY day) h USING (day)
        CROSS JOIN LATERAL (SELECT isodow(d.day) <= 5 AND h.name IS NULL AS is_working_day) w
        ORDER BY d.day
        """,
        [first, last],
    )


def load_admin_units(con: duckdb.DuckDBPyConnection, province_code: str) -> None:
    """Replace ``admin_units`` with the configured province's communes from the registry."""
    from pipelines.admin_units import admin_units_table

    units = admin_units_table(province_code)  # noqa: F841 - read by DuckDB below
    con.execute("DELETE FROM admin_units")
    con.execute("INSERT INTO admin_units BY NAME SELECT * FROM units")


def connect_read_only(db: str | os.PathLike | None = None) -> duckdb.DuckDBPyConnection:
    path = resolve_db_path(db)
    if not path.exists():
        raise FileNotFoundError(f"Chưa có kho dữ liệu {path}: hãy chạy 'dvcq ingest' trước.")
    return duckdb.connect(str(path), read_only=True)


def warehouse_version(db: str | os.PathLike | None = None) -> str:
    """Changes with every publish (the replace gives a new inode and mtime); '' when absent."""
    path = resolve_db_path(db)
    try:
        st = path.stat()
    except FileNotFoundError:
        return ""
    return f"{st.st_ino}-{st.st_mtime_ns}-{st.st_size}"


@contextlib.contextmanager
def publishing(db: str | os.PathLike | None = None, province_code: str | None = None
               ) -> Iterator[duckdb.DuckDBPyConnection]:
    """Yield a read-write connection to a private copy; publish it atomically on success.

    The copy has every table, the working-day calendar and, when ``province_code`` is given
    and the table is empty or holds another province, that province's ``admin_units``.
    """
    path = resolve_db_path(db)
    path.parent.mkdir(parents=True, exist_ok=True)
    lock_path = path.with_name(path.name + ".lock")
    with open(lock_path, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        staging = path.with_name(f"{path.name}.tmp-{os.getpid()}")
        staging.unlink(missing_ok=True)
        if path.exists():
            shutil.copyfile(path, staging)
        con = duckdb.connect(str(staging))
        try:
            create_tables(con)
            if con.sql("SELECT count(*) FROM calendar").fetchall()[0][0] == 0:
                build_calendar(con)
            if province_code is not None:
                held = con.sql("SELECT DISTINCT province_code FROM admin_units").fetchall()
                if held != [(province_code,)]:
                    load_admin_units(con, province_code)
            yield con
            con.execute("CHECKPOINT")
            con.close()
            with open(staging, "rb") as fh:
                os.fsync(fh.fileno())
            os.replace(staging, path)
        except BaseException:
            con.close()
            staging.unlink(missing_ok=True)
            staging.with_name(staging.name + ".wal").unlink(missing_ok=True)
            raise
