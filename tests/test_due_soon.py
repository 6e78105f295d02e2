"""Due soon ("sắp đến hạn") across a weekend and the 30/04–01/05 holidays of 2025.

The calendar's working days around them: Mon 28/04 and Tue 29/04; Wed 30/04, Thu 01/05 and Fri 02/05 are
holidays (02/05 in exchange for Saturday 26/04, which the calendar, Monday–Friday, does not count as
worked), Sat 03/05 and Sun 04/05 the weekend; then Mon 05/05. Mon 07/04 is Giỗ Tổ Hùng Vương.

P = working days in (received, due], W = max(1, ceil(P / 5)), L = working days in (as-of, due]; due soon when
0 <= L < W. Hand counts as of Tuesday 29/04/2025:

- S1 received Mon 21/04, due Mon 05/05: P = 22–25/04, 28–29/04, 05/05 = 7, W = 2; L = {05/05} = 1 -> due soon
  (without the holidays L would be 4: 30/04, 01/05, 02/05, 05/05; and W = ceil(10 / 5) = 2: not due soon).
- S2 received Tue 15/04, due Tue 06/05: P = 16–18/04, 21–25/04, 28–29/04, 05–06/05 = 12, W = 3; L = 2 -> due soon.
- S3 received Mon 14/04, due Wed 07/05: P = 15–18/04, 21–25/04, 28–29/04, 05–07/05 = 14, W = 3; L = 3 -> not
  (the boundary: the window is the last 3 working days, 05, 06 and 07/05).
- S4 received Fri 25/04, due Tue 29/04: P = 28–29/04 = 2, a fifth is 0,4 working day, under one: W = 1; L = 0
  -> due soon (due today). On Mon 28/04 L = 1: not yet.
- S5 received and due Tue 29/04: P = 0, W = max(1, 0) = 1; L = 0 -> due soon.
- S6 due Mon 28/04: overdue, not due soon. S7 completed 28/04: closed. S8 as S1 but completed 06/05, after
  the as-of day: open then -> due soon, L = 1, W = 2. S9 received 30/04: not yet received. S10 has no due
  date: never due.
- Q1 kiến nghị received Wed 09/04 without a due date: the statutory 15 working days 10–11/04, 14–18/04,
  21–25/04, 28–29/04, 05/05 -> due Mon 05/05; P = 15, W = 3; L = 1 -> due soon.
- Q2 khiếu nại received Wed 26/03 without a due date: 40 calendar days -> due Mon 05/05; P = 27–28/03,
  31/03–04/04, 08–11/04 (07/04 a holiday), 14–18/04, 21–25/04, 28–29/04, 05/05 = 24, W = 5; L = 1 -> due soon.
- Q3 tố cáo received Mon 14/04 due Wed 07/05 (its own date): as S3, not due soon. Q4 resolved 28/04: closed.
"""

from __future__ import annotations

import io
import subprocess
import sys

import polars as pl
import pytest

from pipelines.engine.backlog import DUE_SOON_COLUMNS, backlog_table, due_soon_table
from schemas.catalog import OUTPUT_LABELS
from schemas.config import DEFAULT_CONFIG_PATH, ConfigError, DueSoonConfig, load_config
from tests.engine_fixtures import D, build_warehouse, commune_code, config, dossier, open_legacy, petition

AS_OF = D(2025, 4, 29)


@pytest.fixture(scope="module")
def setup(tmp_path_factory, template_root):
    a = commune_code(template_root, "Thị trấn Hà Trung")
    records = {
        "dossier": [
            dossier(a, "S1", D(2025, 4, 21), D(2025, 5, 5)),
            dossier(a, "S2", D(2025, 4, 15), D(2025, 5, 6)),
            dossier(a, "S3", D(2025, 4, 14), D(2025, 5, 7)),
            dossier(a, "S4", D(2025, 4, 25), D(2025, 4, 29)),
            dossier(a, "S5", D(2025, 4, 29), D(2025, 4, 29)),
            dossier(a, "S6", D(2025, 4, 21), D(2025, 4, 28)),
            dossier(a, "S7", D(2025, 4, 21), D(2025, 5, 5), D(2025, 4, 28)),
            dossier(a, "S8", D(2025, 4, 21), D(2025, 5, 5), D(2025, 5, 6)),
            dossier(a, "S9", D(2025, 4, 30), D(2025, 5, 5)),
            dossier(a, "S10", D(2025, 4, 21), None),
        ],
        "petition": [
            petition(a, "Q1", "petition", D(2025, 4, 9)),
            petition(a, "Q2", "complaint", D(2025, 3, 26)),
            petition(a, "Q3", "denunciation", D(2025, 4, 14), due=D(2025, 5, 7)),
            petition(a, "Q4", "petition", D(2025, 4, 9), resolved=D(2025, 4, 28)),
        ],
    }
    db = build_warehouse(tmp_path_factory.mktemp("due_soon"), template_root, records)
    con = open_legacy(db)
    yield con, a, db
    con.close()


def _got(table: pl.DataFrame) -> list[tuple]:
    return list(table.select("kind", "record_id", "due_date", "working_days_left", "window_working_days").iter_rows())


def test_due_soon_across_a_weekend_and_the_april_holidays(setup):
    con, a, _ = setup
    table = due_soon_table(con, config(), AS_OF)
    assert _got(table) == [  # nearest due date first; the same day: dossiers before petitions, then by id
        ("dossier", "S4", D(2025, 4, 29), 0, 1),
        ("dossier", "S5", D(2025, 4, 29), 0, 1),
        ("dossier", "S1", D(2025, 5, 5), 1, 2),
        ("dossier", "S8", D(2025, 5, 5), 1, 2),
        ("petition", "Q1", D(2025, 5, 5), 1, 3),
        ("petition", "Q2", D(2025, 5, 5), 1, 5),
        ("dossier", "S2", D(2025, 5, 6), 2, 3),
    ]
    assert table.columns == DUE_SOON_COLUMNS
    assert set(table["unit_code"]) == {a} and set(table["district_name"]) == {"Huyện Hà Trung"}
    assert table["days_overdue"].null_count() == table["bucket"].null_count() == table.height == 7
    assert table.filter(pl.col("record_id") == "Q2")["petition_kind"].item() == "complaint"
    assert not {"applicant", "petitioner"} & set(table.columns)
    # the overdue list and the due-soon list never share an item
    assert set(backlog_table(con, config(), AS_OF)["record_id"]) == {"S6"}


def test_the_day_before_and_a_holiday_weekend(setup):
    con, _, _ = setup
    # Mon 28/04: S6 is due today (P = 22–25/04, 28/04 = 5, W = 1, L = 0); S4 has one working day left (29/04)
    # and a window of 1: not yet; S1 and S8 have two (29/04, 05/05) of 2, S2 three of 3: not yet; Q1 has 2 of 3
    # and Q2 2 of 5: due soon; S5 is not yet received.
    assert _got(due_soon_table(con, config(), D(2025, 4, 28))) == [
        ("dossier", "S6", D(2025, 4, 28), 0, 1),
        ("petition", "Q1", D(2025, 5, 5), 2, 3),
        ("petition", "Q2", D(2025, 5, 5), 2, 5),
    ]
    # Sat 03/05 has the index of Tue 29/04: S4 and S5 are overdue; S9, received on the holiday 30/04 and due
    # 05/05, has P = 1 (05/05), W = 1, L = 1: not due soon.
    assert _got(due_soon_table(con, config(), D(2025, 5, 3))) == [
        ("dossier", "S1", D(2025, 5, 5), 1, 2),
        ("dossier", "S8", D(2025, 5, 5), 1, 2),
        ("petition", "Q1", D(2025, 5, 5), 1, 3),
        ("petition", "Q2", D(2025, 5, 5), 1, 5),
        ("dossier", "S2", D(2025, 5, 6), 2, 3),
    ]
    # Mon 05/05: due today (L = 0) for S1, S8, S9, Q1, Q2; S3 and Q3 now have 2 working days left of 3.
    assert _got(due_soon_table(con, config(), D(2025, 5, 5))) == [
        ("dossier", "S1", D(2025, 5, 5), 0, 2),
        ("dossier", "S8", D(2025, 5, 5), 0, 2),
        ("dossier", "S9", D(2025, 5, 5), 0, 1),
        ("petition", "Q1", D(2025, 5, 5), 0, 3),
        ("petition", "Q2", D(2025, 5, 5), 0, 5),
        ("dossier", "S2", D(2025, 5, 6), 1, 3),
        ("dossier", "S3", D(2025, 5, 7), 2, 3),
        ("petition", "Q3", D(2025, 5, 7), 2, 3),
    ]


def test_a_window_set_per_record_kind(setup):
    con, _, _ = setup
    fixed = config(due_soon=DueSoonConfig(processing_parts=5, min_working_days=1,
                                          working_days={"dossier": 4, "petition": 1}))
    # dossiers: every open one with L < 4 (S3 joins with L = 3); petitions: only L < 1, i.e. due today (none)
    assert _got(due_soon_table(con, fixed, AS_OF)) == [
        ("dossier", "S4", D(2025, 4, 29), 0, 4),
        ("dossier", "S5", D(2025, 4, 29), 0, 4),
        ("dossier", "S1", D(2025, 5, 5), 1, 4),
        ("dossier", "S8", D(2025, 5, 5), 1, 4),
        ("dossier", "S2", D(2025, 5, 6), 2, 4),
        ("dossier", "S3", D(2025, 5, 7), 3, 4),
    ]
    # a larger minimum lifts S2's window 3 -> 4 and S3's too (L = 3 < 4); Q3 likewise
    wider = config(due_soon=DueSoonConfig(processing_parts=5, min_working_days=4))
    assert [(r[1], r[4]) for r in _got(due_soon_table(con, wider, AS_OF))] == [
        ("S4", 4), ("S5", 4), ("S1", 4), ("S8", 4), ("Q1", 4), ("Q2", 5), ("S2", 4), ("S3", 4), ("Q3", 4)]


def test_district_level_names_the_district(setup):
    con, a, _ = setup
    table = due_soon_table(con, config(), AS_OF, level="district")
    assert set(table["unit_code"]) == {"392"} and set(table["commune_code"]) == {a}


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pipelines.cli", *args], capture_output=True, text=True)


def test_the_command_line_prints_the_engines_items(setup):
    con, _, db = setup
    done = _cli("backlog", "--due-soon", "--db", str(db), "--units", "legacy", "--as-of", "2025-04-29",
                "--format", "csv")
    assert done.returncode == 0, done.stderr
    printed = pl.read_csv(io.StringIO(done.stdout), infer_schema=False)
    engine = due_soon_table(con, config(), AS_OF)
    lead = ["kind", "record_id", "unit_code", "unit_name", "district_name", "due_date", "days_overdue", "bucket",
            "working_days_left"]
    assert printed.columns[:len(lead)] == lead and sorted(printed.columns) == sorted(DUE_SOON_COLUMNS)
    assert printed.equals(engine.select(printed.columns).with_columns(pl.all().cast(pl.String)))
    assert printed.height == 7
    table = _cli("backlog", "--due-soon", "--db", str(db), "--units", "legacy", "--as-of", "2025-04-29")
    assert table.returncode == 0, table.stderr
    header = next(line for line in table.stdout.splitlines() if OUTPUT_LABELS["working_days_left"] in line)
    assert OUTPUT_LABELS["days_overdue"] not in header and OUTPUT_LABELS["bucket"] not in header
    rows = [line for line in table.stdout.splitlines() if "S1" in line or "Q2" in line]
    assert len(rows) == 2 and all("05/05/2025" in r for r in rows)


def test_a_bad_window_in_the_configuration_names_the_key(tmp_path):
    text = DEFAULT_CONFIG_PATH.read_text(encoding="utf-8")
    for good, bad, key in (("working_days = {}", "working_days = { letter = 2 }", "due_soon.working_days.letter"),
                           ("working_days = {}", "working_days = { dossier = 0 }", "due_soon.working_days.dossier"),
                           ("processing_parts = 5", "processing_parts = 0", "due_soon.processing_parts"),
                           ("min_working_days = 1", "min_working_days = 0", "due_soon.min_working_days")):
        path = tmp_path / "dvcq.toml"
        path.write_text(text.replace(good, bad, 1), encoding="utf-8")
        with pytest.raises(ConfigError) as caught:
            load_config(path)
        assert key in str(caught.value)


# The rule again, written independently of due_soon.sql on the sample's record tables (dossiers) and on the
# effective due dates the overdue figures use (petition_facts: a statutory date is derived only there).
_DUE_SOON_SQL = """
    SELECT {what} FROM {items} i
    JOIN admin_units u USING (commune_code)
    JOIN calendar r ON r.day = i.received_date JOIN calendar d ON d.day = i.due_date JOIN calendar a ON a.day = ?
    WHERE {pending} AND i.received_date <= a.day AND i.due_date >= a.day AND (? IS NULL OR u.district_code = ?)
      AND d.working_day_index - a.working_day_index
          < greatest(1, ceil((d.working_day_index - r.working_day_index) / 5))"""
DOSSIERS_DUE_SOON = _DUE_SOON_SQL.format(what="count(*)", items="dossiers", pending="i.status = 'pending'")
PETITIONS_DUE_SOON = _DUE_SOON_SQL.format(what="count(*)", items="petition_facts",
                                          pending="(i.closed_date IS NULL OR i.closed_date > a.day)")
DISTRICT_WITH_DOSSIERS_DUE_SOON = _DUE_SOON_SQL.format(what="min(u.district_code)", items="dossiers",
                                                       pending="i.status = 'pending'")


def test_ton_dong_counts_what_falls_due_soon_on_the_sample():
    from dashboard.formatting import fmt_int
    from tests.dashboard_fixtures import metric, new_app, no_errors, sql_one

    as_of = sql_one("SELECT max(received_date) FROM dossiers")  # the page's default as-of day: the data's last
    at = new_app("ton_dong")
    no_errors(at)
    dossiers, petitions = (sql_one(q, as_of, None, None) for q in (DOSSIERS_DUE_SOON, PETITIONS_DUE_SOON))
    assert dossiers > 0 and petitions > 0  # the sample has both, so the comparison says something
    assert metric(at, "Hồ sơ sắp đến hạn") == fmt_int(dossiers)
    assert metric(at, "Đơn thư sắp đến hạn") == fmt_int(petitions)
    table = next(df.value for df in at.dataframe if OUTPUT_LABELS["working_days_left"] in df.value.columns)
    left = [int(x) for x in table[OUTPUT_LABELS["working_days_left"]]]
    assert len(left) == dossiers + petitions and left == sorted(left)
    assert "Tải danh sách sắp đến hạn (XLSX)" in [b.label for b in at.get("download_button")]

    district = sql_one(DISTRICT_WITH_DOSSIERS_DUE_SOON, as_of, None, None)
    at.selectbox(key="huyen").set_value(district).run()
    no_errors(at)
    in_district = sql_one(DOSSIERS_DUE_SOON, as_of, district, district)
    assert 0 < in_district < dossiers + petitions
    assert metric(at, "Hồ sơ sắp đến hạn") == fmt_int(in_district)
    assert metric(at, "Đơn thư sắp đến hạn") == fmt_int(sql_one(PETITIONS_DUE_SOON, as_of, district, district))


def test_the_unit_page_counts_and_lists_what_falls_due_soon():
    from tests.dashboard_fixtures import new_app, no_errors, sql_one

    as_of = sql_one("SELECT max(received_date) FROM dossiers")
    district = sql_one(DISTRICT_WITH_DOSSIERS_DUE_SOON, as_of, None, None)
    expected = sql_one(DOSSIERS_DUE_SOON, as_of, district, district) + sql_one(PETITIONS_DUE_SOON, as_of, district,
                                                                               district)
    at = new_app("don_vi", params={"don_vi": district})
    no_errors(at)
    assert f"Sắp đến hạn ({expected})" in [h.value for h in at.subheader]
    listed = next(df.value for df in at.dataframe if OUTPUT_LABELS["working_days_left"] in df.value.columns)
    assert len(listed) == min(expected, 5)


# A due date that is itself no working day. Its index is that of the working day before it, so its last working
# day is the one before the holiday or weekend. H1 received Mon 21/04, due Thu 01/05 (a holiday): P = 22–25/04,
# 28–29/04 = 6, W = ceil(6 / 5) = 2. H2 received Fri 25/04, due Sun 04/05 (the weekend after the holidays):
# P = 28–29/04 = 2, a fifth is 0,4 working day: W = 1.
@pytest.fixture(scope="module")
def due_on_a_day_off(tmp_path_factory, template_root):
    a = commune_code(template_root, "Thị trấn Hà Trung")
    records = {"dossier": [dossier(a, "H1", D(2025, 4, 21), D(2025, 5, 1)),
                           dossier(a, "H2", D(2025, 4, 25), D(2025, 5, 4))]}
    con = open_legacy(build_warehouse(tmp_path_factory.mktemp("day_off"), template_root, records))
    yield con
    con.close()


@pytest.mark.parametrize("as_of, due_soon, overdue", [
    # Fri 25/04: H1 has 28 and 29/04 left, 2 of 2: not yet; H2 has 2 of 1: not yet
    (D(2025, 4, 25), [], {}),
    # Mon 28/04: H1 1 left of 2: due soon; H2 1 left of 1: not yet
    (D(2025, 4, 28), [("dossier", "H1", D(2025, 5, 1), 1, 2)], {}),
    # Tue 29/04, the last working day before both due dates: none left for either
    (D(2025, 4, 29), [("dossier", "H1", D(2025, 5, 1), 0, 2), ("dossier", "H2", D(2025, 5, 4), 0, 1)], {}),
    # Wed 30/04, a holiday with the index of 29/04: still due soon, not yet overdue
    (D(2025, 4, 30), [("dossier", "H1", D(2025, 5, 1), 0, 2), ("dossier", "H2", D(2025, 5, 4), 0, 1)], {}),
    # Fri 02/05 (a holiday): H1's day has passed: overdue, 1 working day at least; H2 is still due soon
    (D(2025, 5, 2), [("dossier", "H2", D(2025, 5, 4), 0, 1)], {"H1": 1}),
    # Mon 05/05: both overdue by one working day (05/05)
    (D(2025, 5, 5), [], {"H1": 1, "H2": 1}),
])
def test_a_due_date_on_a_holiday_or_a_weekend(due_on_a_day_off, as_of, due_soon, overdue):
    assert _got(due_soon_table(due_on_a_day_off, config(), as_of)) == due_soon
    late = backlog_table(due_on_a_day_off, config(), as_of)
    assert dict(late.select("record_id", "days_overdue").iter_rows()) == overdue
