-- commune_counts.sql's rows for periods stored at publish (period_counts: every calendar month,
-- quarter and year of the data, see schemas.periods.stored_periods): the stored quota-free counts of the periods
-- asked for, then the same quota step. A period that was not stored has no rows here (the engine then
-- runs commune_counts.sql). Parameters as in pipelines.engine.indicators.engine_params.
WITH p AS ({{_periods}}),
counts AS (SELECT * FROM period_counts
           WHERE $communes::VARCHAR[] IS NULL OR list_contains($communes::VARCHAR[], commune_code))
{{_quotas}}
