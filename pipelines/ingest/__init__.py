"""Stage 1, ingest: commune exports → one published DuckDB warehouse.

read → headers → normalize → privacy → communes → load → warehouse (publish) → facts; the
entry point is ``pipelines.ingest.pipeline.ingest_files``.
"""
