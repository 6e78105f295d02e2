"""The running dashboard picks up a newly published warehouse without a restart."""

from __future__ import annotations

import json
from pathlib import Path

from streamlit.testing.v1 import AppTest

from pipelines.ingest.pipeline import ingest_files
from tests.dashboard_fixtures import browser_cookie, metric, no_errors, session_cookie
from tests.ingest_fixtures import write_csv

REPO = Path(__file__).resolve().parents[1]
HEADER = ["Mã hồ sơ", "Mã xã", "Ngày tiếp nhận", "Ngày hẹn trả", "Ngày trả kết quả"]


def _open_then_publish(tmp_path, monkeypatch, second_days: tuple[str, str, str]):
    """Yields Tổng quan (its trend tab open) opened on a warehouse of 3 dossiers of 15271 received 03/03/2025, then the same app
    run again after a second batch of 2 (received, due and completed on ``second_days``) was published
    while it was open."""
    db = tmp_path / "w.duckdb"
    write_csv(tmp_path / "dot1.csv", [HEADER] + [[f"A{i}", "15271", "03/03/2025", "06/03/2025", "05/03/2025"]
                                                for i in range(3)])
    write_csv(tmp_path / "dot2.csv", [HEADER] + [[f"B{i}", "15271", *second_days] for i in range(2)])
    ingest_files([tmp_path / "dot1.csv"], db=db)
    monkeypatch.setenv("DVCQ_DB", str(db))
    browser_cookie(session_cookie("quan_tri", db))
    at = AppTest.from_file(str(REPO / "dashboard" / "app.py"), default_timeout=90)
    at.session_state["tong_quan_tab"] = "Xu hướng theo tháng"
    at.run()
    no_errors(at)
    yield at
    ingest_files([tmp_path / "dot2.csv"], db=db)  # atomic replace while the app holds the old file open
    at.run()
    no_errors(at)
    yield at


def test_overview_follows_a_publish_while_open(tmp_path, monkeypatch):
    views = _open_then_publish(tmp_path, monkeypatch, ("10/03/2025", "13/03/2025", "12/03/2025"))
    assert metric(next(views), "Hồ sơ tiếp nhận") == "3"
    assert metric(next(views), "Hồ sơ tiếp nhận") == "5"
    assert not list(tmp_path.glob("*.tmp-*"))  # the publish left no staging copy behind


def test_overview_charts_follow_a_publish_on_the_same_days(tmp_path, monkeypatch):
    """A second export on the same days leaves the view (period, as-of date, structure) as it was: only
    the warehouse version tells the charts shared by all sessions that they are stale."""
    from schemas.config import load_config

    on_time = load_config().indicators["khong_tre_hen"].label

    def on_time_counts(at) -> list[str]:
        """(on time, completed) of the trend's last month, as its tooltip gives them."""
        traces = [t for c in at.get("plotly_chart") for t in json.loads(c.proto.spec)["data"]]
        return next(t for t in traces if t.get("name") == on_time)["customdata"][-1]

    views = _open_then_publish(tmp_path, monkeypatch, ("03/03/2025", "06/03/2025", "05/03/2025"))
    assert on_time_counts(next(views)) == ["3", "3"]
    at = next(views)
    assert metric(at, "Hồ sơ tiếp nhận") == "5"
    assert on_time_counts(at) == ["5", "5"]
