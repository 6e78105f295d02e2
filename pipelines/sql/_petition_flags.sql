-- Indicator membership of each petition fact row (biet_lam and khong_ne_tranh).
SELECT *,
       (closed AND outcome IN ('resolved', 'transferred')) OR overdue_open AS biet_lam_den,
       closed AND outcome IN ('resolved', 'transferred') AND resolved_date <= due_date AS biet_lam_num,
       closed OR overdue_open AS khong_ne_tranh_den,
       closed AND NOT escalated AS khong_ne_tranh_num
FROM petition_facts
