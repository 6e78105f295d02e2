"""Silence is a finding: a unit never ranks higher for sending less.

The composite's rule (configuration, ``docs/indicators.md``): an indicator's points are 100 at or above its
target, else 100 x value / target; an indicator that requires a record kind the unit did not send scores 0;
one with nothing to count is left out for every unit alike. The property below runs the engine's own rating
and ranking (``aggregate`` and ``rates_from_counts``) on generated per-commune counts.
"""

from __future__ import annotations

import math

import polars as pl
from hypothesis import example, given, settings
from hypothesis import strategies as st

from pipelines.engine.indicators import aggregate, level_units, rates_from_counts
from schemas.catalog import COMPOSITE, RATE_COUNTS, SENT_COUNTS
from tests.engine_fixtures import config

KINDS = ("dossier", "letter", "petition", "dialogue", "survey")
COLUMNS = sorted({c for pair in RATE_COUNTS.values() for c in pair} | {c for cs in SENT_COUNTS.values() for c in cs}
                 | {"reporting_communes"})
SURVEY_CRITERIA = ("respect", "civility", "guidance", "explanation", "overall")


def _at_least(share: float, n: int) -> int:
    return math.ceil(share * n)


def kind_counts(kind: str, size: int, meeting: bool, draw) -> dict[str, int]:
    """Counts one commune's records of ``kind`` add: any values, or (``meeting``) values that reach every
    target of the indicators the kind feeds (targets of the shipped configuration)."""
    targets = {rate: config().indicators[rate].target / 100 for rate in RATE_COUNTS}

    def part(rate: str, n: int) -> int:
        return draw(st.integers(_at_least(targets[rate], n) if meeting else 0, n))

    if kind == "dossier":  # meeting: every late dossier has its apology (biet_xin_loi's target is 100 %)
        in_time = part("khong_tre_hen", size)
        late = size - in_time
        return {"dossiers_received": size, "dossiers_completed": size, "dossiers_timed": size,
                "dossiers_in_time": in_time, "supplements_known": size,
                "supplements_within_rule": part("khong_phien_ha", size),
                "late_dossiers": late, "late_apologised": late if meeting else draw(st.integers(0, late))}
    if kind == "letter":
        return {"letters_thanks": size, "thanks_counted": 2 if meeting else draw(st.integers(0, 2))}
    if kind == "petition":
        return {"petitions_petition": size, "petitions_due": size, "petitions_handled_on_time": part("biet_lam", size),
                "petitions_closed_or_overdue": size, "petitions_closed_locally": part("khong_ne_tranh", size)}
    if kind == "dialogue":
        return {"dialogues": size, "dialogues_counted": 2 if meeting else draw(st.integers(0, 2)),
                "opinions_raised": size, "opinions_answered": part("biet_noi", size)}
    rated = {f"{c}_rated": size for c in SURVEY_CRITERIA}
    return {"survey_responses": size, **rated, **{f"{c}_satisfied": part(
        {"respect": "the_hien_ton_trong", "civility": "the_hien_van_minh", "guidance": "the_hien_lang_nghe",
         "explanation": "the_hien_gan_gui", "overall": "hai_long"}[c], size) for c in SURVEY_CRITERIA}}


def commune_row(code: str, kinds: dict[str, dict[str, int]]) -> dict[str, int | str]:
    row: dict[str, int | str] = {c: 0 for c in COLUMNS} | {"commune_code": code, "dialogues_required": 2,
                                                          "thanks_required": 2}
    for counts in kinds.values():
        row.update(counts)
    row["reporting_communes"] = int(bool(kinds))
    return row


def ranks(rows: list[dict]) -> dict[str, int | None]:
    counts = pl.DataFrame(rows, schema={"commune_code": pl.String} | {c: pl.Int64 for c in COLUMNS})
    names = pl.DataFrame({"commune_code": counts["commune_code"], "commune_name": counts["commune_code"],
                          "district_code": "1", "district_name": "Địa bàn", "province_code": "38",
                          "province_name": "Tỉnh"})
    units = level_units(names, "commune")
    table = rates_from_counts(aggregate(counts, units, []), config(), "commune", [])
    composite = table.filter(pl.col("indicator") == COMPOSITE)
    return dict(zip(composite["unit_code"], composite["rank_province"]))


@st.composite
def province(draw):
    """A kind commune 0 did not send, and five communes, each sending each other kind with any values or
    with values meeting their targets (both likelier than not, so that high composites meet); then the
    counts of that kind for commune 0, meeting their targets."""
    likely = st.sampled_from([True, True, True, False])
    added = draw(st.sampled_from(KINDS))
    communes = [{kind: kind_counts(kind, draw(st.integers(1, 40)), draw(likely), draw)
                 for kind in KINDS if draw(likely) and (i > 0 or kind != added)} for i in range(5)]
    return communes, added, kind_counts(added, draw(st.integers(1, 40)), True, draw)


def perfect(petitions_on_time: int | None) -> dict[str, dict[str, int]]:
    """Every kind at 100 % but petitions: none, or 10 with this many handled on time and locally."""
    kinds = {"dossier": {"dossiers_received": 10, "dossiers_completed": 10, "dossiers_timed": 10,
                         "dossiers_in_time": 10, "supplements_known": 10, "supplements_within_rule": 10},
             "letter": {"letters_thanks": 2, "thanks_counted": 2},
             "dialogue": {"dialogues": 2, "dialogues_counted": 2, "opinions_raised": 10, "opinions_answered": 10},
             "survey": {"survey_responses": 10} | {f"{c}_rated": 10 for c in SURVEY_CRITERIA}
             | {f"{c}_satisfied": 10 for c in SURVEY_CRITERIA}}
    return kinds | ({} if petitions_on_time is None else {"petition": petition_counts(petitions_on_time)})


def petition_counts(on_time: int) -> dict[str, int]:
    return {"petitions_petition": 10, "petitions_due": 10, "petitions_handled_on_time": on_time,
            "petitions_closed_or_overdue": 10, "petitions_closed_locally": on_time}


@settings(max_examples=100, deadline=None)
@given(province())
# A mean of the values themselves would fail here: commune 0, perfect without petitions, sends petitions at
# 80 % (their target) and falls below commune 1, perfect with petitions at 90 %.
@example(([perfect(None), perfect(9)], "petition", petition_counts(8)))
def test_sending_a_kind_that_meets_its_targets_never_lowers_the_rank(case):
    communes, added, extra = case
    before = ranks([commune_row(str(i), kinds) for i, kinds in enumerate(communes)])
    communes[0] = communes[0] | {added: extra}
    after = ranks([commune_row(str(i), kinds) for i, kinds in enumerate(communes)])
    if before["0"] is not None:  # ranked before: ranked after, at the same place or better
        assert after["0"] is not None and after["0"] <= before["0"]


def test_a_commune_without_surveys_ranks_below_its_twin_with_good_surveys():
    """Three twins with the same dossiers, letters, petitions and dialogues: with surveys 93 % positive (target
    90 %), with surveys 50 % positive, without surveys. Points of the survey indicators: 100, 55,6 (50/90) and
    0 (not sent): the twin that sent nothing ranks last, not second."""
    def twin(code: str, positive: int | None) -> dict:
        kinds = {"dossier": {"dossiers_received": 100, "dossiers_completed": 100, "dossiers_timed": 100,
                             "dossiers_in_time": 100, "supplements_known": 100, "supplements_within_rule": 100},
                 "dialogue": {"dialogues": 2, "dialogues_counted": 2, "opinions_raised": 10, "opinions_answered": 10},
                 "letter": {"letters_thanks": 2, "thanks_counted": 2}}
        if positive is not None:
            kinds["survey"] = {"survey_responses": 100} | {f"{c}_rated": 100 for c in SURVEY_CRITERIA} | {
                f"{c}_satisfied": positive for c in SURVEY_CRITERIA}
        return commune_row(code, kinds)

    assert ranks([twin("good", 93), twin("poor", 50), twin("silent", None)]) == {"good": 1, "poor": 2, "silent": 3}


def test_withholding_the_dossier_ledger_never_beats_sending_a_weak_one():
    """Two communes perfect on everything else: A sends no dossier, B sends 10 dossiers, 1 on time, 2 within the
    supplement rule, 9 late and none apologised. A's three dossier indicators are not sent (0 points each); B's
    earn 100 x 10/95, 100 x 20/80 and 0. Withholding weak records must not rank A above B."""
    perfect_rest = perfect(10)
    del perfect_rest["dossier"]
    weak = {"dossier": {"dossiers_received": 10, "dossiers_completed": 10, "dossiers_timed": 10, "dossiers_in_time": 1,
                        "supplements_known": 10, "supplements_within_rule": 2, "late_dossiers": 9,
                        "late_apologised": 0}}
    assert ranks([commune_row("A", perfect_rest), commune_row("B", perfect_rest | weak)]) == {"B": 1, "A": 2}
