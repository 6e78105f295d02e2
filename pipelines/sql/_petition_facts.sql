-- One row per period x petition received in it. Closed at as_of: an outcome other than
-- pending and a resolved date on or before as_of; open and past due: due date < as_of.
SELECT p.date_from, e.*,
       COALESCE(e.outcome <> 'pending' AND e.resolved_date <= p.as_of, FALSE) AS closed,
       COALESCE((e.outcome <> 'pending' AND e.resolved_date <= p.as_of) IS NOT TRUE AND e.due_date < p.as_of, FALSE)
           AS overdue_open
FROM ({{_petitions_effective}}) e
JOIN p ON e.received_date BETWEEN p.date_from AND p.date_to
