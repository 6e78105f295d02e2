-- A fact table goes before it is created again as declared (its views with it).
DROP TABLE IF EXISTS main.${table} CASCADE
