-- The rows of the table ${table}.
SELECT count(*) FROM main.${table}
