"""Silence on the pages, on the sample warehouse: the Đôn đốc page counts who has not sent which month, and
Dữ liệu never shows an all-clear while a commune is silent. Figures checked against independent SQL."""

from __future__ import annotations

from dashboard.formatting import fmt_int
from tests.dashboard_fixtures import metric, new_app, no_errors, sql_one

# The default view is the year of the data's last day (2026, communes of the 2025 structure); every month
# from 01 to 10/2026 is past its due day (the 5th of the month after) on any day after 05/11/2026.
_MISSING = """
WITH months AS (SELECT unnest(generate_series(DATE '2026-01-01', DATE '2026-10-01', INTERVAL 1 MONTH))::DATE AS m),
sent AS (SELECT DISTINCT 'dossier' AS kind, commune_code, date_trunc('month', received_date)::DATE AS m FROM dossiers
         UNION SELECT DISTINCT 'survey', commune_code, date_trunc('month', survey_date)::DATE FROM surveys),
expected AS (SELECT u.commune_code, months.m, k.kind FROM admin_units u CROSS JOIN months
             CROSS JOIN (VALUES ('dossier'), ('survey')) k(kind))
SELECT {what} FROM expected e ANTI JOIN sent s USING (commune_code, m, kind)
"""


def test_the_reminder_page_counts_what_was_not_sent():
    at = new_app("gui_so_lieu")
    no_errors(at)
    assert at.title[0].value == "Đôn đốc gửi số liệu"
    communes = sql_one("SELECT count(*) FROM admin_units")
    short = sql_one(_MISSING.format(what="count(DISTINCT commune_code)"))
    periods = sql_one(_MISSING.format(what="count(*)"))
    assert (communes, short > 100, periods > short) == (166, True, True)
    assert metric(at, "Xã phải gửi") == fmt_int(communes)
    assert metric(at, "Xã còn thiếu số liệu") == fmt_int(short)
    assert metric(at, "Kỳ chưa gửi") == fmt_int(periods)
    assert metric(at, "Kỳ gửi muộn") == "0"   # the sample was loaded in one go: nothing was due while collecting
    assert at.warning[0].value.startswith(f"{fmt_int(short)} xã chưa gửi đủ số liệu bắt buộc")
    grid, reminders = at.dataframe[0].value, at.dataframe[1].value
    assert list(grid.columns[:3]) == ["Xã/phường", "Địa bàn huyện cũ", "Số tháng chưa gửi"]
    assert grid["Số tháng chưa gửi"].iloc[0] == "10"      # communes missing the most first
    assert reminders.columns[0] == "Xã/phường"
    silent = sql_one("SELECT commune_name FROM admin_units u WHERE NOT EXISTS (SELECT 1 FROM dossiers d "
                     "WHERE d.commune_code = u.commune_code AND year(d.received_date) = 2026) ORDER BY commune_code "
                     "LIMIT 1")
    first = reminders.iloc[0]
    assert (first["Xã/phường"], first["Số kỳ chưa gửi"]) == (silent, "10")
    assert first["Các tháng chưa gửi"] == ", ".join(f"{m:02}/2026" for m in range(1, 11))


def test_the_data_page_counts_silent_communes_and_gives_no_all_clear():
    at = new_app("du_lieu")
    no_errors(at)
    last = sql_one("SELECT max(day) FROM daily_counts")
    silent = sql_one("SELECT count(*) FROM admin_units u LEFT JOIN (SELECT commune_code, max(day) AS latest "
                     "FROM daily_counts GROUP BY 1) l USING (commune_code) "
                     "WHERE l.latest IS NULL OR l.latest < ?::DATE - INTERVAL 60 DAY", last)
    never = sql_one("SELECT count(*) FROM admin_units u WHERE NOT EXISTS "
                    "(SELECT 1 FROM daily_counts d WHERE d.commune_code = u.commune_code)")
    assert never > 0 and silent >= never
    assert metric(at, "Xã không gửi gì trong 60 ngày") == fmt_int(silent)
    assert not [s for s in at.success if "Mọi xã" in s.value]
    assert any(w.value.startswith(f"{fmt_int(silent)} xã không gửi gì trong 60 ngày") and
               f"trong đó {fmt_int(never)} xã chưa từng gửi" in w.value for w in at.warning)


def test_so_sanh_ranks_every_commune_on_one_basis_and_silence_last():
    at = new_app("so_sanh")
    no_errors(at)
    ranking = at.dataframe[0].value
    assert list(ranking.columns) == ["Hạng", "Xã/phường", "Điểm tổng hợp", "Dựa trên", "Địa bàn huyện cũ"]
    communes = sql_one("SELECT count(*) FROM admin_units")
    silent = sql_one("SELECT count(*) FROM admin_units u WHERE NOT EXISTS (SELECT 1 FROM daily_counts d "
                     "WHERE d.commune_code = u.commune_code AND year(d.day) = 2026)")
    assert len(ranking) == communes == 166 and silent > 0
    assert ranking["Hạng"].iloc[0] == "1"
    last = ranking.tail(silent)   # every commune that sent nothing: 0 points, last place, and says why
    assert set(last["Hạng"]) == {str(communes)} and set(last["Điểm tổng hợp"]) == {"0,0"}
    assert all(b.startswith("10/12 chỉ số tính điểm, 8 chỉ số 0 điểm vì chưa gửi đủ") for b in last["Dựa trên"])
    senders = ranking.head(communes - silent)
    assert str(communes) not in set(senders["Hạng"])
    # the detail table (and its XLSX, same columns) carries each unit's composite and its rank
    detail = at.dataframe[1].value
    assert {"Điểm tổng hợp", "Hạng theo điểm tổng hợp", "Dựa trên"} <= set(detail.columns)
