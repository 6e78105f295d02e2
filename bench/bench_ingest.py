"""Ingest benchmark: dvcq's full pipeline against DuckDB's bare read_csv of the same files.

Usage: .venv/bin/python bench/bench_ingest.py --rows 1000000 5000000 [--files 10] [--unavoidable]

For each size it writes K dossier rows as Vietnamese-locale CSV exports (semicolon, BOM,
dd/mm/yyyy dates, status words, personal columns), then runs, each in a fresh process so peak
memory is its own: the floor (DuckDB read_csv into a table, no normalisation) and
`ingest_files` (detect, normalise, validate, pseudonymise, resolve, upsert, publish), then the
floor again. Prints wall and CPU seconds, rows/s, peak RSS, the ratio of the ingest's wall time to
the floor's (mean of its two runs) and the load average around them. With ``--unavoidable``, also
the least the ingest's own work can cost, done by DuckDB alone on the same files (``UNAVOIDABLE``):
what a goal of 3x the floor leaves for everything else. Not a test: numbers go to docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from pipelines.ingest.privacy import hashed_sql  # noqa: E402
from schemas.records import row_hash_sql  # noqa: E402

# The key every benchmark warehouse is built with (bench_facts.py and bench_pages.py open them with it).
BENCH_SECRET = "bench-secret-for-timing-only-0123456789"
COMMUNES = ["15952", "15271", "15553", "15556", "14755", "15475", "14773", "15064", "16522", "14815"]
STATUS_WORDS = ["Đã trả kết quả", "Đang giải quyết", "Trả lại", "Rút hồ sơ"]


def write_exports(out: Path, rows: int, files: int, seed: int = 7, first_day: str = "2022-07-01", days: int = 1000,
                  id_prefix: str = "HS") -> list[Path]:
    """``files`` CSV exports totalling ``rows`` dossiers, one commune each, received over ``days`` days from
    ``first_day``."""
    rng = np.random.default_rng(seed)
    paths = []
    per_file = rows // files
    for index in range(files):
        n = per_file if index < files - 1 else rows - per_file * (files - 1)
        received = np.datetime64(first_day) + rng.integers(0, days, n).astype("timedelta64[D]")
        due = received + rng.integers(1, 15, n).astype("timedelta64[D]")
        completed = received + rng.integers(0, 18, n).astype("timedelta64[D]")
        status = rng.choice(STATUS_WORDS, n, p=[0.9, 0.06, 0.03, 0.01])
        frame = pl.DataFrame({
            "Mã hồ sơ": [f"{id_prefix}{index:02d}-{i:07d}" for i in range(n)],
            "Mã xã": np.full(n, COMMUNES[index % len(COMMUNES)]),
            "Lĩnh vực": rng.choice(["Hộ tịch", "Chứng thực", "Đất đai", "Xây dựng"], n),
            "Tên thủ tục": rng.choice(["Đăng ký khai sinh", "Chứng thực bản sao", "Cấp giấy chứng nhận"], n),
            "Hình thức nộp": rng.choice(["Trực tiếp", "Trực tuyến", "Bưu chính công ích"], n),
            "Ngày tiếp nhận": pl.Series(received).dt.strftime("%d/%m/%Y"),
            "Ngày hẹn trả": pl.Series(due).dt.strftime("%d/%m/%Y"),
            "Ngày trả kết quả": pl.Series(completed).dt.strftime("%d/%m/%Y"),
            "Trạng thái": status,
            "Số lần yêu cầu bổ sung": rng.choice(["0", "1", "2", ""], n),
            "Họ tên người nộp": rng.choice(["Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường"], n),
            "Số CCCD": pl.Series(rng.integers(38_000_000_000, 38_999_999_999, n)).cast(pl.String).str.zfill(12),
        }).with_columns(
            pl.when(pl.col("Trạng thái") == "Đã trả kết quả").then(pl.col("Ngày trả kết quả")).alias("Ngày trả kết quả"))
        path = out / f"ho_so_{index:02d}.csv"
        path.write_bytes(b"\xef\xbb\xbf" + frame.write_csv(separator=";").encode("utf-8"))
        paths.append(path)
    return paths


# The least the ingest's own work can cost, each step in DuckDB alone on the same files (--unavoidable):
# every value typed (dates parsed, words trimmed and lower-cased where the ingest maps them to codes,
# numbers cast), then the ID numbers' HMAC (the ingest's own expression), then the row hash and the
# columns the record table adds. No validation, quarantine, commune resolution, upsert or facts.
_TYPED = """SELECT "Mã hồ sơ" AS dossier_id, "Mã xã" AS commune_code, "Lĩnh vực" AS sector,
    "Tên thủ tục" AS procedure, lower(trim("Hình thức nộp")) AS channel,
    strptime("Ngày tiếp nhận", '%d/%m/%Y')::DATE AS received_date, strptime("Ngày hẹn trả", '%d/%m/%Y')::DATE AS due_date,
    try_strptime("Ngày trả kết quả", '%d/%m/%Y')::DATE AS completed_date, lower(trim("Trạng thái")) AS status,
    try_cast("Số lần yêu cầu bổ sung" AS INTEGER) AS supplement_requests, "Họ tên người nộp" AS applicant{hashed}
    FROM read_csv($files, delim=';', header=true, all_varchar=true, filename=true)"""
UNAVOIDABLE = {
    "typed": _TYPED.format(hashed=', "Số CCCD" AS applicant_id_number'),
    "hashed": _TYPED.format(hashed=", " + hashed_sql('"Số CCCD"', "applicant_id_number") + " AS applicant_id_number"),
    "row_hash": "SELECT * EXCLUDE filename, " + row_hash_sql("concat_ws('|', COLUMNS(* EXCLUDE filename)::VARCHAR)")
    + """ AS row_hash, 'legacy' AS unit_era,
        NULL::VARCHAR AS predecessor_code, commune_code AS legacy_code, commune_code AS code_2025,
        NULL::VARCHAR AS applicant_phone, NULL::VARCHAR AS applicant_address, NULL::VARCHAR AS reported_timeliness,
        filename AS source_file, '' AS source_sheet, 0 AS source_row, now()::TIMESTAMP AS loaded_at
        FROM (""" + _TYPED.format(hashed=", " + hashed_sql('"Số CCCD"', "applicant_id_number")
                                   + " AS applicant_id_number, filename") + ")",
}


def run_step(step: str, files: list[Path], db: Path, province: str | None = None) -> dict:
    """One measured step in this process; returns seconds and peak RSS in MiB (``ru_maxrss``: the
    child's own peak, as each step runs in a fresh process). ``province`` overrides the configured one."""
    start = time.perf_counter()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu_before = usage.ru_utime + usage.ru_stime
    if step == "floor":
        import duckdb
        with duckdb.connect(str(db)) as con:
            con.execute("CREATE TABLE raw AS SELECT * FROM read_csv(?, delim=';', header=true)",
                        [[str(f) for f in files]])
            loaded = con.execute("SELECT count(*) FROM raw").fetchall()[0][0]
    elif step in UNAVOIDABLE:
        import duckdb
        from pipelines.ingest.privacy import hmac_params
        with duckdb.connect(str(db)) as con:
            keys = hmac_params(os.environ["DVCQ_SECRET"].encode()) if "$inner" in UNAVOIDABLE[step] else {}
            con.execute(f"CREATE TABLE raw AS {UNAVOIDABLE[step]}", {"files": [str(f) for f in files]} | keys)
            con.execute("CHECKPOINT")
            loaded = con.execute("SELECT count(*) FROM raw").fetchall()[0][0]
    else:
        from pipelines.ingest.pipeline import ingest_files
        from schemas.config import load_config
        config = load_config()
        reports = ingest_files(files, db=db, config=config.model_copy(update={"province_code": province})
                               if province else config)
        loaded = sum(r.rows_inserted + r.rows_updated + r.rows_unchanged for r in reports)
    seconds = time.perf_counter() - start
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {"step": step, "seconds": seconds, "rows": loaded, "peak_mib": usage.ru_maxrss / 1024,
            "cpu": usage.ru_utime + usage.ru_stime - cpu_before, "disk_mb": db.stat().st_size / 1e6}


def measure(step: str, files: list[Path], db: Path, province: str | None = None) -> dict:
    """``run_step`` in a fresh Python process."""
    out = subprocess.run([sys.executable, __file__, "--step", step, "--db", str(db),
                          *(["--province", province] if province else []), *map(str, files)],
                         capture_output=True, text=True, env={"DVCQ_SECRET": BENCH_SECRET, "PATH": ""})
    if out.returncode:
        raise RuntimeError(f"{step} failed ({out.returncode}):\n{out.stderr[-4000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, nargs="*", default=[1_000_000, 5_000_000])
    parser.add_argument("--files", type=int, default=10)
    parser.add_argument("--step", choices=("floor", "ingest", *UNAVOIDABLE))
    parser.add_argument("--unavoidable", action="store_true",
                        help="also the least the ingest's own work can cost (typing, HMAC, row hash) in DuckDB alone")
    parser.add_argument("--db", type=Path)
    parser.add_argument("--province", help="province code of the deployment (default: the configured one)")
    parser.add_argument("paths", nargs="*", type=Path)
    args = parser.parse_args()
    if args.step:
        print(json.dumps(run_step(args.step, args.paths, args.db, args.province)))
        return
    print("| rows | floor s | floor CPU s | floor peak MiB | ingest s | ingest CPU s | ingest rows/s | ingest peak MiB "
          "| warehouse MB | ratio | load |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    unavoidable: list[str] = []
    for rows in args.rows:
        with tempfile.TemporaryDirectory(prefix="dvcq-bench-") as tmp:
            files = write_exports(Path(tmp), rows, args.files)
            # The machine may be shared: the floor runs before and after the ingest (its mean is the
            # floor), and the 1-minute load average around the three steps is printed beside them.
            # CPU seconds (user + system, all threads) depend little on the load.
            load = [os.getloadavg()[0]]
            floors = [measure("floor", files, Path(tmp) / "floor.duckdb")]
            ours = measure("ingest", files, Path(tmp) / "dvcq.duckdb")
            (Path(tmp) / "floor.duckdb").unlink()
            floors.append(measure("floor", files, Path(tmp) / "floor.duckdb"))
            load.append(os.getloadavg()[0])
            assert ours["rows"] == floors[0]["rows"] == rows, (ours, floors)
            floor = {key: sum(f[key] for f in floors) / len(floors) for key in ("seconds", "cpu", "peak_mib")}
            each = ", ".join(f"{f['seconds']:.1f}" for f in floors)
            print(f"| {rows:,} | {floor['seconds']:.1f} ({each}) "
                  f"| {floor['cpu']:.1f} | {floor['peak_mib']:,.0f} "
                  f"| {ours['seconds']:.1f} | {ours['cpu']:.1f} | {rows / ours['seconds']:,.0f} | {ours['peak_mib']:,.0f} "
                  f"| {ours['disk_mb']:,.0f} "
                  f"| {ours['seconds'] / floor['seconds']:.2f}× | {min(load):.1f}–{max(load):.1f} |", flush=True)
            if args.unavoidable:
                for step in UNAVOIDABLE:
                    (Path(tmp) / "floor.duckdb").unlink(missing_ok=True)
                    done = measure(step, files, Path(tmp) / "floor.duckdb")
                    unavoidable.append(f"| {rows:,} | {step} | {done['seconds']:.1f} | {done['cpu']:.1f} | "
                                       f"{done['seconds'] / floor['seconds']:.2f}× | {done['cpu'] / floor['cpu']:.2f}× |")
    if unavoidable:
        print("\nThe least the ingest's own work costs, in DuckDB alone (each step includes the ones above it):\n")
        print("| rows | step | s | CPU s | × floor s | × floor CPU |\n| ---: | --- | ---: | ---: | ---: | ---: |")
        print("\n".join(unavoidable))


if __name__ == "__main__":
    main()
