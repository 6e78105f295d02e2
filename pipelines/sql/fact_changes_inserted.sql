-- The ids of the records the upsert inserts ($record_table, id column ${key}; upsert_plan.sql's _plan), into the
-- change log: their facts are new.
INSERT INTO fact_changes.ids
SELECT $record_table, s.${key} FROM staged s JOIN _plan p ON p._srow = s.source_row WHERE p.action = 'insert'
