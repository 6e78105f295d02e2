"""Confidence intervals for the indicator rates.

Why Wilson with continuity correction (Newcombe 1998, method 4): commune denominators are
small (3 late dossiers, 7 dialogues). The normal approximation gives bounds outside
0–100 %; the plain Wilson interval is better but still too narrow for n of a few: for 2 on
time out of 3 its upper bound is 93,9 %, which would flag a commune "significantly below"
a 95 % target on one late dossier: noise, which a flag must never be.
The continuity-corrected Wilson interval gives 98,2 % there, while 270 of 300 (90 %) still
has an upper bound of 93,0 % and is flagged. Bounds stay inside [0, 1] and always contain
the observed rate.
"""

from __future__ import annotations

import math

import polars as pl

Z95 = 1.959963984540054  # two-sided 95 %


def wilson(successes: int, trials: int, z: float = Z95) -> tuple[float, float] | None:
    """Continuity-corrected Wilson interval of successes/trials as proportions (0–1); None when trials is 0."""
    if trials <= 0:
        return None
    n, p, z2 = trials, successes / trials, z * z
    denom = 2 * (n + z2)
    low = 0.0 if successes == 0 else max(
        0.0, (2 * n * p + z2 - 1 - z * math.sqrt(z2 - 2 - 1 / n + 4 * p * (n * (1 - p) + 1))) / denom)
    high = 1.0 if successes == trials else min(
        1.0, (2 * n * p + z2 + 1 + z * math.sqrt(z2 + 2 - 1 / n + 4 * p * (n * (1 - p) - 1))) / denom)
    return min(low, p), max(high, p)


def wilson_percent(numerator: str, denominator: str, z: float = Z95) -> tuple[pl.Expr, pl.Expr]:
    """(low, high) Polars expressions in percent, null where the denominator is 0 or null.

    Vectorised twin of ``wilson`` so whole indicator tables get their bounds without a
    Python loop.
    """
    n = pl.col(denominator).cast(pl.Float64)
    k = pl.col(numerator).cast(pl.Float64)
    p = k / n
    z2 = z * z
    denom = 2 * (n + z2)
    low_raw = (2 * n * p + z2 - 1 - z * (z2 - 2 - 1 / n + 4 * p * (n * (1 - p) + 1)).clip(0).sqrt()) / denom
    high_raw = (2 * n * p + z2 + 1 + z * (z2 + 2 - 1 / n + 4 * p * (n * (1 - p) - 1)).clip(0).sqrt()) / denom
    low = pl.when(k == 0).then(0.0).otherwise(pl.min_horizontal(low_raw.clip(0, 1), p))
    high = pl.when(k == n).then(1.0).otherwise(pl.max_horizontal(high_raw.clip(0, 1), p))
    valid = n > 0
    return pl.when(valid).then(low * 100), pl.when(valid).then(high * 100)
