-- The communes of the structure ${place} (legacy_code or code_2025) whose days changed, each with its first
-- changed day (fact_changes.days): their stored periods ending on or after it are counted again.
SELECT ${place} AS commune_code, MIN(day) AS first_day FROM fact_changes.days WHERE ${place} IS NOT NULL GROUP BY ALL
