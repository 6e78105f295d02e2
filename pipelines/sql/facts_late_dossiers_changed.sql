-- late_dossiers of the changed dossiers and of those a changed apology names (fact_changes.late_keys), from
-- their dossier_facts and the apologies naming them (the rule: _late_dossiers_rows.sql).
INSERT INTO late_dossiers BY NAME
WITH dossier_facts_in AS (
    SELECT f.* FROM dossier_facts f SEMI JOIN fact_changes.late_keys k
      ON (f.code_2025, f.dossier_id) IS NOT DISTINCT FROM (k.code_2025, k.dossier_id)
),
letters_in AS (
    SELECT l.* FROM letters l SEMI JOIN fact_changes.late_keys k
      ON (l.code_2025, l.dossier_id) IS NOT DISTINCT FROM (k.code_2025, k.dossier_id)
),
{{_late_dossiers_rows}}
