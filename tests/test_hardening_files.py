"""Hardening, second round (issue 24, items 2, 7 and 8): workbooks that lie about their size, files and
warehouses that used to end in a traceback, and what a failed or killed run left behind."""

from __future__ import annotations

import os
import re
import resource
import signal
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from tests import bombs
from tests.dashboard_fixtures import PAGE_FILES, browser_cookie, session_cookie

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
    assert "đọc 301 = thêm 1 + cập nhật 0 + không đổi 0 + cũ hơn bản đã có 0 + cách ly 300" in out


def _header_line_over_64_kb(tmp_path: Path, extra: int) -> Path:
    """A dossier export whose header row has ``extra`` unnamed-by-the-schema columns after the three real ones."""
    header = ["Mã hồ sơ", "Ngày tiếp nhận", "Ngày hẹn trả"] + [f"cột thêm {i:06d}" for i in range(extra)]
    path = tmp_path / "rong.csv"
    path.write_text(";".join(header) + "\nA1;03/03/2024;06/03/2024\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("extra, words", [
    (5_000, "rong.csv: dossier | xã (cấu trúc cũ) 15271 | đọc 1 = thêm 1 + cập nhật 0 + không đổi 0 "
            "+ cũ hơn bản đã có 0 + cách ly 0"),
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


DAMAGED = "bị hỏng (bị cắt ngắn hoặc sai dữ liệu): hãy khôi phục từ bản sao lưu, hoặc nạp lại dữ liệu vào một kho mới"
FULL_DISK = ("dvcq: lỗi: không ghi được: ổ đĩa đầy (hoặc tệp vượt giới hạn kích thước của hệ thống); kho dữ liệu đang "
             "dùng không bị thay đổi. Hãy giải phóng chỗ trống rồi chạy lại\n")
BLOCK = 262_144      # DuckDB's block; the file starts with three 4 KB headers


@pytest.fixture(scope="module")
def export(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("xuat") / "ho_so.csv"
    path.write_text("Mã hồ sơ;Ngày tiếp nhận;Ngày hẹn trả\nA1;03/03/2024;06/03/2024\nA2;04/03/2024;05/03/2024\n",
                    encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory, export) -> Path:
    db = tmp_path_factory.mktemp("kho") / "w.duckdb"
    code, _, err, _ = _cli("ingest", str(export), "--db", str(db), "--commune", "15271")
    assert code == 0, err
    return db


def _damage(warehouse: Path, folder: Path, how: str) -> Path:
    """A copy cut to a third of its size, or with one byte flipped in every block after the headers."""
    data = bytearray(warehouse.read_bytes())
    if how == "truncated":
        data = data[:len(data) // 3]
    else:
        for offset in range(3 * 4096 + 64, len(data), BLOCK):
            data[offset] ^= 0xFF
    path = folder / "w.duckdb"
    path.write_bytes(bytes(data))
    return path


@pytest.mark.parametrize("how", ["truncated", "bit-flipped"])
@pytest.mark.parametrize("command", ["ingest", "indicators"])
def test_a_damaged_warehouse_is_one_line_and_left_as_it_is(tmp_path, warehouse, export, how, command):
    """Issue 24.7: an IOException ('Could not read enough bytes') or 'Corrupt database file' from any query
    of the ingest or the engine is one line and exit 1; the damaged file stays for the operator to restore."""
    db = _damage(warehouse, tmp_path, how)
    before = db.read_bytes()
    args = ["ingest", str(export), "--commune", "15271"] if command == "ingest" else ["indicators"]
    code, out, err, _ = _cli(*args, "--db", str(db))
    assert (code, err) == (1, f"dvcq: lỗi: tệp kho dữ liệu {db} {DAMAGED}\n")
    assert db.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["w.duckdb", *(["w.duckdb.lock"] if command == "ingest" else [])]


def _file_size_limit(limit: int):
    """The child may write no file beyond ``limit`` bytes: its writes fail with EFBIG as on a full disk."""
    def limited() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return limited


@pytest.mark.parametrize("existing", [False, True], ids=["duckdb-writing-a-new-warehouse", "copying-the-live-one"])
def test_a_full_disk_is_one_line_and_leaves_nothing_behind(tmp_path, warehouse, export, existing):
    """Issues 24.7 and 24.8: the disk fills (a real one: a file-size limit on the process) while DuckDB writes
    the new warehouse, or while the live one is copied to stage the publish; one line, exit 1, the live
    warehouse as it was and no half copy left until the next ingest."""
    db = tmp_path / "w.duckdb"
    if existing:
        db.write_bytes(warehouse.read_bytes())
    before = db.read_bytes() if existing else None
    done = subprocess.run([sys.executable, "-m", "pipelines.cli", "ingest", str(export), "--db", str(db),
                           "--commune", "15271"], cwd=REPO, capture_output=True, text=True, env=os.environ | SECRET,
                          preexec_fn=_file_size_limit(warehouse.stat().st_size // 2))
    assert (done.returncode, done.stderr) == (1, FULL_DISK)
    assert (db.read_bytes() if existing else db.exists()) == (before if existing else False)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["w.duckdb", "w.duckdb.lock"] if existing else ["w.duckdb.lock"]


def test_leftover_copies_and_spill_folders_are_removed_by_the_next_publish(tmp_path):
    """Issue 24.8: a killed publish leaves its copy and DuckDB's spill folder beside it (``<copy>.tmp/``); a
    folder under that name made every later ingest fail with 'Is a directory'."""
    from pipelines.ingest.warehouse import publishing
    db = tmp_path / "w.duckdb"
    (tmp_path / "w.duckdb.tmp-999999").write_bytes(b"half a warehouse")
    spill = tmp_path / "w.duckdb.tmp-999999.tmp"
    spill.mkdir()
    (spill / "duckdb_temp_storage-0.tmp").write_bytes(b"spilled")
    (tmp_path / "w.duckdb.tmp-1").mkdir()
    with publishing(db, "38"):
        pass
    assert sorted(p.name for p in tmp_path.iterdir()) == ["w.duckdb", "w.duckdb.lock"]


@pytest.mark.parametrize("how", ["truncated", "bit-flipped"])
def test_a_damaged_warehouse_is_one_message_not_the_error_page(tmp_path, monkeypatch, warehouse, how):
    """Issue 24.7: every page showed Streamlit's generic error page; the entry script now runs each page
    under one handler, so the menu is drawn and the page says what is wrong in one sentence, without the
    server's path. (AppTest opens another page without the entry script, so the default page is the one
    run here; the handler is the same for all.)"""
    from streamlit.testing.v1 import AppTest
    monkeypatch.setenv("DVCQ_DB", str(_damage(warehouse, tmp_path, how)))
    browser_cookie(session_cookie("quan_tri", Path(os.environ["DVCQ_DB"])))
    at = AppTest.from_file(str(REPO / "dashboard" / "app.py"), default_timeout=60).run()
    assert not at.exception
    assert [e.value for e in at.error] == [f"Không đọc được kho dữ liệu: tệp kho dữ liệu {DAMAGED}. Báo cho người "
                                           "quản trị máy chủ."]
    assert len(at.sidebar.get("page_link")) == len(PAGE_FILES)  # the menu has a link to every page


@pytest.mark.parametrize("name, words", [
    ("x" * 296 + ".csv", "tên tệp quá dài (300 ký tự, tối đa 255 byte): hãy đặt tên ngắn hơn rồi tải lên lại"),
    ("bao\x00cao.csv", "tên tệp có ký tự không hợp lệ: hãy đổi tên tệp rồi tải lên lại"),
    ("..", "tên tệp có ký tự không hợp lệ: hãy đổi tên tệp rồi tải lên lại"),
    ("ă" * 125 + ".csv", None),                                # 254 bytes: saved as it is
])
def test_an_upload_name_the_disk_cannot_take_is_refused_in_words(tmp_path, name, words):
    """Issue 24.7: a 300-character name raised OSError 36 and a NUL ValueError in save_uploads; each is now a
    sentence for that file (the others load), and a name that fits is kept whole."""
    from dashboard.loading import save_uploads, upload_name_problem

    class Upload:
        def __init__(self, name: str) -> None:
            self.name = name

        def getbuffer(self) -> memoryview:
            return memoryview(b"Ma ho so;Ngay tiep nhan\n")
    assert upload_name_problem(name) == words
    if words is None:
        path, = save_uploads([Upload(name)], tmp_path)
        assert path.name == name and path.read_bytes() == b"Ma ho so;Ngay tiep nhan\n"


def test_uploads_wait_in_a_private_folder_the_server_empties_at_start(tmp_path, monkeypatch):
    """Issue 24.8: a server killed during an upload left the raw file in /tmp/dvcq-upload-*/ forever; uploads
    now wait beside the warehouse in a folder only the server's user can open, emptied when it starts."""
    from dashboard import loading
    monkeypatch.setenv("DVCQ_DB", str(tmp_path / "w.duckdb"))
    folder = loading.upload_folder()
    assert folder == tmp_path / "w.duckdb.uploads" and stat.S_IMODE(folder.stat().st_mode) == 0o700
    left = folder / "nap-abc" / "0"
    left.mkdir(parents=True)
    (left / "ho_so_nguyen_van_an.csv").write_text("Họ tên;Địa chỉ\nNguyễn Văn An;12 Lê Lợi\n", encoding="utf-8")
    (folder / "stray.csv").write_text("x")
    loading.clean_uploads()
    assert list(folder.iterdir()) == []
