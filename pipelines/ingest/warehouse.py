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
import errno
import fcntl
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import duckdb
import holidays
import polars as pl

from pipelines.ingest.checks import failed_tests
from pipelines.ingest.facts import build_facts, rules_fingerprint, start_change_log, update_facts
from pipelines.ingest.privacy import KEY_FILE, SecretError, fingerprint, load_secret
from pipelines.sql import Definition, execute
from schemas.admin_unit import ERA_SCHEMA
from schemas.config import DvcqConfig, load_config
from schemas.records import RECORD_SCHEMAS, RECORD_TABLES, RETIRED_COLUMNS
from schemas.warehouse import FACT_TABLES, table_definitions

DEFAULT_DB = Path("data") / "dvcq.duckdb"
# Covers every date the ingest accepts (configuration's earliest_date may not go below 2000) and
# the years ahead; working-day arithmetic outside it would be wrong, so it is wide on purpose.
CALENDAR_YEARS = range(2000, 2051)
# What DuckDB may hold in memory while publishing; beyond it, its aggregates, joins and sorts spill to
# a temporary directory beside the copy. Building the daily rollup of tens of millions of records
# otherwise takes several GB (one hash-table row per commune x day, ~45 sums each), and the ingest
# shares the machine with the dashboard. Parsing a file of half a million rows in Polars takes about
# as much again (bench/bench_ingest.py: 5 M rows peak under 3 GB with 1 GB here, no slower than 1.8 GB).
PUBLISH_MEMORY_LIMIT = "1GB"

class WarehouseError(Exception):
    """The warehouse path is not a usable DuckDB file (a folder, a damaged or foreign file)."""


# How DuckDB says, in any of its exception types, that the file is damaged (cut short, bits flipped) or that
# the disk filled while it wrote (a full disk, or a file-size limit: EFBIG).
DAMAGED_SIGNS = ("Corrupt database file", "Could not read enough bytes", "not a valid DuckDB database")
FULL_DISK_SIGNS = ("No space left on device", "File too large", "Disk quota exceeded")
FULL_DISK_ERRNOS = (errno.ENOSPC, errno.EFBIG, errno.EDQUOT)


def explain_failure(exc: BaseException, path: str | os.PathLike | None = None) -> WarehouseError | None:
    """One Vietnamese sentence for a damaged warehouse or a full disk, whatever raised it (a query, the
    publish, the staging copy, a file the command writes: a publish leaves the live warehouse as it was in
    every case); None for anything else. ``path``, the damaged warehouse, is named when given (to the
    command line's operator; the dashboard's visitors are not shown server paths)."""
    text = str(exc)
    if isinstance(exc, OSError) and exc.errno in FULL_DISK_ERRNOS or any(sign in text for sign in FULL_DISK_SIGNS):
        return WarehouseError("không ghi được: ổ đĩa đầy (hoặc tệp vượt giới hạn kích thước của hệ thống); kho dữ liệu "
                              "đang dùng không bị thay đổi. Hãy giải phóng chỗ trống rồi chạy lại")
    if isinstance(exc, duckdb.Error) and any(sign in text for sign in DAMAGED_SIGNS):
        return WarehouseError(f"tệp kho dữ liệu{f' {path}' if path else ''} bị hỏng (bị cắt ngắn hoặc sai dữ liệu): hãy "
                              "khôi phục từ bản sao lưu, hoặc nạp lại dữ liệu vào một kho mới")
    return None


def resolve_db_path(db: str | os.PathLike | None = None) -> Path:
    """``--db`` if given, else ``DVCQ_DB``, else ``data/dvcq.duckdb``."""
    path = Path(db or os.environ.get("DVCQ_DB") or DEFAULT_DB)
    if path.is_dir():
        raise WarehouseError(f"'{path}' là một thư mục, không phải tệp kho dữ liệu: hãy chỉ một tệp, ví dụ "
                             f"{path / 'dvcq.duckdb'}")
    return path


def _open(path: Path, read_only: bool, config: dict[str, str] | None = None) -> duckdb.DuckDBPyConnection:
    try:
        return duckdb.connect(str(path), read_only=read_only, config=config or {})
    except duckdb.IOException as exc:
        if "not a valid DuckDB database" in str(exc):
            raise WarehouseError(f"tệp kho dữ liệu {path} bị hỏng hoặc không phải kho DuckDB: hãy khôi phục từ bản "
                                 "sao lưu, hoặc nạp lại dữ liệu vào một kho mới (--db)") from None
        raise


def remembered(con: duckdb.DuckDBPyConnection, name: str) -> str | None:
    rows = execute(con, "meta_value", {"name": name})
    return rows[0][0] if rows else None


def remember(con: duckdb.DuckDBPyConnection, name: str, value: str) -> None:
    execute(con, "meta_forget", {"name": name})
    execute(con, "meta_remember", {"name": name, "value": value})


def holds_records(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether any record or quarantined row is stored: hashes made with some key."""
    return any(execute(con, "table_holds_rows", {}, {"table": table})
               for table in (*sorted(RECORD_TABLES), "quarantine"))


def warehouse_key(con: duckdb.DuckDBPyConnection, path: Path) -> bytes:
    """The key an ingest hashes with in the warehouse at ``path`` (``con``: its copy being written); a new
    warehouse remembers its fingerprint. One holding records but no fingerprint (made before dvcq
    remembered it) cannot tell its key from another, and would re-key every hash: refused until
    ``dvcq upgrade`` records the key given then (``adopt_key``)."""
    expected = remembered(con, "key_fingerprint")
    if expected is None and holds_records(con):
        raise SecretError(f"kho dữ liệu {path.name} được tạo trước khi dvcq ghi dấu vân tay của khóa nên không "
                          f"kiểm tra được khóa: hãy chạy 'dvcq upgrade --db {path.name}' một lần với đúng khóa đã dùng "
                          f"để nạp (DVCQ_SECRET hoặc tệp {KEY_FILE}), rồi nạp lại.")
    secret = load_secret(path.parent, expected)
    if expected is None:
        remember(con, "key_fingerprint", fingerprint(secret))
    return secret


def adopt_key(con: duckdb.DuckDBPyConnection, path: Path) -> str | None:
    """At ``dvcq upgrade``: a warehouse holding records but no key fingerprint takes the fingerprint of the
    key given now (``DVCQ_SECRET``, else the key file beside it; never a new key). Nothing can tell whether
    that key is the one its hashes were made with, so it is trusted; from then on any other key is refused.
    Returns the fingerprint recorded, None when there was none to record."""
    if remembered(con, "key_fingerprint") is not None or not holds_records(con):
        return None
    recorded = fingerprint(load_secret(path.parent, None, create=False))
    remember(con, "key_fingerprint", recorded)
    return recorded


def create_tables(con: duckdb.DuckDBPyConnection) -> bool:
    """Create missing tables, and add the columns a newer schema declares to older warehouses
    (additive changes migrate themselves; the data already loaded is kept: records of a warehouse
    from before the two structures are legacy records). The single-era ``admin_units`` table of
    such warehouses gives way to the unit tables of both eras. A fact table whose columns are not the
    declared ones is recreated as declared (its rows are derived); returns whether any was (or was
    missing): its facts must then be built whole."""
    execute(con, "drop_single_era_units")
    facts_recreated = False
    for table, columns in table_definitions().items():
        if table in FACT_TABLES and [tuple(c) for c in execute(con, "table_columns", {"table": table})] != \
                [(name, sql_type) for name, sql_type, _ in columns]:
            execute(con, "drop_table", {}, {"table": table})
            facts_recreated = True
        execute(con, "create_table", {}, {"table": table, "columns": [Definition(n, t) for n, t, _ in columns]})
        present = dict(execute(con, "table_columns", {"table": table}))
        for name, sql_type, _ in columns:
            if name not in present:
                execute(con, "add_column", {}, {"table": table, "column": Definition(name, sql_type)})
        if table in RECORD_TABLES:
            # A column an older schema stored and this one derives (timeliness: now a fact) goes, so no
            # reader finds two.
            for gone in sorted(RETIRED_COLUMNS & present.keys() - {name for name, _, _ in columns}):
                execute(con, "drop_column", {}, {"table": table, "column": gone})
            if present.get("row_hash") == "VARCHAR":  # an older warehouse's hex hashes become numbers
                execute(con, "row_hash_as_number", {}, {"table": table})
    return facts_recreated


def build_calendar(con: duckdb.DuckDBPyConnection) -> None:
    """Fill ``calendar`` with working days, so working-day arithmetic is a join, not Python."""
    vn = holidays.country_holidays("VN", years=CALENDAR_YEARS, language="vi")
    first, last = dt.date(CALENDAR_YEARS.start, 1, 1), dt.date(CALENDAR_YEARS.stop - 1, 12, 31)
    days = pl.DataFrame([(day, name) for day, name in vn.items() if first <= day <= last],
                        schema={"day": pl.Date, "name": pl.String}, orient="row")
    execute(con, "clear_table", {}, {"table": "calendar"})
    execute(con, "build_calendar", {"first": first, "last": last}, frames={"holidays": days})


def load_unit_tables(con: duckdb.DuckDBPyConnection, province_code: str) -> None:
    """Replace the unit tables with the configured province's units of both eras and the mapping."""
    from pipelines.ingest.admin_units import unit_tables

    for table, frame in unit_tables(province_code).items():
        execute(con, "clear_table", {}, {"table": table})
        execute(con, "unit_table_load", {}, {"table": table}, {"units": frame})


def derive_structures(con: duckdb.DuckDBPyConnection) -> None:
    """Place in both structures (``legacy_code``, ``code_2025``) the records not placed yet: those an
    'adopt' reopened, and those of a warehouse made before records were placed as they were inserted
    (``derive_structures.sql``, with the placement rule the loader's INSERTs use, ``_placement.sql``)."""
    for schema in RECORD_SCHEMAS.values():
        execute(con, "derive_structures", {}, {"table": schema.table})


def create_structure_views(con: duckdb.DuckDBPyConnection) -> None:
    """Schemas ``era_legacy`` and ``era_2025``: the same table names, every record placed in that structure.

    In each, ``admin_units`` lists the structure's communes with the grouping above them
    (``district_*``: the district in the legacy structure, the 'địa bàn huyện cũ' in the 2025 one),
    and each record table's ``commune_code`` is the record's commune in that structure (records
    with none there are left out). Queries run with ``search_path`` set to one of them
    (``pipelines.sql.InStructure``), so the rules are written once for both structures.
    """
    schemas = {"legacy": ERA_SCHEMA["legacy"], "current": ERA_SCHEMA["2025"]}
    execute(con, "structure_units", {}, schemas)
    for era, place in (("legacy", "legacy_code"), ("2025", "code_2025")):
        for schema in RECORD_SCHEMAS.values():
            execute(con, "structure_records", {}, {"schema": ERA_SCHEMA[era], "table": schema.table, "place": place})
        for table in ("dossier_facts", "late_dossiers", "petition_facts", "daily_counts", "monthly_counts"):
            execute(con, "structure_facts", {}, {"schema": ERA_SCHEMA[era], "table": table, "place": place})
    execute(con, "structure_period_counts", {}, schemas)


def is_current(db: str | os.PathLike | None = None, config: DvcqConfig | None = None) -> bool:
    """True when the warehouse has what this version reads (the structure views, the facts, the key's
    fingerprint once it holds records) and its facts were built with the configuration's rules; otherwise
    ``dvcq upgrade`` rebuilds them."""
    with connect_read_only(db) as con:
        tables = {r[0] for r in execute(con, "main_tables")}
        if not {"warehouse_meta", "daily_counts"} <= tables:
            return False
        present = set(execute(con, "main_columns"))
        declared = {(table, name) for table, columns in table_definitions().items() for name, _, _ in columns}
        if not declared <= present:  # a column this version reads (e.g. first_loaded_at) is not there yet
            return False
        if remembered(con, "key_fingerprint") is None and holds_records(con):
            return False
        return remembered(con, "facts_rules") == rules_fingerprint(config or load_config())


def connect_read_only(db: str | os.PathLike | None = None) -> duckdb.DuckDBPyConnection:
    path = resolve_db_path(db)
    if not path.exists():
        raise FileNotFoundError(f"Chưa có kho dữ liệu {path}: hãy chạy 'dvcq ingest' trước.")
    return _open(path, read_only=True)


def warehouse_version(db: str | os.PathLike | None = None) -> str:
    """Changes with every publish (the replace gives a new inode and mtime); '' when absent."""
    path = resolve_db_path(db)
    try:
        st = path.stat()
    except FileNotFoundError:
        return ""
    return f"{st.st_ino}-{st.st_mtime_ns}-{st.st_size}"


@contextlib.contextmanager
def publishing(db: str | os.PathLike | None = None, province_code: str | None = None,
               config: DvcqConfig | None = None, incremental: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    """Yield a read-write connection to a private copy; publish it atomically on success.

    The copy has every table, the working-day calendar and, when ``province_code`` is given
    and the unit tables are empty or hold another province, that province's units of both eras.
    Before publishing, every record is placed in both structures, the structure views are made,
    the facts are brought up to date with the configuration's rules (``pipelines.ingest.facts``) and every
    table passes its schema tests (``pipelines.ingest.checks``): a failed one refuses the publish in one line.

    The facts are built again only where the records changed (``facts.update_facts``) when the caller says
    every write it made went through the loader, which logs them (``incremental``: ``dvcq ingest`` and the
    upload page, through ``pipelines.ingest.pipeline.ingest_files``), and the facts stored are those of this
    version's rules on these units and calendar. They are built whole (``facts.build_facts``) otherwise:
    a caller that writes records itself (``dvcq upgrade``, tests) logs nothing, nor does anything that wrote the
    live file since the last publish (its version is not the one the lock file kept); facts built with other rules
    (a changed configuration, SQL or codes table: ``facts_rules`` differs) or none yet; a fact table
    recreated with other columns; the unit tables loaded for another province or the calendar built, which
    every fact and period row reads.
    """
    path = resolve_db_path(db)
    path.parent.mkdir(parents=True, exist_ok=True)
    lock_path = path.with_name(path.name + ".lock")
    with open(lock_path, "a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        # The lock file holds the version the last publish left (warehouse_version): a live file that differs was
        # written by something else since (a hand edit), which no log saw: its facts are built and tested whole.
        lock.seek(0)
        incremental = incremental and lock.read().strip() == warehouse_version(path) != ""
        # Holding the lock, no other publish runs: copies left by a failed or killed one are garbage.
        # DuckDB spills to a folder beside its file (``<copy>.tmp``), which a killed run leaves too.
        for leftover in path.parent.glob(f"{path.name}.tmp-*"):
            if leftover.is_dir() and not leftover.is_symlink():
                shutil.rmtree(leftover)
            else:
                leftover.unlink(missing_ok=True)
        staging = path.with_name(f"{path.name}.tmp-{os.getpid()}")
        if path.exists():
            try:
                shutil.copyfile(path, staging)
            except BaseException:  # a full disk mid-copy: the half copy goes now, not at the next ingest
                staging.unlink(missing_ok=True)
                raise
        try:
            con = _open(staging, read_only=False, config={"memory_limit": PUBLISH_MEMORY_LIMIT})
        except BaseException as exc:  # a foreign, damaged or truncated copy: it goes, the live file stays
            staging.unlink(missing_ok=True)
            staging.with_name(staging.name + ".wal").unlink(missing_ok=True)
            if isinstance(exc, WarehouseError):
                raise WarehouseError(f"tệp kho dữ liệu {path} bị hỏng hoặc không phải kho DuckDB: hãy khôi phục từ bản "
                                     "sao lưu, hoặc nạp lại dữ liệu vào một kho mới (--db)") from None
            raise
        try:
            config = config or load_config()
            incremental = create_tables(con) is False and incremental
            if execute(con, "calendar_days")[0][0] == 0:
                build_calendar(con)
                incremental = False
            if province_code is not None and remembered(con, "unit_province") != province_code:
                load_unit_tables(con, province_code)
                remember(con, "unit_province", province_code)
                incremental = False
            incremental = incremental and remembered(con, "facts_rules") == rules_fingerprint(config)
            start_change_log(con)
            yield con
            derive_structures(con)
            create_structure_views(con)  # before the facts: period_counts is built in each structure
            (update_facts if incremental else build_facts)(con, config)
            remember(con, "facts_rules", rules_fingerprint(config))
            # the keys, not-null columns and codes (pipelines.ingest.checks): of the rows an incremental publish wrote
            failures = failed_tests(con, changed_only=incremental)
            execute(con, "fact_changes_end")
            if failures:
                raise WarehouseError(f"không thay kho dữ liệu vì bản mới không đạt kiểm tra: {'; '.join(failures)}. "
                                     "Kho dữ liệu đang dùng không bị thay đổi")
            execute(con, "checkpoint")
            con.close()
            with open(staging, "rb") as fh:
                os.fsync(fh.fileno())
            os.replace(staging, path)
            lock.seek(0)
            lock.truncate()
            lock.write(warehouse_version(path))
            lock.flush()
        except BaseException:
            con.close()
            staging.unlink(missing_ok=True)
            staging.with_name(staging.name + ".wal").unlink(missing_ok=True)
            raise
