-- The ingest log, newest first (one row per file or sheet), for the Dữ liệu page.
SELECT file_name, sheet, kind, communes, unit_era, rows_read, rows_inserted, rows_updated, rows_unchanged,
       rows_older, rows_quarantined, rows_missing, rows_closed, unknown_columns, message, ingested_at::DATE AS ingested_on
FROM main.ingest_log ORDER BY ingested_at DESC, file_name LIMIT 2000
