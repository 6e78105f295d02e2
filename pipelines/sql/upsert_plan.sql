-- What the upsert does with each staged row, one action each (schemas.records.UPSERT_ACTIONS):
--   insert   a new record;
--   adopt    a legacy commune's row for a record its successor sent first: the stored record keeps its
--            newer content and only learns its predecessor;
--   older    a legacy commune's row for a record its successor already carried over, or an older export
--            that would reopen a record a later one closed ($open_value: the open state): not applied;
--   replace  a changed re-export (the last file ingested wins), or a record dvcq closed because a newer
--            export no longer listed it, listed again by an export at least as recent as that closing;
--   same     the stored record, unchanged.
-- Also the predecessor a replaced or inserted record keeps, and when the record first arrived.
CREATE OR REPLACE TEMP TABLE _plan AS
SELECT s.source_row AS _srow, m._trow,
       CASE WHEN m._trow IS NULL THEN 'insert'
            WHEN s.unit_era = 'legacy' AND m.t_era = '2025' THEN
                CASE WHEN m.t_pred IS NULL THEN 'adopt' ELSE 'older' END
            WHEN m.t_missing_from IS NOT NULL AND m.last_day >= m.t_closed_on THEN 'replace'
            WHEN m.t_state <> $open_value AND m.s_state = $open_value THEN 'older'
            WHEN m.t_era = s.unit_era AND m.t_code = s.commune_code AND m.t_hash = s.row_hash THEN 'same'
            ELSE 'replace' END AS action,
       CASE WHEN m.t_era = s.unit_era AND m.t_code = s.commune_code THEN m.t_pred
            WHEN m.t_era = 'legacy' THEN m.t_code ELSE m.t_pred END AS predecessor,
       m.t_first
FROM staged s LEFT JOIN _match m ON m._srow = s.source_row
