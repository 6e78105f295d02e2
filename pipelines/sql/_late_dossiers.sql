-- biet_xin_loi: late dossiers of each period (completed late in it, or pending and overdue at
-- as_of) and whether an apology covers each. An apology naming the dossier (sent on or before
-- as_of) covers it; apologies naming none, sent in the period, cover the commune's remaining
-- late dossiers one each, oldest due date first.
SELECT f.date_from, f.commune_code, f.dossier_id, f.status, f.received_date, f.due_date, f.completed_date,
       f.timeliness, f.overdue_at, named.first_sent AS named_apology_date,
       named.first_sent IS NOT NULL
           OR ROW_NUMBER() OVER (PARTITION BY f.date_from, f.commune_code, named.first_sent IS NULL
                                 ORDER BY f.due_date, f.dossier_id) <= COALESCE(unnamed.n, 0) AS apologised
FROM dossier_facts f
JOIN p USING (date_from)
LEFT JOIN (SELECT commune_code, dossier_id, MIN(sent_date) AS first_sent
           FROM letters
           WHERE kind = 'apology' AND NULLIF(TRIM(dossier_id), '') IS NOT NULL
           GROUP BY ALL) named
       ON named.commune_code = f.commune_code AND named.dossier_id = f.dossier_id AND named.first_sent <= p.as_of
LEFT JOIN (SELECT p.date_from, l.commune_code, COUNT(*) AS n
           FROM letters l JOIN p ON l.sent_date BETWEEN p.date_from AND p.date_to
           WHERE l.kind = 'apology' AND NULLIF(TRIM(l.dossier_id), '') IS NULL
           GROUP BY ALL) unnamed
       ON unnamed.date_from = f.date_from AND unnamed.commune_code = f.commune_code
WHERE (f.completed_in AND f.timeliness = 'late') OR f.overdue_at
