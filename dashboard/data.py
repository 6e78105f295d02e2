"""The pages' one interface to the engine: typed, cached functions that return frames already labelled.

Typed: a period is ``schemas.periods.Period`` (its days and its as-of day), a level is
``schemas.admin_unit.Level``, the structure an ``Era`` (the sidebar's, ``era()``), units are their codes
(a district's or a commune's). Pages draw what comes back and never aggregate: every count, total and
grouping a page shows is a named function here (a test checks the pages' code for it).

Every figure comes from the engine (``pipelines.engine.indicators``, ``flags``, ``backlog``), which reads
the facts built at publish; every other query is a named file of ``pipelines/sql`` run with bound
``$parameters``. Results are cached with ``st.cache_data`` keyed on the warehouse version and the
structure, so all sessions share them: a period's per-commune counts are computed once and every
level's indicators, measures and flags are derived from them. Personal columns are never selected.

Scoped: the cached inner functions (``_name``) hold every unit's rows and are shared by all sessions; each
public function applies the signed-in account's scope (``dashboard.access.scope()``, rules in
``pipelines.access.scope.Scope``) to what comes out of the cache, so no page, chart or export can show more
than the account may read: its units' records (or none), other units' figures only when its role sees them,
the 2025 structure for an account limited to some units, and a unit outside its scope refused.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
import streamlit as st

from dashboard import access
from dashboard.connection import config, db_path, has_warehouse, in_structure, is_current, version  # noqa: F401
from pipelines.access.scope import QUARANTINE_REFUSED, OutOfScope
from pipelines.engine import backlog as backlog_engine
from pipelines.engine import flags as flag_engine
from pipelines.engine import indicators as engine
from pipelines.engine.indicators import Level
from pipelines.engine.submissions import submission_table
from pipelines.ingest import service
from pipelines.sql import run
from schemas.admin_unit import ERA_SHORT_VI, Era, default_era
from schemas.catalog import (COMPOSITE, FLAG_KINDS, LEVEL_LABELS, NOT_SENT, NOTHING_TO_COUNT, SENT_COUNTS,
                             bucket_labels as _bucket_labels, rule_labels)
from schemas.periods import Period
from schemas.records import RECORD_SCHEMAS
from schemas.vocabularies import VOCABULARIES

RECORD_KIND_LABELS = {"requirement": "Yêu cầu trong kỳ", **{k: s.label_vi for k, s in RECORD_SCHEMAS.items()}}


def era() -> Era:
    """The structure the pages show: the sidebar's choice (``filters.sidebar`` stores it), else the one
    in force on the data's last day; always the 2025 one for an account limited to some units."""
    return access.scope().structure(st.session_state.get("_era") or default_era(date_range()[1]))


def _labels(vocabulary: str) -> dict[str, str]:
    return VOCABULARIES[vocabulary].labels_vi


# ------------------------------------------------------------------ reference
@st.cache_data(max_entries=8, show_spinner=False)
def _query(v: str, path: str, structure: Era, name: str, params: tuple) -> pl.DataFrame:
    return run(in_structure(path, v, structure), name, dict(params))


def query(name: str, structure: Era | None = None, **params) -> pl.DataFrame:
    """A named query of ``pipelines/sql`` in the pages' structure (or the one given)."""
    return _query(version(), db_path(), structure or era(), name, tuple(sorted(params.items())))


def date_range() -> tuple[dt.date, dt.date]:
    """First and last event day in the warehouse (today when it is empty)."""
    first, last = query("latest_date", structure="2025").row(0)  # facts of every record: any structure
    today = dt.date.today()
    return first or today, last or today


def has_records() -> bool:
    return query("latest_date", structure="2025").item(0, "latest") is not None


def units() -> pl.DataFrame:
    return query("units")


def unit_name(code: str) -> str:
    u = units()
    if len(code) == 5:
        hit = u.filter(pl.col("commune_code") == code)
        return f"{hit.item(0, 'commune_name')}, {hit.item(0, 'district_name')}" if len(hit) else code
    hit = u.filter(pl.col("district_code") == code)
    return hit.item(0, "district_name") if len(hit) else code


def districts() -> dict[str, str]:
    """district code -> name (the 2025 structure's 'địa bàn huyện cũ'), in code order."""
    return dict(units().select("district_code", "district_name").unique().sort("district_code").iter_rows())


def province_name() -> str:
    u = units()
    return u.item(0, "province_name") if len(u) else ""


def scope(district: str | None, commune: str | None) -> tuple[Level, str]:
    """(level, unit_code) of the view: the commune, else the district, else the province."""
    if commune:
        return "commune", commune
    if district:
        return "district", district
    return "province", config().province_code


def children(district: str | None) -> tuple[Level, str | None]:
    """Units to rank under the view: districts of the province, or communes of one district."""
    return ("commune", district) if district else ("district", None)


def communes_in(district: str | None, commune: str | None) -> list[str] | None:
    """Commune codes of the view (None: the whole province)."""
    if commune:
        return [commune]
    if district:
        return units().filter(pl.col("district_code") == district)["commune_code"].to_list()
    return None


def own_units() -> pl.DataFrame:
    """The communes of ``units`` the account answers for (every one when it reaches every unit)."""
    return access.scope().visible(units())


def own_districts() -> dict[str, str]:
    """district code -> name of the districts (areas) holding a commune the account answers for, in code order:
    the units its sidebar and the Đơn vị page offer."""
    return dict(own_units().select("district_code", "district_name").unique().sort("district_code").iter_rows())


def sees_other_units() -> bool:
    """The account's role reads other units' figures (an area's, other communes')."""
    return access.scope().role.other_units_figures


def require_view(district: str | None, commune: str | None) -> None:
    """Refuse a view of a unit outside the account's scope with ``OutOfScope(UNIT_REFUSED)``: a commune it does
    not reach, an area (district) holding none of its communes or, for a role that sees no other unit's
    figures, any area."""
    if commune:
        access.scope().require(commune)
    elif district:
        access.scope().require_area(communes_in(district, None))


def readable_communes(district: str | None, commune: str | None) -> list[str] | None:
    """The communes of the view the account may read (None: every commune), the view's unit checked first
    (``require_view``)."""
    require_view(district, commune)
    chosen, reach = communes_in(district, commune), access.scope().communes
    if reach is None:
        return chosen
    return sorted(reach if chosen is None else reach.intersection(chosen))


def may_report(district: str | None, commune: str | None) -> bool:
    """The account may have the written report of the view's unit: the report lists the unit's communes, so
    each must be its own (the province's, for an account limited to some units, is not)."""
    return access.scope().covers(communes_in(district, commune))


def unit_rows(frame: pl.DataFrame, unit_code: str) -> pl.DataFrame:
    return frame.filter(pl.col("unit_code") == unit_code)


def value_of(frame: pl.DataFrame, unit_code: str, key: str, column: str = "value", by: str = "indicator"):
    hit = frame.filter((pl.col("unit_code") == unit_code) & (pl.col(by) == key))
    return hit.item(0, column) if len(hit) else None


def predecessors(commune: str) -> pl.DataFrame:
    """Legacy communes merged (wholly or in part) into a 2025 commune."""
    return query("predecessors", structure="2025", commune=commune)


# ------------------------------------------------------------------ indicators
# The caches key on the Period itself: Streamlit hashes a dataclass by its fields (tests/test_interface.py).
@st.cache_data(max_entries=64, show_spinner=False)
def _counts(v: str, path: str, structure: Era, period: Period) -> pl.DataFrame:
    """Per-commune counts of one period: one engine pass shared by every level's figures."""
    return engine.commune_counts(in_structure(path, v, structure), config(), [period])


@st.cache_data(max_entries=8, show_spinner=False)
def _unit_frame(v: str, path: str, structure: Era, level: Level) -> pl.DataFrame:
    return engine.unit_frame(in_structure(path, v, structure), level)


def _wide(v: str, path: str, structure: Era, level: Level, period: Period) -> pl.DataFrame:
    return engine.aggregate(_counts(v, path, structure, period), _unit_frame(v, path, structure, level), [])


@st.cache_data(max_entries=256, show_spinner=False)
def _indicators(v: str, path: str, structure: Era, level: Level, period: Period) -> pl.DataFrame:
    table = engine.rates_from_counts(_wide(v, path, structure, level, period), config(), level, [])
    return engine.order_indicators(table.with_columns(why_na=why_no_value()))


def kind_labels() -> dict[str, str]:
    """What a commune sends of each record kind, in words ("phiếu khảo sát hài lòng"): the submission's label
    where the kind must be sent, else the kind's own."""
    return {kind: schema.label_vi.lower() for kind, schema in RECORD_SCHEMAS.items()} | submission_labels()


def why_no_value() -> pl.Expr:
    """Why an indicator has no value, in words: not sent (its kind, or the criterion missing from what was
    sent) is a finding; nothing to count says what there was none of (the configuration's ``none_reason``)."""
    kinds = kind_labels()
    return (pl.when(pl.col("missing") == NOT_SENT).then(
                pl.when(pl.col("sent_communes").fill_null(0) == 0)
                .then(pl.lit("chưa gửi ") + pl.col("requires").replace_strict(kinds, default=pl.col("requires")))
                .otherwise(pl.lit("đã gửi ") + pl.col("requires").replace_strict(kinds, default=pl.col("requires"))
                           + pl.lit(" nhưng không có tiêu chí này")) + pl.lit(": tính 0 điểm"))
            .when(pl.col("missing") == NOTHING_TO_COUNT).then(pl.col("none_reason") + pl.lit(": không tính điểm")))


def indicators(level: Level, period: Period) -> pl.DataFrame:
    """One row per unit x indicator (12 + hai_long + composite), labelled (``label``); only the units whose
    figures the account may read (``Scope.figures``)."""
    return access.scope().figures(_indicators(version(), db_path(), era(), level, period), level)


def ranked_counts(level: Level, period: Period, district: str | None) -> tuple[int, int]:
    """How many units of ``level`` are ranked in the province, and among them in ``district`` (0 when None):
    the "of how many" of a unit's place, which an account that sees no other unit's figures needs too."""
    ranked = _indicators(version(), db_path(), era(), level, period).filter(
        pl.col("indicator") == COMPOSITE, pl.col("ranked"))
    return ranked.height, ranked.filter(pl.col("district_code") == district).height if district else 0


@st.cache_data(max_entries=128, show_spinner=False)
def _measures(v: str, path: str, structure: Era, level: Level, period: Period) -> pl.DataFrame:
    return engine.measures_from_counts(_wide(v, path, structure, level, period))


def commune_ranking(period: Period, district: str | None, commune: str | None) -> pl.DataFrame:
    """Every commune of the province (or of the chosen area) by its composite score: ranked ones by their place
    among all communes of the province, then the unranked; ``commune_name`` for the tables."""
    table = indicators("commune", period).filter(pl.col("indicator") == COMPOSITE)
    chosen = communes_in(district, commune)
    if chosen is not None:
        table = table.filter(pl.col("unit_code").is_in(chosen))
    return (table.sort(["ranked", "rank_province", "unit_code"], descending=[True, False, False], nulls_last=True)
            .with_columns(commune_name="unit_name"))


def measures(level: Level, period: Period) -> pl.DataFrame:
    """Long: unit_code, unit_name, measure, label, value (supporting counts of ``MEASURES``)."""
    return access.scope().figures(_measures(version(), db_path(), era(), level, period), level)


def commune_scores(period: Period, district: str | None, indicator: str = COMPOSITE) -> pl.DataFrame:
    """One indicator (default: the composite score) per commune with its coordinates (all communes,
    null when no data)."""
    scores = indicators("commune", period).filter(pl.col("indicator") == indicator)
    if district:
        scores = scores.filter(pl.col("district_code") == district)
    coords = units().select("commune_code", "latitude", "longitude")
    return scores.join(coords, left_on="unit_code", right_on="commune_code", how="left")


@st.cache_data(max_entries=128, show_spinner=False)
def _trend(v: str, path: str, structure: Era, level: Level, unit_codes: tuple[str, ...], d_from: dt.date, d_to: dt.date,
           freq: engine.Freq) -> pl.DataFrame:
    return engine.trend_table(in_structure(path, v, structure), config(), level, list(unit_codes), d_from, d_to, freq)


def trend(level: Level, unit_codes: list[str], d_from: dt.date, d_to: dt.date, freq: engine.Freq = "month") -> pl.DataFrame:
    """The indicators of the units per month (quarter, year) from ``d_from`` to ``d_to``, labelled."""
    return access.scope().figures(_trend(version(), db_path(), era(), level, tuple(unit_codes), d_from, d_to, freq),
                                  level)


# ------------------------------------------------------------------ flags
@st.cache_data(max_entries=128, show_spinner=False)
def _flags(v: str, path: str, structure: Era, level: Level, period: Period, today: dt.date) -> pl.DataFrame:
    # today is in the key: a month whose due day passes becomes "missing" on Cảnh báo the day it does
    flags = flag_engine.flag_table(in_structure(path, v, structure), config(), level, period,
                                   _counts(v, path, structure, period), checked=today)
    names = {**{k: ind.label for k, ind in config().indicators.items()}, **rule_labels(config())}
    return flags.with_columns(kind_vi=pl.col("flag").replace_strict(FLAG_KINDS),
                              indicator_vi=pl.col("indicator").replace_strict(names, default=pl.col("indicator")))


def flags(level: Level, period: Period) -> pl.DataFrame:
    """Every flag of the units at ``level`` the account answers for (``Scope.units``) with its reason;
    ``kind_vi``, ``indicator_vi`` labelled."""
    return access.scope().units(_flags(version(), db_path(), era(), level, period, dt.date.today()), level,
                                own_districts())


def flags_by_severity(flags: pl.DataFrame) -> pl.DataFrame:
    """One row per flagged unit, most severe first, with ``severity`` (1 = most severe) and a count per kind.

    Severity: first the units that did not send what they must, the most months missed first (silence is a
    finding: without their records nothing else about them can be judged, and a unit that sends nothing draws
    few other flags); then more kinds of flag, then more flags, then more flags of the graver kinds (the
    order of ``FLAG_KINDS``: a broken rule before a missing submission, before a rate clearly below target,
    before one below its peers, before a place in the bottom of the ranking), then the name.
    """
    counts = [(pl.col("flag") == kind).sum().alias(kind) for kind in FLAG_KINDS]
    months_missing = pl.col("numerator").filter(pl.col("flag") == "missing").sum().alias("months_missing")
    per_unit = (flags.group_by("unit_code", "unit_name", "district_name")
                .agg(months_missing, pl.len().alias("n_flags"), pl.col("flag").n_unique().alias("n_kinds"), *counts)
                .sort(["months_missing", "n_kinds", "n_flags", *FLAG_KINDS, "unit_name"],
                      descending=[True, True, True, *[True] * len(FLAG_KINDS), False]))
    return per_unit.with_row_index("severity", offset=1)


def flag_list(flags: pl.DataFrame, per_unit: pl.DataFrame) -> pl.DataFrame:
    """Every flag in the units' severity order, the graver kinds first within a unit."""
    kind_order = {kind: i for i, kind in enumerate(FLAG_KINDS)}
    return (flags.join(per_unit.select("unit_code", "severity"), on="unit_code")
            .sort("severity", pl.col("flag").replace_strict(kind_order), "indicator_vi"))


def flag_counts(flags: pl.DataFrame) -> dict[str, int]:
    """Flags of each kind (``FLAG_KINDS``' codes, every kind listed, 0 when none)."""
    return {kind: int((flags["flag"] == kind).sum()) for kind in FLAG_KINDS}


def flagged_indicators(flags: pl.DataFrame) -> list[str]:
    """The indicators and rules the flags name, each once, in code order: the choices of the page's filter."""
    return flags["indicator"].unique().sort().to_list()


def flags_per_unit(listed: pl.DataFrame) -> list[tuple[str, str, pl.DataFrame]]:
    """``flag_list`` cut into units, in its order: (unit name, district name, the unit's flags)."""
    return [(part.item(0, "unit_name"), part.item(0, "district_name"), part)
            for part in listed.partition_by("unit_code", maintain_order=True)]


def flagged_communes(period: Period, district: str | None, commune: str | None) -> int:
    """Communes with at least one flag in the view: a figure, counted over the communes whose figures the
    account may read."""
    frame = access.scope().figures(_flags(version(), db_path(), era(), "commune", period, dt.date.today()),
                                   "commune")
    if district:
        frame = frame.filter(pl.col("district_code") == district)
    if commune:
        frame = frame.filter(pl.col("unit_code") == commune)
    return frame["unit_code"].n_unique()


# ------------------------------------------------------------------ backlog
@st.cache_data(max_entries=64, show_spinner=False)
def _backlog(v: str, path: str, structure: Era, as_of: dt.date) -> pl.DataFrame:
    return _labelled_items(backlog_engine.backlog_table(in_structure(path, v, structure), config(), as_of, "commune"))


def _labelled_items(items: pl.DataFrame) -> pl.DataFrame:
    """Backlog or due-soon items with their kind and petition kind in words."""
    return items.with_columns(kind_vi=pl.col("kind").replace_strict(RECORD_KIND_LABELS),
                              petition_kind_vi=pl.col("petition_kind").replace_strict(_labels("petition_kind"),
                                                                                       default=None))


def bucket_labels() -> list[str]:
    return _bucket_labels(config().backlog_bucket_edges)


def _in_view(items: pl.DataFrame, district: str | None, commune: str | None) -> pl.DataFrame:
    """The items of the view's communes that the account reaches (the view's unit checked first)."""
    communes = readable_communes(district, commune)
    if district:
        items = items.filter(pl.col("district_code") == district)
    if commune:
        items = items.filter(pl.col("commune_code") == commune)
    return items if communes is None else items.filter(pl.col("commune_code").is_in(communes))


def backlog_items(as_of: dt.date, district: str | None, commune: str | None) -> pl.DataFrame:
    """Overdue items of the view at ``as_of`` (the one overdue rule), most overdue first: the list, as the
    account may read records (``Scope.records``: no denunciation one by one, no free text, per its role)."""
    items = _in_view(_backlog(version(), db_path(), era(), as_of), district, commune)
    return access.scope().records(items).sort("days_overdue", "due_date", descending=[True, False], nulls_last=True)


def backlog_counted(as_of: dt.date, district: str | None, commune: str | None) -> pl.DataFrame:
    """Every overdue item of the view at ``as_of`` in the account's communes, denunciations included, without
    ids or free text (``Scope.counted``): what the cards, the per-commune table and the charts count."""
    return access.scope().counted(_in_view(_backlog(version(), db_path(), era(), as_of), district, commune))


def withheld(counted: pl.DataFrame) -> int:
    """How many items of a ``backlog_counted`` or ``due_soon_counted`` frame the lists leave out (denunciations,
    for a role that reads them only as counts)."""
    return access.scope().withheld(counted)


def backlog_totals(items: pl.DataFrame) -> dict[str, int | None]:
    """The Tồn đọng cards of ``backlog_items``: overdue dossiers and petitions, the communes they are in, and
    the longest overdue in working days (None when nothing is overdue)."""
    return items.select(dossiers=(pl.col("kind") == "dossier").sum(), petitions=(pl.col("kind") == "petition").sum(),
                        communes=pl.col("commune_code").n_unique(), longest=pl.col("days_overdue").max()
                        ).row(0, named=True)


def most_burdened(per_commune: pl.DataFrame, how_many: int) -> pl.DataFrame:
    """The ``how_many`` communes of ``backlog_by_commune`` with the most overdue items (a tie at the edge goes
    to whichever Polars' ``top_k`` keeps), in its order (grouped by district)."""
    top = per_commune.top_k(how_many, by="n")["commune_code"].implode()
    return per_commune.filter(pl.col("commune_code").is_in(top))


def backlog_by_commune(items: pl.DataFrame) -> pl.DataFrame:
    """One row per commune with overdue items: counts per kind and per age bucket, the longest overdue
    and the oldest due date; grouped by district (area in the 2025 structure), the district with the
    most items first, and within it the commune with the most."""
    labels = bucket_labels()
    per = (items.group_by("district_name", "commune_code", "commune_name")
           .agg(n=pl.len(), dossiers=(pl.col("kind") == "dossier").sum(), petitions=(pl.col("kind") == "petition").sum(),
                oldest_due=pl.col("due_date").min(), longest=pl.col("days_overdue").max(),
                *[(pl.col("bucket") == b).sum().alias(b) for b in labels]))
    return (per.with_columns(district_n=pl.col("n").sum().over("district_name"))
            .sort(["district_n", "district_name", "n", "commune_name"], descending=[True, False, True, False])
            .drop("district_n"))


def backlog_buckets(items: pl.DataFrame) -> pl.DataFrame:
    """Items per age bucket, every bucket listed (0 when empty), youngest first."""
    return (pl.DataFrame({"bucket": bucket_labels()}).join(items.group_by("bucket").agg(n=pl.len()), on="bucket",
                                                          how="left").with_columns(pl.col("n").fill_null(0)))


# ------------------------------------------------------------------ petitions, dialogues
@st.cache_data(max_entries=64, show_spinner=False)
def _petition_breakdown(v: str, path: str, structure: Era, period: Period,
                        communes: tuple[str, ...] | None) -> pl.DataFrame:
    frame = engine.petition_breakdown(in_structure(path, v, structure), config(), period,
                                      list(communes) if communes is not None else None)
    return frame.with_columns(
        kind_vi=pl.col("kind").replace_strict(_labels("petition_kind")),
        outcome_vi=pl.col("outcome").replace_strict(_labels("petition_outcome")),
        timeliness_vi=pl.col("timeliness").replace_strict(_labels("petition_timeliness")),
        field_vi=pl.col("field").fill_null("Không ghi"))


def petition_breakdown(period: Period, district: str | None, commune: str | None) -> pl.DataFrame:
    """Petitions received in the period by kind, field, outcome and timeliness at as-of, labelled; of the
    view's communes the account reaches."""
    communes = readable_communes(district, commune)
    return _petition_breakdown(version(), db_path(), era(), period,
                               tuple(communes) if communes is not None else None)


def petition_totals(breakdown: pl.DataFrame) -> dict[str, int]:
    """The Đơn thư cards of a ``petition_breakdown``: petitions received, of them still pending and overdue at
    the period's as-of day, and those sent past the commune (escalated)."""
    return breakdown.select(
        received=pl.col("n").sum(), pending=pl.col("n").filter(pl.col("outcome") == "pending").sum(),
        overdue=pl.col("n").filter(pl.col("timeliness") == "open_overdue").sum(),
        escalated=pl.col("escalated").sum()).row(0, named=True)


def petition_counts(breakdown: pl.DataFrame, by: str) -> pl.DataFrame:
    """Petitions per value of one labelled column of a ``petition_breakdown`` (``kind_vi``, ``outcome_vi``,
    ``field_vi``, ``timeliness_vi``): that column and ``n``, the most first, then by name."""
    return breakdown.group_by(by).agg(pl.col("n").sum()).sort("n", by, descending=[True, False])


def dialogues(period: Period, district: str | None, commune: str | None) -> pl.DataFrame:
    """The dialogue meetings of the view in the period, newest first (records, no personal column), as the
    account may read records (its communes; free text per its role)."""
    meetings = query("dialogue_list", date_from=period.date_from, date_to=period.date_to,
                     communes=readable_communes(district, commune))
    return access.scope().records(meetings, petition_kind=None)


def dialogue_totals(meetings: pl.DataFrame) -> dict[str, int]:
    """The dialogue cards of the meetings ``dialogues`` lists: meetings, communes that held one, attendees,
    meetings chaired by the commune's head."""
    return meetings.select(meetings=pl.len(), communes=pl.col("commune_name").n_unique(),
                           attendees=pl.col("attendees").sum(), chaired_by_head=pl.col("chair_is_head").sum()
                           ).row(0, named=True)


def letters_sent(level: Level, unit: str, period: Period) -> pl.DataFrame:
    """The letters the unit sent in the period by kind (``measure``, ``label``, ``value``), kinds it sent none of
    left out, the most first."""
    return (unit_rows(measures(level, period), unit)
            .filter(pl.col("measure").is_in(SENT_COUNTS["letter"]), pl.col("value") > 0)
            .sort("value", descending=True))


def letters_total(letters: pl.DataFrame) -> int:
    """All the letters of ``letters_sent``."""
    return letters["value"].sum()


# ------------------------------------------------------------------ drill-down
@st.cache_data(max_entries=64, show_spinner=False)
def _records(v: str, path: str, structure: Era, indicator: str, level: Level, unit: str,
             period: Period) -> pl.DataFrame:
    con = in_structure(path, v, structure)
    frame = engine.indicator_records(con, config(), indicator, level, unit, period)
    # which petitions are denunciations: a role may read them only as counts (``Scope.records``)
    denunciations = run(con, "denunciation_ids", {"communes": frame["commune_code"].unique().to_list()})
    return (frame.join(denunciations, on=["record_kind", "commune_code", "record_id"], how="left",
                       maintain_order="left")
            .with_columns(kind_vi=pl.col("record_kind").replace_strict(RECORD_KIND_LABELS)))


def drill_down(indicator: str, level: Level, unit: str, period: Period) -> pl.DataFrame:
    """The records behind one indicator cell (engine's rules), numerator rows first, as the account may read
    records (its communes, no denunciation one by one or free text unless its role reads them)."""
    if level == "commune":
        require_view(None, unit)
    elif level == "district":
        require_view(unit, None)
    frame = access.scope().records(_records(version(), db_path(), era(), indicator, level, unit, period))
    return frame.sort("in_numerator", "record_date", nulls_last=True)


def drill_down_withheld(indicator: str, level: Level, unit: str, period: Period) -> int:
    """How many records behind the cell ``drill_down`` leaves out as denunciations (counted in the cell)."""
    return access.scope().withheld(_records(version(), db_path(), era(), indicator, level, unit, period))


# ------------------------------------------------------------------ data page
def freshness(district: str | None, commune: str | None) -> pl.DataFrame:
    """When each commune of the view the account reaches last sent each record kind."""
    return query("freshness", communes=readable_communes(district, commune))


# What the loading recorded is read through the loading service; its tables are the same in both structures.
@st.cache_data(max_entries=4, show_spinner=False)
def _ingest_log(v: str, path: str) -> pl.DataFrame:
    return service.ingest_log(in_structure(path, v, "2025"))


@st.cache_data(max_entries=4, show_spinner=False)
def _ingest_totals(v: str, path: str) -> dict[str, int]:
    return service.ingest_totals(in_structure(path, v, "2025"))


@st.cache_data(max_entries=4, show_spinner=False)
def _quarantine(v: str, path: str) -> pl.DataFrame:
    return service.quarantine(in_structure(path, v, "2025"))


def ingest_log() -> pl.DataFrame:
    """One row per file or sheet loaded, newest first; ``kind_vi`` labelled. An account limited to some units
    sees the files that hold one of its communes (named in the list the file was read in: a 2025 code, or a
    legacy commune merged into one of them)."""
    log = _ingest_log(version(), db_path()).with_columns(kind_vi=pl.col("kind").replace(RECORD_KIND_LABELS))
    reach = access.scope().communes
    if reach is None:
        return log
    legacy = sorted({code for commune in reach for code in predecessors(commune)["commune_code"].to_list()})
    codes = pl.col("communes").fill_null("").str.split(",").list.eval(pl.element().str.strip_chars())
    mine = pl.when(pl.col("unit_era") == "legacy").then(pl.lit(legacy, pl.List(pl.String))) \
        .otherwise(pl.lit(sorted(reach), pl.List(pl.String)))
    return log.filter(codes.list.set_intersection(mine).list.len() > 0)


def ingest_totals() -> dict[str, int]:
    """Files, rows read, rows applied and quarantined entries as the warehouse holds them."""
    return _ingest_totals(version(), db_path())


def quarantine() -> pl.DataFrame:
    """The quarantined rows with their reasons, newest first; ``kind_vi`` labelled. Rows as sent (any text a
    clerk typed): only for a role that manages the warehouse."""
    if not access.scope().role.manage:
        raise OutOfScope(QUARANTINE_REFUSED)
    return _quarantine(version(), db_path()).with_columns(kind_vi=pl.col("kind").replace(RECORD_KIND_LABELS))


def unit_names() -> dict[str, dict[str, str]]:
    """unit_era -> commune code -> name, for both lists."""
    names: dict[str, dict[str, str]] = {}
    for unit_era, code, name in query("unit_names", structure="2025").iter_rows():
        names.setdefault(unit_era, {})[code] = name
    return names


# ------------------------------------------------------------------ submissions ("đôn đốc")
@st.cache_data(max_entries=8, show_spinner=False)
def _submissions(v: str, path: str, date_from: dt.date, date_to: dt.date, checked: dt.date,
                 structure: Era | None) -> pl.DataFrame:
    con = in_structure(path, v, "2025").con
    return submission_table(con, config(), date_from, date_to, checked, structure)


def submissions(date_from: dt.date, date_to: dt.date, district: str | None, commune: str | None,
                checked: dt.date | None = None) -> pl.DataFrame:
    """Every commune x month x kind it must send in the period, judged on ``checked`` (today): each month in
    the structure in force in it, or, when a unit is chosen, every month in the pages' structure (the
    unit's communes are named in it); only the communes the account reaches, in the 2025 structure for one
    limited to some units. Labelled: ``status_vi``, ``kind_vi``."""
    communes = readable_communes(district, commune)
    structure = era() if communes is not None else None
    table = _submissions(version(), db_path(), date_from, date_to, checked or dt.date.today(), structure)
    if communes is not None:
        table = table.filter(pl.col("unit_code").is_in(communes))
    return table.with_columns(status_vi=pl.col("status").replace_strict(_labels("submission_status")),
                              kind_vi=pl.col("kind").replace_strict(submission_labels()))


def submission_totals(table: pl.DataFrame) -> dict[str, int]:
    """The Đôn đốc cards of a ``submissions`` table: communes that must send, communes missing a month that is
    due, months missing, months sent late (a commune counts once in each structure it is listed in)."""
    unit = pl.struct("structure", "unit_code")
    missing = pl.col("status") == "missing"
    return table.select(communes=unit.n_unique(), communes_missing=unit.filter(missing).n_unique(),
                        missing=missing.sum(), late=(pl.col("status") == "late").sum()).row(0, named=True)


def submission_labels() -> dict[str, str]:
    """What each kind a commune must send is called ("sổ theo dõi hồ sơ"), from the configuration."""
    return {kind: rule.label for kind, rule in config().submissions.items()}


def _months(starts: pl.Expr) -> pl.Expr:
    """Periods as Vietnamese months, "01/2026, 02/2026"."""
    return starts.sort().dt.strftime("%m/%Y").str.join(", ")


def reminders(table: pl.DataFrame) -> pl.DataFrame:
    """The list to send reminders from: per unit and kind, the months not sent and sent late, units missing
    the most first."""
    return (table.filter(pl.col("status").is_in(["missing", "late"]))
            .group_by("structure", "unit_code", "unit_name", "district_name", "kind", "kind_vi")
            .agg(missing=(pl.col("status") == "missing").sum().cast(pl.Int64),
                 months_missing=_months(pl.col("period_start").filter(pl.col("status") == "missing")),
                 months_late=_months(pl.col("period_start").filter(pl.col("status") == "late")),
                 first_due=pl.col("due").filter(pl.col("status") == "missing").min())
            .with_columns(unit_missing=pl.col("missing").sum().over("structure", "unit_code"))
            .sort(["unit_missing", "unit_code", "missing", "kind"], descending=[True, False, True, False])
            .drop("unit_missing").rename({"unit_name": "commune_name"}))


def submission_symbols() -> dict[str, str]:
    """The mark each status is shown with in the grid, and its label."""
    marks = {"sent": "✓", "late": "⚠", "missing": "✗", "empty": "–", "not_due": "…"}
    return {marks[code]: label for code, label in _labels("submission_status").items()}


def submission_grid(table: pl.DataFrame, kind: str) -> pl.DataFrame:
    """One row per unit, one column per month (YYYY-MM) of ``kind``: the status's mark and, when sent, the rows;
    units with the most missing months first."""
    marks = {code: mark for mark, code in zip(submission_symbols(), _labels("submission_status"))}
    rows = table.filter(pl.col("kind") == kind).with_columns(
        cell=pl.col("status").replace_strict(marks) + pl.when(pl.col("rows") > 0)
        .then(pl.lit(" ") + pl.col("rows").cast(pl.String)).otherwise(pl.lit("")),
        missing=(pl.col("status") == "missing").sum().over("structure", "unit_code"))
    # a code names another unit in the other structure: a row is one unit of one structure, named with it when
    # the months span the reform
    both = rows["structure"].n_unique() > 1
    rows = rows.with_columns(unit_name=pl.col("unit_name") + pl.lit(" (")
                             + pl.col("structure").replace_strict(ERA_SHORT_VI) + pl.lit(")")) if both else rows
    grid = rows.pivot("month", index=["missing", "structure", "unit_code", "unit_name", "district_name"],
                      values="cell", sort_columns=True)
    return (grid.sort(["missing", "structure", "unit_code"], descending=[True, False, False])
            .rename({"unit_name": "commune_name"}))


def submission_grid_spec(grid: pl.DataFrame) -> dict[str, tuple[str, str]]:
    months = [c for c in grid.columns if c[:4].isdigit()]
    return {"commune_name": (LEVEL_LABELS["legacy"]["commune"], "text"),  # in_structure() words them for the view
            "district_name": (LEVEL_LABELS["legacy"]["district"], "text"),
            "missing": ("Số tháng chưa gửi", "int"), **{m: (f"{m[5:]}/{m[:4]}", "text") for m in months}}


# ------------------------------------------------------------------ due soon ("sắp đến hạn")
@st.cache_data(max_entries=64, show_spinner=False)
def _due_soon(v: str, path: str, structure: Era, as_of: dt.date) -> pl.DataFrame:
    return _labelled_items(backlog_engine.due_soon_table(in_structure(path, v, structure), config(), as_of,
                                                         "commune"))


def due_soon_items(as_of: dt.date, district: str | None, commune: str | None) -> pl.DataFrame:
    """Items of the view due soon at ``as_of`` (``due_soon.sql``: open, not yet overdue, inside their window),
    the fewest working days left first, then the nearest due date: the list, as the account may read records."""
    items = _in_view(_due_soon(version(), db_path(), era(), as_of), district, commune)
    return access.scope().records(items).sort("working_days_left", "due_date", "kind", "record_id")


def due_soon_counted(as_of: dt.date, district: str | None, commune: str | None) -> pl.DataFrame:
    """Every item of the view due soon at ``as_of`` in the account's communes, denunciations included, without
    ids or free text: what the cards count."""
    return access.scope().counted(_in_view(_due_soon(version(), db_path(), era(), as_of), district, commune))


def due_soon_rule() -> str:
    """The configured window in words, for the pages' notes."""
    rule = config().due_soon
    share = (f"1/{rule.processing_parts} cuối thời gian giải quyết (từ ngày nhận đến hạn, làm tròn lên), ít nhất "
             f"{rule.min_working_days} ngày làm việc")
    fixed = [f"{RECORD_KIND_LABELS[kind].lower()}: {days} ngày làm việc" for kind, days in rule.working_days.items()]
    return share if not fixed else f"{share}; riêng {'; '.join(fixed)}"


def due_soon_totals(items: pl.DataFrame) -> dict[str, int]:
    """How many of the items due soon there are, how many are dossiers and petitions, and in how many communes."""
    return {"items": items.height, "dossiers": int((items["kind"] == "dossier").sum()),
            "petitions": int((items["kind"] == "petition").sum()), "communes": items["commune_code"].n_unique()}
