-- biet_xin_loi: the late dossiers of each period (completed late in it, or overdue at its as-of
-- date; a dossier that is both counts once) and whether an apology covers each. An apology naming
-- the dossier, sent by the as-of date, covers it; apologies naming none, sent in the period, cover
-- the commune's remaining late dossiers one each, oldest due date first.
WITH late AS (
    SELECT p.date_from, p.as_of, f.*
    FROM late_dossiers f ASOF JOIN p ON f.completed_date >= p.date_from
    WHERE f.timeliness = 'late' AND f.completed_date <= p.date_to
    UNION
    SELECT * FROM ({{_overdue_dossiers}})
),
named AS (
    SELECT *, COALESCE(named_apology_date <= as_of, FALSE) AS named_in_time
    FROM late
    WHERE $communes::VARCHAR[] IS NULL OR list_contains($communes::VARCHAR[], commune_code)
)
SELECT n.*,
       n.named_in_time OR ROW_NUMBER() OVER (PARTITION BY n.date_from, n.commune_code, n.named_in_time
                                             ORDER BY n.due_date, n.dossier_id) <= COALESCE(u.unnamed, 0) AS apologised
FROM named n
LEFT JOIN (SELECT date_from, commune_code, SUM(apologies_unnamed) AS unnamed FROM period_days GROUP BY ALL) u
       USING (date_from, commune_code)
