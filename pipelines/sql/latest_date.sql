-- The latest event date in the warehouse (each fact's own dates: receipt, completion, closing,
-- sending, meeting, survey); NULL when it holds no records. The one definition every page and
-- the CLI use for "data up to".
SELECT MIN(day) AS first, MAX(day) AS latest FROM main.daily_counts
