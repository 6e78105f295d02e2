-- Every commune pair of daily_counts built whole (facts_monthly_counts.sql), when the facts are built whole.
CREATE OR REPLACE TABLE fact_changes.monthly_redo AS
SELECT DISTINCT legacy_code, code_2025, NULL::DATE AS from_month FROM main.daily_counts
