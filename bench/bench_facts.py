"""Facts at publish: what each fact table costs to build on a warehouse, and what publishing one small
export into that warehouse costs (every publish rebuilds the facts whole).

Usage: .venv/bin/python bench/bench_facts.py --db PATH [--rows 2000] [--work DIR]

Works on copies of the warehouse in ``--work`` (default: beside it); the warehouse itself is never
written. Baseline, measured in the same run on the same copy: writing the dossiers once more
(``CREATE TABLE … AS SELECT * FROM dossiers``), the least any fact read from every dossier can cost.

1. ``build_facts`` on a copy, DuckDB held to the publish's memory limit: each table's seconds, the total wall and CPU seconds, the ratio to the
   baseline.
2. ``ingest_files`` of one export of ``--rows`` dossiers (bench_ingest.write_exports: one commune of
   Thanh Hóa, which a national warehouse has too) into another copy: the whole publish and its facts.

The warehouse must have been built with the benchmarks' key (``bench_ingest.BENCH_SECRET``).
Not a test: numbers go to docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

import duckdb  # noqa: E402

from bench_ingest import BENCH_SECRET, write_exports  # noqa: E402
from pipelines.ingest import warehouse  # noqa: E402
from pipelines.ingest.pipeline import ingest_files  # noqa: E402
from schemas.config import load_config  # noqa: E402


def cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def rebuild(copy: Path) -> None:
    """The baseline, then every fact table, on ``copy``."""
    config = load_config()
    with duckdb.connect(str(copy)) as con:
        con.execute(f"SET memory_limit = '{warehouse.PUBLISH_MEMORY_LIMIT}'")  # as when publishing
        dossiers = con.sql("SELECT count(*) FROM dossiers").fetchall()[0][0]
        started, spent = time.perf_counter(), cpu()
        con.execute("CREATE TABLE _baseline AS SELECT * FROM dossiers")
        base_wall, base_cpu = time.perf_counter() - started, cpu() - spent
        con.execute("DROP TABLE _baseline")
        started, spent = time.perf_counter(), cpu()
        seconds = warehouse.build_facts(con, config)
        wall, used = time.perf_counter() - started, cpu() - spent
    print(f"{dossiers:,} dossiers. Baseline (the dossiers written once more): {base_wall:.2f} s, CPU {base_cpu:.2f} s.")
    print("\n| fact table | s |\n| --- | ---: |")
    for table, taken in seconds.items():
        print(f"| {table} | {taken:.2f} |")
    print(f"| **all** | **{wall:.2f}** (CPU {used:.2f}; {wall / base_wall:.1f}× the baseline) |\n")


def publish_small_export(copy: Path, rows: int, province: str, copy_seconds: float) -> None:
    """One export of ``rows`` dossiers ingested into ``copy``: the publish's wall time and its facts' part.
    The publish copies the warehouse first, as ``copy_seconds`` did."""
    facts: list[float] = []
    build = warehouse.build_facts

    def timed_build(con, config):
        started = time.perf_counter()
        try:
            return build(con, config)
        finally:
            facts.append(time.perf_counter() - started)

    warehouse.build_facts = timed_build
    try:
        with tempfile.TemporaryDirectory(prefix="dvcq-bench-facts-") as tmp:
            files = write_exports(Path(tmp), rows, 1, seed=11)
            started = time.perf_counter()
            report, = ingest_files(files, db=copy, config=load_config().model_copy(update={"province_code": province}))
            wall = time.perf_counter() - started
    finally:
        warehouse.build_facts = build
    print(f"One export of {rows:,} dossiers ({report.rows_inserted:,} new, {report.rows_updated:,} changed, "
          f"{report.rows_unchanged:,} unchanged): publish {wall:.2f} s, of which "
          f"rebuilding the facts {facts[0]:.2f} s ({facts[0] / wall:.0%}); copying the warehouse, which the publish "
          f"does first, took {copy_seconds:.2f} s here.")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--work", type=Path, help="folder for the copies (default: the warehouse's)")
    args = parser.parse_args()
    os.environ.setdefault("DVCQ_SECRET", BENCH_SECRET)
    work = args.work or args.db.parent
    with warehouse.connect_read_only(args.db) as con:
        province = warehouse.remembered(con, "unit_province")
    copy = work / f"bench-facts-{os.getpid()}.duckdb"
    try:
        shutil.copyfile(args.db, copy)
        print(f"Warehouse {args.db} ({args.db.stat().st_size / 1e9:.2f} GB), load {os.getloadavg()[0]:.1f}.")
        rebuild(copy)
        started = time.perf_counter()
        shutil.copyfile(args.db, copy)
        publish_small_export(copy, args.rows, province, time.perf_counter() - started)
        print(f"(load {os.getloadavg()[0]:.1f})")
    finally:
        copy.unlink(missing_ok=True)
        copy.with_name(copy.name + ".wal").unlink(missing_ok=True)


if __name__ == "__main__":
    main()
