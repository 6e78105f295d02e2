"""The pages' typed interface (``dashboard.data``) and the layers it keeps apart.

Pages draw and never aggregate: every count a page shows is a named function of ``dashboard.data``,
checked here on frames whose answers are worked out by hand. The dashboard reaches the ingest through
one loading service (``pipelines.ingest.service``) and the report not at all. The interface takes
``schemas.periods.Period`` and Streamlit's caches key on it.
"""

from __future__ import annotations

import ast
import datetime as dt
from pathlib import Path

import polars as pl
import streamlit as st

from schemas.periods import Period

REPO = Path(__file__).resolve().parents[1]
D = dt.date

# Methods that reduce rows to a figure or group them: a page that calls one computes a number itself.
AGGREGATING = {"group_by", "group_by_dynamic", "rolling", "agg", "pivot", "unpivot", "partition_by", "sum", "mean",
               "median", "n_unique", "unique", "value_counts", "count", "max", "min", "top_k", "bottom_k"}


def _calls(path: Path) -> list[tuple[int, str]]:
    return [(node.lineno, node.func.attr) for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)]


def _imports(path: Path) -> list[tuple[int, str]]:
    """(line, module) of every import of a module file, those inside functions included."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            found += [(node.lineno, node.module)]
            found += [(node.lineno, f"{node.module}.{alias.name}") for alias in node.names]
        elif isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
    return found


def test_pages_never_aggregate():
    pages = sorted((REPO / "dashboard" / "pages").glob("*.py"))
    assert len(pages) >= 10  # __init__ and the pages: the glob did find them
    offending = [f"{page.name}:{line} .{name}()" for page in pages for line, name in _calls(page) if name in AGGREGATING]
    assert offending == []


def test_the_dashboard_reaches_the_ingest_only_through_the_loading_service():
    files = sorted((REPO / "dashboard").rglob("*.py"))
    assert len(files) > 20  # the glob did find them
    offending = [f"{path.relative_to(REPO)}:{line} {module}" for path in files for line, module in _imports(path)
                 if module.startswith("pipelines.ingest") and module not in (
                     "pipelines.ingest", "pipelines.ingest.service") and not module.startswith("pipelines.ingest.service.")]
    assert offending == []
    # and it does use it: the connection, the upload, what the loading recorded, the message for a damaged warehouse
    users = {str(path.relative_to(REPO)) for path in files for _, module in _imports(path)
             if module == "pipelines.ingest.service"}
    assert users == {"dashboard/app.py", "dashboard/connection.py", "dashboard/data.py", "dashboard/loading.py"}


def test_the_report_does_not_import_the_ingest():
    """The unit type words the report strips from names live in ``schemas.admin_unit`` with the units."""
    files = sorted((REPO / "pipelines" / "report").rglob("*.py"))
    assert [m for path in files for _, m in _imports(path) if m.startswith("pipelines.ingest")] == []
    from pipelines.ingest import communes
    from schemas.admin_unit import COMMUNE_TYPES, DISTRICT_TYPES
    assert communes.COMMUNE_TYPES is COMMUNE_TYPES and communes.DISTRICT_TYPES is DISTRICT_TYPES


def test_streamlit_caches_key_on_the_period():
    """A Period is hashed by its days: the same period is one cache entry, another as-of day another."""
    calls = []

    @st.cache_data(show_spinner=False)
    def days(period: Period) -> int:
        calls.append(period)
        return period.days

    q2 = Period(D(2025, 4, 1), D(2025, 6, 30), D(2025, 6, 30))
    assert days(q2) == 91
    assert days(Period(D(2025, 4, 1), D(2025, 6, 30), D(2025, 6, 30))) == 91
    assert days(Period(D(2025, 4, 1), D(2025, 6, 30), D(2025, 5, 31))) == 91
    assert calls == [q2, Period(D(2025, 4, 1), D(2025, 6, 30), D(2025, 5, 31))]
    days.clear()


def test_the_sidebar_view_gives_periods():
    from dashboard.filters import Filters

    f = Filters("quy", D(2025, 4, 1), D(2025, 6, 30), D(2025, 6, 15), D(2025, 1, 1), D(2025, 3, 31), "Quý 2/2025",
                None, None, "legacy")
    assert f.period == Period(D(2025, 4, 1), D(2025, 6, 30), D(2025, 6, 15))
    assert f.previous == Period(D(2025, 1, 1), D(2025, 3, 31), D(2025, 3, 31))


# ---------------------------------------------------------------- the pages' figures, worked out by hand
PETITIONS = pl.DataFrame({
    "kind_vi": ["Khiếu nại", "Kiến nghị", "Kiến nghị", "Tố cáo"],
    "outcome": ["pending", "resolved", "pending", "resolved"],
    "timeliness": ["open_overdue", "closed_on_time", "open_in_time", "closed_late"],
    "n": [3, 5, 2, 1], "escalated": [1, 0, 2, 0]})


def test_petition_totals_and_counts():
    from dashboard import data

    # received 3+5+2+1; pending rows 1 and 3: 3+2; open_overdue row 1: 3; escalated 1+2
    assert data.petition_totals(PETITIONS) == {"received": 11, "pending": 5, "overdue": 3, "escalated": 3}
    assert data.petition_counts(PETITIONS, "kind_vi").rows() == [("Kiến nghị", 7), ("Khiếu nại", 3), ("Tố cáo", 1)]


def test_dialogue_totals():
    from dashboard import data

    meetings = pl.DataFrame({"commune_name": ["Xã A", "Xã B", "Xã A"], "attendees": [40, 25, 31],
                             "chair_is_head": [True, False, True]})
    assert data.dialogue_totals(meetings) == {"meetings": 3, "communes": 2, "attendees": 96, "chaired_by_head": 2}


def test_backlog_totals_and_the_chart_s_communes():
    from dashboard import data

    items = pl.DataFrame({"kind": ["dossier", "petition", "dossier", "dossier"],
                          "commune_code": ["16003", "16003", "16051", "16102"], "days_overdue": [4, 17, 9, 2]})
    assert data.backlog_totals(items) == {"dossiers": 3, "petitions": 1, "communes": 3, "longest": 17}
    assert data.backlog_totals(items.clear())["longest"] is None
    per = pl.DataFrame({"commune_code": ["16051", "16003", "16102", "16200"], "n": [1, 6, 4, 2]})
    assert data.most_burdened(per, 2)["commune_code"].to_list() == ["16003", "16102"]  # its order, not by n


def test_submission_totals_count_a_commune_once_per_structure():
    from dashboard import data

    table = pl.DataFrame({"structure": ["legacy", "legacy", "2025", "2025", "2025"],
                          "unit_code": ["16003", "16003", "16003", "16051", "16051"],
                          "status": ["missing", "missing", "sent", "late", "missing"]})
    # 16003 in both structures and 16051: 3 communes; missing: legacy 16003 and 2025 16051
    assert data.submission_totals(table) == {"communes": 3, "communes_missing": 2, "missing": 3, "late": 1}


def test_flag_counts_and_the_units_blocks():
    from dashboard import data
    from schemas.catalog import FLAG_KINDS

    listed = pl.DataFrame({"unit_code": ["16051", "16051", "16003"], "unit_name": ["Xã B", "Xã B", "Xã A"],
                           "district_name": ["Huyện H", "Huyện H", "Huyện K"],
                           "flag": [*list(FLAG_KINDS)[:2], list(FLAG_KINDS)[0]],
                           "indicator": ["khong_tre_hen", "biet_lam", "biet_lam"]})
    first, second, *others = FLAG_KINDS
    assert data.flag_counts(listed) == {first: 2, second: 1, **{kind: 0 for kind in others}}
    assert data.flagged_indicators(listed) == ["biet_lam", "khong_tre_hen"]
    blocks = data.flags_per_unit(listed)
    assert [(name, district, len(part)) for name, district, part in blocks] == [("Xã B", "Huyện H", 2),
                                                                               ("Xã A", "Huyện K", 1)]


def test_letters_sent_are_the_letters_of_the_period():
    """Đơn thư's letters tab: the province's letters of 2026 (to the data's last day) by kind, the most first,
    as the letters table counts them in the 2025 structure."""
    import os

    from dashboard import data
    from schemas.vocabularies import LETTER_KIND
    from tests.dashboard_fixtures import dashboard_db, sql_one

    os.environ["DVCQ_DB"] = str(dashboard_db())  # what dashboard.connection opens
    st.session_state["_era"] = "2025"
    period = Period(D(2026, 1, 1), D(2026, 10, 31), D(2026, 10, 31))
    letters = data.letters_sent("province", data.config().province_code, period)
    counted = {kind: sql_one("SELECT count(*) FROM letters WHERE kind = ? AND sent_date BETWEEN ? AND ?",
                             kind, period.date_from, period.date_to, era="2025")
               for kind in LETTER_KIND.values}
    expected = sorted(((f"letters_{kind}", n) for kind, n in counted.items() if n), key=lambda pair: -pair[1])
    assert len({n for _, n in expected}) == len(expected) >= 2  # no tie: one order is right
    assert [(m, int(v)) for m, v in letters.select("measure", "value").iter_rows()] == expected
    assert data.letters_total(letters) == sum(counted.values())
