-- The ids of the records the upsert inserts when none of the staged rows is stored (upsert_insert_new.sql):
-- every staged row's ($record_table, id column ${key}), into the change log.
INSERT INTO fact_changes.ids SELECT $record_table, ${key} FROM staged
