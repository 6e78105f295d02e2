-- The communes asked for (all of admin_units when the list is NULL), with their district (or địa
-- bàn huyện cũ) and province.
SELECT commune_code, commune_name, district_code, district_name, province_code, province_name
FROM admin_units
WHERE $communes::VARCHAR[] IS NULL OR list_contains($communes::VARCHAR[], commune_code)
