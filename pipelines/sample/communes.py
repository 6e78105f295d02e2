"""Which communes the sample covers: legacy communes spread over every old district, then their
default successors in the 2025 structure."""

from __future__ import annotations

import numpy as np
import polars as pl

from pipelines.ingest.admin_units import province_successors, province_units_2025
from pipelines.text import fold


def _with_unique_name(units: pl.DataFrame) -> pl.DataFrame:
    """``unique_name``: no other commune of the same list has the same folded short name."""
    keyed = units.with_columns(pl.col("commune_short_name").map_elements(fold, return_dtype=pl.String).alias("_key"))
    counts = keyed.group_by("_key").len()
    return keyed.join(counts, on="_key").with_columns((pl.col("len") == 1).alias("unique_name")).drop("_key", "len")


def choose_communes(units: pl.DataFrame, n: int, seed: int) -> pl.DataFrame:
    """``n`` legacy communes, one per district first (all districts when n >= their number)."""
    rng = np.random.default_rng([seed, 1])
    units = units.sort("commune_code")
    districts = units["district_code"].unique().sort().to_list()
    rng.shuffle(districts)
    chosen: list[str] = []
    for d in districts[: min(n, len(districts))]:
        codes = units.filter(pl.col("district_code") == d)["commune_code"].to_list()
        chosen.append(codes[int(rng.integers(len(codes)))])
    rest = [c for c in units["commune_code"].to_list() if c not in set(chosen)]
    extra = max(0, min(n, units.height) - len(chosen))
    if extra:
        chosen += [str(c) for c in rng.choice(rest, size=extra, replace=False)]
    return _with_unique_name(units).filter(pl.col("commune_code").is_in(chosen)).sort("commune_code")


def successors_of(province_code: str) -> dict[str, str]:
    """Legacy commune code -> the new commune its records roll up to (default successor)."""
    links = province_successors(province_code).filter(pl.col("is_default"))
    return dict(links.select("legacy_code", "code_2025").iter_rows())


def new_units(province_code: str) -> dict[str, dict]:
    """The province's 2025 communes as unit dicts (no district), by code."""
    units = _with_unique_name(province_units_2025(province_code))
    return {row["commune_code"]: {**row, "district_name": None, "district_short_name": None}
            for row in units.iter_rows(named=True)}
