"""The five record kinds: columns, types, personal data, header aliases, vocabularies.

This module is the single source of truth for the input format and the warehouse tables.
The ingest pipeline (header matching, parsing, validation), the DuckDB DDL
(``pipelines.ingest.warehouse``) and ``docs/data-model.md`` (``dvcq docs``) are all derived from
the ``RecordSchema`` objects below; nothing about a column is restated elsewhere.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from schemas.vocabularies import (CHANNEL, DOSSIER_STATUS, LETTER_KIND, PETITION_KIND, PETITION_OUTCOME,
                                  RATING, TIMELINESS, VOCABULARIES, YES_NO)

ColumnType = Literal["text", "date", "int", "bool", "category", "rating"]

DUCKDB_TYPES: dict[str, str] = {
    "text": "VARCHAR", "date": "DATE", "int": "INTEGER", "bool": "BOOLEAN",
    "category": "VARCHAR", "rating": "TINYINT",
}


class Column(BaseModel):
    """One canonical column of a record kind."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    type: ColumnType
    label_vi: str = Field(description="Vietnamese header used on pages and in exports")
    description: str
    aliases: list[str] = Field(default_factory=list,
                               description="header spellings; matched case-, diacritics-, spacing-insensitively")
    vocabulary: str | None = Field(default=None, description="name of the vocabulary for category/bool/rating")
    personal: bool = Field(default=False, description="citizen's personal data: stored only as a keyed hash")
    required: bool = Field(default=False, description="a row without a value is quarantined")

    @model_validator(mode="after")
    def _vocabulary_matches_type(self) -> "Column":
        needs_vocab = self.type in ("category", "bool", "rating")
        if needs_vocab and self.vocabulary not in VOCABULARIES:
            raise ValueError(f"column {self.name}: type {self.type} needs a known vocabulary")
        if not needs_vocab and self.vocabulary is not None:
            raise ValueError(f"column {self.name}: type {self.type} takes no vocabulary")
        return self

    @property
    def sql_type(self) -> str:
        return "VARCHAR" if self.personal else DUCKDB_TYPES[self.type]


RecordKind = Literal["dossier", "letter", "petition", "dialogue", "survey"]
"""The five record kinds (what a commune sends), as code and configuration name them."""


class RecordSchema(BaseModel):
    """A record kind: its warehouse table, key, period date and columns."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: RecordKind
    table: str
    label_vi: str
    description: str
    id_column: str
    date_column: str = Field(description="the record's own date, which places it in a period")
    event_columns: list[str] = Field(
        description="dates of things that happened (not due dates): the latest one in a file decides "
                    "which administrative structure the file was made in")
    hashed_apart: tuple[str, str] | None = Field(
        default=None, description="(column, value) of records whose personal data is hashed with a key of their "
                                  "own: the law protects a denouncer's identity, so her hash joins nothing else")
    open_state: tuple[str, str] | None = Field(
        default=None, description="(column, value) of a record still open; a re-export never reopens a closed record")
    missing_closes_as: tuple[str, str] | None = Field(
        default=None, description="(value of the open-state column, date column) a pending record takes when a "
                                  "newer export of its commune no longer lists it and the configuration closes such "
                                  "records (ingest.missing_from_newer_export = \"close\"): it left the desk without a "
                                  "result on that date")
    columns: list[Column]

    @model_validator(mode="after")
    def _id_and_date_are_columns(self) -> "RecordSchema":
        names = [c.name for c in self.columns]
        if len(set(names)) != len(names):
            raise ValueError(f"{self.kind}: duplicate column names")
        for needed in (self.id_column, self.date_column, *self.event_columns, *(self.open_state or ())[:1]):
            if needed not in names:
                raise ValueError(f"{self.kind}: {needed} is not a column")
        if self.open_state and not self.column(self.id_column).required:
            raise ValueError(f"{self.kind}: records that change state need a required id column")
        if self.missing_closes_as:
            value, date_column = self.missing_closes_as
            state = self.column(self.open_state[0]) if self.open_state else None
            if (state is None or value == self.open_state[1] or value not in VOCABULARIES[state.vocabulary].values
                    or date_column not in names):
                raise ValueError(f"{self.kind}: missing_closes_as needs an open state, another value of its "
                                 "vocabulary and a date column")
        return self

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    @property
    def key(self) -> tuple[str, ...]:
        """What makes a stored record one row: the commune as sent, the list it is in and its id (a content key
        for a row without one), as the loader upserts (``pipelines.ingest.load``); checked at every publish."""
        return ("commune_code", "unit_era", self.id_column)

    @property
    def not_null(self) -> tuple[str, ...]:
        """Columns every stored row fills: its key and the columns a row without is quarantined for."""
        return (*self.key, *(c.name for c in self.columns if c.required and c.name != self.id_column))

    @property
    def accepted(self) -> dict[str, str]:
        """Vocabulary of each column stored as one of its codes (a bool is stored as a BOOLEAN: nothing to check)."""
        return {c.name: c.vocabulary for c in self.columns if c.type in ("category", "rating")}

    @property
    def personal_columns(self) -> list[str]:
        return [c.name for c in self.columns if c.personal]

    @property
    def free_text_columns(self) -> list[str]:
        """Text a clerk types (procedure, occasion, topic, a related dossier's id…): where an ID or phone
        number or a name may slip in. The record id is apart: a row whose id holds one is not loaded."""
        return [c.name for c in self.columns if c.type == "text" and not c.personal and c.name != self.id_column]


# Columns of the record kinds with an open state (dossiers, petitions) besides the system ones.
OPEN_STATE_COLUMNS: list[tuple[str, str, str]] = [
    ("closed_missing_from", "VARCHAR",
     "The newer export (file name, [sheet]) of the record's commune that no longer listed it while it was pending, "
     "when the configuration closes such records (ingest.missing_from_newer_export = \"close\"): the record was set "
     "withdrawn on that export's latest event date for the commune. Empty otherwise. A later export that lists the "
     "record again replaces it; an older one does not."),
]

# Columns that place a row in a commune. They are read from input but not stored as such:
# the pipeline resolves them to ``commune_code`` (see pipelines.ingest.communes).
LOCATION_COLUMNS: list[Column] = [
    Column(name="commune", type="text", label_vi="Xã/phường/thị trấn",
           description="Commune code (5 digits) or name, with or without its type word.",
           aliases=["mã xã", "mã đơn vị", "xã", "phường", "xã phường", "xã/phường/thị trấn", "xã phường thị trấn",
                    "tên xã", "đơn vị", "đơn vị cấp xã", "commune", "commune code", "ward",
                    "cơ quan chủ trì giải quyết", "cơ quan giải quyết"]),
    Column(name="district", type="text", label_vi="Huyện/thị xã/thành phố",
           description="Old district (before 1 July 2025) name or code; disambiguates commune names.",
           aliases=["huyện", "mã huyện", "quận huyện", "huyện/thị xã/thành phố", "huyện thị", "district"]),
    Column(name="province", type="text", label_vi="Tỉnh",
           description="Province name or code: a province other than the configured one refuses the file.",
           aliases=["tỉnh", "mã tỉnh", "tỉnh/thành phố", "tỉnh thành phố", "tỉnh thành", "province"]),
]

# What the loader does with each row of a file (pipelines/sql/upsert_plan.sql says when): a new record, a
# changed re-export replacing the stored one, a legacy commune's row teaching a record carried over its
# predecessor, the stored record unchanged, an export older than the stored record (not applied).
UPSERT_ACTIONS = ("insert", "replace", "adopt", "same", "older")

# The row hash of a record's content text: its MD5's first 8 bytes as a number, the low 64 bits of
# ``md5_number`` (a quarter of the hex digest's space; DuckDB's ``md5_number_lower`` takes 3x as long).
# Until December 2026 the hex MD5 itself was stored; pipelines/sql/row_hash_as_number.sql gives the same number from it.
def _low_64_bits(md5_number_sql: str) -> str:
    return f"({md5_number_sql} & 18446744073709551615::UHUGEINT)::UBIGINT"


def row_hash_sql(content_sql: str) -> str:
    return _low_64_bits(f"md5_number({content_sql})")


# Columns an older dvcq stored in a record table that this one derives elsewhere (timeliness: now a fact,
# dossier_facts): a warehouse's record table holding one loses it at the next publish.
RETIRED_COLUMNS = frozenset({"timeliness"})


# Columns every record table carries besides its own; filled by the pipeline. The first five place
# the record: as sent (commune_code, unit_era, predecessor_code) and in each structure (derived).
SYSTEM_COLUMNS: list[tuple[str, str, str]] = [
    ("commune_code", "VARCHAR", "The commune as sent, resolved to its code in the list of ``unit_era``."),
    ("unit_era", "VARCHAR DEFAULT 'legacy'",
     "'legacy' (list before 1 July 2025, with districts) or '2025': which list ``commune_code`` is in."),
    ("predecessor_code", "VARCHAR",
     "For a record first sent by a legacy commune and later by its successor: that legacy commune."),
    ("legacy_code", "VARCHAR", "Derived at publish: the record's commune in the legacy structure, if it has one."),
    ("code_2025", "VARCHAR",
     "Derived at publish: the record's commune in the 2025 structure (a legacy commune's default successor)."),
    ("source_file", "VARCHAR", "File name the row was last loaded from."),
    ("source_sheet", "VARCHAR", "Sheet name (workbooks) or empty."),
    ("source_row", "INTEGER", "1-based row number in the file or sheet, title rows included."),
    ("row_hash", "UBIGINT", "Hash of the normalised content (its MD5's first 8 bytes as a number); a re-export "
                            "with a new hash updates the row."),
    ("loaded_at", "TIMESTAMP", "When the row was inserted or last updated."),
    ("first_loaded_at", "TIMESTAMP", "When the record first arrived (kept when a later export updates it): "
                                     "whether a commune sent its monthly records on time. Empty in rows loaded "
                                     "before it was kept (loaded_at is the best known then)."),
]


# The forms of record id the communes' software writes: (pattern, example and meaning). An id of one of
# these forms is never taken for a citizen's ID-card or phone number, in its own column or in free text
# (its digits may run to 12 or more: 004/2025/15442). An id of another form holding such a number or a
# name after 'Ông', 'Bà'… is not loaded (pipelines.ingest.privacy.id_problem).
RECORD_ID_FORMS: dict[str, tuple[str, str]] = {
    "one_stop": (r"[0-9]{5}\.[0-9]{6}\.[0-9]{3,6}",
                 "15712.250103.00242: mã đơn vị.YYMMDD.số thứ tự (phần mềm một cửa)"),
    "national_portal": (r"[0-9]{3}\.[0-9]{2}\.[0-9]{2}\.[A-Z][0-9]{2}-[0-9]{6}-[0-9]{4}",
                        "000.00.13.H56-250103-0001: mã cơ quan-YYMMDD-số thứ tự (Cổng Dịch vụ công)"),
    "document": (r"[0-9]{1,5}/[A-ZĐ]{1,10}(?:-[A-ZĐ]{1,10})*(?:-20[0-9]{2})?(?:-[0-9]{1,5})?",
                 "001/TCM-2023-15334, 12/BC-UBND: số/ký hiệu (thư, văn bản)"),
    "register": (r"[0-9]{1,5}/20[0-9]{2}/[0-9]{5}", "004/2025/15442: số/năm/mã xã (sổ đơn thư)"),
    "survey": (r"[0-9]{5}-20[0-9]{2}-[0-9]{1,6}", "15361-2023-0001: mã xã-năm-số (phiếu khảo sát)"),
    "prefixed": (r"[A-Z]{2,4}[0-9]{0,2}-(?:20[0-9]{2}-)?[0-9]{1,7}", "HN-2025-01, HS00-0000001: chữ viết tắt-năm-số"),
}
RECORD_ID_PATTERN = "|".join(f"(?:{pattern})" for pattern, _ in RECORD_ID_FORMS.values())
"""Any accepted record id form, as one regular expression (no anchors, no groups that capture)."""


def _id(name: str, label: str, aliases: list[str], changes_state: bool = False) -> Column:
    """The record id column. Records that change state (a pending dossier later completed) need it,
    or a later export could not update them; other rows without one get a content key."""
    if changes_state:
        return Column(name=name, type="text", label_vi=label, aliases=aliases, required=True,
                      description="Record id as the commune's software numbers it; unique within the commune. "
                                  "Required: a later export of the record updates it by this id.")
    return Column(name=name, type="text", label_vi=label, aliases=aliases,
                  description="Record id as the commune's software numbers it; unique within the commune. "
                              "Rows without one get a content key ('K' + hash of the values and of the row's "
                              "occurrence among identical rows of the file).")


_CONTACTS: dict[str, tuple[str, str, list[str]]] = {
    "id_number": ("Số CCCD", "ID-card number", ["cccd", "số cccd", "cmnd", "số cmnd", "số cmnd/cccd", "cmnd cccd",
                                                "số giấy tờ", "số định danh", "id number"]),
    "phone": ("Điện thoại", "phone number", ["điện thoại", "số điện thoại", "sđt", "sdt", "phone"]),
    "address": ("Địa chỉ", "address", ["địa chỉ", "nơi cư trú", "address"]),
}


def _person(role: str, name_label: str, who_vi: str, who_en: str, name_aliases: list[str],
            contacts: tuple[str, ...], note: str = "", extra_aliases: dict[str, list[str]] | None = None
            ) -> list[Column]:
    """A citizen on a record: name and contact columns, all personal (stored only as keyed hashes)."""
    columns = [Column(name=role, type="text", personal=True, label_vi=name_label,
                      description=f"{who_en}'s name (keyed hash{note}).",
                      aliases=[*name_aliases, "họ và tên", "họ tên", role])]
    for contact in contacts:
        label, english, aliases = _CONTACTS[contact]
        columns.append(Column(name=f"{role}_{contact}", type="text", personal=True, label_vi=f"{label} {who_vi}",
                              description=f"{who_en}'s {english} (keyed hash).",
                              aliases=[*aliases, f"{aliases[0]} {who_vi}", *(extra_aliases or {}).get(contact, [])]))
    return columns


DOSSIER = RecordSchema(
    kind="dossier", table="dossiers", label_vi="Hồ sơ thủ tục hành chính",
    description="One application handled at the commune's one-stop desk (một cửa).",
    id_column="dossier_id", date_column="completed_date",
    event_columns=["received_date", "completed_date"], open_state=("status", "pending"),
    missing_closes_as=("withdrawn", "completed_date"),
    columns=[
        _id("dossier_id", "Mã hồ sơ", ["mã hồ sơ", "số hồ sơ", "mã số hồ sơ", "ma ho so", "số biên nhận",
                                       "dossier id", "dossier_id"], changes_state=True),
        Column(name="sector", type="text", label_vi="Lĩnh vực", description="Sector (hộ tịch, chứng thực, đất đai…).",
               aliases=["lĩnh vực", "lĩnh vực thủ tục", "sector"]),
        Column(name="procedure", type="text", label_vi="Thủ tục", description="Procedure name.",
               aliases=["thủ tục", "tên thủ tục", "thủ tục hành chính", "tên thủ tục hành chính", "tthc", "tên tthc",
                        "procedure"]),
        Column(name="channel", type="category", vocabulary=CHANNEL.name, label_vi="Hình thức nộp",
               description="direct / online / postal.",
               aliases=["hình thức nộp", "hình thức", "kênh nộp", "hình thức tiếp nhận", "channel"]),
        Column(name="received_date", type="date", required=True, label_vi="Ngày tiếp nhận",
               description="Date the desk received the dossier.",
               aliases=["ngày tiếp nhận", "ngày nhận", "ngày nhận hồ sơ", "ngày nộp", "tiếp nhận", "nhận hồ sơ",
                        "received date", "received"]),
        Column(name="due_date", type="date", label_vi="Ngày hẹn trả",
               description="Date promised on the receipt (ngày hẹn trả kết quả).",
               aliases=["ngày hẹn trả", "hẹn trả", "ngày hẹn trả kết quả", "hẹn trả kết quả", "ngày hẹn", "hạn trả",
                        "hạn xử lý",
                        "hạn giải quyết", "due date"]),
        Column(name="completed_date", type="date", label_vi="Ngày trả kết quả",
               description="Date the result was returned; empty while pending.",
               aliases=["ngày trả kết quả", "ngày trả", "ngày hoàn thành", "ngày có kết quả", "trả kết quả",
                        "completed date", "completed"]),
        Column(name="status", type="category", vocabulary=DOSSIER_STATUS.name, label_vi="Trạng thái",
               description="pending / completed / returned / withdrawn. When the column is absent: "
                           "completed if a completed date is given, else pending.",
               aliases=["trạng thái", "tình trạng", "trạng thái hồ sơ", "kết quả giải quyết", "status"]),
        Column(name="supplement_requests", type="int", label_vi="Số lần yêu cầu bổ sung",
               description="How many times the desk asked for supplementary papers.",
               aliases=["số lần yêu cầu bổ sung", "số lần bổ sung", "yêu cầu bổ sung", "bổ sung",
                        "supplement requests"]),
        Column(name="reported_timeliness", type="category", vocabulary=TIMELINESS.name,
               label_vi="Tiến độ (theo báo cáo)",
               description="early / on_time / late as written in the export. The facts derive timeliness from the dates and "
                           "use this only when a date is missing (dossier_facts.timeliness).",
               aliases=["tiến độ", "đúng hạn/quá hạn", "kết quả xử lý", "tình trạng xử lý", "timeliness"]),
        *_person("applicant", "Người nộp", "người nộp", "Applicant",
                 ["người nộp", "tên người nộp", "họ tên người nộp", "chủ hồ sơ", "tên công dân", "người đứng tên",
                  "tên cá nhân, tổ chức", "tên cá nhân tổ chức"],
                 ("id_number", "phone", "address"),
                 # The one-stop ledger prints address and phone in one column: it is hashed as the address.
                 extra_aliases={"address": ["địa chỉ, số điện thoại", "địa chỉ số điện thoại"]}),
    ],
)

LETTER = RecordSchema(
    kind="letter", table="letters", label_vi="Thư", description="A letter the commune sent to a citizen.",
    id_column="letter_id", date_column="sent_date", event_columns=["sent_date"],
    columns=[
        _id("letter_id", "Số thư", ["số thư", "mã thư", "số phiếu", "số văn bản", "letter id", "letter_id"]),
        Column(name="kind", type="category", vocabulary=LETTER_KIND.name, required=True, label_vi="Loại thư",
               description="apology / thanks / congratulation / condolence.",
               aliases=["loại thư", "loại", "hình thức thư", "loại phiếu", "letter kind", "kind"]),
        Column(name="sent_date", type="date", required=True, label_vi="Ngày gửi",
               description="Date the letter was sent.",
               aliases=["ngày gửi", "ngày gửi thư", "ngày phát hành", "ngày ký", "ngày", "sent date"]),
        Column(name="occasion", type="text", label_vi="Nội dung/dịp", description="Occasion or short subject.",
               aliases=["nội dung", "dịp", "lý do", "trích yếu", "occasion"]),
        Column(name="dossier_id", type="text", label_vi="Mã hồ sơ liên quan",
               description="The dossier an apology is for.",
               aliases=["mã hồ sơ", "mã hồ sơ liên quan", "hồ sơ liên quan", "số hồ sơ", "related dossier"]),
        Column(name="new_appointment_date", type="date", label_vi="Ngày hẹn lại",
               description="New appointment date given in an apology (Mẫu 04).",
               aliases=["ngày hẹn lại", "hẹn lại ngày trả", "ngày hẹn trả mới", "new appointment"]),
        *_person("recipient", "Người nhận", "người nhận", "Recipient",
                 ["người nhận", "tên người nhận", "kính gửi", "gửi ông bà"], ("address",)),
    ],
)

PETITION = RecordSchema(
    kind="petition", table="petitions", label_vi="Đơn thư",
    description="A complaint, denunciation or kiến nghị/phản ánh received by the commune.",
    id_column="petition_id", date_column="received_date", hashed_apart=("kind", "denunciation"),
    event_columns=["received_date", "resolved_date"], open_state=("outcome", "pending"),
    missing_closes_as=("withdrawn", "resolved_date"),
    columns=[
        _id("petition_id", "Số đơn", ["số đơn", "mã đơn", "số thụ lý", "số vào sổ", "petition id", "petition_id"],
            changes_state=True),
        Column(name="kind", type="category", vocabulary=PETITION_KIND.name, required=True, label_vi="Loại đơn",
               description="complaint / denunciation / petition (kiến nghị, phản ánh).",
               aliases=["loại đơn", "phân loại đơn", "loại", "phân loại", "petition kind", "kind"]),
        Column(name="received_date", type="date", required=True, label_vi="Ngày nhận đơn",
               description="Date the petition was received.",
               aliases=["ngày nhận đơn", "ngày nhận", "ngày tiếp nhận", "ngày tiếp nhận đơn", "ngày vào sổ",
                        "received date"]),
        Column(name="source", type="text", label_vi="Nguồn đơn",
               description="trực tiếp, bưu chính, cấp trên chuyển…",
               aliases=["nguồn đơn", "nguồn", "hình thức nhận", "source"]),
        Column(name="field", type="text", label_vi="Lĩnh vực", description="đất đai, GPMB, chính sách…",
               aliases=["lĩnh vực", "nội dung đơn", "lĩnh vực đơn", "field"]),
        Column(name="within_authority", type="bool", vocabulary=YES_NO.name, label_vi="Thuộc thẩm quyền",
               description="Whether the commune has authority to resolve it.",
               aliases=["thuộc thẩm quyền", "thẩm quyền", "thuộc thẩm quyền giải quyết", "within authority"]),
        Column(name="due_date", type="date", label_vi="Hạn giải quyết",
               description="Due date as recorded; when absent the indicator engine uses received date + the "
                           "statutory days for the kind (configuration).",
               aliases=["hạn giải quyết", "thời hạn giải quyết", "hạn xử lý", "hạn", "due date"]),
        Column(name="resolved_date", type="date", label_vi="Ngày giải quyết",
               description="Date the petition was resolved, transferred, withdrawn or filed.",
               aliases=["ngày giải quyết", "ngày giải quyết xong", "ngày xử lý", "ngày kết thúc", "ngày trả lời",
                        "resolved date"]),
        Column(name="outcome", type="category", vocabulary=PETITION_OUTCOME.name, label_vi="Kết quả",
               description="resolved / transferred / withdrawn / filed / pending. When absent: resolved if a "
                           "resolved date is given, else pending.",
               aliases=["kết quả", "kết quả giải quyết", "kết quả xử lý", "tình trạng", "trạng thái", "outcome"]),
        Column(name="escalated", type="bool", vocabulary=YES_NO.name, label_vi="Vượt cấp",
               description="The citizen went over the commune's head.",
               aliases=["vượt cấp", "khiếu kiện vượt cấp", "đơn vượt cấp", "escalated"]),
        *_person("petitioner", "Người gửi đơn", "người gửi", "Petitioner",
                 ["người gửi đơn", "người gửi", "người viết đơn", "họ tên người gửi", "người khiếu nại", "người tố cáo",
                  "người kiến nghị"], ("id_number", "phone", "address"),
                 note="; a denouncer's identity is protected by law"),
    ],
)

DIALOGUE = RecordSchema(
    kind="dialogue", table="dialogues", label_vi="Hội nghị đối thoại",
    description="A meeting of the commune's head with citizens.",
    id_column="dialogue_id", date_column="dialogue_date", event_columns=["dialogue_date"],
    columns=[
        _id("dialogue_id", "Số hội nghị", ["số hội nghị", "mã hội nghị", "stt hội nghị", "dialogue id",
                                           "dialogue_id"]),
        Column(name="dialogue_date", type="date", required=True, label_vi="Ngày đối thoại",
               description="Date of the meeting.",
               aliases=["ngày đối thoại", "ngày tổ chức", "ngày hội nghị", "thời gian", "ngày", "dialogue date"]),
        Column(name="chair", type="text", label_vi="Người chủ trì",
               description="Title of the official who chaired (an official, not a citizen).",
               aliases=["người chủ trì", "chủ trì", "chức vụ người chủ trì", "chair"]),
        Column(name="chair_is_head", type="bool", vocabulary=YES_NO.name, label_vi="Người đứng đầu chủ trì",
               description="Chaired by the head of the Party committee or People's Committee.",
               aliases=["người đứng đầu chủ trì", "người đứng đầu", "bí thư chủ tịch chủ trì", "chair is head"]),
        Column(name="topic", type="text", label_vi="Chủ đề", description="Topic of the meeting.",
               aliases=["chủ đề", "nội dung đối thoại", "nội dung", "topic"]),
        Column(name="attendees", type="int", label_vi="Số lượt người tham dự",
               description="Number of attendees.",
               aliases=["số lượt người tham dự", "số người tham dự", "số người dự", "người tham dự",
                        "attendees"]),
        Column(name="opinions_raised", type="int", label_vi="Số ý kiến",
               description="Opinions raised by citizens.",
               aliases=["số ý kiến", "số ý kiến phát biểu", "ý kiến", "số ý kiến kiến nghị", "opinions raised"]),
        Column(name="opinions_answered", type="int", label_vi="Số ý kiến được giải đáp",
               description="Opinions answered at the meeting; never more than raised.",
               aliases=["số ý kiến được giải đáp", "số ý kiến được giải đáp tại hội nghị", "đã giải đáp",
                        "số ý kiến đã trả lời", "ý kiến được trả lời", "opinions answered"]),
    ],
)

SURVEY = RecordSchema(
    kind="survey", table="surveys", label_vi="Phiếu khảo sát mức độ hài lòng",
    description="One citizen's rating of the one-stop desk.",
    id_column="response_id", date_column="survey_date", event_columns=["survey_date"],
    columns=[
        _id("response_id", "Số phiếu", ["số phiếu", "mã phiếu", "phiếu số", "response id", "response_id"]),
        Column(name="survey_date", type="date", required=True, label_vi="Ngày khảo sát",
               description="Date of the response.",
               aliases=["ngày khảo sát", "ngày đánh giá", "ngày lấy phiếu", "thời gian đánh giá", "survey date"]),
        Column(name="dossier_id", type="text", label_vi="Mã hồ sơ", description="Dossier rated, when known.",
               aliases=["mã hồ sơ", "số hồ sơ", "dossier id"]),
        Column(name="overall", type="rating", vocabulary=RATING.name, required=True, label_vi="Mức độ hài lòng chung",
               description="Overall rating 1–5.",
               aliases=["mức độ hài lòng", "mức độ hài lòng chung", "đánh giá chung", "hài lòng chung",
                        "đánh giá", "overall"]),
        Column(name="respect", type="rating", vocabulary=RATING.name, label_vi="Tôn trọng",
               description="Respect in communication, 1–5.",
               aliases=["tôn trọng", "thái độ tôn trọng", "tôn trọng trong giao tiếp", "respect"]),
        Column(name="civility", type="rating", vocabulary=RATING.name, label_vi="Văn minh, lịch sự",
               description="Civility and courtesy, 1–5.",
               aliases=["văn minh lịch sự", "văn minh, lịch sự", "lịch sự", "văn minh văn hóa lịch sự", "civility"]),
        Column(name="guidance", type="rating", vocabulary=RATING.name, label_vi="Hướng dẫn tận tình",
               description="Listening and guidance, 1–5.",
               aliases=["hướng dẫn tận tình", "lắng nghe hướng dẫn", "hướng dẫn", "lắng nghe đầy đủ hướng dẫn tận tình",
                        "guidance"]),
        Column(name="explanation", type="rating", vocabulary=RATING.name, label_vi="Giải thích cặn kẽ",
               description="Closeness and explanation, 1–5.",
               aliases=["giải thích cặn kẽ", "gần gũi giải thích", "giải thích", "gần gũi giải thích cặn kẽ",
                        "explanation"]),
        Column(name="harassment", type="bool", vocabulary=YES_NO.name, label_vi="Gặp phiền hà, sách nhiễu",
               description="The citizen met hassle or harassment.",
               aliases=["phiền hà sách nhiễu", "gặp phiền hà", "phiền hà", "có bị phiền hà sách nhiễu",
                        "gặp phiền hà sách nhiễu", "harassment"]),
        *_person("respondent", "Người đánh giá", "người đánh giá", "Respondent", ["người đánh giá"], ("phone",)),
    ],
)

RECORD_SCHEMAS: dict[str, RecordSchema] = {s.kind: s for s in (DOSSIER, LETTER, PETITION, DIALOGUE, SURVEY)}
RECORD_KINDS: tuple[str, ...] = tuple(RECORD_SCHEMAS)
RECORD_TABLES: frozenset[str] = frozenset(s.table for s in RECORD_SCHEMAS.values())

# Header texts that carry no record data and are skipped without being reported as unknown.
IGNORED_HEADERS: list[str] = ["stt", "tt", "số thứ tự", "ghi chú", "no", "#",
                               # the one-stop ledger's columns that are not record facts
                               "phương thức nhận kết quả", "ký nhận", "ngày, tháng, năm"]
