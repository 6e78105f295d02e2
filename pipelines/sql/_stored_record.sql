-- A staged row s as stored, with the plan's row p (predecessor, t_first): a record replaced by a later export
-- keeps when it first arrived.
SELECT s.* EXCLUDE (source_row, row_hash), $source_file AS source_file, $source_sheet AS source_sheet,
       s.source_row, s.row_hash, $loaded_at::TIMESTAMP AS loaded_at,
       COALESCE(p.t_first, $loaded_at::TIMESTAMP) AS first_loaded_at,
       {{ _placement }}, p.predecessor AS predecessor_code
