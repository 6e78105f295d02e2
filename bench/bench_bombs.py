"""Zip bombs at a red team's scale against `dvcq ingest` with the configuration's own limits.

Usage: .venv/bin/python bench/bench_bombs.py [--work DIR]

Builds, small on disk (``tests/bombs.py``): a workbook whose sheet has no <dimension> and holds 63 M cells
in 945 MB of XML; the same with ``<dimension ref="A1"/>``; one whose zip index declares 5 KB for a sheet
of 2.1 GB (an XML comment, so the byte limit, not the cell limit, stops it). Each is ingested by `dvcq
ingest` in a fresh process; prints its size on disk, the exit code, the wall seconds, the peak RSS and the
message. Not a test: numbers go to docs/security.md.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests import bombs  # noqa: E402

CELLS_PER_ROW = 26
CELLS = 63_000_000  # 945 MB of sheet XML: under the 1,000 MB limit, so only the count of cells stops it
BOMBS = {
    "no_dimension_63M_cells": lambda p: bombs.workbook(p, bombs.cell_rows(CELLS // CELLS_PER_ROW, CELLS_PER_ROW)),
    "dimension_A1_63M_cells": lambda p: bombs.workbook(p, bombs.cell_rows(CELLS // CELLS_PER_ROW, CELLS_PER_ROW),
                                                       "A1"),
    "declares_5KB_inflates_2.1GB": lambda p: bombs.workbook(p, bombs.comment(2_100_000_000), declared_size=5_000),
}


def run(path: Path, db: Path) -> tuple[int, float, float, str]:
    """Exit code, wall seconds, peak RSS (MB) and the file's line of one `dvcq ingest`."""
    with tempfile.TemporaryFile("w+") as out:
        started = time.perf_counter()
        child = subprocess.Popen([sys.executable, "-m", "pipelines.cli", "ingest", str(path), "--db", str(db),
                                  "--commune", "15271"], cwd=REPO, stdout=out, stderr=subprocess.STDOUT,
                                 env=os.environ | {"DVCQ_SECRET": "bench-bombs-" + "0123456789abcdef" * 3})
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - started
        out.seek(0)
        line = next((l for l in out.read().splitlines() if path.name in l), "")
    return os.waitstatus_to_exitcode(status), wall, usage.ru_maxrss / 1024, line


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--work", type=Path, help="where the bombs are built (default: a temporary folder)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.work) as work:
        for name, build in BOMBS.items():
            started = time.perf_counter()
            path = build(Path(work) / f"{name}.xlsx")
            built = time.perf_counter() - started
            code, wall, peak, line = run(path, Path(work) / f"{name}.duckdb")
            print(f"{name}: {path.stat().st_size / 1e6:.1f} MB on disk (built in {built:.0f} s); exit {code}, "
                  f"{wall:.1f} s, peak RSS {peak:.0f} MB\n    {line}", flush=True)


if __name__ == "__main__":
    main()
