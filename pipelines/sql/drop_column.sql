-- A column an older schema stored in a record table and this one derives elsewhere
-- (schemas.records.RETIRED_COLUMNS), so no reader finds two.
ALTER TABLE main.${table} DROP COLUMN ${column}
