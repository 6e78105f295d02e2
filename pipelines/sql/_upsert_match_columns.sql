s.source_row AS _srow, t.rowid AS _trow, t.commune_code AS t_code, t.unit_era AS t_era, t.predecessor_code AS t_pred,
       t.row_hash AS t_hash, COALESCE(t.first_loaded_at, t.loaded_at) AS t_first
