-- The unit table ${table} filled with the configured province's units (the frame units).
INSERT INTO main.${table} BY NAME SELECT * FROM units
