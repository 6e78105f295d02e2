"""The two-row one-stop ledger layout ("Sổ theo dõi hồ sơ") as Thanh Hóa's one-stop software prints it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import xlsxwriter

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
