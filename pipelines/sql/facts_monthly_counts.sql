-- monthly_counts: daily_counts summed per commune (both structures) and calendar month, every month
-- from the commune's first count to the last month of the data (zeros when nothing happened), with
-- each stock's level at the month's end: the running sum of its entries minus exits (the rules are
-- daily_counts'; nothing is stated here). The engine sums a period's whole months here and only its
-- edge days there, and takes a stock at an as-of date from its month's end level less the days of
-- the month after it (commune_counts): the same numbers from ~30x fewer rows, however long ago the
-- stock began.
INSERT INTO monthly_counts BY NAME
WITH sums AS (
    SELECT legacy_code, code_2025, date_trunc('month', day)::DATE AS month,
           SUM(COLUMNS(* EXCLUDE (legacy_code, code_2025, day)))
    FROM daily_counts GROUP BY ALL
),
months AS (  -- every month of each commune pair from its first to the data's last
    SELECT legacy_code, code_2025, UNNEST(generate_series(first, last, INTERVAL 1 MONTH))::DATE AS month
    FROM (SELECT legacy_code, code_2025, MIN(month) AS first, (SELECT MAX(month) FROM sums) AS last
          FROM sums GROUP BY legacy_code, code_2025)
),
dense AS (
    SELECT m.legacy_code, m.code_2025, m.month, COALESCE(COLUMNS(s.* EXCLUDE (legacy_code, code_2025, month)), 0)
    FROM months m
    LEFT JOIN sums s ON s.legacy_code IS NOT DISTINCT FROM m.legacy_code
                    AND s.code_2025 IS NOT DISTINCT FROM m.code_2025 AND s.month = m.month
)
SELECT *,
       SUM(dossiers_received - dossiers_closed) OVER running AS dossiers_pending_level,
       SUM(dossiers_overdue_entries - dossiers_overdue_exits) OVER running AS dossiers_overdue_level,
       SUM(overdue_named_entries - overdue_named_exits) OVER running AS overdue_named_level,
       SUM(petitions_overdue_entries - petitions_overdue_exits) OVER running AS petitions_overdue_level
FROM dense
WINDOW running AS (PARTITION BY legacy_code, code_2025 ORDER BY month ROWS UNBOUNDED PRECEDING)
ORDER BY month, code_2025, legacy_code
