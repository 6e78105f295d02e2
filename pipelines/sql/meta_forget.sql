-- meta_remember.sql's first half: what was remembered under $name goes.
DELETE FROM main.warehouse_meta WHERE name = $name
