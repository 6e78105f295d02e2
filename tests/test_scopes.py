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
from pipelines.access.scope import FREE_TEXT_COLUMNS, RECORDS_REFUSED, UNIT_REFUSED, OutOfScope
from schemas.access import ROLES
from tests import dashboard_fixtures
from tests.dashboard_fixtures import dashboard_db, metric, new_app, no_errors, sql_one

PAGE_FILE = {"trang_chu": "tong_quan"}  # a URL path that is not its page's file name


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
        values = list(value.values()) if hasattr(value, "values") and not isinstance(value, str) and hasattr(value, "keys") else (value if field.is_repeated else [value])
        if field.type == field.TYPE_MESSAGE:
            for sub in values:
                if hasattr(sub, "ListFields"):
                    _strings(sub, out)
        elif field.type == field.TYPE_STRING:
            out.extend(values)


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
    other_code, other = _others(xa)[0]
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
