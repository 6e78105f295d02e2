-- Before the upsert writes (upsert_plan.sql's _plan): the stored rows of ${table} it replaces or adopts, as
-- they are, into the change log.
INSERT INTO fact_changes.${table}
SELECT * FROM main.${table} WHERE rowid IN (SELECT _trow FROM _plan WHERE action IN ('replace', 'adopt'))
