-- One row per period. Pro-rata requirements: per_year x days / 365, rounded half away
-- from zero to a whole number, at least 1 (a count needs a whole denominator).
SELECT date_from, date_to, as_of,
       GREATEST(1, ROUND($dialogues_per_year * (date_to - date_from + 1) / 365.0))::INTEGER AS required_dialogues,
       GREATEST(1, ROUND($thanks_per_year * (date_to - date_from + 1) / 365.0))::INTEGER AS required_thanks
FROM (SELECT UNNEST($date_from::DATE[]) AS date_from, UNNEST($date_to::DATE[]) AS date_to,
             UNNEST($as_of::DATE[]) AS as_of)
