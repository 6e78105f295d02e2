"""Real-browser test: the streamlit server on a free port, Debian chromium via Playwright, every page.

Waits for real content, asserts key texts and no error box, saves a full-page screenshot of each
page under artifacts/screenshots/ (look at them), and checks that a URL reproduces a view.
"""

from __future__ import annotations

import re

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import datetime as dt

import pytest

from schemas.admin_unit import ERA_SCHEMA, default_era
from tests.dashboard_fixtures import REPO, TEST_PASSWORD, dashboard_db, test_accounts

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SHOTS = REPO / "artifacts" / "screenshots"
# url path, text that proves real content, selector that must appear
PAGES = [
    ("", "Hồ sơ tiếp nhận", ".js-plotly-plot .main-svg"),
    ("so_sanh", "Bản đồ nhiệt", ".js-plotly-plot .main-svg"),
    ("don_vi", "Hãy chọn một", "a[href*=\"don_vi?\"]"),
    ("ton_dong", "Danh sách quá hạn", ".js-plotly-plot .main-svg"),
    ("canh_bao", "Đơn vị bị cảnh báo", '[data-testid="stDataFrame"]'),
    ("don_thu", "Đơn thư nhận trong kỳ", ".js-plotly-plot .main-svg"),
    ("kham_pha", "Nhóm theo", '[data-testid="stDataFrame"]'),
    ("gui_so_lieu", "Danh sách đôn đốc", '[data-testid="stDataFrame"]'),
    ("du_lieu", "Các tệp đã nạp", '[data-testid="stDataFrame"]'),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(db: Path, port: int) -> subprocess.Popen:
    env = dict(os.environ, DVCQ_DB=str(db))
    cmd = [sys.executable, "-m", "dashboard.serve", "--server.headless", "true",
           "--server.address", "127.0.0.1", "--server.port", str(port), "--browser.gatherUsageStats", "false"]
    proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            if urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2).status == 200:
                return proc
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise RuntimeError("streamlit did not start")


@pytest.fixture(scope="module")
def server():
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium not installed")
    test_accounts(dashboard_db())  # the gate lets no one in without an account
    port = free_port()
    proc = start_server(dashboard_db(), port)
    yield f"http://127.0.0.1:{port}"
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()


def sign_in(browser, base: str, role: str = "quan_tri", db: Path | None = None) -> dict:
    """The cookies of one sign-in through the real form as the test account of ``role`` (Playwright's
    storage state): where the gate sends every visitor first."""
    login = test_accounts(db or dashboard_db())[role]
    context = browser.new_context(locale="vi-VN")
    try:
        page = context.new_page()
        page.goto(f"{base}/dang_nhap", wait_until="domcontentloaded")
        page.get_by_label("Tên đăng nhập").fill(login)
        page.get_by_label("Mật khẩu", exact=True).fill(TEST_PASSWORD.format(role=role))
        page.get_by_role("button", name="Đăng nhập").click()
        page.wait_for_url(f"{base}/", wait_until="commit", timeout=60_000)
        return context.storage_state()
    finally:
        context.close()


class SignedIn:
    """A browser whose pages carry one sign-in's cookies: each page in a fresh context (nothing else shared
    between pages, as with ``Browser.new_page``); ``browser`` is Playwright's own."""

    def __init__(self, browser, state: dict) -> None:
        self.browser, self.state, self._contexts = browser, state, []

    def new_page(self, **options):
        context = self.browser.new_context(storage_state=self.state, **options)
        self._contexts.append(context)
        return context.new_page()

    def close(self) -> None:
        for context in self._contexts:
            context.close()


@pytest.fixture(scope="module")
def browser(server):
    """Chromium signed in as the test administrator once per module, through the form."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        signed = SignedIn(b, sign_in(b, server))
        yield signed
        signed.close()
        b.close()


def open_page(browser, url: str, text: str, selector: str, shot: str | None = None) -> tuple:
    """Load ``url``, wait for ``text`` and ``selector``; return (page, seconds to meaningful paint)."""
    page = browser.new_page(viewport={"width": 1440, "height": 900}, locale="vi-VN")
    started = time.perf_counter()
    page.goto(url, wait_until="domcontentloaded")
    page.wait_for_selector('[data-testid="stAppViewContainer"]', timeout=60_000)
    page.get_by_text(text, exact=False).first.wait_for(timeout=60_000)
    page.wait_for_selector(selector, timeout=60_000)
    seconds = time.perf_counter() - started
    page.wait_for_timeout(1500)  # let the last charts and tables settle
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60_000)
    if shot:
        screenshot(page, shot)
    return page, seconds


def screenshot(page, name: str) -> None:
    """The whole page into artifacts/screenshots/``name``: the app scrolls inside its main block, so the
    viewport grows to the content first."""
    height = page.evaluate("() => Math.max(...[...document.querySelectorAll("
                           "'[data-testid=\"stMain\"], [data-testid=\"stMainBlockContainer\"]')]"
                           ".map(e => e.scrollHeight))")
    page.set_viewport_size({"width": 1440, "height": min(max(900, height + 120), 9000)})
    page.wait_for_timeout(1200)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / name), full_page=True)


def assert_no_error(page) -> None:
    assert page.locator('[data-testid="stException"]').count() == 0, page.locator(
        '[data-testid="stException"]').first.inner_text()
    for alert in page.locator('[data-testid="stAlert"]').all():
        kind = alert.locator("[data-testid^='stAlertContent']").first.get_attribute("data-testid") or ""
        assert "Error" not in kind, alert.inner_text()
    body = page.inner_text("body")
    assert "Traceback" not in body


@pytest.mark.parametrize("path,text,selector", PAGES, ids=[p[0] or "tong_quan" for p in PAGES])
def test_page_renders(server, browser, path, text, selector):
    page, seconds = open_page(browser, f"{server}/{path}", text, selector, shot=f"{path or 'tong_quan'}.png")
    try:
        assert_no_error(page)
        assert page.locator('[data-testid="stSidebar"]').get_by_text("Bộ lọc", exact=True).count() == 1
        assert seconds < 30
    finally:
        page.close()


def test_url_reproduces_view(server, browser):
    """A link with codes (a year that is not the default, a district by its code) opens exactly that view,
    and a unit link on the Đơn vị page opens in the same tab, where Back returns."""
    import duckdb

    with duckdb.connect(str(dashboard_db()), read_only=True) as con:
        year = con.execute("SELECT year(max(received_date)) - 1 FROM main.dossiers").fetchall()[0][0]
        con.execute(f"SET search_path = '{ERA_SCHEMA[default_era(dt.date(year, 12, 31))]},main'")
        code, name = con.execute(
            "SELECT u.district_code, any_value(u.district_name) FROM dossiers d JOIN admin_units u USING (commune_code) "
            "WHERE year(d.received_date) = ? GROUP BY 1 ORDER BY count(*) DESC LIMIT 1", [year]).fetchall()[0]
    url = f"{server}/don_vi?ky=nam&nam={year}&don_vi={code}"
    page, _ = open_page(browser, url, "Thẻ điểm", ".js-plotly-plot .main-svg", shot="don_vi-huyen.png")
    try:
        assert_no_error(page)
        assert page.get_by_role("heading", name=name).count() >= 1
        assert page.get_by_text(f"Năm {year}").count() >= 1
        assert page.locator('[data-testid="stAlertContentWarning"]').count() == 0
    finally:
        page.close()
    page, _ = open_page(browser, f"{server}/don_vi?ky=nam&nam={year}", "Hãy chọn một", "a[href*=\"don_vi?\"]")
    try:
        link = page.locator('a[href*="don_vi="]', has_text=name).first
        assert link.get_attribute("target") in (None, "", "_self")  # not _blank: this tab
        link.click()
        page.get_by_role("heading", name=name).first.wait_for(timeout=60_000)
        assert f"don_vi={code}" in page.url and f"nam={year}" in page.url and len(page.context.pages) == 1
        page.go_back()
        page.get_by_text("Hãy chọn một").first.wait_for(timeout=60_000)
    finally:
        page.close()


def test_bad_link_values_are_said(server, browser):
    """A year without data and an unknown unit are named in a warning, never dropped in silence."""
    page, _ = open_page(browser, f"{server}/?nam=2030&don_vi=99999", "Hồ sơ tiếp nhận", ".js-plotly-plot .main-svg")
    try:
        warnings = page.locator('[data-testid="stAlertContentWarning"]')
        text = " ".join(warnings.all_inner_texts())
        assert "nam=2030" in text and "don_vi=99999" in text
    finally:
        page.close()


def test_tong_quan_path_opens_the_overview(server, browser):
    """/tong_quan (the page's name in links people type) opens Tổng quan with its filters, not "Page not found"."""
    page, _ = open_page(browser, f"{server}/tong_quan?ky=nam", "Hồ sơ tiếp nhận", ".js-plotly-plot .main-svg")
    try:
        assert page.get_by_text("Page not found").count() == 0
        assert page.get_by_role("heading", name="Tổng quan").count() >= 1
    finally:
        page.close()


STRUCTURE_VIEWS = [  # structure, URL filters, what the sidebar's grouping is called there
    ("2025", "cau_truc=2025&ky=nam&nam=2025", "Địa bàn huyện cũ"),
    ("legacy", "cau_truc=legacy&ky=nam&nam=2024", "Huyện/thị xã/thành phố"),
]


@pytest.mark.parametrize("era,query,grouping", STRUCTURE_VIEWS, ids=[v[0] for v in STRUCTURE_VIEWS])
@pytest.mark.parametrize("path,text", [("", "Hồ sơ tiếp nhận"), ("ton_dong", "Danh sách quá hạn")],
                         ids=["tong_quan", "ton_dong"])
def test_pages_in_each_structure(server, browser, era, query, grouping, path, text):
    """Tổng quan and Tồn đọng in the 2025 structure (areas, trends across the reform marked) and the
    legacy one (districts), as a link opens them."""
    from urllib.parse import quote
    url = f"{server}/{path}?" + "&".join(f"{k}={quote(v)}" for k, v in (p.split("=", 1) for p in query.split("&")))
    page, _ = open_page(browser, url, text, ".js-plotly-plot .main-svg", shot=f"{path or 'tong_quan'}-{era}.png")
    try:
        assert_no_error(page)
        sidebar = page.locator('[data-testid="stSidebar"]')
        assert sidebar.get_by_text(grouping, exact=True).count() == 1
        caption = "cấu trúc mới" if era == "2025" else "cấu trúc cũ"
        assert page.get_by_text(caption, exact=False).count() >= 1
        if era == "2025" and not path:  # the trend, in its tab, marks the months before the reform
            page.get_by_role("tab", name="Xu hướng theo tháng").click()
            page.get_by_text("Trước 01/07/2025: số liệu cộng của các xã cũ hợp thành").wait_for(timeout=60_000)
            screenshot(page, "tong_quan-2025-xu_huong.png")
    finally:
        page.close()


def test_upload_ingests_and_every_page_sees_the_new_data(browser, tmp_path):
    """A commune clerk's path: an empty warehouse, upload on Dữ liệu (one good export, one broken
    file), «Nạp dữ liệu», the counts and the broken file's reason shown, Tổng quan showing the rows."""
    from tests.ingest_fixtures import write_csv

    good = write_csv(tmp_path / "ho_so_thi_tran_ha_trung_2025.csv",
                     [["Mã hồ sơ", "Ngày tiếp nhận", "Ngày hẹn trả", "Ngày trả kết quả"]]
                     + [[f"U{i}", "03/03/2025", "06/03/2025", "05/03/2025"] for i in range(4)]
                     + [["U9", "31/02/2025", "06/03/2025", ""]])
    broken = tmp_path / "hong.xlsx"
    broken.write_bytes(b"PK\x03\x04 not a workbook")
    port = free_port()
    test_accounts(tmp_path / "moi.duckdb")  # no warehouse yet: the accounts that need no unit
    proc = start_server(tmp_path / "moi.duckdb", port)
    try:
        own = SignedIn(browser.browser, sign_in(browser.browser, f"http://127.0.0.1:{port}", db=tmp_path / "moi.duckdb"))
        page = own.new_page(viewport={"width": 1440, "height": 900})
        # A link straight to Dữ liệu on a server that just started: it must open that page.
        page.goto(f"http://127.0.0.1:{port}/du_lieu", wait_until="domcontentloaded")
        page.get_by_text("Chọn tệp").first.wait_for(timeout=60_000)
        page.get_by_text("Chưa có kho dữ liệu").first.wait_for(timeout=60_000)
        assert page.get_by_text("Page not found").count() == 0
        nav = page.locator(".st-key-menu")
        assert nav.get_by_text("Tổng quan").count() == 1 and nav.get_by_text("tong quan").count() == 0
        zone = page.locator('[data-testid="stFileUploaderDropzone"]').first
        zone.wait_for(timeout=60_000)
        # The page's style element may mount a moment after the drop zone: wait for it to hide the words.
        page.wait_for_function("() => { const s = document.querySelector("
                               "'[data-testid=\"stFileUploaderDropzoneInstructions\"] span');"
                               " return s && getComputedStyle(s).display === 'none'; }", timeout=30_000)
        words = zone.inner_text()  # rendered text: Streamlit's English words are hidden, ours drawn by CSS
        assert "Upload" not in words and "per file" not in words and "Drag" not in words, words
        assert page.get_by_text("tối đa 100 MB mỗi tệp", exact=False).count() == 1
        page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files([str(good), str(broken)])
        page.get_by_text("hong.xlsx").first.wait_for(timeout=30_000)
        page.get_by_role("button", name="Nạp dữ liệu").click()
        page.get_by_text("Đã nạp 1 tệp/trang tính: đọc 5 = thêm 4 + cập nhật 0 + không đổi 0 + cũ hơn bản đã có 0 + "
                         "cách ly 1").first.wait_for(timeout=60_000)
        page.get_by_text("Không đọc được tệp hong.xlsx").first.wait_for(timeout=10_000)
        page.get_by_role("tab", name="Các tệp đã nạp").wait_for(timeout=60_000)  # the page below sees the new data
        page.locator('[data-testid="stMetricLabel"]', has_text="Số dòng đọc").first.wait_for(timeout=60_000)
        page.wait_for_selector('[data-testid="stDataFrame"] canvas', timeout=60_000)
        page.wait_for_timeout(1500)  # the data grids draw their canvases after mounting
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "du_lieu_nap.png"), full_page=True)
        page.goto(f"http://127.0.0.1:{port}/", wait_until="domcontentloaded")
        page.get_by_text("Hồ sơ tiếp nhận").first.wait_for(timeout=60_000)
        value = page.locator('[data-testid="stMetric"]', has_text="Hồ sơ tiếp nhận").locator(
            '[data-testid="stMetricValue"]').first.inner_text()
        assert value.strip() == "4"
        own.close()
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_ranking_says_what_each_score_rests_on(server, browser):
    """Issue 10.2: beside each district's score, its communes reporting and indicators with a value; districts
    without enough data are said to be unranked."""
    page, _ = open_page(browser, f"{server}/?ky=nam&nam=2024&cau_truc=legacy", "Xếp hạng các huyện",
                        ".js-plotly-plot .main-svg")
    try:
        labels = page.locator(".js-plotly-plot").first.locator("text.bartext").all_text_contents()  # SVG text
        # "6/47 xã · 12/12 chỉ số", and " · 4 chưa gửi" when indicators score 0 for want of records
        assert len(labels) == 26 and all(re.search(r" xã · \d+/12 chỉ số( · \d+ chưa gửi)?$", t) for t in labels), labels[:3]
        assert page.get_by_text("chưa đủ dữ liệu để xếp hạng", exact=False).count() >= 1
    finally:
        page.close()


def test_a_click_on_a_ranking_bar_opens_that_unit(server, browser):
    """Issue 10.8: a district's communes ranked on Tổng quan; a click on a bar opens that commune's page.

    The bar clicked is the best commune's, drawn last (on top): the bars drawn first are the communes that
    sent nothing, ranked last with 0 points and 0 pixels wide, so there is nothing there to click."""
    import duckdb

    with duckdb.connect(str(dashboard_db()), read_only=True) as con:
        con.execute(f"SET search_path = '{ERA_SCHEMA['legacy']},main'")
        district = con.execute("SELECT u.district_code FROM dossiers d JOIN admin_units u USING (commune_code) "
                               "WHERE year(d.completed_date) = 2024 GROUP BY 1 ORDER BY count(DISTINCT "
                               "d.commune_code) DESC, 1 LIMIT 1").fetchall()[0][0]
    url = f"{server}/?ky=nam&nam=2024&cau_truc=legacy&don_vi={district}"
    page, _ = open_page(browser, url, "Xếp hạng các xã", ".js-plotly-plot .main-svg")
    try:
        plot = page.locator('.js-plotly-plot').first
        best = plot.evaluate("plot => plot.data[0].customdata.at(-1)[0]")  # the bar's commune code
        box = plot.locator("g.point path").last.bounding_box()
        assert box["width"] > 0
        page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)  # plotly's drag layer takes it
        page.wait_for_url("**/don_vi?**", timeout=60_000)
        page.get_by_text("Thẻ điểm").first.wait_for(timeout=60_000)
        code = page.url.split("don_vi=")[1].split("&")[0]
        assert code == best and len(code) == 5 and "nam=2024" in page.url
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "don_vi-from-click.png"), full_page=True)
    finally:
        page.close()


def test_map_tab_draws_every_commune_with_coordinates(server, browser):
    """Tổng quan's map, one click away in its tab: a point for each commune that has coordinates."""
    import duckdb

    with duckdb.connect(str(dashboard_db()), read_only=True) as con:
        con.execute(f"SET search_path = '{ERA_SCHEMA['legacy']},main'")
        placed = con.execute("SELECT count(*) FROM admin_units WHERE latitude IS NOT NULL").fetchall()[0][0]
    page, _ = open_page(browser, f"{server}/?ky=nam&nam=2024&cau_truc=legacy", "Xếp hạng các huyện",
                        ".js-plotly-plot .main-svg")
    try:
        page.get_by_role("tab", name="Bản đồ").click()
        page.get_by_text("Tô màu bản đồ theo").wait_for(timeout=60_000)
        page.wait_for_selector(".js-plotly-plot .scatterlayer path.point", timeout=60_000)
        points = page.locator(".js-plotly-plot .scatterlayer path.point").count()
        assert placed > 0 and points == placed, (points, placed)
        screenshot(page, "tong_quan-ban_do.png")
    finally:
        page.close()


def test_backlog_reads_on_a_phone(server, browser):
    """Issues 10.5 and 19: on a 390-pixel screen Tồn đọng's chart has its title and axis caption whole (page
    text above it, not cut at the chart's edge), no Plotly toolbar over its legend, and the per-commune
    summary gives each commune all seven of its values on one wrapped line, oldest overdue first, where the
    grid showed 3 of its 7 columns; the page itself does not scroll sideways."""
    page = browser.new_page(viewport={"width": 390, "height": 844}, locale="vi-VN")
    try:
        page.goto(f"{server}/ton_dong?ky=nam&nam=2024&cau_truc=legacy", wait_until="domcontentloaded")
        page.get_by_text("Theo xã").first.wait_for(timeout=60_000)
        page.wait_for_selector(".js-plotly-plot .main-svg", timeout=60_000)
        page.wait_for_timeout(2000)
        chart = page.locator(".js-plotly-plot").first
        assert chart.locator(".gtitle").count() == 0 and chart.locator(".modebar-btn").count() == 0
        assert page.get_by_text("Số việc quá hạn theo xã", exact=True).is_visible()
        caption = chart.locator(".xtitle").bounding_box()
        assert caption["x"] >= 0 and caption["x"] + caption["width"] <= 390, caption
        assert not page.locator(".st-key-wide_bk_summary").is_visible()
        lines = page.locator(".st-key-narrow_bk_summary li").all_inner_texts()
        assert len(lines) == 6 and lines[0] == ("Xã Cẩm Phú (Huyện Cẩm Thủy): 1 việc quá hạn (0 hồ sơ, 1 đơn thư), "
                                                "lâu nhất 16 ngày làm việc, quá hạn từ 09/12/2024"), lines
        assert [line.split(" (")[0] for line in lines][3] == "Xã Hà Châu"  # 3 items, 11 days: after three older
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 390  # the page itself does not scroll
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "ton_dong-phone.png"), full_page=True)
    finally:
        page.close()


def test_backlog_summary_on_a_laptop_is_oldest_first(server, browser):
    """Issue 19: the per-commune table is sorted by how long the oldest item is overdue, not by district."""
    page, _ = open_page(browser, f"{server}/ton_dong?ky=nam&nam=2024&cau_truc=legacy", "Theo xã",
                        '[data-testid="stDataFrame"] canvas')
    try:
        assert not page.locator(".st-key-narrow_bk_summary").is_visible()
        grid = page.locator(".st-key-wide_bk_summary [data-testid='stDataFrame']")
        rows = [[c.inner_text() for c in r.locator("td").all()[:3]] for r in grid.locator("tbody tr").all()]
        assert rows == [["Xã Cẩm Phú", "1", "16"], ["Xã Nga Tân", "1", "14"], ["Xã Định Hải", "1", "14"],
                        ["Xã Hà Châu", "3", "11"], ["Xã Minh Sơn", "1", "4"], ["Phường Bắc Sơn", "1", "2"]], rows
    finally:
        page.close()
