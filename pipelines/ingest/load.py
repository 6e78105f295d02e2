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

from pipelines.ingest.facts import log_inserted, log_replaced
from pipelines.ingest.privacy import hashed_sql, hmac_params, scope_key
from pipelines.sql import execute
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

    The statements are ``pipelines/sql/upsert_*.sql``: the stored versions (``upsert_match``), the plan, one
    action a row (``upsert_plan``), then the writes; each is given the record table and its columns by name.
    Every change is logged for the facts built at publish (``pipelines.ingest.facts.log_replaced``, ``log_inserted``).
    The staged frame is read where it is (no temporary copy): each statement reads the few columns it needs,
    and the INSERT the rest once.
    """
    empty = pl.DataFrame(schema={"_row": pl.Int32, "_conflict": pl.String})
    if staged.is_empty():
        return UpsertCounts(0, 0, 0, 0, empty)
    table = {"table": schema.table}
    keyed = table | {"key": schema.id_column}
    if schema.open_state:
        execute(con, "upsert_match_open", {}, keyed | {
            "state": schema.open_state[0], "closed_on": schema.missing_closes_as[1], "events": schema.event_columns},
            {"staged": staged})
    else:
        execute(con, "upsert_match", {}, keyed, {"staged": staged})
    conflicts = pl.DataFrame(execute(con, "upsert_conflicts", {
        "label": schema.column(schema.id_column).label_vi, "many_units": " đã có ở nhiều đơn vị: ",
        "legacy_word": f" ({ERA_SHORT_VI['legacy']})", "word_2025": f" ({ERA_SHORT_VI['2025']})",
        "not_merged": "; không tự gộp, hãy kiểm tra mã"}, {"key": schema.id_column}, {"staged": staged}),
        schema=empty.schema, orient="row")
    if not conflicts.is_empty():
        staged = staged.join(conflicts, left_on="source_row", right_on="_row", how="anti")
        execute(con, "upsert_drop_conflicts", frames={"conflicts": conflicts})
    stamp = {"source_file": source_file, "source_sheet": source_sheet, "loaded_at": dt.datetime.now()}
    if not execute(con, "upsert_matched")[0][0]:  # no row is a stored record: all new
        log_inserted(con, schema, staged)
        execute(con, "upsert_insert_new", stamp, table, {"staged": staged})
        execute(con, "upsert_done")
        return UpsertCounts(len(staged), 0, 0, 0, conflicts)
    execute(con, "upsert_plan", {"open_value": schema.open_state[1] if schema.open_state else None},
            frames={"staged": staged})
    inserted, updated, unchanged, older = execute(con, "upsert_counts")[0]
    log_replaced(con, schema, staged)  # before the writes: the incremental facts build what they change
    execute(con, "upsert_adopt", {}, table, {"staged": staged})
    execute(con, "upsert_delete_replaced", {}, table)
    execute(con, "upsert_insert", stamp, table, {"staged": staged})
    execute(con, "upsert_done")
    return UpsertCounts(inserted, updated, unchanged, older, conflicts)


def write_quarantine(con: duckdb.DuckDBPyConnection, rows: pl.DataFrame) -> None:
    """Store quarantined rows; the same file row quarantined again replaces its earlier entry."""
    if rows.is_empty():
        return
    execute(con, "quarantine_replace", frames={"quarantined": rows})
    execute(con, "quarantine_insert", frames={"quarantined": rows})
