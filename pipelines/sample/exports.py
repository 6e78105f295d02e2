"""Which files each era's communes export and what rows they hold.

Legacy communes export up to 30/06/2025, each record as it stood that day (one dossier commune
also exports an earlier half-year on 13/06 and again on 01/07: the re-export pair). Their
successors export from 01/07/2025 to the end of the sample: the records of all their sampled
predecessors after the reform, and the dossiers and petitions handed over open; one new
commune's 2026 dossiers come in the two-row one-stop ledger layout.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import numpy as np

from pipelines.sample.forms import FileSpec, choose_form, columns_and_headers, file_name
from pipelines.sample.ledger import ledger_rows, write_ledger
from pipelines.sample.people import slug
from pipelines.sample.reform import LEGACY_END, STALLED_SHARE, as_of_reform, last_dates, merge_parts, stall_handed_over
from pipelines.sample.writers import FIXED_TIME, write_file
from schemas.admin_unit import REFORM_DATE
from schemas.records import RECORD_SCHEMAS


@dataclasses.dataclass
class Output:
    """What has been written so far (shared by both eras' exports)."""
    out_dir: Path
    seed: int
    end: dt.date
    defect_rate: float
    paths: list[Path] = dataclasses.field(default_factory=list)
    rows: dict[str, int] = dataclasses.field(default_factory=lambda: {k: 0 for k in RECORD_SCHEMAS})
    defects: list[dict] = dataclasses.field(default_factory=list)
    counter: list[int] = dataclasses.field(default_factory=lambda: [0])   # numbers generic file names
    reexport_code: str | None = None

    def write(self, spec: FileSpec, data: dict, rows: np.ndarray, rng, defect_rate: float | None = None) -> None:
        rate = self.defect_rate if defect_rate is None else defect_rate
        self.rows[spec.kind] += write_file(spec, self.out_dir, data, rows, rng, self.defects, rate)
        self.paths.append(self.out_dir / spec.name)


def _file_periods(a: dt.date, b: dt.date, yearly: bool) -> list[tuple[dt.date, dt.date]]:
    if not yearly:
        return [(a, b)]
    return [(max(a, dt.date(y, 1, 1)), min(b, dt.date(y, 12, 31))) for y in range(a.year, b.year + 1)]


def legacy_export(out: Output, unit: dict, kind: str, records: dict, start: dt.date) -> None:
    """A legacy commune's exports of one kind, up to 30/06/2025, records as they stood that day. The
    first dossier export of a ward or town with a code column also comes as the re-export pair."""
    code = int(unit["commune_code"])
    schema = RECORD_SCHEMAS[kind]
    rec = as_of_reform(kind, records)
    dates = rec[schema.date_column if kind != "dossier" else "received_date"]
    rng = np.random.default_rng([out.seed, code, 10 + list(RECORD_SCHEMAS).index(kind)])
    form = choose_form(rng, kind, unit)
    is_reexport = kind == "dossier" and out.reexport_code is None and form.commune_mode == "column" \
        and form.commune_value == "code" and unit["commune_type"] != "Xã"
    if is_reexport:
        out.reexport_code = unit["commune_code"]
    yearly = kind == "dossier" and (is_reexport or rng.random() < 0.6)
    columns, headers = columns_and_headers(rng, kind, form)
    for period in _file_periods(start, LEGACY_END, yearly):
        a, b = (np.datetime64(period[0], "D"), np.datetime64(period[1], "D"))
        sel = np.flatnonzero((dates >= a) & (dates <= b))
        if len(sel) == 0:
            continue
        clean = is_reexport and period[1] == LEGACY_END
        spec = FileSpec(kind, unit, form, columns, headers, period,
                        file_name(kind, unit, form, period, out.counter, "_xuat_20250701" if clean else ""))
        out.write(spec, rec, sel, rng, 0.0 if clean else None)
        if clean:
            _early_export(out, spec, rec, dates)


def _early_export(out: Output, spec: FileSpec, rec: dict, dates: np.ndarray) -> None:
    """The same half-year exported on the morning of 13/06/2025: results returned from that day on
    are still pending there (no defects, so loading both files shows only updates)."""
    cut = np.datetime64(dt.date(2025, 6, 13), "D")
    early = {k: v.copy() if isinstance(v, np.ndarray) else v for k, v in rec.items()}
    closed_later = ~np.isnat(early["completed_date"]) & (early["completed_date"] >= cut)
    early["status"] = np.where(closed_later | ((early["status"] == "withdrawn") & (dates > cut - 10)),
                               "pending", early["status"]).astype(object)
    early["completed_date"] = np.where(closed_later, np.datetime64("NaT"), early["completed_date"])
    early["reported_timeliness"] = np.where(closed_later, None, early["reported_timeliness"])
    first = spec.period[0]
    sel = np.flatnonzero((dates >= np.datetime64(first, "D")) & (dates <= cut))
    name = file_name(spec.kind, spec.unit, spec.form, spec.period, out.counter, "_xuat_20250613")
    early_spec = dataclasses.replace(spec, period=(first, cut.astype(dt.date)), name=name)
    out.write(early_spec, early, sel, np.random.default_rng([out.seed, int(spec.unit["commune_code"]), 99]), 0.0)


def new_commune_exports(out: Output, later: dict, units: dict[str, dict]) -> None:
    """The new communes' exports from 01/07/2025: their predecessors' later records (and the dossiers
    and petitions handed over), in each commune's own form; the first commune's 2026 dossiers in the
    two-row one-stop ledger layout."""
    ledger_done = False
    for (new_code, kind), parts in sorted(later.items()):
        unit = units[new_code]
        if kind == "dialogue":  # one commune holds its own dialogues: one predecessor's schedule, not their sum
            parts = parts[:1]
        schema = RECORD_SCHEMAS[kind]
        order_by = "received_date" if kind in ("dossier", "petition") else schema.date_column
        rec = merge_parts(parts, order_by)
        rng = np.random.default_rng([out.seed, int(new_code), 50 + list(RECORD_SCHEMAS).index(kind)])
        form = choose_form(rng, kind, unit)
        columns, headers = columns_and_headers(rng, kind, form)
        ledger = kind == "dossier" and not ledger_done
        yearly = ledger or (kind == "dossier" and rng.random() < 0.6)
        if kind == "dossier":  # a few dossiers handed over at the reform are still pending, long past due
            rec = stall_handed_over(rec, rng, STALLED_SHARE)
        last = last_dates(kind, rec, order_by)
        end = out.end
        for period in _file_periods(REFORM_DATE, end, yearly):
            a, b = (np.datetime64(period[0], "D"), np.datetime64(period[1], "D"))
            sel = np.flatnonzero((last >= a) & (last <= b)) if period[1] < end else np.flatnonzero(last >= a)
            if len(sel) == 0:
                continue
            if ledger and period[0].year == end.year:
                sel = sel[np.isin(sel, ledger_rows(rec))]
                name = f"so_theo_doi_ho_so_{slug(unit['commune_name'])}_{period[0].year}.xlsx"
                out.rows[kind] += write_ledger(out.out_dir / name, unit, rec, sel, period, FIXED_TIME)
                out.paths.append(out.out_dir / name)
                ledger_done = True
                continue
            spec = FileSpec(kind, unit, form, columns, headers, period, file_name(kind, unit, form, period, out.counter))
            out.write(spec, rec, sel, rng)
