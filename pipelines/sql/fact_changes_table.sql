-- The stored versions of ${table}'s rows that the publish replaces, adopts or closes, as they were (their facts
-- go): a table of the record table's columns in the change log.
CREATE TABLE fact_changes.${table} AS SELECT * FROM main.${table} LIMIT 0
