"""The synthetic sample generator: determinism, coverage, file forms, headers, privacy, defects."""

from __future__ import annotations

import collections
import csv
import io
import unicodedata
from pathlib import Path

import polars as pl
import pytest

from pipelines import sample
from pipelines.ingest.admin_units import province_legacy_units, province_successors
from pipelines.text import fold
from schemas.records import LOCATION_COLUMNS, RECORD_SCHEMAS

REPO = Path(__file__).resolve().parents[1]
COMMITTED = REPO / "data" / "sample"

# every header spelling the ingest knows, folded
KNOWN_HEADERS = {fold(a) for s in RECORD_SCHEMAS.values() for c in s.columns for a in c.aliases}
KNOWN_HEADERS |= {fold(a) for c in LOCATION_COLUMNS for a in c.aliases}
EXTRA = {fold(h) for h in sample.EXTRA_HEADERS}
PERSONAL_HEADERS = {fold(a) for s in RECORD_SCHEMAS.values() for c in s.columns if c.personal
                    for a in c.aliases}


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    out = tmp_path_factory.mktemp("sample_a")
    return sample.generate(out, communes=30, years=1, seed=7, province_code="38")


def _tables(path: Path) -> dict[str, list[list[str]]]:
    """Every table of a file as rows of text, by sheet name ("" for a CSV, delimiter from the file)."""
    if path.suffix == ".xlsx":
        frames = pl.read_excel(path, engine="calamine", has_header=False, sheet_id=0,
                               read_options={"dtypes": "string"})
        return {name: [["" if v is None else str(v) for v in row] for row in frame.iter_rows()]
                for name, frame in frames.items()}
    text = path.read_bytes().decode("utf-8-sig")
    sep = ";" if text.split("\n", 1)[0].count(";") > text.split("\n", 1)[0].count(",") else ","
    return {"": [row for row in csv.reader(io.StringIO(text), delimiter=sep)]}


def _rows(path: Path) -> list[list[str]]:
    """The rows of a file's only table."""
    (rows,) = _tables(path).values()
    return rows


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


def _successors(legacy_codes) -> set[str]:
    defaults = province_successors("38").filter(pl.col("is_default"))
    return set(defaults.filter(pl.col("legacy_code").is_in(list(legacy_codes)))["code_2025"])


def test_two_eras_of_exporting_communes(small):
    """Legacy communes export up to 30/06/2025 under legacy names; from 01/07/2025 their default
    successors export under the 2025 names, without a district."""
    from pipelines.ingest.admin_units import province_units_2025
    legacy = {n: c for n, (era, c) in small.files.items() if era == "legacy"}
    new = {n: c for n, (era, c) in small.files.items() if era == "2025"}
    assert legacy and new and len(legacy) + len(new) == len(small.paths)
    chosen = set(small.communes["commune_code"])
    assert set(legacy.values()) == chosen
    assert set(new.values()) == _successors(chosen)
    names_2025 = dict(province_units_2025("38").select("commune_code", "commune_name").iter_rows())
    titled, periods = 0, collections.Counter()
    for name, code in new.items():
        for rows in _tables(small.paths[0].parent / name).values():
            top = [unicodedata.normalize("NFC", c) for r in rows[:6] for c in r if c.strip()]
            if any(c.startswith(("ỦY BAN NHÂN DÂN", "UBND")) for c in top):
                titled += 1
                assert any(c.endswith(names_2025[code].upper()) for c in top), (name, top)
                assert not any(c.startswith(("HUYỆN", "UBND HUYỆN", "THỊ XÃ", "UBND THỊ XÃ")) for c in top), name
            periods.update(c[:len("(Từ ngày dd/mm/yyyy")] for c in top if c.startswith("(Từ ngày"))
    assert titled
    # the period line of a 2025 file starts at the reform or, for the year after, on 1 January
    assert periods == {"(Từ ngày 01/07/2025": 57, "(Từ ngày 01/01/2026": 2}


def _dossier_cells(path: Path) -> list[tuple[str, str]]:
    """(dossier id, completed-date cell) of every dossier row of a file."""
    from pipelines.ingest.headers import detect_header
    out = []
    for rows in _tables(path).values():
        match = detect_header([r or [None] for r in rows[:12]])
        if match.kind != "dossier":
            continue
        where = {name: i for i, name in match.columns.items()}
        for r in rows[match.body_start:]:
            out.append((r[where["dossier_id"]], r[where["completed_date"]].strip()))
    return out


def test_dossiers_handed_over_at_the_reform(small):
    """Each handed-over dossier is pending (no completion date) in its legacy commune's export and
    appears again, same id, in exactly one export of the successor, most of them completed there."""
    handed = small.handed_over["dossier"]
    assert len(handed) >= 5 and small.handed_over["petition"]
    assert small.handed_over["letter"] == small.handed_over["survey"] == set()
    seen: dict[str, list[tuple[str, str]]] = {}
    for name, (era, _) in small.files.items():
        for dossier_id, completed in _dossier_cells(small.paths[0].parent / name):
            if dossier_id in handed:
                seen.setdefault(dossier_id, []).append((era, completed))
    assert set(seen) == handed
    for dossier_id, places in seen.items():
        assert [c for era, c in places if era == "legacy"] and all(c == "" for era, c in places if era == "legacy")
        assert len([era for era, _ in places if era == "2025"]) == 1, dossier_id
    completed_later = [i for i, places in seen.items() if any(era == "2025" and c for era, c in places)]
    still_pending = len(handed) - len(completed_later)
    assert len(completed_later) >= 5 and still_pending >= 1


def test_the_ledger_layout(small):
    """One new commune's 2026 dossiers in the two-row one-stop ledger: merged 'Ngày, tháng, năm' over
    five columns, a numbering row, no status column, the commune in 'Cơ quan chủ trì giải quyết'."""
    from pipelines.ingest.admin_units import province_units_2025
    from pipelines.ingest.headers import detect_header
    ledgers = [p for p in small.paths if _is_ledger(p)]
    assert len(ledgers) == 1 and ledgers[0].name.endswith("_2026.xlsx")
    era, code = small.files[ledgers[0].name]
    assert era == "2025" and code in _successors(small.communes["commune_code"])
    rows = _rows(ledgers[0])
    match = detect_header([r or [None] for r in rows[:12]])
    assert (match.kind, match.header_rows, match.numbering_row) == ("dossier", 2, True)
    assert "status" not in match.columns.values() and "commune" in match.columns.values()
    assert rows[3][:7] == ["TT", "Mã hồ sơ", "Tên TTHC", "Tên cá nhân, tổ chức", "Địa chỉ, số điện thoại",
                           "Cơ quan chủ trì giải quyết", "Ngày, tháng, năm"]
    assert rows[4][6:11] == ["Nhận hồ sơ", "Hẹn trả kết quả", "Trả kết quả", "Phương thức nhận kết quả", "Ký nhận"]
    assert rows[5][:11] == [f"({i})" for i in range(1, 12)]
    unit = province_units_2025("38").filter(pl.col("commune_code") == code).row(0, named=True)
    agency = f"UBND {unit['commune_type'].lower()} {unit['commune_short_name']}"
    assert {r[5] for r in rows[6:]} == {agency}
    assert ledgers[0].name == f"so_theo_doi_ho_so_{fold(unit['commune_name']).replace(' ', '_')}_2026.xlsx"


def test_office_workbooks(small):
    """Letters, petitions and dialogues of one commune as named sheets of one workbook."""
    office = [p for p in small.paths if p.suffix == ".xlsx" and not _is_ledger(p) and len(_tables(p)) > 1]
    assert office
    for path in office:
        assert set(_tables(path)) <= {"Thư", "Đơn thư", "Đối thoại"}, path.name


def test_file_forms(small):
    xlsx = [p for p in small.paths if p.suffix == ".xlsx"]
    csvs = [p for p in small.paths if p.suffix == ".csv"]
    assert xlsx and csvs
    tables = [t for p in xlsx if not _is_ledger(p) for t in _tables(p).values()]
    titled = [t for t in tables if _header_index(t) > 0]
    assert titled, "no workbook with title rows"
    assert any(any("ỦY BAN NHÂN DÂN" in c or "UBND" in c for r in t[:4] for c in r) for t in titled)
    heads = [p.read_bytes()[:300] for p in csvs]
    assert any(h.startswith(b"\xef\xbb\xbf") and b";" in h.split(b"\n")[0] for h in heads), "no semicolon BOM csv"
    assert any(not h.startswith(b"\xef\xbb\xbf") and b"," in h.split(b"\n")[0] for h in heads), "no comma csv"
    names = [p.name for p in small.paths]
    assert any(n.startswith(("ho_so_xa_", "ho_so_phuong_", "ho_so_thi_tran_")) for n in names)
    assert any(n.startswith("bao_cao_tong_hop_") or n.startswith("Bao cao cong tac dan van") for n in names)


def test_headers_are_schema_aliases(small):
    for path in small.paths:
        if _is_ledger(path):  # its two-row header: test_the_ledger_layout
            continue
        for rows in _tables(path).values():
            _header_index(rows)  # raises when a header is not an alias


def test_names_only_in_personal_columns(small):
    names = set(sample.PERSON_NAMES)
    seen_personal = False
    for path in small.paths:
        if _is_ledger(path):
            continue
        for rows in _tables(path).values():
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
    assert all({"file", "sheet", "row", "kind", "defect", "record_id"} <= set(d) for d in small.defects)
    assert sum(small.defect_counts().values()) == len(small.defects)
    assert {d["file"] for d in small.defects} <= set(small.files)


def test_reexport_pair(tmp_path):
    result = sample.generate(tmp_path, communes=26, years=1, seed=2024, province_code="38")
    pair = sorted(p for p in result.paths if "_xuat_" in p.name)
    assert len(pair) == 2
    early, late = (_rows(p) for p in pair)
    ids = lambda rows: {c for r in rows for c in r if c.count(".") == 2 and c[:5].isdigit()}  # noqa: E731
    # the morning-of-13/06 export holds every dossier received by then; the later one adds those received after
    # it (the id's middle part is the receipt day, YYMMDD)
    assert (len(ids(early)), len(ids(late))) == (284, 315)
    assert ids(late) - ids(early) == {i for i in ids(late) if i.split(".")[1] > "250613"}
    assert ids(early) < ids(late)


def test_committed_sample_size():
    files = [p for p in COMMITTED.iterdir() if p.is_file()]
    assert 300 < len(files) <= 600
    size = sum(p.stat().st_size for p in files)
    assert size <= 15 * 1024 * 1024, size


@pytest.mark.slow
def test_ingest_quarantines_exactly_the_defects(small, tmp_path):
    from pipelines.ingest import pipeline as ingest
    import duckdb
    db = tmp_path / "w.duckdb"
    reports = ingest.ingest_files([str(p) for p in small.paths], db=db)
    assert not [r.error for r in reports if r.error]
    assert {r.file_name for r in reports} == {p.name for p in small.paths}
    assert not [r.unknown_columns for r in reports if r.unknown_columns]
    with duckdb.connect(str(db), read_only=True) as con:
        got = set(con.sql("select file_name, sheet, row_number from quarantine").fetchall())
        n_communes = con.sql("select count(distinct commune_code) from main.dossiers "
                             "where unit_era = 'legacy'").fetchall()[0][0]
    expected = {(d["file"], d["sheet"], d["row"]) for d in small.defects}
    assert got == expected, f"unexpected quarantine: {sorted(got - expected)[:5]}; missing: {sorted(expected - got)[:5]}"
    assert n_communes == 30
