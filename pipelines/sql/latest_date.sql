-- The first and last day on which something happened in the warehouse (a dossier received, closed
-- or completed, a letter sent, a petition received or closed, a meeting, a survey), NULL when it
-- holds no records: the one definition of "data up to" for every page and the CLI. Days a stock
-- merely changes (a dossier falling overdue) are not events.
SELECT MIN(day) AS first, MAX(day) AS latest
FROM main.daily_counts
WHERE dossiers_received + dossiers_closed + dossiers_completed + letters_apology + letters_thanks
      + letters_congratulation + letters_condolence + petitions_received + petitions_closed + dialogues
      + survey_responses > 0
