-- A column a newer schema declares, added to an older warehouse's table (the rows loaded are kept).
ALTER TABLE main.${table} ADD COLUMN ${column}
