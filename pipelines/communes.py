"""Resolve communes: a code or a name (with or without its type word or district) to one code.

Names match folded (no case or diacritics) with or without the type word and its usual
abbreviations (xã/X., phường/P., thị trấn/TT.). A name shared by several communes of the
province resolves only with its district; otherwise it is reported with every candidate's
code, never guessed. Codes resolve anywhere in the country; a commune outside the configured
province is reported as such. Resolution runs once per distinct (commune, district) pair,
not per row.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass, field

import polars as pl

from pipelines.admin_units import registry
from pipelines.text import fold

COMMUNE_TYPES = {"xa": "Xã", "x": "Xã", "phuong": "Phường", "p": "Phường", "thi tran": "Thị trấn", "tt": "Thị trấn"}
DISTRICT_TYPES = {"huyen": "Huyện", "h": "Huyện", "thi xa": "Thị xã", "tx": "Thị xã", "thanh pho": "Thành phố",
                  "tp": "Thành phố", "quan": "Quận", "q": "Quận"}
_COMMUNE_PREFIX = re.compile(r"^(?:uy ban nhan dan |ubnd )?(thi tran|phuong|xa|tt|p|x) (.+)$")
_DISTRICT_PREFIX = re.compile(r"^(?:uy ban nhan dan |ubnd )?(thanh pho|thi xa|huyen|quan|tp|tx|h|q) (.+)$")


@dataclass(frozen=True)
class Resolution:
    """A commune code, or the reason there is none (code, Vietnamese message, candidates)."""

    code: str | None
    reason: str | None = None
    message: str | None = None
    candidates: tuple[str, ...] = field(default=())


def split_type(folded: str, pattern: re.Pattern, types: dict[str, str]) -> tuple[str | None, str]:
    """('Xã', 'hoang dong') from 'xa hoang dong'; (None, name) when no type word leads."""
    match = pattern.match(folded)
    if match and match.group(2).strip():
        return types[match.group(1)], match.group(2).strip()
    return None, folded


def accent_key(text: str) -> str:
    """Lower-case words with their diacritics kept: 'Hoằng Đồng' and 'Hoằng Đông' stay apart."""
    return re.sub(r"[\W_]+", " ", unicodedata.normalize("NFC", text).lower()).strip()


def _strip_words(text: str, folded_rest: str) -> str:
    """Drop from ``text`` the leading words that folding matched as a type word."""
    words = accent_key(text).split(" ")
    return " ".join(words[len(words) - len(folded_rest.split(" ")):])


@functools.cache
def _province_units(province_code: str) -> pl.DataFrame:
    units = registry().filter(pl.col("province_code") == province_code)
    return units.with_columns(
        pl.col("commune_short_name").map_elements(fold, return_dtype=pl.String).alias("_commune_key"),
        pl.col("district_short_name").map_elements(fold, return_dtype=pl.String).alias("_district_key"),
        pl.col("commune_short_name").map_elements(accent_key, return_dtype=pl.String).alias("_commune_accent"),
        pl.col("district_short_name").map_elements(accent_key, return_dtype=pl.String).alias("_district_accent"),
    )


def _match_name(units: pl.DataFrame, text: str, level: str) -> pl.DataFrame:
    """Units whose commune (or district) name matches ``text``, read with and without a type word.

    'Quan Sơn' is a district called Quan Sơn, not 'Quận Sơn'; 'Phượng Nghi' is no 'Phường Nghi':
    both readings are tried, and readings whose diacritics match exactly win over folded ones.
    """
    pattern, types = (_COMMUNE_PREFIX, COMMUNE_TYPES) if level == "commune" else (_DISTRICT_PREFIX, DISTRICT_TYPES)
    folded = fold(text)
    readings = [(None, folded)]
    unit_type, rest = split_type(folded, pattern, types)
    if unit_type:
        readings.append((unit_type, rest))
    loose, exact = [], []
    for reading_type, key in readings:
        hits = units.filter(pl.col(f"_{level}_key") == key)
        if reading_type:
            typed = hits.filter(pl.col(f"{level}_type") == reading_type)
            hits = typed if not typed.is_empty() else hits
        loose.append(hits)
        exact.append(hits.filter(pl.col(f"_{level}_accent") == _strip_words(text, key)))
    chosen = pl.concat(exact) if any(not e.is_empty() for e in exact) else pl.concat(loose)
    return chosen.unique("commune_code", keep="first", maintain_order=True)


def _describe(units: pl.DataFrame) -> str:
    """'15952 Xã Hoằng Đồng (Huyện Hoằng Hóa); …' for messages that list candidates."""
    return "; ".join(f"{r['commune_code']} {r['commune_name']} ({r['district_name']})" for r in units.iter_rows(named=True))


def _district_filter(units: pl.DataFrame, district: str | None) -> tuple[pl.DataFrame, str | None]:
    if not district:
        return units, None
    text = district.strip()
    if text.isdigit():
        return units.filter(pl.col("district_code") == text.zfill(3)), text.zfill(3)
    return _match_name(units, text, "district"), text


def resolve_commune(value: str, district: str | None, province_code: str) -> Resolution:
    """One commune code for a code or name, or a reason with the candidates."""
    text = (value or "").strip()
    if not text:
        return Resolution(None, "missing_commune", "thiếu tên hoặc mã xã")
    if re.fullmatch(r"\d{1,5}", text):
        code = text.zfill(5)
        hit = registry().filter(pl.col("commune_code") == code)
        if hit.is_empty():
            return Resolution(None, "unknown_commune", f"mã xã '{text}' không có trong danh mục đơn vị hành chính")
        if hit["province_code"][0] != province_code:
            row = hit.row(0, named=True)
            return Resolution(None, "other_province",
                              f"mã xã {code} là {row['commune_name']}, {row['district_name']}, {row['province_name']} "
                              f"— không thuộc tỉnh đang cấu hình (mã {province_code})")
        return Resolution(code)
    candidates = _match_name(_province_units(province_code), text, "commune")
    in_district, district_text = _district_filter(candidates, district)
    if len(in_district) == 1:
        return Resolution(in_district["commune_code"][0])
    if candidates.is_empty():
        return Resolution(None, "unknown_commune", f"không tìm thấy xã '{text}' trong tỉnh (mã {province_code})")
    if in_district.is_empty():
        return Resolution(None, "unknown_commune",
                          f"không có xã '{text}' thuộc '{district_text}'; các xã cùng tên: {_describe(candidates)}",
                          tuple(candidates["commune_code"]))
    return Resolution(None, "ambiguous_commune",
                      f"tên xã '{text}' trùng ở nhiều đơn vị, cần ghi rõ huyện hoặc mã xã: {_describe(in_district)}",
                      tuple(in_district["commune_code"]))


def commune_from_title(preview_rows: list[list[str | None]], province_code: str) -> Resolution | None:
    """'ỦY BAN NHÂN DÂN XÃ …' (and a 'HUYỆN …' line if present) in the title rows; None if absent."""
    commune_text = district_text = None
    for row in preview_rows:
        for cell in row:
            if not cell:
                continue
            folded = fold(str(cell))
            if folded.startswith("cong hoa") or folded.startswith("doc lap"):
                continue
            commune_match = _COMMUNE_PREFIX.match(folded)
            district_match = _DISTRICT_PREFIX.match(folded)
            if commune_match and commune_text is None and commune_match.group(1) in ("xa", "phuong", "thi tran"):
                commune_text = str(cell)
            elif district_match and district_text is None and district_match.group(1) in ("huyen", "thi xa", "thanh pho"):
                district_text = re.sub(r"(?i)^\s*(ủy ban nhân dân|uỷ ban nhân dân|ubnd)\s+", "", str(cell))
    if commune_text is None:
        return None
    name = re.sub(r"(?i)^\s*(ủy ban nhân dân|uỷ ban nhân dân|ubnd)\s+", "", commune_text)
    return resolve_commune(name, district_text, province_code)


def commune_from_file_name(stem: str, province_code: str) -> Resolution | None:
    """A commune named in the file name with its type word ('ho_so_xa_hoang_dong_2024'); None if none."""
    folded = f" {fold(stem.replace('_', ' '))} "
    units = _province_units(province_code)
    found = []
    for row in units.iter_rows(named=True):
        type_words = [k for k, v in COMMUNE_TYPES.items() if v == row["commune_type"]]
        if any(f" {t} {row['_commune_key']} " in folded for t in type_words):
            found.append(row)
    if not found:
        return None
    hits = pl.DataFrame(found)
    district_hits = hits.filter(pl.col("_district_key").map_elements(lambda k: f" {k} " in folded,
                                                                     return_dtype=pl.Boolean))
    if len(hits) == 1 or len(district_hits) == 1:
        chosen = hits if len(hits) == 1 else district_hits
        return Resolution(chosen["commune_code"][0])
    return Resolution(None, "ambiguous_commune",
                      f"tên tệp '{stem}' chỉ ra nhiều xã: {_describe(hits)}",
                      tuple(hits["commune_code"]))
