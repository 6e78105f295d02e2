-- petition_facts' rows: every petition of the including statement's petitions_in (all, or the ones a
-- publish changed) with its effective due date and closing, once, at publish.
-- Due: the recorded date, else receipt plus the statutory days of its kind (calendar days for
-- complaints and denunciations, working days for kiến nghị/phản ánh, counted on
-- calendar.working_day_index). Closed: an outcome other than pending, on its resolved date; one
-- without a resolved date stays open.
-- THE overdue rule: at a day d a petition is overdue when it was received by d, its effective due
-- date lies before d and it was not closed by d: overdue_from <= d < overdue_until (NULL: open).
effective AS (
    SELECT pt.legacy_code, pt.code_2025, pt.petition_id, pt.kind, pt.field, pt.received_date,
           COALESCE(pt.due_date, CASE pt.kind
                                     WHEN 'complaint' THEN pt.received_date + $complaint_days::INTEGER
                                     WHEN 'denunciation' THEN pt.received_date + $denunciation_days::INTEGER
                                     ELSE wd.day END) AS due_date,
           pt.due_date IS NULL AS due_date_derived,
           COALESCE(pt.outcome, 'pending') AS outcome, pt.resolved_date,
           CASE WHEN COALESCE(pt.outcome, 'pending') <> 'pending' THEN pt.resolved_date END AS closed_date,
           COALESCE(pt.escalated, FALSE) AS escalated, pt.within_authority
    FROM petitions_in pt
    LEFT JOIN calendar rc ON pt.due_date IS NULL AND pt.kind NOT IN ('complaint', 'denunciation')
                         AND rc.day = pt.received_date
    LEFT JOIN calendar wd ON wd.is_working_day
                         AND wd.working_day_index = rc.working_day_index + $petition_working_days::INTEGER
)
SELECT e.*, c.working_day_index AS due_working_day_index,
       CASE WHEN e.due_date IS NOT NULL  -- (GREATEST skips NULLs: no due date, never overdue)
                 AND GREATEST(e.due_date + 1, e.received_date) < COALESCE(e.closed_date, DATE '9999-12-31')
            THEN GREATEST(e.due_date + 1, e.received_date) END AS overdue_from,
       e.closed_date AS overdue_until
FROM effective e LEFT JOIN calendar c ON c.day = e.due_date
