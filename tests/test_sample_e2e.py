"""End to end: the committed data/sample/ through the real ingest into DuckDB.

The expected figures come from the generator (what it wrote and which defects it planted),
not from the ingest: every file's rows add up, exactly the planted rows are quarantined, every
file lands in its era on its commune, every district is present, the records handed over at the
reform are single records, no citizen's name or ID number is stored, and re-ingesting changes nothing.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from pipelines.ingest.pipeline import ingest_files
from pipelines.sample import PERSON_NAMES, SAMPLE_COMMUNES, SAMPLE_SEED, SAMPLE_YEARS, generate
from pipelines.ingest.warehouse import table_definitions

SAMPLE_DIR = Path(__file__).resolve().parents[1] / "data" / "sample"
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def expected(tmp_path_factory):
    """What the generator writes for the committed parameters (and a check that it is what is committed)."""
    out = tmp_path_factory.mktemp("regenerated")
    result = generate(out, communes=SAMPLE_COMMUNES, years=SAMPLE_YEARS, seed=SAMPLE_SEED)
    committed = sorted(p.name for p in SAMPLE_DIR.iterdir() if p.is_file())
    assert sorted(p.name for p in result.paths) == committed
    for path in result.paths:
        assert path.read_bytes() == (SAMPLE_DIR / path.name).read_bytes(), f"{path.name} differs: regenerate data/sample"
    return result


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    db = tmp_path_factory.mktemp("sample") / "dvcq.duckdb"
    reports = ingest_files([SAMPLE_DIR], db=db)
    return db, reports


def test_every_file_is_read_and_its_rows_add_up(warehouse, expected):
    db, reports = warehouse
    assert [r for r in reports if r.error] == []
    assert {r.file_name for r in reports} == {p.name for p in expected.paths}
    assert sum(r.rows_read for r in reports) == sum(expected.rows.values())
    with duckdb.connect(str(db), read_only=True) as con:
        unbalanced = con.sql("""SELECT file_name FROM ingest_log WHERE rows_read <>
                                rows_inserted + rows_updated + rows_unchanged + rows_older + rows_quarantined""").fetchall()
        assert unbalanced == []
        logged = con.sql("SELECT sum(rows_read), sum(rows_quarantined) FROM ingest_log").fetchall()[0]
    assert logged == (sum(expected.rows.values()), len(expected.defects))


def test_exactly_the_planted_defects_are_quarantined(warehouse, expected):
    db, _ = warehouse
    with duckdb.connect(str(db), read_only=True) as con:
        quarantined = set(con.sql("SELECT file_name, sheet, row_number FROM quarantine").fetchall())
    assert quarantined == {(d["file"], d["sheet"], d["row"]) for d in expected.defects}


def test_every_district_and_commune_is_present_in_each_era(warehouse, expected):
    db, _ = warehouse
    chosen = set(expected.communes["commune_code"].to_list())
    with duckdb.connect(str(db), read_only=True) as con:
        districts = con.sql("SELECT count(DISTINCT a.district_code) FROM era_legacy.dossiers "
                            "JOIN era_legacy.admin_units a USING (commune_code)").fetchall()[0][0]
        legacy = {r[0] for r in con.sql("SELECT DISTINCT commune_code FROM main.dossiers "
                                        "WHERE unit_era = 'legacy'").fetchall()}
        new = {r[0] for r in con.sql("SELECT DISTINCT commune_code FROM main.dossiers "
                                     "WHERE unit_era = '2025'").fetchall()}
        successors = {r[0] for r in con.sql("SELECT DISTINCT code_2025 FROM unit_successors WHERE is_default AND "
                                            "list_contains(?, legacy_code)", params=[sorted(chosen)]).fetchall()}
        eras = dict(con.sql("SELECT unit_era, count(*) FROM ingest_log GROUP BY 1").fetchall())
    assert districts == 26
    assert legacy == chosen
    assert new == successors and len(new) < len(chosen)   # merged communes export together
    assert eras["legacy"] > 0 and eras["2025"] > 0


def test_each_file_lands_in_its_era_on_its_commune(warehouse, expected):
    """Every table of a file is read in the structure of the era it was made in, on the commune that made
    it (legacy communes before the reform, new ones after), as the generator's manifest says."""
    db, _ = warehouse
    with duckdb.connect(str(db), read_only=True) as con:
        logged = con.sql("SELECT file_name, unit_era, communes FROM ingest_log").fetchall()
    assert {name for name, _, _ in logged} == set(expected.files)
    for name, era, communes in logged:
        assert (era, communes.split(",")[0]) == expected.files[name], name
    eras = {era for era, _ in expected.files.values()}
    assert eras == {"legacy", "2025"}


def test_records_handed_over_at_the_reform_are_single_records(warehouse, expected):
    """Every dossier and petition open on 30/06/2025 and exported again by the new commune is one
    record, on the new commune, remembering its predecessor (except rows a planted defect spoiled)."""
    db, _ = warehouse
    spoiled = {d["record_id"] for d in expected.defects}
    with duckdb.connect(str(db), read_only=True) as con:
        for table, kind, key in (("dossiers", "dossier", "dossier_id"), ("petitions", "petition", "petition_id")):
            carried = dict(con.sql(f"SELECT {key}, unit_era FROM main.{table} "
                                   f"WHERE predecessor_code IS NOT NULL").fetchall())
            assert set(carried) == expected.handed_over[kind] - spoiled
            assert set(carried.values()) == {"2025"}
            twice = con.sql(f"SELECT count(*) FROM (SELECT {key} FROM main.{table} GROUP BY 1 HAVING count(*) > 1)")
            assert twice.fetchall() == [(0,)]
            wrong = con.sql(f"""SELECT count(*) FROM main.{table} t JOIN unit_successors s
                                ON s.legacy_code = t.predecessor_code AND s.is_default
                                WHERE t.predecessor_code IS NOT NULL AND s.code_2025 <> t.commune_code""")
            assert wrong.fetchall() == [(0,)]
        # pending in the legacy export, then carried over and updated by the new commune's export
        states = dict(con.sql("SELECT status, count(*) FROM main.dossiers WHERE predecessor_code IS NOT NULL "
                              "GROUP BY 1").fetchall())
        overdue = con.sql("SELECT count(*) FROM main.dossiers WHERE predecessor_code IS NOT NULL AND status = 'pending' "
                          "AND due_date < DATE '2026-01-01'").fetchall()[0][0]
        ledger = con.sql("SELECT rows_read, rows_quarantined, message FROM ingest_log "
                         "WHERE file_name LIKE 'so_theo_doi_ho_so_%'").fetchall()
    # the successor's state wins over the legacy export's 'pending' (whichever file is read first)
    assert states.get("completed", 0) >= 5 and overdue >= 2
    assert len(ledger) == 1 and ledger[0][1] == 0 and "tiêu đề cột gồm 2 dòng" in ledger[0][2]


def test_no_citizen_name_or_id_number_is_stored(warehouse):
    db, _ = warehouse
    with duckdb.connect(str(db), read_only=True) as con:
        con.execute("CREATE TEMP TABLE secrets (needle VARCHAR)")
        con.executemany("INSERT INTO secrets VALUES (?)", [(n,) for n in PERSON_NAMES])
        for table, columns in table_definitions().items():
            for name, sql_type, _ in columns:
                if sql_type != "VARCHAR":
                    continue
                hits = con.sql(f"""SELECT count(*) FROM {table} t JOIN secrets s ON contains(t."{name}", s.needle)""")
                assert hits.fetchall() == [(0,)], (table, name)
                if name == "file_checksum":  # a hex digest: digit runs there are no ID numbers
                    continue
                # A 12-digit CCCD anywhere, except inside our own hashes ('h:' + hex digits can hold such a run).
                ids = con.sql(f"""SELECT count(*) FROM {table} WHERE NOT regexp_full_match("{name}", 'h:[0-9a-f]{{24}}')
                                  AND regexp_matches("{name}", '(^|[^0-9])0[0-9]{{2}}[0-3][0-9]{{8}}([^0-9]|$)')""")
                assert ids.fetchall() == [(0,)], (table, name)


def test_ingesting_the_sample_again_changes_nothing(warehouse, tmp_path):
    db, _ = warehouse
    copy = tmp_path / "again.duckdb"
    copy.write_bytes(db.read_bytes())
    dossier_files = sorted(SAMPLE_DIR.glob("ho_so_*"))[:20]
    reports = ingest_files(dossier_files, db=copy)
    assert sum(r.rows_inserted + r.rows_updated for r in reports) == 0
    assert sum(r.rows_unchanged + r.rows_older + r.rows_quarantined for r in reports) == sum(r.rows_read
                                                                                          for r in reports) > 0
    with duckdb.connect(str(copy), read_only=True) as con, duckdb.connect(str(db), read_only=True) as old:
        query = "SELECT count(*), sum(hash(row_hash)) FROM main.dossiers"
        assert con.sql(query).fetchall() == old.sql(query).fetchall()
