-- Items due soon as of $as_of, on the facts the overdue rule reads (dossier_facts,
-- petition_facts). An item is open at $as_of when received by it and not closed by it (the same
-- interval as the overdue rule), and not yet overdue when its due date is on or after $as_of.
-- Working days on calendar.working_day_index (a running count of working days, so a weekend or holiday
-- has the index of the working day before it):
--   processing_working_days = working days in (received, due] = index(due) - index(received)
--   working_days_left       = working days in (as_of, due]    = index(due) - index(as_of)
--   window_working_days     = the configured window of its kind ($dossier_window, $petition_window),
--                             else GREATEST($min_window, ceil(processing / $parts)) in whole numbers
-- It is due soon when working_days_left < window_working_days: the last W working days of its processing
-- time are the days with 0..W-1 working days left. Nearest due date first. A date outside the calendar
-- (2000-2050) has no index: such an item is far from due and is left out by the inner joins.
WITH items AS (
    SELECT 'dossier' AS kind, dossier_id AS record_id, commune_code, received_date, due_date, sector, procedure,
           NULL::VARCHAR AS petition_kind, NULL::VARCHAR AS field
    FROM dossier_facts
    WHERE received_date <= $as_of::DATE AND COALESCE(closed_date, DATE '9999-12-31') > $as_of::DATE
      AND due_date >= $as_of::DATE
    UNION ALL
    SELECT 'petition', petition_id, commune_code, received_date, due_date, NULL, NULL, kind, field
    FROM petition_facts
    WHERE received_date <= $as_of::DATE AND COALESCE(closed_date, DATE '9999-12-31') > $as_of::DATE
      AND due_date >= $as_of::DATE
),
counted AS (
    SELECT i.*, cd.working_day_index - cr.working_day_index AS processing_working_days,
           cd.working_day_index - ca.working_day_index AS working_days_left
    FROM items i
    JOIN calendar cd ON cd.day = i.due_date
    JOIN calendar cr ON cr.day = i.received_date
    JOIN calendar ca ON ca.day = $as_of::DATE
),
windowed AS (
    SELECT *, COALESCE(CASE kind WHEN 'dossier' THEN $dossier_window::INTEGER
                                 WHEN 'petition' THEN $petition_window::INTEGER END,
                       GREATEST($min_window::INTEGER,
                                (processing_working_days + $parts::INTEGER - 1) // $parts::INTEGER)) AS window_working_days
    FROM counted
)
SELECT w.kind, w.record_id, w.commune_code, a.commune_name, a.district_code, a.district_name, w.received_date,
       w.due_date, w.processing_working_days, w.window_working_days, w.working_days_left, w.sector, w.procedure,
       w.petition_kind, w.field
FROM windowed w
JOIN admin_units a USING (commune_code)
WHERE w.working_days_left < w.window_working_days
ORDER BY w.due_date, w.kind, w.commune_code, w.record_id
