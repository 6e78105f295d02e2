-- What an incremental publish wrote, for its tests (pipelines.ingest.checks): per table, the hashes of the key
-- columns that name the rows it wrote (checks.CHANGED_SCOPE names the columns). A duplicate key or an empty or
-- foreign value can only be among those rows and the stored rows sharing their key: the rest passed the tests
-- of the publish that wrote them. Dropped with the change log (fact_changes_end.sql).
DROP SCHEMA IF EXISTS fact_checks CASCADE;
CREATE SCHEMA fact_checks;
CREATE TABLE fact_checks.dossiers AS
SELECT DISTINCT hash(record_id) AS h FROM fact_changes.changed_ids WHERE record_table = 'dossiers';
CREATE TABLE fact_checks.petitions AS
SELECT DISTINCT hash(record_id) AS h FROM fact_changes.changed_ids WHERE record_table = 'petitions';
CREATE TABLE fact_checks.letters AS
SELECT DISTINCT hash(record_id) AS h FROM fact_changes.changed_ids WHERE record_table = 'letters';
CREATE TABLE fact_checks.dialogues AS
SELECT DISTINCT hash(record_id) AS h FROM fact_changes.changed_ids WHERE record_table = 'dialogues';
CREATE TABLE fact_checks.surveys AS
SELECT DISTINCT hash(record_id) AS h FROM fact_changes.changed_ids WHERE record_table = 'surveys';
CREATE TABLE fact_checks.dossier_facts AS
SELECT DISTINCT hash(legacy_code, code_2025, dossier_id) AS h FROM fact_changes.dossier_keys;
CREATE TABLE fact_checks.petition_facts AS
SELECT DISTINCT hash(legacy_code, code_2025, petition_id) AS h FROM fact_changes.petition_keys;
CREATE TABLE fact_checks.late_dossiers AS
SELECT DISTINCT hash(code_2025, dossier_id) AS h FROM fact_changes.late_keys;
CREATE TABLE fact_checks.daily_counts AS
SELECT DISTINCT hash(legacy_code, code_2025, day) AS h FROM fact_changes.days;
CREATE TABLE fact_checks.monthly_counts AS
SELECT DISTINCT hash(legacy_code, code_2025) AS h FROM fact_changes.monthly_redo
