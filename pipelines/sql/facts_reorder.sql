-- The fact table ${table} written again in its stored order (${order}: pipelines.ingest.facts.STORED_ORDER),
-- once rows an incremental publish appended out of place pass a share of it.
CREATE OR REPLACE TEMP TABLE _reordered AS SELECT * FROM main.${table} ORDER BY ${order};
DELETE FROM main.${table};
INSERT INTO main.${table} SELECT * FROM _reordered;
DROP TABLE _reordered
