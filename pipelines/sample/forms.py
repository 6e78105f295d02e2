"""The forms a commune's exports take: file format, title rows, where the commune is named, date
style, header spellings (always aliases from ``schemas.records``), value words (from
``schemas.vocabularies``), file names. Chosen per commune and record kind."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

import numpy as np

from pipelines.sample.people import cap, slug, unaccent, upper_vi
from pipelines.text import fold
from schemas.records import LOCATION_COLUMNS, RECORD_SCHEMAS

# Headers that are not record columns but appear in nearly every real export; the ingest
# ignores them (row number, remarks).
EXTRA_HEADERS: tuple[str, ...] = ("STT", "Ghi chú")

@dataclasses.dataclass
class Form:
    fmt: str                 # xlsx | csv_semicolon | csv_comma
    title: bool              # title rows above the header (xlsx)
    commune_mode: str        # column | title | filename
    commune_value: str       # code | name | short
    district_column: bool
    district_line: bool
    date_style: str          # excel | serial | text formats below
    header_case: str         # as_is | cap | upper | unaccent
    nfd: bool
    yes_no: tuple[str, str]
    rating_words: bool
    stt: bool
    wrap_headers: bool
    motto: bool


TEXT_DATE = {"dmy": "%d/%m/%Y", "dmy_short": "%-d/%-m/%y", "dmy_dash": "%d-%m-%Y", "iso": "%Y-%m-%d",
              "dmy_time": "%d/%m/%Y %H:%M", "iso_time": "%Y-%m-%d %H:%M:%S"}


def choose_form(rng: np.random.Generator, kind: str, unit: dict) -> Form:
    p = {"dossier": [0.45, 0.15, 0.25, 0.15], "survey": [0.3, 0.2, 0.3, 0.2]}.get(kind, [0.5, 0.15, 0.2, 0.15])
    shape = rng.choice(["xlsx_title", "xlsx_plain", "csv_semicolon", "csv_comma"], p=p)
    fmt = "xlsx" if shape.startswith("xlsx") else str(shape)
    title = shape == "xlsx_title"
    unique = bool(unit["unique_name"])
    if title:
        mode = str(rng.choice(["title", "column"], p=[0.65, 0.35]))
    else:
        mode = str(rng.choice(["column", "filename"], p=[0.6, 0.4]))
    if mode == "filename" and not unique:
        mode = "column"
    value = str(rng.choice(["code", "name", "short"], p=[0.4, 0.35, 0.25])) if mode == "column" else "name"
    has_district = unit["district_name"] is not None
    if not has_district and not unique and mode == "column":  # no district to tell a shared name apart
        value = "code"
    district_column = has_district and mode == "column" and value != "code" and (not unique or rng.random() < 0.3)
    district_line = has_district and title and (not unique or rng.random() < 0.5)
    if fmt == "xlsx":
        date_style = str(rng.choice(["excel", "excel_time", "serial", "dmy", "dmy_time"], p=[0.4, 0.1, 0.15, 0.25, 0.1]))
        header_case = str(rng.choice(["as_is", "cap", "upper"], p=[0.2, 0.5, 0.3]))
    elif fmt == "csv_semicolon":
        date_style = str(rng.choice(["dmy", "dmy_short", "dmy_time", "dmy_dash"], p=[0.5, 0.2, 0.15, 0.15]))
        header_case = "unaccent"
    else:
        date_style = str(rng.choice(["iso", "dmy", "dmy_dash", "iso_time"], p=[0.35, 0.3, 0.2, 0.15]))
        header_case = str(rng.choice(["as_is", "cap"]))
    yes_no = [("x", ""), ("Có", "Không"), ("1", "0"), ("X", "")][int(rng.choice(4, p=[0.4, 0.3, 0.2, 0.1]))]
    return Form(fmt=fmt, title=title, commune_mode=mode, commune_value=value, district_column=district_column,
                 district_line=district_line, date_style=date_style, header_case=header_case,
                 nfd=bool(rng.random() < 0.12), yes_no=yes_no, rating_words=bool(rng.random() < 0.5),
                 stt=bool(rng.random() < 0.6), wrap_headers=fmt == "xlsx" and bool(rng.random() < 0.15),
                 motto=title and bool(rng.random() < 0.3))


def _header(rng: np.random.Generator, schema_column, form: Form, avoid: set[str]) -> str:
    """A header spelling for a column: one of its aliases, cased like the form."""
    aliases = [a for a in schema_column.aliases if fold(a) not in avoid and not re.fullmatch(r"[a-z_ ]+", a)]
    if not aliases:
        aliases = [a for a in schema_column.aliases if fold(a) not in avoid]
    alias = aliases[int(rng.integers(len(aliases)))]
    if form.header_case == "unaccent":
        alias = cap(unaccent(alias))
    elif form.header_case == "cap":
        alias = alias.upper() if alias in ("cccd", "cmnd", "sđt", "sdt", "tthc") else cap(alias)
    elif form.header_case == "upper":
        alias = upper_vi(alias)
    if form.wrap_headers and " " in alias and rng.random() < 0.4:
        alias = alias.replace(" ", "\n", 1)
    return alias


def value_words(rng: np.random.Generator, vocab, canon: list[str]) -> dict[str, str]:
    """One spelling per canonical value, as a clerk's software would write it (label or phrase)."""
    out = {}
    for c in canon:
        options = [vocab.labels_vi[c]] + [w for w in vocab.values[c] if not re.fullmatch(r"[a-z ]+", w)]
        word = options[0] if rng.random() < 0.6 else options[int(rng.integers(len(options)))]
        out[c] = cap(word).replace("Dvc", "DVC").replace("dvc", "DVC")
    return out


_REPORT_TITLES = {
    "dossier": ["BÁO CÁO TÌNH HÌNH TIẾP NHẬN VÀ GIẢI QUYẾT HỒ SƠ THỦ TỤC HÀNH CHÍNH",
                "SỔ THEO DÕI HỒ SƠ TẠI BỘ PHẬN MỘT CỬA", "DANH SÁCH HỒ SƠ TIẾP NHẬN"],
    "letter": ["SỔ THEO DÕI THƯ XIN LỖI, THƯ CẢM ƠN, THƯ CHÚC MỪNG, CHIA BUỒN", "BÁO CÁO CÔNG TÁC GỬI THƯ"],
    "petition": ["SỔ THEO DÕI TIẾP NHẬN, XỬ LÝ ĐƠN THƯ", "BÁO CÁO KẾT QUẢ GIẢI QUYẾT ĐƠN THƯ"],
    "dialogue": ["BÁO CÁO KẾT QUẢ ĐỐI THOẠI VỚI NHÂN DÂN", "DANH SÁCH HỘI NGHỊ ĐỐI THOẠI"],
    "survey": ["TỔNG HỢP PHIẾU KHẢO SÁT MỨC ĐỘ HÀI LÒNG", "KẾT QUẢ LẤY Ý KIẾN ĐÁNH GIÁ SỰ HÀI LÒNG"],
}
_FILE_STEM = {"dossier": "ho_so", "letter": "thu", "petition": "don_thu", "dialogue": "doi_thoai",
              "survey": "khao_sat", "office": "bao_cao_tong_hop"}
_GENERIC_STEM = {"dossier": "Bao cao ho so TTHC", "letter": "So theo doi thu", "petition": "So theo doi don thu",
                 "dialogue": "Bao cao doi thoai", "survey": "Tong hop phieu khao sat",
                 "office": "Bao cao cong tac dan van"}
# Sheet names of the office workbook (letters, petitions and dialogues of one commune together).
OFFICE_SHEETS = {"letter": "Thư", "petition": "Đơn thư", "dialogue": "Đối thoại"}

# Columns included per kind: (name, probability). Always-present ones have 1.0.
_COLUMN_PLAN = {
    "dossier": [("dossier_id", 1), ("sector", 0.85), ("procedure", 0.9), ("channel", 0.85), ("received_date", 1),
                ("due_date", 0.95), ("completed_date", 1), ("status", 1), ("supplement_requests", 0.7),
                ("reported_timeliness", 0.3), ("applicant", 0.9), ("applicant_id_number", 0.45),
                ("applicant_phone", 0.35), ("applicant_address", 0.4)],
    "letter": [("letter_id", 1), ("kind", 1), ("sent_date", 1), ("occasion", 0.8), ("dossier_id", 1),
               ("new_appointment_date", 0.5), ("recipient", 0.9), ("recipient_address", 0.5)],
    "petition": [("petition_id", 1), ("kind", 1), ("received_date", 1), ("source", 0.7), ("field", 0.9),
                 ("within_authority", 0.7), ("due_date", 0.75), ("resolved_date", 1), ("outcome", 1),
                 ("escalated", 0.6), ("petitioner", 0.9), ("petitioner_id_number", 0.4),
                 ("petitioner_phone", 0.3), ("petitioner_address", 0.5)],
    "dialogue": [("dialogue_id", 0.8), ("dialogue_date", 1), ("chair", 0.9), ("chair_is_head", 0.6),
                 ("topic", 1), ("attendees", 1), ("opinions_raised", 1), ("opinions_answered", 1)],
    "survey": [("response_id", 1), ("survey_date", 1), ("dossier_id", 0.4), ("overall", 1), ("respect", 0.5),
               ("civility", 0.5), ("guidance", 0.5), ("explanation", 0.5), ("harassment", 0.5),
               ("respondent", 0.3), ("respondent_phone", 0.25)],
}
_CRITERIA = ("respect", "civility", "guidance", "explanation")


def _plan_columns(rng, kind: str) -> list[str]:
    cols = [c for c, p in _COLUMN_PLAN[kind] if p >= 1 or rng.random() < p]
    if kind == "survey":  # the four "thể hiện" criteria come together, on some forms only
        has = rng.random() < 0.5
        cols = [c for c in cols if c not in _CRITERIA] if not has else cols
        if has:
            cols[cols.index("overall") + 1:cols.index("overall") + 1] = [c for c in _CRITERIA if c not in cols]
    if kind == "dossier" and "due_date" not in cols and "reported_timeliness" not in cols:
        cols.insert(cols.index("status") + 1, "reported_timeliness")
    return cols


@dataclasses.dataclass
class FileSpec:
    kind: str
    unit: dict
    form: Form
    columns: list[str]
    headers: list[str]
    period: tuple[dt.date, dt.date]
    name: str
    sheet: str = ""          # the sheet's name in a workbook of several kinds


def title_rows(spec: FileSpec, rng) -> list[list[str]]:
    u, f = spec.unit, spec.form
    rows: list[list[str]] = []
    ctype = upper_vi(u["commune_type"])
    cname = upper_vi(u["commune_short_name"])
    if f.commune_mode == "title":
        if f.district_line:
            rows.append([["UBND ", ""][int(rng.integers(2))] + upper_vi(u["district_name"])])
        rows.append([[f"ỦY BAN NHÂN DÂN {ctype} {cname}", f"UBND {ctype} {cname}"][int(rng.integers(2))]])
        if f.motto:
            rows[0] = rows[0] + [""] * 3 + ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"]
            if len(rows) > 1:
                rows[1] = rows[1] + [""] * 3 + ["Độc lập - Tự do - Hạnh phúc"]
        rows.append([""])
    title = str(rng.choice(_REPORT_TITLES[spec.kind]))
    a, b = spec.period
    if a.year == b.year:
        rows.append([f"{title} NĂM {a.year}"])
    else:
        rows.append([title])
    rows.append([f"(Từ ngày {a:%d/%m/%Y} đến ngày {b:%d/%m/%Y})"])
    if rng.random() < 0.6:
        rows.append([""])
    return rows


def file_name(kind: str, unit: dict, form: Form, period, counter: list[int], suffix: str = "") -> str:
    """'ho_so_xa_ha_dong_2024.xlsx', or a generic numbered name when the commune is in the title rows
    (and for every third file with a commune column). ``kind`` "office": the office workbook."""
    ext = ".xlsx" if form.fmt == "xlsx" else ".csv"
    a, b = period
    span = str(a.year) if a.year == b.year else f"{a.year}_{b.year}"
    if not suffix and (form.commune_mode == "title" or (form.commune_mode == "column" and counter[0] % 3 == 0)):
        counter[0] += 1
        return f"{_GENERIC_STEM[kind]} {span}{suffix} ({counter[0]}){ext}"
    counter[0] += 1
    ctype = {"Xã": "xa", "Phường": "phuong", "Thị trấn": "thi_tran", "Đặc khu": "dac_khu"}[unit["commune_type"]]
    return f"{_FILE_STEM[kind]}_{ctype}_{slug(unit['commune_short_name'])}_{span}{suffix}{ext}"


def _headers_for(rng, kind: str, columns: list[str], form: Form) -> list[str]:
    schema = RECORD_SCHEMAS[kind]
    loc = {c.name: c for c in LOCATION_COLUMNS}
    # never reuse a spelling that another column of this file (or the location columns) also lists
    all_aliases: dict[str, int] = {}
    for c in list(schema.columns) + LOCATION_COLUMNS:
        for a in set(fold(x) for x in c.aliases):
            all_aliases[a] = all_aliases.get(a, 0) + 1
    shared = {a for a, k in all_aliases.items() if k > 1}
    out = []
    for name in columns:
        if name == "_stt":
            out.append("STT")
        elif name in ("_commune", "_district"):
            col = loc["commune" if name == "_commune" else "district"]
            is_code = name == "_commune" and form.commune_value == "code"
            # a code sits under a "mã …" header, a name under a name header
            avoid = shared | {fold(a) for a in col.aliases if a.startswith("mã") != is_code or a == "ward"}
            avoid |= {"xa", "phuong"} if name == "_commune" else set()
            out.append(_header(rng, col, form, avoid))
        else:
            out.append(_header(rng, schema.column(name), form, shared))
    return out


def columns_and_headers(rng, kind: str, form: Form) -> tuple[list[str], list[str]]:
    columns = _plan_columns(rng, kind)
    if form.commune_mode == "column":
        columns = ["_commune"] + (["_district"] if form.district_column else []) + columns
    if form.stt:
        columns = ["_stt"] + columns
    return columns, _headers_for(rng, kind, columns, form)

