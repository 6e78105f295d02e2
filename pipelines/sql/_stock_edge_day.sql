-- The days of the months an as-of date cuts (it falls before their last day), up to the last as-of
-- date, each with the first as-of date on or after it: the part of the running counts that
-- _stock_month's whole months leave to daily_counts.
SELECT c.day, a.as_of
FROM calendar c
JOIN (SELECT DISTINCT date_trunc('month', as_of)::DATE AS month FROM p WHERE as_of < last_day(as_of)) e
  ON c.day BETWEEN e.month AND last_day(e.month)
ASOF JOIN (SELECT DISTINCT as_of FROM p) a ON c.day <= a.as_of
