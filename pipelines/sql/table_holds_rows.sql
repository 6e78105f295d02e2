-- Whether the table ${table} holds a row.
SELECT 1 FROM main.${table} LIMIT 1
