-- daily_counts, built whole (the rule: _daily_counts.sql).
INSERT INTO daily_counts BY NAME
WITH dossier_facts_in AS NOT MATERIALIZED (SELECT * FROM dossier_facts),
late_dossiers_in AS NOT MATERIALIZED (SELECT * FROM late_dossiers),
petition_facts_in AS NOT MATERIALIZED (SELECT * FROM petition_facts),
letters_in AS NOT MATERIALIZED (SELECT * FROM letters),
dialogues_in AS NOT MATERIALIZED (SELECT * FROM dialogues),
surveys_in AS NOT MATERIALIZED (SELECT * FROM surveys),
{{_daily_counts}}
SELECT * FROM daily
ORDER BY day  -- the engine reads days of a period's edges: stored in day order, other days' blocks are skipped
