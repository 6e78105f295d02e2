"""The SQL explorer's sandbox: reads the warehouse, refuses file access, ATTACH, COPY TO, SET, INSTALL, writes."""

from __future__ import annotations

import pytest

from dashboard import sandbox
from tests.dashboard_fixtures import dashboard_db, sql_one


@pytest.fixture(scope="module")
def path():
    return str(dashboard_db())


@pytest.fixture(scope="module")
def con(path):
    c = sandbox.open_sandbox(path)
    yield c
    c.close()


def test_reads_the_warehouse(path):
    result = sandbox.run(path, "SELECT count(*) AS n FROM dossiers;")
    assert result.frame.item() == sql_one("SELECT count(*) FROM main.dossiers")
    assert not result.truncated


def test_a_query_ending_in_a_comment_works(path):
    result = sandbox.run(path, "SELECT count(*) AS n FROM era_2025.dossiers -- hồ sơ theo cấu trúc mới")
    assert result.frame.item() == sql_one("SELECT count(*) FROM era_2025.dossiers")


@pytest.mark.parametrize("query,words", [
    ("SELEC count(*) FROM dossiers", "Câu lệnh SQL không đọc được. Lỗi cú pháp: sai cú pháp gần «SELEC»"),
    ("SELECT nope FROM dossiers", "Lỗi tên cột hoặc kiểu: không có cột «nope» trong các bảng ở FROM"),
    ("SELECT * FROM ho_so", "Lỗi tên bảng hoặc hàm: không có bảng «ho_so»"),
])
def test_duckdb_errors_are_said_in_vietnamese(path, query, words):
    with pytest.raises(sandbox.SandboxError) as caught:
        sandbox.run(path, query)
    message = str(caught.value)
    assert words in message and "Error" not in message and "LINE" not in message


@pytest.mark.parametrize("query", ["SELECT * FROM duckdb_databases()", "SELECT path FROM duckdb_databases() d",
                                   "SELECT * FROM duckdb_settings()", "SELECT current_setting('temp_directory')",
                                   "SELECT * FROM pragma_database_list"])
def test_server_paths_do_not_show(path, query):
    with pytest.raises(sandbox.SandboxError, match="đường dẫn, cấu hình"):
        sandbox.run(path, query)


def test_a_query_beyond_memory_is_stopped_in_its_own_process(path):
    """Issue 8.4: 3 x 19 MB strings x 100 rows once took the server to 5.9 GB."""
    import resource
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(sandbox.SandboxError, match="bộ nhớ|quá lớn"):
        sandbox.run(path, "SELECT repeat('x',19000000) a, repeat('y',19000000) b, repeat('z',19000000) c "
                          "FROM range(100)")
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 200_000  # KiB: not in this process


def test_a_slow_function_is_killed_at_the_time_limit(path):
    import time
    started = time.perf_counter()
    with pytest.raises(sandbox.SandboxError, match="quá 2 giây"):
        sandbox.run(path, "SELECT levenshtein(repeat('a',150000), repeat('b',150000)||'c')", timeout_s=2)
    assert time.perf_counter() - started < 6


@pytest.mark.parametrize("query", [
    "SELECT * FROM read_csv('/etc/passwd')",
    "SELECT * FROM read_text('/etc/passwd')",
    "SELECT * FROM '/etc/passwd'",
    "SELECT * FROM glob('/etc/*')",
])
def test_refuses_file_access(path, query):
    with pytest.raises(sandbox.SandboxError) as refused:
        sandbox.run(path, query)
    assert "root:" not in str(refused.value)  # no line of the file leaks into the message


@pytest.mark.parametrize("query", [
    "ATTACH '/tmp/other.duckdb' AS other",
    "COPY dossiers TO '/tmp/leak.csv'",
    "COPY (SELECT * FROM dossiers) TO '/tmp/leak.parquet' (FORMAT parquet)",
    "SET enable_external_access = true",
    "SET threads = 1",
    "RESET lock_configuration",
    "INSTALL spatial",
    "LOAD spatial",
    "PRAGMA enable_profiling",
    "INSERT INTO dossiers (dossier_id) VALUES ('x')",
    "UPDATE dossiers SET status = 'completed'",
    "DELETE FROM dossiers",
    "DROP TABLE dossiers",
    "CREATE TABLE t AS SELECT 1",
    "CREATE TEMP TABLE t AS SELECT 1",
    "EXPORT DATABASE '/tmp/x'",
    "DETACH warehouse",
    "SELECT 1; DELETE FROM dossiers",
])
def test_refuses_statements(path, query):
    with pytest.raises(sandbox.SandboxError):
        sandbox.run(path, query)
    assert sql_one("SELECT count(*) FROM main.dossiers") > 0


@pytest.mark.parametrize("statement", [
    "SELECT * FROM read_csv('/etc/passwd')",
    "ATTACH '/tmp/other.duckdb' AS other",
    "COPY dossiers TO '/tmp/leak.csv'",
    "SET enable_external_access = true",
    "SET threads = 1",
    "INSTALL spatial",
    "CREATE TABLE dossiers2 AS SELECT 1",
    "DELETE FROM dossiers",
])
def test_connection_itself_refuses(con, statement, tmp_path):
    """Second layer: even with the statement check bypassed, the sandboxed connection refuses."""
    import duckdb

    with pytest.raises(duckdb.Error):
        con.cursor().execute("USE warehouse").execute(statement).fetchall()
    assert not (tmp_path / "leak.csv").exists()


def test_row_limit(path):
    result = sandbox.run(path, "SELECT * FROM range(50)", max_rows=10)
    assert len(result.frame) == 10 and result.truncated


def test_time_limit(path):
    with pytest.raises(sandbox.SandboxError, match="quá"):
        sandbox.run(path, "SELECT count(*) FROM range(100000000) a, range(100000) b WHERE a.range + b.range = -1",
                    timeout_s=1.5)


def test_builder_checks_identifiers():
    cols = {"kind", "commune_code", "received_date"}
    sql = sandbox.build_query("petitions", cols, ["district_name", "kind"], "count", None,
                              [("kind", "=", "complaint'; DROP TABLE x; --")], structure="era_2025")
    assert "'complaint''; DROP TABLE x; --'" in sql
    assert 'FROM era_2025."petitions" t LEFT JOIN era_2025.admin_units' in sql
    with pytest.raises(sandbox.SandboxError):  # names come with a structure only
        sandbox.build_query("petitions", cols, ["district_name"], "count", None, [])
    with pytest.raises(sandbox.SandboxError):
        sandbox.build_query("petitions", cols, ["petitioner"], "count", None, [])
