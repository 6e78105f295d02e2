"""Benchmark of the dashboard in a real browser, each figure against a baseline measured in the same run.

Usage:
    .venv/bin/python bench/bench_pages.py [--db PATH] [--sessions 8]

``--db`` defaults to a synthetic warehouse of all 547 communes x 3 years (3.3 M dossiers, made with
DuckDB SQL by tests/dashboard_fixtures.synthetic_warehouse) in /tmp. Server (``python -m
dashboard.serve``, which warms the default view up) and headless Debian chromium share this machine.
The dashboard's pages are opened signed in (the test administrator, tests/dashboard_fixtures.test_accounts,
signed in once per server through the form): the gate checks the session cookie on every request, so its
cost is in every dashboard figure; the trivial page has no gate.
Time = navigation to the page's real content (its text and its chart or table: first meaningful paint).
Beside each time, the CPU seconds the browser (every chromium process this script started) and the
server spent on it: on a shared 2-core machine the wall times swing with the load, the CPU a page
costs much less, so it says what a page costs the browser against the trivial one.

1. First paint of Tổng quan on a freshly started server, against the trivial page
   (bench/trivial_app.py: one metric, one plotly chart) started and opened the same way, ``--rounds``
   times each, alternating (median). The first visitor arrives once the server answers its health
   check and its warm-up has finished.
2. Every page opened first (fresh browser) against the same page opened again (its warm time).
3. N people opening Tổng quan at once (a Monday meeting), against N sessions of the trivial page:
   median time to a painted page; ``--rounds`` crowds of each, alternating, and the median kept.
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
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench_ingest import BENCH_SECRET  # noqa: E402
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
    if app == "dvcq":  # the warm-up says when it is done, or why it did nothing
        for line in proc.stderr:
            if "không tính sẵn" in line:
                stop(proc)
                sys.exit(f"{db}: {line.strip()}")
            if "đã tính sẵn" in line or "warm-up failed" in line:
                break
    return proc


def session(port: int, db: Path) -> str:
    """The session cookie of the test administrator, signed in through the form of the server on ``port``."""
    from urllib.parse import urlencode

    from pipelines.access.store import COOKIE_NAME
    from tests.dashboard_fixtures import TEST_PASSWORD, test_accounts

    class Seen(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    base = f"http://127.0.0.1:{port}"
    form = urlencode({"ten_dang_nhap": test_accounts(db)["quan_tri"], "mat_khau": TEST_PASSWORD.format(role="quan_tri")})
    request = urllib.request.Request(f"{base}/dang_nhap", data=form.encode(), headers={"Origin": base})
    try:
        urllib.request.build_opener(Seen).open(request, timeout=30)
    except urllib.error.HTTPError as answer:  # 303 to the start page, with the cookie
        cookie = answer.headers.get("set-cookie", "")
        if answer.code == 303 and cookie.startswith(f"{COOKIE_NAME}="):
            return cookie.split(";")[0].split("=", 1)[1]
    sys.exit("the bench could not sign in through the form")


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a live process (Linux /proc)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:  # ended in between
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def browser_cpu() -> float:
    """CPU of every chromium process descended from this script (Playwright's driver starts them)."""
    parents: dict[int, int] = {}
    names: dict[int, str] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    text = stat.read()
            except OSError:
                continue
            names[int(entry)] = text[text.index("(") + 1:text.rindex(")")]
            parents[int(entry)] = int(text.rsplit(")", 1)[1].split()[1])

    def ours(pid: int) -> bool:
        while pid > 1:
            if pid == os.getpid():
                return True
            pid = parents.get(pid, 1)
        return False

    return sum(cpu_seconds(pid) for pid, name in names.items() if "chrom" in name.lower() and ours(pid))


@dataclass(frozen=True)
class Paint:
    seconds: float
    browser_cpu: float  # of this page in the browser when alone; of all pages open meanwhile when not
    server_cpu: float


async def paint(browser, server: subprocess.Popen, url: str, text: str, selector: str, keep: list | None = None,
                cookie: str | None = None) -> Paint:
    """Open ``url`` in a new browser context (nothing cached but the session ``cookie``, when given) and wait
    for its content; the context is closed, or appended to ``keep`` (a closed context's processes end, and
    their CPU with them)."""
    from pipelines.access.store import COOKIE_NAME

    context = await browser.new_context(viewport=VIEWPORT)
    if cookie:
        await context.add_cookies([{"name": COOKIE_NAME, "value": cookie, "url": url, "httpOnly": True,
                                    "sameSite": "Strict"}])
    page = await context.new_page()
    cpu, served = browser_cpu(), cpu_seconds(server.pid)
    started = time.perf_counter()
    await page.goto(url, wait_until="domcontentloaded")
    await page.get_by_text(text, exact=False).first.wait_for(timeout=240_000)
    await page.wait_for_selector(selector, timeout=240_000)
    seconds = time.perf_counter() - started
    result = Paint(seconds, browser_cpu() - cpu, cpu_seconds(server.pid) - served)
    if keep is None:
        await context.close()
    else:
        keep.append(context)
    return result


def median_paint(paints: list[Paint]) -> Paint:
    return Paint(*(statistics.median(getattr(p, f) for p in paints) for f in ("seconds", "browser_cpu", "server_cpu")))


async def measure(db: Path, sessions: int, rounds: int) -> dict:
    from playwright.async_api import async_playwright

    apps = (("trivial", [TRIVIAL]), ("dvcq", PAGES))
    out: dict = {}
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        fresh: dict[str, list[Paint]] = {"trivial": [], "dvcq": []}
        for _ in range(rounds):  # alternating, so both see the same spells of load
            for app, pages in apps:
                port = free_port()
                server = start(app, db, port)
                try:
                    path, text, selector = pages[0]
                    cookie = session(port, db) if app == "dvcq" else None
                    fresh[app].append(await paint(browser, server, f"http://127.0.0.1:{port}/{path}", text, selector,
                                                  cookie=cookie))
                finally:
                    stop(server)
        for app, paints in fresh.items():
            out[(app, "fresh")] = median_paint(paints)
        for app, pages in apps:
            port = free_port()
            server = start(app, db, port)
            try:
                cookie = session(port, db) if app == "dvcq" else None
                for path, text, selector in pages:
                    url = f"http://127.0.0.1:{port}/{path}"
                    first = await paint(browser, server, url, text, selector, cookie=cookie)
                    again = median_paint([await paint(browser, server, url, text, selector, cookie=cookie)
                                          for _ in range(3)])
                    out[(app, path or "tong_quan")] = (first, again)
            finally:
                stop(server)
        crowds: dict[str, list[Paint]] = {"trivial": [], "dvcq": []}
        for _ in range(rounds):  # alternating too: one crowd on a 2-core machine swings by half its time
            for app, pages in apps:
                port = free_port()
                server = start(app, db, port)
                try:
                    path, text, selector = pages[0]
                    url = f"http://127.0.0.1:{port}/{path}"
                    cookie = session(port, db) if app == "dvcq" else None
                    cpu, served, contexts = browser_cpu(), cpu_seconds(server.pid), []
                    paints = await asyncio.gather(*[paint(browser, server, url, text, selector, contexts, cookie)
                                                    for _ in range(sessions)])
                    crowds[app].append(Paint(statistics.median(p.seconds for p in paints), browser_cpu() - cpu,
                                             cpu_seconds(server.pid) - served))
                    for context in contexts:
                        await context.close()
                finally:
                    stop(server)
        for app, paints in crowds.items():
            out[(app, "crowd")] = median_paint(paints)
            out[(app, "crowds")] = paints
        await browser.close()
    return out


def load() -> str:
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", type=Path, default=Path("/tmp/dvcq-bench/large.duckdb"))
    ap.add_argument("--sessions", type=int, default=8)
    ap.add_argument("--rounds", type=int, default=3,
                    help="fresh servers per app for the first paint, and crowds per app")
    args = ap.parse_args()
    os.environ.setdefault("DVCQ_SECRET", BENCH_SECRET)
    if not args.db.exists():
        from tests.dashboard_fixtures import synthetic_warehouse
        args.db.parent.mkdir(parents=True, exist_ok=True)
        synthetic_warehouse(args.db, communes=547, years=3, dossiers_per_year=2000, end=dt.date(2025, 12, 31))
    started = load()
    r = asyncio.run(measure(args.db, args.sessions, args.rounds))
    print(f"Run on {dt.date.today():%d/%m/%Y}, {platform.machine()}, {os.cpu_count()} cores, load {started} → "
          f"{load()}; warehouse {args.db} ({args.db.stat().st_size / 1e6:,.0f} MB). Seconds to first meaningful "
          f"paint; CPU seconds of the browser and of the server until then.\n")
    base, tq = r[("trivial", "fresh")], r[("dvcq", "fresh")]
    print(f"Fresh server, first visitor (median of {args.rounds}): Tổng quan {tq.seconds:.2f} s (browser CPU "
          f"{tq.browser_cpu:.2f} s, server {tq.server_cpu:.2f} s), trivial page {base.seconds:.2f} s (browser CPU "
          f"{base.browser_cpu:.2f} s, server {base.server_cpu:.2f} s): **{tq.seconds / base.seconds:.2f}×** "
          f"(CPU {tq.browser_cpu / base.browser_cpu:.2f}×).\n")
    print("| page | first visit s | again s | first / again | browser CPU s (first) | server CPU s (first) |")
    print("|---|---:|---:|---:|---:|---:|")
    for app, pages in (("trivial", [TRIVIAL]), ("dvcq", PAGES)):
        for path, _, _ in pages:
            first, again = r[(app, path or "tong_quan")]
            name = "trivial page" if app == "trivial" else path or "tong_quan"
            print(f"| {name} | {first.seconds:.2f} | {again.seconds:.2f} | {first.seconds / again.seconds:.2f}× | "
                  f"{first.browser_cpu:.2f} | {first.server_cpu:.2f} |")
    crowd, base = r[("dvcq", "crowd")], r[("trivial", "crowd")]
    rounds = ", ".join(f"{d.seconds / t.seconds:.2f}×" for d, t in zip(r[("dvcq", "crowds")], r[("trivial", "crowds")]))
    print(f"\n{args.sessions} sessions at once, median of {args.rounds} rounds (each round: {rounds}): Tổng quan "
          f"median {crowd.seconds:.2f} s, trivial page {base.seconds:.2f} s:"
          f" **{crowd.seconds / base.seconds:.2f}×**; CPU of all {args.sessions}: browser {crowd.browser_cpu:.1f} s "
          f"against {base.browser_cpu:.1f} s ({crowd.browser_cpu / base.browser_cpu:.2f}×), server "
          f"{crowd.server_cpu:.1f} s against {base.server_cpu:.1f} s.")


if __name__ == "__main__":
    main()
