-- The facts' keys of what a publish changed (pipelines.ingest.facts.update_facts), from the change log: the
-- stored versions it replaced, adopted or closed (fact_changes.<record table>) and the ids it inserted
-- (fact_changes.ids). A changed record's new version has its id: the records of those ids, as now placed,
-- are the new side (a record of another commune with the same id is built again too, unchanged).
-- dossier_keys, petition_keys: the per-record facts built again (legacy_code, code_2025, id);
-- late_keys: the late_dossiers rows built again (code_2025, dossier_id): the changed dossiers' and those an
-- apology named before or after the change (its named_apology_date may move).
CREATE OR REPLACE TABLE fact_changes.changed_ids AS
SELECT 'dossiers' AS record_table, dossier_id AS record_id FROM fact_changes.dossiers
UNION ALL SELECT 'petitions', petition_id FROM fact_changes.petitions
UNION ALL SELECT 'letters', letter_id FROM fact_changes.letters
UNION ALL SELECT 'dialogues', dialogue_id FROM fact_changes.dialogues
UNION ALL SELECT 'surveys', response_id FROM fact_changes.surveys
UNION ALL SELECT record_table, record_id FROM fact_changes.ids;
CREATE OR REPLACE TABLE fact_changes.dossier_keys AS
SELECT DISTINCT legacy_code, code_2025, dossier_id FROM (
    SELECT legacy_code, code_2025, dossier_id FROM fact_changes.dossiers
    UNION ALL
    SELECT legacy_code, code_2025, dossier_id FROM main.dossiers
    WHERE dossier_id IN (SELECT record_id FROM fact_changes.changed_ids WHERE record_table = 'dossiers'));
CREATE OR REPLACE TABLE fact_changes.petition_keys AS
SELECT DISTINCT legacy_code, code_2025, petition_id FROM (
    SELECT legacy_code, code_2025, petition_id FROM fact_changes.petitions
    UNION ALL
    SELECT legacy_code, code_2025, petition_id FROM main.petitions
    WHERE petition_id IN (SELECT record_id FROM fact_changes.changed_ids WHERE record_table = 'petitions'));
CREATE OR REPLACE TABLE fact_changes.new_letters AS
SELECT * FROM main.letters WHERE letter_id IN (SELECT record_id FROM fact_changes.changed_ids WHERE record_table = 'letters');
CREATE OR REPLACE TABLE fact_changes.late_keys AS
SELECT DISTINCT code_2025, dossier_id FROM (
    SELECT code_2025, dossier_id FROM fact_changes.dossier_keys
    UNION ALL SELECT code_2025, dossier_id FROM fact_changes.letters WHERE kind = 'apology'
    UNION ALL SELECT code_2025, dossier_id FROM fact_changes.new_letters WHERE kind = 'apology')
WHERE dossier_id IS NOT NULL
