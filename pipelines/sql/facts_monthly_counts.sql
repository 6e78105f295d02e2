-- monthly_counts: daily_counts summed per commune (both structures) and calendar month. Only a sum
-- of the daily rollup, so it states no rule of its own: the engine reads a period's whole months
-- here and its edge days there (commune_counts), and gets the same numbers from ~30x fewer rows.
INSERT INTO monthly_counts BY NAME
SELECT legacy_code, code_2025, date_trunc('month', day)::DATE AS month,
       SUM(COLUMNS(* EXCLUDE (legacy_code, code_2025, day)))
FROM daily_counts GROUP BY ALL
ORDER BY month, code_2025, legacy_code
