"""The semantic catalog: every measure, rate, flag, level and bucket the product shows, with its
Vietnamese label and the rule constants behind it. Pages, the CLI, exports and docs take their
words from here (indicator names, targets and explanations from the configuration file); the
engine's SQL takes the rule constants as bound parameters. Nothing here is restated elsewhere.
"""

from __future__ import annotations

from schemas.admin_unit import ERA_LABELS_VI, LEVEL_TERMS, Era, Grouping
from schemas.config import ALL_RATES, SCORED_INDICATORS, DvcqConfig
from schemas.records import RECORD_SCHEMAS
from schemas.vocabularies import LETTER_KIND, PETITION_KIND, VOCABULARIES

SATISFIED_RATING = 4
"""A survey rating at or above this (4 hài lòng, 5 rất hài lòng) counts as satisfied."""
MAX_SUPPLEMENT_REQUESTS = 1
"""khong_phien_ha: a completed dossier whose papers were asked for at most this many times is without hassle."""
WATCH_MARGIN = 10.0
"""A rate below its target by at most this many points is 'to watch', further below 'weak'."""
FEW_RECORDS = 10
"""A trend point resting on fewer records than this is drawn hollow and grey-edged: 0 of 1 or 1 of 1 is
0 % or 100 % and says nothing about a quarter."""

COMPOSITE = "composite"
COMPOSITE_LABEL = "Điểm tổng hợp"
INDICATOR_COUNT = len(SCORED_INDICATORS)

# Numerator and denominator of each rate, as columns of the engine's per-commune counts.
RATE_COUNTS: dict[str, tuple[str, str]] = {
    "biet_nghe": ("dialogues_counted", "dialogues_required"),
    "biet_noi": ("opinions_answered", "opinions_raised"),
    "biet_lam": ("petitions_handled_on_time", "petitions_due"),
    "biet_xin_loi": ("late_apologised", "late_dossiers"),
    "biet_cam_on": ("thanks_counted", "thanks_required"),
    "khong_phien_ha": ("supplements_within_rule", "supplements_known"),
    "khong_ne_tranh": ("petitions_closed_locally", "petitions_closed_or_overdue"),
    "khong_tre_hen": ("dossiers_in_time", "dossiers_timed"),
    "the_hien_ton_trong": ("respect_satisfied", "respect_rated"),
    "the_hien_van_minh": ("civility_satisfied", "civility_rated"),
    "the_hien_lang_nghe": ("guidance_satisfied", "guidance_rated"),
    "the_hien_gan_gui": ("explanation_satisfied", "explanation_rated"),
    "hai_long": ("overall_satisfied", "overall_rated"),
}
assert set(RATE_COUNTS) == set(ALL_RATES)

# The counts of the engine's per-commune counts that say a commune sent a record kind in a period (any of
# them above 0): an indicator that ``requires`` a kind the unit did not send is "not sent", not N/A.
SENT_COUNTS: dict[str, tuple[str, ...]] = {
    "dossier": ("dossiers_received", "dossiers_completed"),
    "letter": tuple(f"letters_{kind}" for kind in LETTER_KIND.values),
    "petition": tuple(f"petitions_{kind}" for kind in PETITION_KIND.values),
    "dialogue": ("dialogues",),
    "survey": ("survey_responses",),
}
assert set(SENT_COUNTS) == set(RECORD_SCHEMAS)

NOT_SENT = "not_sent"
"""An indicator without a value because the unit sent none of the record kind it requires: 0 points."""
NOTHING_TO_COUNT = "nothing_to_count"
"""An indicator without a value because there was nothing to count (no late dossier): left out, neutral."""

# Supporting counts shown beside the rates, in display order (all counts but online_share, a percent).
MEASURES: dict[str, str] = {
    "dossiers_received": "Hồ sơ tiếp nhận",
    "dossiers_online": "Hồ sơ nộp trực tuyến",
    "online_share": "Tỷ lệ nộp trực tuyến (%)",
    "dossiers_completed": "Hồ sơ đã trả kết quả",
    "dossiers_early": "Trả kết quả trước hạn",
    "dossiers_on_time": "Trả kết quả đúng hạn",
    "dossiers_late": "Trả kết quả quá hạn",
    "dossiers_returned": "Hồ sơ trả lại",
    "dossiers_withdrawn": "Hồ sơ rút",
    "dossiers_pending": "Hồ sơ đang giải quyết (tại ngày tính tồn đọng)",
    "dossiers_overdue": "Hồ sơ đang giải quyết đã quá hạn (tại ngày tính tồn đọng)",
    "letters_apology": "Thư xin lỗi",
    "letters_thanks": "Thư cảm ơn",
    "letters_congratulation": "Thư chúc mừng",
    "letters_condolence": "Thư chia buồn",
    "care_letters": "Thư chúc mừng và chia buồn",
    "petitions_complaint": "Đơn khiếu nại",
    "petitions_denunciation": "Đơn tố cáo",
    "petitions_petition": "Đơn kiến nghị, phản ánh",
    "petitions_resolved": "Đơn đã giải quyết",
    "petitions_transferred": "Đơn đã chuyển",
    "petitions_withdrawn": "Đơn đã rút",
    "petitions_filed": "Đơn lưu",
    "petitions_pending": "Đơn nhận trong kỳ chưa giải quyết",
    "petitions_escalated": "Đơn vượt cấp",
    "petitions_overdue": "Đơn thư chưa giải quyết đã quá hạn (tại ngày tính tồn đọng)",
    "dialogues": "Hội nghị đối thoại",
    "dialogue_attendees": "Lượt người dự đối thoại",
    "survey_responses": "Phiếu khảo sát",
    "harassment_reports": "Phản ánh phiền hà, sách nhiễu",
}

RECORD_DETAILS: dict[str, str] = {
    "timeliness_unknown": "không rõ tiến độ",
    "unknown": "không rõ",
    "supplements": "số lần yêu cầu bổ sung: {}",
    "apology_named": "thư xin lỗi ghi mã hồ sơ, gửi {}",
    "apology_unnamed": "thư xin lỗi không ghi mã hồ sơ",
    "open_without_apology": "đang giải quyết, quá hạn, chưa có thư xin lỗi",
    "closed_without_apology": "trả kết quả quá hạn, chưa có thư xin lỗi",
    "statutory_due": ", hạn theo luật định",
    "escalated": ", vượt cấp",
    "opinions": "giải đáp {}/{} ý kiến",
    "rating": "đánh giá {}/5: {}",
}
"""The drill-down's 'Chi tiết' words of a record (``indicator_records.sql`` binds each as ``$detail_<key>``; ``{}``
is where DuckDB's ``format`` puts a value; the two starting with a comma follow a petition kind's label)."""

# What a unit is called at each grouping of each structure, from the level vocabulary (the 2025 structure's
# 'district' grouping is its 'địa bàn huyện cũ').
LEVEL_LABELS: dict[Era, dict[Grouping, str]] = {era: {t.grouping: t.label for t in terms}
                                                 for era, terms in LEVEL_TERMS.items()}
LEVEL_WORDS: dict[Era, dict[Grouping, str]] = {era: {t.grouping: t.word for t in terms}
                                                for era, terms in LEVEL_TERMS.items()}

FLAG_KINDS: dict[str, str] = {  # in order of gravity
    "rule": "Vi phạm quy định",
    "missing": "Không gửi số liệu",
    "below_target": "Thấp hơn chỉ tiêu rõ rệt",
    "below_peers": "Thấp hơn mặt bằng chung rõ rệt",
    "bottom_rank": "Nhóm cuối bảng xếp hạng",
}
FLAG_KINDS_SHORT: dict[str, str] = {"rule": "Vi phạm quy định", "missing": "Không gửi số liệu",
                                    "below_target": "Dưới chỉ tiêu",
                                    "below_peers": "Dưới mặt bằng chung", "bottom_rank": "Cuối bảng xếp hạng"}


def rule_labels(config: DvcqConfig) -> dict[str, str]:
    """Each rule flag's name (the dialogue rule's window is configured)."""
    return {"late_without_apology": "Hồ sơ trễ hẹn chưa có thư xin lỗi",
            "pending_overdue": "Hồ sơ đang giải quyết đã quá hạn",
            "petition_overdue": "Đơn thư quá hạn chưa giải quyết",
            "no_dialogue": f"Không tổ chức đối thoại trong {config.dialogue_rule_months} tháng",
            **{f"missing_{kind}": f"Không gửi {rule.label}" for kind, rule in config.submissions.items()},
            COMPOSITE: COMPOSITE_LABEL}


OUTPUT_LABELS: dict[str, str] = {
    "unit_name": "Đơn vị", "label": "Chỉ số", "numerator": "Tử số", "denominator": "Mẫu số",
    "value": "Giá trị (%)", "interval": "Khoảng tin cậy 95 %", "target": "Chỉ tiêu (%)", "rank": "Hạng",
    "points": "Điểm (đạt chỉ tiêu: 100)", "why_na": "Vì sao không có giá trị",
    "basis": "Dựa trên", "flag_kind": "Loại cảnh báo", "reason": "Lý do", "record_kind": "Loại",
    "record_id": "Mã hồ sơ / Số đơn", "due_date": "Hạn trả kết quả / hạn giải quyết",
    "days_overdue": "Số ngày làm việc quá hạn", "working_days_left": "Số ngày làm việc còn lại",
    "window_working_days": "Báo trước (ngày làm việc)",
    "bucket": "Nhóm quá hạn (ngày làm việc)",
    "month": "Tháng", "submission_kind": "Loại số liệu", "submission_status": "Tình trạng gửi",
    "rows": "Số bản ghi", "first_received": "Nhận lần đầu", "state": "Đánh giá",
}
"""Headers of the engine's output columns wherever people read them (pages, the CLI's tables, exports)."""

STATUS_LABELS: dict[str, str] = {"good": "Đạt chỉ tiêu", "watch": f"Cần theo dõi (dưới chỉ tiêu ≤ {WATCH_MARGIN:.0f} điểm)",
                                 "weak": f"Yếu (dưới chỉ tiêu > {WATCH_MARGIN:.0f} điểm)",
                                 "na": "Không có dữ liệu (N/A)"}


def overdue_buckets(edges: list[int]) -> dict[str, str]:
    """The overdue-age buckets, code (the first working day overdue it holds) -> label: [5, 15, 30] ->
    1: 1–5, 6: 6–15, 16: 16–30, 31: > 30 (working days)."""
    lows = [1] + [e + 1 for e in edges]
    return {str(lo): f"{lo}–{hi}" for lo, hi in zip(lows, edges)} | {str(lows[-1]): f"> {edges[-1]}"}


def bucket_labels(edges: list[int]) -> list[str]:
    """Labels of the overdue-age buckets in order: [5, 15, 30] -> 1–5, 6–15, 16–30, > 30 (working days)."""
    return list(overdue_buckets(edges).values())


PUBLISHED_VOCABULARIES: tuple[str, ...] = (*VOCABULARIES, "structure", *(f"level_{era}" for era in LEVEL_TERMS),
                                           "flag_kind", "indicator_status", "overdue_bucket", "record_kind")
"""The vocabularies of the ``codes`` table, by name (``published_codes`` writes exactly these)."""


def published_codes(config: DvcqConfig) -> list[tuple[str, str, str]]:
    """Every vocabulary as (vocabulary, code, Vietnamese label) rows: the ``codes`` table the publish writes, so
    SQL and anyone reading the warehouse word a code as the pages do. The value vocabularies, then the
    structures, each structure's levels, the flag kinds, the indicator statuses, the overdue buckets (of the
    configuration's edges) and the record kinds."""
    lists = {**{v.name: v.labels_vi for v in VOCABULARIES.values()},
             "structure": ERA_LABELS_VI,
             **{f"level_{era}": {t.code: t.label for t in terms} for era, terms in LEVEL_TERMS.items()},
             "flag_kind": FLAG_KINDS, "indicator_status": STATUS_LABELS,
             "overdue_bucket": overdue_buckets(config.backlog_bucket_edges),
             "record_kind": {kind: schema.label_vi for kind, schema in RECORD_SCHEMAS.items()}}
    assert tuple(lists) == PUBLISHED_VOCABULARIES
    return [(name, code, label) for name, labels in lists.items() for code, label in labels.items()]
