-- One row per period x dossier that matters to it: completed in the period, else received in
-- it, else still pending at the as-of date (a dossier closed after as_of was pending at
-- as_of). Periods are one arbitrary period ($freq NULL) or consecutive calendar buckets of
-- $freq (trends), so a date's period is found by an equi-join on its bucket start, linear in
-- the rows however many periods there are; only "pending at as_of" is a range join, on the
-- few dossiers still open at the end of their own period.
-- Timeliness: the dates decide; the ingest's timeliness column only when a date is missing.
-- "Pending at as_of" needs the dossier received by the period's end (an as_of after the end
-- does not pull later dossiers in) and not completed within the period (counted once, as
-- completed, when as_of falls before the period's end).
WITH first_day AS (SELECT MIN(date_from) AS day FROM p),
dx AS NOT MATERIALIZED (
    SELECT commune_code, dossier_id, channel, status, received_date, due_date, completed_date,
           supplement_requests, timeliness AS reported,
           CASE WHEN status = 'pending' THEN DATE '9999-12-31' ELSE completed_date END AS closing,
           CASE WHEN $freq::VARCHAR IS NULL THEN f.day
                ELSE GREATEST(date_trunc($freq::VARCHAR, completed_date)::DATE, f.day) END AS completed_key,
           CASE WHEN $freq::VARCHAR IS NULL THEN f.day
                ELSE GREATEST(date_trunc($freq::VARCHAR, received_date)::DATE, f.day) END AS received_key
    FROM dossiers CROSS JOIN first_day f
    WHERE $communes::VARCHAR[] IS NULL OR list_contains($communes::VARCHAR[], commune_code)
),
pending_candidates AS NOT MATERIALIZED (
    -- A dossier pending at some period's end is pending at the end of the period it was
    -- received in (or of the first period): an equi-join keeps the range join below small.
    SELECT d.* FROM dx d JOIN p ON p.date_from = d.received_key
    WHERE d.received_date <= LEAST(p.as_of, p.date_to) AND d.closing > p.as_of
),
joined AS (
    SELECT p.date_from, p.date_to, p.as_of, d.*
    FROM dx d JOIN p ON p.date_from = d.completed_key
    WHERE d.completed_date BETWEEN p.date_from AND p.date_to
    UNION ALL
    SELECT p.date_from, p.date_to, p.as_of, d.*
    FROM dx d JOIN p ON p.date_from = d.received_key
    WHERE d.received_date BETWEEN p.date_from AND p.date_to
      AND (d.completed_date IS NULL OR d.completed_date NOT BETWEEN p.date_from AND p.date_to)
    UNION ALL
    SELECT p.date_from, p.date_to, p.as_of, d.*
    FROM p JOIN pending_candidates d ON d.received_date <= LEAST(p.as_of, p.date_to) AND d.closing > p.as_of
    WHERE d.received_date NOT BETWEEN p.date_from AND p.date_to
      AND (d.completed_date IS NULL OR d.completed_date NOT BETWEEN p.date_from AND p.date_to)
)
SELECT date_from, commune_code, dossier_id, channel, status, received_date, due_date, completed_date,
       supplement_requests,
       CASE WHEN completed_date IS NULL OR due_date IS NULL THEN reported
            WHEN completed_date < due_date THEN 'early'
            WHEN completed_date = due_date THEN 'on_time'
            ELSE 'late' END AS timeliness,
       COALESCE(status = 'completed' AND completed_date BETWEEN date_from AND date_to, FALSE) AS completed_in,
       COALESCE(received_date BETWEEN date_from AND date_to, FALSE) AS received_in,
       COALESCE(received_date <= LEAST(as_of, date_to) AND closing > as_of
                AND NOT (status = 'completed' AND completed_date BETWEEN date_from AND date_to), FALSE) AS pending_at,
       COALESCE(received_date <= LEAST(as_of, date_to) AND closing > as_of AND due_date < as_of
                AND NOT (status = 'completed' AND completed_date BETWEEN date_from AND date_to), FALSE) AS overdue_at
FROM joined
