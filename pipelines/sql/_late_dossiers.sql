-- biet_xin_loi: the late dossiers of each period: completed late in it, or overdue at its as-of
-- date (rows of the including query's overdue_dossiers, the one overdue rule); a dossier that is
-- both counts once, as completed. named_in_time: an apology naming it was sent by the as-of date.
-- Apologies naming no dossier, sent by the commune in the period, cover its other late dossiers
-- one each, oldest due date first (so they add min(unnamed, late dossiers not named in time)).
SELECT d.date_from, d.as_of, f.*, COALESCE(f.named_apology_date <= d.as_of, FALSE) AS named_in_time
FROM late_dossiers f JOIN period_of_day d ON d.day = f.completed_date
WHERE f.timeliness = 'late'
  AND ($communes::VARCHAR[] IS NULL OR list_contains($communes::VARCHAR[], f.commune_code))
UNION ALL
SELECT o.* EXCLUDE (date_to), COALESCE(o.named_apology_date <= o.as_of, FALSE)
FROM overdue_dossiers o
WHERE NOT COALESCE(o.timeliness = 'late' AND o.completed_date BETWEEN o.date_from AND o.date_to, FALSE)
  AND ($communes::VARCHAR[] IS NULL OR list_contains($communes::VARCHAR[], o.commune_code))
