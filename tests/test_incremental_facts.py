"""Incremental facts: after any sequence of small publishes, every fact table equals the one built whole.

A publish builds again only the facts the records it changed count on (``pipelines.ingest.facts.update_facts``).
These tests start from a warehouse of the legacy communes' exports of a generated sample (``pipelines.sample``:
three communes, the year before and after the reform), then publish, in an order and grouping hypothesis
draws, the rest of that sample (the new communes' exports: new months and dossiers handed over at the reform;
legacy exports held back, whose dossiers their successors sent first) and files made from what the warehouse
holds then: corrections of old dossiers, a late apology for a dossier completed late, a month past the data's
last day and that month re-sent with earlier dates (the last day moves forward, then back). After every
publish each fact table is compared with a copy whose facts are built whole: ``EXCEPT ALL`` both ways is empty
and the row counts are equal.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipelines.ingest import warehouse
from pipelines.ingest.facts import build_facts
from pipelines.ingest.pipeline import ingest_files
from pipelines.ingest.warehouse import create_structure_views, warehouse_version
from pipelines.sample import generate
from schemas.config import load_config
from schemas.warehouse import FACT_TABLES
from tests.ingest_fixtures import write_csv

REPO = Path(__file__).resolve().parents[1]
# Legacy exports kept out of the first warehouse and published later: their dossiers run past the reform, so
# the successor's export has sent some of them first ('adopt': the stored record learns its predecessor).
HELD_BACK = ("ho_so_phuong_truong_son_2025_xuat_20250701.csv", "Bao cao ho so TTHC 2025 (8).xlsx")
DOSSIER_HEADER = ["Mã hồ sơ", "Mã xã", "Lĩnh vực", "Tên thủ tục", "Hình thức nộp", "Ngày tiếp nhận", "Ngày hẹn trả",
                  "Ngày trả kết quả", "Trạng thái"]


def _date(day: dt.date | None) -> str:
    return f"{day:%d/%m/%Y}" if day else ""


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    """The generated sample and the warehouse of its legacy exports (facts built whole)."""
    root = tmp_path_factory.mktemp("incremental")
    result = generate(root / "files", communes=3, years=1, seed=3)
    first = [p for p in result.paths if result.files[p.name][0] == "legacy" and p.name not in HELD_BACK]
    later = sorted(p for p in result.paths if p not in first)
    base = root / "base.duckdb"
    ingest_files(first, db=base)
    return base, later


def copy_published(source: Path, db: Path) -> None:
    """A copy of a published warehouse that the next publish may update incrementally: its lock file keeps the
    copy's version, as a publish leaves it (any other file is taken as written by hand: built whole)."""
    shutil.copyfile(source, db)
    db.with_name(db.name + ".lock").write_text(warehouse_version(db))


def fact_differences(db: Path) -> dict[str, tuple[int, int, int, int]]:
    """Per fact table that differs from the one built whole on a copy: (rows only here, rows only there, rows
    here, rows there)."""
    whole = db.with_name(db.stem + "-whole.duckdb")
    shutil.copyfile(db, whole)
    with duckdb.connect(str(whole)) as con:
        create_structure_views(con)
        build_facts(con, load_config())
    differences = {}
    with duckdb.connect() as con:
        con.execute(f"ATTACH '{db}' AS inc (READ_ONLY)")
        con.execute(f"ATTACH '{whole}' AS whole (READ_ONLY)")
        for table in FACT_TABLES:
            here, there = (f"SELECT * FROM {side}.main.{table}" for side in ("inc", "whole"))
            counts = (con.execute(f"SELECT count(*) FROM ({here} EXCEPT ALL {there})").fetchone()[0],
                      con.execute(f"SELECT count(*) FROM ({there} EXCEPT ALL {here})").fetchone()[0],
                      con.execute(f"SELECT count(*) FROM inc.main.{table}").fetchone()[0],
                      con.execute(f"SELECT count(*) FROM whole.main.{table}").fetchone()[0])
            if counts[:2] != (0, 0) or counts[2] != counts[3]:
                differences[table] = counts
    whole.unlink()
    return differences


# Files made from what the warehouse holds when they are published (each takes the warehouse, a folder to write
# in, a number hypothesis draws and the step's index; returns the file and the structure it is read in).

def correction(db: Path, out: Path, pick: int, index: int) -> tuple[Path, str]:
    """A legacy commune's re-export of some of its stored dossiers, changed: those pending now completed late,
    the others with a later completion (still before the reform), one of them withdrawn."""
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute(
            "SELECT dossier_id, commune_code, received_date, due_date, completed_date, status FROM main.dossiers "
            "WHERE unit_era = 'legacy' AND received_date < DATE '2025-05-01' ORDER BY commune_code, dossier_id").fetchall()
    chosen = rows[pick % len(rows)::max(1, len(rows) // 7)][:6]
    lines = [DOSSIER_HEADER]
    for number, (dossier, commune, received, due, completed, status) in enumerate(chosen):
        due = due or received + dt.timedelta(days=5)
        done = min(max(completed or due, due) + dt.timedelta(days=3 + pick % 5), dt.date(2025, 6, 30))
        word = "Rút hồ sơ" if number == 0 else "Đã trả kết quả"
        lines.append([dossier, commune, "Hộ tịch", "Đăng ký khai sinh", "Trực tiếp", _date(received), _date(due),
                      _date(done), word])
    return write_csv(out / f"sua_ho_so_{index}.csv", lines), "legacy"


def late_apology(db: Path, out: Path, pick: int, index: int) -> tuple[Path, str]:
    """An apology letter naming a dossier completed late, sent after its completion (it counts for a period
    of that completion only from its own day on), by the dossier's commune."""
    with duckdb.connect(str(db), read_only=True) as con:
        late = con.execute(
            "SELECT f.dossier_id, d.commune_code, d.unit_era, f.completed_date FROM main.dossier_facts f "
            "JOIN main.dossiers d USING (dossier_id, code_2025) WHERE f.timeliness = 'late' "
            "ORDER BY f.dossier_id, d.commune_code").fetchall()
    dossier, commune, era, completed = late[pick % len(late)]
    sent = completed + dt.timedelta(days=1 + pick % 20)
    lines = [["Số thư", "Mã xã", "Loại thư", "Ngày gửi", "Mã hồ sơ"],
             [f"XL-{index}-{pick}", commune, "Thư xin lỗi", _date(sent), dossier]]
    return write_csv(out / f"thu_xin_loi_{index}.csv", lines), era


def _new_month_rows(last: dt.date, commune: str, pick: int, shift: int) -> list[list[str]]:
    rows = []
    for number in range(8):
        received = last + dt.timedelta(days=1 + number * 4 - shift)
        due = received + dt.timedelta(days=5)
        done = received + dt.timedelta(days=2 + (number + pick) % 9) if number % 3 else None
        rows.append([f"NM-{pick}-{number}", commune, "Chứng thực", "Chứng thực bản sao", "Trực tuyến",
                     _date(received), _date(due), _date(done), "Đã trả kết quả" if done else "Đang giải quyết"])
    return rows


def new_month(db: Path, out: Path, pick: int, index: int) -> tuple[Path, str]:
    """A new commune's dossiers of the month after the data's last day (which moves forward), some completed
    late, some still pending (overdue by the new last day)."""
    with duckdb.connect(str(db), read_only=True) as con:
        last = con.execute("SELECT MAX(received_date) FROM main.dossiers").fetchone()[0]
        communes = [c for (c,) in con.execute("SELECT DISTINCT commune_code FROM main.dossiers WHERE unit_era = '2025' "
                                              "ORDER BY 1").fetchall()] or ["15316"]
    commune = communes[pick % len(communes)]
    lines = [DOSSIER_HEADER, *_new_month_rows(last, commune, pick, 0)]
    return write_csv(out / f"thang_moi_{index}.csv", lines), "2025"


def new_month_resent(db: Path, out: Path, pick: int, index: int) -> tuple[Path, str]:
    """The latest new month's dossiers sent again with dates 40 days earlier: the data's last day moves back
    (nothing else reached it)."""
    with duckdb.connect(str(db), read_only=True) as con:
        sent = con.execute("SELECT dossier_id, commune_code, received_date FROM main.dossiers WHERE dossier_id LIKE "
                           "'NM-%-0' ORDER BY received_date DESC LIMIT 1").fetchall()
    if not sent:
        return new_month(db, out, pick, index)
    dossier, commune, received = sent[0]
    tag = int(dossier.split("-")[1])
    lines = [DOSSIER_HEADER, *_new_month_rows(received - dt.timedelta(days=1), commune, tag, 40)]
    return write_csv(out / f"thang_moi_gui_lai_{index}.csv", lines), "2025"


MADE = {"correction": correction, "late_apology": late_apology, "new_month": new_month,
        "new_month_resent": new_month_resent}


@settings(max_examples=3, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_incremental_facts_equal_the_facts_built_whole(sample, tmp_path_factory, data):
    base, later = sample
    work = tmp_path_factory.mktemp("publishes")
    db = work / "dvcq.duckdb"
    copy_published(base, db)
    # every kind of change at least once (new months and the reform's hand-over come with the sample's files),
    # in an order hypothesis draws, with a few of the sample's files between them
    files = data.draw(st.lists(st.sampled_from(later), min_size=1, max_size=3, unique=True), label="sample files")
    made = ["correction", "late_apology", "new_month", "new_month_resent", *data.draw(
        st.lists(st.sampled_from(sorted(MADE)), max_size=1), label="more changes")]
    steps = data.draw(st.permutations([*files, *made]), label="order")
    sizes = data.draw(st.lists(st.integers(1, 2), min_size=len(steps), max_size=len(steps)), label="files a publish")
    at = 0
    # pending dossiers a newer export no longer lists are closed (the loader's third way of changing a record)
    config = load_config()
    config = config.model_copy(update={"ingest": config.ingest.model_copy(update={"missing_from_newer_export": "close"})})
    while at < len(steps):
        group = steps[at:at + sizes[at]]
        made_files = [MADE[step](db, work, data.draw(st.integers(0, 10_000), label=step), at * 10 + number)
                      for number, step in enumerate(group) if not isinstance(step, Path)]
        at += len(group)
        # one publish for the sample's files (each read in the structure its dates say), one for each structure
        # the made files are read in (the ingest is told it)
        for era, paths in ((None, [step for step in group if isinstance(step, Path)]),
                           *((era, [path for path, made in made_files if made == era]) for era in ("legacy", "2025"))):
            if paths:
                incremental = []
                with pytest.MonkeyPatch.context() as patch:  # the publish took the incremental way
                    update = warehouse.update_facts
                    patch.setattr(warehouse, "update_facts", lambda con, cfg: incremental.append(1) or update(con, cfg))
                    reports = ingest_files(paths, db=db, config=config, units=era)
                assert not [r.error for r in reports if r.error] and incremental == [1]
                assert fact_differences(db) == {}, [p.name for p in paths]


def test_the_publish_leaves_no_change_log_and_a_changed_rule_builds_the_facts_whole(sample, tmp_path):
    """The log of changes is not published; a publish whose rules differ from those the facts were built with
    (here the statutory days of a complaint) builds every fact again: the facts equal those built whole with
    the new rule, not only where the records changed."""
    base, later = sample
    db = tmp_path / "dvcq.duckdb"
    copy_published(base, db)
    config = load_config()
    longer = config.model_copy(update={"petition_due": config.petition_due.model_copy(
        update={"complaint_days": config.petition_due.complaint_days + 30})})
    path, era = new_month(db, tmp_path, 1, 1)
    ingest_files([path], db=db, config=longer, units=era)
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM information_schema.schemata WHERE schema_name = 'fact_changes'"
                           ).fetchone()[0] == 0
        derived = con.execute("SELECT count(*) FROM main.petition_facts WHERE kind = 'complaint' AND due_date_derived "
                              "AND due_date = received_date + $days", {"days": longer.petition_due.complaint_days}
                              ).fetchone()[0]
        complaints = con.execute("SELECT count(*) FROM main.petition_facts WHERE kind = 'complaint' AND "
                                 "due_date_derived").fetchone()[0]
    assert complaints and derived == complaints


def test_upgrade_rebuild_facts_builds_them_whole_on_a_current_warehouse(sample, tmp_path):
    """`dvcq upgrade --rebuild-facts`: on a current warehouse (plain upgrade does nothing), every fact is built
    again from the records: a damaged daily count is put right."""
    base, _ = sample
    db = tmp_path / "dvcq.duckdb"
    shutil.copyfile(base, db)
    with duckdb.connect(str(db)) as con:
        day, legacy, new, received = con.execute(
            "SELECT day, legacy_code, code_2025, dossiers_received FROM main.daily_counts "
            "WHERE dossiers_received > 0 ORDER BY day, code_2025 LIMIT 1").fetchone()
        con.execute("UPDATE main.daily_counts SET dossiers_received = 999 WHERE day = $day AND code_2025 = $new "
                    "AND legacy_code IS NOT DISTINCT FROM $legacy", {"day": day, "new": new, "legacy": legacy})

    def dvcq(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "pipelines.cli", *args], cwd=REPO, capture_output=True,
                              text=True, env={**__import__("os").environ, "PYTHONPATH": str(REPO)})

    assert "đã ở phiên bản hiện tại" in dvcq("upgrade", "--db", str(db)).stdout
    done = dvcq("upgrade", "--db", str(db), "--rebuild-facts")
    assert done.returncode == 0 and "Đã cập nhật" in done.stdout, done.stderr
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT dossiers_received FROM main.daily_counts WHERE day = $day AND code_2025 = $new "
                           "AND legacy_code IS NOT DISTINCT FROM $legacy",
                           {"day": day, "new": new, "legacy": legacy}).fetchone()[0] == received


def test_the_tests_of_an_incremental_publish_see_the_rows_it_wrote(sample, tmp_path, monkeypatch):
    """After an incremental publish the tables it writes in part are tested on the rows it wrote (and those
    sharing their key): a changed dossier's fact written twice refuses the publish, the live warehouse kept."""
    from pipelines.ingest.warehouse import WarehouseError

    base, _ = sample
    db = tmp_path / "dvcq.duckdb"
    copy_published(base, db)
    update = warehouse.update_facts

    def twice(con, config):
        seconds = update(con, config)
        con.execute("INSERT INTO main.dossier_facts SELECT * FROM main.dossier_facts WHERE dossier_id = 'NM-3-0'")
        return seconds

    monkeypatch.setattr(warehouse, "update_facts", twice)
    path, era = new_month(db, tmp_path, 3, 1)
    before = db.read_bytes()
    with pytest.raises(WarehouseError, match="bảng dossier_facts: 2 dòng trùng khóa"):
        ingest_files([path], db=db, units=era)
    assert db.read_bytes() == before
