-- How many days the calendar holds (none: a new warehouse, built once).
SELECT count(*) FROM main.calendar
