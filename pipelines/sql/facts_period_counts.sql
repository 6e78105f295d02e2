-- period_counts: the quota-free counts of commune_counts (_period_counts.sql, the same SQL the engine
-- runs for any other period) of the stored periods of one kind (schemas.periods.stored_periods: every
-- calendar month, quarter and year of the data and the period cut at its last day, each as of its
-- default day), bound as lists, for every commune of the structure the cursor is in (its search_path),
-- with its names and nulls; one kind at a time (the counts query keys a period by its start). The
-- engine reads these rows instead of computing them when every period it is asked for is one of them
-- (stored_commune_counts.sql).
INSERT INTO main.period_counts BY NAME
WITH p AS (SELECT UNNEST($date_from::DATE[]) AS date_from, UNNEST($date_to::DATE[]) AS date_to,
                  UNNEST($as_of::DATE[]) AS as_of)
SELECT $era AS era, * FROM ({{_period_counts}})
ORDER BY date_from, date_to, commune_code
