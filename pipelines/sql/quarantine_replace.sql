-- The same file row quarantined again replaces its earlier entry (the frame quarantined: its new entries).
DELETE FROM main.quarantine q USING quarantined r
WHERE q.file_checksum = r.file_checksum AND q.sheet = r.sheet AND q.row_number = r.row_number
