"""One period model: the CLI, the pages' interface and the report build a period the same way
(``schemas.periods``) and so give the same numbers for it, with no as-of day given anywhere.

The sample's data stop on 31/10/2026 (docs/sample-data.md). Before the one model, the CLI took --to as
the as-of day: ``dvcq flags --from 2026-01-01 --to 2026-12-31`` counted the dossiers pending on
31/10/2026 as overdue on the two months the data never reach, and listed 417 flags where the pages
list 320 for the same period.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import os
import subprocess
import sys
from collections import Counter

import duckdb
import polars as pl
import pytest
import streamlit as st

from pipelines.cli.tables import period_from_args
from pipelines.report.facts import gather, resolve_scope
from pipelines.sql import InStructure
from schemas.config import ALL_RATES, load_config
from schemas.periods import Period, PeriodError, build_period, default_as_of, stored_periods
from tests.dashboard_fixtures import dashboard_db

D = dt.date
LAST = D(2026, 10, 31)  # the sample's last event day
# (--from, --to) as given to the CLI (None: left out), the period all three must build from it.
CASES = {
    "past-the-data": ((D(2026, 1, 1), D(2026, 12, 31)), Period(D(2026, 1, 1), D(2026, 12, 31), LAST)),
    "a-quarter-inside-the-data": ((D(2025, 4, 1), D(2025, 6, 30)), Period(D(2025, 4, 1), D(2025, 6, 30), D(2025, 6, 30))),
    "no-dates-at-all": ((None, None), Period(D(2026, 1, 1), LAST, LAST)),
}


@pytest.fixture(scope="module")
def raw():
    os.environ["DVCQ_DB"] = str(dashboard_db())  # what dashboard.connection opens
    with duckdb.connect(str(dashboard_db()), read_only=True) as con:
        yield con


def _cli(*args: str) -> list[dict]:
    done = subprocess.run([sys.executable, "-m", "pipelines.cli", *args, "--db", str(dashboard_db()), "--format", "csv"],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return list(csv.DictReader(io.StringIO(done.stdout)))


def _dates(given: tuple[dt.date | None, dt.date | None]) -> list[str]:
    return [a for flag, day in zip(("--from", "--to"), given) if day for a in (flag, day.isoformat())]


def test_the_default_as_of_day_is_the_earlier_of_the_end_and_the_data():
    assert default_as_of(LAST, D(2026, 12, 31)) == LAST
    assert default_as_of(LAST, D(2025, 6, 30)) == D(2025, 6, 30)
    assert default_as_of(LAST) == LAST                       # no period: the backlog's day
    assert default_as_of(None, D(2024, 3, 31)) == D(2024, 3, 31)  # an empty warehouse
    assert build_period(LAST, D(2026, 1, 1), D(2026, 12, 31), D(2026, 12, 1)).as_of == D(2026, 12, 1)  # chosen


def test_a_period_after_the_data_without_an_as_of_day_is_refused_in_vietnamese():
    with pytest.raises(PeriodError, match=r"^kỳ 01/01/2027–31/12/2027 bắt đầu sau ngày cuối cùng có dữ liệu "
                                          r"\(31/10/2026\)"):
        build_period(LAST, D(2027, 1, 1), D(2027, 12, 31))
    done = subprocess.run([sys.executable, "-m", "pipelines.cli", "flags", "--db", str(dashboard_db()),
                           "--from", "2027-01-01", "--to", "2027-12-31"], capture_output=True, text=True)
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr.startswith("dvcq: lỗi: kỳ 01/01/2027–31/12/2027 bắt đầu sau ngày cuối cùng có dữ liệu")
    assert "Traceback" not in done.stderr


def test_the_stored_periods_are_the_models(raw):
    """period_counts holds exactly ``stored_periods`` of the data's span: the rule is not stated again in SQL."""
    stored = set(raw.sql("SELECT date_from, date_to, as_of FROM main.period_counts GROUP BY ALL").fetchall())
    model = stored_periods(D(2023, 7, 1), LAST)
    assert stored == {(p.date_from, p.date_to, p.as_of) for periods in model.values() for p in periods}
    assert [(p.date_from, p.date_to, p.as_of) for p in model["year"]][-1] == (D(2026, 1, 1), D(2026, 12, 31), LAST)
    assert [(p.date_from, p.date_to, p.as_of) for p in model["to_date"]] == [(D(2026, 1, 1), LAST, LAST)]
    assert (len(model["month"]), len(model["quarter"]), len(model["year"])) == (40, 14, 4)


def test_the_dashboards_default_view_is_the_clis_default_period(raw):
    from dashboard import filters

    view = filters.default_filters()
    assert view.period == period_from_args(raw, argparse.Namespace()) == CASES["no-dates-at-all"][1]


@pytest.mark.parametrize("case", list(CASES))
def test_cli_pages_and_report_give_the_same_numbers_for_the_same_period(raw, case):
    from dashboard import data

    given, expected = CASES[case]
    config = load_config()
    # The CLI's period (the one `dvcq report` writes too), from the options alone.
    period = period_from_args(raw, argparse.Namespace(date_from=given[0], date_to=given[1], as_of=None))
    assert period == expected
    era = period.structure

    # indicators of the province: numerator and denominator of every rate
    cli_rates = {r["indicator"]: (int(r["numerator"]), int(r["denominator"]))
                 for r in _cli("indicators", "--level", "province", *_dates(given)) if r["indicator"] in ALL_RATES}
    st.session_state["_era"] = era  # the pages' structure: what the sidebar would store
    page_rates = {r["indicator"]: (r["numerator"], r["denominator"])
                  for r in data.indicators("province", period).filter(pl.col("indicator").is_in(ALL_RATES))
                  .iter_rows(named=True)}
    facts = gather(InStructure(raw, era), config, resolve_scope(InStructure(raw, era), config, "province"), period)
    report_rates = {r["indicator"]: (r["numerator"], r["denominator"])
                    for r in facts.rates.filter(pl.col("indicator").is_in(ALL_RATES)).iter_rows(named=True)}
    assert set(cli_rates) == set(ALL_RATES)
    assert cli_rates == page_rates == report_rates

    # flags of the communes: every (commune, kind, indicator), and per commune as the report counts them
    cli_flags = Counter((r["unit_code"], r["flag"], r["indicator"]) for r in _cli("flags", *_dates(given)))
    page_flags = Counter(data.flags("commune", period).select("unit_code", "flag", "indicator").iter_rows())
    assert cli_flags == page_flags
    per_commune = Counter(unit for unit, _, _ in cli_flags.elements())
    report_flags = {r["unit_code"]: r["flags"] for r in facts.communes.iter_rows(named=True) if r["flags"]}
    assert report_flags == dict(per_commune)

    # the backlog on the period's as-of day: the pages' list and the report's stock of overdue items
    items = Counter(data.backlog_items(period.as_of, None, None)["kind"])
    assert (facts.counts["dossiers_overdue"], facts.counts["petitions_overdue"]) == (items["dossier"], items["petition"])
    assert items["dossier"] > 0


def test_past_the_data_the_numbers_are_those_of_the_data_last_day(raw):
    """The figures that gave the wrong number are those of 31/10/2026, not of 31/12/2026: the CLI's backlog
    (no --as-of) and the overdue rules' flags of 2026 count what a query of the facts counts on that day
    (overdue at d: overdue_from <= d < overdue_until, in the 2025 structure), and the flags are those of --as-of 2026-10-31."""
    dossiers, petitions = InStructure(raw, "2025").cursor().execute(
        """SELECT (SELECT count(*) FROM late_dossiers WHERE overdue_from <= $d AND (overdue_until IS NULL OR $d < overdue_until)),
                  (SELECT count(*) FROM petition_facts WHERE overdue_from <= $d AND (overdue_until IS NULL OR $d < overdue_until))""",
        {"d": LAST}).fetchall()[0]
    assert Counter(r["kind"] for r in _cli("backlog")) == Counter(dossier=dossiers, petition=petitions)
    flags = _cli("flags", "--from", "2026-01-01", "--to", "2026-12-31")
    assert flags == _cli("flags", "--from", "2026-01-01", "--to", "2026-12-31", "--as-of", "2026-10-31")
    rules = Counter()
    for r in flags:
        rules[r["indicator"]] += int(r["numerator"]) if r["flag"] == "rule" else 0
    assert (rules["pending_overdue"], rules["petition_overdue"]) == (dossiers, petitions)
