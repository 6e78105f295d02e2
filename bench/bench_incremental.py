"""Incremental facts: one commune's monthly export published into a large warehouse, against the same export
published into an empty one; the facts then compared with those built whole; the Parquet hand-off's national
commune indicator table against the engine's on the warehouse.

Usage: .venv/bin/python bench/bench_incremental.py --db /tmp/dvcq-bench5m.duckdb [--rows 2000] [--work DIR]
       [--national | --national-only] [--repeat 5]

The warehouse is bench_indicators.py's (547 communes of Thanh Hóa, 2022–2024, 5 M dossiers; built with
``bench_ingest.BENCH_SECRET``); it is never written: each publish goes to a copy in ``--work``. The export is
one commune's month after the data's last one (``bench_ingest.write_exports``: ``--rows`` dossiers received in
February 2025, a tenth still pending), so it also moves the data's last day, as a monthly upload does. Each
step runs in a fresh process (its peak memory is its own, ``ru_maxrss``):

1. ``empty``: the export into an empty warehouse: the baseline;
2. ``incremental``: into a copy of the warehouse (the publish copies it again, as always);
3. ``whole``: the same with the facts built whole and every table tested whole, as every publish did before
   (and as a publish does into a file written since the last publish: the copy's lock file is left empty);
4. the equality check: the copy's facts after step 2 against the same copy's facts built whole
   (``EXCEPT ALL`` both ways, and row counts).

With ``--national``, a national-scale hand-off is made from a copy of the warehouse: its ``period_counts`` and
units repeated for 34 provinces (commune codes prefixed, 18,598 legacy and 5,644 new communes), exported with
``dvcq export-parquet``; then, median of ``--repeat`` alternating runs, the 2025 structure's commune indicator
table of 2024 by the engine on that warehouse (``indicator_table``, read-only) and the same rates computed by
DuckDB from the 34 provinces' Parquet folders (``docs/hand-off.md``'s query, every count-based rate, long form).
Not a test: numbers go to docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

import duckdb  # noqa: E402

from bench_ingest import BENCH_SECRET, write_exports  # noqa: E402
from tests.test_incremental_facts import fact_differences  # noqa: E402
from pipelines.ingest.warehouse import warehouse_version  # noqa: E402



def run_step(step: str, export: Path, target: Path) -> dict:
    """One publish in this process: seconds, the facts' part, peak RSS in MiB."""
    from pipelines.ingest import warehouse
    from pipelines.ingest.pipeline import ingest_files
    from schemas.config import load_config

    parts: dict[str, float] = {}
    name = {"whole": "build_facts", "incremental": "update_facts"}.get(step)
    if name:
        chosen = getattr(warehouse, name)

        def timed(con, config):
            started = time.perf_counter()
            try:
                return chosen(con, config)
            finally:
                parts["facts"] = time.perf_counter() - started

        setattr(warehouse, name, timed)
    started = time.perf_counter()
    reports = ingest_files([export], db=target, config=load_config().model_copy(update={"province_code": "38"}))
    wall = time.perf_counter() - started
    return {"wall": wall, "facts": parts.get("facts"), "inserted": sum(r.rows_inserted for r in reports),
            "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def in_child(step: str, export: Path, target: Path) -> dict:
    done = subprocess.run([sys.executable, __file__, "--step", step, "--export", str(export), "--target", str(target)],
                          capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(REPO)})
    if done.returncode:
        raise SystemExit(done.stderr)
    return json.loads(done.stdout.strip().splitlines()[-1])


# The national hand-off: the warehouse's stored periods and units for 34 provinces.
NATIONAL = [
    "INSERT INTO units_legacy SELECT * REPLACE ('P' || $k || '-' || commune_code AS commune_code, $code AS province_code) "
    "FROM units_legacy WHERE province_code = '38'",
    "INSERT INTO units_2025 SELECT * REPLACE ('P' || $k || '-' || commune_code AS commune_code, $code AS province_code) "
    "FROM units_2025 WHERE province_code = '38'",
    "INSERT INTO period_counts SELECT * REPLACE ('P' || $k || '-' || commune_code AS commune_code, $code AS province_code) "
    "FROM period_counts WHERE province_code = '38'",
]
# Every count-based rate (schemas.catalog.RATE_COUNTS but the two with yearly quotas), per commune, long form.
PARQUET_TABLE = """
WITH counts AS (
    SELECT * FROM read_parquet($files, hive_partitioning = true, hive_types = {{'province': VARCHAR}})
    WHERE era = '2025' AND year = 2024 AND month = 1 AND date_from = DATE '2024-01-01' AND date_to = DATE '2024-12-31'
),
rates AS (
    UNPIVOT (SELECT province, commune_code, commune_name, {pairs} FROM counts)
    ON {columns} INTO NAME indicator VALUE counted
)
SELECT province, commune_code, commune_name, indicator, counted[1] AS numerator, counted[2] AS denominator,
       100.0 * counted[1] / NULLIF(counted[2], 0) AS value
FROM rates ORDER BY province, commune_code, indicator
"""


def national(db: Path, work: Path, repeat: int) -> None:
    from pipelines.engine.indicators import indicator_table
    from pipelines.handoff import export_parquet
    from pipelines.sql import InStructure
    from schemas.catalog import RATE_COUNTS
    from schemas.config import load_config
    from schemas.periods import Period

    copy = work / "bench-national.duckdb"
    shutil.copyfile(db, copy)
    with duckdb.connect(str(copy)) as con:
        for k in range(1, 34):
            for sql in NATIONAL:
                con.execute(sql, {"k": str(k), "code": f"{k:02d}" if k != 38 else "99"})
    out = work / "bench-national-parquet"
    started = time.perf_counter()
    with duckdb.connect(str(copy), read_only=True) as con:
        export_parquet(con, out, "38")
    print(f"National hand-off written in {time.perf_counter() - started:.1f} s: "
          f"{len(list((out / 'period_counts').iterdir()))} provinces' folders of period_counts.")
    counted = {rate: pair for rate, pair in RATE_COUNTS.items() if rate not in ("biet_nghe", "biet_cam_on")}
    query = PARQUET_TABLE.format(pairs=", ".join(f"[{n}, {d}] AS {rate}" for rate, (n, d) in counted.items()),
                                 columns=", ".join(counted))
    files = str(out / "period_counts" / "*" / "year=2024" / "month=1" / "*.parquet")  # a stored year: its January
    config = load_config()
    period = Period(dt.date(2024, 1, 1), dt.date(2024, 12, 31), dt.date(2024, 12, 31))
    engine_times, parquet_times = [], []
    with InStructure(duckdb.connect(str(copy), read_only=True), "2025") as warehouse, duckdb.connect() as lake:
        for _ in range(repeat):
            started = time.perf_counter()
            table = indicator_table(warehouse, config, "commune", period)
            engine_times.append(time.perf_counter() - started)
            started = time.perf_counter()
            rows = lake.execute(query, {"files": files}).fetchall()
            parquet_times.append(time.perf_counter() - started)
    engine, parquet = statistics.median(engine_times), statistics.median(parquet_times)
    communes = table["unit_code"].n_unique()
    print(f"2025 structure, {communes:,} communes, year 2024 (median of {repeat}, load {os.getloadavg()[0]:.1f}):")
    print(f"| engine `indicator_table(commune)` on the warehouse | {engine * 1000:.0f} ms | {table.height:,} rows |")
    print(f"| DuckDB over the 34 provinces' Parquet folders | {parquet * 1000:.0f} ms | {len(rows):,} rows |")
    print(f"| Parquet / warehouse | {parquet / engine:.2f}× | |")
    # the same figures both ways
    mine = {(r[1], r[3]): (r[4], r[5]) for r in rows}
    theirs = {(r["unit_code"], r["indicator"]): (r["numerator"], r["denominator"])
              for r in table.filter(table["indicator"].is_in(list(counted))).iter_rows(named=True)}
    print(f"numerators and denominators equal: {mine == theirs} ({len(mine):,} commune × rate cells)")
    copy.unlink()
    shutil.rmtree(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path)
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--work", type=Path, help="folder for the copies (default: the warehouse's)")
    parser.add_argument("--national", action="store_true")
    parser.add_argument("--national-only", action="store_true", help="only the hand-off's national table")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--step", help=argparse.SUPPRESS)
    parser.add_argument("--export", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--target", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    os.environ.setdefault("DVCQ_SECRET", BENCH_SECRET)
    if args.step:
        print(json.dumps(run_step(args.step, args.export, args.target)))
        return
    work = args.work or args.db.parent
    if args.national_only:
        national(args.db, work, args.repeat)
        return
    export, = write_exports(work, args.rows, 1, seed=11, first_day="2025-02-01", days=28, id_prefix="T2-")
    print(f"Warehouse {args.db} ({args.db.stat().st_size / 1e9:.2f} GB); one export of {args.rows:,} dossiers "
          f"of one commune, February 2025. Load {os.getloadavg()[0]:.1f}.")
    empty, copy, kept = (work / f"bench-incremental-{name}.duckdb" for name in ("empty", "copy", "kept"))
    results = {}
    for step in ("empty", "incremental", "whole", "empty"):
        target = empty if step == "empty" else copy
        for path in (target, target.with_name(target.name + ".wal")):
            path.unlink(missing_ok=True)
        if step != "empty":
            shutil.copyfile(args.db, copy)
        if step == "incremental":  # a copy as a publish leaves it (its lock file keeps its version); else built whole
            copy.with_name(copy.name + ".lock").write_text(warehouse_version(copy))
        results.setdefault(step, []).append(in_child(step, export, target))
        if step == "incremental":
            shutil.move(copy, kept)  # compared after the other publishes: this process's memory is theirs too
    started = time.perf_counter()
    found = fact_differences(kept)  # the suite's own check: EXCEPT ALL both ways and row counts, per fact table
    print(f"Equality after the incremental publish ({time.perf_counter() - started:.1f} s): every fact table equal "
          f"to the whole build: {not found}")
    if found:
        print(found)
    base = statistics.mean(r["wall"] for r in results["empty"])
    print(f"\n| publish | s | facts s | peak MiB | × empty |\n| --- | ---: | ---: | ---: | ---: |")
    for step, runs in results.items():
        for r in runs:
            facts = f"{r['facts']:.2f}" if r["facts"] is not None else "—"
            print(f"| {step} | {r['wall']:.2f} | {facts} | {r['peak_mib']:,.0f} | {r['wall'] / base:.2f}× |")
    print(f"(load {os.getloadavg()[0]:.1f}; the empty warehouse's mean of its two runs is the baseline)")
    for path in (empty, copy, kept, export, *(db.with_name(db.name + ".lock") for db in (empty, copy, kept))):
        path.unlink(missing_ok=True)
    if args.national:
        national(args.db, work, args.repeat)


if __name__ == "__main__":
    main()
