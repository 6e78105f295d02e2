-- petition_facts of the changed petitions (fact_changes.petition_keys; the rule: _petition_facts.sql).
INSERT INTO petition_facts BY NAME
WITH petitions_in AS (
    SELECT p.* FROM petitions p SEMI JOIN fact_changes.petition_keys k
      ON (p.legacy_code, p.code_2025, p.petition_id) IS NOT DISTINCT FROM (k.legacy_code, k.code_2025, k.petition_id)
),
{{_petition_facts}}
