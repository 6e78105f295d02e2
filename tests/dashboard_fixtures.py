"""Warehouses for the dashboard tests and benchmark.

``sample_warehouse(dest)`` builds the real sample warehouse: the real ingest over
``data/sample`` (what users get). ``synthetic_warehouse(path, communes, years, ...)`` writes a
warehouse directly with DuckDB SQL (no ingest), for development before the ingest lands and
for the large benchmark (547 communes x 3 years, millions of dossiers).
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SAMPLE_DIR = REPO / "data" / "sample"


def sample_warehouse(dest: Path) -> Path:
    """Ingest data/sample into ``dest`` with the real pipeline; returns the warehouse path."""
    from pipelines.ingest.pipeline import ingest_files
    from schemas.config import load_config

    files = sorted(p for p in SAMPLE_DIR.rglob("*") if p.is_file())
    ingest_files(files, db=dest, config=load_config())
    return dest


def synthetic_warehouse(path: Path, communes: int = 60, years: int = 2, dossiers_per_year: int = 250,
                        end: dt.date = dt.date(2026, 10, 31), seed: float = 0.42) -> Path:
    """A plausible warehouse for ``communes`` real communes of province 38, ``years`` years to ``end``."""
    from pipelines.ingest.warehouse import publishing

    start = dt.date(end.year - years + 1, 1, 1)
    days = (end - start).days + 1
    n_dossiers = dossiers_per_year * years
    with publishing(path, "38") as con:
        con.execute(f"SELECT setseed({seed})")
        con.execute(f"""
            CREATE TEMP TABLE chosen AS
            SELECT commune_code, (hash(commune_code || 'q') % 1000) / 1000.0 AS q
            FROM units_legacy ORDER BY hash(commune_code) LIMIT {communes}""")
        common = "'synthetic.xlsx' AS source_file, '' AS source_sheet, 1 AS source_row, 0::UBIGINT AS row_hash, now()::TIMESTAMP AS loaded_at"
        con.execute(f"""
            INSERT INTO dossiers BY NAME
            WITH base AS (
              SELECT c.commune_code, c.q, r.range AS i,
                     DATE '{start}' + CAST(floor(random() * {days}) AS INTEGER) AS received_date,
                     3 + CAST(floor(random() * 12) AS INTEGER) AS allowed,
                     random() AS u, random() AS v, random() AS w
              FROM chosen c CROSS JOIN range({n_dossiers}) r)
            SELECT commune_code, 'HS' || lpad(i::VARCHAR, 8, '0') AS dossier_id,
                   ['Hộ tịch', 'Chứng thực', 'Đất đai', 'Bảo trợ xã hội', 'Xây dựng'][1 + CAST(floor(v * 5) AS INTEGER)] AS sector,
                   'Thủ tục ' || (1 + CAST(floor(w * 9) AS INTEGER)) AS procedure,
                   CASE WHEN w < 0.45 THEN 'online' WHEN w < 0.95 THEN 'direct' ELSE 'postal' END AS channel,
                   received_date, received_date + allowed AS due_date,
                   CASE WHEN status = 'completed' THEN received_date + done END AS completed_date,
                   status, CAST(floor(v * v * 3) AS INTEGER) AS supplement_requests,
                   NULL AS reported_timeliness,
                   'hash' || (i % 997) AS applicant, {common}
            FROM (SELECT *, CASE WHEN u < 0.02 THEN 'returned' WHEN u < 0.03 THEN 'withdrawn'
                         WHEN received_date > DATE '{end}' - 20 AND u < 0.5 THEN 'pending'
                         WHEN u > 0.995 - q * 0.01 THEN 'pending' ELSE 'completed' END AS status,
                         CASE WHEN v < 0.02 + q * 0.12 THEN allowed + 1 + CAST(floor(w * 10) AS INTEGER)
                              ELSE CAST(floor(w * (allowed + 1)) AS INTEGER) END AS done
                  FROM base) t
            WHERE status <> 'completed' OR received_date + done <= DATE '{end}'
        """)
        con.execute(f"""
            INSERT INTO letters BY NAME
            SELECT d.commune_code, 'XL' || row_number() OVER () AS letter_id, 'apology' AS kind,
                   d.due_date - 1 AS sent_date, 'Xin lỗi trễ hẹn' AS occasion, d.dossier_id,
                   d.due_date + 5 AS new_appointment_date, 'hash' AS recipient, {common}
            FROM dossiers d JOIN chosen c USING (commune_code)
            WHERE d.completed_date > d.due_date AND random() > c.q
        """)
        con.execute(f"""
            INSERT INTO letters BY NAME
            SELECT c.commune_code, 'TH' || row_number() OVER () AS letter_id,
                   ['thanks', 'congratulation', 'condolence'][1 + CAST(floor(random() * 3) AS INTEGER)] AS kind,
                   DATE '{start}' + CAST(floor(random() * {days}) AS INTEGER) AS sent_date, 'Dịp' AS occasion,
                   NULL AS dossier_id, NULL AS new_appointment_date, 'hash' AS recipient, {common}
            FROM chosen c CROSS JOIN range({12 * years}) r
        """)
        con.execute(f"""
            INSERT INTO petitions BY NAME
            SELECT c.commune_code, 'DT' || lpad(r.range::VARCHAR, 6, '0') AS petition_id, kind, received_date,
                   'Trực tiếp' AS source, ['Đất đai', 'GPMB', 'Chính sách', 'Môi trường'][1 + CAST(floor(random() * 4) AS INTEGER)] AS field,
                   true AS within_authority, received_date + CASE kind WHEN 'petition' THEN 21 ELSE 40 END AS due_date,
                   CASE WHEN outcome <> 'pending' THEN received_date + CAST(floor(random() * 50) AS INTEGER) END AS resolved_date,
                   outcome, random() < 0.05 + c.q * 0.1 AS escalated, 'hash' AS petitioner, {common}
            FROM chosen c CROSS JOIN range({15 * years}) r,
                 LATERAL (SELECT DATE '{start}' + CAST(floor(random() * {days}) AS INTEGER) AS received_date,
                                 ['complaint', 'denunciation', 'petition', 'petition'][1 + CAST(floor(random() * 4) AS INTEGER)] AS kind,
                                 ['resolved', 'resolved', 'resolved', 'transferred', 'withdrawn', 'filed', 'pending'][1 + CAST(floor(random() * 7) AS INTEGER)] AS outcome)
        """)
        con.execute(f"""
            INSERT INTO dialogues BY NAME
            SELECT c.commune_code, 'HN' || r.range AS dialogue_id,
                   DATE '{start}' + CAST(floor(random() * {days}) AS INTEGER) AS dialogue_date,
                   'Chủ tịch UBND' AS chair, true AS chair_is_head, 'Đối thoại với Nhân dân' AS topic,
                   40 + CAST(floor(random() * 100) AS INTEGER) AS attendees, 10 AS opinions_raised,
                   10 - CAST(floor(random() * 4 * c.q) AS INTEGER) AS opinions_answered, {common}
            FROM chosen c CROSS JOIN range({years * 2}) r WHERE random() > c.q * 0.5
        """)
        con.execute(f"""
            INSERT INTO surveys BY NAME
            SELECT c.commune_code, 'PK' || r.range AS response_id,
                   DATE '{start}' + CAST(floor(random() * {days}) AS INTEGER) AS survey_date, NULL AS dossier_id,
                   LEAST(5, 2 + CAST(floor(random() * 3.6 + 0.4 - c.q * 0.6) AS INTEGER)) AS overall,
                   LEAST(5, 3 + CAST(floor(random() * 2.8 - c.q * 0.5) AS INTEGER)) AS respect,
                   LEAST(5, 3 + CAST(floor(random() * 2.8 - c.q * 0.5) AS INTEGER)) AS civility,
                   LEAST(5, 3 + CAST(floor(random() * 2.8 - c.q * 0.5) AS INTEGER)) AS guidance,
                   LEAST(5, 3 + CAST(floor(random() * 2.8 - c.q * 0.5) AS INTEGER)) AS explanation,
                   random() < 0.02 AS harassment, {common}
            FROM chosen c CROSS JOIN range({40 * years}) r
        """)
        con.execute("""
            INSERT INTO ingest_log BY NAME
            SELECT 'ho_so_' || commune_code || '.xlsx' AS file_name, 'data/' || commune_code AS file_path,
                   'abc' || commune_code AS file_checksum, '' AS sheet, 'dossier' AS kind, commune_code AS communes,
                   n + 1 AS rows_read, n AS rows_inserted, 0 AS rows_updated, 0 AS rows_unchanged,
                   1 AS rows_quarantined, '' AS unknown_columns, '' AS message, now()::TIMESTAMP AS ingested_at
            FROM (SELECT commune_code, count(*) AS n FROM dossiers GROUP BY ALL)
        """)
        con.execute("""
            INSERT INTO quarantine BY NAME
            SELECT 'ho_so_' || commune_code || '.xlsx' AS file_name, 'abc' AS file_checksum, '' AS sheet,
                   7 AS row_number, 'dossier' AS kind, commune_code, 'HSX' AS record_id, 'bad_date' AS reason_code,
                   'Cột "Ngày tiếp nhận": giá trị "31/02/2024" không phải ngày hợp lệ' AS message_vi,
                   '{"Ngày tiếp nhận": "31/02/2024"}' AS raw_values, now()::TIMESTAMP AS quarantined_at
            FROM chosen
        """)
    return path


if __name__ == "__main__":  # python tests/dashboard_fixtures.py OUT [communes years dossiers_per_year]
    import sys
    import time

    t0 = time.perf_counter()
    out = Path(sys.argv[1])
    args = [int(a) for a in sys.argv[2:5]]
    if out.exists():
        os.remove(out)
    synthetic_warehouse(out, *args)
    print(f"wrote {out} in {time.perf_counter() - t0:.1f}s")


# ------------------------------------------------------------------ pytest helpers
PAGE_FILES = ["tong_quan", *sorted(p.stem for p in (REPO / "dashboard" / "pages").glob("*.py")
                                   if p.stem not in ("tong_quan", "__init__"))]
"""Every page of the dashboard by its file name, the start page first."""
ADMIN_PAGE_FILES = ("tai_khoan", "nhat_ky")
FILTERED_PAGE_FILES = [page for page in PAGE_FILES if page not in ADMIN_PAGE_FILES]
"""The pages that show figures under the sidebar's filters (the administrator's pages have none)."""

_BUILT: dict[str, Path] = {}


def dashboard_db() -> Path:
    """The sample warehouse built once per session (real ingest over data/sample) in a temp dir.

    ``DVCQ_TEST_DB`` points at an existing warehouse to skip the build (local iteration).
    """
    if "db" not in _BUILT:
        given = os.environ.get("DVCQ_TEST_DB")
        if given:
            _BUILT["db"] = Path(given)
        else:
            import tempfile
            dest = Path(tempfile.mkdtemp(prefix="dvcq-dash-")) / "sample.duckdb"
            _BUILT["db"] = sample_warehouse(dest)
    return _BUILT["db"]


TEST_PASSWORD = "mat-khau-kiem-thu-{role}"
"""The test accounts' passwords (one per role); never a real deployment's."""

_SESSIONS: dict[tuple[str, str], str] = {}
_ACCOUNTS: dict[str, dict[str, str]] = {}
_BROWSER: dict[str, str | None] = {"cookie": None}


def test_accounts(db: Path) -> dict[str, str]:
    """role -> login of one account per role in ``db``'s account store (the sample accounts' units: the busiest
    commune and its area), each with ``TEST_PASSWORD``; made once per process, the password set again when a
    reused store (``DVCQ_TEST_DB``) holds the account already."""
    if str(db) in _ACCOUNTS:
        return _ACCOUNTS[str(db)]
    from pipelines.access.store import AccessStore, accounts_path
    from pipelines.cli.users import SAMPLE_LOGINS, sample_plan
    from schemas.config import load_config

    store = AccessStore(accounts_path(db), load_config().access)
    try:
        _, plan = sample_plan(str(db))
    except Exception:  # noqa: BLE001 - no warehouse, an empty or a damaged one: the roles that need no unit
        plan = [(login, role, []) for role, login in SAMPLE_LOGINS.items()]
    for login, role, units in plan:
        password = TEST_PASSWORD.format(role=role)
        if store.account(login) is None:
            store.add(login, role, units, password, by="test")
        elif store.sign_in(login, password).cookie is None:  # made by `dvcq users sample`, or locked by a test
            store.set_password(login, password, by="test")
    _ACCOUNTS[str(db)] = {role: login for login, role, _ in plan}
    return _ACCOUNTS[str(db)]


test_accounts.__test__ = False  # a helper whose name starts with "test": pytest must not collect it where imported


def session_cookie(role: str, db: Path | None = None) -> str:
    """The signed cookie of a real sign-in (``AccessStore.sign_in``) of the test account of ``role``."""
    from pipelines.access.store import AccessStore, accounts_path
    from schemas.config import load_config

    db = db or dashboard_db()
    if (str(db), role) not in _SESSIONS:
        login = test_accounts(db)[role]
        signed = AccessStore(accounts_path(db), load_config().access).sign_in(login, TEST_PASSWORD.format(role=role))
        assert signed.cookie, signed.message
        _SESSIONS[str(db), role] = signed.cookie
    return _SESSIONS[str(db), role]


def browser_cookie(cookie: str | None) -> None:
    """What the next AppTest runs receive as the browser's session cookie (None: no cookie).

    AppTest has no browser connection, so ``st.context.cookies`` is empty there; this gives its runs the
    cookie a browser would send. Only the transport is stood in for: the cookie comes from a real sign-in
    and the app checks it as it checks a browser's (signature, session, expiry, account)."""
    import streamlit.runtime.context as context

    from pipelines.access.store import COOKIE_NAME

    _navigation_from_the_entry_script()  # every AppTest sent a cookie runs pages as the server does
    _BROWSER["cookie"] = cookie
    if not getattr(context, "_dvcq_test_client", False):
        def client():
            cookies = {COOKIE_NAME: _BROWSER["cookie"]} if _BROWSER["cookie"] else {}
            return type("TestClient", (), {"cookies": cookies, "headers": {}, "remote_ip": "127.0.0.1"})()
        context._get_client_context = client
        context._dvcq_test_client = True


def _navigation_from_the_entry_script() -> None:
    """Make AppTest run the entry script for every page, as ``dashboard.serve`` makes the server do.

    AppTest forgets at each run that the app uses ``st.navigation`` and, seeing ``dashboard/pages/``, runs
    an opened page's file on its own (Streamlit's old multipage mode): without the entry script's sign-in
    check, its menu or its refusals. The flag is set again after each of its resets, as the launcher sets
    it once for the server."""
    from streamlit.runtime.pages_manager import PagesManager

    if getattr(PagesManager, "_dvcq_navigation", False):
        return
    reset = PagesManager.__init__

    def init(self, *args, **kwargs):
        reset(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    PagesManager.__init__ = init
    PagesManager._dvcq_navigation = True


def new_app(page: str | None = None, timeout: float = 90, params: dict[str, str] | None = None,
            role: str | None = "quan_tri"):
    """An AppTest of the entry script on ``page`` (file name under dashboard/pages), already run, opened
    with ``params`` in its URL as a shared link would be, signed in as the test account of ``role`` (None:
    not signed in)."""
    from streamlit.testing.v1 import AppTest

    _navigation_from_the_entry_script()
    os.environ["DVCQ_DB"] = str(dashboard_db())
    browser_cookie(session_cookie(role) if role else None)
    at = AppTest.from_file(str(REPO / "dashboard" / "app.py"), default_timeout=timeout)
    at.query_params.update(params or {})
    if page and page != "tong_quan":
        at.switch_page(f"pages/{page}.py")  # the first run opens the page itself, as a link to it does
    return at.run()


def sql_one(query: str, *params, era: str | None = None):
    """One value, computed independently of the pages, in the structure the pages show by default
    (the one in force on the data's last day) unless ``era`` says otherwise."""
    import duckdb

    from schemas.admin_unit import ERA_SCHEMA, default_era

    with duckdb.connect(str(dashboard_db()), read_only=True) as con:
        if era is None:
            last = con.execute("SELECT max(greatest(received_date, completed_date)) FROM main.dossiers").fetchall()[0][0]
            era = default_era(last)
        con.execute(f"SET search_path = '{ERA_SCHEMA[era]},main'")
        return con.execute(query, list(params)).fetchall()[0][0]


def metric(at, label: str) -> str:
    hits = [m.value for m in at.metric if m.label == label]
    assert hits, f"no metric {label!r}; have {[m.label for m in at.metric]}"
    return hits[0]


def no_errors(at) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
