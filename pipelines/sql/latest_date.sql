-- The latest record date in the warehouse (each record kind's own dates); NULL when empty.
SELECT GREATEST(
    (SELECT MAX(GREATEST(received_date, completed_date)) FROM dossiers),
    (SELECT MAX(sent_date) FROM letters),
    (SELECT MAX(GREATEST(received_date, resolved_date)) FROM petitions),
    (SELECT MAX(dialogue_date) FROM dialogues),
    (SELECT MAX(survey_date) FROM surveys)) AS latest
