-- The records behind each indicator cell of the given communes, long format (one row per
-- indicator x record), for drill-down. den_count / num_count are what the record adds to
-- the denominator / numerator (opinions for biet_noi, 1 or 0 otherwise); requirement-based
-- denominators (biet_nghe, biet_cam_on) are added by pipelines.indicators. No personal column.
WITH p AS ({{_periods}}),
dossier_facts AS ({{_dossier_facts}}),
late AS ({{_late_dossiers}}),
petition_facts AS ({{_petition_facts}}),
petitions AS ({{_petition_flags}}),
record_rows AS (
    SELECT 'khong_tre_hen' AS indicator, 'dossier' AS record_kind, dossier_id AS record_id, commune_code,
           received_date AS record_date, due_date, completed_date AS closed_date, status,
           COALESCE(timeliness, 'không rõ tiến độ') AS detail,
           timeliness IS NOT NULL AS in_denominator, timeliness IN ('early', 'on_time') AS in_numerator
    FROM dossier_facts WHERE completed_in
    UNION ALL
    SELECT 'khong_phien_ha', 'dossier', dossier_id, commune_code, received_date, due_date, completed_date, status,
           'số lần yêu cầu bổ sung: ' || COALESCE(supplement_requests::VARCHAR, 'không rõ'),
           supplement_requests IS NOT NULL, supplement_requests <= 1
    FROM dossier_facts WHERE completed_in
    UNION ALL
    SELECT 'biet_xin_loi', 'dossier', dossier_id, commune_code, received_date, due_date, completed_date, status,
           CASE WHEN named_apology_date IS NOT NULL THEN 'thư xin lỗi ghi mã hồ sơ, gửi ' || strftime(named_apology_date, '%d/%m/%Y')
                WHEN apologised THEN 'thư xin lỗi không ghi mã hồ sơ'
                WHEN overdue_at THEN 'đang giải quyết, quá hạn, chưa có thư xin lỗi'
                ELSE 'trả kết quả quá hạn, chưa có thư xin lỗi' END,
           TRUE, apologised
    FROM late
    UNION ALL
    SELECT 'biet_lam', 'petition', petition_id, commune_code, received_date, due_date, resolved_date, outcome,
           kind || CASE WHEN due_date_derived THEN ', hạn theo luật định' ELSE '' END,
           biet_lam_den, biet_lam_num
    FROM petitions WHERE biet_lam_den
    UNION ALL
    SELECT 'khong_ne_tranh', 'petition', petition_id, commune_code, received_date, due_date, resolved_date, outcome,
           kind || CASE WHEN escalated THEN ', vượt cấp' ELSE '' END,
           khong_ne_tranh_den, khong_ne_tranh_num
    FROM petitions WHERE khong_ne_tranh_den
    UNION ALL
    SELECT 'biet_nghe', 'dialogue', d.dialogue_id, d.commune_code, d.dialogue_date, NULL, NULL, NULL,
           'hội nghị đối thoại', FALSE,
           ROW_NUMBER() OVER (PARTITION BY d.commune_code ORDER BY d.dialogue_date, d.dialogue_id)
               <= p.required_dialogues
    FROM dialogues d JOIN p ON d.dialogue_date BETWEEN p.date_from AND p.date_to
    WHERE list_contains($communes::VARCHAR[], d.commune_code)
    UNION ALL
    SELECT 'biet_cam_on', 'letter', l.letter_id, l.commune_code, l.sent_date, NULL, NULL, NULL, 'thư cảm ơn', FALSE,
           ROW_NUMBER() OVER (PARTITION BY l.commune_code ORDER BY l.sent_date, l.letter_id) <= p.required_thanks
    FROM letters l JOIN p ON l.sent_date BETWEEN p.date_from AND p.date_to
    WHERE l.kind = 'thanks' AND list_contains($communes::VARCHAR[], l.commune_code)
),
opinions AS (
    SELECT 'biet_noi' AS indicator, 'dialogue' AS record_kind, d.dialogue_id AS record_id, d.commune_code,
           d.dialogue_date AS record_date,
           'giải đáp ' || COALESCE(d.opinions_answered::VARCHAR, '?') || '/' || COALESCE(d.opinions_raised::VARCHAR, '?')
               || ' ý kiến' AS detail,
           d.opinions_raised IS NOT NULL AND d.opinions_answered IS NOT NULL AS known,
           CASE WHEN known THEN d.opinions_raised ELSE 0 END AS den_count,
           CASE WHEN known THEN LEAST(d.opinions_answered, d.opinions_raised) ELSE 0 END AS num_count
    FROM dialogues d JOIN p ON d.dialogue_date BETWEEN p.date_from AND p.date_to
    WHERE list_contains($communes::VARCHAR[], d.commune_code)
),
ratings AS (
    SELECT s.response_id, s.commune_code, s.survey_date, r.indicator, r.rating
    FROM surveys s JOIN p ON s.survey_date BETWEEN p.date_from AND p.date_to
    CROSS JOIN LATERAL (VALUES ('hai_long', s.overall), ('the_hien_ton_trong', s.respect),
                               ('the_hien_van_minh', s.civility), ('the_hien_lang_nghe', s.guidance),
                               ('the_hien_gan_gui', s.explanation)) r(indicator, rating)
    WHERE list_contains($communes::VARCHAR[], s.commune_code) AND r.rating IS NOT NULL
)
SELECT indicator, record_kind, record_id, commune_code, record_date, due_date, closed_date, status, detail,
       COALESCE(in_denominator, FALSE) AS in_denominator, COALESCE(in_numerator, FALSE) AS in_numerator,
       COALESCE(in_denominator, FALSE)::INTEGER AS den_count, COALESCE(in_numerator, FALSE)::INTEGER AS num_count
FROM record_rows
UNION ALL
SELECT indicator, record_kind, record_id, commune_code, record_date, NULL, NULL, NULL, detail,
       known, num_count > 0, den_count, num_count
FROM opinions
UNION ALL
SELECT indicator, 'survey', response_id, commune_code, survey_date, NULL, NULL, NULL, 'đánh giá ' || rating || '/5',
       TRUE, rating >= 4, 1, (rating >= 4)::INTEGER
FROM ratings
ORDER BY indicator, commune_code, record_date, record_id
