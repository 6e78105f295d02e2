-- One ingest_log row a table of a file (the frame logged), by name: an older warehouse gained the newer
-- columns at its end.
INSERT INTO main.ingest_log BY NAME SELECT * FROM logged
