"""Resolve communes in two eras: a code or a name (with or without type word or district) to one unit.

The rules (docs/units.md):

- A code or name found in only one era's list (legacy: before 1 July 2025, with districts;
  2025: after) means that unit. One found in both is read in the era of the export (the list
  in force on the file's latest event date) or the era the user gives; without either it is
  reported with the candidates of both eras, never guessed.
- Text that carries diacritics must match them ('Hà Trung' is never 'Hạ Trung'); tone marks
  placed the old way ('Hoá') match the new way ('Hóa'). Text without diacritics matches folded.
  A near miss is reported with the names it nearly matched.
- A type word must match ('Xã Hà Trung' is not 'Thị trấn Hà Trung', 'Phường Thành Vinh' is not
  'Xã Thành Vinh'): a unit of the same name and another type is only named in the message.
- A district narrows a legacy name. A district that no longer exists (Huyện Đông Sơn, merged
  into Thành phố Thanh Hóa in 2024) is not a conflict: the commune alone decides and a note
  says where it now belongs; a district that exists but does not hold the commune is a conflict,
  and one that exists only in another province (Huyện Tân Kỳ, Nghệ An) is foreign.
- Names resolve within the configured province (its legacy predecessors included); codes, and
  names found nowhere in it, are looked up nationwide, so a unit of another province is named as
  such. A province a file names as its own (a title cell starting 'UBND TỈNH NGHỆ AN', 'tinh_nghe_an'
  in its name, a province column) that is not the configured one refuses the file
  (``foreign_province``); a province in free text of a title ('đơn do Công an tỉnh Nghệ An chuyển
  đến') does not.
Resolution runs once per distinct (commune, district) value of a file, not per row.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass, field

import polars as pl

from pipelines.ingest.admin_units import (NATIONAL, legacy_districts, legacy_registry, own_province_codes,
                                          province_legacy_units, province_names, province_units_2025, registry_2025)
from pipelines.text import fold
from schemas.admin_unit import COMMUNE_TYPES, DISTRICT_TYPES, ERA_SHORT_VI, Era

_COMMUNE_PREFIX = re.compile(r"^(?:uy ban nhan dan |ubnd )?(thi tran|phuong|dac khu|xa|tt|p|x) (.+)$")
_DISTRICT_PREFIX = re.compile(r"^(?:uy ban nhan dan |ubnd )?(thanh pho|thi xa|huyen|quan|tp|tx|h|q) (.+)$")
_TONES = {"\u0300": "2", "\u0301": "1", "\u0303": "4", "\u0309": "3", "\u0323": "5"}


@dataclass(frozen=True)
class Resolution:
    """A unit (code and the era of its list), or the reason there is none, with the candidates."""

    code: str | None
    era: Era | None = None
    reason: str | None = None
    message: str | None = None
    candidates: tuple[str, ...] = field(default=())
    note: str | None = None


def names_a_unit(text: str) -> bool:
    """Whether a cell reads as a unit ('Xã Tân Lập', 'UBND phường …', a code) rather than free words,
    which may be a citizen's name typed in the wrong cell and are then not repeated in messages."""
    folded = fold(text or "")
    return bool(re.search(r"\d", folded) or _COMMUNE_PREFIX.match(folded) or _DISTRICT_PREFIX.match(folded))


def split_type(folded: str, pattern: re.Pattern, types: dict[str, str]) -> tuple[str | None, str]:
    """('Xã', 'hoang dong') from 'xa hoang dong'; (None, name) when no type word leads."""
    match = pattern.match(folded)
    if match and match.group(2).strip():
        return types[match.group(1)], match.group(2).strip()
    return None, folded


@functools.lru_cache(maxsize=65536)
def accent_key(text: str) -> str:
    """Lower-case words with their diacritics kept and each word's tone moved to its end.

    'Hoằng Đồng' and 'Hoằng Đông' stay apart; 'Thanh Hoá' and 'Thanh Hóa' (old and new tone
    placement) become the same key.
    """
    words = re.sub(r"[\W_]+", " ", unicodedata.normalize("NFC", text).lower()).split()
    keyed = []
    for word in map(functools.partial(unicodedata.normalize, "NFD"), words):
        tone = "".join(_TONES[ch] for ch in word if ch in _TONES)
        base = unicodedata.normalize("NFC", "".join(ch for ch in word if ch not in _TONES))
        keyed.append(base + tone)
    return " ".join(keyed)


def has_diacritics(text: str) -> bool:
    """True when the text carries any Vietnamese mark (then its marks must match)."""
    return any(unicodedata.combining(ch) for ch in unicodedata.normalize("NFD", text)) or "đ" in text.lower()


def _keyed(units: pl.DataFrame, *levels: str) -> pl.DataFrame:
    keys = []
    for level in levels:
        keys += [pl.col(f"{level}_short_name").map_elements(fold, return_dtype=pl.String).alias(f"_{level}_key"),
                 pl.col(f"{level}_short_name").map_elements(accent_key, return_dtype=pl.String)
                 .alias(f"_{level}_accent")]
    return units.with_columns(keys)


@functools.cache
def _legacy_units(province_code: str) -> pl.DataFrame:
    return _keyed(province_legacy_units(province_code), "commune", "district")


@functools.cache
def _new_units(province_code: str) -> pl.DataFrame:
    return _keyed(province_units_2025(province_code), "commune")


@functools.cache
def _district_names(province_code: str) -> pl.DataFrame:
    return _legacy_units(province_code).select(
        "district_code", "district_name", "district_type", "_district_key", "_district_accent").unique("district_code")


@dataclass(frozen=True)
class _Matches:
    strict: pl.DataFrame    # diacritics (when the text has them) and type word (when given) agree
    loose_type: pl.DataFrame  # diacritics agree, type word ignored
    near: pl.DataFrame      # folded name agrees, diacritics do not


def _match_name(units: pl.DataFrame, text: str, level: str, pattern: re.Pattern, types: dict[str, str]) -> _Matches:
    """Units whose name at ``level`` matches ``text``, read with and without a leading type word.

    'Quan Sơn' is a district called Quan Sơn, not 'Quận Sơn'; 'Phượng Nghi' is no 'Phường Nghi':
    both readings are tried.
    """
    folded = fold(text)
    marked = has_diacritics(text)
    readings: list[tuple[str | None, str]] = [(None, folded)]
    unit_type, rest = split_type(folded, pattern, types)
    if unit_type:
        readings.append((unit_type, rest))
    strict, loose_type, near = [], [], []
    for reading_type, key in readings:
        hits = units.filter(pl.col(f"_{level}_key") == key)
        if marked:
            words = accent_key(text).split(" ")
            accent = " ".join(words[len(words) - len(key.split(" ")):])
            agree = hits.filter(pl.col(f"_{level}_accent") == accent)
            near.append(hits.filter(pl.col(f"_{level}_accent") != accent))
        else:
            agree = hits
        loose_type.append(agree)
        strict.append(agree.filter(pl.col(f"{level}_type") == reading_type) if reading_type else agree)

    def union(frames: list[pl.DataFrame]) -> pl.DataFrame:
        return pl.concat(frames).unique("commune_code", keep="first", maintain_order=True) if frames else units.clear()
    return _Matches(union(strict), union(loose_type), union(near))


def _describe(units: pl.DataFrame, era: Era) -> str:
    """'15271 Thị trấn Hà Trung (Huyện Hà Trung, cấu trúc cũ); …' for messages that list candidates."""
    def one(row: dict) -> str:
        where = f"{row['district_name']}, " if era == "legacy" else ""
        return f"{row['commune_code']} {row['commune_name']} ({where}{ERA_SHORT_VI[era]})"
    return "; ".join(one(r) for r in units.iter_rows(named=True))


def _candidates(legacy: pl.DataFrame, new: pl.DataFrame) -> str:
    return "; ".join(filter(None, [_describe(legacy, "legacy"), _describe(new, "2025")]))


def _decide(legacy: pl.DataFrame, new: pl.DataFrame, era: Era | None, what: str, note: str | None = None
            ) -> Resolution:
    """One unit from the candidates of each era, by the rules above; None when neither era has one."""
    if legacy.is_empty() and new.is_empty():
        raise LookupError(what)
    if not legacy.is_empty() and not new.is_empty():
        if era is None:
            return Resolution(None, None, "ambiguous_era",
                              f"{what} có ở cả danh mục trước và từ 01/07/2025, không xác định được thời kỳ của tệp "
                              f"(không có ngày nào hợp lệ); hãy chọn cấu trúc (--units legacy|2025). "
                              f"Các đơn vị: {_candidates(legacy, new)}",
                              tuple(legacy["commune_code"]) + tuple(new["commune_code"]))
        chosen_era: Era = era
    else:
        chosen_era = "legacy" if not legacy.is_empty() else "2025"
    chosen = legacy if chosen_era == "legacy" else new
    if len(chosen) == 1:
        return Resolution(chosen["commune_code"][0], chosen_era, note=note)
    return Resolution(None, None, "ambiguous_commune",
                      f"{what} trùng ở nhiều đơn vị, cần ghi rõ huyện hoặc mã xã: {_describe(chosen, chosen_era)}",
                      tuple(chosen["commune_code"]))


def _resolve_code(text: str, province_code: str, era: Era | None) -> Resolution:
    code = text.zfill(5)
    legacy_all = legacy_registry().filter(pl.col("commune_code") == code)
    new_all = registry_2025().filter(pl.col("commune_code") == code)
    legacy = _legacy_units(province_code).filter(pl.col("commune_code") == code)
    new = _new_units(province_code).filter(pl.col("commune_code") == code)
    if legacy.is_empty() and new.is_empty():
        if legacy_all.is_empty() and new_all.is_empty():
            return Resolution(None, None, "unknown_commune", f"mã xã '{text}' không có trong danh mục đơn vị hành chính")
        row = (new_all if not new_all.is_empty() else legacy_all).row(0, named=True)
        return Resolution(None, None, "other_province",
                          f"mã xã {code} là {row['commune_name']}, {row['province_name']} — không thuộc tỉnh đang "
                          f"cấu hình (mã {province_code})")
    return _decide(legacy, new, era, f"mã xã {code}")


def resolve_codes(values: pl.Series, province_code: str, era: Era | None) -> pl.DataFrame:
    """The values that are plain codes of a commune of the province, resolved at once by a join:
    (value, commune_code, unit_era), the answer ``resolve_commune`` gives one by one (a code both
    lists know is read in ``era``). Values it cannot place without a message (names, codes of
    other provinces, a code of both lists in a file of no era) are left out, for ``resolve_commune``.
    A national export names thousands of communes: one Python call each would cost seconds a file."""
    text = values.str.strip_chars()
    codes = pl.DataFrame({"commune": values, "_code": pl.select(
        pl.when(text.str.contains(r"^\d{1,5}$")).then(text.str.zfill(5))).to_series()})
    legacy = _legacy_units(province_code).select(pl.col("commune_code").alias("_code"), _legacy=pl.lit(True))
    new = _new_units(province_code).select(pl.col("commune_code").alias("_code"), _new=pl.lit(True))
    unit_era = (pl.when(pl.col("_legacy") & pl.col("_new")).then(pl.lit(era, dtype=pl.String))
                .when(pl.col("_legacy")).then(pl.lit("legacy")).when(pl.col("_new")).then(pl.lit("2025")))
    return (codes.join(legacy, on="_code", how="left").join(new, on="_code", how="left")
            .select("commune", pl.col("_code").alias("commune_code"), unit_era.alias("unit_era"))
            .filter(pl.col("unit_era").is_not_null()))



def _districts_named(districts: pl.DataFrame, text: str) -> pl.DataFrame:
    """The districts of ``districts`` that ``text`` names: by code, else by name with its type word matching
    (a name alone only when no type word does)."""
    if text.isdigit():
        return districts.filter(pl.col("district_code") == text.zfill(3))
    found = _match_name(districts.with_columns(commune_code=pl.col("district_code")), text, "district",
                        _DISTRICT_PREFIX, DISTRICT_TYPES)
    return found.strict if not found.strict.is_empty() else found.loose_type


def _district_scope(units: pl.DataFrame, district: str | None, province_code: str
                    ) -> tuple[pl.DataFrame | None, str | None, Resolution | None]:
    """(units of the named district, None, None); (None, note, None) when the district is not in the legacy
    list of the province nor of any other (merged away before the list was made); (None, None, refusal)
    when it is a district of another province only."""
    text = (district or "").strip()
    if not text:
        return units, None, None
    known = _districts_named(_district_names(province_code), text)
    if not known.is_empty():
        return units.filter(pl.col("district_code").is_in(known["district_code"].implode())), None, None
    elsewhere = _districts_named(_other_districts(province_code), text)
    if not elsewhere.is_empty():
        where = "; ".join(f"{r['district_name']}, {r['province_name']}" for r in elsewhere.iter_rows(named=True))
        return None, None, Resolution(None, None, "other_province",
                                      f"'{text}' là huyện của tỉnh khác ({where}), không thuộc tỉnh đang cấu hình "
                                      f"({_province_name(province_code)})")
    return None, f"'{text}' không còn trong danh mục huyện (đã sáp nhập trước 07/2025)", None


@functools.cache
def _other_districts(province_code: str) -> pl.DataFrame:
    """Legacy districts of every other province (none for a national deployment)."""
    own = own_province_codes(province_code)
    others = legacy_districts().filter(~pl.col("province_code").is_in(list(own)) & pl.lit(province_code != NATIONAL))
    return _keyed(others, "district")


@functools.cache
def _other_communes(province_code: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Communes of every other province in each list, keyed like the province's own."""
    own = list(own_province_codes(province_code))
    def others(units: pl.DataFrame) -> pl.DataFrame:
        return _keyed(units.filter(~pl.col("province_code").is_in(own) & pl.lit(province_code != NATIONAL)),
                      "commune")
    return others(legacy_registry()), others(registry_2025())


def _province_name(province_code: str) -> str:
    names = province_names().filter(pl.col("province_code") == province_code)["province_name"]
    return names[0] if len(names) else f"mã {province_code}"


def _foreign_name(text: str, province_code: str) -> Resolution | None:
    """A name found nowhere in the province that is a unit of another province (type word and
    diacritics agreeing): named as such rather than as unknown."""
    legacy, new = _other_communes(province_code)
    hits = [(row, era) for units, era in ((new, "2025"), (legacy, "legacy"))
            for row in _match_name(units, text, "commune", _COMMUNE_PREFIX, COMMUNE_TYPES).strict
            .head(3).iter_rows(named=True)]
    if not hits:
        return None
    where = "; ".join(f"{row['commune_code']} {row['commune_name']}, {row['province_name']} ({ERA_SHORT_VI[era]})"
                      for row, era in hits)
    return Resolution(None, None, "other_province",
                      f"tên xã '{text}' không có trong tỉnh đang cấu hình ({_province_name(province_code)}) mà là "
                      f"đơn vị của tỉnh khác: {where}")


def resolve_commune(value: str, district: str | None, province_code: str, era: Era | None = None) -> Resolution:
    """One unit for a code or name (and optional old district), read in ``era`` when both eras know it."""
    text = (value or "").strip()
    if not text:
        return Resolution(None, None, "missing_commune", "thiếu tên hoặc mã xã")
    if re.fullmatch(r"\d{1,5}", text):
        return _resolve_code(text, province_code, era)
    legacy_units = _legacy_units(province_code)
    in_district, gone, foreign = _district_scope(legacy_units, district, province_code)
    if foreign:
        return foreign
    legacy = _match_name(legacy_units, text, "commune", _COMMUNE_PREFIX, COMMUNE_TYPES)
    new = _match_name(_new_units(province_code), text, "commune", _COMMUNE_PREFIX, COMMUNE_TYPES)
    legacy_hits, new_hits = legacy.strict, new.strict
    note = None
    if gone:
        note = gone
    elif district and district.strip():
        outside = legacy_hits
        legacy_hits = legacy_hits.join(in_district.select("commune_code"), on="commune_code", how="semi")
        if legacy_hits.is_empty() and not outside.is_empty() and new_hits.is_empty():
            return Resolution(None, None, "unknown_commune",
                              f"không có xã '{text}' thuộc '{district.strip()}'; các xã cùng tên: "
                              f"{_describe(outside, 'legacy')}", tuple(outside["commune_code"]))
    try:
        result = _decide(legacy_hits, new_hits, era, f"tên xã '{text}'", note)
    except LookupError:
        elsewhere = _foreign_name(text, province_code)
        if elsewhere:
            return elsewhere
        other_type = _candidates(legacy.loose_type, new.loose_type)
        near = _candidates(legacy.near, new.near)
        hint = (f"; cùng tên nhưng khác loại đơn vị (không tự nhận): {other_type}" if other_type else "") + (
            f"; tên gần giống (khác dấu, không tự nhận): {near}" if near else "")
        return Resolution(None, None, "unknown_commune", f"không tìm thấy xã '{text}' trong tỉnh (mã {province_code})"
                          f"{hint}", tuple(legacy.loose_type["commune_code"]) + tuple(new.loose_type["commune_code"])
                          + tuple(legacy.near["commune_code"]) + tuple(new.near["commune_code"]))
    if gone and result.code and result.era == "legacy":
        row = legacy_hits.row(0, named=True)
        result = Resolution(result.code, result.era, note=f"{gone}; {row['commune_name']} nay thuộc {row['district_name']}")
    return result


_LEADING_BODY = re.compile(r"(?i)^\s*(ủy ban nhân dân|uỷ ban nhân dân|ubnd)\s+")


def commune_from_title(preview_rows: list[list[str | None]], province_code: str, era: Era | None = None
                       ) -> Resolution | None:
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
            if commune_match and commune_text is None and commune_match.group(1) in ("xa", "phuong", "thi tran",
                                                                                     "dac khu"):
                commune_text = str(cell)
            elif district_match and district_text is None and district_match.group(1) in ("huyen", "thi xa", "thanh pho"):
                district_text = str(cell)
    if commune_text is None:
        return None
    return resolve_commune(_title_name(commune_text), _title_name(district_text) if district_text else None,
                           province_code, era)


def _title_name(cell: str) -> str:
    """'THỊ TRẤN HÀ TRUNG - TỔNG HỢP HỘI NGHỊ ĐỐI THOẠI' -> 'THỊ TRẤN HÀ TRUNG': the unit, without the body
    that issues it or what follows a dash."""
    return re.split(r"\s+[-–—:]\s+", _LEADING_BODY.sub("", cell), maxsplit=1)[0].strip()


def commune_from_file_name(stem: str, province_code: str, era: Era | None = None) -> Resolution | None:
    """A commune named in the file name with its type word ('ho_so_xa_hoang_dong_2024'); None if none."""
    folded = f" {fold(stem.replace('_', ' '))} "

    def named(units: pl.DataFrame) -> pl.DataFrame:
        words = {v: [k for k, t in COMMUNE_TYPES.items() if t == v] for v in set(COMMUNE_TYPES.values())}
        hit = [any(f" {t} {key} " in folded for t in words.get(kind, []))
               for key, kind in units.select("_commune_key", "commune_type").iter_rows()]
        return units.filter(pl.Series(hit, dtype=pl.Boolean))

    legacy, new = named(_legacy_units(province_code)), named(_new_units(province_code))
    if len(legacy) > 1:  # a district named in the file name narrows legacy candidates
        in_district = legacy.filter(pl.col("_district_key").map_elements(lambda k: f" {k} " in folded,
                                                                         return_dtype=pl.Boolean))
        legacy = in_district if len(in_district) == 1 else legacy
    try:
        return _decide(legacy, new, era, f"tên tệp '{stem}'")
    except LookupError:
        return None


# 'tỉnh' (or 'tinh' without marks) as a word, followed by a name: 'tinh_nghe_an' in a file name.
# Not 'tình'/'tính'/'tịnh' ('TÌNH HÌNH'), and never a bare name ('Phường Thanh Hóa' is a commune).
_PROVINCE_WORD = re.compile(r"(?<![^\W_])t[iỉ]nh[\s_]+(.+)")
# A title cell that issues the file: 'UBND TỈNH NGHỆ AN', 'Ủy ban nhân dân tỉnh …', 'TỈNH …' at its start
# (marks optional). A province further on is free text ('đơn do Công an tỉnh Nghệ An chuyển đến'): it
# names where a letter came from, not whose ledger the file is.
_ISSUER_PROVINCE = re.compile(r"^\s*(?:(?:[uủ][yỷ] ban nh[aâ]n d[aâ]n|ubnd)\s+)?t[iỉ]nh\s+(.+)")


@functools.cache
def _province_keys() -> tuple[tuple[str, str, str], ...]:
    """(folded short name, code, full name) of every province of both lists, longest name first."""
    rows = province_names().select(pl.col("short_name").map_elements(fold, return_dtype=pl.String),
                                   "province_code", "province_name").unique().iter_rows()
    return tuple(sorted(rows, key=lambda r: (-len(r[0]), r[0], r[1])))


def _province_at(folded_rest: str) -> tuple[str, str] | None:
    """(code, full name) of the province whose name the folded text starts with, as whole words."""
    rest = f"{folded_rest} "
    return next(((code, name) for key, code, name in _province_keys() if rest.startswith(f"{key} ")), None)


def named_province(text: str) -> tuple[str, str] | None:
    """(code, full name) of the province a text (a file name) names with 'tỉnh X' anywhere, or None."""
    lowered = unicodedata.normalize("NFC", str(text)).lower()
    for match in _PROVINCE_WORD.finditer(lowered):
        found = _province_at(fold(match.group(1)))
        if found:
            return found
    return None


def issuing_province(cell: str) -> tuple[str, str] | None:
    """(code, full name) of the province a title cell names as its issuer ('UBND TỈNH NGHỆ AN'), or None."""
    match = _ISSUER_PROVINCE.match(unicodedata.normalize("NFC", str(cell)).lower())
    return _province_at(fold(match.group(1))) if match else None


def province_value(value: str) -> tuple[str, str] | None:
    """(code, full name) for a province column's cell: a code, a name with or without 'Tỉnh'/'Thành phố'."""
    folded = fold(value)
    if re.fullmatch(r"\d{1,2}", folded):
        names = province_names().filter(pl.col("province_code") == folded.zfill(2))
        return (folded.zfill(2), names["province_name"][0]) if len(names) else None
    rest = re.sub(r"^(?:tinh|thanh pho|tp) ", "", folded)
    return next(((code, name) for key, code, name in _province_keys() if key == rest), None)


def foreign_province(titles: list[str], file_stem: str, province_code: str) -> str | None:
    """The full name of the first province other than the configured one (and the legacy provinces
    merged into it) that an issuer line of the titles or the file name names; None when they name
    none or only this one."""
    if province_code == NATIONAL:
        return None
    own = own_province_codes(province_code)
    found = [issuing_province(title) for title in titles if title] + [named_province(file_stem)]
    return next((hit[1] for hit in found if hit and hit[0] not in own), None)
