"""Benchmark of the dashboard in a real browser, each figure against a baseline measured in the same run.

Usage:
    .venv/bin/python bench/bench_pages.py [--db PATH] [--sessions 8]

``--db`` defaults to a synthetic warehouse of all 547 communes x 3 years (3.3 M dossiers, made with
DuckDB SQL by tests/dashboard_fixtures.synthetic_warehouse) in /tmp. Server (``python -m
dashboard.serve``, which warms the default view up) and headless Debian chromium share this machine.
Time = navigation to the page's real content (its text and its chart or table: first meaningful paint).

1. First paint of Tổng quan on a freshly started server, against the trivial page
   (bench/trivial_app.py: one metric, one plotly chart) started and opened the same way. The first
   visitor arrives once the server answers its health check and its warm-up has finished.
2. Every page opened first (fresh browser) against the same page opened again (its warm time).
3. N people opening Tổng quan at once (a Monday meeting), against N sessions of the trivial page:
   median time to a painted page.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import platform
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.test_browser import ARGS, CHROMIUM, PAGES, free_port  # noqa: E402

TRIVIAL = ("", "Hồ sơ tiếp nhận", ".js-plotly-plot .main-svg")
VIEWPORT = {"width": 1440, "height": 900}


def start(app: str, db: Path, port: int) -> subprocess.Popen:
    """A server of the dashboard (``app`` = 'dvcq') or of the trivial page, ready: health answered and,
    for the dashboard, its warm-up done."""
    env = dict(os.environ, DVCQ_DB=str(db))
    options = ["--server.headless", "true", "--server.address", "127.0.0.1", "--server.port", str(port),
               "--browser.gatherUsageStats", "false"]
    cmd = ([sys.executable, "-m", "dashboard.serve", *options] if app == "dvcq"
           else [sys.executable, "-m", "streamlit", "run", str(REPO / "bench" / "trivial_app.py"), *options])
    proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 120
    while time.time() < deadline:
        try:
            if urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2).status == 200:
                break
        except OSError:
            time.sleep(0.2)
    if app == "dvcq":  # the warm-up says when it is done
        for line in proc.stderr:
            if "đã tính sẵn" in line or "warm-up failed" in line:
                break
    return proc


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()


async def paint(browser, url: str, text: str, selector: str) -> float:
    context = await browser.new_context(viewport=VIEWPORT)
    page = await context.new_page()
    started = time.perf_counter()
    await page.goto(url, wait_until="domcontentloaded")
    await page.get_by_text(text, exact=False).first.wait_for(timeout=240_000)
    await page.wait_for_selector(selector, timeout=240_000)
    seconds = time.perf_counter() - started
    await context.close()
    return seconds


async def measure(db: Path, sessions: int) -> dict:
    from playwright.async_api import async_playwright

    out: dict = {}
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for app, pages in (("trivial", [TRIVIAL]), ("dvcq", PAGES)):
            port = free_port()
            server = start(app, db, port)
            try:
                for path, text, selector in pages:
                    url = f"http://127.0.0.1:{port}/{path}"
                    first = await paint(browser, url, text, selector)
                    again = statistics.median([await paint(browser, url, text, selector) for _ in range(3)])
                    out[(app, path or "tong_quan")] = (first, again)
            finally:
                stop(server)
            port = free_port()
            server = start(app, db, port)
            try:
                path, text, selector = pages[0]
                url = f"http://127.0.0.1:{port}/{path}"
                times = await asyncio.gather(*[paint(browser, url, text, selector) for _ in range(sessions)])
                out[(app, "crowd")] = statistics.median(times)
            finally:
                stop(server)
        await browser.close()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", type=Path, default=Path("/tmp/dvcq-bench/large.duckdb"))
    ap.add_argument("--sessions", type=int, default=8)
    args = ap.parse_args()
    os.environ.setdefault("DVCQ_SECRET", "bench-secret-for-timing-only-0123456789")
    if not args.db.exists():
        from tests.dashboard_fixtures import synthetic_warehouse
        args.db.parent.mkdir(parents=True, exist_ok=True)
        synthetic_warehouse(args.db, communes=547, years=3, dossiers_per_year=2000, end=dt.date(2025, 12, 31))
    r = asyncio.run(measure(args.db, args.sessions))
    trivial_first = r[("trivial", "tong_quan")][0]
    print(f"Run on {dt.date.today():%d/%m/%Y}, {platform.machine()}, {os.cpu_count()} cores; warehouse {args.db} "
          f"({args.db.stat().st_size / 1e6:,.0f} MB). Seconds to first meaningful paint.\n")
    print("| page | first visit s | again s | first / again | first / trivial page's first |")
    print("|---|---:|---:|---:|---:|")
    print(f"| trivial page | {trivial_first:.2f} | {r[('trivial', 'tong_quan')][1]:.2f} | "
          f"{trivial_first / r[('trivial', 'tong_quan')][1]:.2f}× | 1.00× |")
    for path, _, _ in PAGES:
        first, again = r[("dvcq", path or "tong_quan")]
        print(f"| {path or 'tong_quan'} | {first:.2f} | {again:.2f} | {first / again:.2f}× | "
              f"{first / trivial_first:.2f}× |")
    crowd, base = r[("dvcq", "crowd")], r[("trivial", "crowd")]
    print(f"\n{args.sessions} sessions at once: Tổng quan median {crowd:.2f} s, trivial page {base:.2f} s: "
          f"**{crowd / base:.2f}×**.")


if __name__ == "__main__":
    main()
