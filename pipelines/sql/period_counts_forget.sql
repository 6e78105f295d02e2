-- The period_counts rows an incremental publish builds again or that are no longer stored: the periods
-- bound as lists ($date_from, $date_to, $as_of), of the structure $era (every one when NULL) and the
-- communes $communes (every one when NULL).
DELETE FROM main.period_counts t
USING (SELECT UNNEST($date_from::DATE[]) AS date_from, UNNEST($date_to::DATE[]) AS date_to,
              UNNEST($as_of::DATE[]) AS as_of) p
WHERE t.date_from = p.date_from AND t.date_to = p.date_to AND t.as_of = p.as_of
  AND ($era::VARCHAR IS NULL OR t.era = $era)
  AND ($communes::VARCHAR[] IS NULL OR list_contains($communes::VARCHAR[], t.commune_code))
