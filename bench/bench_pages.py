"""Benchmark of the dashboard pages: server-side query time (cold and warm cache) and browser paint time.

Usage:
    .venv/bin/python bench/bench_pages.py [--sample PATH] [--large PATH] [--no-browser] > /tmp/bench.md
    cat /tmp/bench.md >> docs/benchmarks.md

``--sample`` defaults to a warehouse ingested from data/sample into /tmp; ``--large`` to a synthetic
warehouse of all 547 communes x 3 years (several million dossiers) generated with DuckDB SQL into
/tmp (see tests/dashboard_fixtures.synthetic_warehouse). For each page the script calls the same
data-layer functions the page calls, with the default view (latest year, whole province; the Đơn vị
page on the busiest district): "cold" = caches cleared and connection reopened, "warm" = the same
calls again (st.cache_data hits). Browser: streamlit server + Debian chromium, time from navigation to
the page's real content (first meaningful paint), on a freshly started server (cold caches).
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
logging.disable(logging.WARNING)


def default_view():
    from dashboard import chrome, data

    first, last = data.date_range()
    lo, hi, plo, phi, label = chrome._bounds("nam", str(last.year))
    hi, phi = min(hi, last), plo + (min(hi, last) - lo)
    return (lo, hi, hi), (plo, phi, phi), first


def page_calls() -> dict[str, callable]:
    from dashboard import data, explore, sandbox
    from dashboard import queries as q

    def tong_quan():
        period, previous, first = default_view()
        for p in (period, previous):
            data.measures("province", p)
            data.indicators("province", p)
            data.flagged_communes(p, None, None)
        data.indicators("district", period)
        data.commune_scores(period, None)
        data.trend("province", [data.config().province_code], max(first, dt.date(period[1].year - 1, period[1].month, 1)),
                   period[1], "month")

    def so_sanh():
        period, _, _ = default_view()
        data.indicators("district", period)

    def don_vi():
        period, _, first = default_view()
        district = data.sql("SELECT u.district_code FROM dossiers JOIN admin_units u USING (commune_code) "
                            "GROUP BY 1 ORDER BY count(*) DESC LIMIT 1").item()
        data.indicators("district", period)
        data.flags("district", period)
        data.trend("district", [district], first, period[1], "quarter")
        data.drill_down("khong_tre_hen", "district", district, period)

    def ton_dong():
        period, _, _ = default_view()
        items = data.backlog_items(period[2], None, None)
        data.backlog_chart_frames(items)

    def canh_bao():
        period, _, _ = default_view()
        data.flags("commune", period)

    def don_thu():
        period, _, _ = default_view()
        data.petition_breakdown(period, None, None)
        for query in (q.DIALOGUES, q.DIALOGUE_LIST, q.LETTERS_BY_KIND):
            data.scoped(query, period, None, None)
        data.indicators("province", period)

    def kham_pha():
        sandbox.run(data.db_path(), explore.EXAMPLE)
        explore.run_cached(sandbox.build_query("dossiers", {"commune_code", "status"}, ["district_name"], "count",
                                               None, [], structure="era_2025"))

    def du_lieu():
        data.sql(q.INGEST_LOG)
        data.sql(q.QUARANTINE)
        data.sql(q.FRESHNESS, None, None)

    return {"Tổng quan": tong_quan, "So sánh": so_sanh, "Đơn vị": don_vi, "Tồn đọng": ton_dong,
            "Cảnh báo": canh_bao, "Đơn thư, đối thoại, thư": don_thu, "Khám phá": kham_pha, "Dữ liệu": du_lieu}


def time_queries(db: Path, repeats: int = 3) -> dict[str, tuple[float, float]]:
    """page -> (cold ms, warm ms): median over ``repeats`` cold runs, each followed by a warm run."""
    os.environ["DVCQ_DB"] = str(db)
    from dashboard import data

    results = {}
    for name, call in page_calls().items():
        cold, warm = [], []
        for _ in range(repeats):
            data.clear_caches()
            t0 = time.perf_counter()
            call()
            cold.append((time.perf_counter() - t0) * 1000)
            t0 = time.perf_counter()
            call()
            warm.append((time.perf_counter() - t0) * 1000)
        results[name] = (statistics.median(cold), statistics.median(warm))
    data.clear_caches()
    return results


def time_browser(db: Path, one_user: bool) -> dict[str, float]:
    """page -> seconds from navigation to real content (inf: timed out), on a freshly started server.

    ``one_user`` False: every page in a new browser context (nothing cached). True: one browser
    opening the pages in menu order, its HTTP cache kept as a real browser keeps it.
    """
    from playwright.sync_api import sync_playwright

    from tests.test_browser import ARGS, CHROMIUM, PAGES, free_port, start_server

    port = free_port()
    proc = start_server(db, port)
    out = {}
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            shared = browser.new_context(viewport={"width": 1440, "height": 900}).new_page() if one_user else None
            for name, (path, text, selector) in zip(page_calls(), PAGES):
                page = shared or browser.new_page(viewport={"width": 1440, "height": 900})
                t0 = time.perf_counter()
                page.goto(f"http://127.0.0.1:{port}/{path}", wait_until="domcontentloaded")
                try:
                    page.get_by_text(text, exact=False).first.wait_for(timeout=120_000)
                    page.wait_for_selector(selector, timeout=120_000)
                    out[name] = time.perf_counter() - t0
                except Exception:  # noqa: BLE001 - record the timeout, keep measuring the other pages
                    out[name] = float("inf")
                if not one_user:
                    page.close()
            browser.close()
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:  # a query still running: stop it hard
            proc.kill()
    return out


def sizes(db: Path) -> str:
    import duckdb

    with duckdb.connect(str(db), read_only=True) as con:
        n = {t: con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0]
             for t in ("dossiers", "petitions", "letters", "dialogues", "surveys")}
        communes = con.execute("SELECT count(DISTINCT commune_code) FROM dossiers").fetchall()[0][0]
    return (f"{communes} communes; " + ", ".join(f"{k} {v:,}" for k, v in n.items()) +
            f"; {db.stat().st_size / 1e6:,.0f} MB")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sample", type=Path, default=Path("/tmp/dvcq-bench/sample.duckdb"))
    ap.add_argument("--large", type=Path, default=Path("/tmp/dvcq-bench/large.duckdb"))
    ap.add_argument("--no-browser", action="store_true")
    args = ap.parse_args()
    from tests.dashboard_fixtures import sample_warehouse, synthetic_warehouse

    os.environ.setdefault("DVCQ_SECRET", "bench-secret-for-timing-only-0123456789")
    args.sample.parent.mkdir(parents=True, exist_ok=True)
    args.large.parent.mkdir(parents=True, exist_ok=True)
    if not args.sample.exists():
        sample_warehouse(args.sample)
    if not args.large.exists():
        t0 = time.perf_counter()
        synthetic_warehouse(args.large, communes=547, years=3, dossiers_per_year=2000, end=dt.date(2025, 12, 31))
        print(f"<!-- large warehouse generated in {time.perf_counter() - t0:.0f} s -->", file=sys.stderr)

    lines = ["", "## Dashboard", "",
             f"Run on {dt.date.today():%d/%m/%Y}, {platform.processor() or platform.machine()}, "
             f"{os.cpu_count()} cores, Python {platform.python_version()}. Command:", "",
             "```", "DVCQ_SECRET=bench-secret-for-timing-only-0123456789 .venv/bin/python bench/bench_pages.py > /tmp/bench.md && "
             "cat /tmp/bench.md >> docs/benchmarks.md", "```", "",
             "Server-side time to compute every query of each page with its default view (latest year, whole "
             "province; Đơn vị on the busiest district), median of 3: *cold* = result cache cleared and connection "
             "reopened, *warm* = same calls again (st.cache_data). Goal: under 300 ms warm at the large size.", ""]
    results = {}
    for label, db in (("sample", args.sample), ("large", args.large)):
        results[label] = time_queries(db)
        lines.append(f"- **{label}**: {sizes(db)}")
    lines += ["", "| page | sample cold ms | sample warm ms | large cold ms | large warm ms |", "|---|---:|---:|---:|---:|"]
    for name in results["sample"]:
        s, l = results["sample"][name], results["large"][name]
        lines.append(f"| {name} | {s[0]:,.0f} | {s[1]:,.1f} | {l[0]:,.0f} | {l[1]:,.1f} |")
    print("\n".join(lines), flush=True)
    lines = []
    if not args.no_browser:
        dbs = (("sample", args.sample), ("large", args.large))
        browser = {label: time_browser(db, one_user=False) for label, db in dbs}
        session = {label: time_browser(db, one_user=True) for label, db in dbs}
        lines += ["", "Browser (Debian chromium, headless): seconds from navigation to the page's real content "
                  "(first meaningful paint), on a freshly started server (cold caches). *New browser*: each page "
                  "in a new browser context (nothing cached: Streamlit's and plotly's JavaScript downloaded "
                  "again). *One user*: one browser opening the pages in menu order, its HTTP cache kept as a real "
                  "browser keeps it. Goal: under 3 s.", "",
                  "| page | sample, new browser s | large, new browser s | sample, one user s | large, one user s |",
                  "|---|---:|---:|---:|---:|"]
        for name in browser["sample"]:
            cells = [f"{t[k][name]:.2f}" if t[k][name] != float("inf") else "> 240 (timed out)"
                     for t in (browser, session) for k in ("sample", "large")]
            lines.append(f"| {name} | {' | '.join(cells)} |")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
