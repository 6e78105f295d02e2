-- late_dossiers, built whole (the rule: _late_dossiers_rows.sql).
INSERT INTO late_dossiers BY NAME
WITH dossier_facts_in AS NOT MATERIALIZED (SELECT * FROM dossier_facts),
letters_in AS NOT MATERIALIZED (SELECT * FROM letters),
{{_late_dossiers_rows}}
