"""The indicator engine: the 12 rates of "5 biết, 3 không, 4 thể hiện", hai_long, composite.

Design (why): SQL counts, Python names and ranks. One query (``sql/commune_counts.sql``, or its
rows stored at publish for every calendar month, quarter and year: ``period_counts``) returns every
numerator and denominator per commune and period in one pass over each record table;
districts and the province are sums of their communes' counts (never averages of
percentages), so every level gets an exact Wilson interval. The rules themselves live in
``pipelines/sql`` and are documented in ``docs/indicators.md``. Functions take a DuckDB
connection that may be read-only: they only SELECT.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

import duckdb
import numpy as np
import polars as pl

from pipelines.sql import run
from pipelines.engine.stats import wilson_percent
from schemas.admin_unit import GROUPINGS, Grouping
from schemas.catalog import (COMPOSITE, COMPOSITE_LABEL, MAX_SUPPLEMENT_REQUESTS, MEASURES, NOT_SENT,
                             NOTHING_TO_COUNT, RATE_COUNTS, RECORD_DETAILS, SATISFIED_RATING, SENT_COUNTS)
from schemas.config import ALL_RATES, SCORED_INDICATORS, DvcqConfig
from schemas.periods import Period, PeriodError  # noqa: F401  (PeriodError: the engine's callers catch it from here)
from schemas.warehouse import UNIT_NAME_COLUMNS

Level = Grouping
Freq = Literal["month", "quarter", "year"]

UNIT_COLUMNS = ["level", "unit_code", "unit_name", "district_code", "district_name"]


def latest_date(con: duckdb.DuckDBPyConnection) -> dt.date | None:
    """The latest event date in the warehouse, None when it holds no records."""
    return run(con, "latest_date", {}).item(0, "latest")


def engine_params(config: DvcqConfig, periods: list[Period], communes: list[str] | None = None) -> dict:
    """Bound parameters shared by the engine's queries (each query takes the ones it names).

    ``periods`` is one period or several (the buckets of a trend): the SQL maps each calendar day to
    its period (``_period_of_day``), so every event is joined on its own date.
    """
    return {
        "date_from": [p.date_from for p in periods],
        "date_to": [p.date_to for p in periods],
        "as_of": [p.as_of for p in periods],
        "satisfied_rating": SATISFIED_RATING,
        "max_supplement_requests": MAX_SUPPLEMENT_REQUESTS,
        "dialogues_per_year": config.required_dialogues_per_year,
        "thanks_per_year": config.thanks_letters_per_year,
        "communes": communes,
    }


# What commune_counts.sql returns about each commune beside its counts: the unit frame of any level
# is made from them, so a table of one period needs no second query for the unit list.
_UNIT_NAMES = [name for name, _, _ in UNIT_NAME_COLUMNS]


def counts_and_units(con: duckdb.DuckDBPyConnection, config: DvcqConfig, periods: list[Period],
                      communes: list[str] | None = None) -> tuple[pl.DataFrame, pl.DataFrame]:
    """commune_counts and the communes' names (commune_code and ``_UNIT_NAMES``), from one query.

    The counts of every calendar month, quarter and year of the data (as of its end, or of the data's
    last day) are stored at publish (``period_counts``): when every period asked for is one of them they
    are read there, else computed (``commune_counts.sql``, whose planning alone costs ~25 ms); the same
    SQL built both and the same quota step follows, so the frames are the same either way.
    """
    params = engine_params(config, periods, communes)
    counts = run(con, "stored_commune_counts", params)
    if counts["date_from"].n_unique() < len(periods):  # a period not stored (or no commune asked for)
        counts = run(con, "commune_counts", params)
    units = counts.select("commune_code", *_UNIT_NAMES).unique("commune_code", maintain_order=True)
    # a commune without records has nulls in the query's counts (fewer COALESCE to plan): zeros here
    counts = counts.drop(_UNIT_NAMES).with_columns(pl.exclude(pl.String, pl.Date).fill_null(0).cast(pl.Int64))
    return counts, units


def commune_counts(con: duckdb.DuckDBPyConnection, config: DvcqConfig, periods: list[Period],
                   communes: list[str] | None = None) -> pl.DataFrame:
    """Wide counts per commune x period, read from the facts: every column ``RATE_COUNTS`` names as a
    rate's numerator or denominator and every supporting count (0, not null)."""
    return counts_and_units(con, config, periods, communes)[0]


def level_units(units: pl.DataFrame, level: Level) -> pl.DataFrame:
    """The unit frame of ``level`` from communes with their names (``_UNIT_NAMES``)."""
    if level not in GROUPINGS:
        raise ValueError(f"cấp không hợp lệ {level!r}: chọn một trong {GROUPINGS}")
    code, name = {"commune": ("commune_code", "commune_name"), "district": ("district_code", "district_name"),
                  "province": ("province_code", "province_name")}[level]
    district = [pl.lit(None, pl.String).alias("district_code"), pl.lit(None, pl.String).alias("district_name")] \
        if level == "province" else [pl.col("district_code"), pl.col("district_name")]
    return units.select(pl.col("commune_code"), pl.lit(level).alias("level"), pl.col(code).alias("unit_code"),
                        pl.col(name).alias("unit_name"), *district)


def unit_frame(con: duckdb.DuckDBPyConnection, level: Level) -> pl.DataFrame:
    """commune_code -> the unit it belongs to at ``level`` (code, name, district)."""
    if level not in GROUPINGS:
        raise ValueError(f"cấp không hợp lệ {level!r}: chọn một trong {GROUPINGS}")
    return level_units(run(con, "units", {}), level)


def communes_of(con: duckdb.DuckDBPyConnection, level: Level, unit_codes: list[str] | None) -> list[str] | None:
    """The commune codes making up the given units (None: all)."""
    if unit_codes is None:
        return None
    units = unit_frame(con, level)
    return units.filter(pl.col("unit_code").is_in(unit_codes))["commune_code"].to_list()


def aggregate(counts: pl.DataFrame, units: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    """Sum commune counts up to the units of ``units`` (one row per unit x keys), with ``sent_<kind>``: how
    many of the unit's communes sent that record kind in the period (``SENT_COUNTS``)."""
    sent = [(pl.sum_horizontal(columns) > 0).cast(pl.Int64).alias(f"sent_{kind}")
            for kind, columns in SENT_COUNTS.items()]
    counts = counts.with_columns(sent)
    sums = [c for c, t in counts.schema.items() if t.is_integer()]
    return (counts.join(units, on="commune_code", how="inner")
            .group_by(keys + UNIT_COLUMNS, maintain_order=True)
            .agg(pl.col(sums).sum(), communes=pl.len().cast(pl.Int64)))


def _rate_columns(config: DvcqConfig) -> pl.DataFrame:
    """Per rate: label, group, target, composite weight (from the configuration)."""
    weights = config.effective_weights()
    return pl.DataFrame({
        "indicator": list(ALL_RATES),
        "label": [config.indicators[r].label for r in ALL_RATES],
        "group": [config.indicators[r].group for r in ALL_RATES],
        "target": [float(config.indicators[r].target) for r in ALL_RATES],
        "weight": [weights.get(r, 0.0) for r in ALL_RATES],
        "requires": [config.indicators[r].requires for r in ALL_RATES],
        "none_reason": [config.indicators[r].none_reason for r in ALL_RATES],
    }, schema_overrides={"group": pl.String, "requires": pl.String, "none_reason": pl.String})


def _long_rates(wide: pl.DataFrame, config: DvcqConfig, keys: list[str]) -> pl.DataFrame:
    """One row per unit x keys x rate (unit after unit, the rates in ``ALL_RATES`` order) with numerator,
    denominator, the rate's label, group, target and weight, and the unit's coverage, reporting
    communes and communes. No frame per rate, no join: the unit columns are repeated once per rate, and
    the counts are read as a units x rates matrix whose rows, laid end to end, are in that order (~2 ms
    less than a concat_list and explode for the 547 communes)."""
    requires = {rate: config.indicators[rate].requires for rate in ALL_RATES}
    rows = np.repeat(np.arange(wide.height), len(ALL_RATES))
    units = wide.select(
        *keys, *UNIT_COLUMNS,
        reporting_communes=pl.col("reporting_communes"), communes=pl.col("communes"),
    )[rows]
    counts = {part: pl.Series(part, wide.select([RATE_COUNTS[rate][i] for rate in ALL_RATES]).to_numpy().ravel(),
                              pl.Int64)
              for i, part in enumerate(("numerator", "denominator"))}
    counts["sent_communes"] = pl.Series("sent_communes", wide.select(  # -1: the rate requires no kind
        [(pl.col(f"sent_{kind}") if (kind := requires[rate]) else pl.lit(-1, pl.Int64)).alias(rate)
         for rate in ALL_RATES]
    ).to_numpy().ravel(), pl.Int64).replace(-1, None)
    info = _rate_columns(config)
    # unit_index is marked sorted (it is): _composite then sums each unit's contiguous rows, in row order
    return units.insert_column(len(keys) + len(UNIT_COLUMNS), pl.Series("unit_index", rows).set_sorted()) \
        .with_columns(**counts).hstack(info[np.tile(np.arange(info.height), wide.height)])


def _with_values(long: pl.DataFrame) -> pl.DataFrame:
    """value, Wilson bounds and gap (value null, N/A, when the denominator is 0); the points the value earns
    in the composite and, when it has none, why.

    Points: 100 when the value reaches its target, else 100 x value / target, scaled by the share of the
    unit's communes that sent the record kind the indicator ``requires``. A value reaching its target thus
    earns the most an indicator can, so sending such records never lowers a score. An indicator without a
    value is ``not_sent`` (0 points) when it requires a kind none of the unit's communes sent, else
    ``nothing_to_count`` (no points: left out of the composite, as for every unit without such records).
    """
    low, high = wilson_percent("numerator", "denominator")
    share = pl.col("sent_communes") / pl.col("communes")
    earned = pl.when(pl.col("target") > 0).then(pl.min_horizontal(pl.col("value") * 100.0 / pl.col("target"), 100.0)) \
        .otherwise(100.0)
    # no value, and either none of the unit's communes sent the kind, or there is no neutral reason for it to
    # have none (a survey without the criterion has not shown it)
    not_sent = pl.col("value").is_null() & pl.col("requires").is_not_null() & (
        (pl.col("sent_communes") == 0) | pl.col("none_reason").is_null())
    return (long.with_columns(value=pl.when(pl.col("denominator") > 0)
                              .then(pl.col("numerator") * 100.0 / pl.col("denominator")),
                              ci_low=low, ci_high=high)
            .with_columns(gap=pl.col("value") - pl.col("target"),
                          points=pl.when(pl.col("value").is_not_null()).then(earned * share.fill_null(1.0))
                          .when(not_sent).then(0.0),
                          missing=pl.when(not_sent).then(pl.lit(NOT_SENT))
                          .when(pl.col("value").is_null()).then(pl.lit(NOTHING_TO_COUNT)))
            .with_columns(  # what each unit's composite rests on: the scored indicators with points
                coverage=(pl.col("points").is_not_null() & pl.col("indicator").is_in(SCORED_INDICATORS))
                .sum().over("unit_index").cast(pl.Int64),
                not_sent=pl.col("indicator").filter(pl.col("missing") == NOT_SENT).str.join(",")
                .over("unit_index").replace("", None)))


def _composite(rates: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    """Weighted mean of the scored indicators' points, weights renormalised over those that have points (a
    value, or not sent): one row per unit, in the order of ``rates``."""
    scored = rates.filter(pl.col("indicator").is_in(SCORED_INDICATORS))
    has = pl.col("points").is_not_null() & (pl.col("weight") > 0)
    return (scored.group_by("unit_index", maintain_order=True)
            .agg(pl.col(*keys, *UNIT_COLUMNS, "coverage", "not_sent", "reporting_communes", "communes").first(),
                 wsum=pl.col("weight").filter(has).sum(),
                 wval=(pl.col("weight") * pl.col("points")).filter(has).sum())
            .select(*keys, *UNIT_COLUMNS, "unit_index", "coverage", "not_sent", "reporting_communes", "communes",
                    indicator=pl.lit(COMPOSITE), label=pl.lit(COMPOSITE_LABEL),
                    group=pl.lit(None, pl.String), numerator=pl.lit(None, pl.Int64),
                    denominator=pl.lit(None, pl.Int64), target=pl.lit(None, pl.Float64),
                    weight=pl.lit(None, pl.Float64), requires=pl.lit(None, pl.String),
                    none_reason=pl.lit(None, pl.String), sent_communes=pl.lit(None, pl.Int64),
                    value=pl.when(pl.col("wsum") > 0).then(pl.col("wval") / pl.col("wsum")),
                    ci_low=pl.lit(None, pl.Float64), ci_high=pl.lit(None, pl.Float64),
                    gap=pl.lit(None, pl.Float64), points=pl.lit(None, pl.Float64), missing=pl.lit(None, pl.String)))


def _ranked(table: pl.DataFrame, config: DvcqConfig, level: Level, keys: list[str]) -> pl.DataFrame:
    """Rank units with a value; 1 = best, ties share the best rank, a unit that sent nothing is last.

    What a rank rests on must be enough to compare: the composite needs ``min_indicators_ranked`` of
    the 12 indicators, and a district or area needs ``min_communes_reporting_ranked`` % of its communes
    to have sent data (one reporting commune out of 47 does not speak for a district).
    """
    enough_communes = (pl.col("reporting_communes") * 100 >= pl.col("communes") * config.min_communes_reporting_ranked)
    ranked = pl.col("value").is_not_null() & (pl.col("level") != "province") & (
        (pl.col("indicator") != COMPOSITE) | (pl.col("coverage") >= config.min_indicators_ranked)) & (
        (pl.col("level") == "commune") | enough_communes)
    rankable = pl.when(pl.col("ranked")).then(pl.col("value"))
    silent = pl.col("ranked") & (pl.col("reporting_communes") == 0)

    def place(over: list[str]) -> pl.Expr:
        # ties share the best place, except that a unit which sent nothing takes the last: hundreds of silent
        # communes tied at 0 must not read "2nd of 547"
        return (pl.when(silent).then(pl.col("ranked").sum().over(over))
                .otherwise(rankable.rank("min", descending=True).over(over)).cast(pl.Int64))

    table = table.with_columns(ranked=ranked).with_columns(rank_province=place(keys + ["indicator"]))
    by_district = place(keys + ["indicator", "district_code"]) if level == "commune" else pl.lit(None, pl.Int64)
    return table.with_columns(rank_district=by_district)


_ORDER = {name: i for i, name in enumerate((*ALL_RATES, COMPOSITE))}  # display order of indicator rows
OUTPUT_COLUMNS = ["level", "unit_code", "unit_name", "district_code", "district_name", "indicator", "label", "group",
                  "numerator", "denominator", "value", "ci_low", "ci_high", "target", "gap", "points", "missing",
                  "requires", "none_reason", "sent_communes", "coverage", "not_sent", "reporting_communes", "communes", "ranked",
                  "rank_province", "rank_district"]


def _unit_rates(wide: pl.DataFrame, config: DvcqConfig, level: Level, keys: list[str]) -> pl.DataFrame:
    """``rates_from_counts``'s rows unit after unit (in the order of ``wide``), each unit's in display order:
    every rate of ``ALL_RATES``, then the composite."""
    rates = _with_values(_long_rates(wide, config, keys))
    composite = _composite(rates, keys).select(rates.columns)
    # a stable sort puts the composite row of each unit (stacked after all the rates) after its rates
    stacked = pl.concat([rates, composite]).sort("unit_index", maintain_order=True)
    return _ranked(stacked, config, level, keys).select(*keys, *OUTPUT_COLUMNS)


def rates_from_counts(wide: pl.DataFrame, config: DvcqConfig, level: Level, keys: list[str]) -> pl.DataFrame:
    """Indicator rows (13 rates + composite) from aggregated wide counts, per unit x keys: rate after rate
    (each for every unit, in the order of ``wide``), the composite last."""
    table = _unit_rates(wide, config, level, keys)
    per_unit = len(ALL_RATES) + 1
    return table[np.arange(table.height).reshape(-1, per_unit).T.ravel()]


def order_indicators(table: pl.DataFrame, keys: tuple[str, ...] = ()) -> pl.DataFrame:
    """Rows by ``keys``, unit, then the display order of the indicators (the 12, hai_long, composite)."""
    return table.sort(*keys, "unit_code", pl.col("indicator").replace_strict(_ORDER, default=len(_ORDER)))


def indicator_table(con: duckdb.DuckDBPyConnection, config: DvcqConfig, level: Level,
                    period: Period) -> pl.DataFrame:
    """One row per unit x indicator (12 scored, hai_long, composite) for one period.

    Columns: OUTPUT_COLUMNS. Values and bounds in percent, null when the denominator is 0.
    Every unit of admin_units appears, all N/A when it has no records.
    """
    counts, units = counts_and_units(con, config, [period])
    wide = aggregate(counts, level_units(units, level), []).sort("unit_code")
    return _unit_rates(wide, config, level, [])  # units by code, each unit's rows in display order


def measures_from_counts(wide: pl.DataFrame) -> pl.DataFrame:
    """Long table of the supporting measures (``MEASURES``) from aggregated wide counts:
    level, unit_code, unit_name, district_code, district_name, measure, label, value.

    ``online_share`` is a percentage of dossiers received (null when none); the rest are counts.
    """
    wide = wide.with_columns(
        care_letters=pl.col("letters_congratulation") + pl.col("letters_condolence"),
        online_share=pl.when(pl.col("dossiers_received") > 0)
        .then(pl.col("dossiers_online") * 100.0 / pl.col("dossiers_received")))
    parts = [wide.select(*UNIT_COLUMNS, measure=pl.lit(m), label=pl.lit(label), value=pl.col(m).cast(pl.Float64))
             for m, label in MEASURES.items()]
    return pl.concat(parts).sort("unit_code", maintain_order=True)


def supporting_measures(con: duckdb.DuckDBPyConnection, config: DvcqConfig, level: Level,
                        period: Period) -> pl.DataFrame:
    """``measures_from_counts`` of one period at ``level``."""
    return measures_from_counts(aggregate(commune_counts(con, config, [period]), unit_frame(con, level), []))


def trend_periods(date_from: dt.date, date_to: dt.date, freq: Freq) -> list[Period]:
    """Calendar months/quarters/years covering [date_from, date_to], clipped to it; as_of = each end."""
    months = {"month": 1, "quarter": 3, "year": 12}[freq]
    start_month = (date_from.month - 1) // months * months + 1 if freq != "year" else 1
    start = dt.date(date_from.year, start_month, 1)
    periods = []
    while start <= date_to:
        year, month = divmod(start.month - 1 + months, 12)
        nxt = dt.date(start.year + year, month + 1, 1)
        end = min(nxt - dt.timedelta(days=1), date_to)
        periods.append(Period(max(start, date_from), end, end))
        start = nxt
    return periods


def trend_table(con: duckdb.DuckDBPyConnection, config: DvcqConfig, level: Level, unit_codes: list[str] | None,
                date_from: dt.date, date_to: dt.date, freq: Freq) -> pl.DataFrame:
    """Rates per period x unit x indicator, from one query over all periods.

    Columns: period_start (first day of the month/quarter/year), period_end (clipped to
    date_to), then OUTPUT_COLUMNS. Each period is its own "as of" at its end, and pro-rata
    requirements follow each period's (clipped) length.
    """
    periods = trend_periods(date_from, date_to, freq)
    units = unit_frame(con, level)
    if unit_codes is not None:
        units = units.filter(pl.col("unit_code").is_in(unit_codes))
    counts = commune_counts(con, config, periods, units["commune_code"].to_list())
    starts = pl.DataFrame({"date_from": [p.date_from for p in periods],
                           "period_start": [_period_start(p.date_from, freq) for p in periods]})
    counts = counts.join(starts, on="date_from", how="left").rename({"date_to": "period_end"})
    wide = aggregate(counts, units, ["period_start", "period_end"])
    return order_indicators(rates_from_counts(wide, config, level, ["period_start", "period_end"]), ("period_start",))


def _period_start(day: dt.date, freq: Freq) -> dt.date:
    if freq == "year":
        return dt.date(day.year, 1, 1)
    if freq == "quarter":
        return dt.date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    return day.replace(day=1)


RECORD_COLUMNS = ["indicator", "record_kind", "record_id", "commune_code", "commune_name", "record_date", "due_date",
                  "closed_date", "status", "detail", "in_denominator", "in_numerator", "den_count", "num_count"]
_REQUIREMENT_RATES = {"biet_nghe": "hội nghị đối thoại yêu cầu trong kỳ", "biet_cam_on": "thư cảm ơn chỉ tiêu trong kỳ"}


def indicator_records(con: duckdb.DuckDBPyConnection, config: DvcqConfig, indicator: str, level: Level,
                      unit_code: str, period: Period) -> pl.DataFrame:
    """The records behind one cell, for drill-down: RECORD_COLUMNS, no personal column.

    ``den_count``/``num_count`` add up to the cell's denominator/numerator (opinions for
    biet_noi). For biet_nghe and biet_cam_on the denominator is a requirement, not records:
    it comes as one ``record_kind = 'requirement'`` row per commune; the records (dialogues,
    thanks letters) count in the numerator up to it.
    """
    if indicator not in ALL_RATES:
        raise ValueError(f"chỉ số không biết: {indicator!r}")
    communes = communes_of(con, level, [unit_code]) or []
    params = engine_params(config, [period], communes) | {f"detail_{k}": v for k, v in RECORD_DETAILS.items()}
    rated = {RATE_COUNTS[rate][1].removesuffix("_rated"): rate for rate in ALL_RATES
             if RATE_COUNTS[rate][1].endswith("_rated")}  # survey column -> its rate
    records = (run(con, "indicator_records", params)
               .with_columns(indicator=pl.coalesce("indicator", pl.col("rating_column").replace_strict(rated, default=None)))
               .filter(pl.col("indicator") == indicator))
    if indicator in _REQUIREMENT_RATES:
        required = RATE_COUNTS[indicator][1]
        counts = commune_counts(con, config, [period], communes).filter(pl.col(required) > 0)
        requirement = counts.select(
            indicator=pl.lit(indicator), record_kind=pl.lit("requirement"), record_id=pl.lit(None, pl.String),
            commune_code="commune_code", record_date=pl.lit(period.date_to), detail=pl.lit(_REQUIREMENT_RATES[indicator]),
            in_denominator=pl.lit(True), in_numerator=pl.lit(False), den_count=pl.col(required),
            num_count=pl.lit(0))
        records = pl.concat([records, requirement], how="diagonal_relaxed")
    names = unit_frame(con, "commune").select("commune_code", commune_name="unit_name")
    return (records.join(names, on="commune_code", how="left", maintain_order="left")
            .with_columns(pl.col("den_count", "num_count").cast(pl.Int64)).select(RECORD_COLUMNS))


def petition_breakdown(con: duckdb.DuckDBPyConnection, config: DvcqConfig, period: Period,
                       communes: list[str] | None = None) -> pl.DataFrame:
    """Petitions received in the period: kind, field, outcome at as_of, timeliness, n, escalated.

    Same facts and as-of rule as the indicators (``timeliness`` is a code of the
    ``petition_timeliness`` vocabulary), so a page showing both never disagrees with itself.
    """
    return run(con, "petition_breakdown", engine_params(config, [period], communes))
