-- The structure's communes with their group (district, or địa bàn huyện cũ) and province, for
-- naming, aggregation, the sidebar and the map.
SELECT commune_code, commune_name, district_code, district_name, province_code, province_name, latitude, longitude
FROM admin_units
ORDER BY district_code, commune_code
