-- late_dossiers' rows, of the including statement's dossier_facts_in and letters_in (all, or the
-- dossiers a publish changed and the apologies naming them): the dossiers that were late at some
-- day: completed late, or open past their due date (closed after it, or still pending). Only these can be overdue at an as-of date or need an
-- apology, so the as-of rules read this small table, never all dossiers. The first apology letter
-- of the same commune naming the dossier is kept (communes are matched in the 2025 structure,
-- which every record has).
-- THE overdue rule: at a day d a dossier is overdue when it was received by d, its due date lies
-- before d and it was not closed by d, i.e. overdue_from <= d < overdue_until (NULL: still open).
-- overdue_from is NULL when it never was (no due date, or closed before it fell due).
-- apology_after_completion: completed late, its first naming apology sent after the completion; only
-- for these does the as-of date decide whether the apology counts for a period of its completion
-- (daily_counts.late_named_by_completion counts the others), so they are stored last, where a scan
-- for them skips the rest.
named AS (
    SELECT code_2025, dossier_id, MIN(sent_date) AS named_apology_date
    FROM letters_in WHERE kind = 'apology' AND NULLIF(TRIM(dossier_id), '') IS NOT NULL
    GROUP BY ALL
)
SELECT f.legacy_code, f.code_2025, f.dossier_id, f.status, f.sector, f.procedure, f.received_date, f.due_date,
       f.completed_date, f.closed_date, f.timeliness, n.named_apology_date, c.working_day_index AS due_working_day_index,
       CASE WHEN f.due_date IS NOT NULL  -- (GREATEST skips NULLs: no due date, never overdue)
                 AND GREATEST(f.due_date + 1, f.received_date) < COALESCE(f.closed_date, DATE '9999-12-31')
            THEN GREATEST(f.due_date + 1, f.received_date) END AS overdue_from,
       f.closed_date AS overdue_until,
       COALESCE(f.timeliness = 'late' AND n.named_apology_date > f.completed_date, FALSE) AS apology_after_completion
FROM dossier_facts_in f
LEFT JOIN named n ON n.code_2025 = f.code_2025 AND n.dossier_id = f.dossier_id
LEFT JOIN calendar c ON c.day = f.due_date
WHERE f.timeliness = 'late' OR (f.due_date IS NOT NULL AND (f.closed_date IS NULL OR f.closed_date > f.due_date))
ORDER BY apology_after_completion, f.completed_date
