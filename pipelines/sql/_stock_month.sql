-- Each calendar month up to the last as-of date whose every day counts toward the same as-of date
-- (the first on or after the month's start falls on or after its last day), with that date: a
-- running count up to an as-of date sums the months keyed to it and earlier from monthly_counts,
-- one row per commune each, and the days of the other months (_stock_edge_day) from daily_counts.
SELECT c.day AS month, a.as_of
FROM calendar c ASOF JOIN (SELECT DISTINCT as_of FROM p) a ON c.day <= a.as_of
WHERE dayofmonth(c.day) = 1 AND a.as_of >= last_day(c.day)
