"""period_counts: the counts of every calendar month, quarter and year of the data, stored at publish.

The engine reads them when every period it is asked for is a stored one and computes the counts
otherwise; either way it must return the same frames (values, column order, dtypes, row order), in
both structures, on the sample warehouse (data from 01/07/2023 to 31/10/2026, across the reform).
"""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest
from polars.testing import assert_frame_equal

from pipelines.engine import indicators
from pipelines.engine.flags import flag_table
from pipelines.engine.indicators import Period, counts_and_units, indicator_table, trend_table
from pipelines.ingest import facts
from pipelines.ingest.warehouse import is_current
from pipelines.sql import InStructure, run
from schemas.config import load_config
from tests.dashboard_fixtures import dashboard_db

D = dt.date
STORED = {  # one of each kind of stored period on the sample
    "month": Period(D(2024, 3, 1), D(2024, 3, 31), D(2024, 3, 31)),
    "quarter": Period(D(2025, 4, 1), D(2025, 6, 30), D(2025, 6, 30)),
    "year": Period(D(2024, 1, 1), D(2024, 12, 31), D(2024, 12, 31)),
    "year-across-the-reform": Period(D(2025, 1, 1), D(2025, 12, 31), D(2025, 12, 31)),
    "first-month": Period(D(2023, 7, 1), D(2023, 7, 31), D(2023, 7, 31)),
    "last-year-as-of-the-data": Period(D(2026, 1, 1), D(2026, 12, 31), D(2026, 10, 31)),
    "last-year-cut-at-the-data": Period(D(2026, 1, 1), D(2026, 10, 31), D(2026, 10, 31)),  # the dashboard's
}
LIVE = {  # periods that are not stored: computed
    "custom": Period(D(2024, 2, 1), D(2024, 9, 30), D(2024, 7, 31)),
    "month-as-of-the-15th": Period(D(2025, 5, 1), D(2025, 5, 31), D(2025, 5, 15)),
    "quarter-across-the-reform-as-of-may": Period(D(2025, 4, 1), D(2025, 9, 30), D(2025, 5, 31)),
    "year-as-of-june": Period(D(2024, 1, 1), D(2024, 12, 31), D(2024, 6, 30)),
}


@pytest.fixture(scope="module")
def con():
    with duckdb.connect(str(dashboard_db()), read_only=True) as c:
        yield c


@pytest.fixture
def queries(monkeypatch):
    """The names of the queries the engine runs, in order."""
    names, real = [], indicators.run

    def spy(con, name, params):
        names.append(name)
        return real(con, name, params)

    monkeypatch.setattr(indicators, "run", spy)
    return names


def _live(monkeypatch) -> None:
    """The engine as if nothing were stored: the stored query finds no rows."""
    real = indicators.run
    monkeypatch.setattr(indicators, "run", lambda con, name, params: real(con, name, params).clear()
                        if name == "stored_commune_counts" else real(con, name, params))


@pytest.mark.parametrize("era", ["legacy", "2025"])
@pytest.mark.parametrize("kind", list(STORED))
def test_a_stored_period_gives_the_frames_the_live_query_gives(con, era, kind, monkeypatch, queries):
    period, config, seen = STORED[kind], load_config(), InStructure(con, era)
    counts, units = counts_and_units(seen, config, [period])
    tables = {level: indicator_table(seen, config, level, period) for level in ("commune", "district", "province")}
    flags = flag_table(seen, config, "commune", period)
    assert set(queries) == {"stored_commune_counts"}  # one cheap query per call, never the live one
    assert counts.height == units.height == con.sql(f"SELECT count(*) FROM era_{era}.admin_units").fetchall()[0][0]
    # no legacy dossier is received after the reform, but some legacy ones are still open then
    assert (counts["dossiers_received"].sum() > 0) == (era == "2025" or period.date_from < D(2025, 7, 1))
    assert counts["dialogues_required"].sum() > 0  # some commune reports in every period (the quota step ran)

    _live(monkeypatch)
    live_counts, live_units = counts_and_units(seen, config, [period])
    assert "commune_counts" in queries
    assert_frame_equal(counts, live_counts)  # values, column order, dtypes, row order
    assert_frame_equal(units, live_units)
    for level, table in tables.items():
        assert_frame_equal(table, indicator_table(seen, config, level, period))
    assert_frame_equal(flags, flag_table(seen, config, "commune", period))


@pytest.mark.parametrize("era", ["legacy", "2025"])
@pytest.mark.parametrize("freq", ["month", "quarter", "year"])
def test_a_trend_of_stored_periods_is_read_and_the_same(con, era, freq, monkeypatch, queries):
    """Trends to the data's last day (their last period cut there: stored too), for the province and for
    one district's communes."""
    config, seen = load_config(), InStructure(con, era)
    district = con.sql(f"SELECT min(district_code) FROM era_{era}.admin_units").fetchall()[0][0]
    args = [(level, codes, D(2024, 1, 1), D(2026, 10, 31), freq)
            for level, codes in (("province", None), ("district", [district]))]
    trends = [trend_table(seen, config, *a) for a in args]
    assert queries.count("stored_commune_counts") == 2 and "commune_counts" not in queries
    _live(monkeypatch)
    for a, trend in zip(args, trends):
        assert_frame_equal(trend, trend_table(seen, config, *a))


@pytest.mark.parametrize("era", ["legacy", "2025"])
def test_every_stored_period_holds_what_the_live_query_counts(con, era):
    """Raw rows of every stored period (each once) against the live query's, and the periods stored."""
    config, seen = load_config(), InStructure(con, era)
    cur = seen.cursor()
    periods = [Period(*row) for row in cur.execute(
        "SELECT date_from, date_to, as_of FROM period_counts GROUP BY ALL ORDER BY ALL").fetchall()]
    assert len(periods) == cur.execute("SELECT count(*) FROM period_counts").fetchall()[0][0] // \
        cur.execute("SELECT count(*) FROM admin_units").fetchall()[0][0]  # every commune once per period
    months = sum(p.date_from.day == 1 and p.date_to == (p.date_from.replace(day=28) + dt.timedelta(days=4)).replace(
        day=1) - dt.timedelta(days=1) for p in periods)
    assert months == 40  # 07/2023 to 10/2026
    assert {p.date_from.year for p in periods if (p.date_from.month, p.date_to.month) == (1, 12)} == {2023, 2024, 2025, 2026}
    for period in periods:
        params = indicators.engine_params(config, [period])
        stored, live = run(seen, "stored_commune_counts", params), run(seen, "commune_counts", params)
        assert stored.columns == live.columns and stored.height == live.height
        assert_frame_equal(stored, live, check_dtypes=False)  # BIGINT stored, HUGEINT sums computed


@pytest.mark.parametrize("era", ["legacy", "2025"])
@pytest.mark.parametrize("kind", list(LIVE))
def test_other_periods_and_as_of_dates_are_computed_and_right(con, era, kind, queries):
    period, config, seen = LIVE[kind], load_config(), InStructure(con, era)
    counts = indicators.commune_counts(seen, config, [period])
    assert queries == ["stored_commune_counts", "commune_counts"]
    # counted independently, from the dossiers' facts: received in the period, open at the as-of date
    expected = seen.cursor().sql(
        """SELECT u.commune_code, count(f.dossier_id) FILTER (f.received_date BETWEEN $f AND $t) AS dossiers_received,
                  count(f.dossier_id) FILTER (f.received_date <= $a AND COALESCE(f.closed_date > $a, TRUE))
                      AS dossiers_pending
           FROM admin_units u LEFT JOIN dossier_facts f USING (commune_code) GROUP BY 1 ORDER BY 1""",
        params={"f": period.date_from, "t": period.date_to, "a": period.as_of}).pl()
    got = counts.select(expected.columns)
    assert_frame_equal(got, expected, check_dtypes=False)
    assert got["dossiers_pending"].sum() > 0


def test_a_changed_quota_needs_no_rebuild(con, monkeypatch, queries):
    """The yearly quotas are applied on reading: the warehouse stays current and both paths agree."""
    config = load_config()
    other = config.model_copy(update={"required_dialogues_per_year": config.required_dialogues_per_year + 3,
                                      "thanks_letters_per_year": config.thanks_letters_per_year * 2})
    assert is_current(dashboard_db(), other)
    seen, period = InStructure(con, "2025"), STORED["year"]
    counts = indicators.commune_counts(seen, other, [period])
    assert queries == ["stored_commune_counts"]
    before = indicators.commune_counts(seen, config, [period])
    assert counts["dialogues_required"].max() > before["dialogues_required"].max()
    assert counts["thanks_required"].max() > before["thanks_required"].max()
    _live(monkeypatch)
    assert_frame_equal(counts, indicators.commune_counts(seen, other, [period]))


def test_the_fact_rules_fingerprint_covers_the_stored_counts(monkeypatch):
    """A change to the counts query that period_counts is built by makes a warehouse ask for an upgrade."""
    config = load_config()
    before = facts.rules_fingerprint(config)
    real = facts.load_sql
    monkeypatch.setattr(facts, "load_sql", lambda name: real(name) + (" -- changed" if name == "facts_period_counts"
                                                                        else ""))
    assert facts.rules_fingerprint(config) != before
