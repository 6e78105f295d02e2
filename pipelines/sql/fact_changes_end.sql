-- The change log and its tests' scopes go before the copy is published (fact_changes_start.sql).
DROP SCHEMA IF EXISTS fact_changes CASCADE;
DROP SCHEMA IF EXISTS fact_checks CASCADE
