-- One row per period x dossier that matters to it: completed or received in the period, or
-- still pending at the as-of date (a dossier closed after as_of was pending at as_of).
-- Timeliness: the dates decide; the ingest's timeliness column only when a date is missing.
SELECT p.date_from, x.commune_code, x.dossier_id, x.sector, x.procedure, x.channel, x.status,
       x.received_date, x.due_date, x.completed_date, x.supplement_requests,
       CASE WHEN x.completed_date IS NULL OR x.due_date IS NULL THEN x.timeliness
            WHEN x.completed_date < x.due_date THEN 'early'
            WHEN x.completed_date = x.due_date THEN 'on_time'
            ELSE 'late' END AS timeliness,
       COALESCE(x.status = 'completed' AND x.completed_date BETWEEN p.date_from AND p.date_to, FALSE) AS completed_in,
       COALESCE(x.received_date BETWEEN p.date_from AND p.date_to, FALSE) AS received_in,
       COALESCE(x.received_date <= p.as_of AND (x.status = 'pending' OR x.completed_date > p.as_of), FALSE)
           AS pending_at,
       COALESCE(x.received_date <= p.as_of AND (x.status = 'pending' OR x.completed_date > p.as_of)
                AND x.due_date < p.as_of, FALSE) AS overdue_at
FROM dossiers x
JOIN p ON x.completed_date BETWEEN p.date_from AND p.date_to
       OR x.received_date BETWEEN p.date_from AND p.date_to
       OR (x.received_date <= p.as_of AND (x.status = 'pending' OR x.completed_date > p.as_of))
WHERE $communes::VARCHAR[] IS NULL OR list_contains($communes::VARCHAR[], x.commune_code)
