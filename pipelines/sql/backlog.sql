-- Overdue items as of $as_of, by the one overdue rule of each kind (_overdue_dossiers,
-- _overdue_petitions). days_overdue = working days in (due, as_of], i.e. the difference of their
-- working-day indexes, at least 1 (an item that fell overdue over a weekend or holiday is one day
-- overdue). Oldest due date first.
WITH p AS (SELECT NULL::DATE AS date_from, NULL::DATE AS date_to, $as_of::DATE AS as_of),
items AS (
    SELECT 'dossier' AS kind, dossier_id AS record_id, commune_code, received_date, due_date,
           due_working_day_index, sector, procedure, NULL::VARCHAR AS petition_kind, NULL::VARCHAR AS field
    FROM ({{_overdue_dossiers}})
    UNION ALL
    SELECT 'petition', petition_id, commune_code, received_date, due_date, due_working_day_index,
           NULL, NULL, kind, field
    FROM ({{_overdue_petitions}})
)
SELECT i.kind, i.record_id, i.commune_code, a.commune_name, a.district_code, a.district_name,
       i.received_date, i.due_date, GREATEST(1, ca.working_day_index - i.due_working_day_index) AS days_overdue,
       i.sector, i.procedure, i.petition_kind, i.field
FROM items i
JOIN admin_units a USING (commune_code)
LEFT JOIN calendar ca ON ca.day = $as_of::DATE
ORDER BY i.due_date, i.kind, i.commune_code, i.record_id
