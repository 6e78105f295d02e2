-- Petitions received in the period by kind, field, outcome at the as-of date and timeliness (a
-- petition_timeliness code), for the Đơn thư page: the same facts and as-of rule as biet_lam,
-- khong_ne_tranh and the counts. A petition closed after the as-of date was still open then.
WITH p AS ({{_periods}}),
period_of_day AS ({{_period_of_day}})
SELECT f.kind, f.field,
       CASE WHEN f.closed THEN f.outcome ELSE 'pending' END AS outcome,
       CASE WHEN f.closed AND f.resolved_date <= f.due_date THEN 'closed_on_time'
            WHEN f.closed THEN 'closed_late'
            WHEN f.overdue_open THEN 'open_overdue'
            ELSE 'open_in_time' END AS timeliness,
       count(*) AS n, count(*) FILTER (WHERE f.escalated) AS escalated
FROM ({{_petitions_received}}) f
GROUP BY ALL
ORDER BY ALL
