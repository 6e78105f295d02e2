-- Survey responses dated in the period by their overall rating (1-5), for the given communes (all of
-- the structure's when NULL): the distribution behind hai_long, as the written report states it.
SELECT s.overall AS rating, count(*) AS responses
FROM surveys s JOIN admin_units u USING (commune_code)
WHERE s.survey_date BETWEEN $date_from::DATE AND $date_to::DATE
  AND s.overall IS NOT NULL
  AND ($communes::VARCHAR[] IS NULL OR list_contains($communes::VARCHAR[], s.commune_code))
GROUP BY ALL
ORDER BY rating DESC
