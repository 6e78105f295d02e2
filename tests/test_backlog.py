"""The overdue backlog across Tết 2025 (27/01–01/02/2025 are holidays in the calendar).

days_overdue = working days after the due date up to and including the as-of date, at
least 1. Hand counts for as_of = Tuesday 04/02/2025: due Friday 24/01 -> 03/02, 04/02 = 2
(7 without Tết); due Friday 10/01 -> 13–17/01, 20–24/01, 03/02, 04/02 = 12; due Friday
20/12/2024 -> 23–27/12, 30–31/12, 02–03/01 (01/01 is New Year), 06–10/01, 13–17/01,
20–24/01, 03–04/02 = 26.
"""

from __future__ import annotations

import polars as pl
import pytest

from pipelines.engine.backlog import backlog_summary, backlog_table, bucket_expr
from schemas.catalog import bucket_labels
from tests.engine_fixtures import open_legacy, D, build_warehouse, commune_code, config, dossier, petition

AS_OF = D(2025, 2, 4)


@pytest.fixture(scope="module")
def setup(tmp_path_factory, template_root):
    a = commune_code(template_root, "Thị trấn Hà Trung")
    records = {
        "dossier": [
            dossier(a, "T1", D(2025, 1, 2), D(2025, 1, 24)),
            dossier(a, "T2", D(2025, 1, 2), D(2025, 1, 10)),
            dossier(a, "T3", D(2025, 1, 20), D(2025, 2, 3)),
            dossier(a, "T4", D(2025, 1, 20), D(2025, 2, 4)),                       # due on as_of: not overdue
            dossier(a, "T5", D(2024, 12, 2), D(2024, 12, 20)),
            dossier(a, "T6", D(2025, 1, 2), D(2025, 1, 10), D(2025, 2, 10)),       # completed after as_of
            dossier(a, "T7", D(2025, 1, 2), D(2025, 1, 10), D(2025, 1, 20)),       # completed late, closed
            dossier(a, "T8", D(2025, 2, 5), D(2025, 1, 10)),                       # received after as_of
        ],
        "petition": [
            petition(a, "Q1", "petition", D(2025, 1, 2)),            # 15 working days -> due 23/01
            petition(a, "Q2", "complaint", D(2024, 12, 1)),          # 40 days -> due 10/01
            petition(a, "Q3", "complaint", D(2024, 12, 1), resolved=D(2025, 1, 5)),
            petition(a, "Q4", "denunciation", D(2025, 1, 2), due=D(2025, 1, 24), outcome="resolved"),  # no date
        ],
    }
    db = build_warehouse(tmp_path_factory.mktemp("backlog"), template_root, records)
    con = open_legacy(db)
    yield con, a
    con.close()


EXPECTED = [  # oldest due first; same due date: dossiers before petitions, then by id
    ("dossier", "T5", D(2024, 12, 20), 26, "16–30"),
    ("dossier", "T2", D(2025, 1, 10), 12, "6–15"),
    ("dossier", "T6", D(2025, 1, 10), 12, "6–15"),
    ("petition", "Q2", D(2025, 1, 10), 12, "6–15"),
    ("petition", "Q1", D(2025, 1, 23), 3, "1–5"),          # 24/01, 03/02, 04/02
    ("dossier", "T1", D(2025, 1, 24), 2, "1–5"),
    ("petition", "Q4", D(2025, 1, 24), 2, "1–5"),
    ("dossier", "T3", D(2025, 2, 3), 1, "1–5"),
]


def test_backlog_across_tet(setup):
    con, a = setup
    table = backlog_table(con, config(), AS_OF)
    got = list(table.select("kind", "record_id", "due_date", "days_overdue", "bucket").iter_rows())
    assert got == EXPECTED
    assert set(table["unit_code"]) == {a} and set(table["unit_name"]) == {"Thị trấn Hà Trung"}
    assert set(table["district_name"]) == {"Huyện Hà Trung"}
    assert table.filter(pl.col("record_id") == "Q1")["petition_kind"].item() == "petition"
    assert table.filter(pl.col("record_id") == "T1")["procedure"].item() == "Đăng ký khai sinh"
    assert not {"applicant", "petitioner"} & set(table.columns)


def test_as_of_on_a_tet_saturday_counts_at_least_one_day(setup):
    con, _ = setup
    table = backlog_table(con, config(), D(2025, 2, 1))
    t1 = table.filter(pl.col("record_id") == "T1")
    assert t1["days_overdue"].item() == 1          # 24/01 -> 01/02: no working day in between


def test_district_level_and_summary(setup):
    con, a = setup
    table = backlog_table(con, config(), AS_OF, level="district")
    assert set(table["unit_code"]) == {"392"} and set(table["commune_code"]) == {a}
    summary = backlog_summary(con, config(), AS_OF, "commune")
    row = summary.row(0, named=True)
    assert summary.height == 1
    assert (row["overdue_dossiers"], row["overdue_petitions"], row["total"]) == (5, 3, 8)
    assert (row["1–5"], row["6–15"], row["16–30"], row["> 30"]) == (4, 3, 1, 0)
    assert row["oldest_due_date"] == D(2024, 12, 20) and row["max_days_overdue"] == 26


def test_bucket_edges():
    assert bucket_labels([5, 15, 30]) == ["1–5", "6–15", "16–30", "> 30"]
    days = pl.DataFrame({"d": [1, 5, 6, 15, 16, 30, 31, None]}, schema={"d": pl.Int64})
    got = days.select(b=bucket_expr("d", [5, 15, 30]))["b"].to_list()
    assert got == ["1–5", "1–5", "6–15", "6–15", "16–30", "16–30", "> 30", None]
