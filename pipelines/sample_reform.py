"""The sample across the 1 July 2025 reorganisation: who exports which records, and the ledger layout.

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
from pathlib import Path

import numpy as np
import polars as pl
import xlsxwriter

from pipelines.admin_units import province_successors, province_units_2025
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


def successors_of(province_code: str) -> dict[str, str]:
    """Legacy commune code -> the new commune its records roll up to (default successor)."""
    links = province_successors(province_code).filter(pl.col("is_default"))
    return dict(links.select("legacy_code", "code_2025").iter_rows())


def new_units(province_code: str, fold) -> dict[str, dict]:
    """The province's 2025 communes as the generator's unit dicts (no district; unique_name among them)."""
    units = province_units_2025(province_code).with_columns(
        pl.col("commune_short_name").map_elements(fold, return_dtype=pl.String).alias("_key"))
    shared = set(units.group_by("_key").len().filter(pl.col("len") > 1)["_key"])
    return {row["commune_code"]: {**row, "district_name": None, "district_short_name": None,
                                  "unique_name": row["_key"] not in shared}
            for row in units.iter_rows(named=True)}


LEDGER_TOP = ["TT", "Mã hồ sơ", "Tên TTHC", "Tên cá nhân, tổ chức", "Địa chỉ, số điện thoại",
              "Cơ quan chủ trì giải quyết", "Ngày, tháng, năm"]
LEDGER_UNDER = ["Nhận hồ sơ", "Hẹn trả kết quả", "Trả kết quả", "Phương thức nhận kết quả", "Ký nhận"]
LEDGER_TITLE_ROWS = 3  # body, name of the ledger, period


def ledger_rows(data: dict) -> np.ndarray:
    """Dossiers a one-stop ledger can show: it has no status column (a return date means completed),
    so only completed and pending ones."""
    return np.flatnonzero(np.isin(data["status"], ["completed", "pending"]))


def write_ledger(path: Path, unit: dict, data: dict, rows: np.ndarray, period: tuple[dt.date, dt.date],
                 created: dt.datetime) -> int:
    """The one-stop ledger as Thanh Hóa's software prints it: title rows, a header over two rows
    ('Ngày, tháng, năm' merged over five columns, the others merged down), a row of column numbers,
    then one row per dossier with the applicant's name, address and phone in clear."""
    book = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False})
    book.set_properties({"created": created, "author": "Bộ phận một cửa", "title": ""})
    sheet = book.add_worksheet("Sổ theo dõi")
    bold = book.add_format({"bold": True, "text_wrap": True, "border": 1, "align": "center", "valign": "vcenter"})
    date_format = book.add_format({"num_format": "dd/mm/yyyy"})
    body = f"ỦY BAN NHÂN DÂN {unit['commune_name'].upper()}"
    for r, text in enumerate([body, "SỔ THEO DÕI HỒ SƠ", f"(Từ ngày {period[0]:%d/%m/%Y} đến ngày {period[1]:%d/%m/%Y})"]):
        sheet.write(r, 0, text)
    top = LEDGER_TITLE_ROWS
    for c, text in enumerate(LEDGER_TOP[:6]):
        sheet.merge_range(top, c, top + 1, c, text, bold)
    sheet.merge_range(top, 6, top, 10, LEDGER_TOP[6], bold)
    for c, text in enumerate(LEDGER_UNDER, start=6):
        sheet.write(top + 1, c, text, bold)
    for c in range(11):
        sheet.write(top + 2, c, f"({c + 1})", bold)
        sheet.set_column(c, c, 16)
    agency = f"UBND {unit['commune_type'].lower()} {unit['commune_short_name']}"
    for i, r in enumerate(rows):
        line = top + 3 + i
        sheet.write_number(line, 0, i + 1)
        sheet.write_string(line, 1, str(data["dossier_id"][r]))
        sheet.write_string(line, 2, str(data["procedure"][r]))
        sheet.write_string(line, 3, str(data["applicant"][r]))
        sheet.write_string(line, 4, f"{data['applicant_address'][r]}, {data['applicant_phone'][r]}")
        sheet.write_string(line, 5, agency)
        for c, column in ((6, "received_date"), (7, "due_date"), (8, "completed_date")):
            value = data[column][r]
            if not np.isnat(value):
                day = value.astype(dt.date)
                sheet.write_datetime(line, c, dt.datetime(day.year, day.month, day.day), date_format)
        if data["status"][r] == "completed":
            sheet.write_string(line, 9, "Trực tuyến" if data["channel"][r] == "online" else "Trực tiếp")
    book.close()
    return len(rows)
