-- 'adopt': the stored 2025 record learns the legacy commune that sent it first; placed again at publish.
UPDATE main.${table} t SET predecessor_code = s.commune_code, legacy_code = NULL, code_2025 = NULL
FROM _plan p JOIN staged s ON s.source_row = p._srow
WHERE p.action = 'adopt' AND t.rowid = p._trow
