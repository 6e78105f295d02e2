"""Every indicator on a hand-made warehouse, with the expected figures worked out by hand.

Period: 1 January – 30 June 2024 (182 days, leap year), as of 30 June 2024. Pro-rata
requirements: dialogues round(2 x 182 / 365 = 0.997) = 1; thanks round(4 x 182 / 365 =
1.995) = 2. Commune A (Thị trấn Hà Trung) has something for every rule; commune B
(Thị trấn Hà Long, same district) a little; commune C (Thị trấn Sao Vàng) nothing.
"""

from __future__ import annotations

import datetime as dt
import random

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipelines.engine.backlog import backlog_table
from pipelines.engine.indicators import (Period, commune_counts, indicator_records, indicator_table, latest_date,
                                         petition_breakdown, supporting_measures, trend_periods, trend_table)
from pipelines.engine.stats import wilson, wilson_percent
from schemas.catalog import COMPOSITE
from schemas.config import ALL_RATES, SCORED_INDICATORS
from schemas.periods import PeriodError, build_period
from schemas.warehouse import DAILY_COUNTS
from tests.engine_fixtures import (open_legacy, D, build_warehouse, commune_code, config, dialogue, dossier, letter, petition,
                                   survey)

PERIOD = Period(D(2024, 1, 1), D(2024, 6, 30), D(2024, 6, 30))


@pytest.fixture(scope="module")
def codes(template_root):
    return {"A": commune_code(template_root, "Thị trấn Hà Trung"),
            "B": commune_code(template_root, "Thị trấn Hà Long"),
            "C": commune_code(template_root, "Thị trấn Sao Vàng")}


def hand_records(a: str, b: str) -> dict[str, list[dict]]:
    dossiers = [
        dossier(a, "A1", D(2024, 1, 2), D(2024, 1, 10), D(2024, 1, 8), supplements=0),     # early
        dossier(a, "A2", D(2024, 1, 2), D(2024, 1, 10), D(2024, 1, 10), supplements=1),    # on time
        dossier(a, "A3", D(2024, 1, 2), D(2024, 1, 10), D(2024, 1, 15), supplements=2),    # late, named apology
        dossier(a, "A4", D(2024, 2, 1), D(2024, 2, 10), D(2024, 2, 20)),                   # late, count unknown
        dossier(a, "A5", D(2024, 3, 1), D(2024, 3, 10)),                                   # pending, overdue
        dossier(a, "A6", D(2024, 6, 20), D(2024, 7, 5)),                                   # pending, not yet due
        dossier(a, "A7", D(2023, 12, 20), D(2023, 12, 28), D(2023, 12, 27), supplements=0),  # before the period
        dossier(a, "A8", D(2024, 5, 1), D(2024, 5, 10), D(2024, 7, 5), supplements=0),     # pending at 30/06
        dossier(a, "A9", D(2024, 4, 1), D(2024, 4, 10), D(2024, 4, 5), status="returned"),
        dossier(a, "A10", D(2024, 3, 1), None, D(2024, 3, 5), supplements=0, reported_timeliness="early"),  # date missing
        dossier(a, "A11", D(2024, 3, 1), None, D(2024, 3, 6), supplements=0),              # timeliness unknown
        dossier(b, "B1", D(2024, 1, 2), D(2024, 1, 10), D(2024, 1, 9), channel="online"),
        dossier(b, "B2", D(2024, 1, 2), D(2024, 1, 10), D(2024, 1, 9), channel="online"),
        dossier(b, "B3", D(2024, 1, 2), D(2024, 1, 10), D(2024, 1, 12)),
    ]
    letters = [
        letter(a, "L1", "apology", D(2024, 1, 9), "A3"),
        letter(a, "L2", "apology", D(2024, 2, 15)),             # names none: covers A4 (oldest due left)
        letter(a, "L3", "apology", D(2024, 3, 1), "ZZZ"),       # names another dossier: covers nothing here
        letter(a, "L4", "apology", D(2023, 12, 1)),             # before the period
        letter(a, "T1", "thanks", D(2024, 1, 5)),
        letter(a, "T2", "thanks", D(2024, 2, 5)),
        letter(a, "T3", "thanks", D(2024, 3, 5)),
        letter(a, "C1", "condolence", D(2024, 3, 5)),
        letter(a, "C2", "congratulation", D(2024, 4, 5)),
        letter(b, "LB", "apology", D(2024, 1, 11)),
    ]
    petitions = [
        petition(a, "P1", "complaint", D(2024, 1, 5), resolved=D(2024, 2, 10)),             # due 14/02: on time
        petition(a, "P2", "complaint", D(2024, 1, 5), due=D(2024, 1, 20), resolved=D(2024, 2, 1)),  # late
        petition(a, "P3", "petition", D(2024, 3, 1)),                   # due 22/03 (15 working days): overdue
        petition(a, "P4", "denunciation", D(2024, 6, 25)),             # due 04/08: not yet due
        petition(a, "P5", "complaint", D(2024, 2, 1), resolved=D(2024, 2, 5), outcome="transferred",
                 escalated=True),
        petition(a, "P6", "petition", D(2024, 4, 1), resolved=D(2024, 4, 3), outcome="withdrawn"),
        petition(a, "P7", "complaint", D(2024, 3, 1), due=D(2024, 3, 10), resolved=D(2024, 7, 10)),  # open at 30/06
    ]
    dialogues = [
        dialogue(a, "D1", D(2024, 3, 15), raised=10, answered=8, attendees=60),
        dialogue(a, "D2", D(2024, 5, 20), raised=4, answered=6, attendees=40),   # answered capped at raised
        dialogue(a, "D3", D(2023, 11, 1), raised=5, answered=5),
    ]
    surveys = [
        survey(a, "S1", D(2024, 2, 1), 5, respect=5, civility=4, guidance=3),
        survey(a, "S2", D(2024, 3, 1), 4, respect=2, civility=5, guidance=4, harassment=True),
        survey(a, "S3", D(2024, 4, 1), 3, civility=3, guidance=5),
        survey(a, "S4", D(2023, 12, 31), 1, respect=1),
    ]
    return {"dossier": dossiers, "letter": letters, "petition": petitions, "dialogue": dialogues, "survey": surveys}


@pytest.fixture(scope="module")
def con(tmp_path_factory, template_root, codes):
    db = build_warehouse(tmp_path_factory.mktemp("hand"), template_root, hand_records(codes["A"], codes["B"]))
    connection = open_legacy(db)
    yield connection
    connection.close()


def cell(table: pl.DataFrame, unit: str, indicator: str) -> dict:
    rows = table.filter((pl.col("unit_code") == unit) & (pl.col("indicator") == indicator))
    assert rows.height == 1, (unit, indicator, rows.height)
    return rows.row(0, named=True)


def fraction(table: pl.DataFrame, unit: str, indicator: str) -> tuple[int, int]:
    row = cell(table, unit, indicator)
    return row["numerator"], row["denominator"]


# Commune A, worked out by hand from hand_records (see the comments there).
EXPECTED_A = {
    "biet_nghe": (1, 1),           # 2 dialogues held, 1 required: capped
    "biet_noi": (12, 14),          # (8 + min(6, 4)) / (10 + 4)
    "biet_lam": (2, 5),            # P1, P5 on time / P1, P2, P3, P5, P7 (P6 withdrawn, P4 not due)
    "biet_xin_loi": (2, 4),        # A3 named, A4 by the unnamed L2 / A3, A4, A5, A8
    "biet_cam_on": (2, 2),         # 3 thanks, target 2: capped
    "khong_phien_ha": (4, 5),      # A1, A2, A10, A11 <= 1 / A1, A2, A3, A10, A11 (A4 unknown)
    "khong_ne_tranh": (3, 6),      # P1, P2, P6 / P1, P2, P3, P5, P6, P7 (P5 escalated)
    "khong_tre_hen": (3, 5),       # A1, A2, A10 / A1, A2, A3, A4, A10 (A11 unknown)
    "the_hien_ton_trong": (1, 2),
    "the_hien_van_minh": (2, 3),
    "the_hien_lang_nghe": (2, 3),
    "the_hien_gan_gui": (0, 0),    # no response rates explanation: N/A
    "hai_long": (2, 3),
}


@pytest.mark.parametrize("indicator", list(EXPECTED_A))
def test_commune_a_every_indicator(con, codes, indicator):
    table = indicator_table(con, config(), "commune", PERIOD)
    num, den = EXPECTED_A[indicator]
    row = cell(table, codes["A"], indicator)
    assert (row["numerator"], row["denominator"]) == (num, den)
    if den == 0:
        assert row["value"] is None and row["ci_low"] is None and row["ci_high"] is None and row["gap"] is None
    else:
        assert row["value"] == pytest.approx(100 * num / den)
        assert row["ci_low"] <= row["value"] <= row["ci_high"]
        assert row["gap"] == pytest.approx(100 * num / den - row["target"])


def test_composite_is_the_weighted_mean_of_points_not_sent_scoring_zero(con, codes):
    """A's points by hand: a value at or above its target earns 100, below it 100 x value / target.

    biet_nghe 100, biet_noi 85,7 >= 80: 100, biet_lam 40/80: 50, biet_xin_loi 50/100: 50, biet_cam_on 100;
    khong_phien_ha 80 >= 80: 100, khong_ne_tranh 50/80: 62,5, khong_tre_hen 60/95: 63,16; ton_trong 50/90:
    55,56, van_minh and lang_nghe 66,7/90: 74,07; gan_gui: A sent surveys, none rating explanation, and a
    survey indicator has no neutral reason to be empty: not sent, 0 points. Groups weigh 1 each (5 biết
    items 1/5, 3 không items 1/3, 4 thể hiện items 1/4), all 12 count.
    """
    table = indicator_table(con, config(), "commune", PERIOD)
    expected = (0.2 * (100 + 100 + 50 + 50 + 100) + (100 + 62.5 + 6000 / 95) / 3
                + 0.25 * (5000 / 90 + 2 * 20000 / 270 + 0)) / 3
    row = cell(table, codes["A"], "composite")
    assert row["value"] == pytest.approx(expected) and round(expected, 2) == 68.72
    assert row["coverage"] == 12 and row["ranked"] and row["rank_province"] == 1 and row["rank_district"] == 1
    assert row["not_sent"] == "the_hien_gan_gui"
    gan_gui = cell(table, codes["A"], "the_hien_gan_gui")
    assert (gan_gui["value"], gan_gui["points"], gan_gui["missing"]) == (None, 0.0, "not_sent")
    assert cell(table, codes["A"], "biet_lam")["points"] == pytest.approx(50.0)


def test_commune_b_and_unit_without_records(con, codes):
    """B sent dossiers and letters, no dialogue and no survey: biet_noi and the four thể hiện are not sent
    (0 points); biet_lam, khong_ne_tranh (no petition) and khong_phien_ha (no request count) have nothing
    to count. Points: biet_nghe 0, biet_noi 0, biet_xin_loi 100, biet_cam_on 0, khong_tre_hen 66,7/95:
    70,18, thể hiện 0 x 4; weights 4 x 0.2 + 1/3 + 4 x 0.25 = 2,1333."""
    table = indicator_table(con, config(), "commune", PERIOD)
    assert fraction(table, codes["B"], "khong_tre_hen") == (2, 3)
    assert fraction(table, codes["B"], "biet_xin_loi") == (1, 1)   # LB names none, covers B3
    assert fraction(table, codes["B"], "biet_nghe") == (0, 1)      # no dialogue
    assert fraction(table, codes["B"], "biet_cam_on") == (0, 2)
    composite_b = cell(table, codes["B"], "composite")
    assert composite_b["coverage"] == 9 and composite_b["ranked"] and composite_b["rank_province"] == 2
    assert composite_b["value"] == pytest.approx((0.2 * 100 + (200 / 3) / 95 * 100 / 3) / (0.8 + 1 / 3 + 1))
    assert composite_b["not_sent"] == "biet_noi,the_hien_ton_trong,the_hien_van_minh,the_hien_lang_nghe,the_hien_gan_gui"
    assert cell(table, codes["B"], "biet_lam")["missing"] == "nothing_to_count"
    assert cell(table, codes["B"], "khong_phien_ha")["missing"] == "nothing_to_count"
    # C sent nothing: required a dialogue and two thanks letters like every commune (0 of them), and every
    # indicator shown by a record kind is not sent: 10 indicators at 0 points, ranked below every sender
    c_rows = table.filter(pl.col("unit_code") == codes["C"])
    assert c_rows.height == 14
    assert fraction(table, codes["C"], "biet_nghe") == (0, 1) and fraction(table, codes["C"], "biet_cam_on") == (0, 2)
    composite_c = cell(table, codes["C"], "composite")
    assert (composite_c["value"], composite_c["coverage"], composite_c["ranked"]) == (0.0, 10, True)
    assert composite_c["rank_province"] > composite_b["rank_province"]
    assert table["unit_code"].n_unique() == 547


def test_table_lists_units_by_code_each_with_its_rates_then_the_composite(con, codes):
    table = indicator_table(con, config(), "commune", PERIOD)
    units = table["unit_code"].unique(maintain_order=True)
    assert units.to_list() == sorted(units) and table.height == units.len() * (len(ALL_RATES) + 1)
    assert table["indicator"].to_list() == [*ALL_RATES, COMPOSITE] * units.len()
    assert table["unit_code"].to_list() == [u for u in units for _ in range(len(ALL_RATES) + 1)]


def test_ranks_among_province_and_district(con, codes):
    table = indicator_table(con, config(), "commune", PERIOD)
    b, a = cell(table, codes["B"], "khong_tre_hen"), cell(table, codes["A"], "khong_tre_hen")
    assert (b["rank_province"], a["rank_province"]) == (1, 2)        # 66.7 % before 60 %
    assert (b["rank_district"], a["rank_district"]) == (1, 2)
    assert not cell(table, codes["C"], "khong_tre_hen")["ranked"]


def test_district_and_province_sum_numerators_and_denominators(con, codes):
    district = indicator_table(con, config(), "district", PERIOD)
    assert fraction(district, "392", "khong_tre_hen") == (3 + 2, 5 + 3)
    assert fraction(district, "392", "biet_xin_loi") == (2 + 1, 4 + 1)
    communes = con.cursor().execute("SELECT count(*) FROM admin_units WHERE district_code = '392'").fetchall()[0][0]
    assert communes == 19   # Huyện Hà Trung's communes in the registry
    # requirements sum over every commune of the district, whether it sent data or not
    assert fraction(district, "392", "biet_nghe") == (1 + 0, 19 * 1)
    assert fraction(district, "392", "biet_cam_on") == (2 + 0, 19 * 2)
    # survey indicators: only A (1 of the 19 communes) sent surveys, so A's rate earns 1/25 of its points
    ton_trong = cell(district, "392", "the_hien_ton_trong")
    assert (ton_trong["sent_communes"], ton_trong["points"]) == (1, pytest.approx(5000 / 90 / 19))
    assert cell(district, "392", "khong_tre_hen")["value"] == pytest.approx(62.5)   # not mean(60, 66.7)
    assert cell(district, "392", "khong_tre_hen")["rank_district"] is None
    assert district["unit_code"].n_unique() == 26
    province = indicator_table(con, config(), "province", PERIOD)
    assert fraction(province, "38", "khong_tre_hen") == (5, 8)
    assert province.height == 14


def test_a_district_ranks_only_when_enough_of_its_communes_reported(con, codes):
    """392 (Huyện Hà Trung): A and B reported, out of all its communes; 50 % needed by default."""
    communes = con.cursor().execute("SELECT count(*) FROM admin_units WHERE district_code = '392'").fetchone()[0]
    assert communes > 4
    row = cell(indicator_table(con, config(), "district", PERIOD), "392", "khong_tre_hen")
    assert (row["reporting_communes"], row["communes"], row["ranked"], row["rank_province"]) == (2, communes, False, None)
    low_bar = config(min_communes_reporting_ranked=100 * 2 / communes)
    row = cell(indicator_table(con, low_bar, "district", PERIOD), "392", "khong_tre_hen")
    assert (row["ranked"], row["rank_province"]) == (True, 1)


def test_pro_rata_requirements_round_and_cap(con, codes):
    year = indicator_table(con, config(), "commune", Period(D(2024, 1, 1), D(2024, 12, 31), D(2024, 12, 31)))
    assert fraction(year, codes["A"], "biet_nghe") == (2, 2)          # round(2 x 366 / 365) = 2
    assert fraction(year, codes["A"], "biet_cam_on") == (3, 4)        # round(4 x 366 / 365) = 4
    january = indicator_table(con, config(), "commune", Period(D(2024, 1, 1), D(2024, 1, 31), D(2024, 1, 31)))
    assert fraction(january, codes["A"], "biet_cam_on") == (1, 1)     # round(0.34) = 0, at least 1
    assert fraction(january, codes["A"], "biet_nghe") == (0, 1)


def test_as_of_decides_pending_and_overdue(con, codes):
    """A8 (due 10/05, completed 05/07) was pending and overdue on 30/06; A6 (due 05/07) was not yet due."""
    def measures(period: Period) -> dict:
        frame = supporting_measures(con, config(), "commune", period).filter(pl.col("unit_code") == codes["A"])
        return dict(zip(frame["measure"], frame["value"]))

    june = measures(PERIOD)
    assert (june["dossiers_pending"], june["dossiers_overdue"]) == (3, 2)     # A5, A6, A8 / A5, A8
    july = measures(Period(D(2024, 1, 1), D(2024, 7, 31), D(2024, 7, 31)))
    assert (july["dossiers_pending"], july["dossiers_overdue"]) == (2, 2)     # A5, A6 (A8 completed)
    assert july["dossiers_late"] == 3                                                 # A3, A4, A8
    assert june["letters_apology"] == 3 and june["letters_thanks"] == 3 and june["care_letters"] == 2
    assert june["petitions_pending"] == 3                     # P3, P4, P7 (resolved after as_of)
    assert june["petitions_escalated"] == 1 and june["harassment_reports"] == 1
    assert june["dialogues"] == 2 and june["dialogue_attendees"] == 100
    assert june["dossiers_returned"] == 1 and june["dossiers_received"] == 10         # A1–A6 and A8–A11 (A7: 2023)
    b = supporting_measures(con, config(), "commune", PERIOD).filter(pl.col("unit_code") == codes["B"])
    assert dict(zip(b["measure"], b["value"]))["online_share"] == pytest.approx(200 / 3)


def test_default_period_is_year_to_date_of_latest_record(con):
    # latest record date: P7 resolved 10/07/2024
    assert build_period(latest_date(con)) == Period(D(2024, 1, 1), D(2024, 7, 10), D(2024, 7, 10))


def test_trend_table_matches_single_periods(con, codes):
    trend = trend_table(con, config(), "commune", [codes["A"]], D(2024, 1, 15), D(2024, 6, 30), "quarter")
    assert trend["period_start"].unique().sort().to_list() == [D(2024, 1, 1), D(2024, 4, 1)]
    assert trend["unit_code"].unique().to_list() == [codes["A"]]
    for p in trend_periods(D(2024, 1, 15), D(2024, 6, 30), "quarter"):
        single = indicator_table(con, config(), "commune", p).filter(pl.col("unit_code") == codes["A"])
        rows = trend.filter(pl.col("period_end") == p.date_to).select("indicator", "numerator", "denominator")
        assert rows.sort("indicator").equals(single.select("indicator", "numerator", "denominator").sort("indicator"))
    first = trend.filter((pl.col("period_start") == D(2024, 1, 1)) & (pl.col("indicator") == "khong_tre_hen"))
    assert first.select("numerator", "denominator").row(0) == (1, 3)   # 15/01–31/03: A3, A4 late, A10 early (A1, A2 before 15/01)


def test_trend_periods_clip_to_the_range():
    months = trend_periods(D(2024, 1, 15), D(2024, 3, 10), "month")
    assert [(p.date_from, p.date_to) for p in months] == [
        (D(2024, 1, 15), D(2024, 1, 31)), (D(2024, 2, 1), D(2024, 2, 29)), (D(2024, 3, 1), D(2024, 3, 10))]
    assert len(trend_periods(D(2022, 5, 1), D(2024, 2, 1), "year")) == 3


@pytest.mark.parametrize("indicator", list(EXPECTED_A))
def test_drill_down_adds_up_to_the_cell(con, codes, indicator):
    records = indicator_records(con, config(), indicator, "commune", codes["A"], PERIOD)
    num, den = EXPECTED_A[indicator]
    assert records["num_count"].sum() == num
    assert records["den_count"].sum() == den
    assert not {"applicant", "petitioner", "recipient", "respondent"} & set(records.columns)


def test_drill_down_names_the_apologised_dossiers(con, codes):
    records = indicator_records(con, config(), "biet_xin_loi", "commune", codes["A"], PERIOD)
    got = dict(zip(records["record_id"], records["in_numerator"]))
    assert got == {"A3": True, "A4": True, "A5": False, "A8": False}


DETAILS_A = {  # by hand from hand_records: the words of schemas.catalog.RECORD_DETAILS and the codes table
    "khong_phien_ha": {"A1": "số lần yêu cầu bổ sung: 0", "A2": "số lần yêu cầu bổ sung: 1",
                       "A3": "số lần yêu cầu bổ sung: 2", "A4": "số lần yêu cầu bổ sung: không rõ",
                       "A10": "số lần yêu cầu bổ sung: 0", "A11": "số lần yêu cầu bổ sung: 0"},
    "khong_tre_hen": {"A1": "Trước hạn", "A2": "Đúng hạn", "A3": "Quá hạn", "A4": "Quá hạn", "A10": "Trước hạn",
                      "A11": "không rõ tiến độ"},
    "biet_xin_loi": {"A3": "thư xin lỗi ghi mã hồ sơ, gửi 09/01/2024", "A4": "thư xin lỗi không ghi mã hồ sơ",
                     "A5": "đang giải quyết, quá hạn, chưa có thư xin lỗi",
                     "A8": "đang giải quyết, quá hạn, chưa có thư xin lỗi"},
    "biet_lam": {"P1": "Khiếu nại, hạn theo luật định", "P2": "Khiếu nại", "P3": "Kiến nghị, phản ánh, hạn theo luật định",
                 "P5": "Khiếu nại, hạn theo luật định", "P7": "Khiếu nại"},
    "khong_ne_tranh": {"P1": "Khiếu nại", "P2": "Khiếu nại", "P3": "Kiến nghị, phản ánh", "P5": "Khiếu nại, vượt cấp",
                       "P6": "Kiến nghị, phản ánh", "P7": "Khiếu nại"},
    "biet_noi": {"D1": "giải đáp 8/10 ý kiến", "D2": "giải đáp 6/4 ý kiến"},
    "hai_long": {"S1": "đánh giá 5/5: Rất hài lòng", "S2": "đánh giá 4/5: Hài lòng", "S3": "đánh giá 3/5: Bình thường"},
}


@pytest.mark.parametrize("indicator", list(DETAILS_A))
def test_drill_down_details_are_worded_from_the_catalog(con, codes, indicator):
    """The SQL holds no Vietnamese: each record's 'Chi tiết' is a catalog template filled by DuckDB."""
    records = indicator_records(con, config(), indicator, "commune", codes["A"], PERIOD)
    assert dict(zip(records["record_id"], records["detail"])) == DETAILS_A[indicator]


def test_wilson_against_published_values():
    """Newcombe (1998), Statistics in Medicine 17:857, Table I, method 4 (score with continuity correction)."""
    for (k, n), (low, high) in {(81, 263): (0.2535, 0.3682), (15, 148): (0.0598, 0.1644),
                                (0, 20): (0.0, 0.2005), (1, 29): (0.0018, 0.1963)}.items():
        got = wilson(k, n)
        assert got[0] == pytest.approx(low, abs=1e-4) and got[1] == pytest.approx(high, abs=1e-4)
    assert wilson(3, 0) is None
    # 2 of 3 by hand: (2np + z2 + 1 + z sqrt(z2 + 2 - 1/n + 4p(n(1-p) - 1))) / (2(n + z2)), z2 = 3.8415
    # = (4 + 3.8415 + 1 + 1.96 x sqrt(5.5081)) / 13.6829 = 0.9823
    assert wilson(2, 3)[1] == pytest.approx(0.9823, abs=1e-4)


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 500), st.integers(1, 500))
def test_wilson_contains_rate_and_matches_vectorised(k, n):
    k = min(k, n)
    low, high = wilson(k, n)
    assert 0 <= low <= k / n <= high <= 1
    lo_expr, hi_expr = wilson_percent("k", "n")
    frame = pl.DataFrame({"k": [k], "n": [n]}).select(lo=lo_expr, hi=hi_expr)
    assert frame["lo"][0] == pytest.approx(low * 100) and frame["hi"][0] == pytest.approx(high * 100)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(start=st.dates(dt.date(2023, 6, 1), dt.date(2024, 6, 30)), length=st.integers(0, 400),
       as_of_shift=st.integers(-30, 30))
def test_aggregates_are_sums_and_values_inside_intervals(con, start, length, as_of_shift):
    end = start + dt.timedelta(days=length)
    period = Period(start, end, min(end, max(start, end + dt.timedelta(days=as_of_shift))))
    communes = indicator_table(con, config(), "commune", period)
    districts = indicator_table(con, config(), "district", period)
    summed = (communes.filter(pl.col("indicator") != "composite")
              .group_by("district_code", "indicator").agg(pl.col("numerator", "denominator").sum()))
    joined = districts.filter(pl.col("indicator") != "composite").join(
        summed, left_on=["unit_code", "indicator"], right_on=["district_code", "indicator"], suffix="_sum")
    assert joined.height == 26 * 13
    assert (joined["numerator"] == joined["numerator_sum"]).all()
    assert (joined["denominator"] == joined["denominator_sum"]).all()
    for table in (communes, districts):
        rated = table.filter(pl.col("value").is_not_null() & (pl.col("indicator") != "composite"))
        assert ((rated["ci_low"] <= rated["value"]) & (rated["value"] <= rated["ci_high"])).all()
        assert ((rated["numerator"] <= rated["denominator"])).all()
        assert table.filter(pl.col("denominator") == 0)["value"].null_count() == \
            table.filter(pl.col("denominator") == 0).height


def test_as_of_inside_the_period_counts_a_late_dossier_once_and_outside_it_is_refused(tmp_path, template_root, codes):
    """Period Jan–Jun 2024. Z is received in March, due 10/03, completed late on 20/04: with as-of
    31/03 it was pending and overdue then, yet it is one late dossier of the period, counted once
    (as completed). An as-of date after the period's end would make the stock another period's:
    refused with a message, so no page can mix the two."""
    a = codes["A"]
    db = build_warehouse(tmp_path, template_root, {"dossier": [
        dossier(a, "X", D(2024, 8, 1), D(2024, 8, 5)),
        dossier(a, "Z", D(2024, 3, 1), D(2024, 3, 10), completed=D(2024, 4, 20)),
    ]})
    with open_legacy(db) as connection:
        earlier = indicator_table(connection, config(), "commune", Period(D(2024, 1, 1), D(2024, 6, 30), D(2024, 3, 31)))
        measures = supporting_measures(connection, config(), "commune", Period(D(2024, 1, 1), D(2024, 6, 30),
                                                                                D(2024, 3, 31)))
    assert fraction(earlier, a, "biet_xin_loi") == (0, 1)    # Z once, not as completed and as pending
    assert fraction(earlier, a, "khong_tre_hen") == (0, 1)
    z = measures.filter(pl.col("unit_code") == a)
    assert dict(zip(z["measure"], z["value"]))["dossiers_overdue"] == 1   # Z, overdue on 31/03
    with pytest.raises(PeriodError, match="phải nằm trong kỳ"):
        Period(D(2024, 1, 1), D(2024, 6, 30), D(2024, 9, 30))


def test_an_apology_sent_while_a_dossier_is_overdue_covers_it_from_that_day(tmp_path, template_root, codes):
    """W is received 01/03/2024, due 10/03, never completed: overdue from 11/03. The apology naming it is
    sent on 20/03, while it is overdue. As of 15/03 it is a late dossier no apology covers; as of 31/03 the
    apology covers it. (The rollup counts the apology on its own day, apart from those sent before the
    dossier fell due; both add to the overdue dossiers named.)"""
    a = codes["A"]
    db = build_warehouse(tmp_path, template_root, {
        "dossier": [dossier(a, "W", D(2024, 3, 1), D(2024, 3, 10))],
        "letter": [letter(a, "LW", "apology", D(2024, 3, 20), "W")],
    })
    with open_legacy(db) as connection:
        before, after = (indicator_table(connection, config(), "commune", Period(D(2024, 1, 1), D(2024, 6, 30), as_of))
                         for as_of in (D(2024, 3, 15), D(2024, 3, 31)))
    assert fraction(before, a, "biet_xin_loi") == (0, 1)
    assert fraction(after, a, "biet_xin_loi") == (1, 1)


def test_petition_breakdown_follows_the_engine_rules(con, codes):
    """Commune A's seven petitions at 30/06/2024 (see hand_records): P1, P5, P6 closed on time, P2 late,
    P3 and P7 open past due (P7 is resolved only on 10/07, after the as-of date), P4 open in time."""
    table = petition_breakdown(con, config(), PERIOD, [codes["A"]])
    by_timeliness = dict(table.group_by("timeliness").agg(pl.col("n").sum()).iter_rows())
    assert by_timeliness == {"closed_on_time": 3, "closed_late": 1, "open_overdue": 2, "open_in_time": 1}
    assert table.filter(pl.col("outcome") == "pending")["n"].sum() == 3
    assert table["escalated"].sum() == 1


@pytest.fixture(scope="module")
def undated(tmp_path_factory, template_root, codes):
    """The hand records plus commune C's export without due dates: a dossier reported late and a
    pending one, neither ever overdue (nothing is due)."""
    records = hand_records(codes["A"], codes["B"])
    records["dossier"] += [dossier(codes["C"], "C1", D(2024, 3, 1), None, D(2024, 3, 20), reported_timeliness="late"),
                           dossier(codes["C"], "C2", D(2024, 3, 1), None)]
    connection = open_legacy(build_warehouse(tmp_path_factory.mktemp("undated"), template_root, records))
    yield connection
    connection.close()


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(start=st.dates(dt.date(2023, 12, 1), dt.date(2024, 8, 31)), length=st.integers(0, 200),
       back=st.integers(0, 200))
def test_stocks_from_the_rollup_equal_the_overdue_items_one_by_one(undated, codes, start, length, back):
    """The period's stocks are running sums of the daily rollup; the backlog and the drill-down list
    the items one by one. For any period and as-of date inside it they must agree: the overdue
    dossiers and petitions per commune, and biet_xin_loi's late dossiers and apologies."""
    con = undated
    end = start + dt.timedelta(days=length)
    period = Period(start, end, max(start, end - dt.timedelta(days=back)))
    counts = commune_counts(con, config(), [period]).filter(pl.col("commune_code").is_in(list(codes.values())))
    items = backlog_table(con, config(), period.as_of)
    for commune in codes.values():
        row = counts.filter(pl.col("commune_code") == commune).row(0, named=True)
        mine = items.filter(pl.col("commune_code") == commune)
        assert row["dossiers_overdue"] == (mine["kind"] == "dossier").sum()
        assert row["petitions_overdue"] == (mine["kind"] == "petition").sum()
        late = indicator_records(con, config(), "biet_xin_loi", "commune", commune, period)
        assert (row["late_apologised"], row["late_dossiers"]) == (late["num_count"].sum(), late["den_count"].sum())


def test_a_dossier_without_a_due_date_is_never_overdue(undated, codes):
    """C1 (reported late, returned 20/03) and C2 (pending) have no due date: on 10/03 and at the
    end of the year neither is overdue, though C1 counts as a late dossier of its period."""
    for as_of in (D(2024, 3, 10), D(2024, 12, 31)):
        period = Period(D(2024, 1, 1), as_of, as_of)
        assert backlog_table(undated, config(), as_of).filter(pl.col("commune_code") == codes["C"]).is_empty()
        row = commune_counts(undated, config(), [period]).filter(pl.col("commune_code") == codes["C"]).row(0, named=True)
        assert (row["dossiers_overdue"], row["dossiers_pending"]) == (0, 2 if as_of < D(2024, 3, 20) else 1)
    year = commune_counts(undated, config(), [Period(D(2024, 1, 1), D(2024, 12, 31), D(2024, 12, 31))])
    assert year.filter(pl.col("commune_code") == codes["C"])["late_dossiers"].item() == 1


@pytest.fixture(scope="module")
def busy(tmp_path_factory, template_root, codes):
    """Two communes with events on most days of 2023–2024 (a seeded draw): dossiers early, late,
    returned and never closed, apologies naming some, petitions of each kind, dialogues, surveys;
    so any period crosses months with counts on their edge days."""
    rng = random.Random(9)
    records: dict[str, list[dict]] = {"dossier": [], "letter": [], "petition": [], "dialogue": [], "survey": []}
    for commune in (codes["A"], codes["B"]):
        for i in range(400):
            received = D(2023, 1, 1) + dt.timedelta(days=rng.randrange(700))
            due = received + dt.timedelta(days=rng.randrange(1, 20)) if rng.random() < 0.9 else None
            fate = rng.random()
            completed = received + dt.timedelta(days=rng.randrange(0, 40)) if fate < 0.85 else None
            status = "returned" if 0.85 <= fate < 0.9 else None
            records["dossier"].append(dossier(commune, f"{commune}-{i}", received, due, completed, status=status,
                                              supplements=rng.choice([0, 1, 2, 3, None]),
                                              channel=rng.choice(["direct", "online"])))
            if rng.random() < 0.2:
                records["letter"].append(letter(commune, f"L{commune}-{i}", "apology",
                                                received + dt.timedelta(days=rng.randrange(60)),
                                                f"{commune}-{i}" if rng.random() < 0.6 else None))
        for i in range(60):
            received = D(2023, 1, 1) + dt.timedelta(days=rng.randrange(700))
            records["petition"].append(petition(
                commune, f"P{commune}-{i}", rng.choice(["complaint", "denunciation", "petition"]), received,
                resolved=received + dt.timedelta(days=rng.randrange(90)) if rng.random() < 0.7 else None))
            records["dialogue"].append(dialogue(commune, f"D{commune}-{i}", received, rng.randrange(9),
                                                rng.randrange(9)))
            records["survey"].append(survey(commune, f"S{commune}-{i}", received, rng.randrange(1, 6)))
            records["letter"].append(letter(commune, f"T{commune}-{i}", "thanks", received))
    connection = open_legacy(build_warehouse(tmp_path_factory.mktemp("busy"), template_root, records))
    yield connection
    connection.close()


@st.composite
def period_lists(draw) -> list[Period]:
    """One to three periods with distinct starts, each with an as-of date inside it, or a trend's buckets."""
    if draw(st.booleans()):
        start = draw(st.dates(dt.date(2022, 11, 1), dt.date(2025, 1, 31)))
        end = start + dt.timedelta(days=draw(st.integers(0, 500)))
        return trend_periods(start, end, draw(st.sampled_from(["month", "quarter", "year"])))
    periods = {}
    for _ in range(draw(st.integers(1, 3))):
        start = draw(st.dates(dt.date(2022, 11, 1), dt.date(2025, 1, 31)))
        end = start + dt.timedelta(days=draw(st.integers(0, 500)))
        as_of = max(start, end - dt.timedelta(days=draw(st.integers(0, 500))))
        periods[start] = Period(start, end, as_of)
    return list(periods.values())


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(periods=period_lists())
def test_monthly_and_daily_rollups_give_the_daily_sums(busy, periods):
    """The engine reads a period's whole months from monthly_counts and only its edge days (and the
    days of a month an as-of date cuts) from daily_counts. For any periods and as-of dates, every
    summed count and every stock must equal the plain sum of daily_counts over the period's days
    and up to its as-of date."""
    counts = commune_counts(busy, config(), periods)
    summed = sorted(set(DAILY_COUNTS) & set(counts.columns))
    cur = busy.cursor()
    for period in periods:
        mine = counts.filter(pl.col("date_from") == period.date_from)
        daily = cur.sql(f"""
            SELECT u.commune_code, {", ".join(f"COALESCE(s.{c}, 0) AS {c}" for c in summed)},
                   COALESCE(k.dossiers_pending, 0) AS dossiers_pending,
                   COALESCE(k.dossiers_overdue, 0) AS dossiers_overdue,
                   COALESCE(k.petitions_overdue, 0) AS petitions_overdue
            FROM admin_units u
            LEFT JOIN (SELECT commune_code, SUM(COLUMNS(* EXCLUDE (commune_code, day))) FROM daily_counts
                       WHERE day BETWEEN $from AND $to GROUP BY ALL) s USING (commune_code)
            LEFT JOIN (SELECT commune_code, SUM(dossiers_received - dossiers_closed) AS dossiers_pending,
                              SUM(dossiers_overdue_entries - dossiers_overdue_exits) AS dossiers_overdue,
                              SUM(petitions_overdue_entries - petitions_overdue_exits) AS petitions_overdue
                       FROM daily_counts WHERE day <= $as_of GROUP BY ALL) k USING (commune_code)
            ORDER BY u.commune_code""", params={"from": period.date_from, "to": period.date_to, "as_of": period.as_of}).pl()
        columns = ["commune_code", *summed, "dossiers_pending", "dossiers_overdue", "petitions_overdue"]
        assert mine.height == daily.height
        assert mine.select(columns).sort("commune_code").equals(daily.cast({c: pl.Int64 for c in columns[1:]})), period
