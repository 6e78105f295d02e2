-- Each calendar day of the periods with its period (date_from, as_of): events join it on their own
-- date, an equi-join, so one pass serves one period or the 36 months of a trend alike.
SELECT c.day, p.date_from, p.as_of
FROM calendar c JOIN p ON c.day BETWEEN p.date_from AND p.date_to
