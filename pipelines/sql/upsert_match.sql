-- The upsert's first step (pipelines.ingest.load.upsert_records), for a record kind without an open state:
-- the stored versions of the staged rows' records (record table ${table}, id column ${key}), read once.
-- Only the rows of the file's communes and of their predecessors or successors are read, so DuckDB skips
-- the row groups of other communes. The state columns are empty: nothing here can be reopened.
CREATE OR REPLACE TEMP TABLE _match AS
SELECT {{ _upsert_match_columns }},
       NULL::VARCHAR AS t_state, NULL::VARCHAR AS s_state, NULL::VARCHAR AS t_missing_from,
       NULL::DATE AS t_closed_on, NULL::DATE AS last_day
{{ _upsert_match_join }}
