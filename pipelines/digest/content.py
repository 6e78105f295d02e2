"""What one account's digest says: counts, the oldest items, what is missing, what is new and what moved.

Why it asks the engine and the account's ``Scope`` and nothing else: the digest must equal what the dashboard
shows the same official (issue 22, "what they receive equals what the dashboard shows them"). So every figure
is the engine's (``backlog_table``, ``due_soon_table``, ``flag_table``, ``submission_table``,
``indicator_table``, as ``dvcq backlog`` and the pages read them), and every row passes the same rules the
dashboard applies: ``Scope.visible`` for counts and figures (a commune clerk's digest never holds another
commune's row), ``Scope.records`` for items listed one by one (no free text unless the role reads it, no
denunciation one by one unless it does; those are said as a count, ``Scope.withheld``), and a role that reads
no records gets counts only.

The span of a digest is the calendar day, week (Monday to Sunday) or month that holds its as-of day, up to that
day; the previous digest's as-of day is one day, seven days or one month before. Stocks (overdue, due soon) are
taken on the as-of day; warnings compare the year to date on both as-of days (Cảnh báo's default view); the
indicators compare the span with the same days of the previous one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import duckdb
import polars as pl

from pipelines.access.scope import Scope
from pipelines.access.store import Account
from pipelines.engine.backlog import backlog_table, due_soon_table
from pipelines.engine.flags import flag_table, vn_date
from pipelines.engine.indicators import Level, indicator_table
from pipelines.engine.submissions import submission_table
from pipelines.sql import InStructure, run
from pipelines.text import vn_number
from schemas.access import DIGEST_PERIOD_LABELS
from schemas.admin_unit import Era, default_era
from schemas.catalog import COMPOSITE, COMPOSITE_LABEL, FLAG_KINDS, LEVEL_LABELS, LEVEL_WORDS, OUTPUT_LABELS, rule_labels
from schemas.config import DvcqConfig
from schemas.periods import Period
from schemas.records import RECORD_SCHEMAS
from schemas import urls
from schemas.vocabularies import VOCABULARIES

DigestKind = Literal["day", "week", "month"]
KIND_WORDS = {"dossier": "hồ sơ", "petition": "đơn thư"}  # a record kind inside a sentence


# ------------------------------------------------------------------ the span
def _month_back(day: dt.date) -> dt.date:
    """The same day of the month before, or that month's last day when it has no such day (31/03 -> 28/02)."""
    first = day.replace(day=1)
    previous_end = first - dt.timedelta(days=1)
    return previous_end.replace(day=min(day.day, previous_end.day))


@dataclass(frozen=True)
class DigestSpan:
    """The days one digest covers: from ``start`` (the first day of its calendar day, week or month) to
    ``as_of``; ``previous_start``–``previous_as_of`` are the same days one period before."""

    kind: DigestKind
    start: dt.date
    as_of: dt.date
    previous_start: dt.date
    previous_as_of: dt.date

    @property
    def key(self) -> str:
        """What a delivery is remembered by: the day (2026-10-31), the ISO week (2026-W44) or the month (2026-10)."""
        if self.kind == "day":
            return self.as_of.isoformat()
        if self.kind == "week":
            year, week, _ = self.as_of.isocalendar()
            return f"{year}-W{week:02d}"
        return f"{self.as_of:%Y-%m}"

    @property
    def label(self) -> str:
        """The span in words: "ngày 31/10/2026", "tuần 26/10/2026 – 31/10/2026", "tháng 10/2026 (đến 31/10/2026)"."""
        if self.kind == "day":
            return f"ngày {vn_date(self.as_of)}"
        if self.kind == "week":
            return f"tuần {vn_date(self.start)} – {vn_date(self.as_of)}"
        return f"tháng {self.as_of:%m/%Y} (đến {vn_date(self.as_of)})"

    @property
    def previous_label(self) -> str:
        if self.kind == "day":
            return f"ngày {vn_date(self.previous_as_of)}"
        return f"{vn_date(self.previous_start)} – {vn_date(self.previous_as_of)}"


def digest_span(kind: DigestKind, as_of: dt.date) -> DigestSpan:
    if kind == "day":
        return DigestSpan(kind, as_of, as_of, as_of - dt.timedelta(days=1), as_of - dt.timedelta(days=1))
    if kind == "week":
        start = as_of - dt.timedelta(days=as_of.weekday())
        week = dt.timedelta(days=7)
        return DigestSpan(kind, start, as_of, start - week, as_of - week)
    start = as_of.replace(day=1)
    return DigestSpan(kind, start, as_of, _month_back(start), _month_back(as_of))


def year_to_date(as_of: dt.date) -> Period:
    """Cảnh báo's and Đôn đốc's default view on a day: its year up to it."""
    return Period(dt.date(as_of.year, 1, 1), as_of, as_of)


# ------------------------------------------------------------------ the engine's answers, once per run
class WarehouseFacts:
    """The engine's frames for one run (one as-of day), computed once per structure and shared by every
    account's digest; each account then takes its rows through its ``Scope``. ``checked`` is the day the
    submissions' due days are judged on (today, unless the run is for a given day)."""

    def __init__(self, con: duckdb.DuckDBPyConnection, config: DvcqConfig, span: DigestSpan, checked: dt.date):
        self.con, self.config, self.span, self.checked = con, config, span, checked
        self._made: dict[tuple, pl.DataFrame] = {}

    def _once(self, key: tuple, make: Callable[[], pl.DataFrame]) -> pl.DataFrame:
        if key not in self._made:
            self._made[key] = make()
        return self._made[key]

    def _in(self, era: Era) -> InStructure:
        return InStructure(self.con, era)

    def units(self, era: Era) -> pl.DataFrame:
        return self._once(("units", era), lambda: run(self._in(era), "units", {}))

    def backlog(self, era: Era) -> pl.DataFrame:
        """Overdue items, the longest overdue first (as Tồn đọng lists them)."""
        return self._once(("backlog", era), lambda: backlog_table(self._in(era), self.config, self.span.as_of).sort(
            "days_overdue", "due_date", descending=[True, False], nulls_last=True))

    def due_soon(self, era: Era) -> pl.DataFrame:
        """Items due soon, the fewest working days left first (as Tồn đọng lists them)."""
        return self._once(("due_soon", era), lambda: due_soon_table(self._in(era), self.config, self.span.as_of).sort(
            "working_days_left", "due_date", "kind", "record_id"))

    def flags(self, era: Era, previous: bool) -> pl.DataFrame:
        """Commune flags of the year to date on the as-of day, or on the previous digest's (its due days
        judged as many days earlier)."""
        as_of = self.span.previous_as_of if previous else self.span.as_of
        checked = self.checked - (self.span.as_of - as_of)
        return self._once(("flags", era, previous), lambda: flag_table(
            self._in(era), self.config, "commune", year_to_date(as_of), checked=checked))

    def submissions(self, era: Era | None) -> pl.DataFrame:
        """Each commune x period x kind of the year to date, judged on ``checked``: every period in the
        structure in force in it (``era`` None, the whole province as Đôn đốc shows it) or in ``era``."""
        span = year_to_date(self.span.as_of)
        return self._once(("submissions", era), lambda: submission_table(
            self.con, self.config, span.date_from, span.date_to, self.checked, era))

    def indicators(self, era: Era, level: Level, previous: bool) -> pl.DataFrame:
        s = self.span
        period = (Period(s.previous_start, s.previous_as_of, s.previous_as_of) if previous
                  else Period(s.start, s.as_of, s.as_of))
        return self._once(("indicators", era, level, previous),
                          lambda: indicator_table(self._in(era), self.config, level, period))


# ------------------------------------------------------------------ the digest
@dataclass(frozen=True)
class Sheet:
    """One sheet of the digest's XLSX: rows and, per column, its header and kind (text, long, int, num, date)."""

    name: str
    frame: pl.DataFrame
    columns: dict[str, tuple[str, str]]


@dataclass
class Digest:
    """One account's digest, in words: its text, every link in it, the sheets of its XLSX and, monthly, the
    unit whose written report goes with it."""

    login: str
    kind: DigestKind
    span: DigestSpan
    structure: Era
    title: str
    text: str
    links: list[str]
    sheets: list[Sheet]
    report_unit: str | None

    @property
    def file_stem(self) -> str:
        return f"ban_tin_{self.login}_{self.kind}_{self.span.key}"


def _n(value: int) -> str:
    return vn_number(value)


class _Writer:
    """Collects the text's lines and its links (each link on its own line, after what it opens)."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.links: list[str] = []

    def line(self, text: str, link: str | None = None) -> None:
        self.lines.append(text + (f"\n    {link}" if link else ""))
        if link and link not in self.links:
            self.links.append(link)


class DigestBuilder:
    """Builds the digest of one account from ``WarehouseFacts`` and the account's ``Scope``."""

    def __init__(self, facts: WarehouseFacts, account: Account, scope: Scope) -> None:
        self.facts, self.account, self.scope = facts, account, scope
        self.config = facts.config
        self.span = facts.span
        self.role = scope.role
        self.era: Era = scope.structure(default_era(self.span.as_of))
        self.units = facts.units(self.era)

    # -------------------------------------------------------------- who and where
    def _unit_names(self) -> dict[str, str]:
        communes = dict(self.units.select("commune_code", "commune_name").iter_rows())
        districts = dict(self.units.select("district_code", "district_name").unique().iter_rows())
        return communes | districts

    def _report_unit(self) -> str:
        """Whose written report goes with a monthly digest: the commune, the first unit, or the province."""
        if self.role.reach == "all":
            return "province"
        return self.account.units[0]

    def _figure_units(self) -> list[tuple[Level, str]]:
        """The units whose indicators the digest compares: the account's own (the province for every unit)."""
        if self.role.reach == "all":
            return [("province", self.config.province_code)]
        return [("commune" if len(code) == 5 else "district", code) for code in self.account.units]

    def _link_unit(self) -> str | None:
        """The unit a section's link names: the account's one unit, else none (its whole scope)."""
        return self.account.units[0] if len(self.account.units) == 1 else None

    def title(self) -> str:
        names = self._unit_names()
        where = (self.units.item(0, "province_name") if self.role.reach == "all"
                 else ", ".join(names.get(code, code) for code in self.account.units))
        return f"Bản tin {DIGEST_PERIOD_LABELS[self.span.kind].lower()} dvcq – {where} – {vn_date(self.span.as_of)}"

    # -------------------------------------------------------------- links
    def link(self, page: str, date_from: dt.date, unit: str | None = None, **extra: str) -> str | None:
        """The dashboard's view of ``page`` over ``date_from``–as-of in the digest's structure, for ``unit``;
        None when the role may not open the page (a link it could not follow says nothing)."""
        if not self.role.may_open(page):
            return None
        params = {urls.PERIOD_KIND: urls.CUSTOM_PERIOD, urls.DATE_FROM: date_from.isoformat(),
                  urls.DATE_TO: self.span.as_of.isoformat(), urls.STRUCTURE: self.era}
        if unit:
            params[urls.UNIT] = unit
        return urls.view_url(self.config.digest.dashboard_url, page, params | extra)

    # -------------------------------------------------------------- sections
    def _items(self, frame: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame | None, int]:
        """(every visible item, the items listed one by one or None for a role without records, how many
        denunciations are left out of the list)."""
        visible = self.scope.visible(frame)
        if not self.role.records:
            return visible, None, 0
        return visible, self.scope.records(visible), self.scope.withheld(visible)

    def _item_line(self, row: dict, age: str) -> tuple[str, str | None]:
        kind = KIND_WORDS[row["kind"]]
        if row["kind"] == "petition" and row.get("petition_kind"):
            kind = f"{kind} ({VOCABULARIES['petition_kind'].labels_vi[row['petition_kind']].lower()})"
        text = (f"  - {kind.capitalize()} {row['record_id']}, {row['commune_name']}, hạn {vn_date(row['due_date'])}, "
                f"{age}")
        return text, self.link("ton_dong", self.span.start, row["commune_code"])

    def _stock_section(self, w: _Writer, number: int, heading: str, frame: pl.DataFrame, first: str,
                       age) -> dict[str, int]:
        """Overdue or due-soon items: the counts (every visible item, denunciations included), then the first
        ``digest.items`` of those the role may read one by one, each with ``age`` in words."""
        visible, listed, withheld = self._items(frame)
        dossiers = int((visible["kind"] == "dossier").sum())
        petitions = int((visible["kind"] == "petition").sum())
        communes = visible["commune_code"].n_unique()
        where = f" ở {_n(communes)} {LEVEL_WORDS[self.era]['commune']}" if communes > 1 else ""
        section = self.link("ton_dong", self.span.start, self._link_unit())
        w.line(f"{number}. {heading}: {_n(dossiers)} hồ sơ, {_n(petitions)} đơn thư{where}.", section)
        if listed is not None and listed.height:
            shown = min(listed.height, self.config.digest.items)
            w.line(f"  {_n(shown)} việc {first}:")
            for row in listed.head(shown).iter_rows(named=True):
                text, link = self._item_line(row, age(row))
                w.line(text, None if link == section else link)  # the section's link already opens its view
        if withheld:
            w.line(f"  ({_n(withheld)} đơn tố cáo được đếm nhưng không liệt kê từng đơn.)")
        return {"dossiers": dossiers, "petitions": petitions}

    def _submission_section(self, w: _Writer, number: int) -> pl.DataFrame:
        table = self.facts.submissions(self.era if self.scope.limited else None)
        missing = self.scope.visible(table.filter(pl.col("status") == "missing"), "unit_code")
        labels = {kind: rule.label for kind, rule in self.config.submissions.items()}
        since = year_to_date(self.span.as_of).date_from
        link = self.link("gui_so_lieu", since, self._link_unit())
        if missing.is_empty():
            w.line(f"{number}. Gửi số liệu: đã gửi đủ các kỳ đã đến hạn từ {vn_date(since)}.", link)
            return missing
        w.line(f"{number}. Chưa gửi số liệu: {_n(missing.height)} kỳ của {_n(missing['unit_code'].n_unique())} "
               f"{LEVEL_WORDS[self.era]['commune']} "
               f"(từ {vn_date(since)}, tính đến {vn_date(self.facts.checked)}).", link)
        per_unit = (missing.sort("period_start")
                    .group_by("unit_code", "unit_name", "kind", maintain_order=True)
                    .agg(months=pl.col("period_start").dt.strftime("%m/%Y").str.join(", "), n=pl.len())
                    .sort("n", "unit_code", descending=[True, False]))
        for row in per_unit.head(self.config.digest.items).iter_rows(named=True):
            w.line(f"  - {row['unit_name']}: {labels[row['kind']]} {row['months']}",
                   self.link("gui_so_lieu", since, row["unit_code"], **{urls.SUBMISSION_KIND: row["kind"]}))
        return missing

    def _flag_section(self, w: _Writer, number: int) -> pl.DataFrame:
        key = ["unit_code", "flag", "indicator"]
        now = self.scope.visible(self.facts.flags(self.era, False), "unit_code")
        before = self.scope.visible(self.facts.flags(self.era, True), "unit_code")
        new = now.join(before.select(key), on=key, how="anti")
        names = {**{k: ind.label for k, ind in self.config.indicators.items()}, **rule_labels(self.config)}
        new = new.with_columns(kind_vi=pl.col("flag").replace_strict(FLAG_KINDS),
                               indicator_vi=pl.col("indicator").replace_strict(names, default=pl.col("indicator")))
        order = {kind: i for i, kind in enumerate(FLAG_KINDS)}
        new = new.sort(pl.col("flag").replace_strict(order), "unit_code", "indicator")
        since = year_to_date(self.span.as_of).date_from
        w.line(f"{number}. Cảnh báo mới so với bản tin trước ({vn_date(self.span.previous_as_of)}): {_n(new.height)}"
               f" (tổng số cảnh báo từ {vn_date(since)}: {_n(now.height)}).",
               self.link("canh_bao", since, self._link_unit()))
        for row in new.head(self.config.digest.items).iter_rows(named=True):
            w.line(f"  - {row['unit_name']}: {row['kind_vi']}. {row['reason']}",
                   self.link("canh_bao", since, row["unit_code"], **{urls.FLAG_KIND: row["flag"],
                                                                      urls.INDICATOR: row["indicator"]}))
        return new

    def _indicator_section(self, w: _Writer, number: int) -> pl.DataFrame:
        parts = []
        for level, code in self._figure_units():
            now = self.facts.indicators(self.era, level, False).filter(pl.col("unit_code") == code)
            before = self.facts.indicators(self.era, level, True).filter(pl.col("unit_code") == code)
            parts.append(now.join(before.select("unit_code", "indicator", previous=pl.col("value"),
                                                previous_numerator=pl.col("numerator"),
                                                previous_denominator=pl.col("denominator")),
                                  on=["unit_code", "indicator"], how="inner"))
        both = pl.concat(parts) if parts else pl.DataFrame()
        # The composite only over a month: over a day or a week it mostly says which kinds were not sent yet.
        compared = both.filter(pl.col("indicator") != COMPOSITE) if self.span.kind != "month" else both
        changes = (compared.filter(pl.col("value").is_not_null() & pl.col("previous").is_not_null())
                   .with_columns(change=pl.col("value") - pl.col("previous"),
                                 label=pl.when(pl.col("indicator") == COMPOSITE).then(pl.lit(COMPOSITE_LABEL))
                                 .otherwise(pl.col("label")))
                   .filter(pl.col("change") != 0)
                   .sort(pl.col("change").abs(), "unit_code", "indicator", descending=[True, False, False])
                   if compared.height else compared)
        heading = f"{number}. Chỉ số thay đổi nhiều nhất ({self.span.label} so với {self.span.previous_label})"
        if changes.is_empty():
            w.line(f"{heading}: không có chỉ số nào có giá trị ở cả hai kỳ mà thay đổi.")
            return changes
        w.line(f"{heading}:")
        several = len(self._figure_units()) > 1
        for row in changes.head(self.config.digest.items).iter_rows(named=True):
            sign = "+" if row["change"] > 0 else "−"
            unit = f"{row['unit_name']}: " if several else ""
            basis = ("" if row["numerator"] is None or row["previous_numerator"] is None else
                     f"; {_n(row['numerator'])}/{_n(row['denominator'])} so với "
                     f"{_n(row['previous_numerator'])}/{_n(row['previous_denominator'])}")
            text = (f"  - {unit}{row['label']}: {vn_number(row['previous'], 1)} → {vn_number(row['value'], 1)} "
                    f"({sign}{vn_number(abs(row['change']), 1)} điểm{' %' if basis else ''}{basis})")
            # a unit's scorecard on Đơn vị; the province's indicator across its units on So sánh
            unit_code = None if row["level"] == "province" else row["unit_code"]
            pages = ("don_vi", "so_sanh") if unit_code else ("so_sanh",)
            page = next((p for p in pages if self.role.may_open(p)), pages[0])
            extra = {} if row["indicator"] == COMPOSITE else {urls.INDICATOR: row["indicator"]}
            w.line(text, self.link(page, self.span.start, unit_code if page == "don_vi" else None, **extra))
        return changes

    # -------------------------------------------------------------- the whole
    def build(self) -> Digest:
        w = _Writer()
        title = self.title()
        w.line(title)
        w.line(f"Số liệu tính đến ngày {vn_date(self.span.as_of)}; kỳ của bản tin: {self.span.label}.")
        w.line("")
        overdue = self._stock_section(w, 1, "Tồn đọng quá hạn", self.facts.backlog(self.era), "quá hạn lâu nhất",
                                      _overdue_age)
        due_soon = self._stock_section(w, 2, "Sắp đến hạn", self.facts.due_soon(self.era),
                                       "còn ít ngày nhất", _days_left_age)
        missing = self._submission_section(w, 3)
        new_flags = self._flag_section(w, 4)
        changes = self._indicator_section(w, 5)
        if not self.role.records:
            w.line("")
            w.line("Vai trò của tài khoản xem số liệu tổng hợp: bản tin chỉ nêu số đếm, "
                   "không liệt kê từng hồ sơ.")
        counts = {"overdue_dossiers": overdue["dossiers"], "overdue_petitions": overdue["petitions"],
                  "due_soon_dossiers": due_soon["dossiers"], "due_soon_petitions": due_soon["petitions"],
                  "missing": missing.height, "new_flags": new_flags.height}
        return Digest(login=self.account.login, kind=self.span.kind, span=self.span, structure=self.era, title=title,
                      text="\n".join(w.lines) + "\n", links=w.links,
                      sheets=self._sheets(counts, missing, new_flags, changes),
                      report_unit=self._report_unit() if self.span.kind == "month" else None)

    def _sheets(self, counts: dict[str, int], missing: pl.DataFrame, new_flags: pl.DataFrame,
                changes: pl.DataFrame) -> list[Sheet]:
        labels = {"overdue_dossiers": "Hồ sơ quá hạn", "overdue_petitions": "Đơn thư quá hạn",
                  "due_soon_dossiers": "Hồ sơ sắp đến hạn", "due_soon_petitions": "Đơn thư sắp đến hạn",
                  "missing": "Kỳ chưa gửi số liệu", "new_flags": "Cảnh báo mới"}
        summary = pl.DataFrame({"item": [labels[k] for k in counts], "n": list(counts.values())})
        sheets = [Sheet("Tóm tắt", summary, {"item": ("Mục", "text"), "n": ("Số lượng", "int")})]
        commune, district = LEVEL_LABELS[self.era]["commune"], LEVEL_LABELS[self.era]["district"]
        if self.role.records:
            item_columns = {
                "commune_name": (commune, "text"), "kind_vi": (OUTPUT_LABELS["record_kind"], "text"),
                "record_id": (OUTPUT_LABELS["record_id"], "text"),
                "received_date": (RECORD_SCHEMAS["dossier"].column("received_date").label_vi, "date"),
                "due_date": (OUTPUT_LABELS["due_date"], "date"),
                "days_overdue": (OUTPUT_LABELS["days_overdue"], "int"),
                "working_days_left": (OUTPUT_LABELS["working_days_left"], "int"),
                "sector": (RECORD_SCHEMAS["dossier"].column("sector").label_vi, "text"),
                "procedure": (RECORD_SCHEMAS["dossier"].column("procedure").label_vi, "text"),
                "petition_kind_vi": (RECORD_SCHEMAS["petition"].column("kind").label_vi, "text"),
                "field": ("Lĩnh vực đơn", "text"), "district_name": (district, "text")}
            for name, frame, drop in (("Tồn đọng quá hạn", self.facts.backlog(self.era), "working_days_left"),
                                      ("Sắp đến hạn", self.facts.due_soon(self.era), "days_overdue")):
                _, listed, _ = self._items(frame)
                kinds = {k: s.label_vi for k, s in RECORD_SCHEMAS.items()}
                listed = listed.with_columns(
                    kind_vi=pl.col("kind").replace_strict(kinds),
                    petition_kind_vi=pl.col("petition_kind").replace_strict(
                        VOCABULARIES["petition_kind"].labels_vi, default=None))
                sheets.append(Sheet(name, listed, {k: v for k, v in item_columns.items() if k != drop}))
        submission_labels = {kind: rule.label for kind, rule in self.config.submissions.items()}
        sheets.append(Sheet("Chưa gửi số liệu", missing.with_columns(
            kind_vi=pl.col("kind").replace_strict(submission_labels),
            month_vi=pl.col("period_start").dt.strftime("%m/%Y")),
            {"unit_name": (commune, "text"), "kind_vi": (OUTPUT_LABELS["submission_kind"], "text"),
             "month_vi": (OUTPUT_LABELS["month"], "text"), "due": ("Hạn gửi", "date"),
             "district_name": (district, "text")}))
        sheets.append(Sheet("Cảnh báo mới", new_flags,
                            {"unit_name": (OUTPUT_LABELS["unit_name"], "text"),
                             "kind_vi": (OUTPUT_LABELS["flag_kind"], "text"),
                             "indicator_vi": ("Chỉ số / quy định", "text"),
                             "reason": (OUTPUT_LABELS["reason"], "long")}))
        sheets.append(Sheet("Chỉ số thay đổi", changes,
                            {"unit_name": (OUTPUT_LABELS["unit_name"], "text"),
                             "label": (OUTPUT_LABELS["label"], "text"),
                             "previous": (f"Kỳ trước: {self.span.previous_label}", "num"),
                             "value": (f"Kỳ này: {self.span.label}", "num"), "change": ("Thay đổi (điểm %)", "num"),
                             "numerator": (OUTPUT_LABELS["numerator"], "int"),
                             "denominator": (OUTPUT_LABELS["denominator"], "int")}))
        return sheets


def _overdue_age(row: dict) -> str:
    return f"quá hạn {_n(row['days_overdue'])} ngày làm việc"


def _days_left_age(row: dict) -> str:
    left = row["working_days_left"]
    return "hết hạn trước ngày làm việc tới" if left == 0 else f"còn {_n(left)} ngày làm việc"


def build_digest(facts: WarehouseFacts, account: Account, scope: Scope) -> Digest:
    """The digest of ``account`` over ``facts``' span, within ``scope``."""
    return DigestBuilder(facts, account, scope).build()
