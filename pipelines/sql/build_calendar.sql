-- Every day from $first to $last: whether it is a working day (Monday to Friday and not a public holiday
-- of the frame holidays: day, name, several names a day joined) and the running count of working days,
-- so working-day arithmetic is a join.
INSERT INTO main.calendar
SELECT d.day, w.is_working_day,
       SUM(w.is_working_day::INTEGER) OVER (ORDER BY d.day) AS working_day_index, h.name
FROM (SELECT CAST(range AS DATE) AS day FROM range($first::DATE, $last::DATE + 1, INTERVAL 1 DAY)) d
LEFT JOIN (SELECT day, string_agg(name, '; ') AS name FROM holidays GROUP BY day) h USING (day)
CROSS JOIN LATERAL (SELECT isodow(d.day) <= 5 AND h.name IS NULL AS is_working_day) w
ORDER BY d.day
