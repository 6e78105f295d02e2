-- The hand-off (pipelines.handoff): the codes table as Parquet under $path, in the folder of the warehouse's
-- province ($province), so that provinces' folders put side by side do not overwrite each other's.
COPY (SELECT *, $province AS province FROM main.codes) TO $path (FORMAT parquet, PARTITION_BY (province), OVERWRITE)
