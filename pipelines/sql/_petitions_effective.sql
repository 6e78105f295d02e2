-- Every petition with its effective due date: the recorded one, else received date plus the
-- statutory days for its kind (calendar days for complaints and denunciations, working days
-- for kiến nghị/phản ánh, counted on calendar.working_day_index). Outcome NULL means pending.
SELECT pt.commune_code, pt.petition_id, pt.kind, pt.field, pt.received_date,
       COALESCE(pt.due_date, CASE pt.kind
                                 WHEN 'complaint' THEN pt.received_date + $complaint_days::INTEGER
                                 WHEN 'denunciation' THEN pt.received_date + $denunciation_days::INTEGER
                                 ELSE wd.day END) AS due_date,
       pt.due_date IS NULL AS due_date_derived,
       COALESCE(pt.outcome, 'pending') AS outcome, pt.resolved_date,
       COALESCE(pt.escalated, FALSE) AS escalated, pt.within_authority
FROM petitions pt
LEFT JOIN calendar rc ON pt.due_date IS NULL AND pt.kind NOT IN ('complaint', 'denunciation')
                     AND rc.day = pt.received_date
LEFT JOIN calendar wd ON wd.is_working_day
                     AND wd.working_day_index = rc.working_day_index + $petition_working_days::INTEGER
WHERE $communes::VARCHAR[] IS NULL OR list_contains($communes::VARCHAR[], pt.commune_code)
