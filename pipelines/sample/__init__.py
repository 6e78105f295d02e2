"""Synthetic commune exports for real communes: the sample set the product is demoed on.

``generate_sample(out_dir, communes=N, years=Y, seed=S, province_code="38")`` writes, for N real
legacy communes of the province (spread over all its old districts) and their successors in the
2025 structure, the files a commune's one-stop desk and office really send: dossier registers,
letters, petitions, dialogues and satisfaction surveys, from ``years`` years before the reform
of 1 July 2025 up to ``SAMPLE_END`` (31/10/2026).

- Exports up to 30/06/2025 come from the legacy communes (legacy names and codes, districts in
  title rows or columns); exports from 01/07/2025 from their default successors (new names,
  often reusing a predecessor's code, no district), holding the records of all their sampled
  predecessors (``exports``, ``reform``).
- Dossiers and petitions open on 30/06/2025 appear pending in the legacy export and again,
  with the same id, in the successor's (most completed there, a few still pending long past due).
- One new commune's 2026 dossiers come in the two-row one-stop ledger layout (``ledger``).

Every file varies in form the way real exports do (XLSX with title rows, semicolon CSV with a
BOM and unaccented headers, comma CSV, real Excel dates, text dates, serial numbers, NFD text,
"x"/"Có"/"1" flags; the commune in a column, the title rows or only the file name; ``forms``).
Headers are always spellings from the schema's aliases (``schemas.records``) and values are
words from ``schemas.vocabularies``, so the ingest can map everything except the deliberate
defects listed in the manifest (about 0.3 % of rows; ``writers``).

Output is deterministic: the same arguments give the same bytes (no timestamps; each commune
and record kind draws from its own random stream seeded by (seed, commune, kind); ``records``).
Citizens are fictitious: names from ``PERSON_NAMES``, ID numbers matching ``CCCD_PATTERN``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import numpy as np
import polars as pl

from pipelines.ingest.admin_units import province_legacy_units
from pipelines.sample.communes import choose_communes, new_units, successors_of
from pipelines.sample.days import calendar
from pipelines.sample.exports import Output, legacy_exports, new_commune_exports
from pipelines.sample.forms import EXTRA_HEADERS
from pipelines.sample.people import CCCD_PATTERN, PERSON_NAMES, cccd_numbers
from pipelines.sample.records import commune_records
from pipelines.sample.reform import split_at_reform
from schemas.admin_unit import REFORM_DATE
from schemas.records import RECORD_SCHEMAS

__all__ = ["CCCD_PATTERN", "EXTRA_HEADERS", "PERSON_NAMES", "SAMPLE_COMMUNES", "SAMPLE_END", "SAMPLE_SEED",
           "SAMPLE_YEARS", "SampleResult", "cccd_numbers", "choose_communes", "generate", "generate_sample"]

SAMPLE_END = dt.date(2026, 10, 31)
SAMPLE_SEED = 2024
SAMPLE_COMMUNES = 70
SAMPLE_YEARS = 2   # years of history before the reform of 1 July 2025


@dataclasses.dataclass
class SampleResult:
    paths: list[Path]
    files: dict[str, tuple[str, str]]    # file name -> (unit era "legacy" | "2025", code of the exporting commune)
    rows: dict[str, int]                 # data rows written per kind (re-export files included)
    defects: list[dict]                  # {"file", "sheet", "row" (1-based, title rows included), "kind", "defect",
                                         #  "record_id"}
    communes: pl.DataFrame               # chosen legacy communes with their profile
    handed_over: dict[str, set[str]] = dataclasses.field(default_factory=dict)  # ids in both eras' exports

    def defect_counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for d in self.defects:
            out[d["defect"]] = out.get(d["defect"], 0) + 1
        return out


def generate_sample(out_dir: Path, communes: int = SAMPLE_COMMUNES, years: int = SAMPLE_YEARS,
                    seed: int = SAMPLE_SEED, province_code: str = "38") -> list[Path]:
    """Write the synthetic exports into ``out_dir``; return the files written (sorted)."""
    return generate(out_dir, communes=communes, years=years, seed=seed, province_code=province_code).paths


def generate(out_dir: Path, communes: int = SAMPLE_COMMUNES, years: int = SAMPLE_YEARS, seed: int = SAMPLE_SEED,
             province_code: str = "38", defect_rate: float = 0.003) -> SampleResult:
    """Legacy communes' exports up to 30/06/2025, their successors' from 01/07/2025 to SAMPLE_END."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    units = choose_communes(province_legacy_units(province_code), communes, seed)
    start = dt.date(REFORM_DATE.year - years, REFORM_DATE.month, REFORM_DATE.day)
    cal = calendar(start, SAMPLE_END)
    successor = successors_of(province_code)
    out = Output(out_dir, seed, defect_rate)
    profiles = []
    later: dict[str, dict[str, list[tuple[dict, np.ndarray]]]] = {}  # new commune -> kind -> predecessors' rows
    handed: dict[str, set[str]] = {}
    for unit in units.iter_rows(named=True):
        prof, data = commune_records(seed, unit, cal)
        profiles.append({"commune_code": unit["commune_code"], **{k: prof[k] for k in ("tier", "volume")}})
        before_reform = {}
        for kind, schema in RECORD_SCHEMAS.items():
            before, after = split_at_reform(kind, data[kind], schema.date_column)
            if len(after):
                later.setdefault(successor[unit["commune_code"]], {}).setdefault(kind, []).append((data[kind], after))
                both = np.intersect1d(before, after)
                handed.setdefault(kind, set()).update(str(i) for i in data[kind][schema.id_column][both])
            if len(before):
                before_reform[kind] = before
        legacy_exports(out, unit, data, before_reform, start)
    units_2025 = new_units(province_code)
    for code in sorted(later):
        new_commune_exports(out, units_2025[code], later[code], SAMPLE_END)
    chosen = units.join(pl.DataFrame(profiles), on="commune_code")
    return SampleResult(sorted(out_dir / name for name in out.files), out.files, out.rows, out.defects, chosen, handed)
