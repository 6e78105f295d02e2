-- The monthly_counts rows facts_monthly_counts.sql builds again: each pair of fact_changes.monthly_redo from its
-- from_month on (every row of it when NULL).
DELETE FROM main.monthly_counts m USING fact_changes.monthly_redo r
WHERE r.legacy_code IS NOT DISTINCT FROM m.legacy_code AND r.code_2025 IS NOT DISTINCT FROM m.code_2025
  AND (r.from_month IS NULL OR m.month >= r.from_month)
