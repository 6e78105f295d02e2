-- The plan's rows counted as the ingest reports them: inserted, updated, unchanged, older.
SELECT count(*) FILTER (action = 'insert'), count(*) FILTER (action IN ('replace', 'adopt')),
       count(*) FILTER (action = 'same'), count(*) FILTER (action = 'older')
FROM _plan
