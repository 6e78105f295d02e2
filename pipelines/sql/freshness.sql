-- Per commune of the structure: the last day each record kind has an event (from the daily
-- rollup), and the latest of them; communes that never sent anything have NULLs.
WITH latest AS (
    SELECT commune_code,
           MAX(day) FILTER (dossiers_received + dossiers_completed + dossiers_closed > 0) AS dossier,
           MAX(day) FILTER (letters_apology + letters_thanks + letters_congratulation + letters_condolence > 0) AS letter,
           MAX(day) FILTER (petitions_received + petitions_closed > 0) AS petition,
           MAX(day) FILTER (dialogues > 0) AS dialogue,
           MAX(day) FILTER (survey_responses > 0) AS survey
    FROM daily_counts GROUP BY commune_code
)
SELECT u.commune_code, u.commune_name, u.district_code, u.district_name, l.dossier, l.letter, l.petition,
       l.dialogue, l.survey, GREATEST(l.dossier, l.letter, l.petition, l.dialogue, l.survey) AS latest
FROM admin_units u LEFT JOIN latest l USING (commune_code)
WHERE $communes::VARCHAR[] IS NULL OR list_contains($communes::VARCHAR[], u.commune_code)
ORDER BY latest NULLS FIRST, u.commune_code
