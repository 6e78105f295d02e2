-- The one-structure unit table of a warehouse made before the two structures gives way to units_legacy,
-- units_2025 and unit_successors (a name no schema declares any more, so written here).
DROP TABLE IF EXISTS main.admin_units
