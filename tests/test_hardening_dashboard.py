"""Hardening, second round (issue 24), on the dashboard: values of a link shown as typed (item 3), custom
dates far outside the data (item 4). AppTest on the sample warehouse, then a real browser."""

from __future__ import annotations

import datetime as dt

import pytest

from dashboard.formatting import literal
from tests.dashboard_fixtures import FILTERED_PAGE_FILES, new_app, no_errors
from tests.test_browser import browser, open_page, server  # noqa: F401 (fixtures)

PAGES = FILTERED_PAGE_FILES
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
    assert [w.value for w in at.warning if "đường dẫn" in w.value] == [
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


# ------------------------------------------------------------------ item 5: the SQL explorer
REFUSED = ("Không được dùng «{}»: Khám phá chỉ đọc các bảng của kho dữ liệu (danh sách bên phải); bảng hệ thống, "
           "hàm đọc tệp và hàm cho biết đường dẫn, cấu hình của máy chủ bị từ chối.")


@pytest.fixture(scope="module")
def db():
    from tests.dashboard_fixtures import dashboard_db
    return str(dashboard_db())


@pytest.mark.parametrize("query,name", [
    ("select * from query('from duckdb_'||'databases()')", "query"),
    ("select name, setting from pg_settings where setting like '%/%'", "duckdb_settings"),
    ("with s as (select * from pg_settings) select count(*) from s", "duckdb_settings"),
    ("select 1 where exists (select * from duckdb_databases())", "duckdb_databases"),
    ("select * from information_schema.tables", "duckdb_tables"),
    ("select * from query_table(['dossiers'])", "query_table"),
    ("select \"CURRENT_SETTING\"('secret_directory')", "current_setting"),
    ("select * from read_text('/etc/passwd')", "read_text"),
    ("select * from glob('/*')", "glob"),
])
def test_the_explorer_refuses_what_the_query_binds_not_what_it_spells(db, query, name):
    """Issue 24.5: a name built from strings inside query(), or a system view, read the warehouse's path
    and the server's settings past a check of the text."""
    from dashboard import sandbox

    with pytest.raises(sandbox.SandboxError) as refused:
        sandbox.run(db, query)
    assert str(refused.value) == REFUSED.format(name)


def test_the_explorer_still_reads_the_warehouse_views_ctes_and_computed_rows(db):
    from dashboard import sandbox
    from tests.dashboard_fixtures import sql_one

    query = ("with v(x) as (values (1), (2)) select (select count(*) from era_2025.dossiers) n, "
             "(select count(*) from range(3)) r, (select sum(x) from v) s")
    assert sandbox.run(db, query).frame.row(0) == (sql_one("SELECT count(*) FROM era_2025.dossiers", era="2025"), 3, 3)


def test_lists_blobs_maps_and_intervals_are_shown_as_text(db):
    """Issue 24.5: ``select [1,2]``, a blob or a MAP crashed the page in write_csv; ``interval 3 day`` was
    reported as needing too much memory."""
    from dashboard import sandbox

    frame = sandbox.run(db, "select [1,2] l, '\\x00'::blob b, map([1],[2]) m, interval 3 day i, {'a': 1} s").frame
    assert frame.row(0) == ("[1, 2]", "\\x00", "{1=2}", "3 days", "{'a': 1}")


def test_the_explorer_page_shows_and_exports_such_columns(db):
    at = new_app("kham_pha")
    at.text_area(key="sql_text").set_value("select [1,2] l, map([1],[2]) m, interval 3 day i").run()
    at.button(key="sql_run").click().run()
    no_errors(at)
    shown = [d.value for d in at.dataframe if "l" in d.value.columns]
    assert shown[0].to_dict("records") == [{"l": "[1, 2]", "m": "{1=2}", "i": "3 days"}]


def test_a_child_that_dies_is_not_said_to_need_memory():
    from dashboard import sandbox

    assert sandbox._died(1, b"Traceback ...\nValueError: x") == (
        "Truy vấn dừng bất thường (mã 1) mà không có kết quả; hãy thử câu lệnh đơn giản hơn.")
    assert sandbox._died(1, b"MemoryError") == "Truy vấn cần quá nhiều bộ nhớ (giới hạn 3.072 MB) và đã bị dừng."


SLOW = "SELECT levenshtein(repeat('a',150000), repeat('b',150000)||'c')"


def test_one_query_per_session_and_a_few_in_all(db):
    """Issue 24.5: six queries at once took the server to 8.4 GB. With two allowed, a third session is
    told the server is busy, and a session whose query runs is told to wait for it."""
    import threading
    import time

    from dashboard import sandbox

    answers: dict[str, object] = {}

    def slow(owner: str) -> None:
        try:
            answers[owner] = sandbox.run(db, SLOW, timeout_s=4, owner=owner, max_running=2)
        except sandbox.SandboxError as exc:
            answers[owner] = str(exc)

    threads = [threading.Thread(target=slow, args=(o,)) for o in ("a", "b")]
    for t in threads:
        t.start()
    deadline = time.time() + 3
    while len(sandbox._running) < 2 and time.time() < deadline:
        time.sleep(0.05)
    with pytest.raises(sandbox.SandboxError) as busy:
        sandbox.run(db, "SELECT 1", owner="c", max_running=2)
    assert str(busy.value) == ("Máy chủ đang bận: đã có 2 truy vấn đang chạy (tối đa 2 cùng lúc). "
                               "Hãy thử lại sau ít giây.")
    with pytest.raises(sandbox.SandboxError) as again:
        sandbox.run(db, "SELECT 1", owner="a", max_running=5)
    assert str(again.value) == ("Đang bận: truy vấn trước của bạn vẫn đang chạy. Hãy chờ nó xong (tối đa 10 giây) "
                                "rồi chạy lại.")
    for t in threads:
        t.join()
    assert answers == {"a": "Truy vấn chạy quá 4 giây và đã bị dừng.", "b": "Truy vấn chạy quá 4 giây và đã bị dừng."}
    assert sandbox._running == []
    assert sandbox.run(db, "SELECT 1 AS x", owner="c", max_running=2).frame.item() == 1


def test_the_explorer_page_says_the_server_is_busy(db):
    """The page passes the configured limit (config/dvcq.toml: 2): with two queries running elsewhere,
    pressing «Chạy truy vấn» says so."""
    from dashboard import sandbox

    at = new_app("kham_pha")
    with sandbox._slot("other-1", None), sandbox._slot("other-2", None):
        at.button(key="sql_run").click().run()
    assert [e.value for e in at.error] == [
        "Máy chủ đang bận\\: đã có 2 truy vấn đang chạy \\(tối đa 2 cùng lúc\\)\\. Hãy thử lại sau ít giây\\."]
