"""Hardening: the pseudonymisation key (never empty or short, written whole, the warehouse's own only) and publish leftovers."""

from __future__ import annotations

import os
import stat
import subprocess
import sys

import pytest

from pipelines.ingest.privacy import KEY_FILE, MIN_KEY_BYTES, SecretError, fingerprint, load_secret
from tests.ingest_fixtures import write_csv

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture
def no_env_secret(monkeypatch):
    monkeypatch.delenv("DVCQ_SECRET", raising=False)


def _export(tmp_path):
    return write_csv(tmp_path / "ho_so_thi_tran_ha_trung_2024.csv",
                     [["Mã hồ sơ", "Ngày tiếp nhận", "Ngày hẹn trả", "Họ tên người nộp"],
                      ["S1", "03/03/2024", "06/03/2024", "Nguyễn Văn An"]])


def _ingest(tmp_path, db, env: dict[str, str] | None = None):
    clean = {k: v for k, v in os.environ.items() if k != "DVCQ_SECRET"}
    return subprocess.run([sys.executable, "-m", "pipelines.cli", "ingest", str(_export(tmp_path)), "--db", str(db)],
                          cwd=REPO, capture_output=True, text=True, env=clean | (env or {}))


@pytest.mark.parametrize("content", ["", "   \n", "short-key"])
def test_an_empty_or_short_key_file_is_refused(tmp_path, no_env_secret, content):
    (tmp_path / KEY_FILE).write_text(content)
    with pytest.raises(SecretError, match=f"cần ít nhất {MIN_KEY_BYTES}"):
        load_secret(tmp_path)


def test_a_short_environment_key_is_refused(monkeypatch, tmp_path):
    monkeypatch.setenv("DVCQ_SECRET", " ")
    with pytest.raises(SecretError, match="DVCQ_SECRET"):
        load_secret(tmp_path)


def test_a_new_key_file_is_random_whole_and_private(tmp_path, no_env_secret):
    key = load_secret(tmp_path / "kho")
    path = tmp_path / "kho" / KEY_FILE
    assert len(key) == 64 and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in path.parent.iterdir()] == [KEY_FILE]   # no temp file left behind
    assert load_secret(tmp_path / "kho") == key                      # read back, not replaced


def test_a_failed_write_leaves_no_key_file(tmp_path, no_env_secret, monkeypatch):
    """A full disk while writing the key: nothing under the key's name, so the retry cannot read an empty key."""
    def full_disk(fd):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(os, "fsync", full_disk)
    with pytest.raises(OSError):
        load_secret(tmp_path)
    assert list(tmp_path.iterdir()) == []
    monkeypatch.undo()
    monkeypatch.delenv("DVCQ_SECRET", raising=False)
    assert len(load_secret(tmp_path)) == 64


def test_the_warehouse_refuses_another_key_and_a_lost_key_file(tmp_path):
    db = tmp_path / "w.duckdb"
    first = _ingest(tmp_path, db)
    assert first.returncode == 0, first.stderr
    key = (tmp_path / KEY_FILE).read_text().strip().encode()
    import duckdb
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT value FROM warehouse_meta WHERE name = 'key_fingerprint'").fetchall() == [
            (fingerprint(key),)]
        assert key.decode() not in str(con.execute("SELECT * FROM warehouse_meta").fetchall())
    other = _ingest(tmp_path, db, {"DVCQ_SECRET": "0f9e8d7c6b5a4" * 4})  # a key strong enough, not the one used
    assert other.returncode == 2 and "không phải khóa đã dùng cho kho dữ liệu này" in other.stderr
    assert "Traceback" not in other.stderr
    (tmp_path / KEY_FILE).unlink()
    lost = _ingest(tmp_path, db)
    assert lost.returncode == 2 and "hãy khôi phục tệp khóa gốc" in lost.stderr.lower()
    assert not (tmp_path / KEY_FILE).exists()            # no silent new key
    (tmp_path / KEY_FILE).write_text(key.decode())
    assert _ingest(tmp_path, db).returncode == 0         # the original key works again


def test_copies_left_by_a_killed_publish_are_removed_by_the_next(tmp_path):
    """Issue 8.8: a killed ingest leaves <db>.tmp-PID and its .wal; the next publish, under the lock, removes them."""
    from pipelines.ingest.warehouse import publishing
    db = tmp_path / "w.duckdb"
    with publishing(db, "38"):
        pass
    for name in ("w.duckdb.tmp-999999", "w.duckdb.tmp-999999.wal", "w.duckdb.tmp-1"):
        (tmp_path / name).write_bytes(b"half a warehouse")
    with publishing(db, "38"):
        pass
    assert sorted(p.name for p in tmp_path.iterdir()) == ["w.duckdb", "w.duckdb.lock"]


@pytest.mark.parametrize("make, expected", [
    (lambda d: (d / "cr.csv").write_bytes("Mã hồ sơ;Ngày tiếp nhận;Ngày hẹn trả\rA1;03/03/2024;06/03/2024\r"
                                          "A2;04/03/2024;07/03/2024\r".encode()) and d / "cr.csv",
     "đọc 2 = thêm 2"),                                        # CR-only line ends: read
    (lambda d: (d / "dai.csv").write_bytes(("Mã hồ sơ;Ngày tiếp nhận;Ngày hẹn trả;Ghi chú x" + "ă" * 40001
                                            + "\nA1;03/03/2024;06/03/2024;x\n").encode()) and d / "dai.csv",
     "đọc 1 = thêm 1"),                                        # a first line over 64 KB of valid UTF-8
    (lambda d: (d / "rong.csv").write_text(";".join(f"c{i}" for i in range(100_000)) + "\n1\n") and d / "rong.csv",
     "không tìm thấy dòng tiêu đề cột"),                      # 100,000 columns: said, not a crash
])
def test_odd_files_are_read_or_refused_in_one_line(tmp_path, make, expected):
    path = make(tmp_path)
    done = subprocess.run([sys.executable, "-m", "pipelines.cli", "ingest", str(path), "--db", str(tmp_path / "w.duckdb"),
                           "--commune", "15271", "--units", "legacy"], cwd=REPO, capture_output=True, text=True)
    assert "Traceback" not in done.stderr and expected in done.stdout + done.stderr


def test_a_parquet_list_column_is_text_not_a_crash(tmp_path):
    import polars as pl

    from pipelines.ingest.pipeline import ingest_files
    from schemas.config import load_config
    path = tmp_path / "ho_so.parquet"
    pl.DataFrame({"Mã hồ sơ": ["A1"], "Ngày tiếp nhận": ["03/03/2024"], "Số lần yêu cầu bổ sung": [[1, 2]]}).write_parquet(path)
    report, = ingest_files([path], db=tmp_path / "w.duckdb", config=load_config(), commune="15271", units="legacy")
    assert (report.rows_read, report.rows_quarantined) == (1, 1)   # the list is no count: quarantined


@pytest.mark.parametrize("command", ["ingest", "quarantine"])
def test_a_damaged_warehouse_or_a_folder_is_said_in_one_line(tmp_path, command):
    damaged = tmp_path / "hong.duckdb"
    damaged.write_bytes(b"not a warehouse at all" * 100)
    folder = tmp_path / "thu_muc"
    folder.mkdir()
    export = tmp_path / "a.csv"
    export.write_text("Mã hồ sơ;Ngày tiếp nhận\nA1;03/03/2024\n", encoding="utf-8")
    for db, words in ((damaged, "bị hỏng hoặc không phải kho DuckDB"), (folder, "là một thư mục")):
        args = ["ingest", str(export), "--commune", "15271"] if command == "ingest" else ["quarantine"]
        done = subprocess.run([sys.executable, "-m", "pipelines.cli", *args, "--db", str(db)], cwd=REPO,
                              capture_output=True, text=True)
        assert done.returncode == 2 and words in done.stderr and "Traceback" not in done.stderr
    assert sorted(p.name for p in tmp_path.iterdir() if ".tmp-" in p.name) == []   # no copy left behind


def test_a_full_disk_is_one_line_and_the_warehouse_untouched(tmp_path, monkeypatch, capsys):
    from pipelines.cli import main as cli
    from pipelines.ingest import warehouse
    db = tmp_path / "w.duckdb"
    export = tmp_path / "a.csv"
    export.write_text("Mã hồ sơ;Ngày tiếp nhận\nA1;03/03/2024\n", encoding="utf-8")
    assert cli.main(["ingest", str(export), "--db", str(db), "--commune", "15271"]) == 0
    before = db.read_bytes()

    def full(*_):
        raise OSError(28, "No space left on device", str(db))
    monkeypatch.setattr(warehouse.os, "replace", full)
    assert cli.main(["ingest", str(export), "--db", str(db), "--commune", "15271"]) == 1
    assert capsys.readouterr().err == ("dvcq: lỗi: không ghi được: ổ đĩa đầy (hoặc tệp vượt giới hạn kích thước của hệ "
                                       "thống); kho dữ liệu đang dùng không bị thay đổi. Hãy giải phóng chỗ trống rồi "
                                       "chạy lại\n")
    assert db.read_bytes() == before


def _bomb(path, pad_bytes: int = 0, dimension: str | None = None):
    """A real workbook whose sheet XML is padded with a comment that compresses to almost nothing,
    or declares a huge dimension: a zip bomb in miniature (``tests.bombs.workbook``)."""
    from tests.bombs import workbook
    return workbook(path, [b"<!--" + b"0" * pad_bytes + b"-->"] if pad_bytes else [], dimension or "A1:B2")


@pytest.mark.parametrize("pad, dimension, words", [
    (12_000_000, None, "giải nén ra 12 MB, vượt giới hạn 10 MB"),
    (0, "A1:Z1000000", "khai báo 26.000.000 ô, vượt giới hạn 20.000.000 ô"),
])
def test_a_workbook_beyond_the_limits_is_refused_before_reading(tmp_path, pad, dimension, words):
    """Issue 8.2: checked from the zip's index and the sheet's declared size; nothing is inflated."""
    from pipelines.ingest.pipeline import ingest_files
    from schemas.config import load_config
    config = load_config()
    config = config.model_copy(update={"ingest": config.ingest.model_copy(update={"max_uncompressed_mb": 10})})
    bomb = _bomb(tmp_path / "bao_cao.xlsx", pad, dimension)
    assert bomb.stat().st_size < 200_000
    report, = ingest_files([bomb], db=tmp_path / "w.duckdb", config=config, commune="15271", units="legacy")
    assert report.error is not None and words in report.error


def test_id_and_phone_numbers_typed_anywhere_never_reach_the_warehouse_in_clear(tmp_path):
    """Issue 8.5: numbers in free text, in a row shifted by an unquoted ';', in the file and sheet
    names; in any grouping; and the stored hashes stay whole."""
    import re

    import duckdb

    from pipelines.ingest.pipeline import ingest_files
    from schemas.config import load_config
    numbers = ["038 111 222 333", "0912.888.777", "84912000111", "+84 912 000 222", "038111222444"]
    digits = [re.sub(r"\D", "", n) for n in numbers]
    export = tmp_path / "ho_so_038111222444.csv"
    export.write_text("\n".join([
        "Mã hồ sơ;Tên thủ tục;Ngày tiếp nhận;Ngày hẹn trả;Họ tên người nộp",
        f"A1;Chứng thực cho ông B, CCCD {numbers[0]}, SĐT {numbers[1]};03/03/2024;06/03/2024;Nguyễn Văn An",
        f"A2;Đăng ký khai sinh (gọi {numbers[2]} hoặc {numbers[3]});03/03/2024;06/03/2024;Trần Thị Bình",
        "A3;Trần Văn Cường; 038111222555;03/03/2024;06/03/2024;x",            # shifted: ragged, quarantined
    ]) + "\n", encoding="utf-8")
    db = tmp_path / "w.duckdb"
    report, = ingest_files([export], db=db, config=load_config(), commune="15271", units="legacy")
    assert (report.rows_inserted, report.rows_quarantined) == (2, 1)
    assert report.file_name == "ho_so_[đã ẩn].csv"
    with duckdb.connect(str(db), read_only=True) as con:
        text = " ".join(str(row) for table in ("dossiers", "quarantine", "ingest_log")
                        for row in con.execute(f"SELECT * FROM main.{table}").fetchall())
        procedures = [r[0] for r in con.execute("SELECT procedure FROM main.dossiers ORDER BY dossier_id").fetchall()]
        hashes = con.execute("SELECT applicant FROM main.dossiers").fetchall()
    squeezed = re.sub(r"[ .\-+]", "", text)
    assert not any(d in squeezed for d in [*digits, "038111222555"])
    assert procedures == ["Chứng thực cho ông [đã ẩn], CCCD [đã ẩn], SĐT [đã ẩn]",  # a name after an honorific too
                          "Đăng ký khai sinh (gọi [đã ẩn] hoặc [đã ẩn])"]
    assert all(re.fullmatch(r"h:[0-9a-f]{24}", h) for h, in hashes)
    assert "Trần Văn Cường" not in text


def test_the_mask_never_damages_a_hash():
    import polars as pl

    from pipelines.ingest.privacy import mask_identifiers
    hashes = ["h:" + "0123456789" * 2 + "abcd", "h:123456789012345678901234", "h:abcdef012345678901234567"]
    frame = pl.DataFrame({"v": [f'{{"applicant": "{h}"}}' for h in hashes]})
    assert frame.select(mask_identifiers(pl.col("v")))["v"].to_list() == frame["v"].to_list()


def test_hashes_count_repeats_within_a_kind_and_keep_denouncers_apart(tmp_path):
    """Issue 8.5: the same person hashes alike within a record kind (repeat petitioners count), but
    differently across kinds, and a denunciation's petitioner differently from every other petition."""
    import duckdb

    from pipelines.ingest.pipeline import ingest_files
    from schemas.config import load_config
    person = "Nguyễn Văn An"
    dossiers = tmp_path / "ho_so.csv"
    dossiers.write_text(f"Mã hồ sơ;Ngày tiếp nhận;Ngày hẹn trả;Họ tên người nộp\nA1;03/03/2024;06/03/2024;{person}\n",
                        encoding="utf-8")
    petitions = tmp_path / "don_thu.csv"
    petitions.write_text("\n".join(["Số đơn;Loại đơn;Ngày nhận đơn;Người gửi đơn",
                                    f"P1;Khiếu nại;04/03/2024;{person}", f"P2;Khiếu nại;05/03/2024;{person}",
                                    f"P3;Tố cáo;06/03/2024;{person}", f"P4;Tố cáo;07/03/2024;{person.upper()}"]) + "\n",
                         encoding="utf-8")
    db = tmp_path / "w.duckdb"
    reports = ingest_files([dossiers, petitions], db=db, config=load_config(), commune="15271", units="legacy")
    assert [r.rows_inserted for r in reports] == [1, 4]
    with duckdb.connect(str(db), read_only=True) as con:
        applicant = con.execute("SELECT applicant FROM main.dossiers").fetchall()[0][0]
        petitioners = dict(con.execute("SELECT petition_id, petitioner FROM main.petitions").fetchall())
    assert petitioners["P1"] == petitioners["P2"]            # a repeat complainant is countable
    assert petitioners["P3"] == petitioners["P4"]            # so is a repeat denouncer, among denunciations
    assert petitioners["P1"] != petitioners["P3"]            # but never joinable to her complaints
    assert applicant not in petitioners.values()             # nor to her dossiers


def test_a_name_typed_into_a_date_count_or_commune_cell_is_not_repeated(tmp_path):
    """Issue 8.5: a name in a date or commune cell was echoed in the quarantine's message and raw values."""
    import duckdb

    from pipelines.ingest.pipeline import ingest_files
    from schemas.config import load_config
    export = tmp_path / "ho_so.csv"
    export.write_text("Mã hồ sơ;Ngày tiếp nhận;Ngày hẹn trả;Số lần yêu cầu bổ sung;Xã\n"
                      "A1;Nguyễn Văn An;06/03/2024;1;15271\nA2;03/03/2024;06/03/2024;Trần Thị Bình;15271\n"
                      "A3;31/02/2024;06/03/2024;1;15271\nA4;03/03/2024;06/03/2024;1;Lê Văn Cường\n"
                      "A5;03/03/2024;06/03/2024;1;Xã Tân Lập Hạ\n", encoding="utf-8")
    db = tmp_path / "w.duckdb"
    report, = ingest_files([export], db=db, config=load_config(), units="legacy")
    assert report.rows_quarantined == 5
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute("SELECT reason_code, message_vi, raw_values FROM quarantine ORDER BY row_number").fetchall()
    text = str(rows)
    assert "Nguyễn" not in text and "Trần" not in text and "Cường" not in text
    assert [r[0] for r in rows] == ["bad_date", "bad_number", "bad_date", "unknown_commune", "unknown_commune"]
    assert "(chữ, đã ẩn)" in rows[0][1] and "'31/02/2024'" in rows[2][1]   # a mistyped date is still shown
    assert "'Xã Tân Lập Hạ'" in rows[4][1]                                  # so is a misspelt commune
