-- Each calendar day up to the last as-of date with the first as-of date on or after it: a running
-- count up to each as-of date is the cumulative sum of the days keyed to it and earlier.
SELECT c.day, MIN(a.as_of) AS as_of
FROM calendar c JOIN (SELECT DISTINCT as_of FROM p) a ON c.day <= a.as_of
GROUP BY c.day
