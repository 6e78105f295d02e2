-- Per commune x period (wide): every count the rates and supporting measures need (_period_counts.sql,
-- computed here for any periods), then the counts the configured quotas give (_quotas.sql).
-- stored_commune_counts.sql returns the same rows from period_counts when every period asked for was
-- stored at publish. Parameters as in pipelines.engine.indicators.engine_params.
WITH p AS ({{_periods}}),
counts AS ({{_period_counts}})
{{_quotas}}
