-- Per commune: the last dialogue on or before as_of and how many fell in the rule's window
-- (as_of minus N months, as_of]; feeds the "no dialogue in the last N months" rule flag.
SELECT u.commune_code, MAX(d.dialogue_date) AS last_dialogue,
       COUNT(d.dialogue_id) FILTER (d.dialogue_date > $as_of::DATE - to_months($dialogue_rule_months::INTEGER))
           AS dialogues_in_window
FROM admin_units u
LEFT JOIN dialogues d ON d.commune_code = u.commune_code AND d.dialogue_date <= $as_of::DATE
GROUP BY u.commune_code
