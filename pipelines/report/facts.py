"""What the written report states, read from the engine: the unit, its counts, rates, flags, communes.

Why a module of its own: the report must give the numbers the dashboard and the CLI give for the
same view, so it asks the engine (``pipelines.engine``) the same questions — one ``commune_counts``
for the period, summed to the unit with ``aggregate``, rated with ``rates_from_counts``, flagged
with ``flag_table``, what falls due soon with ``due_soon_table`` — and adds only the survey's
distribution by rating (``sql/survey_ratings.sql``), which no page needed before. Nothing here words a sentence (``pipelines.report.content`` does) and
no personal column is ever selected.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from typing import get_args

from pipelines.engine.backlog import due_soon_table
from pipelines.engine.flags import flag_table
from pipelines.engine.indicators import Level, aggregate, commune_counts, rates_from_counts, unit_frame
from pipelines.sql import InStructure, run
from schemas.admin_unit import ERA_SHORT_VI, ERAS, Era, LevelTerm, level_in
from schemas.catalog import COMPOSITE, LEVEL_WORDS
from schemas.config import DueKind, DvcqConfig
from schemas.periods import Period

PROVINCE = "province"
"""What ``--unit`` takes for the whole province (its code works too)."""


class ReportUnitError(ValueError):
    """A unit the report cannot be written for (unknown code in the chosen structure): said in Vietnamese."""


@dataclass(frozen=True)
class ReportScope:
    """The unit that writes the report, in one administrative structure."""

    era: Era
    level: Level            # the engine's level: 'district' is the legacy district or the 2025 'địa bàn huyện cũ'
    unit_code: str
    unit_name: str          # as registered: 'Thị trấn Hà Trung', 'Huyện Hà Trung', 'Tỉnh Thanh Hóa'
    parent_name: str        # the unit above: the legacy district of a commune, else the province
    province_name: str
    commune_codes: tuple[str, ...]

    @property
    def term(self) -> LevelTerm:
        """The level in the level vocabulary: its code as the templates name it (commune, district, area,
        province), its words."""
        return level_in(self.era, self.level)


@dataclass(frozen=True)
class ReportFacts:
    """Everything the report states about one unit and period (frames already filtered to the unit)."""

    scope: ReportScope
    period: Period
    counts: dict                 # the unit's counts: every column of commune_counts, summed over its communes
    rates: pl.DataFrame          # the unit's rows of rates_from_counts: 12 indicators, hai_long, composite
    ranked_units: int            # how many units of the level are ranked (the denominator of a rank)
    ratings: dict[int, int]      # overall rating (5 best) -> responses
    flags: pl.DataFrame          # the unit's flags (flag_table rows)
    communes: pl.DataFrame | None  # above a commune: its communes' composite rows with rank and flag count
    due_soon: dict[str, int]     # record kind -> items due soon at the as-of day (due_soon_table, as Tồn đọng)


def resolve_scope(con: InStructure, config: DvcqConfig, unit: str) -> ReportScope:
    """The unit named by ``unit`` (a commune code, a district / 'địa bàn huyện cũ' code, the province's
    code or 'province') in the connection's structure; an unknown code raises ``ReportUnitError``."""
    code = unit.strip()
    units = run(con, "units", {})
    province_code, province_name = units.item(0, "province_code"), units.item(0, "province_name")
    if code.lower() == PROVINCE or code == province_code:
        return ReportScope(con.era, "province", province_code, province_name, province_name, province_name,
                           tuple(units["commune_code"]))
    commune = units.filter(pl.col("commune_code") == code)
    if commune.height:
        row = commune.row(0, named=True)
        parent = row["district_name"] if con.era == "legacy" else province_name
        return ReportScope(con.era, "commune", code, row["commune_name"], parent, province_name, (code,))
    district = units.filter(pl.col("district_code") == code)
    if district.height:
        return ReportScope(con.era, "district", code, district.item(0, "district_name"), province_name,
                           province_name, tuple(district["commune_code"]))
    other = next(e for e in ERAS if e != con.era)
    raise ReportUnitError(
        f"không có đơn vị mã {code!r} trong {ERA_SHORT_VI[con.era]} của {province_name}: dùng mã xã (5 chữ số), "
        f"mã {LEVEL_WORDS[con.era]['district']} hoặc '{PROVINCE}'; "
        f"mã thuộc {ERA_SHORT_VI[other]} thì thêm --units {other}")


def _ratings(con: InStructure, scope: ReportScope, period: Period) -> dict[int, int]:
    frame = run(con, "survey_ratings", {"date_from": period.date_from, "date_to": period.date_to,
                                        "communes": list(scope.commune_codes)})
    return {int(r): int(n) for r, n in frame.iter_rows()}


def gather(con: InStructure, config: DvcqConfig, scope: ReportScope, period: Period) -> ReportFacts:
    """The engine's answers for ``scope`` over ``period`` (one ``commune_counts`` serves them all)."""
    counts = commune_counts(con, config, [period])
    units = unit_frame(con, scope.level)
    level_rates = rates_from_counts(aggregate(counts, units, []), config, scope.level, [])
    wide = aggregate(counts, units.filter(pl.col("unit_code") == scope.unit_code), [])
    flags = flag_table(con, config, scope.level, period, counts)
    ranked = level_rates.filter((pl.col("indicator") == COMPOSITE) & pl.col("ranked")).height
    return ReportFacts(
        scope=scope, period=period, counts=wide.row(0, named=True),
        rates=level_rates.filter(pl.col("unit_code") == scope.unit_code), ranked_units=ranked,
        ratings=_ratings(con, scope, period), flags=flags.filter(pl.col("unit_code") == scope.unit_code),
        communes=None if scope.level == "commune" else _communes(con, config, scope, period, counts),
        due_soon=_due_soon(con, config, scope, period))


def _due_soon(con: InStructure, config: DvcqConfig, scope: ReportScope, period: Period) -> dict[str, int]:
    """How many of the scope's dossiers and petitions are due soon at the period's as-of day."""
    items = due_soon_table(con, config, period.as_of).filter(pl.col("commune_code").is_in(scope.commune_codes))
    return {kind: items.filter(pl.col("kind") == kind).height for kind in get_args(DueKind)}


def _communes(con: InStructure, config: DvcqConfig, scope: ReportScope, period: Period,
              counts: pl.DataFrame) -> pl.DataFrame:
    """The scope's communes, best first: composite value, coverage, whether it reported, its rank among the
    scope's communes (the district's rank for a district or area, the province's for the province) and
    how many flags it has."""
    level: Level = "commune"
    rates = rates_from_counts(aggregate(counts, unit_frame(con, level), []), config, level, [])
    flags = (flag_table(con, config, level, period, counts).group_by("unit_code")
             .agg(flags=pl.len().cast(pl.Int64)))
    rank = "rank_province" if scope.level == "province" else "rank_district"
    return (rates.filter((pl.col("indicator") == COMPOSITE) & pl.col("unit_code").is_in(scope.commune_codes))
            .join(flags, on="unit_code", how="left")
            .select("unit_code", "unit_name", "value", "coverage", "reporting_communes", "ranked",
                    pl.col(rank).alias("rank"), pl.col("flags").fill_null(0))
            .sort(pl.col("rank").is_null(), "rank", pl.col("value").is_null(), pl.col("value"), "unit_name",
                  descending=[False, False, False, True, False]))
