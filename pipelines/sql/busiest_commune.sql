-- The commune with the most dossiers and its area's first old district code (the sample accounts' units).
SELECT a.commune_code, string_split(a.district_code, '+')[1] AS area_code, a.commune_name
FROM dossiers d JOIN admin_units a USING (commune_code)
GROUP BY ALL ORDER BY count(*) DESC, a.commune_code LIMIT 1
