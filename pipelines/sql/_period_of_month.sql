-- Each whole calendar month inside a period, with its period (date_from, as_of): its counts are one
-- row per commune of monthly_counts; the period's other days (_period_edge_day) are read by day.
SELECT c.day AS month, p.date_from, p.as_of
FROM calendar c JOIN p ON c.day >= p.date_from AND last_day(c.day) <= p.date_to
WHERE dayofmonth(c.day) = 1
