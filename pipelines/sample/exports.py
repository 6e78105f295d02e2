"""Which files each era's communes export and what rows they hold.

Legacy communes export up to 30/06/2025, each record as it stood that day (one ward's dossiers
also come as an earlier export of 13/06/2025 next to the one of 01/07/2025: the re-export pair).
Their successors export from 01/07/2025 to the end of the sample: the records of all their
sampled predecessors after the reform, and the dossiers and petitions handed over open; the
first new commune's 2026 dossiers come in the two-row one-stop ledger layout. Per commune and
era: dossiers in one file per era or per calendar year; letters, petitions and dialogues in
files of their own or, when the letters come as a workbook, as sheets of that one office
workbook; surveys in a file of their own.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import numpy as np

from pipelines.sample.forms import OFFICE_SHEETS, FileSpec, Form, choose_form, columns_and_headers, file_name
from pipelines.sample.ledger import ledger_rows, write_ledger
from pipelines.sample.people import slug
from pipelines.sample.reform import (LEGACY_END, STALLED_SHARE, as_of_reform, last_dates, merge_parts,
                                     stall_handed_over)
from pipelines.sample.writers import FIXED_TIME, write_file, write_workbook
from schemas.admin_unit import REFORM_DATE
from schemas.records import RECORD_SCHEMAS

YEARLY_DOSSIER_SHARE = 0.25  # communes exporting dossiers one file per calendar year (else one per era)
_REFORM = np.datetime64(REFORM_DATE, "D")


@dataclasses.dataclass
class Output:
    """What has been written so far (shared by both eras' exports)."""
    out_dir: Path
    seed: int
    defect_rate: float
    files: dict[str, tuple[str, str]] = dataclasses.field(default_factory=dict)  # name -> (unit era, commune code)
    rows: dict[str, int] = dataclasses.field(default_factory=lambda: {k: 0 for k in RECORD_SCHEMAS})
    defects: list[dict] = dataclasses.field(default_factory=list)
    counter: list[int] = dataclasses.field(default_factory=lambda: [0])   # numbers generic file names
    reexport_done: bool = False
    ledger_done: bool = False

    def add(self, name: str, unit: dict, period: tuple[dt.date, dt.date]) -> None:
        self.files[name] = ("legacy" if period[1] <= LEGACY_END else "2025", unit["commune_code"])


@dataclasses.dataclass
class _Export:
    """One kind's export by one commune in one era: its form and the records it may show."""
    kind: str
    form: Form
    columns: list[str]
    headers: list[str]
    rng: np.random.Generator
    rec: dict
    dates: np.ndarray        # the day that puts a record in a file's period (NaT: in no file of this era)
    yearly: bool = False     # one file per calendar year (else one per era)
    reexport: bool = False   # its last file also comes as an earlier export (the re-export pair)
    ledger: bool = False     # its file of the last year is in the one-stop ledger layout

    def rows(self, period: tuple[dt.date, dt.date]) -> np.ndarray:
        a, b = np.datetime64(period[0], "D"), np.datetime64(period[1], "D")
        return np.flatnonzero((self.dates >= a) & (self.dates <= b))


def _plan(out: Output, unit: dict, kind: str, rec: dict, dates: np.ndarray, stream: int) -> _Export:
    rng = np.random.default_rng([out.seed, int(unit["commune_code"]), stream + list(RECORD_SCHEMAS).index(kind)])
    form = choose_form(rng, kind, unit)
    columns, headers = columns_and_headers(rng, kind, form)
    return _Export(kind, form, columns, headers, rng, rec, dates)


def _periods(a: dt.date, b: dt.date, yearly: bool) -> list[tuple[dt.date, dt.date]]:
    if not yearly:
        return [(a, b)]
    return [(max(a, dt.date(y, 1, 1)), min(b, dt.date(y, 12, 31))) for y in range(a.year, b.year + 1)]


def legacy_exports(out: Output, unit: dict, data: dict[str, dict], before: dict[str, np.ndarray],
                   start: dt.date) -> None:
    """A legacy commune's exports up to 30/06/2025 (``before``: each kind's rows received before the
    reform), records as they stood that day."""
    plans = []
    for kind, rows in before.items():
        rec = as_of_reform(kind, data[kind])
        on = rec[RECORD_SCHEMAS[kind].date_column if kind != "dossier" else "received_date"]
        dates = np.full(len(on), np.datetime64("NaT"), dtype="datetime64[D]")
        dates[rows] = on[rows]
        plan = _plan(out, unit, kind, rec, dates, 10)
        plan.yearly = kind == "dossier" and plan.rng.random() < YEARLY_DOSSIER_SHARE
        plans.append(plan)
    reexport = [p for p in plans if p.kind == "dossier" and not out.reexport_done and p.form.commune_mode == "column"
                and p.form.commune_value == "code" and unit["commune_type"] != "Xã"]
    if reexport:
        out.reexport_done = reexport[0].yearly = reexport[0].reexport = True
    _write_commune(out, unit, plans, start, LEGACY_END)


def new_commune_exports(out: Output, unit: dict, parts: dict[str, list[tuple[dict, np.ndarray]]],
                        end: dt.date) -> None:
    """A new commune's exports from 01/07/2025: its predecessors' later records, the dossiers and
    petitions handed over (a few dossiers still pending long past due)."""
    plans = []
    for kind in RECORD_SCHEMAS:
        if kind not in parts:
            continue
        # one commune holds its own dialogues: one predecessor's schedule, not their sum
        kind_parts = parts[kind][:1] if kind == "dialogue" else parts[kind]
        order_by = "received_date" if kind in ("dossier", "petition") else RECORD_SCHEMAS[kind].date_column
        rec = merge_parts(kind_parts, order_by)
        plan = _plan(out, unit, kind, rec, np.empty(0, dtype="datetime64[D]"), 50)
        if kind == "dossier":
            plan.rec = stall_handed_over(rec, plan.rng, STALLED_SHARE)
            plan.ledger = not out.ledger_done
            plan.yearly = plan.ledger or plan.rng.random() < YEARLY_DOSSIER_SHARE
        plan.dates = np.minimum(last_dates(kind, plan.rec, order_by), np.datetime64(end, "D"))
        plans.append(plan)
    _write_commune(out, unit, plans, REFORM_DATE, end)


def _write_commune(out: Output, unit: dict, plans: list[_Export], start: dt.date, end: dt.date) -> None:
    office = [p for p in plans if p.kind in OFFICE_SHEETS]
    host = office[0] if office and office[0].kind == "letter" and office[0].form.fmt == "xlsx" else None
    for plan in plans:
        if host is not None and plan.kind in OFFICE_SHEETS:
            if plan is host:
                _write_office(out, unit, office, (start, end))
            continue
        for period in _periods(start, end, plan.yearly):
            rows = plan.rows(period)
            if len(rows) and plan.ledger and period[0].year == end.year:
                rows = rows[np.isin(rows, ledger_rows(plan.rec))]
                name = f"so_theo_doi_ho_so_{slug(unit['commune_name'])}_{period[0].year}.xlsx"
                out.rows[plan.kind] += write_ledger(out.out_dir / name, unit, plan.rec, rows, period, FIXED_TIME)
                out.add(name, unit, period)
                out.ledger_done = True
            elif len(rows):
                _write_file(out, unit, plan, period, rows)


def _write_file(out: Output, unit: dict, plan: _Export, period: tuple[dt.date, dt.date], rows: np.ndarray) -> None:
    again = plan.reexport and period[1] == LEGACY_END
    name = file_name(plan.kind, unit, plan.form, period, out.counter, "_xuat_20250701" if again else "")
    spec = FileSpec(plan.kind, unit, plan.form, plan.columns, plan.headers, period, name)
    out.rows[plan.kind] += write_file(spec, out.out_dir, plan.rec, rows, plan.rng, out.defects,
                                      0.0 if again else out.defect_rate)
    out.add(spec.name, unit, period)
    if again:
        _early_export(out, spec, plan)


def _early_export(out: Output, spec: FileSpec, plan: _Export) -> None:
    """The same half-year exported on the morning of 13/06/2025: results returned from that day on
    are still pending there (no defects in either file, so loading both shows only updates)."""
    cut = np.datetime64(dt.date(2025, 6, 13), "D")
    early = {k: v.copy() if isinstance(v, np.ndarray) else v for k, v in plan.rec.items()}
    closed_later = ~np.isnat(early["completed_date"]) & (early["completed_date"] >= cut)
    early["status"] = np.where(closed_later | ((early["status"] == "withdrawn") & (plan.dates > cut - 10)),
                               "pending", early["status"]).astype(object)
    early["completed_date"] = np.where(closed_later, np.datetime64("NaT"), early["completed_date"])
    early["reported_timeliness"] = np.where(closed_later, None, early["reported_timeliness"])
    period = (spec.period[0], cut.astype(dt.date))
    name = file_name(spec.kind, spec.unit, spec.form, spec.period, out.counter, "_xuat_20250613")
    rng = np.random.default_rng([out.seed, int(spec.unit["commune_code"]), 99])
    out.rows[spec.kind] += write_file(dataclasses.replace(spec, period=period, name=name), out.out_dir, early,
                                      plan.rows(period), rng, out.defects, 0.0)
    out.add(name, spec.unit, period)


def _write_office(out: Output, unit: dict, office: list[_Export], period: tuple[dt.date, dt.date]) -> None:
    """Letters, and the petitions and dialogues also kept as workbooks, as sheets of one office workbook
    (in the letters' date style). A petition or dialogue form that names the commune only in the file
    name stays a file of its own when the workbook's name is generic."""
    host = office[0]
    name = file_name("office", unit, host.form, period, out.counter)
    generic = not name.startswith("bao_cao_tong_hop_")
    sheets, alone = [], []
    for plan in office:
        rows = plan.rows(period)
        if not len(rows):
            continue
        if plan is not host and (plan.form.fmt != "xlsx" or (generic and plan.form.commune_mode == "filename")):
            alone.append((plan, rows))
            continue
        form = dataclasses.replace(plan.form, date_style=host.form.date_style)
        spec = FileSpec(plan.kind, unit, form, plan.columns, plan.headers, period, name, OFFICE_SHEETS[plan.kind])
        sheets.append((spec, plan.rec, rows, plan.rng))
        out.rows[plan.kind] += len(rows)
    if sheets:
        write_workbook(out.out_dir / name, sheets, out.defects, out.defect_rate)
        out.add(name, unit, period)
    for plan, rows in alone:
        _write_file(out, unit, plan, period, rows)
