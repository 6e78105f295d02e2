-- Petitions overdue at each period's as-of date, by the one overdue rule (petition_facts:
-- overdue_from <= as_of < overdue_until). One row per row of p and petition overdue at its as_of.
SELECT p.date_from, p.date_to, p.as_of, f.*
FROM petition_facts f
JOIN p ON f.overdue_from <= p.as_of AND COALESCE(f.overdue_until, DATE '9999-12-31') > p.as_of
