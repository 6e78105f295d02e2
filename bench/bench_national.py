"""National-scale benchmark: every commune of Vietnam in both structures, tens of millions of dossiers.

Usage: .venv/bin/python bench/bench_national.py [--rows 60000000] [--dir /tmp/dvcq-national] [--keep]
       .venv/bin/python bench/bench_national.py --dir /tmp/dvcq-national --tables-only   # a kept warehouse

Writes ``--rows`` dossiers over four years as Vietnamese-locale CSV exports (semicolon, BOM,
dd/mm/yyyy dates, status words, a name and a 12-digit ID number per row), 500,000 rows a file,
each file the export of a block of neighbouring communes: 1 July 2022 – 30 June 2025 from the
10,035 legacy communes (three quarters of the rows), 1 July 2025 – 30 June 2026 from the 3,321
new ones, the registry of ``vietnamadminunits`` (``pipelines.ingest.admin_units``), so every
record is placed in both structures at publish. Generated with numpy and Polars expressions, no
per-row Python. Then, each in a fresh process (peak RSS its own): the floor (DuckDB ``read_csv`` of
the same files into a table) and ``ingest_files`` on a national deployment (province code
``NATIONAL``); then on the published warehouse: its size on disk, the bare ``GROUP BY commune_code``
and ``indicator_table`` for every commune of each structure for one year. Prints the numbers and
the ratios to the baselines of the same run. Not a test: numbers go to docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_ingest import STATUS_WORDS, measure  # noqa: E402
from pipelines.ingest.admin_units import NATIONAL, unit_tables  # noqa: E402

ROWS_PER_FILE = 500_000
LEGACY_SHARE = 0.75
# Legacy exports end before the reform (a completion after 30/06/2025 would make the file a 2025
# export by its latest date); new communes' exports start with it.
LEGACY_DAYS = (dt.date(2022, 7, 1), dt.date(2025, 6, 10))
NEW_DAYS = (dt.date(2025, 7, 1), dt.date(2026, 6, 10))
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô",
          "Dương", "Lý"]
MIDDLE = ["Văn", "Thị", "Hữu", "Đức", "Minh", "Ngọc", "Thanh", "Quang", "Xuân", "Thu"]
GIVEN = ["An", "Bình", "Cường", "Dũng", "Giang", "Hà", "Hải", "Hạnh", "Hoa", "Hùng", "Hương", "Khánh", "Lan", "Linh",
         "Long", "Mai", "Nam", "Nga", "Ngọc", "Phong", "Phúc", "Quân", "Sơn", "Tâm", "Thảo", "Thắng", "Thủy", "Trang",
         "Trung", "Tuấn", "Vân", "Việt", "Yến", "Hiếu", "Đạt", "Huy", "Kiên", "Lộc", "Nhung", "Oanh"]


def _export(rng: np.random.Generator, file_index: int, communes: np.ndarray, days: tuple[dt.date, dt.date],
            n: int) -> pl.DataFrame:
    """One export of ``n`` dossiers spread over ``communes`` and the ``days`` range."""
    span = (days[1] - days[0]).days
    received = np.datetime64(days[0]) + rng.integers(0, span, n).astype("timedelta64[D]")
    due = received + rng.integers(1, 15, n).astype("timedelta64[D]")
    completed = received + rng.integers(0, 18, n).astype("timedelta64[D]")
    status = rng.choice(STATUS_WORDS, n, p=[0.9, 0.06, 0.03, 0.01])
    name = pl.select(pl.concat_str([pl.Series(rng.choice(FAMILY, n)), pl.Series(rng.choice(MIDDLE, n)),
                                    pl.Series(rng.choice(GIVEN, n))], separator=" ")).to_series()
    return pl.DataFrame({
        "Mã hồ sơ": pl.select(pl.format("HS{}-{}", pl.lit(file_index), pl.int_range(n))).to_series(),
        "Mã xã": np.sort(rng.choice(communes, n)),
        "Lĩnh vực": rng.choice(["Hộ tịch", "Chứng thực", "Đất đai", "Xây dựng"], n),
        "Tên thủ tục": rng.choice(["Đăng ký khai sinh", "Chứng thực bản sao", "Cấp giấy chứng nhận"], n),
        "Hình thức nộp": rng.choice(["Trực tiếp", "Trực tuyến", "Bưu chính công ích"], n),
        "Ngày tiếp nhận": pl.Series(received).dt.strftime("%d/%m/%Y"),
        "Ngày hẹn trả": pl.Series(due).dt.strftime("%d/%m/%Y"),
        "Ngày trả kết quả": pl.Series(completed).dt.strftime("%d/%m/%Y"),
        "Trạng thái": status,
        "Số lần yêu cầu bổ sung": rng.choice(["0", "1", "2", ""], n),
        "Họ tên người nộp": name,
        "Số CCCD": pl.Series(rng.integers(1_000_000_000, 96_999_999_999, n)).cast(pl.String).str.zfill(12),
    }).with_columns(pl.when(pl.col("Trạng thái") == "Đã trả kết quả").then(pl.col("Ngày trả kết quả"))
                    .alias("Ngày trả kết quả"))


def write_exports(out: Path, rows: int, seed: int = 11) -> list[Path]:
    """The files, each a block of consecutive communes (by code) of one structure."""
    units = unit_tables(NATIONAL)
    rng = np.random.default_rng(seed)
    paths = []
    for era, codes, share, days in (("legacy", units["units_legacy"]["commune_code"], LEGACY_SHARE, LEGACY_DAYS),
                                    ("2025", units["units_2025"]["commune_code"], 1 - LEGACY_SHARE, NEW_DAYS)):
        era_rows = round(rows * share)
        files = max(1, round(era_rows / ROWS_PER_FILE))
        blocks = np.array_split(np.sort(codes.to_numpy()), files)
        for block, n in zip(blocks, np.diff(np.linspace(0, era_rows, files + 1).round().astype(int))):
            frame = _export(rng, len(paths), block, days, int(n))
            path = out / f"ho_so_{era}_{len(paths):04d}.csv"
            with open(path, "wb") as fh:
                fh.write(b"\xef\xbb\xbf")
                frame.write_csv(fh, separator=";")
            paths.append(path)
    return paths


def load() -> str:
    """The machine's load average, printed beside each number: it is shared, so a slow run is seen as such."""
    return "load {:.1f}/{:.1f}/{:.1f}".format(*os.getloadavg())


def timed(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def indicator_times(db: Path, repeat: int) -> None:
    """Floor and the commune indicator table of each structure for one year, on a read-only connection."""
    from pipelines.engine.indicators import Period, indicator_table
    from pipelines.ingest.warehouse import connect_read_only
    from pipelines.sql import InStructure
    from schemas.config import load_config

    config = load_config().model_copy(update={"province_code": NATIONAL})
    con = connect_read_only(db)

    def floor():
        return con.cursor().sql("SELECT commune_code, count(*) FROM dossiers GROUP BY 1").fetchall()

    years = {"legacy": Period(dt.date(2024, 1, 1), dt.date(2024, 12, 31), dt.date(2024, 12, 31)),
             "2025": Period(dt.date(2025, 7, 1), dt.date(2026, 6, 30), dt.date(2026, 6, 30))}
    for era, period in years.items():
        seen = InStructure(con, era)
        communes = seen.cursor().sql("SELECT count(*) FROM admin_units").fetchall()[0][0]
        base = timed(floor, repeat)
        table = timed(lambda s=seen, p=period: indicator_table(s, config, "commune", p), repeat)
        again = timed(floor, repeat)
        print(f"[{era}] {communes:,} communes, {period.date_from:%d/%m/%Y}–{period.date_to:%d/%m/%Y}: floor "
              f"{base * 1000:.0f} ms (again {again * 1000:.0f} ms), indicator_table(commune) {table * 1000:.0f} ms, "
              f"{table / min(base, again):.1f}x floor ({load()})", flush=True)
    con.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=60_000_000)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/dvcq-national"))
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="keep the warehouse (the files are always removed)")
    parser.add_argument("--tables-only", action="store_true",
                        help="only time the indicator tables of the warehouse a --keep run left in --dir")
    args = parser.parse_args()
    if args.tables_only:
        db = args.dir / "national.duckdb"
        print(f"warehouse {db}: {db.stat().st_size / 1e9:.2f} GB on disk", flush=True)
        indicator_times(db, args.repeat)
        return
    shutil.rmtree(args.dir, ignore_errors=True)
    exports = args.dir / "exports"
    exports.mkdir(parents=True)
    started = time.perf_counter()
    files = write_exports(exports, args.rows)
    size = sum(f.stat().st_size for f in files)
    print(f"wrote {len(files)} files, {args.rows:,} rows, {size / 1e9:.1f} GB in {time.perf_counter() - started:.0f} s "
          f"({load()})", flush=True)
    try:
        floor = measure("floor", files, args.dir / "floor.duckdb")
        (args.dir / "floor.duckdb").unlink()
        print(f"floor (read_csv into a table): {floor['seconds']:.0f} s, {args.rows / floor['seconds']:,.0f} rows/s, "
              f"peak {floor['peak_mib']:,.0f} MiB ({load()})", flush=True)
        db = args.dir / "national.duckdb"
        ours = measure("ingest", files, db, province=NATIONAL)
        assert ours["rows"] == floor["rows"] == args.rows, (ours, floor)
        print(f"ingest: {ours['seconds']:.0f} s, {args.rows / ours['seconds']:,.0f} rows/s, peak {ours['peak_mib']:,.0f} "
              f"MiB, {ours['seconds'] / floor['seconds']:.2f}x floor; warehouse {db.stat().st_size / 1e9:.2f} GB on disk "
              f"({load()})",
              flush=True)
    finally:
        shutil.rmtree(exports)
    indicator_times(db, args.repeat)
    if not args.keep:
        shutil.rmtree(args.dir)


if __name__ == "__main__":
    main()
