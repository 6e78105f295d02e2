-- The province's communes with their district and province, for naming and aggregation.
SELECT commune_code, commune_name, district_code, district_name, province_code, province_name
FROM admin_units
ORDER BY commune_code
