-- Every staged row is a new record (upsert_matched.sql found none stored): inserted, placed in both
-- structures (_placement.sql), with no predecessor and first loaded now.
INSERT INTO main.${table} BY NAME
{{ _stored_record }}
FROM staged s CROSS JOIN (SELECT NULL::VARCHAR AS predecessor, NULL::TIMESTAMP AS t_first) p
{{ _default_successor_join }}
