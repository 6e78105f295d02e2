-- Petitions received in each period, with where each stands at the period's as-of date: closed (by
-- then, on its closed_date) or open and past its effective due date.
SELECT p.date_from, p.as_of, f.*,
       COALESCE(f.closed_date <= p.as_of, FALSE) AS closed,
       COALESCE(f.closed_date <= p.as_of, FALSE) = FALSE AND f.due_date < p.as_of AS overdue_open
FROM petition_facts f ASOF JOIN p ON f.received_date >= p.date_from
WHERE f.received_date <= p.date_to
  AND ($communes::VARCHAR[] IS NULL OR list_contains($communes::VARCHAR[], f.commune_code))
