-- daily_counts of the changed days (fact_changes.days; the rule: _daily_counts.sql). The facts read are those
-- of the changed commune pairs with a date between the pair's first and last changed day (every row a changed
-- day's counts need, and some more); the rows kept are the changed days'.
INSERT INTO daily_counts BY NAME
WITH pairs AS (SELECT legacy_code, code_2025, MIN(day) AS lo, MAX(day) AS hi FROM fact_changes.days GROUP BY ALL),
dossier_facts_in AS MATERIALIZED (
    SELECT f.* FROM dossier_facts f
    JOIN pairs p ON p.legacy_code IS NOT DISTINCT FROM f.legacy_code AND p.code_2025 IS NOT DISTINCT FROM f.code_2025
    WHERE GREATEST(f.received_date, f.closed_date, f.completed_date) >= p.lo
      AND LEAST(f.received_date, f.closed_date, f.completed_date) <= p.hi
),
late_dossiers_in AS MATERIALIZED (
    SELECT f.* FROM late_dossiers f
    JOIN pairs p ON p.legacy_code IS NOT DISTINCT FROM f.legacy_code AND p.code_2025 IS NOT DISTINCT FROM f.code_2025
    WHERE GREATEST(f.completed_date, f.overdue_from, f.overdue_until, f.named_apology_date) >= p.lo
      AND LEAST(f.completed_date, f.overdue_from, f.overdue_until, f.named_apology_date) <= p.hi
),
petition_facts_in AS MATERIALIZED (
    SELECT f.* FROM petition_facts f
    JOIN pairs p ON p.legacy_code IS NOT DISTINCT FROM f.legacy_code AND p.code_2025 IS NOT DISTINCT FROM f.code_2025
    WHERE GREATEST(f.received_date, f.closed_date, f.overdue_from, f.overdue_until) >= p.lo
      AND LEAST(f.received_date, f.closed_date, f.overdue_from, f.overdue_until) <= p.hi
),
letters_in AS MATERIALIZED (
    SELECT f.* FROM letters f
    JOIN pairs p ON p.legacy_code IS NOT DISTINCT FROM f.legacy_code AND p.code_2025 IS NOT DISTINCT FROM f.code_2025
    WHERE f.sent_date BETWEEN p.lo AND p.hi
),
dialogues_in AS MATERIALIZED (
    SELECT f.* FROM dialogues f
    JOIN pairs p ON p.legacy_code IS NOT DISTINCT FROM f.legacy_code AND p.code_2025 IS NOT DISTINCT FROM f.code_2025
    WHERE f.dialogue_date BETWEEN p.lo AND p.hi
),
surveys_in AS MATERIALIZED (
    SELECT f.* FROM surveys f
    JOIN pairs p ON p.legacy_code IS NOT DISTINCT FROM f.legacy_code AND p.code_2025 IS NOT DISTINCT FROM f.code_2025
    WHERE f.survey_date BETWEEN p.lo AND p.hi
),
{{_daily_counts}}
SELECT d.* FROM daily d
SEMI JOIN fact_changes.days k ON (d.legacy_code, d.code_2025, d.day) IS NOT DISTINCT FROM (k.legacy_code, k.code_2025, k.day)
ORDER BY day
