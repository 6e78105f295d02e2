-- The daily_counts rows of the changed days (fact_changes.days) go: facts_daily_counts_changed.sql builds them again.
DELETE FROM main.daily_counts d USING (SELECT DISTINCT * FROM fact_changes.days) k
WHERE (d.legacy_code, d.code_2025, d.day) IS NOT DISTINCT FROM (k.legacy_code, k.code_2025, k.day)
