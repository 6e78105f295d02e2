-- The publish's log of record changes (pipelines.ingest.facts): a schema of the private copy, dropped before
-- it is published (fact_changes_end.sql; one transaction writes one database, so it cannot be another). Its
-- tables are filled by the loader as it writes (fact_changes_*.sql) and read by the incremental facts.
DROP SCHEMA IF EXISTS fact_changes CASCADE;
CREATE SCHEMA fact_changes;
CREATE TABLE fact_changes.ids (record_table VARCHAR, record_id VARCHAR);
CREATE TABLE fact_changes.days (legacy_code VARCHAR, code_2025 VARCHAR, day DATE)
