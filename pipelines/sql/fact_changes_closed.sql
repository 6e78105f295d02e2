-- Before the pending records a newer export no longer lists are closed (close_missing_${table}.sql): those rows
-- as they are (_missing.record_row), into the change log.
INSERT INTO fact_changes.${table}
SELECT * FROM main.${table} WHERE rowid IN (SELECT record_row FROM _missing)
