-- The quarantined rows stored, stamped now.
INSERT INTO main.quarantine BY NAME SELECT *, now()::TIMESTAMP AS quarantined_at FROM quarantined
