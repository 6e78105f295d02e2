-- A declared table (schemas.warehouse.table_definitions) and its declared columns, when it is missing.
CREATE TABLE IF NOT EXISTS main.${table} (${columns})
