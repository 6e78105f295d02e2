-- The periods whose counts are stored at publish (period_counts), by kind: every calendar month,
-- quarter and year that meets the data's days ([first, latest] of latest_date.sql), as of its end or
-- the data's last day if earlier (the dashboard's default as-of date); and, when the data stop inside
-- a month, quarter or year, that period cut at the data's last day (what the dashboard asks for then:
-- dashboard.filters.calendar_period), as of that day, unless it is a whole month or quarter already.
-- Within a kind the periods' starts are distinct, as the counts query needs. None when the warehouse
-- holds no records.
WITH span AS ({{latest_date}}),
calendar_periods AS (
    SELECT k.kind, c.day AS date_from, (c.day + to_months(k.months))::DATE - 1 AS date_to, s.first, s.latest
    FROM calendar c CROSS JOIN span s
    CROSS JOIN (VALUES ('month', 1), ('quarter', 3), ('year', 12)) k(kind, months)
    WHERE dayofmonth(c.day) = 1 AND (month(c.day) - 1) % k.months = 0
      AND c.day <= s.latest AND (c.day + to_months(k.months))::DATE - 1 >= s.first
)
SELECT kind, date_from, date_to, LEAST(date_to, latest) AS as_of FROM calendar_periods
UNION ALL
SELECT DISTINCT 'to_date' AS kind, c.date_from, c.latest AS date_to, c.latest AS as_of
FROM calendar_periods c
ANTI JOIN calendar_periods whole ON whole.date_from = c.date_from AND whole.date_to = c.latest  -- a whole month or quarter
WHERE c.latest < c.date_to
