-- duplicate_keys.sql among the rows of ${table} an incremental publish wrote and those sharing their key: the
-- rows whose ${scope} hash to one of fact_checks.${table} (fact_checks_scope.sql).
SELECT COALESCE(sum(n), 0)::BIGINT FROM (
    SELECT count(*) AS n FROM main.${table} WHERE hash(${scope}) IN (SELECT h FROM fact_checks.${table})
    GROUP BY ${key} HAVING count(*) > 1)
