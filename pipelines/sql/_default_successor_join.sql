-- The default successor of the legacy record s's commune, which _placement.sql reads.
LEFT JOIN (SELECT legacy_code, min(code_2025) AS code_2025 FROM main.unit_successors WHERE is_default
           GROUP BY legacy_code) _successor
  ON s.unit_era = 'legacy' AND _successor.legacy_code = s.commune_code
