-- Records a newer export of their commune no longer lists (DL.3): still pending in the warehouse,
-- of the same commune (as sent: commune_code and unit_era) and kind as rows of the file, received
-- within the span of event dates the file covers for that commune, and whose id the file does not
-- contain (its quarantined rows included). _export_rows is the file's loaded rows (commune_code,
-- unit_era, first_day, last_day: the least and greatest event date of each row); _export_ids every
-- record id the file holds. One statement for both kinds with an open state; $kind picks one.
WITH span AS (
    SELECT commune_code, unit_era, min(first_day) AS first_day, max(last_day) AS last_day
    FROM _export_rows GROUP BY commune_code, unit_era
), open_records AS (
    SELECT 'dossier' AS kind, rowid AS record_row, commune_code, unit_era, dossier_id AS record_id, received_date
    FROM main.dossiers WHERE $kind = 'dossier' AND COALESCE(status, $open_value) = $open_value
    UNION ALL
    SELECT 'petition', rowid, commune_code, unit_era, petition_id, received_date
    FROM main.petitions WHERE $kind = 'petition' AND COALESCE(outcome, $open_value) = $open_value
)
SELECT r.record_row, r.commune_code, r.unit_era, r.record_id, r.received_date, s.last_day
FROM open_records r
JOIN span s ON s.commune_code = r.commune_code AND s.unit_era = r.unit_era
WHERE r.received_date BETWEEN s.first_day AND s.last_day
  AND r.record_id NOT IN (SELECT record_id FROM _export_ids WHERE record_id IS NOT NULL)
ORDER BY r.commune_code, r.received_date, r.record_id
