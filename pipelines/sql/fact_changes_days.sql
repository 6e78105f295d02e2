-- The (commune pair, day) keys of daily_counts the changed records count on (pipelines.ingest.facts.update_facts),
-- added to fact_changes.days: run before the changed facts go (their old days) and after they are built again
-- (their new days). Every date a fact row counts on (daily_counts.sql's groupings), of the rows of
-- fact_changes' keys; the letters, meetings and surveys changed, as stored before (the change log) and now.
INSERT INTO fact_changes.days
SELECT DISTINCT legacy_code, code_2025, day FROM (
    SELECT f.legacy_code, f.code_2025, UNNEST([f.received_date, f.closed_date, f.completed_date]) AS day
    FROM main.dossier_facts f SEMI JOIN fact_changes.dossier_keys k
      ON (f.legacy_code, f.code_2025, f.dossier_id) IS NOT DISTINCT FROM (k.legacy_code, k.code_2025, k.dossier_id)
    UNION ALL
    SELECT f.legacy_code, f.code_2025,
           UNNEST([f.completed_date, f.overdue_from, f.overdue_until, f.named_apology_date]) AS day
    FROM main.late_dossiers f SEMI JOIN fact_changes.late_keys k
      ON (f.code_2025, f.dossier_id) IS NOT DISTINCT FROM (k.code_2025, k.dossier_id)
    UNION ALL
    SELECT f.legacy_code, f.code_2025, UNNEST([f.received_date, f.closed_date, f.overdue_from, f.overdue_until]) AS day
    FROM main.petition_facts f SEMI JOIN fact_changes.petition_keys k
      ON (f.legacy_code, f.code_2025, f.petition_id) IS NOT DISTINCT FROM (k.legacy_code, k.code_2025, k.petition_id)
    UNION ALL SELECT legacy_code, code_2025, sent_date FROM fact_changes.letters
    UNION ALL SELECT legacy_code, code_2025, sent_date FROM fact_changes.new_letters
    UNION ALL SELECT legacy_code, code_2025, dialogue_date FROM fact_changes.dialogues
    UNION ALL SELECT legacy_code, code_2025, dialogue_date FROM main.dialogues
              WHERE dialogue_id IN (SELECT record_id FROM fact_changes.changed_ids WHERE record_table = 'dialogues')
    UNION ALL SELECT legacy_code, code_2025, survey_date FROM fact_changes.surveys
    UNION ALL SELECT legacy_code, code_2025, survey_date FROM main.surveys
              WHERE response_id IN (SELECT record_id FROM fact_changes.changed_ids WHERE record_table = 'surveys')
)
WHERE day IS NOT NULL
