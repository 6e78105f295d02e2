-- period_counts: the quota-free counts of commune_counts (_period_counts.sql, the same SQL the engine
-- runs for any other period) of every stored period (_stored_periods.sql), for every commune of the
-- structure the cursor is in (its search_path), with its names and nulls; one kind of period at a
-- time (the counts query keys a period by its start). The engine reads these rows instead of
-- computing them when every period it is asked for is one of them (stored_commune_counts.sql).
INSERT INTO main.period_counts BY NAME
WITH p AS (SELECT date_from, date_to, as_of FROM ({{_stored_periods}}) WHERE kind = $kind)
SELECT $era AS era, * FROM ({{_period_counts}})
ORDER BY date_from, date_to, commune_code
