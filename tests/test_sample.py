"""The synthetic sample generator: determinism, coverage, file forms, headers, privacy, defects."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import polars as pl
import pytest

from pipelines import sample
from pipelines.admin_units import province_legacy_units, province_successors
from pipelines.text import fold
from schemas.records import LOCATION_COLUMNS, RECORD_SCHEMAS

REPO = Path(__file__).resolve().parents[1]
COMMITTED = REPO / "data" / "sample"

# every header spelling the ingest knows, folded
KNOWN_HEADERS = {fold(a) for s in RECORD_SCHEMAS.values() for c in s.input_columns for a in c.aliases}
KNOWN_HEADERS |= {fold(a) for c in LOCATION_COLUMNS for a in c.aliases}
EXTRA = {fold(h) for h in sample.EXTRA_HEADERS}
PERSONAL_HEADERS = {fold(a) for s in RECORD_SCHEMAS.values() for c in s.input_columns if c.personal
                    for a in c.aliases}


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    out = tmp_path_factory.mktemp("sample_a")
    return sample.generate(out, communes=30, years=1, seed=7, province_code="38")


def _rows(path: Path) -> list[list[str]]:
    """All rows of a file as text (xlsx: first sheet; csv: delimiter from the file)."""
    if path.suffix == ".xlsx":
        frame = pl.read_excel(path, engine="calamine", has_header=False,
                              read_options={"dtypes": "string"})
        return [["" if v is None else str(v) for v in row] for row in frame.iter_rows()]
    text = path.read_bytes().decode("utf-8-sig")
    sep = ";" if text.split("\n", 1)[0].count(";") > text.split("\n", 1)[0].count(",") else ","
    return [row for row in csv.reader(io.StringIO(text), delimiter=sep)]


def _is_ledger(path: Path) -> bool:
    return path.name.startswith("so_theo_doi_ho_so_")


def _header_index(rows: list[list[str]]) -> int:
    for i, row in enumerate(rows[:15]):
        cells = [fold(c) for c in row if c.strip()]
        if len(cells) >= 2 and all(c in KNOWN_HEADERS or c in EXTRA for c in cells):
            return i
    raise AssertionError("no header row made only of schema aliases")


def test_constants():
    import datetime as dt
    assert sample.SAMPLE_END == dt.date(2026, 10, 31)
    assert len(sample.PERSON_NAMES) >= 100 and len(set(sample.PERSON_NAMES)) == len(sample.PERSON_NAMES)
    assert all(len(n.split()) == 3 for n in sample.PERSON_NAMES)
    import numpy as np
    ids = sample.cccd_numbers(np.random.default_rng(1), 200)
    assert all(sample.CCCD_PATTERN.fullmatch(i) and len(i) == 12 for i in ids)


def test_deterministic(small, tmp_path):
    again = sample.generate(tmp_path, communes=30, years=1, seed=7, province_code="38")
    assert [p.name for p in again.paths] == [p.name for p in small.paths]
    for a, b in zip(small.paths, again.paths):
        assert a.read_bytes() == b.read_bytes(), a.name


def test_generate_sample_returns_paths(tmp_path):
    paths = sample.generate_sample(tmp_path, communes=3, years=1, seed=3, province_code="38")
    assert paths and all(p.exists() and p.parent == tmp_path for p in paths)


def test_every_district_represented(small):
    districts = province_legacy_units("38")["district_code"].n_unique()
    assert districts == 26
    assert small.communes.height == 30
    assert small.communes["district_code"].n_unique() == districts
    # real communes of the province only
    codes = set(province_legacy_units("38")["commune_code"])
    assert set(small.communes["commune_code"]) <= codes


def test_exports_on_each_side_of_the_reform(small):
    """Legacy communes export up to 30/06/2025, their successors from 01/07/2025; open dossiers and
    petitions appear in both; one new commune's 2026 dossiers are in the two-row ledger layout."""
    from pipelines.headers import detect_header
    spans = {p.name: p.stem.split("_")[-1] if "_" in p.stem else "" for p in small.paths}
    assert any("2024_2025" in n or n.endswith(("_2024.csv", "_2024.xlsx")) for n in spans)
    assert any("2025_2026" in n or "_2026" in n for n in spans)
    assert small.handed_over["dossier"] and small.handed_over["petition"]
    assert small.handed_over["letter"] == small.handed_over["survey"] == set()
    ledgers = [p for p in small.paths if _is_ledger(p)]
    assert len(ledgers) == 1 and ledgers[0].name.endswith("_2026.xlsx")
    match = detect_header([r or [None] for r in _rows(ledgers[0])[:12]])
    assert (match.kind, match.header_rows, match.numbering_row) == ("dossier", 2, True)
    assert "status" not in match.columns.values() and "commune" in match.columns.values()
    # The new communes are the legacy communes' default successors.
    defaults = province_successors("38").filter(pl.col("is_default"))
    expected = set(defaults.filter(pl.col("legacy_code").is_in(small.communes["commune_code"].implode()))["code_2025"])
    from pipelines.admin_units import province_units_2025
    names = dict(province_units_2025("38").select("commune_code", "commune_name").iter_rows())
    assert any(ledgers[0].name == f"so_theo_doi_ho_so_{fold(names[c]).replace(' ', '_')}_2026.xlsx" for c in expected)


def test_file_forms(small):
    xlsx = [p for p in small.paths if p.suffix == ".xlsx"]
    csvs = [p for p in small.paths if p.suffix == ".csv"]
    assert xlsx and csvs
    titled = [p for p in xlsx if not _is_ledger(p) and _header_index(_rows(p)) > 0]
    assert titled, "no workbook with title rows"
    assert any(any("ỦY BAN NHÂN DÂN" in c or "UBND" in c for r in _rows(p)[:4] for c in r) for p in titled)
    heads = [p.read_bytes()[:300] for p in csvs]
    assert any(h.startswith(b"\xef\xbb\xbf") and b";" in h.split(b"\n")[0] for h in heads), "no semicolon BOM csv"
    assert any(not h.startswith(b"\xef\xbb\xbf") and b"," in h.split(b"\n")[0] for h in heads), "no comma csv"
    names = [p.name for p in small.paths]
    assert any(n.startswith(("ho_so_xa_", "ho_so_phuong_", "ho_so_thi_tran_")) for n in names)


def test_headers_are_schema_aliases(small):
    for path in small.paths:
        if _is_ledger(path):  # its two-row header: test_exports_on_each_side_of_the_reform
            continue
        rows = _rows(path)
        _header_index(rows)  # raises when a header is not an alias


def test_names_only_in_personal_columns(small):
    names = set(sample.PERSON_NAMES)
    seen_personal = False
    for path in small.paths:
        if _is_ledger(path):
            continue
        rows = _rows(path)
        h = _header_index(rows)
        header = [fold(c) for c in rows[h]]
        for j, head in enumerate(header):
            values = {r[j] for r in rows[h + 1:] if j < len(r)}
            if head in PERSONAL_HEADERS:
                seen_personal = seen_personal or bool(values & names)
                continue
            assert not any(any(n in v for n in names) for v in values if len(v) > 6), (path.name, head)
        # title rows never name a citizen
        assert not any(any(n in c for n in names) for r in rows[:h] for c in r)
    assert seen_personal


def test_defects_are_few_and_logged(small):
    total = sum(small.rows.values())
    assert 0 < len(small.defects) <= 0.01 * total
    assert all({"file", "row", "kind", "defect"} <= set(d) for d in small.defects)


def test_reexport_pair(tmp_path):
    result = sample.generate(tmp_path, communes=26, years=1, seed=2024, province_code="38")
    pair = sorted(p for p in result.paths if "_xuat_" in p.name)
    assert len(pair) == 2
    early, late = (_rows(p) for p in pair)
    ids = lambda rows: {c for r in rows for c in r if c.count(".") == 2 and c[:5].isdigit()}  # noqa: E731
    assert ids(early) <= ids(late)


def test_committed_sample_size():
    files = [p for p in COMMITTED.iterdir() if p.is_file()]
    assert len(files) > 100
    size = sum(p.stat().st_size for p in files)
    assert size <= 20 * 1024 * 1024, size


@pytest.mark.slow
def test_ingest_quarantines_exactly_the_defects(small, tmp_path):
    ingest = pytest.importorskip("pipelines.ingest")
    import duckdb
    db = tmp_path / "w.duckdb"
    reports = ingest.ingest_files([str(p) for p in small.paths], db=db)
    assert not [r.error for r in reports if r.error]
    assert {r.file_name for r in reports} == {p.name for p in small.paths}
    assert not [r.unknown_columns for r in reports if r.unknown_columns]
    with duckdb.connect(str(db), read_only=True) as con:
        got = set(con.sql("select file_name, row_number from quarantine").fetchall())
        n_communes = con.sql("select count(distinct commune_code) from main.dossiers "
                             "where unit_era = 'legacy'").fetchall()[0][0]
    expected = {(d["file"], d["row"]) for d in small.defects}
    assert got == expected, f"unexpected quarantine: {sorted(got - expected)[:5]}; missing: {sorted(expected - got)[:5]}"
    assert n_communes == 30
