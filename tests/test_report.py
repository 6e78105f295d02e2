"""The written report (dvcq report): the seed reports' own figures, regenerated from real exports.

The fixture writes the exports two communes would send — Hà Trung town for 2021–2022 (936 dossiers
received, 931 completed: 909 early, 22 on time; 5 returned; 200 survey responses: 78 very satisfied,
102 satisfied, 20 neutral; 7 dialogues, 150 attendees, 14 opinions all answered; 116 congratulation,
50 condolence and 14 thanks letters; 25 petitions) and Sao Vàng town for five months of 2023 (535
dossiers: 432 early, 97 on time, 6 late, each given an apology) — as XLSX and CSV files with citizens'
names and ID numbers in them, ingests them through the real pipeline, then reads the Word file the
report writes.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import polars as pl
import pytest
from docx import Document
from docx.shared import Pt

from pipelines.engine.indicators import Period, unit_frame
from pipelines.ingest.pipeline import ingest_files
from pipelines.ingest.warehouse import connect_read_only
from pipelines.report import ReportUnitError, build_report, docx_bytes, write_docx
from pipelines.report.pdf import libreoffice
from pipelines.sql import InStructure
from schemas.config import load_config
from schemas.records import LOCATION_COLUMNS, RECORD_SCHEMAS
from schemas.report import ReportTemplateError, load_report_templates
from schemas.vocabularies import CHANNEL, DOSSIER_STATUS, LETTER_KIND, PETITION_KIND, PETITION_OUTCOME, RATING
from tests.ingest_fixtures import CITIZEN_IDS, CITIZEN_NAMES, CITIZEN_PHONES, write_csv, write_xlsx

HA_TRUNG = "15271"        # Thị trấn Hà Trung, Huyện Hà Trung (legacy); Xã Hà Trung since 1 July 2025
SAO_VANG = "15553"        # Thị trấn Sao Vàng, Huyện Thọ Xuân (legacy)
HA_TRUNG_DISTRICT = "392"
HA_TRUNG_PERIOD = Period(dt.date(2021, 1, 1), dt.date(2022, 12, 31), dt.date(2022, 12, 31))
SAO_VANG_PERIOD = Period(dt.date(2023, 1, 1), dt.date(2023, 5, 31), dt.date(2023, 5, 31))
TEMPLATES = Path(__file__).resolve().parents[1] / "config" / "report.toml"


def _header(kind: str, *columns: str) -> list[str]:
    """Column headers as the schemas label them (the commune column first)."""
    schema = RECORD_SCHEMAS[kind]
    return [LOCATION_COLUMNS[0].label_vi, *(schema.column(c).label_vi for c in columns)]


def _day(start: dt.date, span: int, i: int) -> dt.date:
    return start + dt.timedelta(days=(i * 7) % span)


def _fmt(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def _person(i: int) -> tuple[str, str]:
    return CITIZEN_NAMES[i % len(CITIZEN_NAMES)], CITIZEN_IDS[i % len(CITIZEN_IDS)]


def _dossier_rows(code: str, prefix: str, start: dt.date, span: int, outcomes: list[tuple[str, int]],
                  online_every: int) -> list[list]:
    """One row per dossier: ``outcomes`` lists (status, days completed after due) in order."""
    rows = []
    for i, (status, after_due) in enumerate(outcomes):
        received = _day(start, span, i)
        due = received + dt.timedelta(days=10)
        completed = (received + dt.timedelta(days=3)) if status == "returned" else due + dt.timedelta(days=after_due)
        channel = CHANNEL.labels_vi["online" if i % online_every == 0 else "direct"]
        name, id_number = _person(i)
        rows.append([code, f"{prefix}{i:04}", channel, _fmt(received), _fmt(due), _fmt(completed),
                     DOSSIER_STATUS.labels_vi[status], "0", name, id_number])
    return rows


def write_exports(folder: Path) -> list[Path]:
    """The two towns' exports: workbooks with title rows and semicolon CSVs, personal data included."""
    dossier_header = _header("dossier", "dossier_id", "channel", "received_date", "due_date", "completed_date",
                             "status", "supplement_requests", "applicant", "applicant_id_number")
    ha_trung = [("completed", -2)] * 909 + [("completed", 0)] * 22 + [("returned", 0)] * 5
    sao_vang = [("completed", -1)] * 432 + [("completed", 0)] * 97 + [("completed", 2)] * 6
    files = [
        write_xlsx(folder / "so_theo_doi_ho_so_ha_trung.xlsx", [["ỦY BAN NHÂN DÂN THỊ TRẤN HÀ TRUNG"]],
                   dossier_header, _dossier_rows(HA_TRUNG, "HT", dt.date(2021, 1, 4), 700, ha_trung, 8)),
        write_xlsx(folder / "so_theo_doi_ho_so_sao_vang.xlsx", [["ỦY BAN NHÂN DÂN THỊ TRẤN SAO VÀNG"]],
                   dossier_header, _dossier_rows(SAO_VANG, "SV", dt.date(2023, 1, 3), 130, sao_vang, 5)),
    ]
    letter_header = _header("letter", "letter_id", "kind", "sent_date", "dossier_id", "recipient")
    letters = [(HA_TRUNG, "congratulation")] * 116 + [(HA_TRUNG, "condolence")] * 50 + [(HA_TRUNG, "thanks")] * 14
    letter_rows = [[code, f"T{i:04}", LETTER_KIND.labels_vi[kind], _fmt(_day(dt.date(2021, 1, 5), 700, i)), "",
                    _person(i)[0]] for i, (code, kind) in enumerate(letters)]
    # Sao Vàng's apologies name the late dossiers (the last six), sent the day before each was due.
    late_ids = range(432 + 97, 535)
    letter_rows += [[SAO_VANG, f"XL{i}", LETTER_KIND.labels_vi["apology"],
                     _fmt(_day(dt.date(2023, 1, 3), 130, i) + dt.timedelta(days=9)), f"SV{i:04}", _person(i)[0]]
                    for i in late_ids]
    files.append(write_csv(folder / "thu.csv", [letter_header, *letter_rows]))
    petition_header = _header("petition", "petition_id", "kind", "received_date", "resolved_date", "outcome",
                              "petitioner", "petitioner_id_number")
    petitions = ([("complaint", "resolved")] * 3 + [("denunciation", "resolved")] + [("petition", "resolved")] * 19
                 + [("petition", "transferred"), ("petition", "pending")])
    petition_rows = []
    for i, (kind, outcome) in enumerate(petitions):
        received = dt.date(2021, 2, 1) + dt.timedelta(days=28 * i) if outcome != "pending" else dt.date(2022, 12, 20)
        resolved = _fmt(received + dt.timedelta(days=9)) if outcome != "pending" else ""
        petition_rows.append([HA_TRUNG, f"D{i:03}", PETITION_KIND.labels_vi[kind], _fmt(received), resolved,
                              PETITION_OUTCOME.labels_vi[outcome], *_person(i)])
    files.append(write_csv(folder / "don_thu.csv", [petition_header, *petition_rows]))
    dialogue_header = _header("dialogue", "dialogue_id", "dialogue_date", "attendees", "opinions_raised",
                              "opinions_answered")
    attendees = [20, 20, 20, 20, 20, 25, 25]
    files.append(write_xlsx(folder / "doi_thoai.xlsx", [["ỦY BAN NHÂN DÂN THỊ TRẤN HÀ TRUNG"]], dialogue_header,
                            [[HA_TRUNG, f"HN{i}", dt.datetime(2021, 3, 1) + dt.timedelta(days=95 * i), n, 2, 2]
                             for i, n in enumerate(attendees)]))
    survey_header = _header("survey", "response_id", "survey_date", "overall", "respect", "civility", "guidance",
                            "explanation", "respondent_phone")
    ratings = ["5"] * 78 + ["4"] * 102 + ["3"] * 20
    files.append(write_xlsx(folder / "khao_sat.xlsx", [["ỦY BAN NHÂN DÂN THỊ TRẤN HÀ TRUNG"]], survey_header,
                            [[HA_TRUNG, f"P{i:03}", _fmt(_day(dt.date(2021, 1, 6), 700, i)),
                              *[RATING.labels_vi[r]] * 5, CITIZEN_PHONES[i % 2]] for i, r in enumerate(ratings)]))
    return files


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    folder = tmp_path_factory.mktemp("report")
    db = folder / "w.duckdb"
    reports = ingest_files(write_exports(folder), db=db)
    assert all(r.error is None and r.rows_quarantined == 0 for r in reports), [(r.file_name, r.message) for r in reports]
    return db


def _report(db: Path, unit: str, period: Period, era: str = "legacy"):
    con = InStructure(connect_read_only(db), era)
    try:
        return build_report(con, load_config(), load_report_templates(), unit, period)
    finally:
        con.close()


def _open(path: Path):
    doc = Document(str(path))
    paragraphs = [p.text for p in doc.paragraphs]
    cells = [[[c.text for c in row.cells] for row in table.rows] for table in doc.tables]
    return doc, paragraphs, cells


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pipelines.cli", "report", *args], capture_output=True, text=True)


def test_ha_trung_report_states_the_seed_figures_with_their_denominators(warehouse, tmp_path):
    out = tmp_path / "ha_trung.docx"
    write_docx(_report(warehouse, HA_TRUNG, HA_TRUNG_PERIOD), out)
    doc, paragraphs, tables = _open(out)
    for sentence in [
        "Tổng số hồ sơ tiếp nhận trong kỳ: 936 hồ sơ, trong đó 117 hồ sơ nộp trực tuyến, chiếm 12,5 % số hồ sơ "
        "tiếp nhận (117/936).",
        "Đã giải quyết, trả kết quả 931 hồ sơ; trong đó trả kết quả trước hạn 909 hồ sơ, chiếm 97,6 % số hồ sơ đã "
        "trả kết quả (909/931); đúng hạn 22 hồ sơ, chiếm 2,4 % (22/931); quá hạn 0 hồ sơ, chiếm 0,0 % (0/931).",
        "Trả lại 5 hồ sơ không đủ điều kiện, chiếm 0,5 % số hồ sơ tiếp nhận (5/936).",
        "Đến ngày 31/12/2022 không còn hồ sơ nào đang giải quyết.",
        "Đã gửi 180 thư đến người dân: 116 thư chúc mừng, 50 thư chia buồn, 14 thư cảm ơn, 0 thư xin lỗi.",
        "Không có hồ sơ trễ hẹn nên không phát sinh thư xin lỗi.",
        "Tiếp nhận 25 đơn thư (khiếu nại: 3; tố cáo: 1; kiến nghị, phản ánh: 21).",
        "Kết quả đến ngày 31/12/2022: đã giải quyết 23 đơn, chiếm 92,0 % số đơn tiếp nhận (23/25); chuyển cơ quan "
        "có thẩm quyền 1 đơn, chiếm 4,0 % số đơn tiếp nhận (1/25); đang giải quyết 1 đơn, chiếm 4,0 % số đơn tiếp "
        "nhận (1/25).",
        "Không có đơn thư vượt cấp.",
        "Tổ chức 7 hội nghị đối thoại giữa người đứng đầu cấp ủy, chính quyền với Nhân dân, với 150 lượt người "
        "tham dự.",
        "Người dân nêu 14 ý kiến; 14 ý kiến được tiếp thu, giải đáp ngay tại hội nghị, đạt 100,0 % số ý kiến nêu ra "
        "(14/14).",
        "Kết quả lấy 200 phiếu khảo sát mức độ hài lòng của người dân: mức độ “rất hài lòng” có 78 phiếu, chiếm "
        "39,0 % tổng số phiếu (78/200); mức độ “hài lòng” có 102 phiếu, chiếm 51,0 % tổng số phiếu (102/200); mức "
        "độ “bình thường” có 20 phiếu, chiếm 10,0 % tổng số phiếu (20/200); không có phiếu đánh giá “không hài "
        "lòng”, “rất không hài lòng”.",
        "Tỷ lệ hài lòng chung (hài lòng và rất hài lòng): 90,0 % (180/200 phiếu).",
    ]:
        assert sentence in paragraphs, sentence
    # The handwritten report's "97,5 %" is neither 909/936 (97,1 %) nor 909/931: the draft says which.
    assert not [p for p in paragraphs if "97,5" in p or "97,1" in p]

    header, indicators = tables[0], tables[1]
    assert header[0][0].split("\n") == ["ỦY BAN NHÂN DÂN", "THỊ TRẤN HÀ TRUNG", ""]
    assert header[0][1].split("\n")[:2] == ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"]
    assert header[1][0].startswith("Số:") and header[1][0].endswith("/BC-UBND")
    assert header[1][1].startswith("Hà Trung, ngày") and header[1][1].endswith("năm 2022")
    assert doc.tables[0].rows[1].cells[1].paragraphs[0].runs[0].italic
    assert "BÁO CÁO" in paragraphs
    assert ("Kết quả triển khai xây dựng mô hình “Chính quyền thân thiện, vì Nhân dân phục vụ” trên địa bàn thị trấn "
            "Hà Trung từ ngày 01/01/2021 đến ngày 31/12/2022") in paragraphs
    assert "Kính gửi: Đảng ủy thị trấn Hà Trung." in paragraphs
    rows = {r[1]: r for r in indicators[1:]}
    assert rows["Không trễ hẹn"][2:6] == ["931", "931", "100,0", "95"]
    assert rows["Biết nói dân hiểu"][2:5] == ["14", "14", "100,0"]
    assert rows["Biết xin lỗi"][2:5] == ["0", "0", "N/A"] and rows["Biết xin lỗi"][6] == "—"
    assert rows["Tôn trọng trong giao tiếp"][2:5] == ["180", "200", "90,0"]
    assert len([r for r in indicators[1:] if r[0].isdigit()]) == 12
    assert {"Ưu điểm", "Hạn chế"} <= {p.removeprefix("1. ").removeprefix("2. ") for p in paragraphs}

    section = doc.sections[0]
    mm = {side: round(getattr(section, side).mm) for side in ("page_width", "page_height", "top_margin",
                                                               "bottom_margin", "left_margin", "right_margin")}
    assert (mm["page_width"], mm["page_height"]) == (210, 297)  # A4
    assert 20 <= mm["top_margin"] <= 25 and 20 <= mm["bottom_margin"] <= 25
    assert 30 <= mm["left_margin"] <= 35 and 15 <= mm["right_margin"] <= 20
    normal = doc.styles["Normal"].font
    assert normal.name == "Times New Roman" and Pt(13) <= normal.size <= Pt(14)
    header_borders = doc.tables[0]._tbl.tblPr.xml
    assert 'w:val="nil"' in header_borders


def test_sao_vang_by_the_command_line_and_sections_without_data_say_so(warehouse, tmp_path):
    out = tmp_path / "sao_vang.docx"
    done = _cli("--db", str(warehouse), "--unit", SAO_VANG, "--from", "2023-01-01", "--to", "2023-05-31",
                "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert f"Đã ghi {out}" in done.stdout
    if libreoffice() is None:
        assert "Không có LibreOffice" in done.stdout and not out.with_suffix(".pdf").exists()
    else:
        assert out.with_suffix(".pdf").exists()
    _, paragraphs, tables = _open(out)
    for sentence in [
        "Tổng số hồ sơ tiếp nhận trong kỳ: 535 hồ sơ, trong đó 107 hồ sơ nộp trực tuyến, chiếm 20,0 % số hồ sơ "
        "tiếp nhận (107/535).",
        "Đã giải quyết, trả kết quả 535 hồ sơ; trong đó trả kết quả trước hạn 432 hồ sơ, chiếm 80,7 % số hồ sơ đã "
        "trả kết quả (432/535); đúng hạn 97 hồ sơ, chiếm 18,1 % (97/535); quá hạn 6 hồ sơ, chiếm 1,1 % (6/535).",
        "Đã gửi 6 thư đến người dân: 0 thư chúc mừng, 0 thư chia buồn, 0 thư cảm ơn, 6 thư xin lỗi.",
        "Có 6 hồ sơ trễ hẹn, tất cả đã được gửi thư xin lỗi và hẹn lại ngày trả kết quả, đạt 100,0 % số hồ sơ trễ "
        "hẹn (6/6).",
        "Trong kỳ không có số liệu đơn thư khiếu nại, tố cáo, kiến nghị, phản ánh.",
        "Trong kỳ không có số liệu hội nghị đối thoại.",
        "Trong kỳ không có số liệu phiếu khảo sát mức độ hài lòng.",
    ]:
        assert sentence in paragraphs, sentence
    rows = {r[1]: r for r in tables[1][1:]}
    assert rows["Không trễ hẹn"][2:5] == ["529", "535", "98,9"]
    assert rows["Biết xin lỗi"][2:5] == ["6", "6", "100,0"]
    # no survey sent: not shown, 0 points ("chưa gửi"); no petition received: nothing to count ("N/A")
    assert rows["Gần gũi, giải thích cặn kẽ"][4] == "chưa gửi" and rows["Biết làm dân tin"][4] == "N/A"
    # A section without data never shows a rate: no "0,0 %" outside the dossier sentence.
    start = paragraphs.index("3. Tiếp nhận và giải quyết đơn thư khiếu nại, tố cáo, kiến nghị, phản ánh")
    assert not [p for p in paragraphs[start:] if "0,0 %" in p]


def test_a_unit_without_any_record_says_so_in_every_section(warehouse):
    quiet = _report(warehouse, "15274", HA_TRUNG_PERIOD)  # Thị trấn Hà Long, Huyện Hà Trung: no exports
    text = quiet.text()
    for none in ("Trong kỳ không có số liệu hồ sơ thủ tục hành chính.", "Trong kỳ không có số liệu thư gửi người dân.",
                 "Trong kỳ không có số liệu hội nghị đối thoại.",
                 # silence is a finding: 10 indicators it must show (2 quotas, 8 needing records) at 0 points, and
                 # a unit that sent nothing ranks last, not second among 546 tied at 0
                 "Điểm tổng hợp: 0,0 điểm (thang 100), tính trên 10/12 chỉ số; mỗi chỉ số đạt chỉ tiêu được 100 "
                 "điểm, chỉ số chưa gửi số liệu được 0 điểm.",
                 "Xếp hạng điểm tổng hợp: thứ 547/547 xã được xếp hạng của tỉnh Thanh Hóa.",
                 "Không gửi số liệu: Không gửi sổ theo dõi hồ sơ 24 tháng (01/2021–12/2022) (đã quá hạn gửi)."):
        assert none in text
    assert " %" not in text.split("I. KẾT QUẢ")[1].split("6. Kết quả 12 chỉ số")[0]


def test_district_and_area_reports_rank_their_communes_with_coverage(warehouse, tmp_path):
    con = InStructure(connect_read_only(warehouse), "legacy")
    try:
        communes = unit_frame(con, "district").filter(pl.col("unit_code") == HA_TRUNG_DISTRICT).height
    finally:
        con.close()
    district = _report(warehouse, HA_TRUNG_DISTRICT, HA_TRUNG_PERIOD)
    out = tmp_path / "huyen.docx"
    write_docx(district, out)
    _, paragraphs, tables = _open(out)
    assert f"Có 1/{communes} xã/phường/thị trấn gửi số liệu trong kỳ." in paragraphs
    assert "Kính gửi: Ban Dân vận Tỉnh ủy Thanh Hóa." in paragraphs
    # every commune that sent nothing is flagged for it, and Hà Trung for 12/2022, when its exports hold no dossier
    # and no survey
    assert f"{communes}/{communes} xã/phường/thị trấn có ít nhất một cảnh báo (cột “Số cảnh báo” trong bảng ở mục 8)." \
        in paragraphs
    ranking = tables[2]
    assert ranking[0] == ["Hạng", "Xã/phường/thị trấn", "Điểm tổng hợp", "Chỉ số tính điểm", "Số cảnh báo"]
    # every value at or above its target earns 100 points (biet_xin_loi: no late dossier, nothing to count)
    assert ranking[1:] == [["1", "Thị trấn Hà Trung", "100,0", "11/12", "2"]]
    silent = next(p for p in paragraphs if p.startswith("Chưa gửi số liệu trong kỳ"))
    assert f"({communes - 1} xã/phường/thị trấn, không có trong bảng)" in silent and "Thị trấn Hà Long" in silent

    # The 2025 structure: the same town's records roll up to Xã Hà Trung, grouped in 'địa bàn huyện cũ' Hà Trung.
    area = _report(warehouse, HA_TRUNG_DISTRICT, HA_TRUNG_PERIOD, era="2025").text()
    assert "trên địa bàn huyện cũ Hà Trung" in area and "TỈNH THANH HÓA" in area
    assert "Tổng số hồ sơ tiếp nhận trong kỳ: 936 hồ sơ" in area
    assert "1 | Xã Hà Trung |" in area


def test_province_report_by_the_command_line(warehouse, tmp_path):
    out = tmp_path / "tinh.docx"
    # The data end on 21/05/2023, the default as-of day of this period (the earlier of its end and the data's
    # last day): the stocks of 31/12/2023 are asked for by name.
    done = _cli("--db", str(warehouse), "--unit", "province", "--from", "2021-01-01", "--to", "2023-12-31",
                "--as-of", "2023-12-31", "--out", str(out))
    assert done.returncode == 0, done.stderr
    _, paragraphs, tables = _open(out)
    assert "Kính gửi: Ban Thường vụ Tỉnh ủy Thanh Hóa." in paragraphs
    assert "Tổng số hồ sơ tiếp nhận trong kỳ: 1.471 hồ sơ, trong đó 224 hồ sơ nộp trực tuyến, chiếm 15,2 % số hồ sơ " \
           "tiếp nhận (224/1.471)." in paragraphs
    ranking = tables[2]
    # By the end of 2023 Hà Trung's one open petition is past due (biet_lam, khong_ne_tranh 24/25 = 96 %), still
    # above the 80 % targets: 100 points. Sao Vàng (2023 only: dossiers and apologies) by hand: biet_nghe 0/6,
    # biet_cam_on 0/12, biet_noi and the four thể hiện not sent: 0 points; biet_xin_loi 6/6, khong_phien_ha and
    # khong_tre_hen (529/535 = 98,9 % >= 95 %): 100; no petition: two left out. (0.2 x 100 + 2/3 x 100) /
    # (4 x 0.2 + 2/3 + 4 x 0.25) = 35,1 on 10/12, ranked.
    assert "Đến ngày 31/12/2023 còn 1 đơn thư chưa giải quyết đã quá hạn (kể cả đơn nhận trước kỳ)." in paragraphs
    assert [r[:4] for r in ranking[1:]] == [["1", "Thị trấn Hà Trung", "100,0", "11/12"],
                                             ["2", "Thị trấn Sao Vàng", "35,1", "10/12"]]
    coverage = next(p for p in paragraphs if p.startswith("Có 2/"))
    assert coverage.endswith(" xã/phường/thị trấn gửi số liệu trong kỳ.")
    communes = int(coverage.removeprefix("Có 2/").split()[0].replace(".", ""))
    assert f"{communes - 2} xã/phường/thị trấn chưa gửi số liệu trong kỳ nên không có trong bảng." in paragraphs


def test_unknown_unit_and_bad_period_are_one_line_errors_with_exit_2(warehouse, tmp_path):
    done = _cli("--db", str(warehouse), "--unit", "99999", "--from", "2021-01-01", "--to", "2022-12-31",
                "--out", str(tmp_path / "x.docx"))
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.strip().count("\n") == 0 and "99999" in done.stderr and done.stderr.startswith("dvcq: lỗi:")
    assert not (tmp_path / "x.docx").exists()
    with pytest.raises(ReportUnitError, match="--units 2025"):
        _report(warehouse, "99999", HA_TRUNG_PERIOD)
    done = _cli("--db", str(warehouse), "--unit", HA_TRUNG, "--from", "2022-01-01", "--to", "2021-01-01")
    assert done.returncode == 2 and "kỳ không hợp lệ" in done.stderr
    done = _cli("--db", str(warehouse), "--unit", HA_TRUNG, "--out", str(tmp_path / "x.pdf"))
    assert done.returncode == 2 and ".docx" in done.stderr


def test_a_broken_templates_file_names_the_key(warehouse, tmp_path):
    text = TEMPLATES.read_text(encoding="utf-8")
    typo = tmp_path / "typo.toml"
    typo.write_text(text.replace("\nreturned_none =", "\nreturnd_none ="), encoding="utf-8")
    with pytest.raises(ReportTemplateError, match=r"dossiers\.returned_none: thiếu khóa bắt buộc"):
        load_report_templates(typo)
    placeholder = tmp_path / "placeholder.toml"
    placeholder.write_text(text.replace("({early}/{completed})", "({erly}/{completed})"), encoding="utf-8")
    with pytest.raises(ReportTemplateError, match=r"dossiers\.completed: chỗ điền \{erly\}"):
        load_report_templates(placeholder)
    done = _cli("--db", str(warehouse), "--unit", HA_TRUNG, "--templates", str(typo))
    assert done.returncode == 2 and "dossiers.returnd_none" in done.stderr and "Traceback" not in done.stderr
    assert done.stderr.strip().count("\n") == 0


def test_no_personal_value_reaches_the_document(warehouse):
    files = {}
    for unit, period in ((HA_TRUNG, HA_TRUNG_PERIOD), (SAO_VANG, SAO_VANG_PERIOD), ("province", HA_TRUNG_PERIOD)):
        data = docx_bytes(_report(warehouse, unit, period))
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            files[unit] = "".join(z.read(n).decode("utf-8", "replace") for n in z.namelist())
    for xml in files.values():
        for secret in (*CITIZEN_NAMES, *CITIZEN_IDS, *CITIZEN_PHONES):
            assert secret not in xml, secret
        assert not re.search(r"h:[0-9a-f]{24}", xml)  # no pseudonym either


@pytest.mark.skipif(libreoffice() is None or shutil.which("pdftoppm") is None,
                    reason="needs LibreOffice (soffice) and poppler's pdftoppm to render the report; CI has neither")
def test_the_report_renders_to_pdf_and_png(warehouse, tmp_path):
    out = tmp_path / "ha_trung.docx"
    done = _cli("--db", str(warehouse), "--unit", HA_TRUNG, "--from", "2021-01-01", "--to", "2022-12-31",
                "--out", str(out))
    assert done.returncode == 0, done.stderr
    pdf = out.with_suffix(".pdf")
    assert pdf.exists() and pdf.read_bytes().startswith(b"%PDF")
    subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")], check=True)
    assert list(tmp_path.glob("page*.png"))


class _Capture:
    """Stands in for a Streamlit container: keeps what the button would offer."""

    def __init__(self) -> None:
        self.buttons: list[tuple[str, object, dict]] = []
        self.warnings: list[str] = []

    def download_button(self, label, data, **kwargs):
        self.buttons.append((label, data, kwargs))

    def warning(self, text):
        self.warnings.append(text)


def test_dashboard_button_builds_the_report_of_the_view(warehouse, tmp_path, monkeypatch):
    from dashboard.filters import Filters
    from dashboard.report import report_button

    monkeypatch.setenv("DVCQ_DB", str(warehouse))
    view = Filters(kind="tuy_chon", date_from=HA_TRUNG_PERIOD.date_from, date_to=HA_TRUNG_PERIOD.date_to,
                   as_of=HA_TRUNG_PERIOD.as_of, prev_from=dt.date(2019, 1, 1), prev_to=dt.date(2020, 12, 31),
                   label="2021–2022", district=HA_TRUNG_DISTRICT, commune=HA_TRUNG, era="legacy")
    container = _Capture()
    report_button(view, container)
    [(label, build, kwargs)] = container.buttons
    assert label == "Tải báo cáo (.docx)" and kwargs["file_name"] == "bao_cao_15271_20210101_20221231.docx"
    out = tmp_path / kwargs["file_name"]
    out.write_bytes(build())
    _, paragraphs, _ = _open(out)
    assert "Kính gửi: Đảng ủy thị trấn Hà Trung." in paragraphs
    assert any("trả kết quả trước hạn 909 hồ sơ, chiếm 97,6 % số hồ sơ đã trả kết quả (909/931)" in p
               for p in paragraphs)

    broken = tmp_path / "broken.toml"
    broken.write_text(TEMPLATES.read_text(encoding="utf-8").replace("[survey]", "[survay]"), encoding="utf-8")
    monkeypatch.setenv("DVCQ_REPORT_TEMPLATES", str(broken))
    container = _Capture()
    report_button(view, container)
    assert not container.buttons and "survay" in container.warnings[0]


def test_shortcomings_group_what_to_improve_without_repeating_the_warnings(warehouse):
    """Issue 19: «2. Hạn chế» repeated section I.7's warnings word for word. It now says what to improve, one
    line per theme (the three groups, the supplementary rates, the rules, the composite) with each flagged
    indicator named once with its value and target, whatever kinds of flag it drew, and shares no sentence
    with I.7. Sao Vàng's real facts with these flags (two flags on «Không trễ hẹn», one rule, one survey
    rate, one supplementary rate, the composite at the bottom):"""
    from dataclasses import replace

    from pipelines.report.content import build_document
    from pipelines.report.facts import gather, resolve_scope

    con = InStructure(connect_read_only(warehouse), "legacy")
    try:
        config = load_config()
        facts = gather(con, config, resolve_scope(con, config, SAO_VANG), SAO_VANG_PERIOD)
    finally:
        con.close()
    flags = pl.DataFrame({
        "flag": ["rule", "below_target", "below_peers", "below_target", "below_target", "bottom_rank"],
        "indicator": ["late_without_apology", "khong_tre_hen", "khong_tre_hen", "the_hien_ton_trong", "hai_long",
                      "composite"],
        "value": [None, 86.89, 86.89, 77.93, 66.08, 61.27], "target": [None, 95.0, 95.0, 90.0, 90.0, None],
        "reason": ["Có 2 hồ sơ trễ hẹn chưa có thư xin lỗi", "Không trễ hẹn: 86,9 % thấp hơn mục tiêu 95 %",
                   "Không trễ hẹn: 86,9 % thấp hơn mức chung của huyện", "Tôn trọng trong giao tiếp: 77,9 % thấp",
                   "Mức độ hài lòng chung: 66,1 % thấp", "Điểm tổng hợp 61,3 điểm, xếp thứ 46/50"]})
    doc = build_document(replace(facts, flags=flags), load_report_templates(), config)
    texts = [(type(b).__name__, b.text) for b in doc.blocks if hasattr(b, "text")]
    start = texts.index(("Heading", "2. Hạn chế"))
    warnings = texts[texts.index(("Heading", "7. Các cảnh báo từ số liệu")) + 1:texts.index(("Heading", "II. ĐÁNH GIÁ CHUNG"))]
    assert texts[start + 1:start + 7] == [
        ("Paragraph", "Những mặt cần cải thiện theo 5 nhóm, từ 6 cảnh báo ở mục I.7 (đơn vị bổ sung, đánh giá "
                      "nguyên nhân):"),
        ("Bullet", "3 không: Không trễ hẹn đạt 86,9 % (chỉ tiêu 95 %)."),
        ("Bullet", "4 thể hiện: Tôn trọng trong giao tiếp đạt 77,9 % (chỉ tiêu 90 %)."),
        ("Bullet", "Chỉ số bổ trợ: Mức độ hài lòng chung đạt 66,1 % (chỉ tiêu 90 %)."),
        ("Bullet", "Chấp hành quy định: hồ sơ trễ hẹn chưa có thư xin lỗi."),
        ("Bullet", "Điểm tổng hợp: 61,3 điểm, thuộc nhóm thấp nhất khi xếp hạng.")]
    assert len([t for t in warnings if t[0] == "Bullet"]) == 6
    assert not {t for _, t in warnings} & {t for _, t in texts[start + 1:start + 7]}


def test_the_report_counts_what_falls_due_soon(warehouse):
    """Hà Trung's one pending petition, a kiến nghị received Tue 20/12/2022 without a due date, is due on the
    15th working day after it: 21–23/12, 26–30/12, 03–06/01 (01 and 02/01/2023 are New Year), 09–11/01 ->
    Wed 11/01/2023. P = 15, its window 3 working days (09, 10, 11/01). As of Fri 06/01 it has 3 left (not yet);
    as of Mon 09/01 it has 2: due soon. Every dossier of the town is completed."""
    before = _report(warehouse, HA_TRUNG, Period(dt.date(2021, 1, 1), dt.date(2023, 1, 6), dt.date(2023, 1, 6)))
    assert "Đến ngày 06/01/2023 không có hồ sơ, đơn thư nào sắp đến hạn." in before.text().split("\n")
    as_of_monday = Period(dt.date(2021, 1, 1), dt.date(2023, 1, 9), dt.date(2023, 1, 9))
    sentence = ("Đến ngày 09/01/2023 có 1 hồ sơ, đơn thư sắp đến hạn (0 hồ sơ, 1 đơn thư), cần giải quyết trước hạn "
                "để không bị quá hạn.")
    assert sentence in _report(warehouse, HA_TRUNG, as_of_monday).text().split("\n")
    # the district's report counts its communes' items alike
    assert sentence in _report(warehouse, HA_TRUNG_DISTRICT, as_of_monday).text().split("\n")
