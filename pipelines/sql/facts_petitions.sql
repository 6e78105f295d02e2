-- petition_facts, built whole (the rule: _petition_facts.sql).
INSERT INTO petition_facts BY NAME
WITH petitions_in AS NOT MATERIALIZED (SELECT * FROM petitions),
{{_petition_facts}}
