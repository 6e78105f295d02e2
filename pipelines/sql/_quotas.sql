-- The last step of commune_counts, the one that reads the configuration: each commune's quota-free
-- counts (the including query's counts: _period_counts.sql's rows, computed or stored) joined with
-- the periods asked for (p, from _periods.sql: the pro-rata yearly quotas of dialogues and thanks
-- letters), and the counts the quotas give. Every commune is required its quota, whether it sent data or
-- not: a commune that sends nothing has held no dialogue on record, and must not look better for it.
SELECT c.*,
       LEAST(COALESCE(c.dialogues, 0), p.required_dialogues) AS dialogues_counted,
       p.required_dialogues AS dialogues_required,
       LEAST(COALESCE(c.letters_thanks, 0), p.required_thanks) AS thanks_counted,
       p.required_thanks AS thanks_required
FROM counts c JOIN p ON p.date_from = c.date_from AND p.date_to = c.date_to AND p.as_of = c.as_of
ORDER BY c.date_from, c.commune_code
