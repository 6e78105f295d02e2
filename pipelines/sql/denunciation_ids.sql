-- The denunciations among the petitions of the given communes, by commune and id: the drill-down marks them,
-- since a role may read them only as counts (pipelines.access.scope.Scope.records).
SELECT DISTINCT 'petition' AS record_kind, commune_code, petition_id AS record_id, 'denunciation' AS petition_kind
FROM petitions
WHERE kind = 'denunciation' AND list_contains($communes::VARCHAR[], commune_code)
