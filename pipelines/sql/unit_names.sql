-- Every commune code of both lists with its name, and the list it is in (to name the communes of
-- an ingest-log row in the list that row was read in).
SELECT 'legacy' AS unit_era, commune_code, commune_name FROM main.units_legacy
UNION ALL
SELECT '2025', commune_code, commune_name FROM main.units_2025
