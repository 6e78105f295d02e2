-- The ingest log, newest first (one row per file or sheet), for the Dữ liệu page. communes_2025: the row's
-- communes in the 2025 structure (a legacy commune as its default successor, the rule that places its records;
-- '' when it has none), so an account limited to some communes is shown only the files of its own.
SELECT l.file_name, l.sheet, l.kind, l.communes, l.unit_era, l.rows_read, l.rows_inserted, l.rows_updated,
       l.rows_unchanged, l.rows_older, l.rows_quarantined, l.rows_missing, l.rows_closed, l.unknown_columns,
       l.message, l.ingested_at::DATE AS ingested_on,
       (SELECT list(COALESCE(CASE WHEN s.unit_era = '2025' THEN s.commune_code ELSE _successor.code_2025 END, '')
                    ORDER BY s.commune_code)
        FROM (SELECT trim(c) AS commune_code, l.unit_era AS unit_era
              FROM unnest(string_split(l.communes, ',')) AS t(c) WHERE trim(c) <> '') s
        {{ _default_successor_join }}) AS communes_2025
FROM main.ingest_log l ORDER BY l.ingested_at DESC, l.file_name LIMIT 2000
