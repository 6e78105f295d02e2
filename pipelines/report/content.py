"""The report's content: pure functions from the engine's figures to sentences and tables.

Why pure: what the report says is the part officials argue about, so it is built without a
warehouse or a Word file — ``ReportFacts`` in, a ``ReportDocument`` (header lines and a list of
blocks) out — and a test can read every sentence. The wording comes from the templates file
(``config/report.toml``), labels from ``schemas/`` and the configuration; every percentage is
written with its numerator and denominator; a section without data says so in one sentence and
never shows "0 %".
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pipelines.engine.flags import vn_date, vn_percent, vn_target
from pipelines.report.facts import ReportFacts
from pipelines.text import vn_number
from schemas.admin_unit import COMMUNE_TYPES, DISTRICT_TYPES
from schemas.catalog import (COMPOSITE, COMPOSITE_LABEL, FLAG_KINDS, INDICATOR_COUNT, LEVEL_LABELS, LEVEL_WORDS,
                             NOT_SENT, OUTPUT_LABELS, rule_labels)
from schemas.config import SCORED_INDICATORS, DvcqConfig
from schemas.periods import Period
from schemas.report import ReportTemplates
from schemas.vocabularies import LETTER_KIND, PETITION_KIND, PETITION_OUTCOME, RATING

_TYPE_WORDS = sorted({*COMMUNE_TYPES.values(), *DISTRICT_TYPES.values(), LEVEL_WORDS["legacy"]["province"].capitalize()},
                     key=len, reverse=True)
LETTER_ORDER = ("congratulation", "condolence", "thanks", "apology")
"""The order the handwritten reports list letters in."""
OUTCOME_ORDER = tuple(PETITION_OUTCOME.values)  # the vocabulary's order


@dataclass(frozen=True)
class Heading:
    text: str
    level: int  # 1: "I. …", 2: "1. …"


@dataclass(frozen=True)
class Paragraph:
    text: str


@dataclass(frozen=True)
class Bullet:
    text: str


@dataclass(frozen=True)
class Table:
    columns: list[str]
    rows: list[list[str]]
    group_rows: frozenset[int] = frozenset()  # rows that head a group (one merged, bold cell)
    widths: tuple[float, ...] = ()            # relative column widths


Block = Heading | Paragraph | Bullet | Table


@dataclass(frozen=True)
class ReportDocument:
    """Everything the writer lays out, already in words."""

    superior: str
    issuer: list[str]
    number: str
    motto: str
    motto_sub: str
    date_line: str
    title: str
    subtitle: str
    recipient_prefix: str
    recipient: str
    blocks: list[Block]
    copies_heading: str
    copies_to: list[str]
    signer: list[str]
    signature_note: str
    file_stem: str = field(default="bao_cao")

    def text(self) -> str:
        """All words of the document in reading order (for tests and a quick look)."""
        parts = [self.superior, *self.issuer, self.number, self.motto, self.motto_sub, self.date_line, self.title,
                 self.subtitle, f"{self.recipient_prefix} {self.recipient}"]
        for block in self.blocks:
            if isinstance(block, Table):
                parts += [" | ".join(block.columns), *(" | ".join(r) for r in block.rows)]
            else:
                parts.append(block.text)
        return "\n".join([*parts, self.copies_heading, *self.copies_to, *self.signer, self.signature_note])


# ------------------------------------------------------------------ names and numbers
def split_type(name: str) -> tuple[str, str]:
    """'Thị trấn Hà Trung' -> ('Thị trấn', 'Hà Trung'); a name without a known type word -> ('', name)."""
    for word in _TYPE_WORDS:
        if name.startswith(word + " "):
            return word, name[len(word) + 1:]
    return "", name


def in_sentence(name: str) -> str:
    """'Thị trấn Hà Trung' -> 'thị trấn Hà Trung'; each part of 'Huyện A + Huyện B' alike."""
    def one(part: str) -> str:
        word, rest = split_type(part)
        return f"{word.lower()} {rest}" if word else rest
    return " + ".join(one(p) for p in name.split(" + "))


def short(name: str) -> str:
    """'Thị trấn Hà Trung' -> 'Hà Trung'; 'Huyện A + Huyện B' -> 'A + B'."""
    return " + ".join(split_type(p)[1] for p in name.split(" + "))


def num(n: int | float) -> str:
    return vn_number(n)


def pct(numerator: int, denominator: int) -> str:
    """'97,6 %' (one decimal); callers state the denominator beside it, and never call it with 0."""
    return vn_percent(numerator * 100.0 / denominator)


def _lower_first(label: str) -> str:
    return label[:1].lower() + label[1:]


def common_values(facts: ReportFacts) -> dict[str, str]:
    """The placeholders every template may use (``schemas.report.COMMON_PLACEHOLDERS``)."""
    scope, p = facts.scope, facts.period
    return {"unit": in_sentence(scope.unit_name), "Unit": scope.unit_name, "UNIT": scope.unit_name.upper(),
            "unit_short": short(scope.unit_name), "parent": in_sentence(scope.parent_name),
            "PARENT": scope.parent_name.upper(), "province": in_sentence(scope.province_name),
            "PROVINCE": scope.province_name.upper(), "province_short": short(scope.province_name),
            "date_from": vn_date(p.date_from), "date_to": vn_date(p.date_to), "as_of": vn_date(p.as_of),
            "year": str(p.date_to.year)}


class _Writer:
    """Fills templates with the common values plus each sentence's own."""

    def __init__(self, common: dict[str, str]) -> None:
        self.common = common

    def __call__(self, template: str, **values: object) -> str:
        return template.format(**self.common, **{k: str(v) for k, v in values.items()})


# ------------------------------------------------------------------ sections
def dossier_sentences(t: ReportTemplates, w: _Writer, c: dict) -> list[str]:
    """Received (online share), completed (early, on time, late), returned, withdrawn, pending and overdue."""
    d = t.dossiers
    received, completed, pending = c["dossiers_received"], c["dossiers_completed"], c["dossiers_pending"]
    if received + completed + pending + c["dossiers_returned"] + c["dossiers_withdrawn"] == 0:
        return [w(d.none)]
    out = []
    if received:
        out.append(w(d.received, received=num(received), online=num(c["dossiers_online"]),
                     online_pct=pct(c["dossiers_online"], received)))
    else:
        out.append(w(d.received_none))
    if completed:
        early, on_time, late = c["dossiers_early"], c["dossiers_on_time"], c["dossiers_late"]
        out.append(w(d.completed, completed=num(completed), early=num(early), early_pct=pct(early, completed),
                     on_time=num(on_time), on_time_pct=pct(on_time, completed), late=num(late),
                     late_pct=pct(late, completed)))
        untimed = completed - early - on_time - late
        if untimed:
            out.append(w(d.untimed, untimed=num(untimed), completed=num(completed)))
    else:
        out.append(w(d.completed_none))
    if received:
        returned, withdrawn = c["dossiers_returned"], c["dossiers_withdrawn"]
        out.append(w(d.returned, returned=num(returned), returned_pct=pct(returned, received), received=num(received))
                   if returned else w(d.returned_none))
        if withdrawn:
            out.append(w(d.withdrawn, withdrawn=num(withdrawn), withdrawn_pct=pct(withdrawn, received),
                         received=num(received)))
    overdue = c["dossiers_overdue"]
    if not pending:
        out.append(w(d.pending_none))
    elif overdue:
        out.append(w(d.pending, pending=num(pending), overdue=num(overdue), overdue_pct=pct(overdue, pending)))
    else:
        out.append(w(d.pending_in_time, pending=num(pending)))
    return out


def letter_sentences(t: ReportTemplates, w: _Writer, c: dict) -> list[str]:
    """Letters by kind, then apologies owed: late dossiers with and without an apology (biet_xin_loi's counts)."""
    lt = t.letters
    sent = {kind: c[f"letters_{kind}"] for kind in LETTER_ORDER}
    late, apologised = c["late_dossiers"], c["late_apologised"]
    if not any(sent.values()) and not late:
        return [w(lt.none)]
    total = sum(sent.values())
    by_kind = ", ".join(w(lt.kind, n=num(n), label=_lower_first(LETTER_KIND.labels_vi[k])) for k, n in sent.items())
    out = [w(lt.sent, total=num(total), by_kind=by_kind) if total else w(lt.sent_none)]
    if not late:
        out.append(w(lt.no_late))
    elif apologised < late:
        out.append(w(lt.apology_owed, late=num(late), apologised=num(apologised),
                     apologised_pct=pct(apologised, late), owed=num(late - apologised)))
    else:
        out.append(w(lt.apology_all_sent, late=num(late), apologised=num(apologised),
                     apologised_pct=pct(apologised, late)))
    return out


def petition_sentences(t: ReportTemplates, w: _Writer, c: dict) -> list[str]:
    """Received by kind, where they stand at the as-of date, on-time handling (biet_lam), escalations."""
    pt = t.petitions
    kinds = {k: c[f"petitions_{k}"] for k in PETITION_KIND.labels_vi}
    total = sum(kinds.values())
    overdue = c["petitions_overdue"]
    if not total:
        return [w(pt.none)] + ([w(pt.overdue, overdue=num(overdue))] if overdue else [])
    by_kind = "; ".join(w(pt.kind, n=num(n), label=_lower_first(PETITION_KIND.labels_vi[k])) for k, n in kinds.items())
    outcomes = [w(pt.outcome_part, n=num(c[f"petitions_{o}"]), label=_lower_first(PETITION_OUTCOME.labels_vi[o]),
                  pct=pct(c[f"petitions_{o}"], total), total=num(total))
                for o in OUTCOME_ORDER if c[f"petitions_{o}"]]
    out = [w(pt.received, total=num(total), by_kind=by_kind),
           w(pt.outcome, by_outcome="; ".join(outcomes), total=num(total))]
    on_time, due = c["petitions_handled_on_time"], c["petitions_due"]
    out.append(w(pt.on_time, on_time=num(on_time), due=num(due), on_time_pct=pct(on_time, due)) if due
               else w(pt.on_time_none))
    escalated = c["petitions_escalated"]
    out.append(w(pt.escalated, escalated=num(escalated), escalated_pct=pct(escalated, total), total=num(total))
               if escalated else w(pt.escalated_none))
    if overdue:
        out.append(w(pt.overdue, overdue=num(overdue)))
    return out


def dialogue_sentences(t: ReportTemplates, w: _Writer, c: dict) -> list[str]:
    dt_ = t.dialogues
    if not c["dialogues"]:
        return [w(dt_.none)]
    out = [w(dt_.held, dialogues=num(c["dialogues"]), attendees=num(c["dialogue_attendees"]))]
    raised, answered = c["opinions_raised"], c["opinions_answered"]
    out.append(w(dt_.opinions, raised=num(raised), answered=num(answered), answered_pct=pct(answered, raised))
               if raised else w(dt_.opinions_none))
    return out


def survey_sentences(t: ReportTemplates, w: _Writer, c: dict, ratings: dict[int, int]) -> list[str]:
    """Responses by overall rating (best first) with their share, then hai_long's satisfied share."""
    s = t.survey
    responses = sum(ratings.values())
    if not responses:
        return [w(s.none)]
    given = [w(s.rating, n=num(ratings[r]), label=_lower_first(RATING.labels_vi[str(r)]),
               pct=pct(ratings[r], responses), responses=num(responses))
             for r in sorted(map(int, RATING.labels_vi), reverse=True) if ratings.get(r)]
    nobody = [_lower_first(RATING.labels_vi[str(r)]) for r in sorted(map(int, RATING.labels_vi), reverse=True)
              if not ratings.get(r)]
    # The template quotes its {label}: several ratings no one gave read “không hài lòng”, “rất không hài lòng”.
    parts = given + ([w(s.rating_zero, label="”, “".join(nobody))] if nobody else [])
    satisfied, rated = c["overall_satisfied"], c["overall_rated"]
    return [w(s.total, responses=num(responses), by_rating="; ".join(parts)),
            w(s.satisfied, satisfied=num(satisfied), responses=num(rated), satisfied_pct=pct(satisfied, rated))]


def indicator_table(facts: ReportFacts, config: DvcqConfig, t_na_not_sent: str) -> Table:
    """The 12 indicators under their group: numerator, denominator, value ("N/A" when there was nothing to count,
    ``t_na_not_sent`` when the unit did not send what the indicator requires), target, 95 % interval."""
    rows, groups = [], []
    by_id = {r["indicator"]: r for r in facts.rates.iter_rows(named=True)}
    for group_id, group in config.groups.items():
        groups.append(len(rows))
        rows.append([group.label])
        for number, indicator in enumerate(SCORED_INDICATORS, start=1):
            r = by_id[indicator]
            if r["group"] != group_id:
                continue
            has = r["value"] is not None
            rows.append([str(number), r["label"], num(r["numerator"]), num(r["denominator"]),
                         vn_number(r["value"], 1) if has else (t_na_not_sent if r["missing"] == NOT_SENT else "N/A"),
                         vn_target(r["target"]).removesuffix(" %"),
                         f"{vn_number(r['ci_low'], 1)}–{vn_number(r['ci_high'], 1)}" if has else "—"])
    columns = ["STT", OUTPUT_LABELS["label"], OUTPUT_LABELS["numerator"], OUTPUT_LABELS["denominator"],
               OUTPUT_LABELS["value"], OUTPUT_LABELS["target"], OUTPUT_LABELS["interval"]]
    return Table(columns, rows, frozenset(groups), (1.3, 5.4, 1.5, 1.5, 1.7, 1.7, 2.4))


def composite_sentences(t: ReportTemplates, w: _Writer, facts: ReportFacts, config: DvcqConfig) -> list[str]:
    it, scope = t.indicators, facts.scope
    comp = facts.rates.filter(facts.rates["indicator"] == COMPOSITE).row(0, named=True)
    if comp["value"] is None:
        return [w(it.composite_none, count=INDICATOR_COUNT)]
    out = [w(it.composite, score=vn_number(comp["value"], 1), coverage=comp["coverage"], count=INDICATOR_COUNT)]
    if scope.level == "province":
        return out
    word = LEVEL_WORDS[scope.era][scope.level]
    if comp["ranked"]:
        out.append(w(it.rank, rank=comp["rank_province"], ranked=facts.ranked_units, level_word=word))
    elif comp["coverage"] < config.min_indicators_ranked:
        out.append(w(it.unranked, coverage=comp["coverage"], count=INDICATOR_COUNT,
                     min_indicators=config.min_indicators_ranked))
    else:
        out.append(w(it.unranked_reporting, reporting=comp["reporting_communes"], communes=comp["communes"],
                     commune_word=LEVEL_WORDS[scope.era]["commune"],
                     min_pct=vn_number(config.min_communes_reporting_ranked)))
    return out


def flag_items(t: ReportTemplates, w: _Writer, facts: ReportFacts) -> list[str]:
    return [w(t.flags.item, kind=FLAG_KINDS[f], reason=r) for f, r in facts.flags.select("flag", "reason").iter_rows()]


def shortcoming_items(t: ReportTemplates, w: _Writer, facts: ReportFacts, config: DvcqConfig) -> list[str]:
    """'2. Hạn chế': what to improve, one line per theme — each indicator group («5 biết», «3 không»,
    «4 thể hiện»), the supplementary rates, the rules, the composite — naming each flagged indicator or
    rule once with its figures, whatever kinds of flag it drew. Section I.7 has already stated every
    flag's reason; repeating those sentences here gave the author nothing to start the assessment from."""
    rules, groups = rule_labels(config), list(config.groups)
    themes: dict[str, list[str]] = {}
    order: dict[str, int] = {}
    for ind, value, target in facts.flags.unique("indicator", keep="first", maintain_order=True) \
            .select("indicator", "value", "target").iter_rows():
        if ind in config.indicators:
            group = config.indicators[ind].group
            theme = config.groups[group].label if group else w(t.assessment.theme_other)
            rank = groups.index(group) if group else len(groups)
            item = w(t.assessment.improve_rate, indicator=config.indicators[ind].label, value=vn_percent(value),
                     target=vn_target(target))
        elif ind == COMPOSITE:
            theme, rank = COMPOSITE_LABEL, len(groups) + 2
            item = w(t.assessment.improve_composite, score=vn_number(value, 1))
        else:
            theme, rank = w(t.assessment.theme_rules), len(groups) + 1
            item = _lower_first(rules.get(ind, ind))
        themes.setdefault(theme, []).append(item)
        order[theme] = rank
    return [w(t.assessment.improve_theme, theme=theme, items="; ".join(themes[theme]))
            for theme in sorted(themes, key=order.get)]


def commune_blocks(t: ReportTemplates, w: _Writer, facts: ReportFacts, config: DvcqConfig) -> list[Block]:
    """Coverage (communes reporting / communes), then the reporting communes ranked by composite score with the
    indicators each rests on and its warnings; the silent ones named (a district, an area) or counted (the
    province, where they run to hundreds)."""
    cm, scope = t.communes, facts.scope
    word = LEVEL_LABELS[scope.era]["commune"].lower()
    reporting = facts.communes.filter(facts.communes["reporting_communes"] > 0)
    silent = facts.communes.filter(facts.communes["reporting_communes"] == 0)
    blocks: list[Block] = [Paragraph(w(cm.coverage, reporting=num(reporting.height),
                                       communes=num(facts.communes.height), commune_word=word))]
    if reporting.height:
        rows = [[str(r["rank"]) if r["ranked"] else cm.unranked_rank, r["unit_name"],
                 vn_number(r["value"], 1) if r["value"] is not None else "—",
                 f"{r['coverage']}/{INDICATOR_COUNT}", num(r["flags"])]
                for r in reporting.iter_rows(named=True)]
        columns = [OUTPUT_LABELS["rank"], LEVEL_LABELS[scope.era]["commune"], COMPOSITE_LABEL, cm.coverage_column,
                   cm.flags_column]
        blocks += [Paragraph(w(cm.ranking_rule, min_indicators=config.min_indicators_ranked, count=INDICATOR_COUNT)),
                   Table(columns, rows, widths=(3.0, 5.2, 2.0, 2.1, 1.6))]
    if silent.height and scope.level == "province":
        blocks.append(Paragraph(w(cm.not_reporting_count, n=num(silent.height), commune_word=word)))
    elif silent.height:
        blocks.append(Paragraph(w(cm.not_reporting_named, n=num(silent.height), commune_word=word,
                                  names=", ".join(sorted(silent["unit_name"])))))
    return blocks


# ------------------------------------------------------------------ the document
def build_document(facts: ReportFacts, templates: ReportTemplates, config: DvcqConfig) -> ReportDocument:
    """The whole report for ``facts``: header, sections I–IV in the order officials write them, signature."""
    t, scope, c = templates, facts.scope, facts.counts
    level = t.levels[scope.term.code]
    w = _Writer(common_values(facts))
    scope_text = w(t.header.scope_unit if scope.term.governed else t.header.scope_area)
    issuer_short = w(level.issuer_short)
    commune_word = LEVEL_LABELS[scope.era]["commune"].lower()
    h = t.headings
    blocks: list[Block] = [Paragraph(w(t.header.intro, issuer_short=issuer_short, scope=scope_text)),
                           Heading(w(h.results), 1)]
    for heading, sentences in ((h.dossiers, dossier_sentences(t, w, c)), (h.letters, letter_sentences(t, w, c)),
                               (h.petitions, petition_sentences(t, w, c)), (h.dialogues, dialogue_sentences(t, w, c)),
                               (h.survey, survey_sentences(t, w, c, facts.ratings))):
        blocks += [Heading(w(heading), 2), *(Paragraph(s) for s in sentences)]
    blocks += [Heading(w(h.indicators), 2), Paragraph(w(t.indicators.intro, count=INDICATOR_COUNT)),
               indicator_table(facts, config, t.indicators.not_sent_value), *(Paragraph(s) for s in composite_sentences(t, w, facts, config))]
    flags = flag_items(t, w, facts)
    blocks.append(Heading(w(h.flags), 2))
    blocks += ([Paragraph(w(t.flags.intro, n=num(len(flags)))), *(Bullet(f) for f in flags)] if flags
               else [Paragraph(w(t.flags.none))])
    soon = facts.due_soon
    blocks.append(Paragraph(w(t.flags.due_soon, due_soon=num(sum(soon.values())), dossiers=num(soon["dossier"]),
                              petitions=num(soon["petition"])) if any(soon.values()) else w(t.flags.due_soon_none)))
    if facts.communes is not None:
        communes = facts.communes
        flagged = communes.filter(communes["flags"] > 0).height
        blocks.append(Paragraph(w(t.flags.communes, flagged=num(flagged), communes=num(communes.height),
                                  commune_word=commune_word) if flagged else
                                w(t.flags.communes_none, communes=num(communes.height), commune_word=commune_word)))
        blocks += [Heading(w(h.communes, commune_word=commune_word), 2), *commune_blocks(t, w, facts, config)]
    blank = Paragraph(w(t.assessment.blank))
    blocks += [Heading(w(h.assessment), 1), Heading(w(h.strengths), 2), blank, Heading(w(h.shortcomings), 2)]
    improve = shortcoming_items(t, w, facts, config)
    blocks += ([Paragraph(w(t.assessment.shortcomings_intro, n=num(len(flags)), themes=num(len(improve)))),
                *(Bullet(item) for item in improve), blank] if improve else [blank])
    blocks += [Heading(w(h.tasks), 1), blank, Heading(w(h.recommendations), 1), blank,
               Paragraph(w(t.assessment.closing, issuer_short=issuer_short, scope=scope_text))]
    return ReportDocument(
        superior=w(level.superior), issuer=w(level.issuer).split("\n"), number=w(t.header.number),
        motto=w(t.header.motto), motto_sub=w(t.header.motto_sub),
        date_line=w(t.header.date_line, place=w(level.place)), title=w(t.header.title),
        subtitle=w(t.header.subtitle, scope=scope_text), recipient_prefix=w(t.header.recipient_prefix),
        recipient=w(level.recipient), blocks=blocks, copies_heading=w(t.assessment.copies_heading),
        copies_to=[w(line) for line in level.copies_to], signer=w(level.signer).split("\n"),
        signature_note=w(t.assessment.signature_note),
        file_stem=file_stem(scope.unit_code, facts.period))


def file_stem(unit_code: str, period: Period) -> str:
    """'bao_cao_15271_20210101_20221231': the report's file name without extension (CLI and dashboard alike)."""
    return f"bao_cao_{unit_code}_{period.date_from:%Y%m%d}_{period.date_to:%Y%m%d}"
