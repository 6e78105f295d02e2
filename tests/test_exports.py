"""Every export writes text as text: a formula typed in a commune's file never runs in ours (issue 8.3)."""

from __future__ import annotations

import io
import subprocess
import sys
import zipfile

import polars as pl

from pipelines.exports import neutralise_formulas
from tests.ingest_fixtures import write_csv

INJECTED = ['=HYPERLINK("http://example.invalid","Bấm để xem")', "+1+2", "-2+3", "@SUM(A1)", "\t=1"]


def test_csv_cells_that_start_a_formula_are_prefixed_and_numbers_kept():
    frame = pl.DataFrame({"text": [*INJECTED, "Hộ tịch", "a=b"], "gap": [-5.5, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0]})
    out = neutralise_formulas(frame)
    assert out["text"].to_list() == [f"'{v}" for v in INJECTED] + ["Hộ tịch", "a=b"]
    assert out["gap"].to_list() == frame["gap"].to_list()


def test_xlsx_export_writes_formulas_as_strings():
    from dashboard.formatting import xlsx_bytes
    frame = pl.DataFrame({"procedure": INJECTED})
    book = zipfile.ZipFile(io.BytesIO(xlsx_bytes(frame, {"procedure": ("Thủ tục", "text")})))
    sheet = book.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet and "<hyperlink" not in sheet      # no formula cell, no live link
    strings = book.read("xl/sharedStrings.xml").decode()
    assert all(v.replace("\t", "") in strings.replace("\t", "") for v in INJECTED)  # each kept as its text


def test_cli_csv_of_quarantine_neutralises_a_formula_from_a_commune_file(tmp_path):
    path = write_csv(tmp_path / "ho_so_thi_tran_ha_trung_2024.csv",
                     [["Mã hồ sơ", "Ngày tiếp nhận", "Ngày hẹn trả"], ['=HYPERLINK("http://x.invalid")', "31/02/2024",
                                                                       "06/03/2024"]])
    db = tmp_path / "w.duckdb"
    run = [sys.executable, "-m", "pipelines.cli"]
    assert subprocess.run([*run, "ingest", str(path), "--db", str(db)], capture_output=True).returncode == 0
    out = subprocess.run([*run, "quarantine", "--db", str(db), "--format", "csv"], capture_output=True, text=True)
    lines = out.stdout.splitlines()
    assert len(lines) == 2 and "'=HYPERLINK" in lines[1] and ',"=HYPERLINK' not in lines[1]


def test_two_uploads_with_the_same_name_are_both_kept(tmp_path):
    """Issue 8.6: two files called bao_cao.csv from two communes are two files, each ingested once."""
    from dataclasses import dataclass

    from dashboard.loading import save_uploads
    from pipelines.ingest.pipeline import ingest_files
    from schemas.config import load_config

    @dataclass
    class Upload:
        name: str
        data: bytes

        def getbuffer(self) -> memoryview:
            return memoryview(self.data)

    def export(title: str, ids: list[str]) -> bytes:
        lines = [title, "", "Mã hồ sơ;Ngày tiếp nhận;Ngày hẹn trả"] + [f"{i};03/03/2024;06/03/2024" for i in ids]
        return ("\ufeff" + "\r\n".join(lines) + "\r\n").encode()

    uploads = [Upload("bao_cao.csv", export("UBND THỊ TRẤN HÀ TRUNG", ["A1", "A2"])),
               Upload("bao_cao.csv", export("UBND XÃ HÀ NGỌC", ["B1"]))]
    paths = save_uploads(uploads, tmp_path / "tai_len")
    assert len({p.parent for p in paths}) == 2 and [p.name for p in paths] == ["bao_cao.csv", "bao_cao.csv"]
    reports = ingest_files(paths, db=tmp_path / "w.duckdb", config=load_config(), units="legacy")
    assert [(r.communes, r.rows_inserted) for r in reports] == [(["15271"], 2), (["15304"], 1)]


def test_data_meeting_markdown_or_plotly_is_shown_as_typed():
    """Issue 8.10: a petition field '<a href=…>' is no link in a chart; an uploaded file's name is no
    markdown in the error box."""
    from dashboard.charts import count_bars
    from dashboard.formatting import md_escape

    link = '<a href="http://example.invalid">Bấm</a>'
    figure = count_bars([link, "Đất đai"], [3, 4], "Đơn thư theo lĩnh vực", horizontal=True)
    assert figure.data[0].y == ('&lt;a href="http://example.invalid"&gt;Bấm&lt;/a&gt;', "Đất đai")
    shown = md_escape("[Bấm vào](http://example.invalid) **bao_cao**.csv")
    assert "](" not in shown and "**" not in shown and shown.replace("\\", "") == \
        "[Bấm vào](http://example.invalid) **bao_cao**.csv"


def test_xlsx_says_what_it_holds_inside_the_sheet(tmp_path):
    """Issue 10.5/10.11: title, scope/period and the as-of day above the header; the header and rows below
    keep their types (a date stays a date, a count a number)."""
    import datetime as dt

    from dashboard.formatting import xlsx_bytes
    frame = pl.DataFrame({"name": ["Xã Hà Lĩnh", "Xã Hà Đông"], "n": [3, 12],
                          "due": [dt.date(2025, 5, 2), dt.date(2025, 6, 30)]})
    notes = ("Phạm vi: Huyện Hà Trung · Kỳ: Quý 2/2025 · cấu trúc cũ", "Tồn đọng tính đến ngày 30/06/2025")
    path = tmp_path / "x.xlsx"
    path.write_bytes(xlsx_bytes(frame, {"name": ("Xã", "text"), "n": ("Số việc", "int"), "due": ("Hạn", "date")},
                                "Tồn đọng", "Tồn đọng quá hạn theo xã", notes))
    top = pl.read_excel(path, has_header=False, read_options={"n_rows": 3})
    assert top.to_series(0).to_list() == ["Tồn đọng quá hạn theo xã", *notes]
    table = pl.read_excel(path, read_options={"header_row": 4})
    assert table.columns == ["Xã", "Số việc", "Hạn"]
    assert table.rows() == [("Xã Hà Lĩnh", 3, dt.date(2025, 5, 2)), ("Xã Hà Đông", 12, dt.date(2025, 6, 30))]
