"""Who has sent what ("đôn đốc"): every commune x period x record kind it must send, sent, late or missing.

Why: a commune that sends nothing must never look better than one that sends its ledger, and a province
can only remind the communes it can name. The configuration (``submissions``) says which kinds every
commune must send, how often and by which day; the rule that judges each period is ``sql/submissions.sql``.
Each period is judged in the administrative structure in force in it (legacy communes before 1 July 2025,
the 2025 communes from then), unless one structure is asked for.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import polars as pl

from pipelines.sql import InStructure, run
from schemas.admin_unit import REFORM_DATE, Era
from schemas.config import DvcqConfig

SUBMISSION_COLUMNS = ["unit_code", "unit_name", "district_code", "district_name", "structure", "month", "kind",
                      "status", "rows", "first_received", "due", "period_start", "period_end"]
"""``month`` is the period's first month as YYYY-MM (a quarter's first month for a quarterly kind)."""


def _params(config: DvcqConfig, date_from: dt.date, date_to: dt.date, checked: dt.date) -> dict:
    rules = config.submissions
    return {"kinds": list(rules), "months": [r.months for r in rules.values()],
            "due_days": [r.due_day for r in rules.values()], "may_be_empty": [r.may_be_empty for r in rules.values()],
            "date_from": date_from, "date_to": date_to, "checked": checked}


def structure_spans(date_from: dt.date, date_to: dt.date, era: Era | None) -> list[tuple[Era, dt.date, dt.date]]:
    """The parts of [date_from, date_to] and the structure each is judged in: each part in the structure in
    force then, or, when ``era`` is given, in that one while it can be judged there. The legacy communes ceased
    on 01/07/2025: no month after it is theirs to send (their records since are the new communes'), so a legacy
    view stops there. The 2025 view of earlier months judges each new commune on its predecessors' records."""
    spans: list[tuple[Era, dt.date, dt.date]] = []
    if date_from < REFORM_DATE and era in (None, "legacy"):
        spans.append(("legacy", date_from, min(date_to, REFORM_DATE - dt.timedelta(days=1))))
    if era == "2025":
        spans.append(("2025", date_from, date_to))
    elif era is None and date_to >= REFORM_DATE:
        spans.append(("2025", max(date_from, REFORM_DATE), date_to))
    return spans


def submission_table(con: duckdb.DuckDBPyConnection, config: DvcqConfig, date_from: dt.date, date_to: dt.date,
                     checked: dt.date, era: Era | None = None, communes: list[str] | None = None) -> pl.DataFrame:
    """SUBMISSION_COLUMNS: one row per commune x period x kind meeting [date_from, date_to]; ``checked`` is the day
    the due days are judged against (today, for a reminder). ``communes`` limits the rows to those units."""
    parts = []
    for structure, lo, hi in structure_spans(date_from, date_to, era):
        frame = run(InStructure(con, structure), "submissions", _params(config, lo, hi, checked))
        parts.append(frame.with_columns(structure=pl.lit(structure)))
    if not parts:  # nothing to judge in that structure: the query's own columns, no row (no kind asked for)
        params = _params(config, date_from, date_to, checked) | {"kinds": [], "months": [], "due_days": [],
                                                                  "may_be_empty": []}
        parts.append(run(InStructure(con, era or "2025"), "submissions", params).with_columns(structure=pl.lit(era)))
    table = pl.concat(parts)
    if communes is not None:
        table = table.filter(pl.col("unit_code").is_in(communes))
    return table.with_columns(month=pl.col("period_start").dt.strftime("%Y-%m"),
                              rows=pl.col("rows").cast(pl.Int64)).select(SUBMISSION_COLUMNS)

