-- The unit each row of an upload (_rows: commune_code, unit_era, rows) belongs to in the 2025 structure, by the
-- rule that places the records (_placement.sql): a 2025 row's own commune, a legacy row's commune's default
-- successor (_default_successor_join.sql). A legacy commune the registry gives no successor is a unit of its own
-- (code_2025 NULL, named by its legacy code and name), so a refusal can still name it.
SELECT p.code_2025, COALESCE(p.code_2025, p.commune_code) AS unit_code,
       COALESCE(n.commune_name, l.commune_name, p.commune_code) AS unit_name, sum(p.rows)::BIGINT AS rows
FROM (SELECT s.commune_code, s.unit_era, s.rows,
             CASE WHEN s.unit_era = '2025' THEN s.commune_code ELSE _successor.code_2025 END AS code_2025
      FROM _rows s
      {{ _default_successor_join }}) p
LEFT JOIN main.units_2025 n ON n.commune_code = p.code_2025
LEFT JOIN main.units_legacy l ON p.code_2025 IS NULL AND l.commune_code = p.commune_code
GROUP BY ALL
ORDER BY rows DESC, unit_code
