-- Petitions received in each period, with where each stands at the period's as-of date: closed (by
-- then, on its closed_date) or open and past its effective due date.
SELECT d.date_from, d.as_of, f.*,
       COALESCE(f.closed_date <= d.as_of, FALSE) AS closed,
       COALESCE(f.closed_date <= d.as_of, FALSE) = FALSE AND f.due_date < d.as_of AS overdue_open
FROM petition_facts f JOIN period_of_day d ON d.day = f.received_date
WHERE $communes::VARCHAR[] IS NULL OR list_contains($communes::VARCHAR[], f.commune_code)
