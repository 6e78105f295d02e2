-- The fact table ${table} seen in the structure ${schema}: its rows placed there (${place}) under that commune.
CREATE OR REPLACE VIEW ${schema}.${table} AS
SELECT ${place} AS commune_code, * EXCLUDE (legacy_code, code_2025)
FROM main.${table} WHERE ${place} IS NOT NULL
