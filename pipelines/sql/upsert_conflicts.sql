-- Staged rows whose id matches records of several units (not loaded: never guessed), each with its reason
-- code and message for the quarantine: the id column's label ($label), the id, the units and their
-- structures ($legacy_word, $word_2025).
SELECT m._srow::INTEGER AS _row,
       'ambiguous_identity' || chr(9) || $label || ' ''' || any_value(s.${key}) || '''' || $many_units
       || string_agg(m.t_code || CASE m.t_era WHEN 'legacy' THEN $legacy_word ELSE $word_2025 END, ', '
                     ORDER BY m.t_code)
       || $not_merged AS _conflict
FROM _match m JOIN staged s ON s.source_row = m._srow
GROUP BY m._srow HAVING count(*) > 1
