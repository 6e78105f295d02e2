"""Hardening, second round (issue 24), on the dashboard: values of a link shown as typed (item 3), custom
dates far outside the data (item 4). AppTest on the sample warehouse, then a real browser."""

from __future__ import annotations

import datetime as dt

import pytest

from dashboard.formatting import literal
from tests.dashboard_fixtures import new_app, no_errors
from tests.test_browser import browser, open_page, server  # noqa: F401 (fixtures)

PAGES = ["tong_quan", "so_sanh", "don_vi", "ton_dong", "canh_bao", "don_thu", "kham_pha", "du_lieu"]
PHISH = "[Bấm vào đây để xác minh tài khoản](http://evil.example/login)"
# The sample's first and last event days (docs/sample-data.md: 07/2023 to 10/2026).
FIRST, LAST = dt.date(2023, 7, 1), dt.date(2026, 10, 31)


# ------------------------------------------------------------------ item 3: link values as typed
@pytest.mark.parametrize("value,shown", [
    ("nam=**x**", "`nam=**x**`"),
    ("a`b", "``a`b``"),
    ("`", "`` ` ``"),
    (" x", "`  x `"),
    ("a\n===", "`a\\n===`"),
    ("\u202eabc", "`\\u202eabc`"),
    ("x" * 130, "`" + "x" * 120 + "…`"),
])
def test_literal_is_a_code_span_that_no_value_can_close(value, shown):
    assert literal(value) == shown


@pytest.mark.parametrize("params,said", [
    ({"don_vi": PHISH},
     f"Đường dẫn có «`don_vi={PHISH}`» nhưng không có đơn vị này trong cấu trúc mới (từ 01/07/2025); "
     f"đang hiển thị toàn tỉnh. Hãy chọn đơn vị ở thanh bên."),
    ({"nam": "**x**"}, "Đường dẫn có «`nam=**x**`», không đúng dạng (ví dụ nam=2025); đang hiển thị Năm 2026."),
    ({"cau_truc": ":red[x] $x$"},
     "Đường dẫn có «`cau_truc=:red[x] $x$`» (dùng: auto, 2025, legacy); đang dùng cấu trúc tự động theo kỳ."),
    ({PHISH: "1"}, f"Đường dẫn có tham số không dùng: «`{PHISH}`»; đã bỏ qua."),
    ({"to_mau": PHISH}, f"Đường dẫn có «`to_mau={PHISH}`»: `{PHISH}` không có trong danh sách chỉ số tô màu "
                        f"bản đồ của trang này; đã bỏ qua."),
], ids=["don_vi", "nam", "cau_truc", "name", "to_mau"])
def test_link_values_are_shown_as_typed_never_as_markdown(params, said):
    """Issue 24.3: a link's value was pasted into the warning's markdown, so a phishing link, bold, colour
    and formulas rendered under the real dashboard's address. Each is now one code span."""
    at = new_app("tong_quan", params=params)
    no_errors(at)
    assert [w.value for w in at.warning] == [said]


# ------------------------------------------------------------------ item 4: dates outside the data
@pytest.mark.parametrize("page", PAGES)
def test_custom_dates_far_outside_the_data_are_brought_inside_on_every_page(page):
    """Issue 24.4: ``tu=0001-01-01&den=9999-12-31`` made every page "This app has encountered an error"
    (the date pickers refuse a value outside their bounds)."""
    at = new_app(page, params={"ky": "tuy_chon", "tu": "0001-01-01", "den": "9999-12-31"})
    no_errors(at)
    assert [w.value for w in at.warning] == [
        "Ngày 01/01/0001 (đường dẫn có «`tu=0001-01-01`») trước ngày đầu tiên có dữ liệu (01/07/2023 – 31/10/2026); "
        "đang dùng 01/07/2023.",
        "Ngày 31/12/9999 (đường dẫn có «`den=9999-12-31`») sau ngày cuối cùng có dữ liệu (01/07/2023 – 31/10/2026); "
        "đang dùng 31/10/2026."]
    assert (at.date_input(key="tu").value, at.date_input(key="den").value) == (FIRST, LAST)
    assert (at.query_params["tu"], at.query_params["den"]) == ("2023-07-01", "2026-10-31")


def test_a_custom_period_wholly_before_the_data_is_one_day_at_its_start():
    at = new_app("tong_quan", params={"ky": "tuy_chon", "tu": "1999-01-01", "den": "1999-12-31"})
    no_errors(at)
    assert len(at.warning) == 2
    assert (at.date_input(key="tu").value, at.date_input(key="den").value) == (FIRST, FIRST)


@pytest.mark.browser
def test_a_phishing_link_in_the_url_is_shown_as_text_in_a_real_browser(server, browser):
    """Issue 24.3 in chromium: no link to evil.example, no bold, colour or formula in the warnings; the
    values are there to read as typed."""
    from urllib.parse import urlencode

    query = urlencode({"don_vi": PHISH, "nam": "**x**", "cau_truc": ":red[x]", "to_mau": "$x$ www.evil.example"})
    page, _ = open_page(browser, f"{server}/?{query}", "Hồ sơ tiếp nhận", '[data-testid="stAlertContentWarning"]')
    try:
        assert page.locator('a[href*="evil.example"]').count() == 0
        alerts = page.locator('[data-testid="stAlertContentWarning"]')
        text = " ".join(alerts.all_inner_texts())
        for typed in (f"don_vi={PHISH}", "nam=**x**", "cau_truc=:red[x]", "to_mau=$x$ www.evil.example"):
            assert typed in text
        assert page.locator('[data-testid="stAlertContentWarning"] :is(a, strong, em, .katex, span[style*="color"])'
                            ).count() == 0
    finally:
        page.close()
