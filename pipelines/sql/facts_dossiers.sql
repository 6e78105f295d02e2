-- dossier_facts, built whole (the rule: _dossier_facts.sql).
INSERT INTO dossier_facts BY NAME
WITH dossiers_in AS NOT MATERIALIZED (SELECT * FROM dossiers)
{{_dossier_facts}}
