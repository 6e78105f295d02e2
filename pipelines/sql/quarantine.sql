-- Quarantined rows, newest first, each with its commune named from the list it was read in.
SELECT q.file_name, q.sheet, q.row_number, q.kind,
       COALESCE(CASE q.unit_era WHEN 'legacy' THEN l.commune_name ELSE n.commune_name END, q.commune_code) AS commune,
       q.record_id, q.message_vi, q.quarantined_at::DATE AS quarantined_on
FROM main.quarantine q
LEFT JOIN main.units_legacy l ON q.unit_era = 'legacy' AND l.commune_code = q.commune_code
LEFT JOIN main.units_2025 n ON q.unit_era = '2025' AND n.commune_code = q.commune_code
ORDER BY q.quarantined_at DESC, q.file_name, q.row_number LIMIT 5000
