-- monthly_counts: daily_counts summed per commune (both structures) and calendar month, every month
-- from the commune's first count to the last month of the data ($last_month; zeros when nothing
-- happened), with each stock's level at the month's end: the running sum of its entries minus exits
-- (the rules are daily_counts'; nothing is stated here). The engine sums a period's whole months here
-- and only its edge days there, and takes a stock at an as-of date from its month's end level less the
-- days of the month after it (commune_counts): the same numbers from ~30x fewer rows, however long ago
-- the stock began.
-- Built for the commune pairs of fact_changes.monthly_redo, each from its from_month on: every pair
-- whole (from_month NULL) when the facts are built whole; at an incremental publish
-- (pipelines.ingest.facts.update_facts) the pairs whose days changed, from the first month that
-- changed, their levels carried on from their stored row of the month before (the months before it
-- are kept: nothing of them changed).
INSERT INTO monthly_counts BY NAME
WITH redo AS (SELECT * FROM fact_changes.monthly_redo),
sums AS (
    SELECT d.legacy_code, d.code_2025, date_trunc('month', d.day)::DATE AS month,
           SUM(COLUMNS(d.* EXCLUDE (legacy_code, code_2025, day)))
    FROM daily_counts d
    JOIN redo r ON r.legacy_code IS NOT DISTINCT FROM d.legacy_code AND r.code_2025 IS NOT DISTINCT FROM d.code_2025
    WHERE r.from_month IS NULL OR d.day >= r.from_month
    GROUP BY ALL
),
months AS (  -- every month of each pair from its first (or from_month) to the data's last
    SELECT legacy_code, code_2025, UNNEST(generate_series(first, $last_month::DATE, INTERVAL 1 MONTH))::DATE AS month
    FROM (SELECT r.legacy_code, r.code_2025, COALESCE(r.from_month, MIN(s.month)) AS first
          FROM redo r
          LEFT JOIN sums s ON s.legacy_code IS NOT DISTINCT FROM r.legacy_code
                          AND s.code_2025 IS NOT DISTINCT FROM r.code_2025
          GROUP BY r.legacy_code, r.code_2025, r.from_month)
    WHERE first IS NOT NULL
),
carried AS (  -- the levels at the end of the month before from_month (none when the pair is built whole)
    SELECT m.legacy_code, m.code_2025, m.dossiers_pending_level, m.dossiers_overdue_level, m.overdue_named_level,
           m.petitions_overdue_level
    FROM monthly_counts m
    JOIN redo r ON r.legacy_code IS NOT DISTINCT FROM m.legacy_code AND r.code_2025 IS NOT DISTINCT FROM m.code_2025
               AND m.month = (r.from_month - INTERVAL 1 MONTH)::DATE
),
dense AS (
    SELECT m.legacy_code, m.code_2025, m.month, COALESCE(COLUMNS(s.* EXCLUDE (legacy_code, code_2025, month)), 0)
    FROM months m
    LEFT JOIN sums s ON s.legacy_code IS NOT DISTINCT FROM m.legacy_code
                    AND s.code_2025 IS NOT DISTINCT FROM m.code_2025 AND s.month = m.month
)
SELECT d.*,
       COALESCE(c.dossiers_pending_level, 0)
           + SUM(d.dossiers_received - d.dossiers_closed) OVER running AS dossiers_pending_level,
       COALESCE(c.dossiers_overdue_level, 0)
           + SUM(d.dossiers_overdue_entries - d.dossiers_overdue_exits) OVER running AS dossiers_overdue_level,
       COALESCE(c.overdue_named_level, 0)
           + SUM(d.overdue_named_entries - d.overdue_named_exits) OVER running AS overdue_named_level,
       COALESCE(c.petitions_overdue_level, 0)
           + SUM(d.petitions_overdue_entries - d.petitions_overdue_exits) OVER running AS petitions_overdue_level
FROM dense d
LEFT JOIN carried c ON c.legacy_code IS NOT DISTINCT FROM d.legacy_code AND c.code_2025 IS NOT DISTINCT FROM d.code_2025
WINDOW running AS (PARTITION BY d.legacy_code, d.code_2025 ORDER BY d.month ROWS UNBOUNDED PRECEDING)
ORDER BY month, code_2025, legacy_code
