"""The same figure is the same number everywhere: Tổng quan, Tồn đọng, Cảnh báo and Đơn thư (opened by a
link, as an official would), the CLI's CSV and the engine's measures, for several periods, as-of dates
and both structures, on the sample warehouse. All read the facts built at publish; this proves it."""

from __future__ import annotations

import csv
import datetime as dt
import io
import subprocess
import sys

import pytest

from dashboard.formatting import fmt_int, fmt_pct
from tests.dashboard_fixtures import dashboard_db, metric, new_app, no_errors

VIEWS = [  # link parameters, (from, to, as-of), structure
    ({"ky": "nam", "nam": "2025", "cau_truc": "2025"}, ("2025-01-01", "2025-12-31", "2025-12-31"), "2025"),
    ({"ky": "quy", "quy": "2025-Q2", "cau_truc": "legacy", "ngay": "2025-05-31"},
     ("2025-04-01", "2025-06-30", "2025-05-31"), "legacy"),
    ({"ky": "thang", "thang": "2026-03", "ngay": "2026-03-15"}, ("2026-03-01", "2026-03-31", "2026-03-15"), "2025"),
    ({"ky": "tuy_chon", "tu": "2024-02-01", "den": "2024-09-30", "ngay": "2024-07-31"},
     ("2024-02-01", "2024-09-30", "2024-07-31"), "legacy"),
]
IDS = ["year-2025", "q2-2025-legacy-asof-may", "month-2026-03-asof-15th", "custom-2024-asof-july"]


def cli_csv(*args: str) -> list[dict]:
    done = subprocess.run([sys.executable, "-m", "pipelines.cli", *args, "--db", str(dashboard_db()), "--format", "csv"],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return list(csv.DictReader(io.StringIO(done.stdout)))


@pytest.mark.parametrize("params,dates,era", VIEWS, ids=IDS)
def test_overdue_figures_agree_on_every_page_and_the_cli(params, dates, era):
    date_from, date_to, as_of = dates
    backlog = cli_csv("backlog", "--as-of", as_of, "--units", era)
    dossiers = sum(r["kind"] == "dossier" for r in backlog)
    petitions = [r for r in backlog if r["kind"] == "petition"]
    assert dossiers + len(petitions) > 0  # a view with nothing overdue would prove nothing

    stocks = new_app("ton_dong", params=params)
    no_errors(stocks)
    assert (metric(stocks, "Hồ sơ quá hạn"), metric(stocks, "Đơn thư quá hạn")) == (fmt_int(dossiers),
                                                                                   fmt_int(len(petitions)))
    assert f"#### Tính đến ngày {dt.date.fromisoformat(as_of):%d/%m/%Y}" in [m.value for m in stocks.markdown]

    flags = new_app("canh_bao", params=params | {"loai": "rule", "chi_so": "pending_overdue"})
    no_errors(flags)
    assert metric(flags, "Đơn vị bị cảnh báo") == fmt_int(len({r["unit_code"] for r in backlog
                                                                if r["kind"] == "dossier"}))

    # Đơn thư counts the petitions received in the period that are overdue at the as-of date.
    in_period = sum(date_from <= r["received_date"] <= date_to for r in petitions)
    letters = new_app("don_thu", params=params)
    no_errors(letters)
    assert metric(letters, "Trong số đó đã quá hạn") == fmt_int(in_period)


@pytest.mark.parametrize("params,dates,era", VIEWS, ids=IDS)
def test_rates_agree_between_tong_quan_and_the_cli(params, dates, era):
    date_from, date_to, as_of = dates
    rows = {r["indicator"]: r for r in cli_csv("indicators", "--level", "province", "--from", date_from, "--to", date_to,
                                               "--as-of", as_of, "--units", era)}
    page = new_app("tong_quan", params=params)
    no_errors(page)
    for label, indicator in (("Không trễ hẹn", "khong_tre_hen"), ("Mức độ hài lòng chung", "hai_long")):  # configured
        numerator, denominator = int(rows[indicator]["numerator"]), int(rows[indicator]["denominator"])
        # From the CLI's counts (its CSV rounds the rate to 2 decimals; the page rounds the exact rate to 1).
        assert metric(page, label) == (fmt_pct(numerator * 100 / denominator) if denominator else "N/A")
