-- Per commune x period (wide): every count the rates and supporting measures need, read from the
-- facts built at publish (pipelines.facts). Sums of the daily rollup over each period's days;
-- stocks (pending, overdue) at each period's as-of date; petitions received in the period where
-- they stand at its as-of date. Every commune of admin_units appears, with zeros when it has no
-- records. Parameters as in pipelines.indicators.engine_params.
WITH p AS ({{_periods}}),
units AS ({{_units}}),
period_days AS (
    SELECT p.date_from, c.* EXCLUDE (day)
    FROM daily_counts c ASOF JOIN p ON c.day >= p.date_from
    WHERE c.day <= p.date_to
      AND ($communes::VARCHAR[] IS NULL OR list_contains($communes::VARCHAR[], c.commune_code))
),
sums AS (
    SELECT date_from, commune_code, SUM(COLUMNS(* EXCLUDE (date_from, commune_code)))
    FROM period_days GROUP BY ALL
),
as_of_dates AS (SELECT DISTINCT as_of FROM p),
deltas AS (  -- received minus closed, each day counted at the first as-of date on or after it
    SELECT a.as_of, c.commune_code, SUM(c.dossiers_received - c.dossiers_closed) AS delta
    FROM daily_counts c ASOF JOIN as_of_dates a ON c.day <= a.as_of
    WHERE $communes::VARCHAR[] IS NULL OR list_contains($communes::VARCHAR[], c.commune_code)
    GROUP BY ALL
),
pending AS (  -- open at as_of: received by then and not closed by then
    SELECT a.as_of, u.commune_code,
           SUM(COALESCE(d.delta, 0)) OVER (PARTITION BY u.commune_code ORDER BY a.as_of) AS dossiers_pending
    FROM units u CROSS JOIN as_of_dates a
    LEFT JOIN deltas d ON d.as_of = a.as_of AND d.commune_code = u.commune_code
),
overdue AS (
    SELECT date_from, commune_code, COUNT(*) AS dossiers_overdue FROM ({{_overdue_dossiers}}) GROUP BY ALL
),
overdue_petitions AS (
    SELECT date_from, commune_code, COUNT(*) AS petitions_overdue FROM ({{_overdue_petitions}}) GROUP BY ALL
),
late AS (
    SELECT date_from, commune_code, COUNT(*) FILTER (apologised) AS late_apologised, COUNT(*) AS late_dossiers
    FROM ({{_late_dossiers}}) GROUP BY ALL
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
           COALESCE(pd.dossiers_pending, 0) AS dossiers_pending,
           COALESCE(od.dossiers_overdue, 0) AS dossiers_overdue,
           COALESCE(lt.late_apologised, 0) AS late_apologised,
           COALESCE(lt.late_dossiers, 0) AS late_dossiers,
           COALESCE(s.letters_apology, 0) AS letters_apology,
           COALESCE(s.letters_thanks, 0) AS letters_thanks,
           COALESCE(s.letters_congratulation, 0) AS letters_congratulation,
           COALESCE(s.letters_condolence, 0) AS letters_condolence,
           COALESCE(pt.petitions_handled_on_time, 0) AS petitions_handled_on_time,
           COALESCE(pt.petitions_due, 0) AS petitions_due,
           COALESCE(pt.petitions_closed_locally, 0) AS petitions_closed_locally,
           COALESCE(pt.petitions_closed_or_overdue, 0) AS petitions_closed_or_overdue,
           COALESCE(pt.petitions_complaint, 0) AS petitions_complaint,
           COALESCE(pt.petitions_denunciation, 0) AS petitions_denunciation,
           COALESCE(pt.petitions_petition, 0) AS petitions_petition,
           COALESCE(pt.petitions_resolved, 0) AS petitions_resolved,
           COALESCE(pt.petitions_transferred, 0) AS petitions_transferred,
           COALESCE(pt.petitions_withdrawn, 0) AS petitions_withdrawn,
           COALESCE(pt.petitions_filed, 0) AS petitions_filed,
           COALESCE(pt.petitions_pending, 0) AS petitions_pending,
           COALESCE(pt.petitions_escalated, 0) AS petitions_escalated,
           COALESCE(op.petitions_overdue, 0) AS petitions_overdue,
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
               + s.petitions_received, 0) + COALESCE(pd.dossiers_pending, 0) > 0 AS reporting
    FROM units u CROSS JOIN p
    LEFT JOIN sums s ON s.date_from = p.date_from AND s.commune_code = u.commune_code
    LEFT JOIN pending pd ON pd.as_of = p.as_of AND pd.commune_code = u.commune_code
    LEFT JOIN overdue od ON od.date_from = p.date_from AND od.commune_code = u.commune_code
    LEFT JOIN overdue_petitions op ON op.date_from = p.date_from AND op.commune_code = u.commune_code
    LEFT JOIN late lt ON lt.date_from = p.date_from AND lt.commune_code = u.commune_code
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
