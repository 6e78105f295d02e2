-- Every quarantined row with its reason, newest file first, as dvcq quarantine lists them (the Dữ liệu
-- page names the commune and shows the latest 5000: quarantine.sql).
SELECT file_name, sheet, row_number, kind, commune_code, unit_era, record_id, reason_code, message_vi, raw_values
FROM main.quarantine ORDER BY quarantined_at DESC, file_name, sheet, row_number
