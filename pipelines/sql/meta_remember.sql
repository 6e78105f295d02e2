-- Remember $value under $name (after meta_forget.sql: one value a name).
INSERT INTO main.warehouse_meta VALUES ($name, $value)
