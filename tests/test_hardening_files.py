"""Hardening, second round (issue 24, items 2, 7 and 8): workbooks that lie about their size, files and
warehouses that used to end in a traceback, and what a failed or killed run left behind."""

from __future__ import annotations

import os
import re
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from tests import bombs

REPO = Path(__file__).resolve().parents[1]
SECRET = {"DVCQ_SECRET": "kiem-thu-" + "0123456789abcdef" * 3}
# What a bomb's ingest may hold at most (the bound for uploads and `dvcq ingest` alike); the child
# gets a hard address-space ceiling above it so a regression fails the test instead of the machine.
PEAK_RSS_BOUND_MB = 1500
ADDRESS_SPACE_CEILING = 8 << 30


def _config(tmp_path: Path, **limits: int) -> Path:
    """config/dvcq.toml with the ingest limits scaled down, so a bomb stays small on disk and fast to build."""
    text = (REPO / "config" / "dvcq.toml").read_text(encoding="utf-8")
    for key, value in limits.items():
        text, found = re.subn(rf"(?m)^{key} = \d+", f"{key} = {value}", text)
        assert found == 1, key
    path = tmp_path / "dvcq.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _ceiling() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE_CEILING, ADDRESS_SPACE_CEILING))


def _cli(*args: str, config: Path | None = None) -> tuple[int, str, str, float]:
    """``dvcq`` in a child process: exit code, stdout, stderr and the child's own peak RSS in MB."""
    command = [sys.executable, "-m", "pipelines.cli", *(["--config", str(config)] if config else []), *args]
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        child = subprocess.Popen(command, cwd=REPO, stdout=out, stderr=err, env=os.environ | SECRET,
                                 preexec_fn=_ceiling)
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return child.returncode, out.read(), err.read(), usage.ru_maxrss / 1024


@pytest.mark.parametrize("body, dimension, words", [
    (lambda: bombs.cell_rows(1_000, 30), None, "một trang tính có hơn 10.000 ô (giới hạn ingest.max_sheet_cells)"),
    (lambda: bombs.cell_rows(1_000, 30), "A1", "một trang tính có hơn 10.000 ô (giới hạn ingest.max_sheet_cells)"),
    (lambda: bombs.far_cell(1_000_000, "ZZ"), None,
     "một trang tính trải tới dòng 1.000.000, cột 702: 702.000.000 ô, vượt giới hạn 10.000 ô (ingest.max_sheet_cells)"),
], ids=["no-dimension", "dimension-A1", "one-far-cell"])
def test_cells_are_counted_as_the_sheet_is_inflated(tmp_path, body, dimension, words):
    """Issue 24.2: a sheet that declares no size, or A1, and holds 30,000 cells, or two cells as far apart as
    A1 and ZZ1000000 (the reader builds the whole block between them), is refused at the limit."""
    bomb = bombs.workbook(tmp_path / "bao_cao.xlsx", body(), dimension)
    assert bomb.stat().st_size < 20_000
    code, out, err, peak = _cli("ingest", str(bomb), "--db", str(tmp_path / "w.duckdb"), "--commune", "15271",
                                config=_config(tmp_path, max_sheet_cells=10_000))
    assert code == 1 and "Traceback" not in err
    assert f"bao_cao.xlsx: LỖI — {words}: không đọc, hãy tách tệp hoặc xuất dạng CSV" in out
    assert peak < PEAK_RSS_BOUND_MB


def test_bytes_are_counted_as_they_inflate_whatever_the_zip_declares(tmp_path):
    """Issue 24.2: the zip index says the sheet is 5 KB; it inflates to 12 MB against a 10 MB limit."""
    bomb = bombs.workbook(tmp_path / "bao_cao.xlsx", bombs.comment(12_000_000), declared_size=5_000)
    assert bomb.stat().st_size < 30_000
    code, out, err, peak = _cli("ingest", str(bomb), "--db", str(tmp_path / "w.duckdb"), "--commune", "15271",
                                config=_config(tmp_path, max_uncompressed_mb=10))
    assert code == 1 and "Traceback" not in err
    assert ("bao_cao.xlsx: LỖI — tệp Excel giải nén ra hơn 10 MB (giới hạn ingest.max_uncompressed_mb): không đọc, "
            "hãy tách tệp hoặc xuất dạng CSV") in out
    assert peak < PEAK_RSS_BOUND_MB


def test_a_workbook_within_the_limits_is_read_whole(tmp_path):
    """The counting refuses nothing it should read: 9,000 cells under a 10,000-cell limit load."""
    book = bombs.workbook(tmp_path / "bao_cao.xlsx", bombs.cell_rows(300, 30), "A1:AD302")
    code, out, err, _ = _cli("ingest", str(book), "--db", str(tmp_path / "w.duckdb"), "--commune", "15271",
                             "--units", "legacy", config=_config(tmp_path, max_sheet_cells=10_000))
    assert code == 0, err
    # 300 rows of 30 '1's: ids '1' (the last kept, 299 quarantined as duplicates), received date '1' unreadable
    assert "đọc 301 = thêm 1 + cập nhật 0 + không đổi 0 + cách ly 300" in out


def _header_line_over_64_kb(tmp_path: Path, extra: int) -> Path:
    """A dossier export whose header row has ``extra`` unnamed-by-the-schema columns after the three real ones."""
    header = ["Mã hồ sơ", "Ngày tiếp nhận", "Ngày hẹn trả"] + [f"cột thêm {i:06d}" for i in range(extra)]
    path = tmp_path / "rong.csv"
    path.write_text(";".join(header) + "\nA1;03/03/2024;06/03/2024\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("extra, words", [
    (5_000, "rong.csv: dossier | xã (cấu trúc cũ) 15271 | đọc 1 = thêm 1 + cập nhật 0 + không đổi 0 + cách ly 0"),
    (100_000, "rong.csv: LỖI — bảng có 100.003 cột, vượt 16.384 cột (giới hạn của Excel): không đọc, hãy bỏ các cột thừa"),
])
def test_a_header_line_over_64_kb_is_read_or_refused_in_one_line(tmp_path, extra, words):
    """Issue 24.7: the header line is longer than the head the preview reads (75 KB, 1.6 MB); Polars was given
    fewer columns than it holds and raised a SchemaError."""
    path = _header_line_over_64_kb(tmp_path, extra)
    assert path.stat().st_size > 65_536
    code, out, err, _ = _cli("ingest", str(path), "--db", str(tmp_path / "w.duckdb"), "--commune", "15271",
                             "--units", "legacy")
    assert "Traceback" not in err and code == (0 if extra < 16_384 else 1)
    assert words in out


def test_parquet_bytes_and_durations_are_text_or_one_line(tmp_path):
    """Issue 24.7: a binary column is text when it is UTF-8 and refused, naming the column, when not; a duration
    is its ISO 8601 text, which no date parser takes (the row is quarantined, not a crash)."""
    import datetime as dt

    import polars as pl

    from pipelines.ingest.pipeline import ingest_files
    from schemas.config import load_config
    text = tmp_path / "chu.parquet"
    pl.DataFrame({"Mã hồ sơ": [b"A1", b"A2"], "Ngày tiếp nhận": ["03/03/2024", "04/03/2024"]}).write_parquet(text)
    during = tmp_path / "thoi_luong.parquet"
    pl.DataFrame({"Mã hồ sơ": ["B1"], "Ngày tiếp nhận": [dt.timedelta(days=3, seconds=5)]}).write_parquet(during)
    raw = tmp_path / "nhi_phan.parquet"
    pl.DataFrame({"Ngày tiếp nhận": ["03/03/2024"], "Mã hồ sơ": [b"\xff\xfe"]}).write_parquet(raw)
    reports = ingest_files([text, during, raw], db=tmp_path / "w.duckdb", config=load_config(), commune="15271",
                           units="legacy")
    assert [(r.rows_read, r.rows_inserted, r.rows_quarantined, r.error) for r in reports] == [
        (2, 2, 0, None), (1, 0, 1, None),
        (0, 0, 0, "cột thứ 2 của tệp Parquet chứa dữ liệu nhị phân không phải văn bản UTF-8, không đọc được thành chữ: "
                  "hãy xuất lại dạng CSV hoặc XLSX")]
    import duckdb
    with duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True) as con:
        assert con.execute("SELECT file_name, record_id, reason_code FROM quarantine").fetchall() == [
            ("thoi_luong.parquet", "B1", "bad_date")]
