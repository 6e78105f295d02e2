"""Each account reads only its scope, wherever the dashboard reads data (issue 21): every page, table, chart,
export and report of a commune's clerk holds nothing of another commune; an area's leader ranks every unit
but lists only its communes' records; the province's readers see no free text and no denunciation one by one
(counted all the same); the analysts read figures, never records. AppTest on the sample warehouse, signed in
through real sessions; every figure asserted is computed independently with SQL."""

from __future__ import annotations

import html
import io
import re
import zipfile

import pytest

from dashboard.formatting import fmt_int
from pipelines.access.scope import FREE_TEXT_COLUMNS, QUARANTINE_REFUSED, RECORDS_REFUSED, UNIT_REFUSED, OutOfScope
from schemas.access import ROLES
from schemas.vocabularies import VOCABULARIES
from tests import dashboard_fixtures
from tests.dashboard_fixtures import dashboard_db, metric, new_app, no_errors, sql_one

PAGE_FILE = {"trang_chu": "tong_quan"}  # a URL path that is not its page's file name
EXISTING_PATHS = set(dashboard_fixtures.PAGE_FILES) | set(PAGE_FILE)  # URL paths of the pages written so far


@pytest.fixture(autouse=True)
def _warehouse(monkeypatch):
    """The interface, called directly below, reads the sample warehouse as the pages do."""
    monkeypatch.setenv("DVCQ_DB", str(dashboard_db()))


def _units(role: str) -> list[str]:
    """The 2025 communes of the test account of ``role``."""
    from pipelines.cli.users import sample_plan

    _, plan = sample_plan(str(dashboard_db()))
    units = next(u for _, r, u in plan if r == role)
    return [row[0] for row in _rows("SELECT commune_code FROM admin_units WHERE commune_code = ANY(?) OR "
                                    "list_has_any(string_split(district_code, '+'), ?) ORDER BY 1", units, units)]


def _rows(query: str, *params) -> list[tuple]:
    import duckdb

    with duckdb.connect(str(dashboard_db()), read_only=True) as con:
        con.execute("SET search_path = 'era_2025,main'")
        return con.execute(query, list(params)).fetchall()


# ------------------------------------------------------------------ what a run shows, every string of it
def _strings(message, out: list[str]) -> None:
    """Every string field of a protobuf message and its sub-messages (labels, options, values, chart specs)."""
    for field, value in message.ListFields():
        values = list(value.values()) if hasattr(value, "keys") else list(value) if field.is_repeated else [value]
        for item in values:
            if isinstance(item, str):
                out.append(item)
            elif hasattr(item, "ListFields"):
                _strings(item, out)


def _nodes(node):
    yield node
    for child in getattr(node, "children", {}).values():
        yield from _nodes(child)


def shown_text(at) -> str:
    """Everything a run puts on the screen: every element's strings and every cell and header of its tables."""
    out: list[str] = []
    for node in _nodes(at._tree):
        if getattr(node, "proto", None) is not None:
            _strings(node.proto, out)
    for frame in at.dataframe:
        out += [str(c) for c in frame.value.columns] + [str(v) for v in frame.value.to_numpy().ravel()]
    return "\n".join(out)


def office_text(name: str, data: bytes) -> str:
    """The text of an XLSX (its shared and inline strings) or of a DOCX (paragraphs and table cells)."""
    if name.endswith(".docx"):
        from docx import Document

        doc = Document(io.BytesIO(data))
        cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
        return "\n".join([p.text for p in doc.paragraphs] + cells)
    book = zipfile.ZipFile(io.BytesIO(data))
    parts = [book.read(n).decode() for n in book.namelist() if n.startswith("xl/") and n.endswith(".xml")]
    return "\n".join(html.unescape(t) for part in parts for t in re.findall(r"<t[^>]*>([^<]*)</t>", part))


@pytest.fixture
def downloads(monkeypatch):
    """(file name, bytes) of every download button drawn, built by the very callable the button holds."""
    from streamlit.elements.widgets import button

    built: list[tuple[str, object]] = []
    marshall = button.marshall_file

    def capture(coordinates, data, proto, mimetype, file_name=None, **kwargs):
        built.append((file_name, data))
        return marshall(coordinates, data, proto, mimetype, file_name, **kwargs)

    monkeypatch.setattr(button, "marshall_file", capture)
    return built


# ------------------------------------------------------------------ every role, every page it may open
@pytest.mark.parametrize("role,path", [(role, path) for role, rights in ROLES.items() for path in rights.pages
                                       if path in EXISTING_PATHS])
def test_every_page_a_role_may_open_runs(role, path):
    """Its scope leaves each page something to draw, or says why: no exception, no refusal, no error (the
    quarantine, rows as sent, is refused to all but the administrators wherever a page still asks for it)."""
    at = new_app(PAGE_FILE.get(path, path), role=role)
    assert not at.exception, [e.value for e in at.exception]
    assert {e.value for e in at.error} <= ({QUARANTINE_REFUSED} if path == "du_lieu" else set())


# ------------------------------------------------------------------ xa: one commune, nothing of another
def _own_words(commune: str) -> list[str]:
    """Names a commune clerk's pages may hold: its commune's, its area's, the province's and those of the
    legacy communes merged into it (with their districts), longest first."""
    own = _rows("SELECT commune_name, district_name, province_name FROM admin_units WHERE commune_code = ?",
                commune)[0]
    legacy = _rows("SELECT l.commune_name, l.district_name FROM main.unit_successors s JOIN main.units_legacy l "
                   "ON l.commune_code = s.legacy_code WHERE s.code_2025 = ?", commune)
    words = {*own, *(w for row in legacy for w in row)}
    return sorted(words, key=len, reverse=True)


def _others(commune: str) -> list[tuple[str, str]]:
    """(code, name) of every other 2025 commune and of every area, the one holding the commune included
    (an area's figures are its other communes' too), unless the name is one of the commune's own words."""
    own = set(_own_words(commune))
    units = _rows("SELECT commune_code, commune_name FROM admin_units WHERE commune_code <> ? UNION "
                  "SELECT DISTINCT district_code, district_name FROM admin_units", commune)
    return [(code, name) for code, name in units if name not in own]


def leaks(text: str, commune: str) -> list[str]:
    """The other communes and areas ``text`` names: their names, once the commune's own words are taken out
    (a name inside another, "Sầm Sơn" in "Phường Sầm Sơn", is not another unit)."""
    for word in _own_words(commune):
        text = text.replace(word, "\0")
    return sorted({name for _, name in _others(commune) if re.search(rf"(?<!\w){re.escape(name)}(?!\w)", text)})


def chart_units(at) -> set[str]:
    """The unit codes the charts that open a unit on a click carry for it (``customdata[0]``)."""
    import json

    codes = set()
    for chart in at.get("plotly_chart"):
        spec = json.loads(chart.proto.spec)
        if "select" not in spec["layout"].get("clickmode", ""):
            continue
        for trace in spec["data"]:
            codes |= {row[0] for row in trace.get("customdata") or [] if isinstance(row, list) and row}
    return codes


def test_the_leak_check_finds_another_commune():
    """The check below can fail: another commune's name, even inside a sentence, is found."""
    xa, = _units("xa")
    _, other = _others(xa)[0]
    own = _own_words(xa)[0]
    assert leaks(f"{own} · {own}, {other}.", xa) == [other]
    assert leaks(f"{own} và tỉnh", xa) == []


def _month_with_due_soon(communes: list[str]) -> str:
    """A month (YYYY-MM) at whose end one of ``communes`` has items due soon and overdue, the latest such: a view
    in which every list and export of Tồn đọng is drawn."""
    from pipelines.engine.backlog import backlog_table, due_soon_table
    from pipelines.sql import InStructure
    from schemas.config import load_config
    import duckdb
    import datetime as dt

    with duckdb.connect(str(dashboard_db()), read_only=True) as con:
        last = con.execute("SELECT max(received_date) FROM main.dossiers").fetchall()[0][0]
        month = last.replace(day=1)
        for _ in range(36):
            end = min(last, (month + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1))
            soon = due_soon_table(InStructure(con, "2025"), load_config(), end, "commune")
            overdue = backlog_table(InStructure(con, "2025"), load_config(), end, "commune")
            if soon["commune_code"].is_in(communes).any() and overdue["commune_code"].is_in(communes).any():
                return f"{month:%Y-%m}"
            month = (month - dt.timedelta(days=1)).replace(day=1)
    raise AssertionError("no month with items due soon in these communes")


def test_a_commune_clerk_sees_nothing_of_another_commune(downloads):
    xa, = _units("xa")
    name = _rows("SELECT commune_name FROM admin_units WHERE commune_code = ?", xa)[0][0]
    view = {"ky": "thang", "thang": _month_with_due_soon([xa])}
    for path in ROLES["xa"].pages:
        at = new_app(PAGE_FILE.get(path, path), role="xa", params=view)
        assert not at.exception, (path, [e.value for e in at.exception])
        text = shown_text(at)
        assert name in text or path == "du_lieu", path  # the page is about its commune (the check has something)
        assert leaks(text, xa) == [], path
        assert chart_units(at) <= {xa, "38"}, path
        assert at.query_params.get("don_vi", xa) == xa
    assert {n.split("_")[0] for n, _ in downloads} >= {"the", "ton", "sap", "canh", "don"}  # every export drawn
    for file_name, build in downloads:
        data = build() if callable(build) else build
        assert leaks(office_text(file_name, data), xa) == [], file_name


def test_the_data_interface_is_the_lock_whatever_view_is_asked(latest, monkeypatch):
    """Asked for the whole province (no page of its asks so: its sidebar fixes its commune), every function of
    the interface gives a commune clerk its commune's rows and the province's, and refuses another commune."""
    from dashboard import access, data
    from schemas.config import load_config

    xa, = _units("xa")
    province = load_config().province_code
    other = _rows("SELECT min(commune_code) FROM dossiers WHERE commune_code <> ?", xa)[0][0]
    monkeypatch.setattr(access, "scope", lambda: _scope("xa"))
    period = _period(latest)
    by_commune = {
        "indicators": data.indicators("commune", period)["unit_code"],
        "measures": data.measures("commune", period)["unit_code"],
        "ranking": data.commune_ranking(period, None, None)["unit_code"],
        "map": data.commune_scores(period, None)["unit_code"],
        "trend": data.trend("commune", [xa, other], period.date_from, latest)["unit_code"],
        "flags": data.flags("commune", period)["unit_code"],
        "backlog": data.backlog_items(latest, None, None)["commune_code"],
        "backlog counted": data.backlog_counted(latest, None, None)["commune_code"],
        "due soon": data.due_soon_counted(latest, None, None)["commune_code"],
        "dialogues": data.dialogues(period, None, None)["commune_code"],
        "submissions": data.submissions(period.date_from, latest, None, None)["unit_code"],
        "freshness": data.freshness(None, None)["commune_code"],
        "drill-down": data.drill_down("khong_ne_tranh", "province", province, period)["commune_code"],
        "units offered": data.own_units()["commune_code"],
    }
    assert {name: sorted(set(codes) - {xa}) for name, codes in by_commune.items()} == {n: [] for n in by_commune}
    assert {name for name, codes in by_commune.items() if xa in set(codes)} >= {"indicators", "backlog counted",
                                                                                 "submissions", "freshness"}
    assert data.indicators("district", period).is_empty() and data.flags("district", period).is_empty()
    assert set(data.indicators("province", period)["unit_code"]) == {province}  # the one benchmark
    received = _rows("SELECT count(*) FROM petitions WHERE commune_code = ? AND received_date BETWEEN ? AND ?",
                     xa, period.date_from, latest)[0][0]
    assert data.petition_totals(data.petition_breakdown(period, None, None))["received"] == received
    for read in (lambda: data.backlog_items(latest, None, other), lambda: data.dialogues(period, None, other),
                 lambda: data.drill_down("khong_tre_hen", "commune", other, period),
                 lambda: data.backlog_items(latest, data.units().filter(commune_code=xa).item(0, "district_code"),
                                            None)):
        with pytest.raises(OutOfScope, match=UNIT_REFUSED):
            read()


# ------------------------------------------------------------------ dia_ban: ranks everyone, lists its own
OVERDUE_PETITIONS = ("SELECT count(*) FROM petition_facts WHERE received_date <= $1 AND due_date < $1 "
                     "AND (closed_date IS NULL OR closed_date > $1)")
OVERDUE_DOSSIERS = "SELECT count(*) FROM dossiers WHERE status = 'pending' AND due_date < $1"


def _names(communes: list[str]) -> set[str]:
    return {r[0] for r in _rows("SELECT commune_name FROM admin_units WHERE commune_code = ANY(?)", communes)}


def _table(at, header: str):
    """The first table that has ``header`` (a pandas frame of display strings)."""
    return next(df.value for df in at.dataframe if header in df.value.columns)


@pytest.fixture(scope="module")
def latest():
    return sql_one("SELECT max(received_date) FROM dossiers", era="2025")


def test_an_area_leader_ranks_every_unit(latest):
    import json

    own = _units("dia_ban")
    at = new_app("tong_quan", role="dia_ban")
    no_errors(at)
    total = _rows("SELECT count(*) FROM dossiers WHERE year(received_date) = ?", latest.year)[0][0]
    assert metric(at, "Hồ sơ tiếp nhận") == fmt_int(total)  # the province's figure, not its area's
    bars = {name for chart in at.get("plotly_chart") for trace in json.loads(chart.proto.spec)["data"]
            for name in trace.get("y") or []}
    elsewhere = {r[0] for r in _rows(
        "SELECT DISTINCT a.district_name FROM dossiers d JOIN admin_units a USING (commune_code) "
        "WHERE year(d.received_date) = ? AND NOT list_has_any([a.commune_code], ?)", latest.year, own)}
    assert elsewhere - _names(own) and elsewhere <= bars  # areas holding none of its communes, ranked
    report = at.download_button(key="report_province_38")  # the province's report lists every commune
    assert report.proto.disabled and "phụ trách" in report.help


def test_an_area_leader_lists_only_its_communes_records(latest):
    own = _units("dia_ban")
    names, others = _names(own), {r[0] for r in _rows("SELECT commune_name FROM admin_units")} - _names(own)
    at = new_app("ton_dong", role="dia_ban")
    no_errors(at)
    listed = set(_table(at, "Số ngày làm việc quá hạn")["Xã/phường"])
    assert listed and listed <= names
    assert metric(at, "Hồ sơ quá hạn") == fmt_int(_rows(OVERDUE_DOSSIERS + " AND commune_code = ANY($2)", latest,
                                                         own)[0][0])
    assert metric(at, "Đơn thư quá hạn") == fmt_int(_rows(OVERDUE_PETITIONS + " AND commune_code = ANY($2)", latest,
                                                           own)[0][0])
    flags = new_app("canh_bao", role="dia_ban")
    no_errors(flags)
    flagged = set(flags.dataframe[0].value["Đơn vị"])
    assert flagged and flagged <= names and not flagged & others
    year = _rows("SELECT max(year(dialogue_date)) FROM dialogues WHERE commune_code = ANY(?)", own)[0][0]
    petitions = new_app("don_thu", role="dia_ban", params={"nam": str(year)})
    no_errors(petitions)
    received = _rows("SELECT count(*) FROM petitions WHERE year(received_date) = ? AND commune_code = ANY(?)",
                     year, own)[0][0]
    assert metric(petitions, "Đơn thư nhận trong kỳ") == fmt_int(received)
    held = _rows("SELECT count(*) FROM dialogues WHERE year(dialogue_date) = ? AND commune_code = ANY(?)", year,
                 own)[0][0]
    assert metric(petitions, "Hội nghị đối thoại") == fmt_int(held)
    assert set(_table(petitions, "Xã/phường")["Xã/phường"]) <= names


def test_an_account_limited_to_units_reads_the_2025_structure(latest):
    """A link asking for the legacy structure is said, and the view stays in the one its units are named in."""
    own = _units("dia_ban")
    year = latest.year - 2  # a year wholly before 01/07/2025: "auto" would give the legacy structure
    at = new_app("ton_dong", role="dia_ban", params={"nam": str(year), "cau_truc": "legacy"})
    no_errors(at)
    assert any("cấu trúc mới" in w.value for w in at.warning)
    structure = at.selectbox(key="cau_truc")
    assert structure.value == "2025" and structure.proto.disabled and at.query_params["cau_truc"] == "2025"
    assert set(_table(at, "Số ngày làm việc quá hạn")["Xã/phường"]) <= _names(own)  # 2025 communes' names


@pytest.mark.parametrize("page", ["don_vi", "ton_dong", "don_thu"])
def test_a_unit_outside_the_scope_is_refused_in_a_link(page):
    own = _units("dia_ban")
    outside = _rows("SELECT min(commune_code) FROM dossiers WHERE NOT list_has_any([commune_code], ?)", own)[0][0]
    at = new_app(page, role="dia_ban", params={"don_vi": outside})
    assert [e.value for e in at.error] == [UNIT_REFUSED]
    assert not at.dataframe and not at.metric and not at.get("plotly_chart")
    store = _store()
    refused = store.audit(login=dashboard_fixtures.test_accounts(dashboard_db())["dia_ban"]).filter(
        action="refused").item(0, "detail")
    assert outside in refused


# ------------------------------------------------------------------ tinh: no free text, denunciations counted
def test_the_province_reads_no_denunciation_one_by_one_but_counts_them(latest):
    at = new_app("ton_dong", role="tinh")
    no_errors(at)
    petitions = _rows(OVERDUE_PETITIONS, latest)[0][0]
    denunciations = _rows(OVERDUE_PETITIONS + " AND kind = 'denunciation'", latest)[0][0]
    assert denunciations > 0  # the sample has some, so leaving them out says something
    assert metric(at, "Đơn thư quá hạn") == fmt_int(petitions)
    assert metric(at, "Hồ sơ quá hạn") == fmt_int(_rows(OVERDUE_DOSSIERS, latest)[0][0])
    kinds = _table(at, "Số ngày làm việc quá hạn")["Loại đơn"].tolist()
    labels = VOCABULARIES["petition_kind"].labels_vi
    assert labels["denunciation"] not in kinds
    assert kinds.count(labels["complaint"]) + kinds.count(labels["petition"]) == petitions - denunciations
    summary = _table(at, "Quá hạn từ ngày")["Đơn thư quá hạn"]
    assert sum(int(n.replace(".", "")) for n in summary) == petitions  # per commune: every overdue item
    assert any(f"{fmt_int(denunciations)} đơn tố cáo không hiển thị" in c.value for c in at.caption)
    headers = {c for df in at.dataframe for c in df.value.columns}
    assert not {"Lĩnh vực", "Thủ tục", "Lĩnh vực đơn"} & headers  # free text of the list
    full = new_app("ton_dong")  # the administrator's list holds them: the check above can fail
    assert labels["denunciation"] in _table(full, "Số ngày làm việc quá hạn")["Loại đơn"].tolist()


def test_the_province_s_drill_down_and_dialogues_hold_no_free_text(latest, monkeypatch):
    import datetime as dt

    from dashboard import access, data
    from schemas.periods import Period

    period = Period(dt.date(latest.year, 1, 1), latest, latest)
    every = data.drill_down("khong_ne_tranh", "province", "38", period)  # as the administrators read them
    assert (every["petition_kind"] == "denunciation").any()
    assert {"chair", "topic"} <= set(data.dialogues(period, None, None).columns)
    monkeypatch.setattr(access, "scope", lambda: _scope("tinh"))
    shown = data.drill_down("khong_ne_tranh", "province", "38", period)
    assert not FREE_TEXT_COLUMNS & set(shown.columns) and not (shown["petition_kind"] == "denunciation").any()
    assert shown.height == every.height - int((every["petition_kind"] == "denunciation").sum())
    assert data.drill_down_withheld("khong_ne_tranh", "province", "38", period) == every.height - shown.height
    meetings = data.dialogues(period, None, None)
    assert meetings.height == _rows("SELECT count(*) FROM dialogues WHERE dialogue_date BETWEEN ? AND ?",
                                    period.date_from, latest)[0][0]
    assert not FREE_TEXT_COLUMNS & set(meetings.columns)


# ------------------------------------------------------------------ phan_tich: figures, never records
def test_the_analyst_is_refused_records(latest, monkeypatch):
    from dashboard import access, data

    monkeypatch.setattr(access, "scope", lambda: _scope("phan_tich"))
    for read in (lambda: data.backlog_items(latest, None, None), lambda: data.due_soon_items(latest, None, None),
                 lambda: data.dialogues(_period(latest), None, None),
                 lambda: data.drill_down("khong_tre_hen", "province", "38", _period(latest))):
        with pytest.raises(OutOfScope, match=RECORDS_REFUSED):
            read()
    counted = data.backlog_counted(latest, None, None)  # the figures stay readable
    assert counted.height == _rows(OVERDUE_DOSSIERS, latest)[0][0] + _rows(OVERDUE_PETITIONS, latest)[0][0]


# ------------------------------------------------------------------ the audit of downloads
def test_a_download_is_recorded_for_the_signed_in_account():
    login = dashboard_fixtures.test_accounts(dashboard_db())["xa"]
    before = _store().audit(login=login).filter(action="export").height
    at = new_app("ton_dong", role="xa")
    button = at.download_button(key="xlsx_ton_dong")
    button.click().run()
    no_errors(at)
    exports = _store().audit(login=login).filter(action="export")
    assert exports.height == before + 1
    xa, = _units("xa")
    listed = len(_table(at, "Số ngày làm việc quá hạn"))
    assert f"ton_dong_{xa}_" in exports.item(0, "detail") and f'"rows": {listed}' in exports.item(0, "detail")
    unit = new_app("don_vi", role="xa")
    unit.download_button(key=f"report_commune_{xa}").click().run()
    no_errors(unit)
    assert f'"unit": "{xa}"' in _store().audit(login=login).filter(action="report").item(0, "detail")


# ------------------------------------------------------------------ helpers
def _store():
    from pipelines.access.store import AccessStore, accounts_path
    from schemas.config import load_config

    return AccessStore(accounts_path(dashboard_db()), load_config().access)


def _scope(role: str):
    """The scope of the test account of ``role``, as a signed-in session gets it."""
    import duckdb

    from pipelines.access.scope import scope_of

    account = _store().account(dashboard_fixtures.test_accounts(dashboard_db())[role])
    with duckdb.connect(str(dashboard_db()), read_only=True) as con:
        return scope_of(account, con)


def _period(latest):
    import datetime as dt

    from schemas.periods import Period

    return Period(dt.date(latest.year, 1, 1), latest, latest)
