-- The commune pairs whose monthly_counts an incremental publish builds again (facts_monthly_counts.sql), each
-- from the first month of its days that changed (fact_changes.days) and, when the data's last month moved,
-- every pair from the month after the earlier of the two ($moved_from: the months it adds or takes away,
-- and the levels carried into them). A pair whose first stored month is not before that month is built
-- whole (from_month NULL): its first month may have moved, or it has none yet.
CREATE OR REPLACE TABLE fact_changes.monthly_redo AS
WITH changed AS (
    SELECT legacy_code, code_2025, MIN(date_trunc('month', day))::DATE AS from_month
    FROM fact_changes.days GROUP BY ALL
    UNION ALL
    SELECT DISTINCT legacy_code, code_2025, $moved_from::DATE FROM main.monthly_counts WHERE $moved_from::DATE IS NOT NULL
),
stored AS (SELECT legacy_code, code_2025, MIN(month) AS first FROM main.monthly_counts GROUP BY ALL)
SELECT c.legacy_code, c.code_2025, CASE WHEN MIN(s.first) < MIN(c.from_month) THEN MIN(c.from_month) END AS from_month
FROM changed c
LEFT JOIN stored s ON s.legacy_code IS NOT DISTINCT FROM c.legacy_code AND s.code_2025 IS NOT DISTINCT FROM c.code_2025
GROUP BY c.legacy_code, c.code_2025
