-- Records of ${table} not placed in both structures yet (those an 'adopt' reopened, and those of a warehouse
-- made before records were placed as they were inserted) placed with the loader's rule (_placement.sql).
UPDATE main.${table} t SET legacy_code = x.legacy_code, code_2025 = x.code_2025
FROM (SELECT s._id, {{ _placement }}
      FROM (SELECT rowid AS _id, *, predecessor_code AS predecessor FROM main.${table} WHERE code_2025 IS NULL) s
      {{ _default_successor_join }}) x
WHERE t.rowid = x._id AND x.code_2025 IS NOT NULL
