-- The days of each period outside its whole months (the partial months at its two ends), with
-- the period: read from daily_counts, beside _period_of_month's months from monthly_counts.
SELECT c.day, p.date_from, p.as_of
FROM calendar c JOIN p ON c.day BETWEEN p.date_from AND p.date_to
WHERE date_trunc('month', c.day) < p.date_from OR last_day(c.day) > p.date_to
