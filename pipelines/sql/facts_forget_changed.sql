-- The per-record facts of the changed records go (pipelines.ingest.facts.update_facts builds them again):
-- dossier_facts and petition_facts of fact_changes' keys, late_dossiers of its late keys, daily_counts of its days.
DELETE FROM main.dossier_facts f USING fact_changes.dossier_keys k
WHERE (f.legacy_code, f.code_2025, f.dossier_id) IS NOT DISTINCT FROM (k.legacy_code, k.code_2025, k.dossier_id);
DELETE FROM main.petition_facts f USING fact_changes.petition_keys k
WHERE (f.legacy_code, f.code_2025, f.petition_id) IS NOT DISTINCT FROM (k.legacy_code, k.code_2025, k.petition_id);
DELETE FROM main.late_dossiers f USING fact_changes.late_keys k
WHERE (f.code_2025, f.dossier_id) IS NOT DISTINCT FROM (k.code_2025, k.dossier_id)
