-- daily_counts: every count an indicator sums over a period, per commune (both structures) and
-- day, each on the day of its own event: receipt, completion, closing, sending, meeting, survey.
-- A period's count is the sum of its days; a stock at d (pending, overdue) is the running sum of
-- its entries minus its exits up to d: pending = received - closed, overdue = overdue_from -
-- overdue_until entries of late_dossiers and petition_facts (the one overdue rule, stated there).
INSERT INTO daily_counts BY NAME
WITH parts AS (
    SELECT legacy_code, code_2025, received_date AS day, COUNT(*) AS dossiers_received,
           COUNT(*) FILTER (channel = 'online') AS dossiers_online,
           COUNT(*) FILTER (status = 'returned') AS dossiers_returned,
           COUNT(*) FILTER (status = 'withdrawn') AS dossiers_withdrawn
    FROM dossier_facts GROUP BY ALL
    UNION ALL BY NAME
    SELECT legacy_code, code_2025, closed_date AS day, COUNT(*) AS dossiers_closed
    FROM dossier_facts WHERE closed_date IS NOT NULL GROUP BY ALL
    UNION ALL BY NAME
    SELECT legacy_code, code_2025, completed_date AS day, COUNT(*) AS dossiers_completed,
           COUNT(*) FILTER (timeliness = 'early') AS dossiers_early,
           COUNT(*) FILTER (timeliness = 'on_time') AS dossiers_on_time,
           COUNT(*) FILTER (timeliness = 'late') AS dossiers_late,
           COUNT(timeliness) AS dossiers_timed,
           COUNT(*) FILTER (supplement_requests <= $max_supplement_requests::INTEGER) AS supplements_within_rule,
           COUNT(supplement_requests) AS supplements_known
    FROM dossier_facts WHERE status = 'completed' AND completed_date IS NOT NULL GROUP BY ALL
    UNION ALL BY NAME  -- late completions named by then (the rest: late_dossiers.apology_after_completion)
    SELECT legacy_code, code_2025, completed_date AS day,
           COUNT(*) FILTER (named_apology_date <= completed_date) AS late_named_by_completion
    FROM late_dossiers WHERE timeliness = 'late' AND completed_date IS NOT NULL GROUP BY ALL
    UNION ALL BY NAME
    SELECT legacy_code, code_2025, overdue_from AS day, COUNT(*) AS dossiers_overdue_entries,
           COUNT(*) FILTER (named_apology_date <= overdue_from) AS overdue_named_entries
    FROM late_dossiers WHERE overdue_from IS NOT NULL GROUP BY ALL
    UNION ALL BY NAME  -- an apology sent while the dossier is overdue names it from that day on
    SELECT legacy_code, code_2025, named_apology_date AS day, COUNT(*) AS overdue_named_entries
    FROM late_dossiers
    WHERE named_apology_date > overdue_from AND named_apology_date < COALESCE(overdue_until, DATE '9999-12-31')
    GROUP BY ALL
    UNION ALL BY NAME
    SELECT legacy_code, code_2025, overdue_until AS day, COUNT(*) AS dossiers_overdue_exits,
           COUNT(*) FILTER (named_apology_date < overdue_until) AS overdue_named_exits
    FROM late_dossiers WHERE overdue_from IS NOT NULL AND overdue_until IS NOT NULL GROUP BY ALL
    UNION ALL BY NAME
    SELECT legacy_code, code_2025, overdue_from AS day, COUNT(*) AS petitions_overdue_entries
    FROM petition_facts WHERE overdue_from IS NOT NULL GROUP BY ALL
    UNION ALL BY NAME
    SELECT legacy_code, code_2025, overdue_until AS day, COUNT(*) AS petitions_overdue_exits
    FROM petition_facts WHERE overdue_from IS NOT NULL AND overdue_until IS NOT NULL GROUP BY ALL
    UNION ALL BY NAME
    SELECT legacy_code, code_2025, sent_date AS day,
           COUNT(*) FILTER (kind = 'apology') AS letters_apology,
           COUNT(*) FILTER (kind = 'thanks') AS letters_thanks,
           COUNT(*) FILTER (kind = 'congratulation') AS letters_congratulation,
           COUNT(*) FILTER (kind = 'condolence') AS letters_condolence,
           COUNT(*) FILTER (kind = 'apology' AND NULLIF(TRIM(dossier_id), '') IS NULL) AS apologies_unnamed
    FROM letters GROUP BY ALL
    UNION ALL BY NAME
    SELECT legacy_code, code_2025, received_date AS day, COUNT(*) AS petitions_received
    FROM petition_facts GROUP BY ALL
    UNION ALL BY NAME
    SELECT legacy_code, code_2025, closed_date AS day, COUNT(*) AS petitions_closed
    FROM petition_facts WHERE closed_date IS NOT NULL GROUP BY ALL
    UNION ALL BY NAME
    SELECT legacy_code, code_2025, dialogue_date AS day, COUNT(*) AS dialogues,
           SUM(attendees) AS dialogue_attendees,
           SUM(opinions_raised) FILTER (opinions_raised IS NOT NULL AND opinions_answered IS NOT NULL)
               AS opinions_raised,
           SUM(LEAST(opinions_answered, opinions_raised))
               FILTER (opinions_raised IS NOT NULL AND opinions_answered IS NOT NULL) AS opinions_answered
    FROM dialogues GROUP BY ALL
    UNION ALL BY NAME
    SELECT legacy_code, code_2025, survey_date AS day, COUNT(*) AS survey_responses,
           COUNT(*) FILTER (harassment) AS harassment_reports,
           COUNT(*) FILTER (overall >= $satisfied_rating::INTEGER) AS overall_satisfied, COUNT(overall) AS overall_rated,
           COUNT(*) FILTER (respect >= $satisfied_rating::INTEGER) AS respect_satisfied, COUNT(respect) AS respect_rated,
           COUNT(*) FILTER (civility >= $satisfied_rating::INTEGER) AS civility_satisfied,
           COUNT(civility) AS civility_rated,
           COUNT(*) FILTER (guidance >= $satisfied_rating::INTEGER) AS guidance_satisfied,
           COUNT(guidance) AS guidance_rated,
           COUNT(*) FILTER (explanation >= $satisfied_rating::INTEGER) AS explanation_satisfied,
           COUNT(explanation) AS explanation_rated
    FROM surveys GROUP BY ALL
)
SELECT legacy_code, code_2025, day, COALESCE(SUM(COLUMNS(* EXCLUDE (legacy_code, code_2025, day))), 0)
FROM parts GROUP BY ALL
ORDER BY day  -- the engine reads days of a period's edges: stored in day order, other days' blocks are skipped
