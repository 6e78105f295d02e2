-- The table ${table} emptied before it is filled again (a unit table, the calendar, a fact table, codes).
DELETE FROM main.${table}
