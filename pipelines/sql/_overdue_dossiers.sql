-- The one overdue rule for dossiers: at an as-of date d, a dossier is overdue when it was received
-- by d, was not closed by d (closed after d, or still pending) and its due date lies before d.
-- One row per row of p (date_from, as_of) and dossier overdue at its as_of.
SELECT p.date_from, p.as_of, f.*
FROM late_dossiers f
JOIN p ON f.received_date <= p.as_of AND f.due_date < p.as_of AND (f.closed_date IS NULL OR f.closed_date > p.as_of)
