"""Confidence intervals for the indicator rates.

Why Wilson: commune denominators are small (3 late dossiers, 7 dialogues); the normal
approximation gives bounds outside 0–100 % and flags noise. Wilson's score interval stays
inside [0, 1], is centred sensibly for small n, and is what "significantly below target"
rests on (see pipelines.flags).
"""

from __future__ import annotations

import math

import polars as pl

Z95 = 1.959963984540054  # two-sided 95 %


def wilson(successes: int, trials: int, z: float = Z95) -> tuple[float, float] | None:
    """Wilson score interval of successes/trials as proportions (0–1); None when trials is 0."""
    if trials <= 0:
        return None
    p = successes / trials
    z2 = z * z
    denom = 1 + z2 / trials
    centre = (p + z2 / (2 * trials)) / denom
    half = z * math.sqrt(p * (1 - p) / trials + z2 / (4 * trials * trials)) / denom
    # min/max with p: at p = 0 or 1 rounding must not put the rate outside its own interval
    return max(0.0, min(p, centre - half)), min(1.0, max(p, centre + half))


def wilson_percent(numerator: str, denominator: str, z: float = Z95) -> tuple[pl.Expr, pl.Expr]:
    """(low, high) Polars expressions in percent, null where the denominator is 0 or null.

    Vectorised twin of ``wilson`` so whole indicator tables get their bounds without a
    Python loop.
    """
    n = pl.col(denominator).cast(pl.Float64)
    p = pl.col(numerator).cast(pl.Float64) / n
    z2 = z * z
    denom = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denom
    half = z * (p * (1 - p) / n + z2 / (4 * n * n)).sqrt() / denom
    valid = n > 0
    low = pl.when(valid).then(pl.min_horizontal(centre - half, p).clip(0, 1) * 100)
    high = pl.when(valid).then(pl.max_horizontal(centre + half, p).clip(0, 1) * 100)
    return low, high
