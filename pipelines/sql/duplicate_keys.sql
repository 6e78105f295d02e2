-- dbt's unique test of the table ${table}: the rows that share their key (${key}) with another row, 0 when
-- the key is unique (pipelines.ingest.checks).
SELECT COALESCE(sum(n), 0)::BIGINT FROM (SELECT count(*) AS n FROM main.${table} GROUP BY ${key} HAVING count(*) > 1)
