-- The records behind each indicator cell of the given communes, long format (one row per
-- indicator x record), for drill-down. It reads the record tables and derives each rule again from them
-- (the facts' dates and states are not used here yet), so it must agree with the counts. den_count /
-- num_count are what the record adds to the denominator / numerator (opinions for biet_noi, 1 or
-- 0 otherwise); requirement-based denominators (biet_nghe, biet_cam_on) are added by
-- pipelines.engine.indicators. Codes are shown with their labels from the codes table, and every other word
-- is bound from schemas.catalog.RECORD_DETAILS (as detail_<key>, '{}' where a value goes). No personal column.
WITH p AS ({{_periods}}),
period_of_day AS ({{_period_of_day}}),
sums AS (
    SELECT d.date_from, c.commune_code, SUM(c.apologies_unnamed) AS apologies_unnamed
    FROM daily_counts c JOIN period_of_day d USING (day)
    WHERE list_contains($communes::VARCHAR[], c.commune_code)
    GROUP BY ALL
),
overdue_dossiers AS ({{_overdue_dossiers}}),
late AS (  -- the unnamed apologies cover the late dossiers not named in time one each, oldest due date first
    SELECT l.*, l.named_in_time OR ROW_NUMBER() OVER (PARTITION BY l.date_from, l.commune_code, l.named_in_time
                                                      ORDER BY l.due_date, l.dossier_id)
                                   <= COALESCE(s.apologies_unnamed, 0) AS apologised
    FROM ({{_late_dossiers}}) l LEFT JOIN sums s USING (date_from, commune_code)
),
label AS (SELECT vocabulary, code, label_vi FROM codes),
completed AS (
    SELECT f.* FROM dossier_facts f JOIN p ON f.completed_date BETWEEN p.date_from AND p.date_to
    WHERE f.status = 'completed' AND list_contains($communes::VARCHAR[], f.commune_code)
),
petitions AS (SELECT * FROM ({{_petitions_received}})),
record_rows AS (
    SELECT 'khong_tre_hen' AS indicator, 'dossier' AS record_kind, dossier_id AS record_id, commune_code,
           received_date AS record_date, due_date, completed_date AS closed_date, 'dossier_status' AS vocabulary,
           status, COALESCE((SELECT label_vi FROM label WHERE vocabulary = 'timeliness' AND code = timeliness),
                            $detail_timeliness_unknown) AS detail,
           timeliness IS NOT NULL AS in_denominator, timeliness IN ('early', 'on_time') AS in_numerator
    FROM completed
    UNION ALL
    SELECT 'khong_phien_ha', 'dossier', dossier_id, commune_code, received_date, due_date, completed_date,
           'dossier_status', status,
           format($detail_supplements, COALESCE(supplement_requests::VARCHAR, $detail_unknown)),
           supplement_requests IS NOT NULL, supplement_requests <= $max_supplement_requests::INTEGER
    FROM completed
    UNION ALL
    SELECT 'biet_xin_loi', 'dossier', dossier_id, commune_code, received_date, due_date, completed_date,
           'dossier_status', status,
           CASE WHEN named_in_time THEN format($detail_apology_named, strftime(named_apology_date, '%d/%m/%Y'))
                WHEN apologised THEN $detail_apology_unnamed
                WHEN closed_date IS NULL OR closed_date > as_of THEN $detail_open_without_apology
                ELSE $detail_closed_without_apology END,
           TRUE, apologised
    FROM late
    UNION ALL
    SELECT 'biet_lam', 'petition', petition_id, commune_code, received_date, due_date, resolved_date,
           'petition_outcome', outcome,
           (SELECT label_vi FROM label WHERE vocabulary = 'petition_kind' AND code = kind)
               || CASE WHEN due_date_derived THEN $detail_statutory_due ELSE '' END,
           TRUE, closed AND outcome IN ('resolved', 'transferred') AND resolved_date <= due_date
    FROM petitions WHERE (closed AND outcome IN ('resolved', 'transferred')) OR overdue_open
    UNION ALL
    SELECT 'khong_ne_tranh', 'petition', petition_id, commune_code, received_date, due_date, resolved_date,
           'petition_outcome', outcome,
           (SELECT label_vi FROM label WHERE vocabulary = 'petition_kind' AND code = kind)
               || CASE WHEN escalated THEN $detail_escalated ELSE '' END,
           TRUE, closed AND NOT escalated
    FROM petitions WHERE closed OR overdue_open
    UNION ALL
    SELECT 'biet_nghe', 'dialogue', d.dialogue_id, d.commune_code, d.dialogue_date, NULL, NULL, NULL, NULL,
           NULL, FALSE,
           ROW_NUMBER() OVER (PARTITION BY d.commune_code ORDER BY d.dialogue_date, d.dialogue_id)
               <= p.required_dialogues
    FROM dialogues d JOIN p ON d.dialogue_date BETWEEN p.date_from AND p.date_to
    WHERE list_contains($communes::VARCHAR[], d.commune_code)
    UNION ALL
    SELECT 'biet_cam_on', 'letter', l.letter_id, l.commune_code, l.sent_date, NULL, NULL, NULL, NULL, NULL, FALSE,
           ROW_NUMBER() OVER (PARTITION BY l.commune_code ORDER BY l.sent_date, l.letter_id) <= p.required_thanks
    FROM letters l JOIN p ON l.sent_date BETWEEN p.date_from AND p.date_to
    WHERE l.kind = 'thanks' AND list_contains($communes::VARCHAR[], l.commune_code)
),
opinions AS (
    SELECT 'biet_noi' AS indicator, 'dialogue' AS record_kind, d.dialogue_id AS record_id, d.commune_code,
           d.dialogue_date AS record_date,
           format($detail_opinions, COALESCE(d.opinions_answered::VARCHAR, '?'),
                  COALESCE(d.opinions_raised::VARCHAR, '?')) AS detail,
           d.opinions_raised IS NOT NULL AND d.opinions_answered IS NOT NULL AS known,
           CASE WHEN known THEN d.opinions_raised ELSE 0 END AS den_count,
           CASE WHEN known THEN LEAST(d.opinions_answered, d.opinions_raised) ELSE 0 END AS num_count
    FROM dialogues d JOIN p ON d.dialogue_date BETWEEN p.date_from AND p.date_to
    WHERE list_contains($communes::VARCHAR[], d.commune_code)
),
ratings AS (  -- each rating column of a response, named by column (RATE_COUNTS maps it to its rate)
    SELECT s.response_id, s.commune_code, s.survey_date, r.rating_column, r.rating
    FROM surveys s JOIN p ON s.survey_date BETWEEN p.date_from AND p.date_to
    CROSS JOIN LATERAL (VALUES ('overall', s.overall), ('respect', s.respect), ('civility', s.civility),
                               ('guidance', s.guidance), ('explanation', s.explanation)) r(rating_column, rating)
    WHERE list_contains($communes::VARCHAR[], s.commune_code) AND r.rating IS NOT NULL
)
SELECT indicator, record_kind, record_id, commune_code, record_date, due_date, closed_date,
       (SELECT label_vi FROM label l WHERE l.vocabulary = r.vocabulary AND l.code = r.status) AS status, detail,
       NULL AS rating_column,
       COALESCE(in_denominator, FALSE) AS in_denominator, COALESCE(in_numerator, FALSE) AS in_numerator,
       COALESCE(in_denominator, FALSE)::INTEGER AS den_count, COALESCE(in_numerator, FALSE)::INTEGER AS num_count
FROM record_rows r
UNION ALL
SELECT indicator, record_kind, record_id, commune_code, record_date, NULL, NULL, NULL, detail, NULL,
       known, num_count > 0, den_count, num_count
FROM opinions
UNION ALL
SELECT NULL, 'survey', response_id, commune_code, survey_date, NULL, NULL, NULL,
       format($detail_rating, rating, (SELECT label_vi FROM label WHERE vocabulary = 'rating' AND code = rating::VARCHAR)),
       rating_column, TRUE, rating >= $satisfied_rating::INTEGER, 1, (rating >= $satisfied_rating::INTEGER)::INTEGER
FROM ratings
ORDER BY indicator, commune_code, record_date, record_id
