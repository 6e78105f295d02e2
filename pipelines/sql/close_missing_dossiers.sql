-- ingest.missing_from_newer_export = "close": the pending dossiers a newer export of their commune no
-- longer lists (_missing: rows of missing_from_export.sql, record_row and last_day) left the desk
-- without a result. Each becomes $closed_value (withdrawn) with its completed date the export's latest event
-- date for its commune (last_day; never before its receipt, which lies within that span), so the facts
-- close it that day (dossier_facts.closed_date) and count it neither pending nor overdue from then on.
-- closed_missing_from names the export: a later export that lists the record again replaces it, an
-- older one does not (load.py). row_hash stays that of the export that last listed it.
UPDATE main.dossiers t
SET status = $closed_value, completed_date = m.last_day, closed_missing_from = $closed_by, loaded_at = $loaded_at
FROM _missing m
WHERE t.rowid = m.record_row
