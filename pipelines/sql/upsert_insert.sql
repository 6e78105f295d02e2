-- 'insert' and 'replace': the staged row stored, placed in both structures (_placement.sql), keeping the
-- predecessor and the first arrival of the record it replaces.
INSERT INTO main.${table} BY NAME
{{ _stored_record }}
FROM staged s JOIN _plan p ON p._srow = s.source_row
{{ _default_successor_join }}
WHERE p.action IN ('insert', 'replace')
