-- The one overdue rule for petitions: at an as-of date d, a petition is overdue when it was received
-- by d, was not closed by d and its effective due date lies before d.
-- One row per row of p (date_from, as_of) and petition overdue at its as_of.
SELECT p.date_from, p.as_of, f.*
FROM petition_facts f
JOIN p ON f.received_date <= p.as_of AND f.due_date < p.as_of AND (f.closed_date IS NULL OR f.closed_date > p.as_of)
