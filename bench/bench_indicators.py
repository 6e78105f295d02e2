"""Benchmark of the indicator engine on a province-sized synthetic warehouse.

Usage: .venv/bin/python bench/bench_indicators.py [--db /tmp/dvcq-bench5m.duckdb] [--dossiers-per-year 3050]
       [--rebuild] [--repeat 7] [--only indicator_table] [--cpu]

Builds (once; reused unless --rebuild or its facts were built by other rules) a warehouse of all
547 Thanh Hóa communes x 3 years (2022–2024) with DuckDB SQL (``range()`` and ``hash()``),
published like an ingest (facts and rollups built), then times, on a read-only connection, the
median of ``--repeat`` runs, each alternating with the floor query (``SELECT commune_code, COUNT(*)
FROM dossiers GROUP BY commune_code``) so that every ratio compares runs made under the same load,
of: ``indicator_table`` for communes and for districts (year 2024), ``flag_table`` for communes,
``backlog_table`` and a 36-month ``trend_table`` for the province, each in the legacy structure
(547 communes, 26 districts) and in the 2025 one (166 communes; the legacy records rolled up to
their successors). Goals: the commune indicator table within 2x the floor; flags and the trend
under 300 ms. The year 2024 and the 36 months are stored periods (``period_counts``, built at publish):
their counts are read, not computed; a warehouse built before that table existed is rebuilt (its
facts' fingerprint differs).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pipelines.engine.backlog import backlog_table  # noqa: E402
from pipelines.engine.flags import flag_table  # noqa: E402
from pipelines.engine.indicators import Period, indicator_table, trend_table  # noqa: E402
from pipelines.sql import InStructure  # noqa: E402
from pipelines.ingest.warehouse import connect_read_only, is_current, publishing  # noqa: E402
from schemas.config import load_config  # noqa: E402

GENERATE = {
    "dossiers": """
        INSERT INTO dossiers (commune_code, dossier_id, sector, procedure, channel, received_date, due_date,
                              completed_date, status, supplement_requests)
        WITH c AS (SELECT commune_code, row_number() OVER (ORDER BY commune_code) - 1 AS k FROM units_legacy),
        r AS (SELECT i, hash(i) AS h1, hash(i + 7919) AS h2, hash(i + 104729) AS h3
              FROM range($n) t(i)),
        d AS (SELECT i, c.commune_code, h1, h2, h3,
                     DATE '2022-01-01' + (h1 % 1096)::INTEGER AS received,
                     5 + (h2 % 10)::INTEGER AS span, (h3 % 100)::INTEGER AS fate
              FROM r JOIN c ON c.k = r.i % 547)
        SELECT commune_code, 'D' || i, 'Hộ tịch', 'Thủ tục ' || (h2 % 40), CASE WHEN fate < 30 THEN 'online' ELSE 'direct' END,
               received, received + span,
               CASE WHEN fate < 96 AND h3 % 25 = 0 THEN received + span + 1 + (h1 % 5)::INTEGER  -- 4 % late
                    WHEN fate < 96 THEN received + span - (h3 % 4)::INTEGER END,
               CASE WHEN fate < 96 THEN 'completed' WHEN fate < 98 THEN 'returned'
                    WHEN received > DATE '2024-11-01' OR fate = 99 THEN 'pending' ELSE 'withdrawn' END,
               (h1 % 3)::INTEGER
        FROM d""",
    "letters": """
        INSERT INTO letters (commune_code, letter_id, kind, sent_date, dossier_id)
        SELECT commune_code, 'L' || dossier_id, 'apology', due_date - 1,
               CASE WHEN hash(dossier_id) % 3 = 0 THEN NULL ELSE dossier_id END
        FROM dossiers WHERE completed_date > due_date AND hash(dossier_id) % 10 < 8
        UNION ALL
        SELECT a.commune_code, 'T' || a.commune_code || '-' || i, CASE i % 3 WHEN 0 THEN 'thanks'
               WHEN 1 THEN 'congratulation' ELSE 'condolence' END, DATE '2022-01-05' + (i * 37 % 1090)::INTEGER, NULL
        FROM units_legacy a, range(30) t(i)""",
    "petitions": """
        INSERT INTO petitions (commune_code, petition_id, kind, received_date, due_date, resolved_date, outcome,
                               escalated, within_authority)
        SELECT a.commune_code, 'P' || a.commune_code || '-' || i,
               CASE i % 3 WHEN 0 THEN 'complaint' WHEN 1 THEN 'denunciation' ELSE 'petition' END,
               DATE '2022-01-03' + (hash(a.commune_code || i) % 1090)::INTEGER AS received,
               CASE WHEN i % 2 = 0 THEN DATE '2022-01-03' + (hash(a.commune_code || i) % 1090)::INTEGER + 30 END,
               CASE WHEN i % 7 <> 0 THEN DATE '2022-01-03' + (hash(a.commune_code || i) % 1090)::INTEGER
                    + (hash(i) % 50)::INTEGER END,
               CASE WHEN i % 7 = 0 THEN 'pending' WHEN i % 5 = 0 THEN 'transferred' ELSE 'resolved' END,
               i % 11 = 0, TRUE
        FROM units_legacy a, range(60) t(i)""",
    "dialogues": """
        INSERT INTO dialogues (commune_code, dialogue_id, dialogue_date, attendees, opinions_raised, opinions_answered,
                               chair_is_head)
        SELECT commune_code, 'H' || commune_code || '-' || i, DATE '2022-02-15' + (i * 130 + hash(commune_code) % 60)::INTEGER,
               40 + i, 10 + i % 5, 8 + i % 5, TRUE
        FROM units_legacy, range(8) t(i) WHERE hash(commune_code || i) % 10 < 8""",
    "surveys": """
        INSERT INTO surveys (commune_code, response_id, survey_date, overall, respect, civility, guidance, explanation,
                             harassment)
        SELECT d.commune_code, 'S' || d.dossier_id, d.completed_date, (3 + hash(d.dossier_id) % 3)::TINYINT,
               (2 + hash(d.dossier_id || 'r') % 4)::TINYINT, (3 + hash(d.dossier_id || 'c') % 3)::TINYINT,
               (3 + hash(d.dossier_id || 'g') % 3)::TINYINT, NULL, hash(d.dossier_id) % 200 = 0
        FROM dossiers d WHERE d.status = 'completed' AND hash(d.dossier_id || 's') % 5 = 0""",
}


def build(db: Path, dossiers: int) -> None:
    db.unlink(missing_ok=True)
    with publishing(db, "38") as con:
        for name, sql in GENERATE.items():
            started = time.perf_counter()
            con.execute(sql, {"n": dossiers} if "$n" in sql else None)
            print(f"  built {name} in {time.perf_counter() - started:.1f} s", flush=True)


def timed(fn, floor, repeat: int, clock=time.perf_counter) -> tuple[float, float, object]:
    """Median seconds of ``fn`` and of the floor query run alternately with it, and fn's last result:
    the machine is shared, so each ratio compares runs made under the same load."""
    times, floors, result = [], [], None
    for _ in range(repeat):
        started = clock()
        floor()
        floors.append(clock() - started)
        started = clock()
        result = fn()
        times.append(clock() - started)
    return statistics.median(times), statistics.median(floors), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=Path("/tmp/dvcq-bench5m.duckdb"))
    parser.add_argument("--dossiers-per-year", type=int, default=3050, help="per commune (3050: 5 M dossiers)")
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--only", default="", help="time only the measures whose name contains this text")
    parser.add_argument("--cpu", action="store_true",
                        help="CPU time of the process with DuckDB on one thread instead of wall time: the work "
                             "done, which a shared machine's load hardly changes (the floor no longer runs on "
                             "two cores)")
    args = parser.parse_args()
    if args.rebuild or not args.db.exists() or not is_current(args.db):  # facts of other rules: rebuilt
        print(f"building {args.db} ...", flush=True)
        build(args.db, 547 * 3 * args.dossiers_per_year)
    config = load_config()
    con = connect_read_only(args.db)
    if args.cpu:
        con.execute("SET threads = 1")
    sizes = {t: con.sql(f"SELECT count(*) FROM {t}").fetchall()[0][0]
             for t in ("dossiers", "letters", "petitions", "dialogues", "surveys")}
    print(f"warehouse {args.db} ({os.path.getsize(args.db) / 1e6:.0f} MB): "
          + ", ".join(f"{t} {n:,}" for t, n in sizes.items()))
    print(f"machine: {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}; median of {args.repeat} runs, each "
          "alternating with the floor (SELECT commune_code, COUNT(*) FROM dossiers GROUP BY commune_code)"
          + ("; CPU time, DuckDB on one thread" if args.cpu else ""))
    period = Period(dt.date(2024, 1, 1), dt.date(2024, 12, 31), dt.date(2024, 12, 31))

    def floor():
        cur = con.cursor()
        return cur.sql("SELECT commune_code, COUNT(*) FROM dossiers GROUP BY commune_code").fetchall()

    cases = {}
    for era in ("legacy", "2025"):
        seen = InStructure(con, era)
        cases |= {
            f"[{era}] indicator_table(commune, 2024)": lambda s=seen: indicator_table(s, config, "commune", period),
            f"[{era}] indicator_table(district, 2024)": lambda s=seen: indicator_table(s, config, "district", period),
            f"[{era}] flag_table(commune, 2024)": lambda s=seen: flag_table(s, config, "commune", period),
            f"[{era}] backlog_table(as of 31/12/2024)": lambda s=seen: backlog_table(s, config, period.as_of),
            f"[{era}] trend_table(province, 36 months)": lambda s=seen: trend_table(
                s, config, "province", None, dt.date(2022, 1, 1), dt.date(2024, 12, 31), "month"),
        }
    floor()  # warm the floor's blocks too
    print(f"{'measure':<46} {'time':>8} {'floor':>7} {'x floor':>8}")
    for name, fn in cases.items():
        if args.only not in name:
            continue
        fn()  # warm: the first call plans caches and reads blocks
        seconds, base, result = timed(fn, floor, args.repeat, time.process_time if args.cpu else time.perf_counter)
        rows = len(result) if isinstance(result, list) else result.height
        print(f"{name:<46} {seconds * 1000:6.0f} ms {base * 1000:4.0f} ms {seconds / base:7.1f}x  ({rows:,} rows)",
              flush=True)
    con.close()


if __name__ == "__main__":
    main()
