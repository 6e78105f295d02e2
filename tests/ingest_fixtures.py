"""Hand-made export files like the ones communes send, for the ingest tests."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import xlsxwriter

# Fake citizens: the privacy tests search the whole warehouse for these strings.
CITIZEN_NAMES = ("Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường", "Phạm Thị Dung")
CITIZEN_IDS = ("038090001234", "038090005678", "038191009999", "038292004321")
CITIZEN_PHONES = ("0912345678", "0987654321")


def write_xlsx(path: Path, title_rows: list[list], header: list[str], rows: list[list], sheet: str = "Sheet1",
               extra_sheets: dict[str, list[list]] | None = None) -> Path:
    """A workbook with title rows, a blank row, the header, then rows; datetimes become real Excel dates."""
    workbook = xlsxwriter.Workbook(str(path))
    date_format = workbook.add_format({"num_format": "dd/mm/yyyy"})
    sheets = {sheet: title_rows + [[]] + [header] + rows, **(extra_sheets or {})}
    for name, lines in sheets.items():
        worksheet = workbook.add_worksheet(name)
        for r, line in enumerate(lines):
            for c, value in enumerate(line):
                if isinstance(value, (dt.datetime, dt.date)):
                    worksheet.write_datetime(r, c, value, date_format)
                elif value is not None:
                    worksheet.write(r, c, value)
    workbook.close()
    return path


def write_csv(path: Path, lines: list[list[str]], separator: str = ";", encoding: str = "utf-8-sig") -> Path:
    path.write_bytes(("\r\n".join(separator.join(cells) for cells in lines) + "\r\n").encode(encoding))
    return path


def dossier_workbook(path: Path) -> Path:
    """Xã Hoằng Đồng (15952), commune only in the title rows; 5 data rows, 2 of them bad."""
    title = [["UBND HUYỆN HOẰNG HÓA", None, None, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"],
             ["ỦY BAN NHÂN DÂN XÃ HOẰNG ĐỒNG"], ["BÁO CÁO TÌNH HÌNH GIẢI QUYẾT HỒ SƠ NĂM 2024"]]
    header = ["STT", "Mã hồ sơ", "Lĩnh vực", "Tên thủ tục", "Hình thức nộp", "Ngày tiếp nhận", "Ngày hẹn trả",
              "Ngày trả kết quả", "Trạng thái", "Số lần yêu cầu bổ sung", "Họ tên người nộp", "Số CCCD", "Cột lạ"]
    rows = [
        [1, "HS001", "Hộ tịch", "Đăng ký khai sinh", "Trực tiếp", dt.datetime(2024, 3, 1), dt.datetime(2024, 3, 4),
         dt.datetime(2024, 3, 3), "Đã trả kết quả", 0, CITIZEN_NAMES[0], CITIZEN_IDS[0], "x"],
        [2, "HS002", "Chứng thực", "Chứng thực bản sao", "Trực tuyến", "05/03/2024", "06/03/2024", "",
         "Đang giải quyết", "", CITIZEN_NAMES[1], CITIZEN_IDS[1], ""],
        [3, "HS003", "Đất đai", "Cấp giấy chứng nhận", "Bưu chính công ích", "31/02/2024", "06/03/2024", "",
         "Đang giải quyết", "1", CITIZEN_NAMES[2], CITIZEN_IDS[2], ""],
        [4, "HS004", "Đất đai", "Cấp giấy chứng nhận", "Trực tiếp", "10/03/2024", "06/03/2024", "", "Không rõ", "-1",
         CITIZEN_NAMES[3], CITIZEN_IDS[3], ""],
        [5, "HS005", "Hộ tịch", "Đăng ký kết hôn", "trực tiếp", "4/3/24", "7/3/24", "8/3/24", "", "2",
         CITIZEN_NAMES[0], CITIZEN_IDS[0], ""],
    ]
    return write_xlsx(path, title, header, rows, sheet="Hồ sơ", extra_sheets={"Ghi chú": [["Số liệu tổng hợp"]]})
