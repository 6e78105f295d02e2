-- The change log goes before the copy is published (fact_changes_start.sql).
DROP SCHEMA IF EXISTS fact_changes CASCADE
