"""Weak performers: which units to look at, and why, in words a leader reads aloud.

Why intervals: a commune with 1 late dossier out of 3 is 67 % on time, but that says little;
flagging it would send inspectors after noise. A unit is "significantly below" a target or
its peers only when the upper bound of its 95 % Wilson interval is below that mark. Rule
breaches (a late dossier without apology, overdue items, no dialogue) are flagged on any
count, because each one is a breach of a rule, not an estimate.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from typing import Any

import duckdb
import polars as pl

from pipelines.engine.indicators import (UNIT_COLUMNS, Level, Period, aggregate, counts_and_units, engine_params,
                                         level_units, rates_from_counts)
from pipelines.sql import InStructure, run
from pipelines.text import vn_number
from schemas.admin_unit import Era
from pipelines.engine.submissions import submission_table
from schemas.catalog import COMPOSITE, FLAG_KINDS, INDICATOR_COUNT, LEVEL_WORDS
from schemas.config import DvcqConfig

FLAG_COLUMNS = ["level", "unit_code", "unit_name", "district_code", "district_name", "flag", "indicator",
                "numerator", "denominator", "value", "ci_low", "ci_high", "target", "reason"]
_FLAG_ORDER = {kind: i for i, kind in enumerate(FLAG_KINDS)}
PEER_LEVEL = {"commune": "district", "district": "province"}


def vn_percent(x: float) -> str:
    """A rate with one decimal and a spaced percent sign: '90,0 %'."""
    return f"{vn_number(x, 1)} %"


def vn_target(x: float) -> str:
    """A target as configured: whole numbers without decimals ('95 %'), else one decimal."""
    return f"{vn_number(x, 0 if float(x).is_integer() else 1)} %"


def vn_date(d: Any) -> str:
    return d.strftime("%d/%m/%Y")


def _interval(row: dict) -> str:
    return (f"{vn_percent(row['value'])} ({vn_number(row['numerator'])}/{vn_number(row['denominator'])}; "
            f"khoảng tin cậy 95 %: {vn_number(row['ci_low'], 1)}–{vn_number(row['ci_high'], 1)} %)")


def _with_reasons(frame: pl.DataFrame, flag: str, reason: Callable[[dict], str]) -> pl.DataFrame:
    """Attach the flag kind (a key of ``FLAG_KINDS``) and a Vietnamese reason to each (already selected) row.

    Python formats the few flagged rows only; the selection itself is vectorised.
    """
    reasons = [reason(row) for row in frame.iter_rows(named=True)]
    return frame.with_columns(flag=pl.lit(flag), reason=pl.Series("reason", reasons, dtype=pl.String))


def _below_target(rates: pl.DataFrame) -> pl.DataFrame:
    rows = rates.filter((pl.col("indicator") != COMPOSITE) & (pl.col("ci_high") < pl.col("target")))
    return _with_reasons(rows, "below_target",
                         lambda r: f"{r['label']}: {_interval(r)} thấp hơn mục tiêu {vn_target(r['target'])}")


def _below_peers(rates: pl.DataFrame, peers: pl.DataFrame, level: Level, era: Era) -> pl.DataFrame:
    """Upper bound below the rate of the unit's district (communes; in the 2025 structure its
    'địa bàn huyện cũ') or the province (districts)."""
    key = "district_code" if level == "commune" else None
    peer = peers.select(*([pl.col("unit_code").alias("district_code")] if key else []), "indicator",
                        peer_value=pl.col("value"), peer_name=pl.col("unit_name"))
    joined = rates.join(peer, on=[key, "indicator"] if key else ["indicator"], how="inner")
    rows = joined.filter((pl.col("indicator") != COMPOSITE) & (pl.col("ci_high") < pl.col("peer_value")))
    word = LEVEL_WORDS[era][PEER_LEVEL[level]]
    frame = _with_reasons(rows, "below_peers",
                          lambda r: f"{r['label']}: {_interval(r)} thấp hơn mức chung của {word} "
                                    f"({r['peer_name']}: {vn_percent(r['peer_value'])})")
    return frame.drop("peer_value", "peer_name")


def _bottom_rank(rates: pl.DataFrame, fraction: float) -> pl.DataFrame:
    """Composite in the bottom ``fraction`` of the ranked units that sent data: place > n - floor(n x fraction).

    A unit that sent nothing ranks last (every indicator it must show scores 0) and carries its own flags for
    what it did not send; counting it here would push out of the bottom group the weak units that did send.
    """
    composite = rates.filter((pl.col("indicator") == COMPOSITE) & pl.col("ranked") & (pl.col("reporting_communes") > 0))
    composite = composite.with_columns(place=pl.col("value").rank("min", descending=True).cast(pl.Int64))
    n = composite.height
    cut = math.floor(n * fraction)
    rows = composite.filter(pl.col("place") > n - cut) if cut else composite.clear()
    return _with_reasons(rows, "bottom_rank",
                         lambda r: f"Điểm tổng hợp {vn_number(r['value'], 1)} điểm, xếp thứ "
                                   f"{r['place']}/{n} trong các đơn vị có gửi dữ liệu, thuộc nhóm "
                                   f"{vn_number(fraction * 100)} % thấp nhất "
                                   f"(dựa trên {r['coverage']}/{INDICATOR_COUNT} chỉ số)").drop("place")


def _rule_counts(con: duckdb.DuckDBPyConnection, config: DvcqConfig, counts: pl.DataFrame,
                 units: pl.DataFrame, period: Period) -> pl.DataFrame:
    """Per unit: late dossiers with/without apology, overdue items, communes without dialogue."""
    recency = run(con, "dialogue_recency", engine_params(config, []) | {
        "as_of": period.as_of, "dialogue_rule_months": config.dialogue_rule_months})
    oldest = run(con, "overdue_oldest", {"as_of": period.as_of})
    per_commune = (counts.join(recency, on="commune_code", how="left").join(oldest, on="commune_code", how="left")
                   .with_columns(no_dialogue=((pl.col("reporting_communes") > 0)
                                              & (pl.col("dialogues_in_window") == 0)).cast(pl.Int64)))
    return (per_commune.join(units, on="commune_code", how="inner")
            .group_by(UNIT_COLUMNS, maintain_order=True)
            .agg(pl.col("late_apologised", "late_dossiers", "no_dialogue").sum(),
                 pl.col("oldest_dossier_due", "oldest_petition_due").min(),
                 overdue_dossiers=pl.col("dossiers_overdue").sum(), overdue_petitions=pl.col("petitions_overdue").sum(),
                 last_dialogue=pl.col("last_dialogue").max()))


def _rule_flags(rules: pl.DataFrame, level: Level, era: Era, period: Period, months: int) -> pl.DataFrame:
    as_of = vn_date(period.as_of)
    late = rules.filter(pl.col("late_dossiers") > pl.col("late_apologised")).with_columns(
        indicator=pl.lit("late_without_apology"), numerator=pl.col("late_apologised"),
        denominator=pl.col("late_dossiers"))
    late = _with_reasons(late, "rule", lambda r: (
        f"Có {vn_number(r['denominator'] - r['numerator'])} hồ sơ trễ hẹn chưa có thư xin lỗi "
        f"(trong {vn_number(r['denominator'])} hồ sơ trễ hẹn của kỳ {vn_date(period.date_from)}–{as_of})"))
    dossiers = rules.filter(pl.col("overdue_dossiers") > 0).with_columns(
        indicator=pl.lit("pending_overdue"), numerator=pl.col("overdue_dossiers"))
    dossiers = _with_reasons(dossiers, "rule", lambda r: (
        f"Có {vn_number(r['numerator'])} hồ sơ đang giải quyết đã quá hạn tại ngày {as_of} "
        f"(hạn trả sớm nhất {vn_date(r['oldest_dossier_due'])})"))
    petitions = rules.filter(pl.col("overdue_petitions") > 0).with_columns(
        indicator=pl.lit("petition_overdue"), numerator=pl.col("overdue_petitions"))
    petitions = _with_reasons(petitions, "rule", lambda r: (
        f"Có {vn_number(r['numerator'])} đơn thư chưa giải quyết đã quá hạn tại ngày {as_of} "
        f"(hạn giải quyết sớm nhất {vn_date(r['oldest_petition_due'])})"))
    silent = rules.filter(pl.col("no_dialogue") > 0).with_columns(
        indicator=pl.lit("no_dialogue"), numerator=pl.col("no_dialogue"))

    def silence(r: dict) -> str:
        if level == "commune":
            last = f"lần gần nhất {vn_date(r['last_dialogue'])}" if r["last_dialogue"] else "chưa có hội nghị nào"
            return f"Không tổ chức hội nghị đối thoại nào trong {months} tháng trước ngày {as_of} ({last})"
        return (f"{vn_number(r['numerator'])} {LEVEL_WORDS[era]['commune']} không tổ chức hội nghị đối thoại nào "
                f"trong {months} tháng trước ngày {as_of}")

    silent = _with_reasons(silent, "rule", silence)
    return pl.concat([late, dossiers, petitions, silent], how="diagonal_relaxed")


def _missing_flags(con: InStructure, config: DvcqConfig, units: pl.DataFrame, level: Level, period: Period,
                   checked: dt.date) -> pl.DataFrame:
    """A unit that did not send a kind it must send, for a month of the period whose due day has passed by
    ``checked``: one flag per unit and kind, naming the months (a grouping: how many of its communes)."""
    table = submission_table(con.con, config, period.date_from, period.date_to, checked, con.era)
    missing = (table.filter(pl.col("status") == "missing")
               .select(commune_code="unit_code", kind="kind", period_start="period_start")
               .join(units, on="commune_code", how="inner")
               .group_by(*UNIT_COLUMNS, "kind", maintain_order=True)
               .agg(numerator=pl.col("commune_code").n_unique().cast(pl.Int64),
                    months=pl.col("period_start").unique().sort().dt.strftime("%m/%Y").str.join(", ")))
    word = LEVEL_WORDS[con.era]["commune"]
    labels = {kind: rule.label for kind, rule in config.submissions.items()}
    missing = missing.with_columns(indicator=pl.lit("missing_") + pl.col("kind"))

    def reason(r: dict) -> str:
        if level == "commune":
            return f"Không gửi {labels[r['kind']]} {_months_phrase(r['months'])} (đã quá hạn gửi)"
        return (f"{vn_number(r['numerator'])} {word} không gửi đủ {labels[r['kind']]} "
                f"(các tháng còn thiếu: {_months_phrase(r['months']).removeprefix('tháng ')}; đã quá hạn gửi)")

    return _with_reasons(missing, "missing", reason).drop("kind", "months")


def _months_phrase(months: str) -> str:
    listed = months.split(", ")
    return f"tháng {months}" if len(listed) <= 6 else f"{len(listed)} tháng ({listed[0]}–{listed[-1]})"


def flag_table(con: InStructure, config: DvcqConfig, level: Level, period: Period,
               counts: pl.DataFrame | None = None, checked: dt.date | None = None) -> pl.DataFrame:
    """Every flag of every unit at ``level`` for ``period``: FLAG_COLUMNS, one row per flag.

    ``indicator`` is the indicator id (below_target, below_peers), ``composite``
    (bottom_rank) or the rule id (late_without_apology, pending_overdue, petition_overdue,
    no_dialogue), or ``missing_<kind>`` (a kind a commune must send and did not, for a month whose due day
    has passed by ``checked``, today by default). ``counts`` may pass the period's ``commune_counts`` already
    computed (the dashboard caches them), saving the most expensive query.
    """
    if counts is None:  # the counts query also names the communes: no second query for the unit list
        counts, names = counts_and_units(con, config, [period])
    else:
        names = run(con, "units", {})
    units = level_units(names, level)
    rates = rates_from_counts(aggregate(counts, units, []), config, level, [])
    parts = [_rule_flags(_rule_counts(con, config, counts, units, period), level, con.era, period,
                         config.dialogue_rule_months),
             _missing_flags(con, config, units, level, period, checked or dt.date.today()),
             _below_target(rates)]
    if level in PEER_LEVEL:
        peer_level = PEER_LEVEL[level]
        peers = rates_from_counts(aggregate(counts, level_units(names, peer_level), []), config, peer_level, [])
        parts.append(_below_peers(rates, peers, level, con.era))
        parts.append(_bottom_rank(rates, config.bottom_rank_fraction))
    flags = pl.concat([p.select([c for c in FLAG_COLUMNS if c in p.columns]) for p in parts], how="diagonal_relaxed")
    return flags.select(FLAG_COLUMNS).sort(
        "unit_code", pl.col("flag").replace_strict(_FLAG_ORDER), "indicator", maintain_order=True)
