"""Real-browser tests of what a new user tripped on (issue 19, part 3): every clickable chart opens the
unit it names and Back returns to the view that was left; ranking colours; Tồn đọng on a phone; Đơn vị's
scorecard. The server and the browser are tests/test_browser.py's; screenshots go to
artifacts/screenshots/.
"""

from __future__ import annotations

import re

import duckdb
import pytest

from schemas.admin_unit import ERA_SCHEMA
from tests.dashboard_fixtures import dashboard_db
from tests.test_browser import SHOTS, assert_no_error, browser, open_page, screenshot, server  # noqa: F401

pytestmark = pytest.mark.browser

LEGACY_2024 = "ky=nam&nam=2024&cau_truc=legacy"


def legacy_sql(query: str, *params):
    with duckdb.connect(str(dashboard_db()), read_only=True) as con:
        con.execute(f"SET search_path = '{ERA_SCHEMA['legacy']},main'")
        return con.execute(query, list(params)).fetchall()


def click_and_come_back(page, start: str, target, tooltip_name, at_x=None) -> None:
    """Hover the middle of ``target`` (a locator; at the height of ``target`` but at ``at_x`` when given),
    read the unit its tooltip names, click: the Đơn vị page of exactly that unit opens in this tab with the
    period kept; Back returns to ``start`` itself."""
    target.scroll_into_view_if_needed()
    box = target.bounding_box()
    x, y = at_x() if at_x else box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x - 3, y)
    page.mouse.move(x, y)
    page.locator(".hoverlayer .hovertext").first.wait_for(timeout=10_000)
    named = tooltip_name(page.locator(".hoverlayer .hovertext").first.text_content())
    page.mouse.click(x, y)
    page.wait_for_url("**/don_vi?**", timeout=60_000)
    page.get_by_text("Thẻ điểm").first.wait_for(timeout=60_000)
    code = page.url.split("don_vi=")[1].split("&")[0]
    assert legacy_sql("SELECT any_value(name) FROM (SELECT commune_code c, commune_name name FROM admin_units "
                      "UNION ALL SELECT district_code, district_name FROM admin_units) WHERE c = ?", code)[0][0] == named
    page.get_by_role("heading", name=named).first.wait_for(timeout=60_000)  # drawn after the scorecard's text
    assert "nam=2024" in page.url
    assert len(page.context.pages) == 1
    page.go_back()
    page.wait_for_url(start, timeout=60_000)
    page.wait_for_timeout(3000)  # the page left must not send the browser on again (a selection kept)
    assert page.url == start


def test_a_click_on_a_heatmap_cell_opens_its_unit_and_back_returns(server, browser):
    """So sánh: the tooltip of a cell says «Bấm để mở trang đơn vị»; a click on it opens that row's unit."""
    start = f"{server}/so_sanh?{LEGACY_2024}"
    page, _ = open_page(browser, start, "Bản đồ nhiệt", ".js-plotly-plot .main-svg")
    try:
        plot = page.locator(".js-plotly-plot").first
        area = plot.locator(".nsewdrag").first
        row = plot.locator(".yaxislayer-above .ytick text").nth(2)  # a row's name, then a cell in its middle
        click_and_come_back(page, start, row, lambda text: re.split(r" \(", text)[0],
                            at_x=lambda: area.bounding_box()["x"] + area.bounding_box()["width"] * 0.55)
    finally:
        page.close()


def test_a_click_on_a_ranking_bar_and_back_returns_to_the_province(server, browser):
    """Tổng quan: a district's bar opens the district; Back shows the province ranking again, not Tổng quan
    filtered to that district (the address once gained ``don_vi`` before the page changed)."""
    start = f"{server}/?{LEGACY_2024}"
    page, _ = open_page(browser, start, "Xếp hạng các huyện", ".js-plotly-plot .main-svg")
    try:
        bar = page.locator(".js-plotly-plot").first.locator("g.point path").last  # the best, drawn last (on top)
        click_and_come_back(page, start, bar, lambda text: text.split(" · ")[0])
        page.get_by_text("Xếp hạng các huyện").first.wait_for(timeout=60_000)
    finally:
        page.close()


def test_a_click_on_a_map_point_opens_its_commune(server, browser):
    """Tổng quan's map: a commune's point opens that commune.

    The point clicked is the one farthest from its nearest neighbour: every commune has a point (those
    that sent nothing are drawn with 0 points), and in the city's wards a point's centre lies under two or
    three others, where a move of a few pixels changes which commune the tooltip and the click name."""
    start = f"{server}/?{LEGACY_2024}"
    page, _ = open_page(browser, start, "Xếp hạng các huyện", ".js-plotly-plot .main-svg")
    try:
        page.get_by_role("tab", name="Bản đồ").click()
        page.wait_for_selector(".js-plotly-plot .scatterlayer path.point", timeout=60_000)
        page.wait_for_timeout(1000)
        points = page.locator(".js-plotly-plot .scatterlayer .trace").last.locator("path.point")
        centres = [(b["x"] + b["width"] / 2, b["y"] + b["height"] / 2, b["width"])
                   for b in points.evaluate_all("ps => ps.map(p => p.getBoundingClientRect().toJSON())")]
        gap, alone = max((min(((x - u) ** 2 + (y - v) ** 2) ** 0.5 for j, (u, v, _) in enumerate(centres) if j != i), i)
                         for i, (x, y, _) in enumerate(centres))
        assert gap > centres[alone][2] + 3, gap  # no other point within the hover's reach of its centre
        commune = points.nth(alone).evaluate(f"p => p.closest('.js-plotly-plot').data.at(-1).customdata[{alone}][1]")
        named = []
        click_and_come_back(page, start, points.nth(alone), lambda text: named.append(text.split(" (")[0]) or named[-1])
        assert named == [commune]
    finally:
        page.close()


def test_a_click_on_a_backlog_bar_opens_its_commune(server, browser):
    """Tồn đọng: a commune's bar opens that commune."""
    start = f"{server}/ton_dong?{LEGACY_2024}"
    page, _ = open_page(browser, start, "Danh sách quá hạn", ".js-plotly-plot .main-svg")
    try:
        bar = page.locator(".js-plotly-plot").first.locator("g.point path").first
        click_and_come_back(page, start, bar, lambda text: text.split(":")[0])
    finally:
        page.close()


def test_ranked_bars_never_take_the_unranked_grey(server, browser):
    """Tổng quan in the 2025 structure (areas, some unranked): every ranked bar's colour is at least 90 away
    (RGB distance) from the grey of the unranked bars, whatever its score (a score near 85 used to be
    drawn 214,220,215, 5 away)."""
    page, _ = open_page(browser, f"{server}/?ky=nam&nam=2026&cau_truc=2025", "Xếp hạng", ".js-plotly-plot .main-svg",
                        shot="tong_quan-mau.png")
    try:
        fills = page.locator(".js-plotly-plot").first.locator("g.point path").evaluate_all(
            "paths => paths.map(p => getComputedStyle(p).fill)")
        rgb = [tuple(int(c) for c in re.findall(r"\d+", f)[:3]) for f in fills]
        grey = (217, 217, 217)
        ranked = [c for c in rgb if c != grey]
        assert len(ranked) >= 2 and len(ranked) < len(rgb), rgb  # both kinds on this page
        nearest = min(sum((a - b) ** 2 for a, b in zip(c, grey)) ** 0.5 for c in ranked)
        assert nearest >= 90, (nearest, rgb)
    finally:
        page.close()


def test_unit_scorecard_zero_is_drawn_and_labels_clear_the_whiskers(server, browser):
    """Đơn vị of Xã Thành Thọ in 2024 (legacy): «Biết cảm ơn» is 0/4 = 0 %: a bar is drawn and «0,0» written,
    not the nothing an N/A gets; the N/A rows say «N/A»; no value label overlaps an interval whisker. Its
    quarterly trends draw the points with fewer than 10 records grey, each with its count written."""
    page, _ = open_page(browser, f"{server}/don_vi?{LEGACY_2024}&don_vi=15253", "Thẻ điểm",
                        ".js-plotly-plot .main-svg", shot="don_vi-the_diem.png")
    try:
        card = page.locator(".js-plotly-plot").first
        rows = card.locator(".yaxislayer-above .ytick text").all_text_contents()
        labels = card.locator(".textpoint text").all_text_contents()
        value_of = dict(zip(rows, labels))
        assert value_of["Biết cảm ơn"] == "0,0" and value_of["Không phiền hà, sách nhiễu"] == "N/A"
        assert value_of["Biết xin lỗi"] == "100,0"
        bars = card.locator(".barlayer g.point path").all()
        widths = {row: bar.bounding_box()["width"] for row, bar in zip(rows, bars)}
        assert widths["Biết cảm ơn"] >= 3, widths  # px: visible
        whiskers = [w.bounding_box() for w in card.locator("g.errorbar path").all() if w.bounding_box()]
        texts = [t.bounding_box() for t in card.locator(".textpoint text").all()]

        def overlap(a, b):
            return a["x"] < b["x"] + b["width"] and b["x"] < a["x"] + a["width"] and \
                a["y"] < b["y"] + b["height"] and b["y"] < a["y"] + a["height"]
        assert whiskers and not [(t, w) for t in texts for w in whiskers if overlap(t, w)]
        trend = page.locator(".js-plotly-plot").nth(1)
        trend.scroll_into_view_if_needed()
        few = trend.locator(".scatterlayer .trace").filter(has=page.locator(".textpoint"))
        fills = few.locator("path.point").evaluate_all("ps => [...new Set(ps.map(p => getComputedStyle(p).fill))]")
        counts = few.locator(".textpoint text").all_text_contents()
        assert fills == ["rgb(217, 217, 217)"] and counts and all(re.fullmatch(r"\d/\d", c) for c in counts), counts
        caption = page.get_by_text("Chấm xám không nối vào đường, ghi kèm tử số/mẫu số", exact=False)
        assert caption.count() == 1
    finally:
        page.close()


@pytest.mark.parametrize("scope,names_sql", [
    ("", "SELECT list(DISTINCT district_name ORDER BY district_name) FROM admin_units WHERE latitude IS NOT NULL"),
    ("&don_vi=387", "SELECT list(commune_name ORDER BY commune_name) FROM admin_units "
                    "WHERE latitude IS NOT NULL AND district_code = '387'")], ids=["province", "district"])
def test_map_draws_an_outline_and_names_places(server, browser, scope, names_sql):
    """Tổng quan's map has no tiles (no internet): it draws the outline of the communes (their convex hull)
    round every point, and writes each district's name (the province) or each commune's (one district)."""
    page, _ = open_page(browser, f"{server}/?{LEGACY_2024}{scope}", "Xếp hạng", ".js-plotly-plot .main-svg")
    try:
        page.get_by_role("tab", name="Bản đồ").click()
        page.wait_for_selector(".js-plotly-plot .scatterlayer path.point", timeout=60_000)
        page.wait_for_timeout(1000)
        plot = page.locator(".js-plotly-plot").first
        names = sorted(plot.locator(".textpoint text").all_text_contents())
        assert names == legacy_sql(names_sql)[0][0]
        outline = plot.locator(".scatterlayer .trace").first.locator("path.js-fill").bounding_box()
        points = [p.bounding_box() for p in plot.locator(".scatterlayer path.point").all()]
        centres = [(p["x"] + p["width"] / 2, p["y"] + p["height"] / 2) for p in points]
        assert centres and all(outline["x"] - 1 <= x <= outline["x"] + outline["width"] + 1
                               and outline["y"] - 1 <= y <= outline["y"] + outline["height"] + 1 for x, y in centres)
        screenshot(page, f"tong_quan-ban_do-{scope and 'huyen' or 'tinh'}.png")
    finally:
        page.close()
