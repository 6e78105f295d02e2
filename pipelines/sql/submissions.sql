-- Who has sent what: every commune of the structure x every period of every kind it must send
-- ($kinds, each period $months long (1: monthly, 3: quarterly), due on $due_days of the month after the period, $may_be_empty)
-- meeting [$date_from, $date_to]. A record belongs to the period of its first event (a dossier to the
-- month it was received); the period was sent when it has records, first received (first_loaded_at) by its
-- due day, or late after it, judged only where dvcq was already collecting at the due day (its first file);
-- with no record it is not due before its due day has passed by $checked, then empty for a kind a period
-- may lack, else missing.
WITH rules AS (
    SELECT unnest($kinds::VARCHAR[]) AS kind, unnest($months::INTEGER[]) AS months,
           unnest($due_days::INTEGER[]) AS due_day, unnest($may_be_empty::BOOLEAN[]) AS may_be_empty
),
periods AS (
    SELECT r.kind, r.may_be_empty, c.day AS period_start,
           (c.day + to_months(r.months))::DATE - 1 AS period_end,
           (c.day + to_months(r.months))::DATE + (r.due_day - 1) AS due
    FROM calendar c CROSS JOIN rules r
    WHERE dayofmonth(c.day) = 1 AND (month(c.day) - 1) % r.months = 0
      AND c.day <= $date_to::DATE
      AND (c.day + to_months(r.months))::DATE - 1 >= $date_from::DATE
),
records AS (
    SELECT 'dossier' AS kind, commune_code, received_date AS day, COALESCE(first_loaded_at, loaded_at) AS arrived
    FROM dossiers
    UNION ALL SELECT 'letter', commune_code, sent_date, COALESCE(first_loaded_at, loaded_at) FROM letters
    UNION ALL SELECT 'petition', commune_code, received_date, COALESCE(first_loaded_at, loaded_at) FROM petitions
    UNION ALL SELECT 'dialogue', commune_code, dialogue_date, COALESCE(first_loaded_at, loaded_at) FROM dialogues
    UNION ALL SELECT 'survey', commune_code, survey_date, COALESCE(first_loaded_at, loaded_at) FROM surveys
),
sent AS (
    SELECT p.kind, p.period_start, r.commune_code, count(*) AS n, min(r.arrived) AS first_received
    FROM periods p JOIN records r ON r.kind = p.kind AND r.day BETWEEN p.period_start AND p.period_end
    GROUP BY ALL
),
collecting AS (SELECT min(ingested_at)::DATE AS since FROM ingest_log)
SELECT u.commune_code AS unit_code, u.commune_name AS unit_name, u.district_code, u.district_name,
       p.period_start, p.period_end, p.kind, p.due,
       CASE WHEN s.n IS NOT NULL THEN
                CASE WHEN s.first_received::DATE > p.due AND c.since <= p.due THEN 'late' ELSE 'sent' END
            WHEN p.due >= $checked::DATE THEN 'not_due'
            WHEN p.may_be_empty THEN 'empty'
            ELSE 'missing' END AS status,
       COALESCE(s.n, 0) AS rows, s.first_received
FROM admin_units u CROSS JOIN periods p CROSS JOIN collecting c
LEFT JOIN sent s ON s.commune_code = u.commune_code AND s.kind = p.kind AND s.period_start = p.period_start
ORDER BY u.commune_code, p.period_start, p.kind
