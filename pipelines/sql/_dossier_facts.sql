-- dossier_facts' rows: one per dossier of the including statement's dossiers_in (every dossier, or the
-- ones a publish changed) with what the rules derive from it, once, at publish.
-- closed_date: a dossier is open from its receipt until its closed_date (exclusive); pending ones
-- have none. Never before receipt, so "received by d and not closed by d" is a difference of
-- two running counts (daily_counts). A returned or withdrawn dossier without a date closes on
-- its receipt (it never waited). Timeliness: the dates decide; the exported timeliness only when
-- a date is missing; completed dossiers only.
SELECT legacy_code, code_2025, dossier_id, channel, status, sector, procedure, received_date, due_date, completed_date,
       CASE WHEN status <> 'pending' THEN GREATEST(completed_date, received_date) END AS closed_date,
       CASE WHEN status <> 'completed' THEN NULL
            WHEN completed_date IS NULL OR due_date IS NULL THEN reported_timeliness
            WHEN completed_date < due_date THEN 'early'
            WHEN completed_date = due_date THEN 'on_time'
            ELSE 'late' END AS timeliness,
       supplement_requests
FROM dossiers_in
