-- The columns the table named $table has in this warehouse, with their types, in their order.
SELECT column_name, data_type FROM information_schema.columns
WHERE table_catalog = current_database() AND table_schema = 'main' AND table_name = $table
ORDER BY ordinal_position
