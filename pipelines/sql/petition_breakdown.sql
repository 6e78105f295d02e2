-- Petitions received in the period by kind, field, outcome at the as-of date and timeliness,
-- for the Đơn thư page: the engine's effective due dates and closing rule (_petition_facts),
-- so the page agrees with biet_lam, khong_ne_tranh and the petition_overdue flag. A petition
-- closed after the as-of date was still open then.
WITH p AS ({{_periods}})
SELECT f.kind, COALESCE(f.field, 'Không ghi') AS field,
       CASE WHEN f.closed THEN f.outcome ELSE 'pending' END AS outcome,
       CASE WHEN f.closed AND f.resolved_date <= f.due_date THEN 'closed_on_time'
            WHEN f.closed THEN 'closed_late'
            WHEN f.overdue_open THEN 'open_overdue'
            ELSE 'open_in_time' END AS timeliness,
       count(*) AS n, count(*) FILTER (WHERE f.escalated) AS escalated
FROM ({{_petition_facts}}) f
GROUP BY ALL
ORDER BY ALL
