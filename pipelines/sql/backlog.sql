-- Overdue items as of $as_of: dossiers pending at as_of (closed later counts as pending) with
-- due < as_of, and petitions not closed at as_of (pending outcome or no resolved date on or
-- before as_of) with effective due < as_of. days_overdue = working days in (due, as_of],
-- i.e. working_day_index(as_of) - working_day_index(due), at least 1 (an item that fell
-- overdue over a weekend or holiday is one day overdue). Oldest due date first.
WITH items AS (
    SELECT 'dossier' AS kind, x.dossier_id AS record_id, x.commune_code, x.received_date, x.due_date,
           x.sector, x.procedure, NULL::VARCHAR AS petition_kind, NULL::VARCHAR AS field
    FROM dossiers x
    WHERE x.received_date <= $as_of::DATE AND (x.status = 'pending' OR x.completed_date > $as_of::DATE)
      AND x.due_date < $as_of::DATE
    UNION ALL
    SELECT 'petition', e.petition_id, e.commune_code, e.received_date, e.due_date,
           NULL, NULL, e.kind, e.field
    FROM ({{_petitions_effective}}) e
    WHERE e.received_date <= $as_of::DATE
      AND (e.outcome <> 'pending' AND e.resolved_date <= $as_of::DATE) IS NOT TRUE
      AND e.due_date < $as_of::DATE
)
SELECT i.kind, i.record_id, i.commune_code, a.commune_name, a.district_code, a.district_name,
       i.received_date, i.due_date,
       GREATEST(1, ca.working_day_index - cd.working_day_index) AS days_overdue,
       i.sector, i.procedure, i.petition_kind, i.field
FROM items i
JOIN admin_units a USING (commune_code)
LEFT JOIN calendar ca ON ca.day = $as_of::DATE
LEFT JOIN calendar cd ON cd.day = i.due_date
ORDER BY i.due_date, i.kind, i.commune_code, i.record_id
