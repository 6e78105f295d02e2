-- The Dữ liệu page's totals as the warehouse holds them. A file (or sheet) is its content: loaded
-- twice, under any name, it is one file, its rows counted once, at its latest load. Rows put in a
-- record table are summed over every load (a re-load of an unchanged file adds none). Quarantined
-- rows are the quarantine table's entries, as `dvcq quarantine` lists them: a row quarantined again
-- replaced its entry.
WITH files AS (
    SELECT file_checksum, sheet, arg_max(rows_read, ingested_at) AS rows_read,
           sum(rows_inserted + rows_updated) AS rows_applied
    FROM main.ingest_log GROUP BY file_checksum, sheet
)
SELECT count(*) AS files, COALESCE(sum(rows_read), 0) AS rows_read, COALESCE(sum(rows_applied), 0) AS rows_applied,
       (SELECT count(*) FROM main.quarantine) AS rows_quarantined
FROM files
