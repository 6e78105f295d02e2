"""Links: a URL with codes opens exactly the view it names on every page, the URL follows the widgets,
and a value that names nothing is said. Pure parsing first, then AppTest on the sample warehouse."""

from __future__ import annotations

import datetime as dt

import pytest

from dashboard import links
from dashboard.formatting import fmt_int
from tests.dashboard_fixtures import FILTERED_PAGE_FILES, metric, new_app, no_errors, sql_one

OPTIONS = {"nam": ["2026", "2025", "2024"], "quy": ["2026-Q3", "2025-Q2", "2024-Q4"], "thang": ["2026-09", "2025-03"]}
FIRST, LAST = dt.date(2023, 7, 1), dt.date(2026, 9, 30)
PAGES = FILTERED_PAGE_FILES


def test_period_parameters_read_back_as_written():
    for kind, value in (("nam", "2024"), ("quy", "2025-Q2"), ("thang", "2025-03")):
        params = links.period_parameters(kind, value, dt.date(2000, 1, 1), dt.date(2000, 1, 1),
                                         dt.date(2025, 5, 31), "legacy", "392")
        read = links.read_period(params, OPTIONS, FIRST, LAST)
        assert (read.kind, read.values[kind], read.as_of, read.structure, read.problems) == \
            (kind, value, dt.date(2025, 5, 31), "legacy", [])
    custom = links.period_parameters("tuy_chon", None, dt.date(2024, 2, 1), dt.date(2024, 5, 31), None, "auto", None)
    assert custom == {"ky": "tuy_chon", "tu": "2024-02-01", "den": "2024-05-31"}
    read = links.read_period(custom, OPTIONS, FIRST, LAST)
    assert (read.date_from, read.date_to, read.as_of, read.problems) == (dt.date(2024, 2, 1), dt.date(2024, 5, 31),
                                                                          None, [])


@pytest.mark.parametrize("params,words", [
    ({"ky": "tuan"}, "«`ky=tuan`», không phải một loại kỳ"),
    ({"nam": "2030"}, "Không có dữ liệu trong năm 2030"),
    ({"nam": "Năm 2024"}, "«`nam=Năm 2024`», không đúng dạng (ví dụ nam=2025)"),
    ({"ky": "quy", "quy": "2025-Q5"}, "«`quy=2025-Q5`», không đúng dạng"),
    ({"ky": "thang", "thang": "2022-01"}, "Không có dữ liệu trong tháng 01/2022"),
    ({"ky": "tuy_chon", "tu": "31/01/2025"}, "«`tu=31/01/2025`», không phải một ngày dạng 2025-01-31"),
    ({"ky": "tuy_chon", "tu": "2025-06-01", "den": "2025-01-01"}, "đã đổi chỗ hai ngày"),
    ({"ngay": "hôm nay"}, "«`ngay=hôm nay`», không phải một ngày"),
    ({"cau_truc": "moi"}, "«`cau_truc=moi`»"),
])
def test_each_bad_period_value_is_said_and_falls_back(params, words):
    read = links.read_period(params, OPTIONS, FIRST, LAST)
    assert len(read.problems) == 1 and words in read.problems[0]
    assert read.kind in links.PERIOD_KINDS and read.structure in links.STRUCTURES
    assert read.values["nam"] in OPTIONS["nam"]


def test_unit_by_code_by_unique_name_or_said():
    districts = {"392": "Huyện Hà Trung", "393": "Huyện Nga Sơn"}
    communes = {"15271": ("Thị trấn Hà Trung", "392"), "15274": ("Xã Hà Hải", "392"), "15300": ("Xã Hà Hải", "393")}
    assert links.read_unit({"don_vi": "392"}, districts, communes, "Cấu trúc cũ") == ("392", None, [])
    assert links.read_unit({"don_vi": "15271"}, districts, communes, "Cấu trúc cũ") == ("392", "15271", [])
    assert links.read_unit({"don_vi": "huyen ha trung"}, districts, communes, "Cấu trúc cũ") == ("392", None, [])
    *_, unknown = links.read_unit({"don_vi": "99999"}, districts, communes, "Cấu trúc cũ")
    assert "«`don_vi=99999`» nhưng không có đơn vị này trong cấu trúc cũ" in unknown[0]
    *_, twice = links.read_unit({"don_vi": "Xã Hà Hải"}, districts, communes, "Cấu trúc cũ")
    assert "nhiều đơn vị cùng tên này" in twice[0]
    assert links.unknown_parameters({"ky": "nam", "huyenn": "1", "loai": "rule"}) == [
        "Đường dẫn có tham số không dùng: «`huyenn`»; đã bỏ qua."]


# ------------------------------------------------------------------ the pages
@pytest.fixture(scope="module")
def linked_view():
    """Non-default values everywhere: a quarter of the year before the latest, the legacy structure,
    the busiest district of that quarter by code, an as-of day inside the quarter."""
    year = sql_one("SELECT year(max(received_date)) - 1 FROM dossiers", era="legacy")
    district = sql_one("SELECT u.district_code FROM dossiers d JOIN admin_units u USING (commune_code) "
                       "WHERE d.received_date BETWEEN ? AND ? GROUP BY 1 ORDER BY count(*) DESC LIMIT 1",
                       dt.date(year, 4, 1), dt.date(year, 6, 30), era="legacy")
    return {"ky": "quy", "quy": f"{year}-Q2", "cau_truc": "legacy", "ngay": f"{year}-05-31", "don_vi": district}


def open_link(page: str, params: dict[str, str]):
    at = new_app(page, params=params)
    no_errors(at)
    return at


@pytest.mark.parametrize("page", PAGES)
def test_every_page_opens_the_linked_view(page, linked_view):
    at = open_link(page, linked_view)
    # nothing the link says is refused (a page's own findings, e.g. silent communes on Dữ liệu, may warn)
    assert not [w.value for w in at.warning if "đường dẫn" in w.value or "«`" in w.value]
    assert at.selectbox(key="ky").value == "quy" and at.selectbox(key="quy").value == linked_view["quy"]
    assert at.selectbox(key="cau_truc").value == "legacy"
    assert at.selectbox(key="huyen").value == linked_view["don_vi"]
    assert at.toggle(key="cuoi_ky").value is False
    assert at.date_input(key="ngay").value == dt.date.fromisoformat(linked_view["ngay"])
    assert dict(at.query_params) == linked_view
    quarter = f"Quý 2/{linked_view['quy'][:4]}"
    if page != "du_lieu":
        assert quarter in at.caption[0].value and "cấu trúc cũ" in at.caption[0].value


def test_the_linked_view_drives_the_figures(linked_view):
    at = open_link("tong_quan", linked_view)
    year = int(linked_view["quy"][:4])
    expected = sql_one("SELECT count(*) FROM dossiers d JOIN admin_units u USING (commune_code) "
                       "WHERE u.district_code = ? AND d.received_date BETWEEN ? AND ?", linked_view["don_vi"],
                       dt.date(year, 4, 1), dt.date(year, 6, 30), era="legacy")
    assert metric(at, "Hồ sơ tiếp nhận") == fmt_int(expected)


def test_the_url_follows_the_widgets(linked_view):
    at = open_link("ton_dong", linked_view)
    code = next(c for c in sql_one("SELECT list(commune_code ORDER BY commune_code) FROM admin_units "
                                   "WHERE district_code = ?", linked_view["don_vi"], era="legacy"))
    at.selectbox(key="xa").set_value(code).run()
    no_errors(at)
    assert at.query_params["don_vi"] == code
    at.toggle(key="cuoi_ky").set_value(True).run()
    assert "ngay" not in at.query_params
    at.selectbox(key="ky").set_value("tuy_chon").run()
    assert at.query_params["ky"] == "tuy_chon" and "tu" in at.query_params and "den" in at.query_params
    custom = {"ky": "tuy_chon", "tu": "2024-02-01", "den": "2024-05-31", "cau_truc": "legacy"}
    again = open_link("don_thu", custom)
    assert at.date_input(key="tu").value <= at.date_input(key="den").value
    assert (again.date_input(key="tu").value, again.date_input(key="den").value) == (dt.date(2024, 2, 1),
                                                                                     dt.date(2024, 5, 31))
    assert dict(again.query_params) == custom


def test_a_page_switch_keeps_the_view(linked_view):
    at = open_link("tong_quan", linked_view)
    at.switch_page("pages/canh_bao.py").run()
    no_errors(at)
    assert at.selectbox(key="quy").value == linked_view["quy"] and at.selectbox(key="huyen").value == \
        linked_view["don_vi"]
    assert at.toggle(key="cuoi_ky").value is False


def test_values_that_name_nothing_are_said():
    at = open_link("tong_quan", {"ky": "nam", "nam": "2030", "don_vi": "99999", "cau_truc": "legacy", "x": "1"})
    said = " ".join(w.value for w in at.warning)
    for words in ("nam=2030", "don_vi=99999", "«`x`»"):
        assert words in said
    assert at.selectbox(key="huyen").value is None


def test_page_controls_round_trip(linked_view):
    at = open_link("canh_bao", linked_view | {"cap": "district", "loai": "rule,below_target"})
    assert not at.warning, [w.value for w in at.warning]
    assert at.radio(key="url_cap").value == "district"
    assert at.multiselect(key="url_loai").value == ["rule", "below_target"]
    assert at.query_params["cap"] == "district" and at.query_params["loai"] == "rule,below_target"
    bad = open_link("canh_bao", {"loai": "rule,xyz"})
    assert any("«`loai=rule,xyz`»: `xyz` không có" in w.value for w in bad.warning)
    assert bad.multiselect(key="url_loai").value == ["rule"]


def test_compare_and_unit_page_controls_round_trip(linked_view):
    chosen = {"chi_so": "khong_tre_hen", "sap_xep": "gap", "giam_dan": "tang"}
    at = open_link("so_sanh", linked_view | chosen)
    assert not at.warning, [w.value for w in at.warning]
    assert (at.selectbox(key="url_chi_so").value, at.selectbox(key="url_sap_xep").value,
            at.radio(key="url_giam_dan").value) == ("khong_tre_hen", "gap", "tang")
    assert {k: at.query_params[k] for k in chosen} == chosen
    table = next(df.value for df in at.dataframe if "Chỉ số" in df.value.columns)
    assert set(table["Chỉ số"]) == {"Không trễ hẹn"}
    gaps = [float(v.replace(".", "").replace(",", ".")) - float(t.replace(",", "."))
            for v, t in zip(table["Giá trị (%)"], table["Chỉ tiêu (%)"]) if v != "N/A"]
    assert gaps == sorted(gaps)  # ascending gap, as linked
    unit = open_link("don_vi", linked_view | {"chi_so": "biet_xin_loi"})
    assert unit.selectbox(key="url_chi_so").value == "biet_xin_loi" and unit.query_params["chi_so"] == "biet_xin_loi"


def test_the_script_that_opens_a_unit_cannot_be_broken_out_of():
    """A chart click opens the unit with a script (Back then returns to the view left); the address it
    writes comes partly from the browser. Whatever it holds, the script ends once, where it should, and
    the address it sends the tab to is exactly the one given."""
    import json
    import re

    from dashboard.chrome import navigation_script

    address = 'don_vi?ky=nam&don_vi=</script><script>alert("x")</script>&t=\\u2028'
    script = navigation_script(address)
    assert script.count("</script>") == 1 and script.endswith("</script>") and script.count("<") == 2
    assert json.loads(re.search(r"pushState\({}, '', (\".*?\")\);", script).group(1)) == address
