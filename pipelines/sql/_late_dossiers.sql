-- biet_xin_loi: late dossiers of each period (completed late in it, or pending and overdue at
-- as_of) and whether an apology covers each. An apology naming the dossier (sent on or before
-- as_of) covers it; apologies naming none, sent in the period, cover the commune's remaining
-- late dossiers one each, oldest due date first.
WITH late_base AS (
    SELECT f.* FROM dossier_facts f WHERE (f.completed_in AND f.timeliness = 'late') OR f.overdue_at
),
named AS (  -- joined from the (few) late dossiers to the letters, not the other way round
    SELECT b.date_from, b.commune_code, b.dossier_id, MIN(l.sent_date) AS first_sent
    FROM late_base b
    JOIN p USING (date_from)
    JOIN letters l ON l.commune_code = b.commune_code AND l.dossier_id = b.dossier_id
    WHERE l.kind = 'apology' AND l.sent_date <= p.as_of
    GROUP BY ALL
),
unnamed AS (
    SELECT p.date_from, l.commune_code, COUNT(*) AS n
    FROM letters l JOIN p ON l.sent_date BETWEEN p.date_from AND p.date_to
    WHERE l.kind = 'apology' AND NULLIF(TRIM(l.dossier_id), '') IS NULL
    GROUP BY ALL
)
SELECT b.date_from, b.commune_code, b.dossier_id, b.status, b.received_date, b.due_date, b.completed_date,
       b.timeliness, b.overdue_at, named.first_sent AS named_apology_date,
       named.first_sent IS NOT NULL
           OR ROW_NUMBER() OVER (PARTITION BY b.date_from, b.commune_code, named.first_sent IS NULL
                                 ORDER BY b.due_date, b.dossier_id) <= COALESCE(unnamed.n, 0) AS apologised
FROM late_base b
LEFT JOIN named USING (date_from, commune_code, dossier_id)
LEFT JOIN unnamed USING (date_from, commune_code)
