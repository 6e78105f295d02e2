CASE WHEN s.unit_era = '2025' THEN predecessor
            WHEN _successor.legacy_code IS NOT NULL THEN s.commune_code END AS legacy_code,
       CASE WHEN s.unit_era = '2025' THEN s.commune_code ELSE _successor.code_2025 END AS code_2025
