-- Dialogue meetings of the given communes (all when NULL) held in the period, newest first: the
-- records behind the dialogue figures, for the Đơn thư page (the commune's code: what an account's scope reads).
SELECT d.dialogue_id, d.dialogue_date, u.commune_code, u.commune_name, u.district_name, d.chair, d.chair_is_head, d.topic,
       d.attendees, d.opinions_raised, d.opinions_answered
FROM dialogues d JOIN admin_units u USING (commune_code)
WHERE d.dialogue_date BETWEEN $date_from::DATE AND $date_to::DATE
  AND ($communes::VARCHAR[] IS NULL OR list_contains($communes::VARCHAR[], d.commune_code))
ORDER BY d.dialogue_date DESC, d.dialogue_id
