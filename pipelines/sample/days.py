"""The sample's calendar: working days (Vietnamese public holidays), seasonality, Tết."""

from __future__ import annotations

import dataclasses
import datetime as dt

import holidays
import numpy as np

_TET = {2021: dt.date(2021, 2, 12), 2022: dt.date(2022, 2, 1), 2023: dt.date(2023, 1, 22),
        2024: dt.date(2024, 2, 10), 2025: dt.date(2025, 1, 29), 2026: dt.date(2026, 2, 17)}


@dataclasses.dataclass(frozen=True)
class Calendar:
    start: np.datetime64
    end: np.datetime64
    days: np.ndarray          # datetime64[D], start..end
    weight: np.ndarray        # relative intake per day (seasonality, weekends, holidays)
    holidays: np.ndarray      # datetime64[D] public holidays (for busday_offset)
    workday: np.ndarray       # bool per day

    def offset(self, dates: np.ndarray, n) -> np.ndarray:
        return np.busday_offset(dates, n, roll="forward", holidays=self.holidays)

    def draw(self, rng: np.random.Generator, n: int, weight: np.ndarray | None = None) -> np.ndarray:
        w = self.weight if weight is None else weight
        return np.sort(rng.choice(self.days, size=n, p=w / w.sum()))


def calendar(start: dt.date, end: dt.date) -> Calendar:
    """Every day from ``start`` to ``end`` with its intake weight; holidays a year either side."""
    year_list = range(start.year - 1, end.year + 2)
    start, end = np.datetime64(start, "D"), np.datetime64(end, "D")
    days = np.arange(start, end + 1, dtype="datetime64[D]")
    hol = np.array(sorted(holidays.country_holidays("VN", years=year_list)), dtype="datetime64[D]")
    weekday = (days.astype("datetime64[D]").view("int64") + 3) % 7  # 0 = Monday
    is_hol = np.isin(days, hol)
    workday = (weekday < 5) & ~is_hol
    weight = np.where(workday, 1.0, np.where(weekday == 5, 0.10, 0.03))
    weight = np.where(is_hol, 0.02, weight)
    month = (days.astype("datetime64[M]").view("int64") % 12) + 1
    weight = weight * np.select([month == 12, month == 1, month == 8], [1.22, 1.12, 1.08], 1.0)
    for tet in _TET.values():
        t = np.datetime64(tet, "D")
        rush = (days >= t - 24) & (days < t - 3)
        quiet = (days >= t - 3) & (days <= t + 6)
        weight = np.where(rush, weight * 1.45, weight)
        weight = np.where(quiet, weight * 0.12, weight)
    return Calendar(start, end, days, weight, hol, workday)

