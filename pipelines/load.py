"""Load: upsert trusted rows into their record table, quarantined rows into ``quarantine``.

Idempotency: a record's key is (commune_code, record id); rows without an id (letters, dialogues,
surveys may have none) get a content key ('K' + hash of their values and of their occurrence among
identical rows of the file), so the same file loads once and three identical survey forms stay three. ``row_hash`` over the
normalised content tells an unchanged re-export from a changed one (a pending dossier now
completed), which replaces the stored row. The last file ingested wins, except that an older
export never reopens a record a later one closed (a completed dossier stays completed when an
export from before its completion is loaded again); such a row counts as unchanged.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import duckdb
import polars as pl

from pipelines.privacy import hashed_sql, hmac_params
from schemas.records import RecordSchema


@dataclass(frozen=True)
class UpsertCounts:
    inserted: int
    updated: int
    unchanged: int


def _content_sql(columns: list[str]) -> str:
    """Text of all values, NULL distinguishable from empty, for hashing."""
    parts = ", ".join(f"coalesce(CAST(s.\"{c}\" AS VARCHAR), '\u2205')" for c in columns)
    return f"concat_ws('\u241f', {parts})"


def upsert_records(con: duckdb.DuckDBPyConnection, schema: RecordSchema, rows: pl.DataFrame,
                   source_file: str, source_sheet: str, secret: bytes) -> UpsertCounts:
    """Insert new records, replace changed ones, count unchanged.

    ``rows`` has commune_code, _row and the schema's columns, personal ones still in clear:
    they are hashed (``pipelines.privacy.hashed_sql``) in the projection that builds the
    staging table, so only hashes are ever materialised.
    """
    if rows.is_empty():
        return UpsertCounts(0, 0, 0)
    value_columns = [c.name for c in schema.columns if c.name != schema.id_column]
    key = schema.id_column
    incoming = rows.select("commune_code", "_row", *[c.name for c in schema.columns])  # noqa: F841 - DuckDB reads it
    projected = ", ".join(f'{hashed_sql(f"s.{chr(34)}{c.name}{chr(34)}", c.name)} AS "{c.name}"' if c.personal
                          else f's."{c.name}"' for c in schema.columns)
    content = _content_sql(value_columns)
    # Rows without an id are told apart by their occurrence among identical rows of the file; the
    # window is costly on big files, so it runs only when some row lacks an id.
    occurrence = ("md5(_content_hash || '#' || row_number() OVER (PARTITION BY commune_code, _content_hash "
                  "ORDER BY _row))") if rows[key].null_count() else "NULL"
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _stage AS
        SELECT s.commune_code,
               coalesce(s."{key}", 'K' || left(md5(s.commune_code || s._occurrence_key), 16)) AS "{key}",
               {", ".join(f's."{c}"' for c in value_columns)},
               $source_file AS source_file, $source_sheet AS source_sheet, s._row AS source_row,
               s._content_hash AS row_hash, $loaded_at::TIMESTAMP AS loaded_at
        FROM (SELECT *, {occurrence} AS _occurrence_key
              FROM (SELECT *, md5({content}) AS _content_hash
                    FROM (SELECT s.commune_code, s._row, {projected} FROM incoming s) s) s) s
    """, {"source_file": source_file, "source_sheet": source_sheet, "loaded_at": dt.datetime.now(),
          **(hmac_params(secret) if schema.personal_columns else {})})
    join = f't.commune_code = s.commune_code AND t."{key}" = s."{key}"'
    state = f', "{schema.open_state[0]}"' if schema.open_state else ""
    communes = rows["commune_code"].unique().to_list()
    # The stored versions of these records, read once; the constant commune list lets DuckDB skip
    # row groups of other communes instead of scanning the whole table for every file.
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _existing AS
        SELECT t.commune_code, t."{key}", t.row_hash{state}
        FROM (SELECT * FROM {schema.table} WHERE commune_code IN ({", ".join("?" for _ in communes)})) t
        SEMI JOIN _stage s ON {join}
    """, communes)
    changed = "t.row_hash <> s.row_hash"
    if schema.open_state:  # an older export must not reopen what a later one closed
        column, open_value = schema.open_state
        changed += f""" AND NOT (t."{column}" <> '{open_value}' AND s."{column}" = '{open_value}')"""
    inserted, updated, unchanged = con.execute(f"""
        SELECT count(*) FILTER (WHERE t.row_hash IS NULL),
               count(*) FILTER (WHERE t.row_hash IS NOT NULL AND {changed}),
               count(*) FILTER (WHERE t.row_hash IS NOT NULL AND NOT ({changed}))
        FROM _stage s LEFT JOIN _existing t ON {join}
    """).fetchall()[0]
    if updated:
        con.execute(f"""DELETE FROM {schema.table} t USING (SELECT s.* FROM _stage s JOIN _existing t ON {join}
                        WHERE {changed}) s WHERE {join}""")
    if inserted or updated:
        con.execute(f"""INSERT INTO {schema.table} BY NAME SELECT s.* FROM _stage s LEFT JOIN _existing t ON {join}
                        WHERE t.row_hash IS NULL OR ({changed})""")
    con.execute("DROP TABLE _stage")
    con.execute("DROP TABLE _existing")
    return UpsertCounts(inserted, updated, unchanged)


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
