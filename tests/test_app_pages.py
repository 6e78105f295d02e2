"""AppTest for every dashboard page on the sample warehouse: runs, shows its key elements, and a filter
change changes the figures shown (checked against an independent SQL count)."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from dashboard.formatting import fmt_int
from schemas.catalog import FLAG_KINDS_SHORT
from tests.dashboard_fixtures import browser_cookie, dashboard_db, metric, new_app, no_errors, session_cookie, sql_one

IN_DISTRICT = "JOIN admin_units u USING (commune_code) WHERE u.district_code = ?"


@pytest.fixture(scope="module")
def latest() -> dt.date:
    return sql_one("SELECT max(received_date) FROM dossiers")


def _busiest_district(year: int) -> str:
    return sql_one("SELECT u.district_code FROM dossiers d JOIN admin_units u USING (commune_code) "
                   "WHERE year(received_date) = ? GROUP BY 1 ORDER BY count(*) DESC LIMIT 1", year)


def test_overview_cards_follow_district(latest):
    at = new_app("tong_quan")
    no_errors(at)
    assert at.title[0].value == "Tổng quan"
    assert [t.label for t in at.tabs] == ["Xếp hạng", "Bản đồ", "Xu hướng theo tháng"]
    assert [chart_title(c) for c in at.get("plotly_chart")] == [  # the ranking alone: map and trend wait
        "Xếp hạng các địa bàn huyện cũ theo điểm tổng hợp"]
    year = latest.year
    total = sql_one("SELECT count(*) FROM dossiers WHERE year(received_date) = ?", year)
    assert metric(at, "Hồ sơ tiếp nhận") == fmt_int(total)
    district = _busiest_district(year)
    at.selectbox(key="huyen").set_value(district).run()
    no_errors(at)
    expected = sql_one(f"SELECT count(*) FROM dossiers {IN_DISTRICT} AND year(received_date) = ?", district, year)
    assert expected != total
    assert metric(at, "Hồ sơ tiếp nhận") == fmt_int(expected)


def chart_title(chart) -> str:
    """A plotly chart's title, without its subtitle."""
    return json.loads(chart.proto.spec)["layout"]["title"]["text"].split("<br>")[0]


def test_overview_map_and_trend_open_in_their_tabs():
    """The map and the trend are built when their tab is opened; the map's colour is kept in the link,
    survives a visit to another tab, and a link that names it opens the map."""
    at = new_app("tong_quan")
    at.session_state["tong_quan_tab"] = "Bản đồ"
    at.run()
    no_errors(at)
    assert [chart_title(c) for c in at.get("plotly_chart")] == ["Bản đồ các xã theo điểm tổng hợp"]
    at.selectbox(key="url_to_mau").set_value("biet_noi").run()
    assert at.query_params["to_mau"] == "biet_noi"
    at.session_state["tong_quan_tab"] = "Xu hướng theo tháng"
    at.run()
    no_errors(at)
    assert [chart_title(c) for c in at.get("plotly_chart")] == ["Xu hướng theo tháng của các tỷ lệ chính (%)"]
    at.session_state["tong_quan_tab"] = "Bản đồ"
    at.run()
    assert [chart_title(c) for c in at.get("plotly_chart")] == ["Bản đồ các xã theo biết nói dân hiểu (%)"]
    linked = new_app("tong_quan", params={"to_mau": "biet_noi"})
    no_errors(linked)
    assert [chart_title(c) for c in linked.get("plotly_chart")] == ["Bản đồ các xã theo biết nói dân hiểu (%)"]


def test_overview_period_change(latest):
    at = new_app("tong_quan")
    at.selectbox(key="ky").set_value("quy").run()
    q = (latest.month - 1) // 3 + 1
    at.selectbox(key="quy").set_value(f"{latest.year}-Q{q}").run()
    no_errors(at)
    start = dt.date(latest.year, 3 * q - 2, 1)
    expected = sql_one("SELECT count(*) FROM dossiers WHERE received_date BETWEEN ? AND ?", start, latest)
    assert metric(at, "Hồ sơ tiếp nhận") == fmt_int(expected)


def test_compare_table_follows_period(latest):
    at = new_app("so_sanh")
    no_errors(at)
    assert len(at.get("plotly_chart")) >= 2  # heatmap + side-by-side
    year = latest.year - 1
    at.selectbox(key="nam").set_value(str(year)).run()
    at.selectbox(key="url_chi_so").set_value("khong_tre_hen").run()
    no_errors(at)
    # The detail table (the ranking of all communes comes first and has no indicator column).
    table = next(df.value for df in at.dataframe if "Chỉ số" in df.value.columns)
    assert list(table.columns)[:4] == ["Đơn vị", "Chỉ số", "Tử số", "Mẫu số"]
    district = _busiest_district(year)
    name = sql_one("SELECT any_value(district_name) FROM admin_units WHERE district_code = ?", district)
    row = table[table["Đơn vị"] == name].iloc[0]
    # In time: returned on or before the due date (the sample's exports without a due date report it).
    on_time = sql_one(f"SELECT count(*) FROM dossiers {IN_DISTRICT} AND status = 'completed' AND year(completed_date) = ? "
                      "AND COALESCE(completed_date <= due_date, reported_timeliness IN ('early', 'on_time'))",
                      district, year)
    done = sql_one(f"SELECT count(*) FROM dossiers {IN_DISTRICT} AND status = 'completed' AND "
                   "year(completed_date) = ?", district, year)
    assert (row["Tử số"], row["Mẫu số"]) == (fmt_int(on_time), fmt_int(done))


def test_unit_page_scorecard_and_drilldown(latest):
    at = new_app("don_vi")
    no_errors(at)
    assert "Hãy chọn" in at.info[0].value  # asks for a unit, with links
    district = _busiest_district(latest.year)
    at.selectbox(key="huyen").set_value(district).run()
    no_errors(at)
    assert metric(at, "Điểm tổng hợp") != "N/A"
    assert [b.label for b in at.get("download_button")].count("Tải báo cáo (.docx)") == 1  # the written report
    at.selectbox(key="url_chi_so").set_value("khong_tre_hen").run()
    no_errors(at)
    done = sql_one(f"SELECT count(*) FROM dossiers {IN_DISTRICT} AND status = 'completed' AND "
                   "year(completed_date) = ?", district, latest.year)
    records = at.dataframe[-1].value
    assert len(records) == done
    assert "Mã hồ sơ" in records.columns and "Người nộp" not in records.columns
    assert not any("applicant" in c for c in records.columns)


def test_backlog_follows_district(latest):
    at = new_app("ton_dong")
    no_errors(at)
    as_of = latest  # default as-of: end of the latest year, capped at the latest data date
    total = sql_one("SELECT count(*) FROM dossiers WHERE status = 'pending' AND due_date < ?", as_of)
    assert metric(at, "Hồ sơ quá hạn") == fmt_int(total)
    district = sql_one("SELECT u.district_code FROM dossiers d JOIN admin_units u USING (commune_code) WHERE "
                       "status = 'pending' AND due_date < ? GROUP BY 1 ORDER BY count(*) DESC LIMIT 1", as_of)
    at.selectbox(key="huyen").set_value(district).run()
    no_errors(at)
    expected = sql_one(f"SELECT count(*) FROM dossiers {IN_DISTRICT} AND status = 'pending' AND due_date < ?",
                       district, as_of)
    assert metric(at, "Hồ sơ quá hạn") == fmt_int(expected)
    assert len(at.get("download_button")) == 3, "XLSX exports (per commune, the list, due soon) missing"
    summary = next(df.value for df in at.dataframe if "Quá hạn từ ngày" in df.value.columns)
    assert sum(int(x.replace(".", "")) for x in summary["Hồ sơ quá hạn"]) == expected
    table = next(df.value for df in at.dataframe if "Số ngày làm việc quá hạn" in df.value.columns)
    days = [int(x.replace(".", "")) for x in table["Số ngày làm việc quá hạn"]]
    assert days == sorted(days, reverse=True)  # oldest first


def test_flags_filter_by_kind(latest):
    at = new_app("canh_bao")
    no_errors(at)
    units = at.dataframe[0].value
    kinds = units[list(FLAG_KINDS_SHORT.values())]  # one column per kind of flag, "Không gửi số liệu" included
    # units that did not send what they must come first; then more kinds of flag, then more flags
    silent = (units[FLAG_KINDS_SHORT["missing"]] != "0").tolist()
    assert silent == sorted(silent, reverse=True) and silent[0] and not silent[-1]
    senders = units[[not s for s in silent]]
    severity = list(zip((kinds[[not s for s in silent]] != "0").sum(axis=1),
                        senders["Số cảnh báo"].map(lambda x: int(x.replace(".", "")))))
    assert severity == sorted(severity, reverse=True) and severity[0] > severity[-1]  # most severe first
    assert units["Thứ tự"].tolist() == [fmt_int(i) for i in range(1, len(units) + 1)]
    at.multiselect(key="url_loai").set_value(["rule"]).run()
    at.multiselect(key="url_chi_so").set_value(["pending_overdue"]).run()
    no_errors(at)
    expected = sql_one("SELECT count(DISTINCT commune_code) FROM dossiers WHERE status = 'pending' AND due_date < ? "
                       "AND received_date <= ?", latest, latest)
    assert metric(at, "Vi phạm quy định") == fmt_int(expected)
    assert len(at.dataframe[0].value) == expected
    assert at.query_params["loai"] == "rule" and at.query_params["chi_so"] == "pending_overdue"
    reasons = [line for m in at.markdown for line in m.value.splitlines() if line.startswith("- *Vi phạm quy định*")]
    assert len(reasons) == expected and all("Hồ sơ đang giải quyết đã quá hạn" in r for r in reasons)
    assert at.get("download_button"), "XLSX export of the warnings missing"


def test_petitions_page_follows_district(latest):
    at = new_app("don_thu")
    no_errors(at)
    district = sql_one("SELECT u.district_code FROM dialogues d JOIN admin_units u USING (commune_code) "
                       "WHERE year(dialogue_date) = ? GROUP BY 1 ORDER BY count(*) DESC LIMIT 1", latest.year)
    at.selectbox(key="huyen").set_value(district).run()
    no_errors(at)
    expected = sql_one(f"SELECT count(*) FROM petitions {IN_DISTRICT} AND year(received_date) = ?", district,
                       latest.year)
    assert metric(at, "Đơn thư nhận trong kỳ") == fmt_int(expected)
    dialogues = sql_one(f"SELECT count(*) FROM dialogues {IN_DISTRICT} AND year(dialogue_date) = ?", district,
                        latest.year)
    assert dialogues > 0 and metric(at, "Hội nghị đối thoại") == fmt_int(dialogues)


def test_explore_sql_and_builder(latest):
    at = new_app("kham_pha")
    no_errors(at)
    at.text_area(key="sql_text").set_value("SELECT count(*) AS n FROM petitions -- mọi đơn thư").run()
    assert not [df for df in at.dataframe if list(df.value.columns) == ["n"]]   # typing runs nothing
    at.button(key="sql_run").click().run()
    no_errors(at)
    n = sql_one("SELECT count(*) FROM main.petitions")
    answers = [df.value for df in at.dataframe if list(df.value.columns) == ["n"]]
    assert len(answers) == 1 and answers[0]["n"].tolist() == [fmt_int(n)]
    at.selectbox(key="b_table").set_value("petitions").run()
    at.multiselect(key="b_group").set_value(["kind"]).run()
    no_errors(at)
    grouped = [df.value for df in at.dataframe if "Loại đơn" in df.value.columns]
    assert len(grouped) == 1
    kinds = dict(zip(grouped[0]["Loại đơn"], grouped[0]["Đếm số bản ghi"]))
    complaints = sql_one("SELECT count(*) FROM petitions WHERE kind = 'complaint' AND year(received_date) = ?",
                         latest.year)  # the builder follows the sidebar: the latest year, whole province
    assert kinds["complaint"] == fmt_int(complaints)


def test_explore_refuses_file_access():
    at = new_app("kham_pha")
    at.text_area(key="sql_text").set_value("SELECT * FROM read_csv('/etc/passwd')").run()
    at.button(key="sql_run").click().run()
    assert not at.exception
    # refused from its plan before the sandboxed connection would refuse it (markdown-escaped in the box)
    assert [e.value for e in at.error] == [
        "Không được dùng «read\\_csv»\\: Khám phá chỉ đọc các bảng của kho dữ liệu \\(danh sách bên phải\\); bảng hệ "
        "thống, hàm đọc tệp và hàm cho biết đường dẫn, cấu hình của máy chủ bị từ chối\\."]


def test_data_page_freshness_follows_district():
    at = new_app("du_lieu")
    no_errors(at)
    files = sql_one("SELECT count(*) FROM ingest_log")
    assert metric(at, "Số tệp/trang tính") == fmt_int(files)
    district = sql_one("SELECT u.district_code FROM dossiers JOIN admin_units u USING (commune_code) GROUP BY 1 "
                       "ORDER BY count(DISTINCT commune_code) DESC LIMIT 1")
    at.selectbox(key="huyen").set_value(district).run()
    no_errors(at)
    sent = sql_one("SELECT count(DISTINCT commune_code) FROM (SELECT commune_code FROM dossiers UNION ALL "
                   "SELECT commune_code FROM letters UNION ALL SELECT commune_code FROM petitions UNION ALL "
                   "SELECT commune_code FROM dialogues UNION ALL SELECT commune_code FROM surveys) "
                   f"{IN_DISTRICT}", district)
    total = sql_one("SELECT count(*) FROM admin_units WHERE district_code = ?", district)
    assert metric(at, "Xã đã gửi dữ liệu") == f"{fmt_int(sent)}/{fmt_int(total)}"


def test_empty_warehouse_explains(tmp_path, monkeypatch):
    from streamlit.testing.v1 import AppTest

    from tests.dashboard_fixtures import REPO
    dashboard_db()
    monkeypatch.setenv("DVCQ_DB", str(tmp_path / "none.duckdb"))
    for page in ("tong_quan", "ton_dong", "du_lieu"):
        browser_cookie(session_cookie("quan_tri", tmp_path / "none.duckdb"))
        at = AppTest.from_file(str(REPO / "dashboard" / "app.py"), default_timeout=60).run()
        if page != "tong_quan":
            at.switch_page(f"pages/{page}.py").run()
        assert not at.exception
        assert any("Chưa có kho dữ liệu" in i.value for i in at.info)


def test_warm_up_computes_the_builders_first_table():
    """The query the warm-up runs for Khám phá is the one its builder runs when the page opens, so the
    first visitor finds the table in the shared cache."""
    from dashboard import explore, filters

    at = new_app("kham_pha")
    no_errors(at)
    shown = [c.value for c in at.code if c.value.lstrip().upper().startswith("SELECT")]
    assert shown == [explore.default_query(filters.default_filters())]


def test_explore_builder_follows_the_sidebar(latest):
    """The no-code builder counts the sidebar's period and district unless the user turns that off."""
    at = new_app("kham_pha")
    at.selectbox(key="b_table").set_value("petitions").run()
    at.multiselect(key="b_group").set_value([]).run()
    no_errors(at)
    year = latest.year
    in_year = sql_one("SELECT count(*) FROM petitions WHERE year(received_date) = ?", year)
    assert builder_count(at) == fmt_int(in_year)
    district = _busiest_district(year)
    at.selectbox(key="huyen").set_value(district).run()
    no_errors(at)
    in_district = sql_one(f"SELECT count(*) FROM petitions {IN_DISTRICT} AND year(received_date) = ?", district, year)
    assert in_district != in_year
    assert builder_count(at) == fmt_int(in_district)
    at.toggle(key="b_scope").set_value(False).run()
    everything = sql_one("SELECT count(*) FROM petitions")
    assert builder_count(at) == fmt_int(everything)


def builder_count(at) -> str:
    """The one cell of the builder's ungrouped count."""
    tables = [df.value for df in at.dataframe if list(df.value.columns) == ["Đếm số bản ghi"]]
    assert len(tables) == 1 and len(tables[0]) == 1
    return tables[0].iloc[0, 0]


def test_indicator_explanations_come_from_the_config():
    """The 'how each indicator is computed' box says, for every rate, what the configuration file says."""
    from schemas.config import ALL_RATES, load_config

    at = new_app("tong_quan")
    no_errors(at)
    box = next(e for e in at.expander if e.label == "Cách tính các chỉ số (theo tệp cấu hình)")
    assert not box.markdown  # closed: its text is written when it is opened
    at.session_state["cach_tinh"] = True
    at.run()
    no_errors(at)
    box = next(e for e in at.expander if e.label == "Cách tính các chỉ số (theo tệp cấu hình)")
    text = "\n".join(m.value for m in box.markdown)
    config = load_config()
    assert ALL_RATES
    for name in ALL_RATES:
        indicator = config.indicators[name]
        assert f"**{indicator.label}**" in text and indicator.explanation.strip() in text, name


@pytest.mark.parametrize("era,year,cap,group", [("2025", "2026", "area", "area"), ("2025", "2026", "district", "area"),
                                                 ("legacy", "2024", "area", "district")])
def test_flags_level_in_the_link_takes_either_word(era, year, cap, group):
    """Issue 19: ``cap=area`` (the 2025 word, as in ``dvcq flags --level area``) was refused. Either word
    for the grouping above communes opens it in the view's structure, named as that structure names it,
    and lists the flagged groupings (none of them a commune)."""
    at = new_app("canh_bao", params={"ky": "nam", "nam": year, "cau_truc": era, "cap": cap})
    no_errors(at)
    assert [w.value for w in at.warning] == []
    radio = next(r for r in at.radio if r.label == "Cấp")
    assert radio.value == group and at.query_params["cap"] == group
    listed = set(at.dataframe[0].value["Đơn vị"])
    groupings = set(sql_one("SELECT list(DISTINCT district_name) FROM admin_units", era=era))
    assert listed and listed <= groupings


def test_flags_level_unknown_word_is_said():
    """A word that names no level is said in a warning and the commune level shown."""
    at = new_app("canh_bao", params={"ky": "nam", "nam": "2026", "cap": "tinh"})
    assert any("cap=tinh" in w.value for w in at.warning)
    assert next(r for r in at.radio if r.label == "Cấp").value == "commune"
