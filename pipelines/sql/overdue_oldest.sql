-- Per commune with overdue items at $as_of (the one overdue rule of each kind): the earliest due
-- date among its overdue dossiers and among its overdue petitions, for the flags' reasons.
WITH p AS (SELECT NULL::DATE AS date_from, NULL::DATE AS date_to, $as_of::DATE AS as_of)
SELECT commune_code, MIN(due_date) FILTER (kind = 'dossier') AS oldest_dossier_due,
       MIN(due_date) FILTER (kind = 'petition') AS oldest_petition_due
FROM (SELECT 'dossier' AS kind, commune_code, due_date FROM ({{_overdue_dossiers}})
      UNION ALL
      SELECT 'petition', commune_code, due_date FROM ({{_overdue_petitions}}))
GROUP BY commune_code
