"""Hardening: the pseudonymisation key (never empty or short, written whole, the warehouse's own only) and publish leftovers."""

from __future__ import annotations

import os
import stat
import subprocess
import sys

import pytest

from pipelines.privacy import KEY_FILE, MIN_KEY_BYTES, SecretError, fingerprint, load_secret
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
    other = _ingest(tmp_path, db, {"DVCQ_SECRET": "x" * 40})
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
    from pipelines.warehouse import publishing
    db = tmp_path / "w.duckdb"
    with publishing(db, "38"):
        pass
    for name in ("w.duckdb.tmp-999999", "w.duckdb.tmp-999999.wal", "w.duckdb.tmp-1"):
        (tmp_path / name).write_bytes(b"half a warehouse")
    with publishing(db, "38"):
        pass
    assert sorted(p.name for p in tmp_path.iterdir()) == ["w.duckdb", "w.duckdb.lock"]
