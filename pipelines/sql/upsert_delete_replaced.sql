-- 'replace': the stored version goes; upsert_insert.sql writes the new one.
DELETE FROM main.${table} WHERE rowid IN (SELECT _trow FROM _plan WHERE action = 'replace')
