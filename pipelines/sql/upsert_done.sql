-- The upsert's temporary tables go.
DROP TABLE IF EXISTS _match;
DROP TABLE IF EXISTS _plan
