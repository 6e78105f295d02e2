"""The warehouse's schema tests at publish: every table declares its key, and a copy whose keys repeat, whose
required columns are empty or whose codes are outside their vocabulary is not published: one Vietnamese line
names the table, the column and how many rows, never a value, and the live warehouse is left as it was."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from pipelines.cli.main import main
from pipelines.ingest.checks import column_tests_sql
from pipelines.ingest.warehouse import WarehouseError, publishing
from pipelines.sql import UndeclaredIdentifier, render
from schemas.warehouse import TableTests, table_definitions, table_tests
from tests.engine_fixtures import D, build_warehouse, dossier

SECRET = "kiem-thu-" + "0123456789abcdef" * 3
KEPT = ". Kho dữ liệu đang dùng không bị thay đổi"
REFUSED = "không thay kho dữ liệu vì bản mới không đạt kiểm tra: "


def test_every_table_declares_a_key_of_its_own_columns():
    tests, tables = table_tests(), table_definitions()
    assert list(tests) == list(tables)
    for table, declared in tests.items():
        columns = {name for name, _, _ in tables[table]}
        named = {*declared.key, *declared.not_null, *declared.accepted}
        assert declared.key and named <= columns, (table, sorted(named - columns))
    assert tests["dossiers"].key == ("commune_code", "unit_era", "dossier_id")
    assert tests["dossiers"].accepted["status"] == ("pending", "completed", "returned", "withdrawn")
    assert tests["surveys"].accepted["overall"] == ("5", "4", "3", "2", "1")
    assert tests["units_2025"].not_null == ("commune_code", "commune_name", "commune_short_name", "commune_type",
                                            "province_code", "province_name", "area_code", "area_name")


def test_the_tests_quote_every_identifier_bind_the_codes_and_refuse_an_undeclared_name():
    tests = TableTests(key=("commune_code", "dossier_id"), not_null=("received_date",), accepted={"status": ("x", "y")})
    assert render("duplicate_keys", {"table": "dossiers", "key": tests.key}).splitlines()[-1] == (
        'SELECT COALESCE(sum(n), 0)::BIGINT FROM (SELECT count(*) AS n FROM main."dossiers" '
        'GROUP BY "commune_code", "dossier_id" HAVING count(*) > 1)')
    assert column_tests_sql("dossiers", tests) == (
        'SELECT count(*) FILTER ("received_date" IS NULL), '
        'count(*) FILTER (NOT list_contains($codes_0::VARCHAR[], "status"::VARCHAR)) FROM main."dossiers"',
        {"codes_0": ["x", "y"]})
    with pytest.raises(UndeclaredIdentifier, match="'b\"c' is not a table, column or schema declared"):
        column_tests_sql("dossiers", TableTests(key=("dossier_id",), not_null=('b"c',)))
    with pytest.raises(UndeclaredIdentifier, match="'t1' is not a table, column or schema declared"):
        render("duplicate_keys", {"table": "t1", "key": tests.key})


# One dossier of commune 15271, received 04/03/2024, due 08/03, completed 06/03 (early: never late, so not in
# late_dossiers); each statement spoils the copy being published, and the record's facts follow it.
@pytest.mark.parametrize("spoil, found", [
    ("INSERT INTO dossiers SELECT * FROM dossiers",
     "bảng dossiers: 2 dòng trùng khóa (commune_code, unit_era, dossier_id); "
     "bảng dossier_facts: 2 dòng trùng khóa (legacy_code, code_2025, dossier_id)"),
    ("UPDATE dossiers SET received_date = NULL",
     # the daily rollup counts its receipt on no day: one row without a day
     "bảng dossiers, cột received_date: 1 dòng để trống; bảng dossier_facts, cột received_date: 1 dòng để trống; "
     "bảng daily_counts, cột day: 1 dòng để trống"),
    ("UPDATE dossiers SET channel = 'fax'",
     "bảng dossiers, cột channel: 1 dòng có mã ngoài danh mục; "
     "bảng dossier_facts, cột channel: 1 dòng có mã ngoài danh mục"),
    ("UPDATE dossiers SET unit_era = '2026'", "bảng dossiers, cột unit_era: 1 dòng có mã ngoài danh mục"),
    ("INSERT INTO warehouse_meta VALUES ('unit_province', '38')", "bảng warehouse_meta: 2 dòng trùng khóa (name)"),
    # a split commune's second successor (not its default: no structure places a record through it)
    ("INSERT INTO unit_successors SELECT * FROM unit_successors WHERE NOT is_default LIMIT 1",
     "bảng unit_successors: 2 dòng trùng khóa (legacy_code, code_2025)"),
], ids=["duplicate", "empty", "unknown-code", "unknown-era", "meta", "units"])
def test_a_copy_failing_a_test_is_not_published(tmp_path, template_root, spoil, found):
    db = build_warehouse(tmp_path, template_root, {"dossier": [
        dossier("15271", "A1", D(2024, 3, 4), D(2024, 3, 8), D(2024, 3, 6))]})
    before = db.read_bytes()
    with pytest.raises(WarehouseError) as refused:
        with publishing(db, "38") as con:
            con.execute(spoil)
    assert str(refused.value) == REFUSED + found + KEPT
    assert db.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["w.duckdb", "w.duckdb.lock"]


def test_dvcq_ingest_refuses_to_publish_a_warehouse_whose_records_repeat(tmp_path, monkeypatch, capsys):
    """The whole path: a warehouse whose record was written twice (by hand, or by a loader's bug) is refused at
    the next ingest in one line on stderr, naming no record id; the live file stays as it was."""
    monkeypatch.setenv("DVCQ_SECRET", SECRET)
    db = tmp_path / "w.duckdb"
    first, second = tmp_path / "ho_so_1.csv", tmp_path / "ho_so_2.csv"
    first.write_text("Mã hồ sơ;Ngày tiếp nhận;Ngày hẹn trả;Ngày trả kết quả\n"
                     "15271.240304.00001;04/03/2024;08/03/2024;06/03/2024\n", encoding="utf-8")
    second.write_text("Mã hồ sơ;Ngày tiếp nhận;Ngày hẹn trả\n15271.240305.00002;05/03/2024;12/03/2024\n",
                      encoding="utf-8")
    assert main(["ingest", str(first), "--db", str(db), "--commune", "15271"]) == 0
    with duckdb.connect(str(db)) as con:
        con.execute("INSERT INTO dossiers SELECT * FROM dossiers")
    before = db.read_bytes()
    capsys.readouterr()
    assert main(["ingest", str(second), "--db", str(db), "--commune", "15271"]) == 2
    assert capsys.readouterr().err == (
        "dvcq: lỗi: " + REFUSED + "bảng dossiers: 2 dòng trùng khóa (commune_code, unit_era, dossier_id); "
        "bảng dossier_facts: 2 dòng trùng khóa (legacy_code, code_2025, dossier_id)" + KEPT + "\n")
    assert db.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ho_so_1.csv", "ho_so_2.csv", "w.duckdb", "w.duckdb.lock"]
