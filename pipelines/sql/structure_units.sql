-- The schemas of the two structures, and in each the view admin_units: the structure's communes with the
-- grouping above them (district_*: the district in the legacy structure, the 'địa bàn huyện cũ' in the
-- 2025 one). A legacy commune's province is the current one of its successor, in both structures (legacy
-- communes of a merged province, e.g. Hà Nam's in new Ninh Bình, belong to it).
CREATE SCHEMA IF NOT EXISTS ${legacy};
CREATE SCHEMA IF NOT EXISTS ${current};
CREATE OR REPLACE VIEW ${legacy}.admin_units AS
    SELECT l.commune_code, l.commune_name, l.district_code, l.district_name, p.province_code, p.province_name,
           l.latitude, l.longitude
    FROM main.units_legacy l
    LEFT JOIN main.unit_successors s ON s.legacy_code = l.commune_code AND s.is_default
    LEFT JOIN main.units_2025 p ON p.commune_code = s.code_2025;
CREATE OR REPLACE VIEW ${current}.admin_units AS
    SELECT commune_code, commune_name, area_code AS district_code, area_name AS district_name,
           province_code, province_name, latitude, longitude FROM main.units_2025
