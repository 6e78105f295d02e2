-- A stored record t and an incoming row s with the same id are one record when they were sent by the same
-- unit, or across the reform by a legacy commune and one of its successors (either order). The stored
-- record's legacy commune is its own, or the one it was carried over from.
(
    (t.unit_era = s.unit_era AND t.commune_code = s.commune_code)
    OR (s.unit_era = '2025' AND EXISTS (SELECT 1 FROM main.unit_successors u WHERE u.code_2025 = s.commune_code
        AND u.legacy_code = CASE t.unit_era WHEN 'legacy' THEN t.commune_code ELSE t.predecessor_code END))
    OR (s.unit_era = 'legacy' AND t.unit_era = '2025' AND (t.predecessor_code = s.commune_code
        OR (t.predecessor_code IS NULL AND EXISTS (SELECT 1 FROM main.unit_successors u
            WHERE u.legacy_code = s.commune_code AND u.code_2025 = t.commune_code))))
)
