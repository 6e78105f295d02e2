-- The conflicting rows (upsert_conflicts.sql) leave the match: they are quarantined, not loaded.
DELETE FROM _match WHERE _srow IN (SELECT _row FROM conflicts)
