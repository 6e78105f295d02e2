-- The hand-off (pipelines.handoff): the table ${table}'s columns ${columns} written as Parquet under $path,
-- partitioned hive-style by province and by the year and month of ${dated}. A row's province is its
-- commune's (the first of ${communes} that is filled, in either structure's unit list), or the warehouse's
-- ($province) when the list does not know it.
COPY (
    SELECT ${columns}, COALESCE(u._province, $province) AS province,
           year(t.${dated}) AS year, month(t.${dated}) AS month
    FROM (SELECT *, COALESCE(${communes}) AS _commune FROM main.${table}) t
    LEFT JOIN (SELECT commune_code AS _code, province_code AS _province FROM main.units_2025
               UNION SELECT commune_code, province_code FROM main.units_legacy) u ON u._code = t._commune
) TO $path (FORMAT parquet, PARTITION_BY (province, year, month), OVERWRITE)
