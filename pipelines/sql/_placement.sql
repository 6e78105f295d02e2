-- The rule placing a record s in both structures, written once (the loader's INSERTs and
-- derive_structures.sql include it, beside _default_successor_join.sql): a 2025 record is in its commune and,
-- when carried over, in its predecessor (the column predecessor of the including statement); a legacy record
-- is in its commune and its commune's default successor, or in neither structure when the registry gives it none.
CASE WHEN s.unit_era = '2025' THEN predecessor
            WHEN _successor.legacy_code IS NOT NULL THEN s.commune_code END AS legacy_code,
       CASE WHEN s.unit_era = '2025' THEN s.commune_code ELSE _successor.code_2025 END AS code_2025
