-- The counts of commune_counts.sql that do not depend on the configuration: per commune x period
-- (wide), every count the rates and supporting measures need, read from the facts built at publish
-- (pipelines.ingest.facts), in one pass over each and one aggregation:
-- * a period's sums: its whole months from monthly_counts, its edge days from daily_counts;
-- * the stocks at its as-of date (pending, overdue, overdue named by an apology, petitions overdue):
--   the level at the end of the as-of date's month (monthly_counts; its last month when the date is
--   past the data) less the entries minus exits of that month's days after the as-of date;
-- * biet_xin_loi's late dossiers completed in the period and named by an apology by the as-of date:
--   daily_counts.late_named_by_completion, corrected on the only rows where the as-of date decides
--   (late_dossiers completed after it, or named after their completion: see sql/_late_dossiers.sql);
-- * petitions received in the period where they stand at its as-of date (petition_facts).
-- Linear in the rollups' rows however many periods (a trend's 36 months) are asked for. Every
-- commune of admin_units appears, with its names and nulls (zeros in commune_counts) when it has no
-- records. Reads the including query's p (date_from, date_to, as_of; the periods' starts distinct:
-- they key the period) and the communes parameter. The yearly quotas (biet_nghe, biet_cam_on) are applied after
-- it, by _quotas.sql, so these rows can be stored at publish (facts_period_counts.sql) and a changed
-- quota needs no rebuild.
WITH units AS ({{_units}}),
months AS (  -- per period: its whole months (summed) and the month whose end level gives the stocks at
    -- its as-of date (the data's last month when that date is past it: nothing changes after)
    SELECT q.date_from, c.day AS month, c.day >= q.date_from AND last_day(c.day) <= q.date_to AS summed,
           c.day = q.level_month AS level
    FROM calendar c
    JOIN (SELECT date_from, date_to,
                 LEAST(date_trunc('month', as_of)::DATE, (SELECT MAX(month) FROM monthly_counts)) AS level_month
          FROM p) q ON c.day BETWEEN LEAST(q.date_from, q.level_month) AND q.date_to
    WHERE dayofmonth(c.day) = 1 AND ((c.day >= q.date_from AND last_day(c.day) <= q.date_to) OR c.day = q.level_month)
),
days AS (  -- per period: its days (in_period) and the days of its as-of date's month after it; of them
    -- the edge days are summed and those of the as-of date's month after it are taken off the level
    SELECT p.date_from, p.as_of, c.day, c.day <= p.date_to AS in_period,
           c.day <= p.date_to AND (date_trunc('month', c.day) < p.date_from OR last_day(c.day) > p.date_to) AS summed,
           c.day > p.as_of AND c.day <= last_day(p.as_of) AS after_as_of_in_month
    FROM calendar c JOIN p ON c.day BETWEEN p.date_from AND GREATEST(p.date_to, last_day(p.as_of))
),
parts AS (  -- the rollups' columns summed over a period, and the four stocks; not the entries and exits
    -- (nor dossiers and petitions closed), which no output needs: fewer columns to bind and optimise
    SELECT g.date_from, c.commune_code, g.summed,
           c.* EXCLUDE (commune_code, month, dossiers_pending_level, dossiers_overdue_level, overdue_named_level,
                        petitions_overdue_level, dossiers_closed, dossiers_overdue_entries, dossiers_overdue_exits,
                        overdue_named_entries, overdue_named_exits, petitions_closed, petitions_overdue_entries,
                        petitions_overdue_exits),
           CASE WHEN g.level THEN c.dossiers_pending_level ELSE 0 END AS pending,
           CASE WHEN g.level THEN c.dossiers_overdue_level ELSE 0 END AS overdue,
           CASE WHEN g.level THEN c.overdue_named_level ELSE 0 END AS overdue_named,
           CASE WHEN g.level THEN c.petitions_overdue_level ELSE 0 END AS petitions_overdue
    FROM monthly_counts c JOIN months g ON g.month = c.month
    WHERE $communes::VARCHAR[] IS NULL OR list_contains($communes::VARCHAR[], c.commune_code)
    UNION ALL BY NAME
    SELECT g.date_from, c.commune_code, g.summed,
           c.* EXCLUDE (commune_code, day, dossiers_closed, dossiers_overdue_entries, dossiers_overdue_exits,
                        overdue_named_entries, overdue_named_exits, petitions_closed, petitions_overdue_entries,
                        petitions_overdue_exits),
           CASE WHEN g.after_as_of_in_month THEN c.dossiers_closed - c.dossiers_received ELSE 0 END AS pending,
           CASE WHEN g.after_as_of_in_month THEN c.dossiers_overdue_exits - c.dossiers_overdue_entries ELSE 0 END AS overdue,
           CASE WHEN g.after_as_of_in_month THEN c.overdue_named_exits - c.overdue_named_entries ELSE 0 END AS overdue_named,
           CASE WHEN g.after_as_of_in_month THEN c.petitions_overdue_exits - c.petitions_overdue_entries ELSE 0 END
               AS petitions_overdue
    FROM daily_counts c JOIN days g ON g.day = c.day
    WHERE (g.summed OR g.after_as_of_in_month)
      AND ($communes::VARCHAR[] IS NULL OR list_contains($communes::VARCHAR[], c.commune_code))
),
sums AS (  -- (CASE, not FILTER: ~35 filtered sums cost more than reading the rollups)
    SELECT date_from, commune_code,
           SUM(CASE WHEN summed THEN COLUMNS(* EXCLUDE (date_from, commune_code, summed, pending, overdue,
                                                        overdue_named, petitions_overdue)) END),
           SUM(pending) AS dossiers_pending, SUM(overdue) AS dossiers_overdue,
           SUM(overdue_named) AS overdue_named, SUM(petitions_overdue) AS petitions_overdue
    FROM parts GROUP BY ALL
),
late_fix AS (  -- the late dossiers completed in a period for which the as-of date decides: completed
    -- after it (then also overdue at it), or first named by an apology after their completion
    SELECT date_from, commune_code,
           SUM(COALESCE(named_apology_date <= as_of, FALSE)::INTEGER
               - COALESCE(named_apology_date <= completed_date, FALSE)::INTEGER) AS named,
           COUNT(*) FILTER (completed_date > as_of AND overdue_from <= as_of) AS also_overdue,
           COUNT(*) FILTER (completed_date > as_of AND overdue_from <= as_of
                            AND named_apology_date <= as_of) AS also_overdue_named
    FROM (SELECT g.date_from, g.as_of, f.*
          FROM late_dossiers f JOIN days g ON g.day = f.completed_date
          WHERE g.day > g.as_of AND g.in_period AND f.timeliness = 'late'
          UNION ALL
          SELECT g.date_from, g.as_of, f.*
          FROM late_dossiers f JOIN days g ON g.day = f.completed_date
          WHERE f.apology_after_completion AND g.day <= g.as_of)
    WHERE $communes::VARCHAR[] IS NULL OR list_contains($communes::VARCHAR[], commune_code)
    GROUP BY ALL
),
petitions AS (
    SELECT date_from, commune_code,
           COUNT(*) FILTER (closed AND outcome IN ('resolved', 'transferred') AND resolved_date <= due_date)
               AS petitions_handled_on_time,
           COUNT(*) FILTER ((closed AND outcome IN ('resolved', 'transferred')) OR overdue_open) AS petitions_due,
           COUNT(*) FILTER (closed AND NOT escalated) AS petitions_closed_locally,
           COUNT(*) FILTER (closed OR overdue_open) AS petitions_closed_or_overdue,
           COUNT(*) FILTER (kind = 'complaint') AS petitions_complaint,
           COUNT(*) FILTER (kind = 'denunciation') AS petitions_denunciation,
           COUNT(*) FILTER (kind = 'petition') AS petitions_petition,
           COUNT(*) FILTER (closed AND outcome = 'resolved') AS petitions_resolved,
           COUNT(*) FILTER (closed AND outcome = 'transferred') AS petitions_transferred,
           COUNT(*) FILTER (closed AND outcome = 'withdrawn') AS petitions_withdrawn,
           COUNT(*) FILTER (closed AND outcome = 'filed') AS petitions_filed,
           COUNT(*) FILTER (NOT closed) AS petitions_pending,
           COUNT(*) FILTER (escalated) AS petitions_escalated
    FROM (SELECT g.date_from, g.as_of, f.*,
                 COALESCE(f.closed_date <= g.as_of, FALSE) AS closed,
                 COALESCE(f.closed_date <= g.as_of, FALSE) = FALSE AND f.due_date < g.as_of AS overdue_open
          FROM petition_facts f JOIN days g ON g.day = f.received_date
          WHERE g.in_period
            AND ($communes::VARCHAR[] IS NULL OR list_contains($communes::VARCHAR[], f.commune_code)))
    GROUP BY ALL
),
joined AS (  -- a commune without records (or without petitions) has nulls here, not zeros: the expressions
    -- below that add counts read them through COALESCE, and pipelines.engine.indicators fills the others
    -- (~60 COALESCE cost ~1 ms of planning)
    SELECT u.commune_code, p.date_from, p.date_to, p.as_of,
           u.commune_name, u.district_code, u.district_name, u.province_code, u.province_name,
           COALESCE(s.dossiers_late, 0) + COALESCE(s.dossiers_overdue, 0) - COALESCE(lf.also_overdue, 0)
               AS late_dossiers,
           COALESCE(s.late_named_by_completion, 0) + COALESCE(lf.named, 0) + COALESCE(s.overdue_named, 0)
               - COALESCE(lf.also_overdue_named, 0) AS late_named,
           s.* EXCLUDE (date_from, commune_code), pt.* EXCLUDE (date_from, commune_code)
    FROM units u CROSS JOIN p
    LEFT JOIN sums s ON s.date_from = p.date_from AND s.commune_code = u.commune_code
    LEFT JOIN late_fix lf ON lf.date_from = p.date_from AND lf.commune_code = u.commune_code
    LEFT JOIN petitions pt ON pt.date_from = p.date_from AND pt.commune_code = u.commune_code
)
SELECT commune_code, date_from, date_to, as_of,
       dossiers_received, dossiers_online, dossiers_returned, dossiers_withdrawn, dossiers_completed,
       dossiers_early, dossiers_on_time, dossiers_late,
       COALESCE(dossiers_early, 0) + COALESCE(dossiers_on_time, 0) AS dossiers_in_time,
       dossiers_timed, supplements_within_rule, supplements_known, dossiers_pending, dossiers_overdue,
       -- apologies naming no dossier, sent in the period, cover the late dossiers not named one each
       late_named + LEAST(COALESCE(apologies_unnamed, 0), late_dossiers - late_named) AS late_apologised,
       late_dossiers,
       letters_apology, letters_thanks, letters_congratulation, letters_condolence,
       petitions_handled_on_time, petitions_due, petitions_closed_locally, petitions_closed_or_overdue,
       petitions_complaint, petitions_denunciation, petitions_petition, petitions_resolved, petitions_transferred,
       petitions_withdrawn, petitions_filed, petitions_pending, petitions_escalated, petitions_overdue,
       dialogues, dialogue_attendees, opinions_raised, opinions_answered, survey_responses, harassment_reports,
       COLUMNS('_satisfied$|_rated$'),
       -- A commune reports in a period when it has a record of any kind in it, or a dossier open at its
       -- as-of date; a commune that sent no data is N/A on requirement-based rates.
       (COALESCE(dossiers_received, 0) + COALESCE(dossiers_completed, 0) + COALESCE(letters_apology, 0)
        + COALESCE(letters_thanks, 0) + COALESCE(letters_congratulation, 0) + COALESCE(letters_condolence, 0)
        + COALESCE(dialogues, 0) + COALESCE(survey_responses, 0) + COALESCE(petitions_received, 0)
        + COALESCE(dossiers_pending, 0) > 0)::INTEGER
           AS reporting_communes,
       commune_name, district_code, district_name, province_code, province_name
FROM joined
