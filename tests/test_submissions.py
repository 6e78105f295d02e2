"""Who has sent what, on a hand-made warehouse; checked on 03/05/2024, dvcq collecting since 15/01/2024.

A (Thị trấn Hà Trung): dossiers received 2 in 01/2024 (first arrived 03/02, due 05/02: sent), 1 in 02/2024
  (arrived 10/03, due 05/03: late), none in 03 (due 05/04, passed: missing), none in 04 (due 05/05: not due);
  12/2023 dossier arrived 20/01/2024, after its due day 05/01 but that day dvcq was not collecting yet: sent.
  A survey in 01/2024 only; a dialogue on 15/03/2024 (quarterly: Q1 sent); no letter, no petition (a month
  may lack them: empty). The dossier of 02/2024 was re-exported on 01/04 (loaded_at), but it first arrived
  on 10/03: still late.
B (Thị trấn Hà Long): nothing at all.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

import polars as pl
import pytest

from pipelines.engine.flags import flag_table
from pipelines.engine.indicators import Period
from pipelines.engine.submissions import structure_spans, submission_table
from pipelines.ingest.warehouse import connect_read_only
from tests.engine_fixtures import (D, build_warehouse, commune_code, config, dialogue, dossier, insert, open_legacy,
                                   survey)

CHECKED = D(2024, 5, 3)
T = dt.datetime


def arrived(row: dict, first: dt.datetime, last: dt.datetime | None = None) -> dict:
    return row | {"first_loaded_at": first, "loaded_at": last or first}


@pytest.fixture(scope="module")
def codes(template_root):
    return {"A": commune_code(template_root, "Thị trấn Hà Trung"), "B": commune_code(template_root, "Thị trấn Hà Long")}


@pytest.fixture(scope="module")
def db(tmp_path_factory, template_root, codes):
    a = codes["A"]
    records = {
        "dossier": [arrived(dossier(a, "A0", D(2023, 12, 20), D(2023, 12, 28)), T(2024, 1, 20)),
                    arrived(dossier(a, "A1", D(2024, 1, 3), D(2024, 1, 10)), T(2024, 2, 3)),
                    arrived(dossier(a, "A2", D(2024, 1, 30), D(2024, 2, 6)), T(2024, 2, 4)),
                    arrived(dossier(a, "A3", D(2024, 2, 12), D(2024, 2, 20)), T(2024, 3, 10), T(2024, 4, 1))],
        "survey": [arrived(survey(a, "S1", D(2024, 1, 15), 5), T(2024, 2, 1))],
        "dialogue": [arrived(dialogue(a, "D1", D(2024, 3, 15)), T(2024, 4, 2))],
    }
    path = build_warehouse(tmp_path_factory.mktemp("submissions"), template_root, records)
    with __import__("pipelines.ingest.warehouse", fromlist=["publishing"]).publishing(path, "38") as con:
        insert(con, "ingest_log", [{"file_name": "dau_tien.csv", "kind": "dossier", "rows_read": 1,
                                    "ingested_at": T(2024, 1, 15, 9)}])
    return path


def status_of(table: pl.DataFrame, unit: str, kind: str) -> dict[str, tuple[str, int]]:
    rows = table.filter((pl.col("unit_code") == unit) & (pl.col("kind") == kind)).sort("month")
    return {m: (s, n) for m, s, n in rows.select("month", "status", "rows").iter_rows()}


def test_each_month_sent_late_missing_empty_or_not_due(db, codes):
    con = connect_read_only(db)
    try:
        table = submission_table(con, config(), D(2023, 12, 1), D(2024, 4, 30), CHECKED, "legacy")
    finally:
        con.close()
    a, b = codes["A"], codes["B"]
    assert status_of(table, a, "dossier") == {"2023-12": ("sent", 1), "2024-01": ("sent", 2), "2024-02": ("late", 1),
                                              "2024-03": ("missing", 0), "2024-04": ("not_due", 0)}
    assert status_of(table, a, "survey") == {"2023-12": ("missing", 0), "2024-01": ("sent", 1),
                                             "2024-02": ("missing", 0), "2024-03": ("missing", 0),
                                             "2024-04": ("not_due", 0)}
    assert status_of(table, a, "letter") == {"2023-12": ("empty", 0), "2024-01": ("empty", 0), "2024-02": ("empty", 0),
                                             "2024-03": ("empty", 0), "2024-04": ("not_due", 0)}
    # dialogues are sent by quarter: Q4 2023 (month 2023-10), Q1 2024 sent (arrived 02/04, due 05/04), Q2 not due
    assert status_of(table, a, "dialogue") == {"2023-10": ("empty", 0), "2024-01": ("sent", 1),
                                               "2024-04": ("not_due", 0)}
    assert set(status_of(table, b, "dossier").values()) == {("missing", 0), ("not_due", 0)}
    first = table.filter((pl.col("unit_code") == a) & (pl.col("month") == "2024-02") & (pl.col("kind") == "dossier"))
    assert first["first_received"].item() == T(2024, 3, 10)   # not the re-export's 01/04
    # every legacy commune of the province is expected, whether it sent anything or not
    assert table["unit_code"].n_unique() == 547


def test_flags_name_what_was_not_sent(db, codes):
    con = open_legacy(db)
    try:
        flags = flag_table(con, config(), "commune", Period(D(2024, 1, 1), D(2024, 4, 30), D(2024, 4, 30)),
                           checked=CHECKED)
    finally:
        con.close()
    missing = flags.filter(pl.col("flag") == "missing")
    a = dict(missing.filter(pl.col("unit_code") == codes["A"]).select("indicator", "reason").iter_rows())
    assert a == {"missing_dossier": "Không gửi sổ theo dõi hồ sơ tháng 03/2024 (đã quá hạn gửi)",
                 "missing_survey": "Không gửi phiếu khảo sát hài lòng tháng 02/2024, 03/2024 (đã quá hạn gửi)"}
    b = dict(missing.filter(pl.col("unit_code") == codes["B"]).select("indicator", "reason").iter_rows())
    assert b["missing_dossier"] == "Không gửi sổ theo dõi hồ sơ tháng 01/2024, 02/2024, 03/2024 (đã quá hạn gửi)"
    assert missing["unit_code"].n_unique() == 547   # silence is a finding for every commune
    district = flag_table(open_legacy(db), config(), "district", Period(D(2024, 1, 1), D(2024, 4, 30),
                                                                         D(2024, 4, 30)), checked=CHECKED)
    row = district.filter((pl.col("unit_code") == "392") & (pl.col("indicator") == "missing_dossier")).row(0, named=True)
    assert row["numerator"] == 19 and row["reason"] == (
        "19 xã không gửi đủ sổ theo dõi hồ sơ (các tháng còn thiếu: 01/2024, 02/2024, 03/2024; đã quá hạn gửi)")


def test_cli_prints_the_machine_columns(db, codes):
    done = subprocess.run([sys.executable, "-m", "pipelines.cli", "submissions", "--db", str(db), "--units", "legacy",
                           "--from", "2024-01-01", "--to", "2024-03-31", "--as-of", "2024-05-03", "--format", "csv"],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    table = pl.read_csv(done.stdout.encode(), schema_overrides={"unit_code": pl.String})
    assert table.columns[:7] == ["unit_code", "unit_name", "month", "kind", "status", "rows", "first_received"]
    row = table.filter((pl.col("unit_code") == codes["A"]) & (pl.col("month") == "2024-02")
                       & (pl.col("kind") == "dossier")).row(0, named=True)
    assert (row["unit_name"], row["status"], row["rows"]) == ("Thị trấn Hà Trung", "late", 1)
    shown = subprocess.run([sys.executable, "-m", "pipelines.cli", "submissions", "--db", str(db), "--units", "legacy",
                            "--from", "2024-03-01", "--to", "2024-03-31", "--as-of", "2024-05-03"],
                           capture_output=True, text=True)
    cells = [[c.strip() for c in line.strip("│").split("┆")] for line in shown.stdout.splitlines() if "┆" in line]
    assert cells[0] == ["Đơn vị", "Tháng", "Loại số liệu", "Tình trạng gửi", "Số bản ghi", "Nhận lần đầu"]
    assert ["Thị trấn Hà Trung", "03/2024", "sổ theo dõi hồ sơ", "Chưa gửi", "0", ""] in cells


def test_each_part_of_a_span_is_judged_in_the_structure_in_force():
    assert structure_spans(D(2025, 5, 1), D(2025, 8, 31), None) == [("legacy", D(2025, 5, 1), D(2025, 6, 30)),
                                                                    ("2025", D(2025, 7, 1), D(2025, 8, 31))]
    assert structure_spans(D(2025, 5, 1), D(2025, 8, 31), "2025") == [("2025", D(2025, 5, 1), D(2025, 8, 31))]
    # the legacy communes ceased on 01/07/2025: a legacy view never calls their later months missing
    assert structure_spans(D(2025, 5, 1), D(2025, 8, 31), "legacy") == [("legacy", D(2025, 5, 1), D(2025, 6, 30))]
    assert structure_spans(D(2025, 7, 1), D(2025, 12, 31), "legacy") == []
