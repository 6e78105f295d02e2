-- Per commune x period (wide): every count the rates and supporting measures need, read from the
-- facts built at publish (pipelines.facts). Sums of the rollups over each period: its whole months
-- from monthly_counts, its edge days from daily_counts; stocks (pending, overdue) at each period's
-- as-of date as running sums of the rollups' entries and exits, whole months again by month;
-- petitions received in the period where they stand at its as-of date. Linear in the rollups' rows
-- however many periods (a trend's 36 months) are asked for. Every commune of admin_units appears,
-- with zeros when it has no records. Parameters as in pipelines.indicators.engine_params.
WITH p AS ({{_periods}}),
units AS ({{_units}}),
period_of_day AS ({{_period_of_day}}),
period_of_month AS ({{_period_of_month}}),
period_edge_day AS ({{_period_edge_day}}),
sums AS (
    SELECT date_from, commune_code, SUM(COLUMNS(* EXCLUDE (date_from, commune_code)))
    FROM (SELECT d.date_from, c.* EXCLUDE (day)
          FROM daily_counts c JOIN period_edge_day d ON d.day = c.day
          WHERE $communes::VARCHAR[] IS NULL OR list_contains($communes::VARCHAR[], c.commune_code)
          UNION ALL BY NAME
          SELECT m.date_from, c.* EXCLUDE (month)
          FROM monthly_counts c JOIN period_of_month m ON m.month = c.month
          WHERE $communes::VARCHAR[] IS NULL OR list_contains($communes::VARCHAR[], c.commune_code))
    GROUP BY ALL
),
stock_month AS ({{_stock_month}}),
stock_edge_day AS ({{_stock_edge_day}}),
stock_deltas AS (  -- entries minus exits of each stock, each day (month) counted at the first as-of date on or after it
    SELECT as_of, commune_code,
           SUM(dossiers_received - dossiers_closed) AS pending,
           SUM(dossiers_overdue_entries - dossiers_overdue_exits) AS overdue,
           SUM(overdue_named_entries - overdue_named_exits) AS overdue_named,
           SUM(petitions_overdue_entries - petitions_overdue_exits) AS petitions_overdue
    FROM (SELECT s.as_of, c.* EXCLUDE (day)
          FROM daily_counts c JOIN stock_edge_day s ON s.day = c.day
          WHERE $communes::VARCHAR[] IS NULL OR list_contains($communes::VARCHAR[], c.commune_code)
          UNION ALL BY NAME
          SELECT s.as_of, c.* EXCLUDE (month)
          FROM monthly_counts c JOIN stock_month s ON s.month = c.month
          WHERE $communes::VARCHAR[] IS NULL OR list_contains($communes::VARCHAR[], c.commune_code))
    GROUP BY ALL
),
stocks AS (  -- at each as-of date: dossiers open, dossiers and petitions overdue, overdue ones named by an apology
    SELECT a.as_of, u.commune_code,
           COALESCE(SUM(d.pending), 0) AS dossiers_pending,
           COALESCE(SUM(d.overdue), 0) AS dossiers_overdue,
           COALESCE(SUM(d.overdue_named), 0) AS overdue_named,
           COALESCE(SUM(d.petitions_overdue), 0) AS petitions_overdue
    FROM units u CROSS JOIN (SELECT DISTINCT as_of FROM p) a
    LEFT JOIN stock_deltas d ON d.commune_code = u.commune_code AND d.as_of <= a.as_of
    GROUP BY ALL
),
completed_late AS (  -- biet_xin_loi's late dossiers completed in the period: named by an apology by the
    -- as-of date, and those also overdue at it (completed after an as-of date inside the period)
    SELECT d.date_from, f.commune_code,
           COUNT(*) FILTER (f.named_apology_date <= d.as_of) AS named,
           COUNT(*) FILTER (f.completed_date > d.as_of AND f.overdue_from <= d.as_of) AS also_overdue,
           COUNT(*) FILTER (f.completed_date > d.as_of AND f.overdue_from <= d.as_of
                            AND f.named_apology_date <= d.as_of) AS also_overdue_named
    FROM late_dossiers f JOIN period_of_day d ON d.day = f.completed_date
    WHERE f.timeliness = 'late'
      AND ($communes::VARCHAR[] IS NULL OR list_contains($communes::VARCHAR[], f.commune_code))
    GROUP BY ALL
),
late AS (  -- late dossiers of the period (completed late, or overdue at as_of: once) and those with
    -- an apology naming them; apologies naming none cover the rest one each (sql/_late_dossiers.sql)
    SELECT p.date_from, u.commune_code,
           COALESCE(s.dossiers_late, 0) + st.dossiers_overdue - COALESCE(cl.also_overdue, 0) AS late_dossiers,
           COALESCE(cl.named, 0) + st.overdue_named - COALESCE(cl.also_overdue_named, 0) AS late_named,
           COALESCE(s.apologies_unnamed, 0) AS unnamed
    FROM units u CROSS JOIN p
    JOIN stocks st ON st.as_of = p.as_of AND st.commune_code = u.commune_code
    LEFT JOIN sums s ON s.date_from = p.date_from AND s.commune_code = u.commune_code
    LEFT JOIN completed_late cl ON cl.date_from = p.date_from AND cl.commune_code = u.commune_code
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
    FROM ({{_petitions_received}}) GROUP BY ALL
),
joined AS (
    SELECT u.commune_code, p.date_from, p.date_to, p.as_of, p.required_dialogues, p.required_thanks,
           COALESCE(s.dossiers_received, 0) AS dossiers_received,
           COALESCE(s.dossiers_online, 0) AS dossiers_online,
           COALESCE(s.dossiers_returned, 0) AS dossiers_returned,
           COALESCE(s.dossiers_withdrawn, 0) AS dossiers_withdrawn,
           COALESCE(s.dossiers_completed, 0) AS dossiers_completed,
           COALESCE(s.dossiers_early, 0) AS dossiers_early,
           COALESCE(s.dossiers_on_time, 0) AS dossiers_on_time,
           COALESCE(s.dossiers_late, 0) AS dossiers_late,
           COALESCE(s.dossiers_early + s.dossiers_on_time, 0) AS dossiers_in_time,
           COALESCE(s.dossiers_timed, 0) AS dossiers_timed,
           COALESCE(s.supplements_within_rule, 0) AS supplements_within_rule,
           COALESCE(s.supplements_known, 0) AS supplements_known,
           st.dossiers_pending, st.dossiers_overdue,
           lt.late_named + LEAST(lt.unnamed, lt.late_dossiers - lt.late_named) AS late_apologised,
           lt.late_dossiers,
           COALESCE(s.letters_apology, 0) AS letters_apology,
           COALESCE(s.letters_thanks, 0) AS letters_thanks,
           COALESCE(s.letters_congratulation, 0) AS letters_congratulation,
           COALESCE(s.letters_condolence, 0) AS letters_condolence,
           COALESCE(COLUMNS(pt.* EXCLUDE (date_from, commune_code)), 0),
           st.petitions_overdue,
           COALESCE(s.dialogues, 0) AS dialogues,
           COALESCE(s.dialogue_attendees, 0) AS dialogue_attendees,
           COALESCE(s.opinions_raised, 0) AS opinions_raised,
           COALESCE(s.opinions_answered, 0) AS opinions_answered,
           COALESCE(s.survey_responses, 0) AS survey_responses,
           COALESCE(s.harassment_reports, 0) AS harassment_reports,
           COALESCE(COLUMNS('_satisfied$|_rated$'), 0),
           -- A commune reports in a period when it has a record of any kind in it, or a dossier
           -- open at its as-of date; a commune that sent no data is N/A on requirement-based rates.
           COALESCE(s.dossiers_received + s.dossiers_completed + s.letters_apology + s.letters_thanks
                    + s.letters_congratulation + s.letters_condolence + s.dialogues + s.survey_responses
               + s.petitions_received, 0) + st.dossiers_pending > 0 AS reporting
    FROM units u CROSS JOIN p
    LEFT JOIN sums s ON s.date_from = p.date_from AND s.commune_code = u.commune_code
    JOIN stocks st ON st.as_of = p.as_of AND st.commune_code = u.commune_code
    JOIN late lt ON lt.date_from = p.date_from AND lt.commune_code = u.commune_code
    LEFT JOIN petitions pt ON pt.date_from = p.date_from AND pt.commune_code = u.commune_code
)
SELECT * EXCLUDE (required_dialogues, required_thanks, reporting),
       reporting::INTEGER AS reporting_communes,
       LEAST(dialogues, required_dialogues) AS dialogues_counted,
       CASE WHEN reporting THEN required_dialogues ELSE 0 END AS dialogues_required,
       LEAST(letters_thanks, required_thanks) AS thanks_counted,
       CASE WHEN reporting THEN required_thanks ELSE 0 END AS thanks_required
FROM joined
ORDER BY date_from, commune_code
