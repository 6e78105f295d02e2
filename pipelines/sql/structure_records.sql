-- The record table ${table} seen in the structure ${schema}: every record placed there (${place}), its
-- commune_code that commune, the commune that sent it kept as sent_commune_code.
CREATE OR REPLACE VIEW ${schema}.${table} AS
SELECT * REPLACE (${place} AS commune_code), commune_code AS sent_commune_code
FROM main.${table} WHERE ${place} IS NOT NULL
