-- The columns the table named $table has in this warehouse, with their types.
SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = 'main' AND table_name = $table
