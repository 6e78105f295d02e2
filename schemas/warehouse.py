"""Every warehouse table and its columns: the one place the DDL, the docs and the explorer read from.

Record tables come from ``schemas.records``, unit tables from ``schemas.admin_unit``; the rest
are declared here: what the ingest writes beside the records (quarantine, ingest log, meta),
the working-day calendar, the facts the publish derives from the records (one row per dossier
or petition with its derived dates and states, the few dossiers that were ever late, a daily
rollup of every count an indicator needs, its monthly sums, and each commune's counts of every
calendar month, quarter and year of the data) and the codes table of the vocabularies. The facts
are brought up to date at every publish by ``pipelines.ingest.facts`` (built again where the loaded
files changed the records, or whole); the rules that derive them are stated
once, in its SQL.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from schemas.admin_unit import ERAS, UNIT_KEYS, UNIT_TABLES, required_fields, sql_types
from schemas.records import DOSSIER, OPEN_STATE_COLUMNS, PETITION, RECORD_SCHEMAS, SYSTEM_COLUMNS, RecordSchema
from schemas.catalog import PUBLISHED_VOCABULARIES
from schemas.vocabularies import LETTER_KIND, PETITION_KIND, PETITION_OUTCOME, TIMELINESS, VOCABULARIES

Columns = list[tuple[str, str, str]]

QUARANTINE_COLUMNS: Columns = [
    ("file_name", "VARCHAR", "File name the row came from."),
    ("file_checksum", "VARCHAR", "SHA-256 of the file's bytes."),
    ("sheet", "VARCHAR", "Sheet name (workbooks) or empty."),
    ("row_number", "INTEGER", "1-based row number in the file or sheet, title rows included."),
    ("kind", "VARCHAR", "Record kind the file holds."),
    ("commune_code", "VARCHAR", "Commune code when it could be resolved, else empty."),
    ("unit_era", "VARCHAR", "List the commune code is in: 'legacy' or '2025' (empty when unresolved)."),
    ("record_id", "VARCHAR", "The row's record id when it has one."),
    ("reason_code", "VARCHAR", "Machine-readable reason, e.g. bad_date, unknown_commune."),
    ("message_vi", "VARCHAR", "The reason in Vietnamese, naming the column and the value."),
    ("raw_values", "VARCHAR", "The row's raw values as JSON (personal data already hashed)."),
    ("quarantined_at", "TIMESTAMP", "When the row was quarantined."),
]

INGEST_LOG_COLUMNS: Columns = [
    ("file_name", "VARCHAR", "File name."),
    ("file_path", "VARCHAR", "Path as given to the ingest."),
    ("file_checksum", "VARCHAR", "SHA-256 of the file's bytes."),
    ("sheet", "VARCHAR", "Sheet name (workbooks) or empty."),
    ("kind", "VARCHAR", "Record kind detected or given."),
    ("communes", "VARCHAR", "Commune codes the rows resolved to, comma-separated."),
    ("unit_era", "VARCHAR", "Structure the file was read in: 'legacy', '2025', or empty when undecided."),
    ("rows_read", "INTEGER", "Data rows read below the header."),
    ("rows_inserted", "INTEGER", "New records."),
    ("rows_updated", "INTEGER", "Records replaced by a changed re-export."),
    ("rows_unchanged", "INTEGER", "Records already loaded with the same content."),
    ("rows_quarantined", "INTEGER", "Rows put in the quarantine table."),
    ("unknown_columns", "VARCHAR", "Headers that match no alias, comma-separated (reported, not loaded)."),
    ("message", "VARCHAR", "Notes on the file (how the commune was resolved, etc.)."),
    ("ingested_at", "TIMESTAMP", "When the file was ingested."),
    ("rows_older", "INTEGER", "Rows of an export older than the stored record, rightly not applied (an older export "
                              "never reopens a closed record nor overwrites its successor's); part of rows_read."),
    ("rows_missing", "INTEGER", "Records of the file's communes still pending in the warehouse, received within the "
                                "span of dates the file covers, that the file no longer lists (not part of rows_read; "
                                "listed in message)."),
    ("rows_closed", "INTEGER", "Of rows_missing, the records this file closed as withdrawn on its latest event date for "
                               "their commune (ingest.missing_from_newer_export = \"close\"); 0 when they are only "
                               "reported."),
]

META_COLUMNS: Columns = [
    ("name", "VARCHAR", "What is remembered, e.g. key_fingerprint."),
    ("value", "VARCHAR", "Its value (never a secret: the key's fingerprint, not the key)."),
]

CALENDAR_COLUMNS: Columns = [
    ("day", "DATE", "Calendar day."),
    ("is_working_day", "BOOLEAN", "Monday–Friday and not a Vietnamese public holiday (lunar ones included)."),
    ("working_day_index", "INTEGER", "Running count of working days up to and including this day."),
    ("holiday_name", "VARCHAR", "Holiday name from the `holidays` package, if any."),
]

_PLACE: Columns = [
    ("legacy_code", "VARCHAR", "The record's commune in the legacy structure (none for a 2025 record not carried over)."),
    ("code_2025", "VARCHAR", "The record's commune in the 2025 structure."),
]

def _as_recorded(schema: RecordSchema, *names: str) -> Columns:
    """Record columns a fact carries unchanged: their type and meaning are the record table's, stated once
    in ``schemas.records``."""
    return [(c.name, c.sql_type, c.description) for c in map(schema.column, names)]


def _as_in(columns: Columns, *names: str) -> Columns:
    """Columns another fact table already declares, carried unchanged."""
    declared = {column[0]: column for column in columns}
    return [declared[name] for name in names]


DOSSIER_FACTS_COLUMNS: Columns = _PLACE + _as_recorded(
    DOSSIER, "dossier_id", "channel", "status", "sector", "procedure", "received_date", "due_date",
    "completed_date") + [
    ("closed_date", "DATE", "When it stopped being pending: the completion (or return, withdrawal) date, never "
                            "before receipt; NULL while pending. Open at a day d: received ≤ d < closed_date."),
    ("timeliness", "VARCHAR", "early / on_time / late for a completed dossier: its dates decide; the exported "
                              "timeliness only when a date is missing."),
] + _as_recorded(DOSSIER, "supplement_requests")

LATE_DOSSIER_COLUMNS: Columns = _PLACE + _as_in(
    DOSSIER_FACTS_COLUMNS, "dossier_id", "status", "sector", "procedure", "received_date", "due_date",
    "completed_date", "closed_date", "timeliness") + [
    ("named_apology_date", "DATE", "First apology letter of the same commune naming this dossier."),
    ("apology_after_completion", "BOOLEAN", "Completed late and first named by an apology sent after its completion: "
                                            "whether the apology counts for a period depends on the as-of date, so "
                                            "the engine reads these rows (stored last) beside the daily rollup."),
    ("due_working_day_index", "INTEGER", "calendar.working_day_index of the due date (ages in working days)."),
    ("overdue_from", "DATE", "First day it is overdue: received by then and due before it (NULL: never overdue). "
                             "Overdue at a day d: overdue_from <= d < overdue_until."),
    ("overdue_until", "DATE", "The day it stopped being overdue: its closed_date (NULL: still open)."),
]

PETITION_FACTS_COLUMNS: Columns = _PLACE + _as_recorded(PETITION, "petition_id", "kind", "field", "received_date") + [
    ("due_date", "DATE", "Effective due date: the recorded one, else receipt plus the statutory days of its kind "
                         "(calendar days for complaints and denunciations, working days otherwise)."),
    ("due_date_derived", "BOOLEAN", "The due date is the statutory one (none was recorded)."),
    ("outcome", "VARCHAR", "Outcome at the last export; pending when none."),
] + _as_recorded(PETITION, "resolved_date") + [
    ("closed_date", "DATE", "When it was closed: the resolved date of a petition with an outcome other than "
                            "pending; NULL while open. Closed at a day d: closed_date ≤ d."),
] + _as_recorded(PETITION, "escalated", "within_authority") + [
    ("due_working_day_index", "INTEGER", "calendar.working_day_index of the due date."),
    ("overdue_from", "DATE", "First day it is overdue (NULL: never). Overdue at d: overdue_from <= d < overdue_until."),
    ("overdue_until", "DATE", "Its closed_date (NULL: still open)."),
]

# Each count of the daily rollup and the date that places it on a day.
DAILY_COUNTS: dict[str, str] = {
    "dossiers_received": "dossiers received that day",
    "dossiers_online": "of them submitted online",
    "dossiers_returned": "of them returned (status)",
    "dossiers_withdrawn": "of them withdrawn (status)",
    "dossiers_closed": "dossiers whose closed_date is that day",
    "dossiers_completed": "dossiers completed that day",
    "dossiers_early": "of them early",
    "dossiers_on_time": "of them on time",
    "dossiers_late": "of them late",
    "dossiers_timed": "of them with a known timeliness",
    "late_named_by_completion": "late dossiers completed that day named by an apology letter sent by then",
    "supplements_within_rule": "of them asked for papers at most the allowed number of times",
    "supplements_known": "of them with a known number of requests",
    "dossiers_overdue_entries": "late dossiers whose overdue_from is that day",
    "dossiers_overdue_exits": "overdue dossiers closed that day (overdue_until)",
    "overdue_named_entries": "overdue dossiers that are, from that day, named by an apology letter",
    "overdue_named_exits": "overdue dossiers named by an apology letter closed that day",
    "letters_apology": "apology letters sent that day",
    "letters_thanks": "thanks letters sent that day",
    "letters_congratulation": "congratulation letters sent that day",
    "letters_condolence": "condolence letters sent that day",
    "apologies_unnamed": "apology letters sent that day naming no dossier",
    "petitions_received": "petitions received that day (their kinds and outcomes: petition_facts)",
    "petitions_closed": "petitions whose closed_date is that day",
    "petitions_overdue_entries": "petitions whose overdue_from is that day",
    "petitions_overdue_exits": "overdue petitions closed that day (overdue_until)",
    "dialogues": "dialogue meetings held that day",
    "dialogue_attendees": "their attendees",
    "opinions_raised": "opinions raised (meetings that recorded both raised and answered)",
    "opinions_answered": "of them answered, at most the number raised",
    "survey_responses": "survey responses of that day",
    "harassment_reports": "of them reporting hassle or harassment",
    **{f"{column}_{part}": f"{column} ratings {words}" for column in ("overall", "respect", "civility", "guidance",
                                                                      "explanation")
       for part, words in (("satisfied", "at or above the satisfied rating"), ("rated", "given"))},
}

DAILY_COUNTS_COLUMNS: Columns = _PLACE + [("day", "DATE", "The day the counts fall on.")] + [
    (name, "BIGINT", f"Count of {what}.") for name, what in DAILY_COUNTS.items()]

# The same counts summed per calendar month: a period's whole months are read here, its edge days in
# daily_counts, so a year is 12 rows per commune, not 366. Every month from the commune's first count
# to the last month of the data is a row (zeros when nothing happened) carrying each stock's level at
# its end: a stock at an as-of date is its month's level less that month's days after the date
# (daily_counts), one row per commune however long ago the stock began.
STOCK_LEVELS: dict[str, str] = {
    "dossiers_pending_level": "dossiers open (dossiers_received - dossiers_closed, running)",
    "dossiers_overdue_level": "dossiers overdue (dossiers_overdue_entries - dossiers_overdue_exits, running)",
    "overdue_named_level": "overdue dossiers named by an apology (overdue_named_entries - overdue_named_exits, running)",
    "petitions_overdue_level": "petitions overdue (petitions_overdue_entries - petitions_overdue_exits, running)",
}
MONTHLY_COUNTS_COLUMNS: Columns = _PLACE + [("month", "DATE", "First day of the month the counts fall in.")] + [
    (name, "BIGINT", f"Count of {what}, summed over the month.") for name, what in DAILY_COUNTS.items()] + [
    (name, "BIGINT", f"Stock at the end of the month: {what}.") for name, what in STOCK_LEVELS.items()]

# The quota-free counts of commune_counts for the periods stored at publish (schemas.periods.stored_periods),
# per structure and commune: the engine reads them for those periods instead of computing them (the
# yearly quotas are applied on reading, so a changed quota needs no rebuild). In the order the counts
# query returns its columns, which the engine returns either way (tests/test_catalog.py checks it).
_SUMMED = "daily_counts.{} summed over the period."
PERIOD_COUNTS: dict[str, str] = {
    **{name: _SUMMED.format(name) for name in ("dossiers_received", "dossiers_online", "dossiers_returned",
                                               "dossiers_withdrawn", "dossiers_completed", "dossiers_early",
                                               "dossiers_on_time", "dossiers_late")},
    "dossiers_in_time": "Dossiers completed early or on time in the period.",
    **{name: _SUMMED.format(name) for name in ("dossiers_timed", "supplements_within_rule", "supplements_known")},
    "dossiers_pending": "Dossiers open at the as-of date.",
    "dossiers_overdue": "Dossiers overdue at the as-of date.",
    "late_apologised": "Late dossiers of the period covered by an apology by the as-of date (biet_xin_loi).",
    "late_dossiers": "Dossiers completed late in the period or overdue at the as-of date (each once).",
    **{f"letters_{kind}": _SUMMED.format(f"letters_{kind}") for kind in LETTER_KIND.values},
    "petitions_handled_on_time": "Petitions received in the period, resolved or transferred by the as-of date "
                                 "and by their due date.",
    "petitions_due": "Petitions received in the period, resolved or transferred by the as-of date or open past "
                     "their due date at it.",
    "petitions_closed_locally": "Petitions received in the period, closed by the as-of date and not escalated.",
    "petitions_closed_or_overdue": "Petitions received in the period, closed by the as-of date or overdue at it.",
    **{f"petitions_{kind}": f"Petitions received in the period of kind {kind}." for kind in PETITION_KIND.values},
    **{f"petitions_{outcome}": f"Petitions received in the period closed as {outcome} by the as-of date."
       for outcome in PETITION_OUTCOME.values if outcome != "pending"},
    "petitions_pending": "Petitions received in the period and open at the as-of date.",
    "petitions_escalated": "Petitions received in the period sent over the commune's head.",
    "petitions_overdue": "Petitions overdue at the as-of date.",
    **{name: _SUMMED.format(name) for name in ("dialogues", "dialogue_attendees", "opinions_raised",
                                               "opinions_answered", "survey_responses", "harassment_reports")},
    **{name: _SUMMED.format(name) for name in DAILY_COUNTS if name.endswith(("_satisfied", "_rated"))},
}
# What the engine's counts return about each commune beside its counts (its names, in its structure).
UNIT_NAME_COLUMNS: Columns = [
    ("commune_name", "VARCHAR", "Commune name."),
    ("district_code", "VARCHAR", "District (legacy) or địa bàn huyện cũ (2025)."),
    ("district_name", "VARCHAR", "Its name."),
    ("province_code", "VARCHAR", "Province."),
    ("province_name", "VARCHAR", "Its name."),
]
PERIOD_COUNTS_COLUMNS: Columns = [
    ("era", "VARCHAR", "Structure of the row's commune: 'legacy' or '2025' (the structure views show their own)."),
    ("commune_code", "VARCHAR", "Commune in that structure (every commune of it, with nulls when it has no records)."),
    ("date_from", "DATE", "First day of the period: a calendar month, quarter or year meeting the data's days."),
    ("date_to", "DATE", "Its last day, or the data's last day for the period cut there."),
    ("as_of", "DATE", "The day the stocks are taken: the period's last day or the data's last day, if earlier."),
] + [(name, "BIGINT", what) for name, what in PERIOD_COUNTS.items()] + [
    ("reporting_communes", "INTEGER", "1 when the commune has a record of any kind in the period or a dossier "
                                      "open at the as-of date, else 0."),
] + UNIT_NAME_COLUMNS

CODES_COLUMNS: Columns = [
    ("vocabulary", "VARCHAR", "Vocabulary name: a value vocabulary (schemas.vocabularies), structure, level_legacy, "
                              "level_2025, flag_kind, indicator_status, overdue_bucket or record_kind "
                              "(schemas.catalog.published_codes)."),
    ("code", "VARCHAR", "Canonical code, as stored in the record tables or written in the engine's outputs."),
    ("label_vi", "VARCHAR", "What pages and exports show."),
]

TABLE_LABELS: dict[str, str] = {
    **{s.table: s.label_vi for s in RECORD_SCHEMAS.values()},
    "units_legacy": "Đơn vị hành chính trước 01/07/2025", "units_2025": "Đơn vị hành chính từ 01/07/2025",
    "unit_successors": "Xã cũ → xã mới kế thừa", "warehouse_meta": "Thông tin kho dữ liệu",
    "quarantine": "Dòng bị cách ly", "ingest_log": "Nhật ký nạp tệp", "calendar": "Lịch ngày làm việc",
    "dossier_facts": "Hồ sơ: tiến độ, ngày đóng (dẫn xuất)", "late_dossiers": "Hồ sơ từng trễ hạn (dẫn xuất)",
    "petition_facts": "Đơn thư: hạn hiệu lực, ngày đóng (dẫn xuất)", "daily_counts": "Số đếm theo xã và ngày (dẫn xuất)",
    "monthly_counts": "Số đếm theo xã và tháng (dẫn xuất)",
    "period_counts": "Số đếm theo xã của từng tháng, quý, năm (dẫn xuất)",
    "codes": "Danh mục mã và nhãn tiếng Việt",
}
"""What each table is called on the pages."""

# Tables the publish derives from the records (never written by the ingest itself).
FACT_TABLES: dict[str, Columns] = {
    "dossier_facts": DOSSIER_FACTS_COLUMNS,
    "late_dossiers": LATE_DOSSIER_COLUMNS,
    "petition_facts": PETITION_FACTS_COLUMNS,
    "daily_counts": DAILY_COUNTS_COLUMNS,
    "monthly_counts": MONTHLY_COUNTS_COLUMNS,
    "period_counts": PERIOD_COUNTS_COLUMNS,
    "codes": CODES_COLUMNS,
}


def record_table_columns(schema: RecordSchema) -> Columns:
    """(name, SQL type, description) of a record table: system columns, then the schema's."""
    own = [(c.name, c.sql_type, c.description) for c in schema.columns]
    return SYSTEM_COLUMNS[:5] + own + SYSTEM_COLUMNS[5:] + (OPEN_STATE_COLUMNS if schema.open_state else [])


def table_definitions() -> dict[str, Columns]:
    """Every warehouse table and its columns: the one place the DDL and the docs read from."""
    tables = {}
    for table, model in UNIT_TABLES.items():
        types = sql_types(model)
        tables[table] = [(name, types[name], field.description or "") for name, field in model.model_fields.items()]
    tables.update({s.table: record_table_columns(s) for s in RECORD_SCHEMAS.values()})
    tables["quarantine"] = QUARANTINE_COLUMNS
    tables["ingest_log"] = INGEST_LOG_COLUMNS
    tables["calendar"] = CALENDAR_COLUMNS
    tables["warehouse_meta"] = META_COLUMNS
    tables.update(FACT_TABLES)
    return tables


class TableTests(BaseModel):
    """dbt's schema tests of one table, run on the private copy before it replaces the live warehouse
    (``pipelines.ingest.checks``): no two rows share the key (empty key columns compare equal, as SQL's
    GROUP BY groups them), the not-null columns are filled, and each accepted column holds only the codes
    given (NULL is not a code: the not-null test decides whether it may be empty). A failed test refuses
    the publish."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    key: tuple[str, ...] = Field(min_length=1)
    not_null: tuple[str, ...] = ()
    accepted: dict[str, tuple[str, ...]] = Field(default_factory=dict)


def _codes(vocabularies: dict[str, str]) -> dict[str, tuple[str, ...]]:
    """Each column's accepted codes: its vocabulary's (schemas.vocabularies)."""
    return {column: tuple(VOCABULARIES[name].values) for column, name in vocabularies.items()}


def _record_tests(schema: RecordSchema) -> TableTests:
    return TableTests(key=schema.key, not_null=schema.not_null,
                      accepted={**_codes(schema.accepted), "unit_era": ERAS})


def _placed(id_column: str) -> tuple[str, ...]:
    """A fact row is a record placed in both structures: its places and its id, as the structure views read it."""
    return ("legacy_code", "code_2025", id_column)


_DOSSIER_CODES = _codes({"channel": DOSSIER.column("channel").vocabulary, "status": DOSSIER.column("status").vocabulary,
                         "timeliness": TIMELINESS.name})
_PLACED_BY_DAY = TableTests(key=("legacy_code", "code_2025", "day"), not_null=("day",))

TABLE_TESTS: dict[str, TableTests] = {
    "quarantine": TableTests(key=("file_checksum", "sheet", "row_number"),  # a file row quarantined again replaces
                             not_null=("file_name", "file_checksum", "row_number", "reason_code", "message_vi",
                                       "quarantined_at")),
    "ingest_log": TableTests(key=("file_checksum", "sheet", "ingested_at"), not_null=("file_name", "ingested_at")),
    "calendar": TableTests(key=("day",), not_null=("day", "is_working_day", "working_day_index")),
    "warehouse_meta": TableTests(key=("name",), not_null=("name", "value")),
    "dossier_facts": TableTests(key=_placed("dossier_id"), not_null=("dossier_id", "status", "received_date"),
                                accepted=_DOSSIER_CODES),
    "late_dossiers": TableTests(key=_placed("dossier_id"), not_null=("dossier_id", "status", "received_date"),
                                accepted={c: _DOSSIER_CODES[c] for c in ("status", "timeliness")}),
    "petition_facts": TableTests(key=_placed("petition_id"),
                                 not_null=("petition_id", "kind", "received_date", "due_date", "outcome"),
                                 accepted=_codes({"kind": PETITION.column("kind").vocabulary,
                                                  "outcome": PETITION_OUTCOME.name})),
    "daily_counts": _PLACED_BY_DAY,
    "monthly_counts": _PLACED_BY_DAY.model_copy(update={"key": ("legacy_code", "code_2025", "month"),
                                                         "not_null": ("month",)}),
    "period_counts": TableTests(key=("era", "commune_code", "date_from", "date_to"),
                                not_null=("era", "commune_code", "date_from", "date_to", "as_of"),
                                accepted={"era": ERAS}),
    "codes": TableTests(key=("vocabulary", "code"), not_null=("vocabulary", "code", "label_vi"),
                        accepted={"vocabulary": PUBLISHED_VOCABULARIES}),
}
"""The tests of the tables declared in this module; record and unit tables declare theirs in their own schemas."""


def table_tests() -> dict[str, TableTests]:
    """Every warehouse table's key, not-null columns and accepted codes, in the order of ``table_definitions``."""
    tests = {table: TableTests(key=key, not_null=required_fields(UNIT_TABLES[table]))
             for table, key in UNIT_KEYS.items()}
    tests.update({s.table: _record_tests(s) for s in RECORD_SCHEMAS.values()})
    tests.update(TABLE_TESTS)
    return {table: tests[table] for table in table_definitions()}
