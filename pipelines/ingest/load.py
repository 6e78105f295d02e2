"""Load: upsert trusted rows into their record table, quarantined rows into ``quarantine``.

Idempotency: a record's key is (its unit, record id), the unit followed across the 2025 reform; rows without an id (letters, dialogues,
surveys may have none) get a content key ('K' + hash of their values and of their occurrence among
identical rows of the file), so the same file loads once and three identical survey forms stay three. ``row_hash`` over the
normalised content tells an unchanged re-export from a changed one (a pending dossier now
completed), which replaces the stored row. The last file ingested wins, except that an older
export never reopens a record a later one closed (a completed dossier stays completed when an
export from before its completion is loaded again), nor overwrites a record its successor commune
sent after the reform; such a row is counted apart, as older than the stored record ('cũ hơn bản đã có').
A record closed because a newer export no longer listed it (``closed_missing_from``) was closed by
dvcq, not by the commune: an export at least as recent as that closing that lists it again replaces it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import duckdb
import polars as pl

from pipelines.ingest.privacy import hashed_sql, hmac_params, scope_key
from pipelines.ingest.warehouse import default_successor_join, placement_sql
from schemas.admin_unit import ERA_SHORT_VI
from schemas.records import RecordSchema, row_hash_sql


@dataclass(frozen=True)
class UpsertCounts:
    inserted: int
    updated: int
    unchanged: int
    older: int  # rows of an export older than the stored record, rightly not applied
    conflicts: pl.DataFrame  # _row, _conflict: rows whose id matches records of several units (not loaded)


def _content_sql(columns: list[str]) -> str:
    """Text of all values, NULL distinguishable from empty, for hashing."""
    parts = ", ".join(f"coalesce(CAST(s.\"{c}\" AS VARCHAR), '\u2205')" for c in columns)
    return f"concat_ws('\u241f', {parts})"


# A stored record and an incoming row with the same id are one record when they were sent by the
# same unit, or across the reform by a legacy commune and one of its successors (either order).
# The stored record's legacy commune is its own, or the one it was carried over from.
_SAME_RECORD = """(
    (t.unit_era = s.unit_era AND t.commune_code = s.commune_code)
    OR (s.unit_era = '2025' AND EXISTS (SELECT 1 FROM unit_successors u WHERE u.code_2025 = s.commune_code
        AND u.legacy_code = CASE t.unit_era WHEN 'legacy' THEN t.commune_code ELSE t.predecessor_code END))
    OR (s.unit_era = 'legacy' AND t.unit_era = '2025' AND (t.predecessor_code = s.commune_code
        OR (t.predecessor_code IS NULL AND EXISTS (SELECT 1 FROM unit_successors u
            WHERE u.legacy_code = s.commune_code AND u.code_2025 = t.commune_code)))))"""
_ERA_WORD = (f"CASE m.t_era WHEN 'legacy' THEN ' ({ERA_SHORT_VI['legacy']})' "
             f"ELSE ' ({ERA_SHORT_VI['2025']})' END")


def stage_records(con: duckdb.DuckDBPyConnection, schema: RecordSchema, rows: pl.DataFrame,
                  secret: bytes) -> pl.DataFrame:
    """The rows as they will be stored: personal columns hashed, the record key, the content hash.

    ``rows`` has commune_code, unit_era, _row and the schema's columns, personal ones still in
    clear: they are hashed (``pipelines.ingest.privacy.hashed_sql``) in the projection that
    stages them, so only hashes leave this query. ``con`` may be any connection (the ingest
    uses an in-memory one in the thread that prepares the next file); nothing is written.
    Returns commune_code, unit_era, the id column (a content key for rows without one), the
    other value columns, source_row and row_hash.
    """
    value_columns = [c.name for c in schema.columns if c.name != schema.id_column]
    key = schema.id_column
    incoming = rows.select("commune_code", "unit_era", "_row", *[c.name for c in schema.columns])  # noqa: F841
    keys = hmac_params(scope_key(secret, schema.kind)) if schema.personal_columns else {}
    if schema.personal_columns and schema.hashed_apart:
        column, value = schema.hashed_apart
        keys |= hmac_params(scope_key(secret, f"{schema.kind}:{value}"), "apart_")

    # Each distinct personal value is hashed once (a name or an address recurs across thousands of
    # rows) in a lookup joined back by value; the expression is hashed_sql's, so the pseudonyms are the
    # ones any other path gives. Under hashed_apart the key depends on the row's kind, so the lookup
    # is keyed on (kind is apart, value).
    apart = (f"""s."{schema.hashed_apart[0]}" IS NOT DISTINCT FROM '{schema.hashed_apart[1]}'"""
             if schema.hashed_apart else "FALSE")
    # A column whose values are mostly distinct (ID-card numbers) is hashed in place: the lookup would
    # save few hashes and cost a grouping and a join.
    def hashed(value: str, name: str, is_apart: str) -> str:
        return (f"CASE WHEN {is_apart} THEN {hashed_sql(value, name, 'apart_')} ELSE {hashed_sql(value, name)} END"
                if schema.hashed_apart else hashed_sql(value, name))
    lookups, projected_columns = [], []
    for column in schema.columns:
        name = column.name
        if not column.personal:
            projected_columns.append(f's."{name}"')
        elif rows[name].n_unique() > (rows.height - rows[name].null_count()) // 2:
            value = f's."{name}"'
            projected_columns.append(f'{hashed(value, name, apart)} AS "{name}"')
        else:
            lookups.append(f"""LEFT JOIN (SELECT _apart, _value, {hashed('_value', name, '_apart')} AS _hash
                                      FROM (SELECT DISTINCT {apart} AS _apart, s."{name}" AS _value FROM incoming s)
                                      WHERE _value IS NOT NULL) "h_{name}"
                             ON "h_{name}"._apart = ({apart}) AND "h_{name}"._value = s."{name}\"""")
            projected_columns.append(f'"h_{name}"._hash AS "{name}"')
    projected = ", ".join(projected_columns)
    content = _content_sql(value_columns)
    # Rows without an id are told apart by their occurrence among identical rows of the file; the
    # window is costly on big files, so it runs only when some row lacks an id.
    # (The key is made from the content's MD5 in hex, as it always was, so content keys stay what they were.)
    occurrence = (f"md5(md5({content}) || '#' || row_number() OVER (PARTITION BY commune_code, _content_hash "
                  "ORDER BY _row))") if rows[key].null_count() else "NULL"
    with con.cursor() as cursor:  # a relation: the DB-API path would copy the result once more
        return cursor.sql(f"""
            SELECT s.commune_code, s.unit_era,
                   coalesce(s."{key}", 'K' || left(md5(s.commune_code || s._occurrence_key), 16)) AS "{key}",
                   {", ".join(f's."{c}"' for c in value_columns)},
                   s._row AS source_row, s._content_hash AS row_hash
            FROM (SELECT *, {occurrence} AS _occurrence_key
                  FROM (SELECT *, {row_hash_sql(content)} AS _content_hash
                        FROM (SELECT s.commune_code, s.unit_era, s._row, {projected}
                              FROM incoming s {" ".join(lookups)}) s) s) s
        """, params=keys).pl()


def upsert_records(con: duckdb.DuckDBPyConnection, schema: RecordSchema, staged: pl.DataFrame,
                   source_file: str, source_sheet: str) -> UpsertCounts:
    """Insert new records, replace changed ones, count unchanged; carry records across the reform.

    ``staged`` is ``stage_records``' result: personal data already hashed.

    Across the reform: a row from a new commune whose id a predecessor already sent replaces
    that record and remembers the predecessor (``predecessor_code``); a row from a legacy export
    loaded after its successor's never overwrites the newer content, it only fills in the
    predecessor. An id that matches records of several units is a conflict, returned unloaded.
    """
    empty = pl.DataFrame(schema={"_row": pl.Int32, "_conflict": pl.String})
    if staged.is_empty():
        return UpsertCounts(0, 0, 0, 0, empty)
    key = schema.id_column
    # The staged frame is read where it is (no temporary copy): each statement below reads the few
    # columns it needs, and the INSERT the rest once.
    # The stored versions of these records, read once; the constant list of the communes involved
    # (and their predecessors or successors) lets DuckDB skip row groups of other communes.
    communes = staged.select("commune_code", "unit_era").unique()  # noqa: F841 - DuckDB reads it
    codes = [r[0] for r in con.execute("""
        SELECT commune_code FROM communes
        UNION SELECT legacy_code FROM unit_successors
              WHERE code_2025 IN (SELECT commune_code FROM communes WHERE unit_era = '2025')
        UNION SELECT code_2025 FROM unit_successors
              WHERE legacy_code IN (SELECT commune_code FROM communes WHERE unit_era = 'legacy')
    """).fetchall()]
    state = (f', t."{schema.open_state[0]}" AS t_state, t.closed_missing_from AS t_missing_from, '
             f't."{schema.missing_closes_as[1]}" AS t_closed_on') if schema.open_state else ""
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _match AS
        SELECT s.source_row AS _srow, t.rowid AS _trow, t.commune_code AS t_code, t.unit_era AS t_era,
               t.predecessor_code AS t_pred, t.row_hash AS t_hash,
               COALESCE(t.first_loaded_at, t.loaded_at) AS t_first{state}
        FROM staged s
        JOIN (SELECT rowid, * FROM {schema.table} WHERE commune_code IN ({", ".join("?" for _ in codes)})) t
          ON t."{key}" = s."{key}" AND {_SAME_RECORD}
    """, codes)
    conflict_rows = con.execute(f"""
        SELECT m._srow::INTEGER AS _row,
               'ambiguous_identity' || chr(9) || $label || ' ''' || any_value(s."{key}") || ''' đã có ở nhiều đơn vị: '
               || string_agg(m.t_code || {_ERA_WORD}, ', ' ORDER BY m.t_code)
               || '; không tự gộp, hãy kiểm tra mã' AS _conflict
        FROM _match m JOIN staged s ON s.source_row = m._srow
        GROUP BY m._srow HAVING count(*) > 1
    """, {"label": schema.column(key).label_vi}).fetchall()
    conflicts = pl.DataFrame(conflict_rows, schema=empty.schema, orient="row")
    if not conflicts.is_empty():
        staged = staged.join(conflicts, left_on="source_row", right_on="_row", how="anti")
        con.execute("DELETE FROM _match WHERE _srow IN (SELECT _row FROM conflicts)")
    stamp = {"source_file": source_file, "source_sheet": source_sheet, "loaded_at": dt.datetime.now()}
    if not con.execute("SELECT count(*) FROM _match").fetchall()[0][0]:  # no row is a stored record: all new
        con.execute(f"INSERT INTO {schema.table} BY NAME {_stored('NULL', 'NULL')} FROM staged s "
                    f"{default_successor_join('s')}", stamp)
        con.execute("DROP TABLE _match")
        return UpsertCounts(len(staged), 0, 0, 0, conflicts)
    reopen, relisted, latest = "FALSE", "FALSE", ""
    if schema.open_state:  # an older export must not reopen what a later one closed
        column, open_value = schema.open_state
        reopen = f"""(m.t_state <> '{open_value}' AND s."{column}" = '{open_value}')"""
        # ...but a record closed only because a newer export no longer listed it (closed_missing_from) is
        # replaced by any export of its commune at least as recent (its latest event date for the commune on
        # or after the closing day) that lists it again, whatever it says; an older one leaves it closed.
        relisted = "(m.t_missing_from IS NOT NULL AND e.last_day >= m.t_closed_on)"
        events = ", ".join(f's."{c}"' for c in schema.event_columns)
        latest = (f"LEFT JOIN (SELECT commune_code, unit_era, max(GREATEST({events})) AS last_day FROM staged s "
                  "GROUP BY ALL) e ON e.commune_code = s.commune_code AND e.unit_era = s.unit_era")
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _plan AS
        SELECT s.source_row AS _srow, m._trow,
               CASE WHEN m._trow IS NULL THEN 'insert'
                    WHEN s.unit_era = 'legacy' AND m.t_era = '2025' THEN
                        CASE WHEN m.t_pred IS NULL THEN 'adopt' ELSE 'older' END
                    WHEN {relisted} THEN 'replace'
                    WHEN {reopen} THEN 'older'
                    WHEN m.t_era = s.unit_era AND m.t_code = s.commune_code AND m.t_hash = s.row_hash THEN 'same'
                    ELSE 'replace' END AS action,
               CASE WHEN m.t_era = s.unit_era AND m.t_code = s.commune_code THEN m.t_pred
                    WHEN m.t_era = 'legacy' THEN m.t_code ELSE m.t_pred END AS predecessor,
               m.t_first
        FROM staged s LEFT JOIN _match m ON m._srow = s.source_row {latest}
    """)
    inserted, updated, unchanged, older = con.execute("""
        SELECT count(*) FILTER (action = 'insert'), count(*) FILTER (action IN ('replace', 'adopt')),
               count(*) FILTER (action = 'same'), count(*) FILTER (action = 'older') FROM _plan
    """).fetchall()[0]
    con.execute(f"""UPDATE {schema.table} t SET predecessor_code = s.commune_code, legacy_code = NULL, code_2025 = NULL
                    FROM _plan p JOIN staged s ON s.source_row = p._srow
                    WHERE p.action = 'adopt' AND t.rowid = p._trow""")
    con.execute(f"DELETE FROM {schema.table} WHERE rowid IN (SELECT _trow FROM _plan WHERE action = 'replace')")
    con.execute(f"""INSERT INTO {schema.table} BY NAME
                    {_stored('p.predecessor', 'p.t_first')}
                    FROM staged s JOIN _plan p ON p._srow = s.source_row {default_successor_join('s')}
                    WHERE p.action IN ('insert', 'replace')""", stamp)
    for temp in ("_match", "_plan"):
        con.execute(f"DROP TABLE {temp}")
    return UpsertCounts(inserted, updated, unchanged, older, conflicts)


# A staged row as stored, placed in both structures as it is inserted (``warehouse.placement_sql``); a record
# replaced by a later export keeps when it first arrived (``first_loaded``).
def _stored(predecessor: str, first_loaded: str) -> str:
    return f"""SELECT s.* EXCLUDE (source_row, row_hash), $source_file AS source_file, $source_sheet AS source_sheet,
                    s.source_row, s.row_hash, $loaded_at::TIMESTAMP AS loaded_at,
                    COALESCE({first_loaded}, $loaded_at::TIMESTAMP) AS first_loaded_at,
                    {placement_sql('s', predecessor)}, {predecessor} AS predecessor_code"""


def write_quarantine(con: duckdb.DuckDBPyConnection, rows: pl.DataFrame) -> None:
    """Store quarantined rows; the same file row quarantined again replaces its earlier entry."""
    if rows.is_empty():
        return
    quarantined = rows  # noqa: F841 - DuckDB reads it
    con.execute("""
        DELETE FROM quarantine q USING quarantined r
        WHERE q.file_checksum = r.file_checksum AND q.sheet = r.sheet AND q.row_number = r.row_number
    """)
    con.execute("INSERT INTO quarantine BY NAME SELECT *, now()::TIMESTAMP AS quarantined_at FROM quarantined")
