-- upsert_match.sql for a record kind with an open state (column ${state}): the stored and the incoming
-- state, whether dvcq closed the record because a newer export no longer listed it (closed_missing_from,
-- on the date in ${closed_on}), and the latest event date (${events}) of the incoming file for the
-- row's commune, which upsert_plan.sql weighs against that closing.
CREATE OR REPLACE TEMP TABLE _match AS
SELECT {{ _upsert_match_columns }},
       t.${state} AS t_state, s.${state} AS s_state, t.closed_missing_from AS t_missing_from,
       t.${closed_on} AS t_closed_on, e.last_day
{{ _upsert_match_join }}
LEFT JOIN (SELECT commune_code, unit_era, max(GREATEST(${events})) AS last_day FROM staged GROUP BY ALL) e
  ON e.commune_code = s.commune_code AND e.unit_era = s.unit_era
