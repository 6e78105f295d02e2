-- The communes of the 2025 structure that the units of an account ($units) name: a commune by its 5-digit
-- code; an area ("địa bàn huyện cũ") by its old district code, which takes every commune whose area includes
-- it (a commune formed from two old districts belongs to both). A code that names nothing has one row with
-- commune_code NULL, so the caller can say which code is unknown.
SELECT u.code, a.commune_code, a.commune_name, a.district_name, a.commune_code = u.code AS is_commune
FROM unnest($units::VARCHAR[]) AS u(code)
LEFT JOIN admin_units a ON a.commune_code = u.code OR list_contains(string_split(a.district_code, '+'), u.code)
ORDER BY u.code, a.commune_code
