"""Stage 2, engine: the indicators, flags and backlog read from the published facts.

Everything here opens the warehouse read-only and runs the SQL in ``pipelines/sql``.
"""
