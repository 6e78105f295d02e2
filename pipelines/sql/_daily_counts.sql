-- daily_counts' rows, from the including statement's dossier_facts_in, late_dossiers_in, petition_facts_in,
-- letters_in, dialogues_in and surveys_in (all, or what a publish changed): every count an indicator
-- sums over a period, per commune (both structures) and day, each on the day of its own event: receipt, completion, closing, sending, meeting, survey.
-- A period's count is the sum of its days; a stock at d (pending, overdue) is the running sum of
-- its entries minus its exits up to d: pending = received - closed, overdue = overdue_from -
-- overdue_until entries of late_dossiers and petition_facts (the one overdue rule, stated there).
-- Each event is counted in its own narrow grouping and the groupings are joined on the commune pair
-- and day they share. (Grouping the union of all of them, ~45 mostly empty columns per row, cost 1.7x
-- this at 5 M dossiers and 3.4x at 60 M: its hash table held every column for every key.)
dossiers_received AS (
    SELECT legacy_code, code_2025, received_date AS day, COUNT(*) AS dossiers_received,
           COUNT(*) FILTER (channel = 'online') AS dossiers_online,
           COUNT(*) FILTER (status = 'returned') AS dossiers_returned,
           COUNT(*) FILTER (status = 'withdrawn') AS dossiers_withdrawn
    FROM dossier_facts_in GROUP BY ALL
),
dossiers_closed AS (
    SELECT legacy_code, code_2025, closed_date AS day, COUNT(*) AS dossiers_closed
    FROM dossier_facts_in WHERE closed_date IS NOT NULL GROUP BY ALL
),
dossiers_completed AS (
    SELECT legacy_code, code_2025, completed_date AS day, COUNT(*) AS dossiers_completed,
           COUNT(*) FILTER (timeliness = 'early') AS dossiers_early,
           COUNT(*) FILTER (timeliness = 'on_time') AS dossiers_on_time,
           COUNT(*) FILTER (timeliness = 'late') AS dossiers_late,
           COUNT(timeliness) AS dossiers_timed,
           COUNT(*) FILTER (supplement_requests <= $max_supplement_requests::INTEGER) AS supplements_within_rule,
           COUNT(supplement_requests) AS supplements_known
    FROM dossier_facts_in WHERE status = 'completed' AND completed_date IS NOT NULL GROUP BY ALL
),
-- late completions named by then (the rest: late_dossiers.apology_after_completion)
late_named AS (
    SELECT legacy_code, code_2025, completed_date AS day,
           COUNT(*) FILTER (named_apology_date <= completed_date) AS late_named_by_completion
    FROM late_dossiers_in WHERE timeliness = 'late' AND completed_date IS NOT NULL GROUP BY ALL
),
dossiers_overdue_entries AS (
    SELECT legacy_code, code_2025, overdue_from AS day, COUNT(*) AS dossiers_overdue_entries,
           COUNT(*) FILTER (named_apology_date <= overdue_from) AS overdue_named_entries
    FROM late_dossiers_in WHERE overdue_from IS NOT NULL GROUP BY ALL
),
-- an apology sent while the dossier is overdue names it from that day on (added to overdue_named_entries)
named_while_overdue AS (
    SELECT legacy_code, code_2025, named_apology_date AS day, COUNT(*) AS overdue_named_later
    FROM late_dossiers_in
    WHERE named_apology_date > overdue_from AND named_apology_date < COALESCE(overdue_until, DATE '9999-12-31')
    GROUP BY ALL
),
dossiers_overdue_exits AS (
    SELECT legacy_code, code_2025, overdue_until AS day, COUNT(*) AS dossiers_overdue_exits,
           COUNT(*) FILTER (named_apology_date < overdue_until) AS overdue_named_exits
    FROM late_dossiers_in WHERE overdue_from IS NOT NULL AND overdue_until IS NOT NULL GROUP BY ALL
),
petitions_overdue_entries AS (
    SELECT legacy_code, code_2025, overdue_from AS day, COUNT(*) AS petitions_overdue_entries
    FROM petition_facts_in WHERE overdue_from IS NOT NULL GROUP BY ALL
),
petitions_overdue_exits AS (
    SELECT legacy_code, code_2025, overdue_until AS day, COUNT(*) AS petitions_overdue_exits
    FROM petition_facts_in WHERE overdue_from IS NOT NULL AND overdue_until IS NOT NULL GROUP BY ALL
),
letters_sent AS (
    SELECT legacy_code, code_2025, sent_date AS day,
           COUNT(*) FILTER (kind = 'apology') AS letters_apology,
           COUNT(*) FILTER (kind = 'thanks') AS letters_thanks,
           COUNT(*) FILTER (kind = 'congratulation') AS letters_congratulation,
           COUNT(*) FILTER (kind = 'condolence') AS letters_condolence,
           COUNT(*) FILTER (kind = 'apology' AND NULLIF(TRIM(dossier_id), '') IS NULL) AS apologies_unnamed
    FROM letters_in GROUP BY ALL
),
petitions_received AS (
    SELECT legacy_code, code_2025, received_date AS day, COUNT(*) AS petitions_received
    FROM petition_facts_in GROUP BY ALL
),
petitions_closed AS (
    SELECT legacy_code, code_2025, closed_date AS day, COUNT(*) AS petitions_closed
    FROM petition_facts_in WHERE closed_date IS NOT NULL GROUP BY ALL
),
dialogues_held AS (
    SELECT legacy_code, code_2025, dialogue_date AS day, COUNT(*) AS dialogues,
           SUM(attendees) AS dialogue_attendees,
           SUM(opinions_raised) FILTER (opinions_raised IS NOT NULL AND opinions_answered IS NOT NULL)
               AS opinions_raised,
           SUM(LEAST(opinions_answered, opinions_raised))
               FILTER (opinions_raised IS NOT NULL AND opinions_answered IS NOT NULL) AS opinions_answered
    FROM dialogues_in GROUP BY ALL
),
surveys_taken AS (
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
    FROM surveys_in GROUP BY ALL
),
days AS (  -- every commune pair and day with a count
    SELECT *, (legacy_code, code_2025, day) AS key FROM (
    SELECT legacy_code, code_2025, day FROM dossiers_received
    UNION SELECT legacy_code, code_2025, day FROM dossiers_closed
    UNION SELECT legacy_code, code_2025, day FROM dossiers_completed
    UNION SELECT legacy_code, code_2025, day FROM late_named
    UNION SELECT legacy_code, code_2025, day FROM dossiers_overdue_entries
    UNION SELECT legacy_code, code_2025, day FROM named_while_overdue
    UNION SELECT legacy_code, code_2025, day FROM dossiers_overdue_exits
    UNION SELECT legacy_code, code_2025, day FROM petitions_overdue_entries
    UNION SELECT legacy_code, code_2025, day FROM petitions_overdue_exits
    UNION SELECT legacy_code, code_2025, day FROM letters_sent
    UNION SELECT legacy_code, code_2025, day FROM petitions_received
    UNION SELECT legacy_code, code_2025, day FROM petitions_closed
    UNION SELECT legacy_code, code_2025, day FROM dialogues_held
    UNION SELECT legacy_code, code_2025, day FROM surveys_taken)
),
counts AS (  -- (legacy_code is NULL for a record of a new commune that no legacy commune is known for)
    SELECT d.legacy_code, d.code_2025, d.day,
           COALESCE(COLUMNS(dossiers_received.* EXCLUDE (legacy_code, code_2025, day)), 0),
           COALESCE(COLUMNS(dossiers_closed.* EXCLUDE (legacy_code, code_2025, day)), 0),
           COALESCE(COLUMNS(dossiers_completed.* EXCLUDE (legacy_code, code_2025, day)), 0),
           COALESCE(COLUMNS(late_named.* EXCLUDE (legacy_code, code_2025, day)), 0),
           COALESCE(COLUMNS(dossiers_overdue_entries.* EXCLUDE (legacy_code, code_2025, day)), 0),
           COALESCE(COLUMNS(named_while_overdue.* EXCLUDE (legacy_code, code_2025, day)), 0),
           COALESCE(COLUMNS(dossiers_overdue_exits.* EXCLUDE (legacy_code, code_2025, day)), 0),
           COALESCE(COLUMNS(petitions_overdue_entries.* EXCLUDE (legacy_code, code_2025, day)), 0),
           COALESCE(COLUMNS(petitions_overdue_exits.* EXCLUDE (legacy_code, code_2025, day)), 0),
           COALESCE(COLUMNS(letters_sent.* EXCLUDE (legacy_code, code_2025, day)), 0),
           COALESCE(COLUMNS(petitions_received.* EXCLUDE (legacy_code, code_2025, day)), 0),
           COALESCE(COLUMNS(petitions_closed.* EXCLUDE (legacy_code, code_2025, day)), 0),
           COALESCE(COLUMNS(dialogues_held.* EXCLUDE (legacy_code, code_2025, day)), 0),
           COALESCE(COLUMNS(surveys_taken.* EXCLUDE (legacy_code, code_2025, day)), 0)
    FROM days d
    LEFT JOIN dossiers_received ON (dossiers_received.legacy_code, dossiers_received.code_2025, dossiers_received.day) IS NOT DISTINCT FROM d.key
    LEFT JOIN dossiers_closed ON (dossiers_closed.legacy_code, dossiers_closed.code_2025, dossiers_closed.day) IS NOT DISTINCT FROM d.key
    LEFT JOIN dossiers_completed ON (dossiers_completed.legacy_code, dossiers_completed.code_2025, dossiers_completed.day) IS NOT DISTINCT FROM d.key
    LEFT JOIN late_named ON (late_named.legacy_code, late_named.code_2025, late_named.day) IS NOT DISTINCT FROM d.key
    LEFT JOIN dossiers_overdue_entries ON (dossiers_overdue_entries.legacy_code, dossiers_overdue_entries.code_2025, dossiers_overdue_entries.day) IS NOT DISTINCT FROM d.key
    LEFT JOIN named_while_overdue ON (named_while_overdue.legacy_code, named_while_overdue.code_2025, named_while_overdue.day) IS NOT DISTINCT FROM d.key
    LEFT JOIN dossiers_overdue_exits ON (dossiers_overdue_exits.legacy_code, dossiers_overdue_exits.code_2025, dossiers_overdue_exits.day) IS NOT DISTINCT FROM d.key
    LEFT JOIN petitions_overdue_entries ON (petitions_overdue_entries.legacy_code, petitions_overdue_entries.code_2025, petitions_overdue_entries.day) IS NOT DISTINCT FROM d.key
    LEFT JOIN petitions_overdue_exits ON (petitions_overdue_exits.legacy_code, petitions_overdue_exits.code_2025, petitions_overdue_exits.day) IS NOT DISTINCT FROM d.key
    LEFT JOIN letters_sent ON (letters_sent.legacy_code, letters_sent.code_2025, letters_sent.day) IS NOT DISTINCT FROM d.key
    LEFT JOIN petitions_received ON (petitions_received.legacy_code, petitions_received.code_2025, petitions_received.day) IS NOT DISTINCT FROM d.key
    LEFT JOIN petitions_closed ON (petitions_closed.legacy_code, petitions_closed.code_2025, petitions_closed.day) IS NOT DISTINCT FROM d.key
    LEFT JOIN dialogues_held ON (dialogues_held.legacy_code, dialogues_held.code_2025, dialogues_held.day) IS NOT DISTINCT FROM d.key
    LEFT JOIN surveys_taken ON (surveys_taken.legacy_code, surveys_taken.code_2025, surveys_taken.day) IS NOT DISTINCT FROM d.key
),
-- overdue dossiers named: those named when they fell due, and those named later while overdue
daily AS (
    SELECT * EXCLUDE (overdue_named_later) REPLACE (overdue_named_entries + overdue_named_later AS overdue_named_entries)
    FROM counts
)
