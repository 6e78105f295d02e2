"""The written report's wording: header lines, recipients per level, every sentence's template.

Officials edit ``config/report.toml`` (or the file named by ``DVCQ_REPORT_TEMPLATES``); this model
validates it like ``schemas.config`` validates ``config/dvcq.toml``: an unknown or missing key, an
empty text, a control character the Word file cannot hold, a ``{placeholder}`` the sentence cannot
fill or one that is not a plain name raises ``ReportTemplateError`` naming the key, in Vietnamese, in
one line and without the server's folders. The numbers are never in the file: ``pipelines.report`` fills the placeholders
from the engine. Each field declares the placeholders it may use (besides ``COMMON_PLACEHOLDERS``),
so a typo is caught when the file is read, not when a sentence is printed.
"""

from __future__ import annotations

import os
import string
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from schemas.admin_unit import LEVEL_CODES
from schemas.config import ConfigError, read_toml_model, xml_legal

DEFAULT_REPORT_TEMPLATES_PATH = Path(__file__).resolve().parents[1] / "config" / "report.toml"
REPORT_LEVELS: tuple[str, ...] = LEVEL_CODES
"""Who writes the report: a commune, a legacy district, an 'địa bàn huyện cũ' of the 2025 structure, the province
(the level vocabulary's codes)."""

COMMON_PLACEHOLDERS: dict[str, str] = {
    "unit": "the unit's name as in a sentence: 'thị trấn Hà Trung', 'huyện Hà Trung', 'tỉnh Thanh Hóa'",
    "Unit": "the unit's name as registered: 'Thị trấn Hà Trung'",
    "UNIT": "the unit's name in capitals: 'THỊ TRẤN HÀ TRUNG'",
    "unit_short": "the name without its type word: 'Hà Trung'",
    "parent": "the unit above it as in a sentence: 'huyện Hà Trung' (legacy commune), 'tỉnh Thanh Hóa'",
    "PARENT": "the unit above it in capitals: 'HUYỆN HÀ TRUNG', 'TỈNH THANH HÓA'",
    "province": "'tỉnh Thanh Hóa'",
    "PROVINCE": "'TỈNH THANH HÓA'",
    "province_short": "'Thanh Hóa'",
    "date_from": "first day of the period, dd/mm/yyyy",
    "date_to": "last day of the period, dd/mm/yyyy",
    "as_of": "the day the open and overdue items are counted, dd/mm/yyyy",
    "year": "the year of the period's last day",
}
"""Placeholders every template may use."""


class ReportTemplateError(ConfigError):
    """The report templates file is missing, unreadable or has a bad key or value."""


def _placeholders(*names: str, text: str = "") -> Any:
    """A required, non-empty template that may use ``names`` besides the common placeholders."""
    return Field(min_length=1, description=text, json_schema_extra={"placeholders": list(names)})


def plain_placeholders(key: str, text: str) -> set[str]:
    """The ``{name}`` placeholders of a template, which must be plain names: a format spec or a conversion
    ('{unit:d}', '{unit:>300000000}', '{unit!r}'), an attribute or an index ('{unit.__class__}', '{unit[0]}')
    could crash the report or fill gigabytes, so each is refused naming ``key``; so is a character the
    Word file cannot hold (``xml_legal``)."""
    try:
        xml_legal(text)
    except ValueError as exc:
        raise ValueError(f"{key}: {exc}") from exc
    try:
        parts = list(string.Formatter().parse(text))
    except ValueError as exc:
        raise ValueError(f"{key}: dấu ngoặc {{ }} không khớp ({exc}); viết {{{{ và }}}} để in dấu ngoặc") from exc
    names = set()
    for _, name, spec, conversion in parts:
        if name is None:
            continue
        if spec or conversion or not name.isidentifier():
            written = "{" + name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "") + "}"
            raise ValueError(f"{key}: chỗ điền {written!r} không dùng được: chỉ viết tên trong ngoặc, "
                             "ví dụ {unit}, không kèm định dạng, dấu chấm hay chỉ số")
        names.add(name)
    return names


class _Templates(BaseModel):
    """A block of templates: no key beyond those declared, every placeholder one the field allows."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    @model_validator(mode="after")
    def _known_placeholders(self) -> "_Templates":
        for name, field in type(self).model_fields.items():
            value = getattr(self, name)
            if not isinstance(value, str):
                continue
            allowed = set(COMMON_PLACEHOLDERS) | set((field.json_schema_extra or {}).get("placeholders", []))
            unknown = sorted(plain_placeholders(name, value) - allowed)
            if unknown:
                raise ValueError(f"{name}: chỗ điền {', '.join('{' + u + '}' for u in unknown)} không dùng được ở đây; "
                                 f"dùng được: {', '.join('{' + a + '}' for a in sorted(allowed))}")
        return self


class LevelTemplates(_Templates):
    """What changes with the level that writes: the issuing body, the recipient, the signer."""

    superior: str = Field(default="", description="line above the issuing body (empty: none)",
                          json_schema_extra={"placeholders": []})
    issuer: str = _placeholders(text="issuing body, one line per line of the header ('\\n' between lines)")
    issuer_short: str = _placeholders(text="the issuing body as in a sentence: 'UBND thị trấn Hà Trung'")
    place: str = _placeholders(text="place written before the date: 'Hà Trung'")
    recipient: str = _placeholders(text="after 'Kính gửi:'")
    signer: str = _placeholders(text="signer's title lines ('\\n' between lines)")
    copies_to: list[str] = Field(min_length=1, description="'Nơi nhận' lines")

    @model_validator(mode="after")
    def _copies_are_templates(self) -> "LevelTemplates":
        for i, line in enumerate(self.copies_to):
            used = plain_placeholders(f"copies_to[{i}]", line)
            if used - set(COMMON_PLACEHOLDERS):
                raise ValueError(f"copies_to[{i}]: chỗ điền {sorted(used - set(COMMON_PLACEHOLDERS))} không dùng được")
        return self


class HeaderTemplates(_Templates):
    motto: str = _placeholders()
    motto_sub: str = _placeholders()
    number: str = _placeholders(text="'Số: …/BC-UBND'")
    date_line: str = _placeholders("place", text="place and date, left for the signer")
    title: str = _placeholders()
    subtitle: str = _placeholders("scope")
    recipient_prefix: str = _placeholders()
    intro: str = _placeholders("issuer_short", "scope")
    scope_unit: str = _placeholders(text="'trên địa bàn …' of a commune, district or province")
    scope_area: str = _placeholders(text="the same for a 'địa bàn huyện cũ' (2025 structure)")


class HeadingTemplates(_Templates):
    results: str = _placeholders()
    dossiers: str = _placeholders()
    letters: str = _placeholders()
    petitions: str = _placeholders()
    dialogues: str = _placeholders()
    survey: str = _placeholders()
    indicators: str = _placeholders()
    flags: str = _placeholders()
    communes: str = _placeholders("commune_word")
    assessment: str = _placeholders()
    strengths: str = _placeholders()
    shortcomings: str = _placeholders()
    tasks: str = _placeholders()
    recommendations: str = _placeholders()


class DossierTemplates(_Templates):
    none: str = _placeholders()
    received: str = _placeholders("received", "online", "online_pct")
    received_none: str = _placeholders()
    completed: str = _placeholders("completed", "early", "early_pct", "on_time", "on_time_pct", "late", "late_pct")
    completed_none: str = _placeholders()
    untimed: str = _placeholders("untimed", "completed")
    returned: str = _placeholders("returned", "returned_pct", "received")
    returned_none: str = _placeholders()
    withdrawn: str = _placeholders("withdrawn", "withdrawn_pct", "received")
    pending: str = _placeholders("pending", "overdue", "overdue_pct")
    pending_in_time: str = _placeholders("pending")
    pending_none: str = _placeholders()


class LetterTemplates(_Templates):
    none: str = _placeholders()
    sent: str = _placeholders("total", "by_kind")
    sent_none: str = _placeholders()
    kind: str = _placeholders("n", "label", text="one kind inside {by_kind}")
    apology_owed: str = _placeholders("late", "apologised", "apologised_pct", "owed")
    apology_all_sent: str = _placeholders("late", "apologised", "apologised_pct")
    no_late: str = _placeholders()


class PetitionTemplates(_Templates):
    none: str = _placeholders()
    received: str = _placeholders("total", "by_kind")
    kind: str = _placeholders("n", "label", text="one kind inside {by_kind}")
    outcome: str = _placeholders("by_outcome", "total")
    outcome_part: str = _placeholders("n", "label", "pct", "total", text="one outcome inside {by_outcome}")
    on_time: str = _placeholders("on_time", "due", "on_time_pct")
    on_time_none: str = _placeholders()
    escalated: str = _placeholders("escalated", "escalated_pct", "total")
    escalated_none: str = _placeholders()
    overdue: str = _placeholders("overdue")


class DialogueTemplates(_Templates):
    none: str = _placeholders()
    held: str = _placeholders("dialogues", "attendees")
    opinions: str = _placeholders("raised", "answered", "answered_pct")
    opinions_none: str = _placeholders()


class SurveyTemplates(_Templates):
    none: str = _placeholders()
    total: str = _placeholders("responses", "by_rating")
    rating: str = _placeholders("n", "label", "pct", "responses", text="one rating inside {by_rating}")
    rating_zero: str = _placeholders("label", text="a rating no one gave, inside {by_rating}")
    satisfied: str = _placeholders("satisfied", "responses", "satisfied_pct")


class IndicatorTemplates(_Templates):
    intro: str = _placeholders("count")
    composite: str = _placeholders("score", "coverage", "count")
    composite_none: str = _placeholders("count")
    rank: str = _placeholders("rank", "ranked", "level_word")
    unranked: str = _placeholders("coverage", "count", "min_indicators", text="too few indicators to rank")
    unranked_reporting: str = _placeholders("reporting", "communes", "commune_word", "min_pct",
                                            text="a district or area where too few communes sent data")
    not_sent_value: str = _placeholders(text="the value cell of an indicator the unit sent no records for")


class FlagTemplates(_Templates):
    none: str = _placeholders()
    intro: str = _placeholders("n")
    item: str = _placeholders("kind", "reason", text="one warning")
    communes: str = _placeholders("flagged", "communes", "commune_word")
    communes_none: str = _placeholders("communes", "commune_word", text="no commune of the unit has a warning")
    due_soon: str = _placeholders("due_soon", "dossiers", "petitions",
                                  text="items due soon at the as-of day (pending, not yet overdue, inside their window)")
    due_soon_none: str = _placeholders(text="nothing due soon at the as-of day")


class CommuneTemplates(_Templates):
    coverage: str = _placeholders("reporting", "communes", "commune_word")
    not_reporting_named: str = _placeholders("n", "commune_word", "names", text="a district's or area's silent communes")
    not_reporting_count: str = _placeholders("n", "commune_word", text="the province's: too many to name")
    unranked_rank: str = _placeholders(text="the rank cell of a commune that is not ranked")
    coverage_column: str = _placeholders(text="header of the column 'indicators with a value / 12'")
    flags_column: str = _placeholders(text="header of the column counting a commune's warnings")
    ranking_rule: str = _placeholders("min_indicators", "count")


class AssessmentTemplates(_Templates):
    blank: str = _placeholders(text="the line left for the author under a heading")
    shortcomings_intro: str = _placeholders("n", "themes")
    improve_theme: str = _placeholders("theme", "items", text="one line of '2. Hạn chế': a theme and what in it to improve")
    improve_rate: str = _placeholders("indicator", "value", "target")
    improve_composite: str = _placeholders("score")
    theme_rules: str = _placeholders(text="the theme of the rule flags")
    theme_other: str = _placeholders(text="the theme of flagged rates outside the three groups")
    closing: str = _placeholders("issuer_short", "scope")
    copies_heading: str = _placeholders()
    signature_note: str = _placeholders()


class ReportTemplates(_Templates):
    """The whole templates file."""

    header: HeaderTemplates
    levels: dict[str, LevelTemplates]
    headings: HeadingTemplates
    dossiers: DossierTemplates
    letters: LetterTemplates
    petitions: PetitionTemplates
    dialogues: DialogueTemplates
    survey: SurveyTemplates
    indicators: IndicatorTemplates
    flags: FlagTemplates
    communes: CommuneTemplates
    assessment: AssessmentTemplates

    @model_validator(mode="after")
    def _every_level(self) -> "ReportTemplates":
        missing = [lv for lv in REPORT_LEVELS if lv not in self.levels]
        unknown = [lv for lv in self.levels if lv not in REPORT_LEVELS]
        if missing or unknown:
            raise ValueError(f"levels: thiếu {missing}, không biết {unknown}; cần đúng các cấp {list(REPORT_LEVELS)}")
        return self


_MESSAGES_VI = {
    "missing": "thiếu khóa bắt buộc",
    "extra_forbidden": "khóa không có trong mẫu (gõ sai tên khóa?)",
    "string_type": "phải là một chuỗi văn bản trong dấu ngoặc kép",
    "string_too_short": "không được để trống",
    "list_type": "phải là một danh sách [\"…\", \"…\"]",
    "too_short": "cần ít nhất một dòng",
    "dict_type": "phải là một bảng [..]",
    "model_type": "phải là một bảng [..]",
}


def _problem(err: dict) -> str:
    key = ".".join(str(p) for p in err["loc"]) or "(gốc)"
    if err["type"] == "value_error":  # our own messages, already in Vietnamese and naming the field
        message = str(err["ctx"]["error"]) if "ctx" in err else err["msg"]
        return f"{key}.{message}" if key != "(gốc)" else message
    return f"{key}: {_MESSAGES_VI.get(err['type'], err['msg'])}"


def load_report_templates(path: str | os.PathLike | None = None) -> ReportTemplates:
    """Read and validate the templates; ``DVCQ_REPORT_TEMPLATES`` overrides the default path."""
    source = Path(path or os.environ.get("DVCQ_REPORT_TEMPLATES") or DEFAULT_REPORT_TEMPLATES_PATH)
    return read_toml_model(source, ReportTemplates, ReportTemplateError, "tệp mẫu báo cáo", _problem, "; ")
