"""Synthetic commune exports for real communes: the sample set the product is demoed on.

``generate_sample(out_dir, communes=N, years=Y, seed=S, province_code="38")`` writes, for N
real legacy communes of the province (spread over all its old districts), the files a
commune's one-stop desk and office really send: dossier registers, letters, petitions,
dialogues and satisfaction surveys, from ``years`` years before the reform of 1 July 2025 up to
``SAMPLE_END`` (31/10/2026). Exports up to 30/06/2025 come from the legacy communes; exports
from 01/07/2025 come from their successors in the 2025 structure (new names and reused codes),
with the dossiers and petitions open at the reform handed over under the same id, and one new
commune's 2026 dossiers in the two-row one-stop ledger layout (``pipelines.sample_reform``).

Every file varies in form the way real exports do (XLSX with title rows, semicolon CSV with a
BOM and unaccented headers, comma CSV, real Excel dates, text dates, serial numbers, NFD text,
"x"/"Có"/"1" flags; the commune in a column, the title rows or only the file name). Headers
are always spellings from the schema's aliases (``schemas.records``) and values are words from
``schemas.vocabularies``, so the ingest can map everything except the deliberate defects
listed in the manifest (about 0.3 % of rows).

Output is deterministic: the same arguments give the same bytes (no timestamps; each
commune and record kind draws from its own random stream seeded by (seed, commune, kind)).
Citizens are fictitious: names from ``PERSON_NAMES``, ID numbers matching ``CCCD_PATTERN``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import re
import unicodedata
from pathlib import Path

import holidays
import numpy as np
import polars as pl
import xlsxwriter

from pipelines.admin_units import province_legacy_units
from pipelines.sample_reform import (LEGACY_END, STALLED_SHARE, as_of_reform, last_dates, ledger_rows, merge_parts,
                                     new_units, split_at_reform, stall_handed_over, successors_of, write_ledger)
from schemas.admin_unit import REFORM_DATE
from schemas.records import LOCATION_COLUMNS, RECORD_SCHEMAS
from schemas.vocabularies import (CHANNEL, DOSSIER_STATUS, LETTER_KIND, PETITION_KIND, PETITION_OUTCOME,
                                  RATING, TIMELINESS)

SAMPLE_END = dt.date(2026, 10, 31)
SAMPLE_SEED = 2024
SAMPLE_COMMUNES = 70
SAMPLE_YEARS = 2   # years of history before the reform of 1 July 2025

# Headers that are not record columns but appear in nearly every real export; the ingest
# ignores them (row number, remarks).
EXTRA_HEADERS: tuple[str, ...] = ("STT", "Ghi chú")

# --------------------------------------------------------------------------------------------
# Fictitious citizens
# --------------------------------------------------------------------------------------------
_SURNAMES = ("Nguyễn", "Lê", "Trần", "Phạm", "Hoàng", "Vũ", "Đỗ", "Bùi", "Trịnh", "Mai", "Lường", "Hà",
             "Đặng", "Ngô", "Cao", "Lò")
_MALE = (("Văn", "Đức", "Minh", "Hữu", "Quang"),
         ("Hùng", "Dũng", "Tuấn", "Thắng", "Cường", "Nam", "Sơn", "Hải", "Long", "Phúc", "Toàn", "Khải"))
_FEMALE = (("Thị", "Thu", "Ngọc", "Thanh", "Hồng"),
           ("Hoa", "Lan", "Hương", "Nhung", "Trang", "Hằng", "Yến", "Loan", "Thảo", "Phượng", "Duyên", "Mến"))


def _name_pool() -> tuple[str, ...]:
    names = [f"{s} {m} {g}" for group in (_MALE, _FEMALE)
             for s, m, g in itertools.product(_SURNAMES, group[0], group[1])]
    return tuple(names[::4])


PERSON_NAMES: tuple[str, ...] = _name_pool()
"""Every citizen name the generator writes (full names with diacritics, NFC)."""

CCCD_PATTERN = re.compile(r"(?<!\d)0\d{2}[0-3]\d{8}(?!\d)")
"""12-digit citizen ID (CCCD): 3-digit province of birth, sex/century digit, 2-digit birth year, 6 digits."""
PHONE_PATTERN = re.compile(r"(?<!\d)0[35789]\d{8}(?!\d)")


def cccd_numbers(rng: np.random.Generator, n: int, province_code: str = "38") -> np.ndarray:
    """``n`` fictitious 12-digit CCCD numbers (province of birth mostly the given one)."""
    prov = np.where(rng.random(n) < 0.9, f"0{province_code}"[-3:], rng.choice(["001", "040", "036", "037"], n))
    sex = rng.integers(0, 4, n).astype(str)
    year = rng.integers(40, 100, n)
    year = np.where(np.isin(sex, ["2", "3"]), year % 6, year)
    tail = rng.integers(0, 1_000_000, n)
    return np.array([f"{p}{s}{y:02d}{t:06d}" for p, s, y, t in zip(prov, sex, year, tail)], dtype=object)


def _phones(rng: np.random.Generator, n: int) -> np.ndarray:
    pre = rng.choice(["09", "03", "08", "07", "05"], n)
    body = rng.integers(0, 100_000_000, n)
    return np.array([f"{p}{b:08d}" for p, b in zip(pre, body)], dtype=object)


# --------------------------------------------------------------------------------------------
# Calendar
# --------------------------------------------------------------------------------------------
_TET = {2021: dt.date(2021, 2, 12), 2022: dt.date(2022, 2, 1), 2023: dt.date(2023, 1, 22),
        2024: dt.date(2024, 2, 10), 2025: dt.date(2025, 1, 29), 2026: dt.date(2026, 2, 17)}


@dataclasses.dataclass(frozen=True)
class _Calendar:
    start: np.datetime64
    end: np.datetime64
    days: np.ndarray          # datetime64[D], start..end
    weight: np.ndarray        # relative intake per day (seasonality, weekends, holidays)
    holidays: np.ndarray      # datetime64[D] public holidays (for busday_offset)
    workday: np.ndarray       # bool per day

    def offset(self, dates: np.ndarray, n) -> np.ndarray:
        return np.busday_offset(dates, n, roll="forward", holidays=self.holidays)

    def draw(self, rng: np.random.Generator, n: int, weight: np.ndarray | None = None) -> np.ndarray:
        w = self.weight if weight is None else weight
        return np.sort(rng.choice(self.days, size=n, p=w / w.sum()))


def _calendar(years: int) -> _Calendar:
    """``years`` years before the reform, then up to SAMPLE_END."""
    end = np.datetime64(SAMPLE_END, "D")
    start = np.datetime64(dt.date(REFORM_DATE.year - years, REFORM_DATE.month, REFORM_DATE.day), "D")
    days = np.arange(start, end + 1, dtype="datetime64[D]")
    year_list = range(REFORM_DATE.year - years - 1, SAMPLE_END.year + 2)
    hol = np.array(sorted(holidays.country_holidays("VN", years=year_list)), dtype="datetime64[D]")
    weekday = (days.astype("datetime64[D]").view("int64") + 3) % 7  # 0 = Monday
    is_hol = np.isin(days, hol)
    workday = (weekday < 5) & ~is_hol
    weight = np.where(workday, 1.0, np.where(weekday == 5, 0.10, 0.03))
    weight = np.where(is_hol, 0.02, weight)
    month = (days.astype("datetime64[M]").view("int64") % 12) + 1
    weight = weight * np.select([month == 12, month == 1, month == 8], [1.22, 1.12, 1.08], 1.0)
    for tet in _TET.values():
        t = np.datetime64(tet, "D")
        rush = (days >= t - 24) & (days < t - 3)
        quiet = (days >= t - 3) & (days <= t + 6)
        weight = np.where(rush, weight * 1.45, weight)
        weight = np.where(quiet, weight * 0.12, weight)
    return _Calendar(start, end, days, weight, hol, workday)


# --------------------------------------------------------------------------------------------
# Text helpers
# --------------------------------------------------------------------------------------------
def _unaccent(text: str) -> str:
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in text if unicodedata.category(ch) != "Mn")


def _fold(text: str) -> str:
    """Case-, diacritics-, spacing- and punctuation-insensitive key (for choosing names)."""
    return " ".join(re.sub(r"[^0-9a-z]+", " ", _unaccent(text).lower()).split())


def _slug(text: str) -> str:
    return _fold(text).replace(" ", "_")


def _upper_vi(text: str) -> str:
    return unicodedata.normalize("NFC", text).upper()


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


# --------------------------------------------------------------------------------------------
# Domain tables: sectors, procedures (working days to the due date), free-text phrases
# --------------------------------------------------------------------------------------------
_SECTORS: list[tuple[str, float, list[tuple[str, int, float]]]] = [
    ("Hộ tịch", 0.40, [("Đăng ký khai sinh", 1, 0.30), ("Đăng ký khai tử", 1, 0.10),
                       ("Đăng ký kết hôn", 1, 0.12), ("Cấp bản sao trích lục hộ tịch", 1, 0.20),
                       ("Cấp giấy xác nhận tình trạng hôn nhân", 3, 0.18),
                       ("Đăng ký thay đổi, cải chính, bổ sung thông tin hộ tịch", 3, 0.07),
                       ("Đăng ký nhận cha, mẹ, con", 3, 0.03)]),
    ("Chứng thực", 0.30, [("Chứng thực bản sao từ bản chính", 1, 0.70), ("Chứng thực chữ ký", 1, 0.15),
                          ("Chứng thực hợp đồng, giao dịch liên quan đến tài sản", 2, 0.15)]),
    ("Đất đai", 0.08, [("Xác nhận hồ sơ đăng ký đất đai, cấp giấy chứng nhận", 10, 0.55),
                       ("Đăng ký biến động quyền sử dụng đất", 7, 0.30),
                       ("Hòa giải tranh chấp đất đai", 30, 0.15)]),
    ("Lao động - Thương binh và Xã hội", 0.10, [("Trợ cấp xã hội hàng tháng", 7, 0.30),
                                                ("Hỗ trợ chi phí mai táng", 3, 0.20),
                                                ("Xác định, xác định lại mức độ khuyết tật", 20, 0.15),
                                                ("Công nhận hộ nghèo, hộ cận nghèo phát sinh", 7, 0.20),
                                                ("Xác nhận người có công với cách mạng", 5, 0.15)]),
    ("Tư pháp", 0.04, [("Thủ tục thực hiện hòa giải ở cơ sở", 5, 0.5), ("Công nhận tuyên truyền viên pháp luật", 3, 0.5)]),
    ("Xây dựng", 0.03, [("Xác nhận hiện trạng xây dựng nhà ở", 7, 0.6), ("Thông báo khởi công xây dựng", 5, 0.4)]),
    ("Nông nghiệp", 0.03, [("Hỗ trợ khôi phục sản xuất vùng bị thiệt hại do thiên tai", 10, 0.6),
                           ("Xác nhận nguồn gốc lâm sản", 3, 0.4)]),
    ("Văn hóa - Thông tin", 0.02, [("Xét tặng danh hiệu Gia đình văn hóa", 5, 1.0)]),
]

_PETITION_FIELDS = (["Đất đai", "Giải phóng mặt bằng", "Chính sách xã hội", "Môi trường", "Trật tự xây dựng",
                     "An ninh trật tự", "Hộ tịch", "Cán bộ, công chức", "Điện, nước, giao thông"],
                    [0.36, 0.10, 0.14, 0.10, 0.09, 0.06, 0.04, 0.05, 0.06])
_PETITION_SOURCES = ["Trực tiếp", "Tiếp công dân định kỳ", "Bưu chính", "Cấp trên chuyển", "Hòm thư góp ý",
                     "Đường dây nóng"]
_DIALOGUE_TOPICS = ["Giải phóng mặt bằng dự án đường giao thông", "Cải cách thủ tục hành chính",
                    "Vệ sinh môi trường, thu gom rác thải", "Xây dựng nông thôn mới nâng cao",
                    "Cấp giấy chứng nhận quyền sử dụng đất", "Chính sách hỗ trợ hộ nghèo",
                    "An ninh trật tự trên địa bàn", "Chuyển đổi số, dịch vụ công trực tuyến",
                    "Quy hoạch khu dân cư", "Dồn điền đổi thửa"]
_CHAIRS = [("Chủ tịch UBND", True, 0.55), ("Bí thư Đảng ủy", True, 0.25), ("Phó Chủ tịch UBND", False, 0.2)]
_THANKS = ["Cảm ơn gia đình đã hiến đất làm đường giao thông", "Cảm ơn đã đóng góp ý kiến cải cách thủ tục hành chính",
           "Cảm ơn đã ủng hộ quỹ khuyến học", "Cảm ơn đã tham gia hoạt động thiện nguyện",
           "Cảm ơn đã phản ánh kịp thời sự cố môi trường", "Cảm ơn đã ủng hộ xây dựng nông thôn mới"]
_CONGRATS = ["Chúc mừng đăng ký kết hôn", "Chúc mừng gia đình có thêm thành viên mới", "Chúc mừng thượng thọ",
             "Chúc mừng con em đỗ đại học"]
_CONDOLENCE = ["Chia buồn cùng gia đình có người thân qua đời", "Thăm hỏi gia đình gặp hoạn nạn"]
_APOLOGY = ["Xin lỗi vì trễ hẹn trả kết quả hồ sơ", "Phiếu xin lỗi và hẹn lại ngày trả kết quả",
            "Xin lỗi do chậm trả kết quả"]
_VILLAGE = ["Thôn", "Xóm", "Làng", "Khu phố", "Tổ dân phố", "Bản"]

# Deliberately wrong values (each must map to nothing in its vocabulary / registry).
_BAD_STATUS = "Tạm dừng xử lý"
_BAD_COMMUNE = "Xã Tân Lập Hạ"
_BAD_RATING = "Tuyệt vời"


# --------------------------------------------------------------------------------------------
# Result
# --------------------------------------------------------------------------------------------
@dataclasses.dataclass
class SampleResult:
    paths: list[Path]
    rows: dict[str, int]                 # data rows written per kind (re-export files included)
    defects: list[dict]                  # {"file", "row" (1-based, title rows included), "kind", "defect"}
    communes: pl.DataFrame               # chosen communes with their profile
    handed_over: dict[str, set[str]] = dataclasses.field(default_factory=dict)  # ids in both eras' exports

    def defect_counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for d in self.defects:
            out[d["defect"]] = out.get(d["defect"], 0) + 1
        return out


def generate_sample(out_dir: Path, communes: int = SAMPLE_COMMUNES, years: int = SAMPLE_YEARS,
                    seed: int = SAMPLE_SEED, province_code: str = "38") -> list[Path]:
    """Write the synthetic exports into ``out_dir``; return the files written (sorted)."""
    return generate(out_dir, communes=communes, years=years, seed=seed, province_code=province_code).paths


# --------------------------------------------------------------------------------------------
# Commune choice and profiles
# --------------------------------------------------------------------------------------------
def choose_communes(units: pl.DataFrame, n: int, seed: int) -> pl.DataFrame:
    """``n`` communes, one per district first (all districts when n >= their number)."""
    rng = np.random.default_rng([seed, 1])
    units = units.sort("commune_code")
    districts = units["district_code"].unique().sort().to_list()
    rng.shuffle(districts)
    chosen: list[str] = []
    for d in districts[: min(n, len(districts))]:
        codes = units.filter(pl.col("district_code") == d)["commune_code"].to_list()
        chosen.append(codes[int(rng.integers(len(codes)))])
    rest = [c for c in units["commune_code"].to_list() if c not in set(chosen)]
    extra = max(0, min(n, units.height) - len(chosen))
    if extra:
        chosen += [str(c) for c in rng.choice(rest, size=extra, replace=False)]
    folded = units.with_columns(pl.col("commune_short_name").map_elements(_fold, return_dtype=pl.String).alias("k"))
    counts = folded.group_by("k").len()
    folded = folded.join(counts, on="k").with_columns((pl.col("len") == 1).alias("unique_name")).drop("k", "len")
    return folded.filter(pl.col("commune_code").is_in(chosen)).sort("commune_code")


def _profile(rng: np.random.Generator, ctype: str) -> dict:
    tier = rng.choice(["strong", "medium", "weak"], p=[0.6, 0.25, 0.15])
    base = {"Phường": (350, 850), "Thị trấn": (330, 800)}.get(ctype, (120, 340))
    late = {"strong": rng.uniform(0.001, 0.008), "medium": rng.uniform(0.02, 0.05),
            "weak": rng.uniform(0.10, 0.18)}[tier]
    on_time = {"strong": rng.uniform(0.01, 0.04), "medium": rng.uniform(0.04, 0.10),
               "weak": rng.uniform(0.06, 0.12)}[tier]
    return {
        "tier": str(tier),
        "volume": float(rng.uniform(*base)),
        "late": float(late), "on_time": float(on_time),
        "apology": {"strong": 1.0, "medium": float(rng.uniform(0.9, 1.0)), "weak": float(rng.uniform(0.45, 0.85))}[tier],
        "stuck": {"strong": 0.0005, "medium": 0.002, "weak": 0.006}[tier],
        "online_offset": float(rng.normal(0, 0.08)),
        "dialogues": 0 if rng.random() < 0.06 else int(rng.choice([1, 2, 2, 3, 4], p=[0.2, 0.35, 0.2, 0.15, 0.1])),
        "surveys": 0.0 if rng.random() < 0.15 else float(rng.uniform(40, 220)),
        "petitions": float(rng.uniform(4, 35)) * (1.6 if tier == "weak" else 1.0),
        "care_letters": rng.random() < 0.75,
        "thanks": int(rng.integers(1, 7)),
    }


# --------------------------------------------------------------------------------------------
# File forms
# --------------------------------------------------------------------------------------------
@dataclasses.dataclass
class _Form:
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


_TEXT_DATE = {"dmy": "%d/%m/%Y", "dmy_short": "%-d/%-m/%y", "dmy_dash": "%d-%m-%Y", "iso": "%Y-%m-%d",
              "dmy_time": "%d/%m/%Y %H:%M", "iso_time": "%Y-%m-%d %H:%M:%S"}


def _choose_form(rng: np.random.Generator, kind: str, unit: dict) -> _Form:
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
    return _Form(fmt=fmt, title=title, commune_mode=mode, commune_value=value, district_column=district_column,
                 district_line=district_line, date_style=date_style, header_case=header_case,
                 nfd=bool(rng.random() < 0.12), yes_no=yes_no, rating_words=bool(rng.random() < 0.5),
                 stt=bool(rng.random() < 0.6), wrap_headers=fmt == "xlsx" and bool(rng.random() < 0.15),
                 motto=title and bool(rng.random() < 0.3))


def _header(rng: np.random.Generator, schema_column, form: _Form, avoid: set[str]) -> str:
    """A header spelling for a column: one of its aliases, cased like the form."""
    aliases = [a for a in schema_column.aliases if _fold(a) not in avoid and not re.fullmatch(r"[a-z_ ]+", a)]
    if not aliases:
        aliases = [a for a in schema_column.aliases if _fold(a) not in avoid]
    alias = aliases[int(rng.integers(len(aliases)))]
    if form.header_case == "unaccent":
        alias = _cap(_unaccent(alias))
    elif form.header_case == "cap":
        alias = alias.upper() if alias in ("cccd", "cmnd", "sđt", "sdt", "tthc") else _cap(alias)
    elif form.header_case == "upper":
        alias = _upper_vi(alias)
    if form.wrap_headers and " " in alias and rng.random() < 0.4:
        alias = alias.replace(" ", "\n", 1)
    return alias


def _words(rng: np.random.Generator, vocab, canon: list[str]) -> dict[str, str]:
    """One spelling per canonical value, as a clerk's software would write it (label or phrase)."""
    out = {}
    for c in canon:
        options = [vocab.labels_vi[c]] + [w for w in vocab.values[c] if not re.fullmatch(r"[a-z ]+", w)]
        word = options[0] if rng.random() < 0.6 else options[int(rng.integers(len(options)))]
        out[c] = _cap(word).replace("Dvc", "DVC").replace("dvc", "DVC")
    return out


# --------------------------------------------------------------------------------------------
# Record generation (numpy, one frame per commune and kind; dates as datetime64[D])
# --------------------------------------------------------------------------------------------
def _address(rng, n, unit) -> np.ndarray:
    kind = rng.choice(_VILLAGE[:3] if unit["commune_type"] == "Xã" else _VILLAGE[3:5], n)
    num = rng.integers(1, 15, n)
    place = f"{unit['commune_type'].lower()} {unit['commune_short_name']}"
    return np.array([f"{k} {x}, {place}" for k, x in zip(kind, num)], dtype=object)


def _names(rng, n) -> np.ndarray:
    return np.array(PERSON_NAMES, dtype=object)[rng.integers(0, len(PERSON_NAMES), n)]


def _dossiers(rng, cal: _Calendar, unit: dict, prof: dict) -> dict:
    span_years = (cal.end - cal.start).astype(int) / 365.25
    n = int(rng.poisson(prof["volume"] * span_years))
    received = cal.draw(rng, n)
    sector_w = rng.dirichlet(np.array([s[1] for s in _SECTORS]) * 60)
    si = rng.choice(len(_SECTORS), n, p=sector_w)
    sector = np.array([s[0] for s in _SECTORS], dtype=object)[si]
    procedure = np.empty(n, dtype=object)
    days = np.zeros(n, dtype=np.int64)
    for i, (_, _, procs) in enumerate(_SECTORS):
        m = si == i
        pw = np.array([p[2] for p in procs])
        pi = rng.choice(len(procs), int(m.sum()), p=pw / pw.sum())
        procedure[m] = np.array([p[0] for p in procs], dtype=object)[pi]
        days[m] = np.array([p[1] for p in procs])[pi]
    # channel: online share grows over time
    t = (received - cal.start).astype(int) / max(1, (cal.end - cal.start).astype(int))
    online_p = np.clip(0.12 + 0.5 * t + prof["online_offset"], 0.02, 0.9)
    weekend = ~np.isin(received, cal.days[cal.workday])
    online_p = np.where(weekend, 0.9, online_p)
    u = rng.random(n)
    channel = np.where(u < online_p, "online", np.where(u < online_p + 0.015, "postal", "direct")).astype(object)
    start_day = cal.offset(received, 0)
    due = cal.offset(start_day, days)
    # outcome
    u = rng.random(n)
    status = np.full(n, "completed", dtype=object)
    status[u < 0.018] = "returned"
    status[(u >= 0.018) & (u < 0.026)] = "withdrawn"
    v = rng.random(n)
    late = v < prof["late"]
    on_time = (~late) & (v < prof["late"] + prof["on_time"])
    early_off = (rng.random(n) * days).astype(np.int64)
    completed = cal.offset(start_day, early_off)
    completed = np.where(on_time, due, completed)
    late_by = np.minimum(rng.geometric(0.3, n), 25)
    completed = np.where(late, cal.offset(due, late_by), completed)
    returned_on = cal.offset(start_day, (rng.random(n) * (days + 1)).astype(np.int64))
    completed = np.where(status == "returned", returned_on, completed)
    stuck = (rng.random(n) < prof["stuck"] * 4) & (received > cal.end - 120) & (status == "completed")
    status[stuck] = "pending"
    status[(completed > cal.end) & (status != "withdrawn")] = "pending"
    has_completed = (status == "completed") | (status == "returned")
    supp_p = [0.9, 0.075, 0.02, 0.005] if prof["tier"] != "weak" else [0.8, 0.13, 0.05, 0.02]
    supplements = rng.choice(4, n, p=supp_p)
    timeliness = np.where(completed < due, "early", np.where(completed == due, "on_time", "late")).astype(object)
    timeliness = np.where(status == "completed", timeliness, None)
    yymmdd = pl.Series(received).dt.strftime("%y%m%d").to_numpy()
    seq = np.arange(1, n + 1)
    ids = np.array([f"{unit['commune_code']}.{d}.{s:05d}" for d, s in zip(yymmdd, seq)], dtype=object)
    return {
        "dossier_id": ids, "sector": sector, "procedure": procedure, "channel": channel,
        "received_date": received, "due_date": due,
        "completed_date": np.where(has_completed, completed, np.datetime64("NaT")).astype("datetime64[D]"),
        "status": status, "supplement_requests": supplements, "reported_timeliness": timeliness,
        "applicant": _names(rng, n), "applicant_id_number": cccd_numbers(rng, n), "applicant_phone": _phones(rng, n),
        "applicant_address": _address(rng, n, unit),
    }


def _letters(rng, cal: _Calendar, unit: dict, prof: dict, dos: dict) -> dict:
    late = (dos["status"] == "completed") & (dos["completed_date"] > dos["due_date"])
    overdue = (dos["status"] == "pending") & (dos["due_date"] < cal.end)
    idx = np.flatnonzero((late | overdue) & (rng.random(len(late)) < prof["apology"]))
    sent_a = cal.offset(dos["due_date"][idx], -1)
    sent_a = np.maximum(sent_a, dos["received_date"][idx])
    new_appt = np.where(late[idx], dos["completed_date"][idx], cal.offset(dos["due_date"][idx], 5))
    names_dossier = rng.random(len(idx)) < (0.9 if prof["tier"] != "weak" else 0.7)
    span_years = (cal.end - cal.start).astype(int) / 365.25
    n_t = int(rng.poisson(prof["thanks"] * span_years))
    n_c = int(rng.poisson(14 * span_years)) if prof["care_letters"] else 0
    n_d = int(rng.poisson(7 * span_years)) if prof["care_letters"] else 0
    other_kind = np.array(["thanks"] * n_t + ["congratulation"] * n_c + ["condolence"] * n_d, dtype=object)
    other_dates = cal.draw(rng, len(other_kind), np.where(cal.workday, 1.0, 0.0))
    rng.shuffle(other_kind)
    occ = np.array([rng.choice(_THANKS) if k == "thanks" else rng.choice(_CONGRATS) if k == "congratulation"
                    else rng.choice(_CONDOLENCE) for k in other_kind], dtype=object)
    kind = np.concatenate([np.full(len(idx), "apology", dtype=object), other_kind])
    sent = np.concatenate([sent_a, other_dates]).astype("datetime64[D]")
    order = np.argsort(sent, kind="stable")
    n = len(kind)
    occasion = np.concatenate([rng.choice(_APOLOGY, len(idx)).astype(object), occ])
    dossier_id = np.concatenate([np.where(names_dossier, dos["dossier_id"][idx], None), np.full(len(other_kind), None)])
    appt = np.concatenate([new_appt, np.full(len(other_kind), np.datetime64("NaT"))]).astype("datetime64[D]")
    recipient = np.concatenate([dos["applicant"][idx], _names(rng, len(other_kind))])
    address = np.concatenate([dos["applicant_address"][idx], _address(rng, len(other_kind), unit)])
    kind, sent, occasion, dossier_id, appt, recipient, address = (
        a[order] for a in (kind, sent, occasion, dossier_id, appt, recipient, address))
    prefix = {"apology": "PXL", "thanks": "TCO", "congratulation": "TCM", "condolence": "TCB"}
    years_ = sent.astype("datetime64[Y]").astype(int) + 1970
    counters: dict = {}
    ids = []
    for k, y in zip(kind, years_):
        counters[(k, y)] = counters.get((k, y), 0) + 1
        ids.append(f"{counters[(k, y)]:03d}/{prefix[k]}-{y}-{unit['commune_code']}")
    return {"letter_id": np.array(ids, dtype=object), "kind": kind, "sent_date": sent, "occasion": occasion,
            "dossier_id": dossier_id, "new_appointment_date": appt, "recipient": recipient,
            "recipient_address": address, "_n": n}


def _petitions(rng, cal: _Calendar, unit: dict, prof: dict) -> dict:
    span_years = (cal.end - cal.start).astype(int) / 365.25
    n = max(1, int(rng.poisson(prof["petitions"] * span_years)))
    received = cal.draw(rng, n, np.where(cal.workday, 1.0, 0.05))
    kind = rng.choice(["complaint", "denunciation", "petition"], n, p=[0.17, 0.06, 0.77]).astype(object)
    field = rng.choice(_PETITION_FIELDS[0], n, p=_PETITION_FIELDS[1]).astype(object)
    source = rng.choice(_PETITION_SOURCES, n, p=[0.35, 0.2, 0.12, 0.18, 0.08, 0.07]).astype(object)
    within = rng.random(n) < 0.8
    due = np.where(kind == "petition", cal.offset(received, 15), received + 40).astype("datetime64[D]")
    weak = prof["tier"] == "weak"
    u = rng.random(n)
    outcome = np.where(within, "resolved", "transferred").astype(object)
    outcome[u < 0.03] = "withdrawn"
    outcome[(u >= 0.03) & (u < 0.07)] = "filed"
    late = rng.random(n) < (0.25 if weak else 0.06)
    take = np.where(kind == "petition", 15, 40)
    resolved = received + (rng.random(n) * take * 0.9).astype(np.int64)
    resolved = np.where(outcome == "transferred", received + rng.integers(1, 8, n), resolved)
    resolved = np.where(late & (outcome == "resolved"), due + rng.integers(1, 40, n), resolved).astype("datetime64[D]")
    stuck = (rng.random(n) < (0.12 if weak else 0.03)) & (received > cal.end - 200)
    pending = stuck | (resolved > cal.end)
    outcome[pending] = "pending"
    resolved = np.where(pending, np.datetime64("NaT"), resolved).astype("datetime64[D]")
    escalated = rng.random(n) < (0.08 if weak else 0.02)
    yrs = received.astype("datetime64[Y]").astype(int) + 1970
    ids, counters = [], {}
    for y in yrs:
        counters[y] = counters.get(y, 0) + 1
        ids.append(f"{counters[y]:03d}/{y}/{unit['commune_code']}")
    return {"petition_id": np.array(ids, dtype=object), "kind": kind, "received_date": received, "source": source,
            "field": field, "within_authority": within, "due_date": due, "resolved_date": resolved,
            "outcome": outcome, "escalated": escalated, "petitioner": _names(rng, n),
            "petitioner_id_number": cccd_numbers(rng, n), "petitioner_phone": _phones(rng, n),
            "petitioner_address": _address(rng, n, unit)}


def _dialogues(rng, cal: _Calendar, unit: dict, prof: dict) -> dict:
    span_years = (cal.end - cal.start).astype(int) / 365.25
    n = int(rng.poisson(prof["dialogues"] * span_years)) if prof["dialogues"] else 0
    dates = cal.draw(rng, n, np.where(cal.workday, 1.0, 0.0)) if n else np.array([], dtype="datetime64[D]")
    ci = rng.choice(len(_CHAIRS), n, p=[c[2] for c in _CHAIRS])
    ctype = unit["commune_type"].replace("Thị trấn", "thị trấn").replace("Xã", "xã").replace("Phường", "phường")
    chair = np.array([(_CHAIRS[i][0] + (f" {ctype}" if "UBND" in _CHAIRS[i][0] else "")) for i in ci], dtype=object)
    head = np.array([_CHAIRS[i][1] for i in ci], dtype=bool)
    raised = rng.integers(3, 26, n)
    answered = raised - np.where(rng.random(n) < 0.3, rng.integers(1, 4, n), 0)
    answered = np.maximum(answered, 0)
    yrs = dates.astype("datetime64[Y]").astype(int) + 1970
    ids = [f"HN-{y}-{k + 1:02d}" for k, y in enumerate(yrs)]
    return {"dialogue_id": np.array(ids, dtype=object), "dialogue_date": dates, "chair": chair,
            "chair_is_head": head, "topic": rng.choice(_DIALOGUE_TOPICS, n).astype(object),
            "attendees": rng.integers(40, 260, n), "opinions_raised": raised, "opinions_answered": answered}


def _surveys(rng, cal: _Calendar, unit: dict, prof: dict, dos: dict) -> dict:
    span_years = (cal.end - cal.start).astype(int) / 365.25
    n = int(rng.poisson(prof["surveys"] * span_years)) if prof["surveys"] else 0
    p = {"strong": [0.003, 0.01, 0.08, 0.44, 0.467], "medium": [0.005, 0.03, 0.14, 0.47, 0.355],
         "weak": [0.02, 0.07, 0.22, 0.45, 0.24]}[prof["tier"]]
    overall = rng.choice(np.arange(1, 6), n, p=p)

    def crit():
        return np.clip(overall + rng.choice([-1, 0, 0, 0, 0, 1], n), 1, 5)

    done = np.flatnonzero(dos["status"] == "completed")
    pick = done[rng.integers(0, len(done), n)] if len(done) else np.zeros(n, dtype=int)
    dates = dos["completed_date"][pick] if len(done) else cal.draw(rng, n)
    order = np.argsort(dates, kind="stable")
    yrs = dates[order].astype("datetime64[Y]").astype(int) + 1970
    counters: dict = {}
    ids = []
    for y in yrs:
        counters[y] = counters.get(y, 0) + 1
        ids.append(f"{unit['commune_code']}-{y}-{counters[y]:04d}")
    out = {"response_id": np.array(ids, dtype=object), "survey_date": dates[order],
           "dossier_id": dos["dossier_id"][pick][order] if len(done) else np.full(n, None),
           "overall": overall[order], "respect": crit()[order], "civility": crit()[order],
           "guidance": crit()[order], "explanation": crit()[order],
           "harassment": (rng.random(n) < (0.004 if prof["tier"] != "weak" else 0.015))[order],
           "respondent": _names(rng, n), "respondent_phone": _phones(rng, n)}
    return out


# --------------------------------------------------------------------------------------------
# Rendering one file
# --------------------------------------------------------------------------------------------
_REPORT_TITLES = {
    "dossier": ["BÁO CÁO TÌNH HÌNH TIẾP NHẬN VÀ GIẢI QUYẾT HỒ SƠ THỦ TỤC HÀNH CHÍNH",
                "SỔ THEO DÕI HỒ SƠ TẠI BỘ PHẬN MỘT CỬA", "DANH SÁCH HỒ SƠ TIẾP NHẬN"],
    "letter": ["SỔ THEO DÕI THƯ XIN LỖI, THƯ CẢM ƠN, THƯ CHÚC MỪNG, CHIA BUỒN", "BÁO CÁO CÔNG TÁC GỬI THƯ"],
    "petition": ["SỔ THEO DÕI TIẾP NHẬN, XỬ LÝ ĐƠN THƯ", "BÁO CÁO KẾT QUẢ GIẢI QUYẾT ĐƠN THƯ"],
    "dialogue": ["BÁO CÁO KẾT QUẢ ĐỐI THOẠI VỚI NHÂN DÂN", "DANH SÁCH HỘI NGHỊ ĐỐI THOẠI"],
    "survey": ["TỔNG HỢP PHIẾU KHẢO SÁT MỨC ĐỘ HÀI LÒNG", "KẾT QUẢ LẤY Ý KIẾN ĐÁNH GIÁ SỰ HÀI LÒNG"],
}
_FILE_STEM = {"dossier": "ho_so", "letter": "thu", "petition": "don_thu", "dialogue": "doi_thoai",
              "survey": "khao_sat"}
_GENERIC_STEM = {"dossier": "Bao cao ho so TTHC", "letter": "So theo doi thu", "petition": "So theo doi don thu",
                 "dialogue": "Bao cao doi thoai", "survey": "Tong hop phieu khao sat"}

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
class _FileSpec:
    kind: str
    unit: dict
    form: _Form
    columns: list[str]
    headers: list[str]
    period: tuple[dt.date, dt.date]
    name: str


def _title_rows(spec: _FileSpec, rng) -> list[list[str]]:
    u, f = spec.unit, spec.form
    rows: list[list[str]] = []
    ctype = _upper_vi(u["commune_type"])
    cname = _upper_vi(u["commune_short_name"])
    if f.commune_mode == "title":
        if f.district_line:
            rows.append([["UBND ", ""][int(rng.integers(2))] + _upper_vi(u["district_name"])])
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


def _format_dates(values: np.ndarray, style: str, rng) -> list:
    """Render a datetime64[D] array (NaT = empty) for the file's date style."""
    s = pl.Series(values.astype("datetime64[D]")).cast(pl.Date)
    n = len(s)
    if style in ("excel", "excel_time"):
        out = [None if d is None else dt.datetime(d.year, d.month, d.day) for d in s.to_list()]
        if style == "excel_time":
            mins = rng.integers(7 * 60 + 15, 17 * 60, n)
            out = [None if d is None else d + dt.timedelta(minutes=int(m)) for d, m in zip(out, mins)]
        return out
    if style == "serial":
        base = dt.date(1899, 12, 30)
        return [None if d is None else (d - base).days for d in s.to_list()]
    fmt = _TEXT_DATE[style]
    if "%H" in fmt:
        mins = pl.Series(rng.integers(7 * 60 + 15, 17 * 60, n) * 60_000_000).cast(pl.Duration("us"))
        s = s.cast(pl.Datetime("us")) + mins
    return s.dt.strftime(fmt).to_list()


def _bad_date_text(style: str, year: int) -> str:
    return {"dmy": f"31/02/{year}", "dmy_short": f"31/2/{year % 100:02d}", "dmy_dash": f"31-02-{year}",
            "iso": f"{year}-02-31", "dmy_time": f"31/02/{year} 08:30", "iso_time": f"{year}-02-31 08:30:00"}[style]


def _cells(spec: _FileSpec, data: dict, rows: np.ndarray, rng, words: dict) -> list[list]:
    """Column-wise cell values for the selected rows."""
    f, u = spec.form, spec.unit
    schema = RECORD_SCHEMAS[spec.kind]
    cols: list[list] = []
    for name in spec.columns:
        if name == "_stt":
            cols.append(list(range(1, len(rows) + 1)))
            continue
        if name == "_commune":
            v = {"code": u["commune_code"], "name": u["commune_name"], "short": u["commune_short_name"]}[f.commune_value]
            cols.append([v] * len(rows))
            continue
        if name == "_district":
            v = u["district_name"] if rng.random() < 0.6 else u["district_short_name"]
            cols.append([v] * len(rows))
            continue
        col = schema.column(name)
        arr = data[name][rows]
        if col.type == "date":
            cols.append(_format_dates(arr, f.date_style, rng))
        elif col.type == "bool":
            cols.append([f.yes_no[0] if x else f.yes_no[1] for x in arr])
        elif col.type == "rating":
            if f.rating_words:
                cols.append([RATING.labels_vi[str(int(x))] for x in arr])
            else:
                cols.append([int(x) for x in arr])
        elif col.type == "category":
            w = words[col.vocabulary]
            cols.append([None if x is None else w[x] for x in arr])
        elif col.type == "int":
            cols.append([int(x) for x in arr])
        else:
            cols.append([None if x is None else str(x) for x in arr])
    return cols


def _inject_defects(spec: _FileSpec, cols: list[list], data: dict, rows: np.ndarray, rng, first_row: int,
                    defects: list[dict], rate: float, words: dict) -> None:
    """Spoil about ``rate`` of the rows with one defect each; log them."""
    n = len(rows)
    k = int(rng.binomial(n, rate)) if n else 0
    if not k:
        return
    f = spec.form
    text_dates = f.date_style in _TEXT_DATE
    idx = {c: i for i, c in enumerate(spec.columns)}
    options: list[str] = []
    kind = spec.kind
    if kind == "dossier":
        options += ["completed_before_received", "unknown_status"]
        if "supplement_requests" in idx:
            options.append("negative_count")
        if text_dates:
            options.append("impossible_date")
    elif kind == "petition":
        options += ["resolved_before_received"] + (["impossible_date"] if text_dates else [])
    elif kind == "dialogue":
        options += ["answered_more_than_raised", "negative_count"]
    elif kind == "survey":
        options += ["unknown_rating"] + (["impossible_date"] if text_dates else [])
    elif kind == "letter":
        options += ["impossible_date"] if text_dates else []
    if "_commune" in idx and f.commune_value != "code":
        options.append("unknown_commune")
    if not options:
        return
    for r in rng.choice(n, size=min(k, n), replace=False):
        r = int(r)
        defect = str(options[int(rng.integers(len(options)))])
        schema = RECORD_SCHEMAS[kind]
        if defect == "impossible_date":
            target = schema.date_column if kind != "dossier" else "received_date"
            year = int(str(data[target][rows[r]])[:4])
            cols[idx[target]][r] = _bad_date_text(f.date_style, year)
        elif defect in ("completed_before_received", "resolved_before_received"):
            a, b = ("received_date", "completed_date") if kind == "dossier" else ("received_date", "resolved_date")
            value = data[a][rows[r]] - np.timedelta64(int(rng.integers(3, 30)), "D")
            cols[idx[b]][r] = _format_dates(np.array([value]), f.date_style, rng)[0]
            if kind == "dossier":
                cols[idx["status"]][r] = words["dossier_status"]["completed"]
            else:
                cols[idx["outcome"]][r] = words["petition_outcome"]["resolved"]
        elif defect == "unknown_status":
            cols[idx["status"]][r] = _BAD_STATUS
        elif defect == "negative_count":
            col = "supplement_requests" if kind == "dossier" else "attendees"
            cols[idx[col]][r] = -1 if kind == "dossier" else -int(rng.integers(5, 50))
        elif defect == "answered_more_than_raised":
            cols[idx["opinions_answered"]][r] = cols[idx["opinions_raised"]][r] + int(rng.integers(1, 5))
        elif defect == "unknown_rating":
            cols[idx["overall"]][r] = _BAD_RATING if f.rating_words else 7
        elif defect == "unknown_commune":
            cols[idx["_commune"]][r] = _BAD_COMMUNE
        defects.append({"file": spec.name, "row": first_row + r, "kind": kind, "defect": defect,
                        "record_id": str(data[schema.id_column][rows[r]])})


def _write(spec: _FileSpec, out_dir: Path, data: dict, rows: np.ndarray, rng, defects: list[dict],
           defect_rate: float) -> int:
    f = spec.form
    words = {}
    for vocab, canon in ((DOSSIER_STATUS, ["pending", "completed", "returned", "withdrawn"]),
                         (TIMELINESS, ["early", "on_time", "late"]), (CHANNEL, ["direct", "online", "postal"]),
                         (LETTER_KIND, ["apology", "thanks", "congratulation", "condolence"]),
                         (PETITION_KIND, ["complaint", "denunciation", "petition"]),
                         (PETITION_OUTCOME, ["resolved", "transferred", "withdrawn", "filed", "pending"])):
        words[vocab.name] = _words(rng, vocab, canon)
    title = _title_rows(spec, rng) if f.title else []
    cols = _cells(spec, data, rows, rng, words)
    first_row = len(title) + 2
    _inject_defects(spec, cols, data, rows, rng, first_row, defects, defect_rate, words)
    headers = list(spec.headers)
    if f.nfd:
        norm = lambda v: unicodedata.normalize("NFD", v) if isinstance(v, str) else v  # noqa: E731
        cols = [[norm(v) for v in c] for c in cols]
        headers = [norm(h) for h in headers]
        title = [[norm(v) for v in r] for r in title]
    path = out_dir / spec.name
    if f.fmt == "xlsx":
        _write_xlsx(path, title, headers, cols, f, rng)
    else:
        sep = ";" if f.fmt == "csv_semicolon" else ","
        frame = pl.DataFrame({f"c{i}": pl.Series([None if v is None else str(v) for v in c], dtype=pl.String)
                              for i, c in enumerate(cols)})
        head = sep.join(_csv_quote(h, sep) for h in headers)
        body = frame.write_csv(separator=sep, include_header=False, line_terminator="\r\n")
        text = head + "\r\n" + body
        data_bytes = (("\ufeff" if f.fmt == "csv_semicolon" else "") + text).encode("utf-8")
        path.write_bytes(data_bytes)
    return len(rows)


def _csv_quote(value: str, sep: str) -> str:
    if any(ch in value for ch in (sep, '"', "\n", "\r")):
        return '"' + value.replace('"', '""') + '"'
    return value


_FIXED_TIME = dt.datetime(2025, 7, 1, 8, 0, 0)


def _write_xlsx(path: Path, title: list[list], headers: list[str], cols: list[list], f: _Form, rng) -> None:
    date_fmt = "dd/mm/yyyy hh:mm" if f.date_style == "excel_time" else "dd/mm/yyyy"
    wb = xlsxwriter.Workbook(str(path), {"default_date_format": date_fmt, "constant_memory": True})
    wb.set_properties({"created": _FIXED_TIME, "author": "Bộ phận một cửa", "title": ""})
    ws = wb.add_worksheet(str(rng.choice(["Sheet1", "Báo cáo", "Danh sách", "Tổng hợp"])))
    bold = wb.add_format({"bold": True, "text_wrap": True, "border": 1, "align": "center"})
    tbold = wb.add_format({"bold": True})
    for r, row in enumerate(title):
        ws.write_row(r, 0, row, tbold)
    hr = len(title)
    ws.write_row(hr, 0, headers, bold)
    for c in range(len(headers)):
        ws.set_column(c, c, 16)
    n = len(cols[0]) if cols else 0
    rows = list(zip(*cols))
    for i in range(n):
        ws.write_row(hr + 1 + i, 0, rows[i])
    wb.close()


# --------------------------------------------------------------------------------------------
# The whole sample
# --------------------------------------------------------------------------------------------
def _file_periods(a: dt.date, b: dt.date, yearly: bool) -> list[tuple[dt.date, dt.date]]:
    if not yearly:
        return [(a, b)]
    out = []
    for y in range(a.year, b.year + 1):
        out.append((max(a, dt.date(y, 1, 1)), min(b, dt.date(y, 12, 31))))
    return out


def _file_name(kind: str, unit: dict, form: _Form, period, counter: list[int], suffix: str = "") -> str:
    ext = ".xlsx" if form.fmt == "xlsx" else ".csv"
    a, b = period
    span = str(a.year) if a.year == b.year else f"{a.year}_{b.year}"
    if not suffix and (form.commune_mode == "title" or (form.commune_mode == "column" and counter[0] % 3 == 0)):
        counter[0] += 1
        return f"{_GENERIC_STEM[kind]} {span}{suffix} ({counter[0]}){ext}"
    counter[0] += 1
    ctype = {"Xã": "xa", "Phường": "phuong", "Thị trấn": "thi_tran", "Đặc khu": "dac_khu"}[unit["commune_type"]]
    return f"{_FILE_STEM[kind]}_{ctype}_{_slug(unit['commune_short_name'])}_{span}{suffix}{ext}"


def _headers_for(rng, kind: str, columns: list[str], form: _Form) -> list[str]:
    schema = RECORD_SCHEMAS[kind]
    loc = {c.name: c for c in LOCATION_COLUMNS}
    # never reuse a spelling that another column of this file (or the location columns) also lists
    all_aliases: dict[str, int] = {}
    for c in list(schema.input_columns) + LOCATION_COLUMNS:
        for a in set(_fold(x) for x in c.aliases):
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
            avoid = shared | {_fold(a) for a in col.aliases if a.startswith("mã") != is_code or a == "ward"}
            avoid |= {"xa", "phuong"} if name == "_commune" else set()
            out.append(_header(rng, col, form, avoid))
        else:
            out.append(_header(rng, schema.column(name), form, shared))
    return out


def _columns_and_headers(rng, kind: str, form: _Form) -> tuple[list[str], list[str]]:
    columns = _plan_columns(rng, kind)
    if form.commune_mode == "column":
        columns = ["_commune"] + (["_district"] if form.district_column else []) + columns
    if form.stt:
        columns = ["_stt"] + columns
    return columns, _headers_for(rng, kind, columns, form)


def generate(out_dir: Path, communes: int = SAMPLE_COMMUNES, years: int = SAMPLE_YEARS, seed: int = SAMPLE_SEED,
             province_code: str = "38", defect_rate: float = 0.003) -> SampleResult:
    """Legacy communes' exports up to 30/06/2025, their successors' from 01/07/2025 (see sample_reform)."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    units = choose_communes(province_legacy_units(province_code), communes, seed)
    cal = _calendar(years)
    successor = successors_of(province_code)
    paths: list[Path] = []
    rows_per_kind = {k: 0 for k in RECORD_SCHEMAS}
    defects: list[dict] = []
    profiles = []
    counter = [0]
    reexport_code = None
    later: dict[tuple[str, str], list[tuple[dict, np.ndarray]]] = {}  # (new commune, kind) -> predecessors' rows
    handed: dict[str, set[str]] = {}
    for unit in units.iter_rows(named=True):
        code = int(unit["commune_code"])
        prof = _profile(np.random.default_rng([seed, code, 0]), unit["commune_type"])
        profiles.append({"commune_code": unit["commune_code"], **{k: prof[k] for k in ("tier", "volume")}})
        dos = _dossiers(np.random.default_rng([seed, code, 1]), cal, unit, prof)
        data = {"dossier": dos,
                "letter": _letters(np.random.default_rng([seed, code, 2]), cal, unit, prof, dos),
                "petition": _petitions(np.random.default_rng([seed, code, 3]), cal, unit, prof),
                "dialogue": _dialogues(np.random.default_rng([seed, code, 4]), cal, unit, prof),
                "survey": _surveys(np.random.default_rng([seed, code, 5]), cal, unit, prof, dos)}
        for ki, kind in enumerate(RECORD_SCHEMAS):
            schema = RECORD_SCHEMAS[kind]
            before, after = split_at_reform(kind, data[kind], schema.date_column)
            if len(after):
                later.setdefault((successor[unit["commune_code"]], kind), []).append((data[kind], after))
                both = np.intersect1d(before, after)
                handed.setdefault(kind, set()).update(str(i) for i in data[kind][schema.id_column][both])
            if len(before) == 0:
                continue
            rec = as_of_reform(kind, data[kind])
            dates = rec[schema.date_column if kind != "dossier" else "received_date"]
            rng = np.random.default_rng([seed, code, 10 + ki])
            form = _choose_form(rng, kind, unit)
            is_reexport = kind == "dossier" and reexport_code is None and form.commune_mode == "column" \
                and form.commune_value == "code" and unit["commune_type"] != "Xã"
            if is_reexport:
                reexport_code = unit["commune_code"]
            yearly = kind == "dossier" and (is_reexport or rng.random() < 0.6)
            columns, headers = _columns_and_headers(rng, kind, form)
            for period in _file_periods(cal.start.astype(dt.date), LEGACY_END, yearly):
                a, b = (np.datetime64(period[0], "D"), np.datetime64(period[1], "D"))
                sel = np.flatnonzero((dates >= a) & (dates <= b))
                if len(sel) == 0:
                    continue
                clean = is_reexport and period[1] == LEGACY_END
                spec = _FileSpec(kind, unit, form, columns, headers, period,
                                 _file_name(kind, unit, form, period, counter, "_xuat_20250701" if clean else ""))
                rows_per_kind[kind] += _write(spec, out_dir, rec, sel, rng, defects, 0.0 if clean else defect_rate)
                paths.append(out_dir / spec.name)
                if clean:  # an export taken on the morning of 13/06: results returned from that day on are pending
                    cut = np.datetime64(dt.date(2025, 6, 13), "D")
                    early = {k: v.copy() if isinstance(v, np.ndarray) else v for k, v in rec.items()}
                    closed_later = ~np.isnat(early["completed_date"]) & (early["completed_date"] >= cut)
                    early["status"] = np.where(closed_later | ((early["status"] == "withdrawn") & (dates > cut - 10)),
                                               "pending", early["status"]).astype(object)
                    early["completed_date"] = np.where(closed_later, np.datetime64("NaT"), early["completed_date"])
                    early["reported_timeliness"] = np.where(closed_later, None, early["reported_timeliness"])
                    sel0 = np.flatnonzero((dates >= a) & (dates <= cut))
                    spec0 = _FileSpec(kind, unit, form, columns, headers, (period[0], cut.astype(dt.date)),
                                      _file_name(kind, unit, form, period, counter, "_xuat_20250613"))
                    rows_per_kind[kind] += _write(spec0, out_dir, early, sel0,
                                                  np.random.default_rng([seed, code, 99]), defects, 0.0)
                    paths.append(out_dir / spec0.name)
    paths += _write_new_communes(out_dir, later, new_units(province_code, _fold), seed, rows_per_kind, defects,
                                 counter, defect_rate)
    prof_frame = pl.DataFrame(profiles)
    return SampleResult(sorted(paths), rows_per_kind, defects, units.join(prof_frame, on="commune_code"), handed)


def _write_new_communes(out_dir: Path, later: dict, units: dict[str, dict], seed: int, rows_per_kind: dict,
                        defects: list[dict], counter: list[int], defect_rate: float) -> list[Path]:
    """The new communes' exports from 01/07/2025: their predecessors' later records (and the dossiers
    and petitions handed over), in each commune's own form; the first commune's 2026 dossiers in the
    two-row one-stop ledger layout."""
    paths: list[Path] = []
    ledger_done = False
    for (new_code, kind), parts in sorted(later.items()):
        unit = units[new_code]
        if kind == "dialogue":  # one commune holds its own dialogues: one predecessor's schedule, not their sum
            parts = parts[:1]
        schema = RECORD_SCHEMAS[kind]
        order_by = "received_date" if kind in ("dossier", "petition") else schema.date_column
        rec = merge_parts(parts, order_by)
        rng = np.random.default_rng([seed, int(new_code), 50 + list(RECORD_SCHEMAS).index(kind)])
        form = _choose_form(rng, kind, unit)
        columns, headers = _columns_and_headers(rng, kind, form)
        ledger = kind == "dossier" and not ledger_done
        yearly = ledger or (kind == "dossier" and rng.random() < 0.6)
        if kind == "dossier":  # a few dossiers handed over at the reform are still pending, long past due
            rec = stall_handed_over(rec, rng, STALLED_SHARE)
        last = last_dates(kind, rec, order_by)
        for period in _file_periods(REFORM_DATE, SAMPLE_END, yearly):
            a, b = (np.datetime64(period[0], "D"), np.datetime64(period[1], "D"))
            sel = np.flatnonzero((last >= a) & (last <= b)) if period[1] < SAMPLE_END else np.flatnonzero(last >= a)
            if len(sel) == 0:
                continue
            if ledger and period[0].year == SAMPLE_END.year:
                sel = sel[np.isin(sel, ledger_rows(rec))]
                name = f"so_theo_doi_ho_so_{_slug(unit['commune_name'])}_{period[0].year}.xlsx"
                rows_per_kind[kind] += write_ledger(out_dir / name, unit, rec, sel, period, _FIXED_TIME)
                paths.append(out_dir / name)
                ledger_done = True
                continue
            spec = _FileSpec(kind, unit, form, columns, headers, period, _file_name(kind, unit, form, period, counter))
            rows_per_kind[kind] += _write(spec, out_dir, rec, sel, rng, defects, defect_rate)
            paths.append(out_dir / spec.name)
    return paths
