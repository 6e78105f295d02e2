-- dossier_facts of the changed dossiers (fact_changes.dossier_keys; the rule: _dossier_facts.sql).
INSERT INTO dossier_facts BY NAME
WITH dossiers_in AS (
    SELECT d.* FROM dossiers d SEMI JOIN fact_changes.dossier_keys k
      ON (d.legacy_code, d.code_2025, d.dossier_id) IS NOT DISTINCT FROM (k.legacy_code, k.code_2025, k.dossier_id)
)
{{_dossier_facts}}
