"""The period model: a period, the day its stocks are taken (as-of), and the structure it is seen in.

Why one module: the dashboard's sidebar, the ``dvcq`` commands, the written report and the counts
stored at publish must mean the same thing by "2026 as of its default day", or the same question gets
different numbers. The warehouse is as fresh as its last export, not as today: a dossier pending at
the data's last day is not known to be overdue on the later days the data never reach. Hence the one
rule, stated here only (``default_as_of``): the default as-of day is the earlier of the period's end
and the data's last day. Everything that fills in a missing as-of day calls it; the stored periods
are generated here (``stored_periods``) and bound to their SQL as values, never re-derived in SQL.

It lives in ``schemas/`` because every layer builds periods (the ingest stores counts per period at
publish, the engine counts them, the dashboard and the CLI ask for them) and every layer may import
``schemas``; nothing here reads the warehouse.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from schemas.admin_unit import Era, default_era

StoredKind = Literal["month", "quarter", "year", "to_date"]
# The calendar periods whose counts are stored at publish, by their length in months.
CALENDAR_MONTHS: dict[StoredKind, int] = {"month": 1, "quarter": 3, "year": 12}


class PeriodError(ValueError):
    """A period the user asked for that cannot be: its message says why, in Vietnamese."""


@dataclass(frozen=True)
class Period:
    """Records count in [date_from, date_to] by their own date; ``as_of`` (within the period) is the
    day the stocks are taken: dossiers and petitions open, and overdue, on that day."""

    date_from: dt.date
    date_to: dt.date
    as_of: dt.date

    def __post_init__(self) -> None:
        if self.date_from > self.date_to:
            raise PeriodError(f"kỳ không hợp lệ: từ {self.date_from:%d/%m/%Y} sau đến {self.date_to:%d/%m/%Y}")
        # One as-of rule for every figure: the stock of open and overdue items at as_of counts what was
        # received by then, so as_of must lie in the period for the stock to be the period's.
        if not self.date_from <= self.as_of <= self.date_to:
            raise PeriodError(f"ngày tính tồn đọng {self.as_of:%d/%m/%Y} phải nằm trong kỳ "
                              f"{self.date_from:%d/%m/%Y}–{self.date_to:%d/%m/%Y}")

    @property
    def days(self) -> int:
        return (self.date_to - self.date_from).days + 1

    @property
    def structure(self) -> Era:
        """The administrative structure the period is seen in unless one is chosen: the one in force
        at its end (``schemas.admin_unit.default_era``)."""
        return default_era(self.date_to)


def default_as_of(last: dt.date | None, date_to: dt.date | None = None) -> dt.date:
    """THE default as-of day: the earlier of the period's end ``date_to`` and the data's last day ``last``.

    Without a period (the backlog) it is the data's last day; in a warehouse without records, the
    period's end, else today.
    """
    candidates = [d for d in (date_to, last) if d is not None]
    return min(candidates) if candidates else dt.date.today()


def build_period(last: dt.date | None, date_from: dt.date | None = None, date_to: dt.date | None = None,
                 as_of: dt.date | None = None) -> Period:
    """The period every reader builds from what it was given: ``date_to`` defaults to the data's last
    day (today in an empty warehouse), ``date_from`` to 1 January of ``date_to``'s year, ``as_of`` to
    ``default_as_of``. A period that cannot be raises ``PeriodError``; so does one that starts after
    the data's last day without an as-of day: the rule has no day inside it to give."""
    date_to = date_to or last or dt.date.today()
    date_from = date_from or dt.date(date_to.year, 1, 1)
    if as_of is None and last is not None and last < date_from:
        raise PeriodError(f"kỳ {date_from:%d/%m/%Y}–{date_to:%d/%m/%Y} bắt đầu sau ngày cuối cùng có dữ liệu "
                          f"({last:%d/%m/%Y}): không có ngày nào trong kỳ để tính tồn đọng; chọn kỳ có dữ liệu "
                          "hoặc ghi rõ ngày tính tồn đọng")
    return Period(date_from, date_to, as_of or default_as_of(last, date_to))


def _add_months(day: dt.date, months: int) -> dt.date:
    year, month = divmod(day.month - 1 + months, 12)
    return dt.date(day.year + year, month + 1, 1)


def stored_periods(first: dt.date, last: dt.date) -> dict[StoredKind, list[Period]]:
    """The periods whose counts are stored at publish, by kind: every calendar month, quarter and
    year that meets the data's days [first, last], as of its default day; and, when the data stop
    inside one of them, that period cut at the data's last day (what the dashboard asks for then:
    ``dashboard.filters.calendar_period``), unless it is a whole month or quarter already. Within a
    kind the periods' starts are distinct (the counts query keys a period by its start)."""
    out: dict[StoredKind, list[Period]] = {}
    for kind, months in CALENDAR_MONTHS.items():
        start = dt.date(first.year, (first.month - 1) // months * months + 1, 1)
        periods = []
        while start <= last:
            end = _add_months(start, months) - dt.timedelta(days=1)
            periods.append(build_period(last, start, end))
            start = _add_months(start, months)
        out[kind] = periods
    whole = {(p.date_from, p.date_to) for kind in CALENDAR_MONTHS for p in out[kind]}
    cut = {p.date_from for kind in CALENDAR_MONTHS for p in out[kind] if last < p.date_to}
    out["to_date"] = [build_period(last, start, last) for start in sorted(cut) if (start, last) not in whole]
    return out
