"""The dvcq command line answers bad input with one clear line and a non-zero exit, never a traceback."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

import pytest

from schemas.config import ALL_RATES

from pipelines.ingest.warehouse import publishing


@pytest.fixture(scope="module")
def empty_db(tmp_path_factory):
    db = tmp_path_factory.mktemp("cli") / "w.duckdb"
    with publishing(db, "38"):
        pass
    return db


def dvcq(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pipelines.cli", *args], capture_output=True, text=True)


@pytest.mark.parametrize("args, message", [
    (["indicators", "--from", "2025-06-01", "--to", "2025-01-01"], "kỳ không hợp lệ: từ 01/06/2025 sau đến 01/01/2025"),
    (["backlog", "--as-of", "2025-13-01"], "ngày không hợp lệ '2025-13-01'"),
    (["flags", "--level", "xa"], "invalid choice"),
])
def test_bad_options(empty_db, args, message):
    done = dvcq(*args, "--db", str(empty_db))
    assert done.returncode == 2 and message in done.stderr and "Traceback" not in done.stderr


def test_missing_warehouse_and_configuration(tmp_path):
    done = dvcq("indicators", "--db", str(tmp_path / "khong_co.duckdb"))
    assert done.returncode == 2 and "Chưa có kho dữ liệu" in done.stderr and "Traceback" not in done.stderr
    done = dvcq("--config", str(tmp_path / "khong_co.toml"), "quarantine", "--db", str(tmp_path / "x.duckdb"))
    assert done.returncode == 2 and "Không tìm thấy tệp cấu hình" in done.stderr


@pytest.mark.parametrize("options, communes", [
    ((), 166),                                   # an empty warehouse's period ends today: the 2025 structure
    (("--units", "2025", "--to", "2025-07-01"), 166),
    (("--to", "2025-06-30"), 547),               # a period ending before the reform: the legacy structure
    (("--units", "legacy"), 547),
])
def test_empty_warehouse_gives_every_commune_with_no_value(empty_db, options, communes):
    done = dvcq("indicators", "--db", str(empty_db), "--format", "csv", *options)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("unit_code,unit_name,indicator,numerator,denominator,value,ci_low,ci_high,target")
    assert len(lines) == 1 + communes * 14  # every commune x (12 indicators + hai_long + composite)
    assert len({line.split(",")[0] for line in lines[1:]}) == communes
    # nothing sent: the dialogue and thanks quotas every commune owes are 0 % met, and the composite rests on
    # the 10 indicators it must show at 0 points; the rest N/A; never 100
    values = {(line.split(",")[2], line.split(",")[5]) for line in lines[1:]}
    assert values == {("biet_nghe", "0.0"), ("biet_cam_on", "0.0"), ("composite", "0.0"),
                      *((rate, "") for rate in ALL_RATES if rate not in ("biet_nghe", "biet_cam_on"))}


def test_a_level_the_structure_lacks_is_a_user_error(empty_db):
    done = dvcq("indicators", "--db", str(empty_db), "--level", "district", "--units", "2025")
    assert done.returncode == 2 and "--level area" in done.stderr and "Traceback" not in done.stderr
    areas = dvcq("indicators", "--db", str(empty_db), "--level", "area", "--format", "csv")
    assert areas.returncode == 0 and {line.split(",")[9] for line in areas.stdout.splitlines()[1:]} == {"area"}


def test_upgrade_brings_an_older_warehouse_up_to_date(tmp_path):
    """A warehouse from before the two eras (admin_units, records without unit_era) keeps its records
    as legacy ones and gains the unit tables and structure views."""
    import duckdb

    db = tmp_path / "old.duckdb"
    with duckdb.connect(str(db)) as con:
        con.execute("CREATE TABLE admin_units (commune_code VARCHAR, province_code VARCHAR)")
        con.execute("CREATE TABLE dossiers (commune_code VARCHAR, dossier_id VARCHAR, received_date DATE, "
                    "due_date DATE, completed_date DATE, status VARCHAR, timeliness VARCHAR)")
        con.execute("INSERT INTO dossiers VALUES ('15304', 'X1', DATE '2024-03-01', DATE '2024-03-05', "
                    "DATE '2024-03-04', 'completed', 'early')")
    done = dvcq("upgrade", "--db", str(db))
    assert done.returncode == 0 and "Đã cập nhật" in done.stdout, done.stderr
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT commune_code, unit_era, legacy_code, code_2025 FROM main.dossiers").fetchall() == [
            ("15304", "legacy", "15304", "15271")]
        assert con.execute("SELECT count(*) FROM era_2025.admin_units").fetchall() == [(166,)]
        # the counts of the stored periods, for every commune of both structures: March, Q1 and 2024 as of
        # the data's last day (04/03/2024), and March and the year to that day
        assert con.execute("SELECT era, count(DISTINCT (date_from, date_to, as_of)), count(*) FROM main.period_counts "
                           "GROUP BY era ORDER BY era").fetchall() == [("2025", 5, 5 * 166), ("legacy", 5, 5 * 547)]
        assert con.execute("SELECT date_from, dossiers_completed FROM era_2025.period_counts WHERE commune_code = "
                           "'15271' AND date_to = DATE '2024-03-04' ORDER BY 1").fetchall() == [
            (dt.date(2024, 1, 1), 1), (dt.date(2024, 3, 1), 1)]
    again = dvcq("upgrade", "--db", str(db))
    assert again.returncode == 0 and "đã ở phiên bản hiện tại" in again.stdout


def test_the_table_format_is_readable_vietnamese_and_agrees_with_csv():
    """--format table: Vietnamese headers, 1.234,5 numbers, the rank or 'chưa xếp hạng'; same figures as CSV."""
    import csv
    import io

    from tests.dashboard_fixtures import dashboard_db
    db = str(dashboard_db())
    table = dvcq("indicators", "--db", db, "--level", "area", "--format", "table")
    machine = dvcq("indicators", "--db", db, "--level", "area", "--format", "csv")
    assert table.returncode == 0 and machine.returncode == 0, table.stderr + machine.stderr
    head = table.stdout.splitlines()[1]
    assert [h.strip() for h in head.strip("│").split("┆")] == ["Đơn vị", "Chỉ số", "Tử số", "Mẫu số", "Giá trị (%)",
                                                               "Khoảng tin cậy 95 %", "Chỉ tiêu (%)", "Hạng"]
    cells = [[c.strip() for c in line.strip("│").split("┆")] for line in table.stdout.splitlines()[3:-1]]
    rows = list(csv.DictReader(io.StringIO(machine.stdout)))
    assert len(cells) == len(rows) > 0
    def vn(text: str, decimals: int) -> str:
        return "" if text == "" else f"{float(text):,.{decimals}f}".replace(",", " ").replace(".", ",").replace(" ", ".")
    for shown, row in zip(cells, rows):
        assert (shown[0], shown[2], shown[3]) == (row["unit_name"], vn(row["numerator"], 0), vn(row["denominator"], 0))
        assert shown[4] == (vn(row["value"], 1) or ("chưa gửi (0 điểm)" if row["missing"] == "not_sent" else "N/A"))
        assert shown[7] == (row["rank_province"] if row["ranked"] == "true" else "chưa xếp hạng")


def test_quiet_ingest_prints_the_totals_and_only_what_needs_attention(tmp_path):
    """`dvcq ingest --quiet` (what scripts/start.sh runs on the ~600 sample files): no line per good file;
    the unreadable file, the totals and where to read the quarantine."""
    from tests.ingest_fixtures import write_csv

    folder = tmp_path / "xuat"
    folder.mkdir()
    for name in ("ho_so_thi_tran_ha_trung_2024.csv", "ho_so_xa_ha_long_2024.csv"):
        write_csv(folder / name, [["Mã hồ sơ", "Ngày tiếp nhận", "Ngày hẹn trả"], ["A1", "03/03/2024", "06/03/2024"],
                                  ["A2", "31/02/2024", "06/03/2024"]])
    (folder / "hong.xlsx").write_bytes(b"PK\x03\x04 not a workbook")
    db = tmp_path / "w.duckdb"
    done = dvcq("ingest", str(folder), "--db", str(db), "--quiet")
    lines = done.stdout.splitlines()
    assert done.returncode == 1  # a file could not be read
    assert len(lines) == 3 and "hong.xlsx" in lines[0]
    assert lines[1].startswith("Tổng: 2 bảng, đọc 4 = thêm 2 + cập nhật 0 + không đổi 0 + cũ hơn bản đã có 0 + cách ly 2")
    assert lines[2].startswith("2 dòng ở 2 tệp bị cách ly kèm lý do: xem bằng dvcq quarantine --db")


def test_ingest_counts_are_written_the_vietnamese_way(tmp_path):
    """Counts above a thousand are printed 1.234, as the officials who read them write numbers."""
    from tests.ingest_fixtures import write_csv

    rows = [[f"A{i}", "03/03/2024", "06/03/2024"] for i in range(1_200)] + [["B1", "31/02/2024", "06/03/2024"]]
    write_csv(tmp_path / "ho_so_thi_tran_ha_trung_2024.csv", [["Mã hồ sơ", "Ngày tiếp nhận", "Ngày hẹn trả"], *rows])
    done = dvcq("ingest", str(tmp_path / "ho_so_thi_tran_ha_trung_2024.csv"), "--db", str(tmp_path / "w.duckdb"))
    lines = done.stdout.splitlines()
    assert done.returncode == 0
    assert "| đọc 1.201 = thêm 1.200 + cập nhật 0 + không đổi 0 + cũ hơn bản đã có 0 + cách ly 1" in lines[0]
    assert lines[1].startswith("Tổng: 1 bảng, đọc 1.201 = thêm 1.200 + cập nhật 0 + không đổi 0 + cũ hơn bản đã có 0 + cách ly 1;")


def test_readme_names_every_command_and_its_options():
    """Issue 19: the README never mentioned ``dvcq report``. Every subcommand of ``dvcq`` is shown there as
    ``dvcq NAME``, and every option of ``report`` is written in its usage line."""
    import argparse
    from pathlib import Path

    from pipelines.cli.main import build_parser

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    commands = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction)).choices
    assert [name for name in commands if f"dvcq {name}" not in readme] == []
    usage = next(line for line in readme.splitlines() if line.startswith(".venv/bin/dvcq report "))
    options = [o for a in commands["report"]._actions for o in a.option_strings if o.startswith("--")]
    assert [o for o in options if o not in usage] == ["--help"]
