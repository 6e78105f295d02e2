-- The legacy communes merged (wholly or in part) into the 2025 commune $commune. A split legacy
-- commune counts in part: is_default false means its records roll up to another successor.
SELECT l.commune_code, l.commune_name, l.district_name, s.is_default,
       (SELECT count(*) FROM main.unit_successors o WHERE o.legacy_code = s.legacy_code) > 1 AS split
FROM main.unit_successors s JOIN main.units_legacy l ON l.commune_code = s.legacy_code
WHERE s.code_2025 = $commune ORDER BY l.district_code, l.commune_code
