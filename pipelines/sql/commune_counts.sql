-- Numerators, denominators and supporting counts per commune x period (wide).
-- Every commune of admin_units appears, with zero counts when it has no records.
-- Parameters as in pipelines.indicators.engine_params.
WITH p AS ({{_periods}}),
units AS ({{_units}}),
dossier_facts AS MATERIALIZED ({{_dossier_facts}}),
late AS ({{_late_dossiers}}),
petition_facts AS ({{_petition_facts}}),
dossier_counts AS (
    SELECT date_from, commune_code,
           COUNT(*) FILTER (completed_in AND timeliness IN ('early', 'on_time')) AS khong_tre_hen_num,
           COUNT(*) FILTER (completed_in AND timeliness IS NOT NULL) AS khong_tre_hen_den,
           COUNT(*) FILTER (completed_in AND supplement_requests <= 1) AS khong_phien_ha_num,
           COUNT(*) FILTER (completed_in AND supplement_requests IS NOT NULL) AS khong_phien_ha_den,
           COUNT(*) FILTER (received_in) AS dossiers_received,
           COUNT(*) FILTER (received_in AND channel = 'online') AS dossiers_online,
           COUNT(*) FILTER (completed_in) AS dossiers_completed,
           COUNT(*) FILTER (completed_in AND timeliness = 'early') AS dossiers_early,
           COUNT(*) FILTER (completed_in AND timeliness = 'on_time') AS dossiers_on_time,
           COUNT(*) FILTER (completed_in AND timeliness = 'late') AS dossiers_late,
           COUNT(*) FILTER (received_in AND status = 'returned') AS dossiers_returned,
           COUNT(*) FILTER (received_in AND status = 'withdrawn') AS dossiers_withdrawn,
           COUNT(*) FILTER (pending_at) AS dossiers_pending,
           COUNT(*) FILTER (overdue_at) AS dossiers_pending_overdue
    FROM dossier_facts GROUP BY ALL
),
late_counts AS (
    SELECT date_from, commune_code, COUNT(*) FILTER (apologised) AS biet_xin_loi_num, COUNT(*) AS biet_xin_loi_den
    FROM late GROUP BY ALL
),
letter_counts AS (
    SELECT p.date_from, l.commune_code,
           COUNT(*) FILTER (l.kind = 'apology') AS letters_apology,
           COUNT(*) FILTER (l.kind = 'thanks') AS letters_thanks,
           COUNT(*) FILTER (l.kind = 'congratulation') AS letters_congratulation,
           COUNT(*) FILTER (l.kind = 'condolence') AS letters_condolence
    FROM letters l JOIN p ON l.sent_date BETWEEN p.date_from AND p.date_to
    GROUP BY ALL
),
petition_counts AS (
    SELECT date_from, commune_code,
           COUNT(*) FILTER (biet_lam_num) AS biet_lam_num, COUNT(*) FILTER (biet_lam_den) AS biet_lam_den,
           COUNT(*) FILTER (khong_ne_tranh_num) AS khong_ne_tranh_num,
           COUNT(*) FILTER (khong_ne_tranh_den) AS khong_ne_tranh_den,
           COUNT(*) FILTER (kind = 'complaint') AS petitions_complaint,
           COUNT(*) FILTER (kind = 'denunciation') AS petitions_denunciation,
           COUNT(*) FILTER (kind = 'petition') AS petitions_petition,
           COUNT(*) FILTER (closed AND outcome = 'resolved') AS petitions_resolved,
           COUNT(*) FILTER (closed AND outcome = 'transferred') AS petitions_transferred,
           COUNT(*) FILTER (closed AND outcome = 'withdrawn') AS petitions_withdrawn,
           COUNT(*) FILTER (closed AND outcome = 'filed') AS petitions_filed,
           COUNT(*) FILTER (NOT closed) AS petitions_pending,
           COUNT(*) FILTER (escalated) AS petitions_escalated
    FROM ({{_petition_flags}}) GROUP BY ALL
),
dialogue_counts AS (
    SELECT p.date_from, d.commune_code, COUNT(*) AS dialogues,
           COALESCE(SUM(d.attendees), 0)::BIGINT AS dialogue_attendees,
           COALESCE(SUM(LEAST(d.opinions_answered, d.opinions_raised))
                    FILTER (d.opinions_raised IS NOT NULL AND d.opinions_answered IS NOT NULL), 0)::BIGINT AS biet_noi_num,
           COALESCE(SUM(d.opinions_raised)
                    FILTER (d.opinions_raised IS NOT NULL AND d.opinions_answered IS NOT NULL), 0)::BIGINT AS biet_noi_den
    FROM dialogues d JOIN p ON d.dialogue_date BETWEEN p.date_from AND p.date_to
    GROUP BY ALL
),
survey_counts AS (
    SELECT p.date_from, s.commune_code,
           COUNT(*) FILTER (s.overall >= 4) AS hai_long_num, COUNT(s.overall) AS hai_long_den,
           COUNT(*) FILTER (s.respect >= 4) AS the_hien_ton_trong_num, COUNT(s.respect) AS the_hien_ton_trong_den,
           COUNT(*) FILTER (s.civility >= 4) AS the_hien_van_minh_num, COUNT(s.civility) AS the_hien_van_minh_den,
           COUNT(*) FILTER (s.guidance >= 4) AS the_hien_lang_nghe_num, COUNT(s.guidance) AS the_hien_lang_nghe_den,
           COUNT(*) FILTER (s.explanation >= 4) AS the_hien_gan_gui_num, COUNT(s.explanation) AS the_hien_gan_gui_den,
           COUNT(*) AS survey_responses,
           COUNT(*) FILTER (s.harassment) AS harassment_reports
    FROM surveys s JOIN p ON s.survey_date BETWEEN p.date_from AND p.date_to
    GROUP BY ALL
)
SELECT u.commune_code, p.date_from, p.date_to, p.as_of,
       r.reporting::INTEGER AS reporting_communes,
       LEAST(COALESCE(dl.dialogues, 0), p.required_dialogues) AS biet_nghe_num,
       CASE WHEN r.reporting THEN p.required_dialogues ELSE 0 END AS biet_nghe_den,
       LEAST(COALESCE(lt.letters_thanks, 0), p.required_thanks) AS biet_cam_on_num,
       CASE WHEN r.reporting THEN p.required_thanks ELSE 0 END AS biet_cam_on_den,
       dc.* EXCLUDE (date_from, commune_code), lc.* EXCLUDE (date_from, commune_code),
       lt.* EXCLUDE (date_from, commune_code), pc.* EXCLUDE (date_from, commune_code),
       dl.* EXCLUDE (date_from, commune_code), sc.* EXCLUDE (date_from, commune_code)
FROM units u CROSS JOIN p
LEFT JOIN dossier_counts dc ON dc.date_from = p.date_from AND dc.commune_code = u.commune_code
LEFT JOIN late_counts lc ON lc.date_from = p.date_from AND lc.commune_code = u.commune_code
LEFT JOIN letter_counts lt ON lt.date_from = p.date_from AND lt.commune_code = u.commune_code
LEFT JOIN petition_counts pc ON pc.date_from = p.date_from AND pc.commune_code = u.commune_code
LEFT JOIN dialogue_counts dl ON dl.date_from = p.date_from AND dl.commune_code = u.commune_code
LEFT JOIN survey_counts sc ON sc.date_from = p.date_from AND sc.commune_code = u.commune_code
-- Requirement-based rates (biet_nghe, biet_cam_on) apply to reporting communes only: those with
-- a record of any kind in the period (or pending at as_of); a commune that sent no data is N/A.
CROSS JOIN LATERAL (SELECT COALESCE(dc.commune_code, lt.commune_code, pc.commune_code, dl.commune_code,
                                    sc.commune_code) IS NOT NULL AS reporting) r
ORDER BY p.date_from, u.commune_code
