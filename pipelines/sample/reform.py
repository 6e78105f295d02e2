"""The sample across the 1 July 2025 reorganisation: which records each era's exports show.

Records are generated per legacy commune over the whole sample period (``pipelines.sample``).
Exports made before the reform come from the legacy commune and show each record as it stood
on 30/06/2025; exports made after come from its successor (the default one for a split
commune) and show the records of the new commune: everything that happened after the reform,
and the dossiers and petitions still open on 30/06/2025, handed over with the same id (some
are completed by the new commune, some are still pending long past due). A new commune's
exports hold the records of all its sampled predecessors.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from schemas.admin_unit import REFORM_DATE

LEGACY_END = REFORM_DATE - dt.timedelta(days=1)
_REFORM = np.datetime64(REFORM_DATE, "D")
_NAT = np.datetime64("NaT")
# Records whose state can change after the export: the column of their closing date, the column of
# their state and the state's open value.
_OPEN_STATE = {"dossier": ("completed_date", "status", "pending"),
               "petition": ("resolved_date", "outcome", "pending")}


def _date_column(kind: str, date_column: str) -> str:
    return "received_date" if kind in _OPEN_STATE else date_column


def split_at_reform(kind: str, data: dict, date_column: str) -> tuple[np.ndarray, np.ndarray]:
    """(rows the legacy commune exports, rows the new commune exports) of one commune's records.

    A dossier or petition received before the reform and closed after it (or never) is in both:
    the legacy export shows it open, the new commune's shows its later state.
    """
    dates = data[_date_column(kind, date_column)]
    before = dates < _REFORM
    if kind not in _OPEN_STATE:
        return np.flatnonzero(before), np.flatnonzero(~before)
    closed_column, state_column, open_value = _OPEN_STATE[kind]
    closed = data[closed_column]
    open_at_reform = before & ((data[state_column] == open_value) | (~np.isnat(closed) & (closed >= _REFORM)))
    return np.flatnonzero(before), np.flatnonzero(~before | open_at_reform)


def as_of_reform(kind: str, data: dict) -> dict:
    """The records as a legacy export of 30/06/2025 shows them: closed after that day means open."""
    if kind not in _OPEN_STATE:
        return data
    closed_column, state_column, open_value = _OPEN_STATE[kind]
    later = ~np.isnat(data[closed_column]) & (data[closed_column] >= _REFORM)
    shown = dict(data)
    shown[state_column] = np.where(later, open_value, data[state_column]).astype(object)
    shown[closed_column] = np.where(later, _NAT, data[closed_column]).astype("datetime64[D]")
    if "reported_timeliness" in data:
        shown["reported_timeliness"] = np.where(later, None, data["reported_timeliness"]).astype(object)
    return shown


STALLED_SHARE = 0.05


def last_dates(kind: str, data: dict, date_column: str) -> np.ndarray:
    """For the new communes' exports: the day a record was last dealt with, which decides the export it
    is in: a dossier or petition by its closing date (its receipt while open, the reform's first day
    for one handed over open), other records by their own date."""
    if kind not in _OPEN_STATE:
        return data[date_column]
    closed = data[_OPEN_STATE[kind][0]]
    # still open: dealt with by whoever holds it now (a handed-over one by the new commune)
    return np.maximum(np.where(np.isnat(closed), data["received_date"], closed), _REFORM)


def stall_handed_over(data: dict, rng: np.random.Generator, share: float) -> dict:
    """``share`` of the dossiers handed over at the reform left pending: the carried-over backlog."""
    handed = (data["received_date"] < _REFORM) & (data["status"] == "completed")
    stalled = handed & (rng.random(len(handed)) < share)
    shown = dict(data)
    shown["status"] = np.where(stalled, "pending", data["status"]).astype(object)
    shown["completed_date"] = np.where(stalled, _NAT, data["completed_date"]).astype("datetime64[D]")
    shown["reported_timeliness"] = np.where(stalled, None, data["reported_timeliness"]).astype(object)
    return shown


def merge_parts(parts: list[tuple[dict, np.ndarray]], order_by: str) -> dict:
    """The records of several predecessors as one commune's, in date order."""
    first = parts[0][0]
    arrays = [k for k, v in first.items() if isinstance(v, np.ndarray)]
    merged = {k: np.concatenate([data[k][rows] for data, rows in parts]) for k in arrays}
    order = np.argsort(merged[order_by], kind="stable")
    return {**{k: v for k, v in first.items() if k not in arrays}, **{k: v[order] for k, v in merged.items()}}
