FROM staged s
JOIN (SELECT rowid, * FROM main.${table} WHERE commune_code IN (
          SELECT commune_code FROM staged
          UNION SELECT legacy_code FROM main.unit_successors
                WHERE code_2025 IN (SELECT commune_code FROM staged WHERE unit_era = '2025')
          UNION SELECT code_2025 FROM main.unit_successors
                WHERE legacy_code IN (SELECT commune_code FROM staged WHERE unit_era = 'legacy'))) t
  ON t.${key} = s.${key} AND {{ _same_record }}
