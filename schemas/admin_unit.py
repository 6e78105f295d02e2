"""Administrative units in two eras, and the mapping between them.

Until 30 June 2025 Vietnam had three levels: province, district (huyện, thị xã, thành phố thuộc
tỉnh) and commune (xã, phường, thị trấn). Since 1 July 2025 there are no districts, and most
communes were merged: Thanh Hóa's 547 communes became 166. A new commune usually reuses the
code of one of the communes merged into it, so a code alone never says which unit it is: the
era decides. Rows come from the ``vietnamadminunits`` package's bundled registry and mapping
(``pipelines.ingest.admin_units``), never typed by hand.

Tables: ``units_legacy`` (LegacyUnit), ``units_2025`` (Unit2025) and ``unit_successors``
(UnitSuccessor). The record tables keep the unit as sent and its era; ``era_legacy`` and
``era_2025`` views place every record in one structure (``pipelines.ingest.warehouse``).
"""

from __future__ import annotations

import datetime as dt
from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field

Era = Literal["legacy", "2025"]
ERAS: tuple[Era, ...] = ("legacy", "2025")
REFORM_DATE = dt.date(2025, 7, 1)
"""First day of the 2025 structure (Nghị quyết 202/2025/QH15): no district level, merged communes."""

ERA_LABELS_VI: dict[str, str] = {
    "2025": "Cấu trúc mới (từ 01/07/2025)",
    "legacy": "Cấu trúc cũ (trước 01/07/2025)",
}
ERA_SHORT_VI: dict[str, str] = {"legacy": "cấu trúc cũ", "2025": "cấu trúc mới"}
ERA_SCHEMA: dict[str, str] = {"legacy": "era_legacy", "2025": "era_2025"}
"""DuckDB schema whose views place every record in that era's structure."""

Grouping = Literal["commune", "district", "province"]
GROUPINGS: tuple[Grouping, ...] = get_args(Grouping)
"""How the engine groups communes, top-down: each commune, its district (legacy) or 'địa bàn huyện cũ' (2025),
the province."""


def era_of(day: dt.date) -> Era:
    """The structure in force on ``day``."""
    return "2025" if day >= REFORM_DATE else "legacy"


def default_era(period_end: dt.date) -> Era:
    """Views default to the 2025 structure for any period that ends after 30/06/2025."""
    return era_of(period_end)


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LevelTerm(_Frozen):
    """One level of one structure: its code, the units it groups by, and what people call it."""

    code: str = Field(description="What the CLI's --level, the report's templates and the outputs call the level.")
    grouping: Grouping = Field(description="The unit columns the engine groups by: a legacy district and a 2025 "
                                           "'địa bàn huyện cũ' are both district_code/district_name in the views.")
    label: str = Field(description="A unit of the level as a header: 'Xã/phường/thị trấn'.")
    word: str = Field(description="A unit of the level in a sentence: 'xã', 'địa bàn huyện cũ'.")
    governed: bool = Field(default=True, description="A unit with a government of its own; an 'địa bàn huyện cũ' is "
                                                     "only an area, which the report words differently.")


LEVEL_TERMS: dict[Era, tuple[LevelTerm, ...]] = {
    "legacy": (LevelTerm(code="commune", grouping="commune", label="Xã/phường/thị trấn", word="xã"),
               LevelTerm(code="district", grouping="district", label="Huyện/thị xã/thành phố", word="huyện"),
               LevelTerm(code="province", grouping="province", label="Tỉnh", word="tỉnh")),
    "2025": (LevelTerm(code="commune", grouping="commune", label="Xã/phường", word="xã"),
             LevelTerm(code="area", grouping="district", label="Địa bàn huyện cũ", word="địa bàn huyện cũ",
                       governed=False),
             LevelTerm(code="province", grouping="province", label="Tỉnh", word="tỉnh")),
}
"""The level vocabulary, the one place levels are written. ``area`` groups new communes by 'địa bàn huyện cũ':
the old district(s) their predecessors lay in (a commune whose predecessors lie in several old districts is its
own group); the engine groups it by the same columns as a legacy district (``grouping``)."""

LEVELS: dict[Era, tuple[str, ...]] = {era: tuple(t.code for t in terms) for era, terms in LEVEL_TERMS.items()}
"""The level codes of each structure, top-down from the commune."""
_BY_CODE: dict[str, LevelTerm] = {t.code: t for terms in LEVEL_TERMS.values() for t in terms}
LEVEL_CODES: tuple[str, ...] = tuple(sorted(_BY_CODE, key=lambda code: GROUPINGS.index(_BY_CODE[code].grouping)))
"""Every level code of either structure, top-down: commune, district, area, province (the CLI's choices)."""


def grouping_of(level: str) -> Grouping:
    """The engine's grouping of a level code (``area`` -> ``district``); an unknown code raises ValueError."""
    if level not in _BY_CODE:
        raise ValueError(f"cấp không hợp lệ {level!r}: chọn một trong {', '.join(LEVEL_CODES)}")
    return _BY_CODE[level].grouping


def level_in(era: Era, grouping: Grouping) -> LevelTerm:
    """The level of ``era`` that groups by ``grouping`` (``district`` is ``area`` in the 2025 structure)."""
    return next(t for t in LEVEL_TERMS[era] if t.grouping == grouping)


class _Commune(_Frozen):
    """What a commune has in either list."""

    commune_code: str = Field(pattern=r"^\d{5}$", description="Commune code, 5 digits (unique within its list only).")
    commune_name: str = Field(description="Full name with type word, e.g. 'Thị trấn Hà Trung', 'Xã Hà Trung'.")
    commune_short_name: str = Field(description="Name without type word, e.g. 'Hà Trung'.")
    commune_type: str = Field(description="Xã / Phường / Thị trấn (legacy) / Đặc khu (2025).")
    province_code: str = Field(pattern=r"^\d{2}$", description="Province code in the same list, 2 digits.")
    province_name: str = Field(description="Full province name in the same list, e.g. 'Tỉnh Hà Nam' (legacy).")
    latitude: float | None = Field(default=None, description="Commune centroid latitude.")
    longitude: float | None = Field(default=None, description="Commune centroid longitude.")


class LegacyUnit(_Commune):
    """One commune of the legacy list (before 1 July 2025), with its district."""

    district_code: str = Field(pattern=r"^\d{3}$", description="Old district code, 3 digits.")
    district_name: str = Field(description="Full district name, e.g. 'Huyện Hà Trung'.")
    district_short_name: str = Field(description="District name without type word.")
    district_type: str = Field(description="Huyện / Thị xã / Thành phố / Quận.")


class Unit2025(_Commune):
    """One commune of the 2025 list, with its 'địa bàn huyện cũ'."""

    area_code: str = Field(description="Old district code(s) of the predecessors, '+'-joined when several.")
    area_name: str = Field(description="Old district name(s) of the predecessors, ' + '-joined when several.")


class UnitSuccessor(_Frozen):
    """A legacy commune and one new commune that took (part of) it; a split commune has several rows."""

    legacy_code: str = Field(pattern=r"^\d{5}$", description="Legacy commune code.")
    code_2025: str = Field(pattern=r"^\d{5}$", description="Successor commune code in the 2025 list.")
    is_default: bool = Field(description="The successor its records roll up to (the only one unless split).")


def sql_types(model: type[BaseModel]) -> dict[str, str]:
    """DuckDB type of each field of a unit model."""
    kinds = {float: "DOUBLE", bool: "BOOLEAN"}
    out = {}
    for name, field in model.model_fields.items():
        base = next((t for t in (float, bool) if field.annotation in (t, t | None)), str)
        out[name] = kinds.get(base, "VARCHAR")
    return out


def required_fields(model: type[BaseModel]) -> tuple[str, ...]:
    """Fields a unit always has (checked not null at every publish): those that may not be None."""
    return tuple(name for name, field in model.model_fields.items() if field.is_required())


UNIT_TABLES: dict[str, type[BaseModel]] = {
    "units_legacy": LegacyUnit, "units_2025": Unit2025, "unit_successors": UnitSuccessor,
}
UNIT_KEYS: dict[str, tuple[str, ...]] = {
    "units_legacy": ("commune_code",), "units_2025": ("commune_code",), "unit_successors": ("legacy_code", "code_2025"),
}
"""Each unit table's key: a code is unique within its list; a split legacy commune has one row per successor."""


COMMUNE_TYPES: dict[str, str] = {"xa": "Xã", "x": "Xã", "phuong": "Phường", "p": "Phường", "thi tran": "Thị trấn",
                                  "tt": "Thị trấn", "dac khu": "Đặc khu"}
"""The type word that begins a commune's name (``commune_type``), by its folded spelling and abbreviation as
exports write it: the ingest reads names with it, the report strips it from names."""
DISTRICT_TYPES: dict[str, str] = {"huyen": "Huyện", "h": "Huyện", "thi xa": "Thị xã", "tx": "Thị xã",
                                  "thanh pho": "Thành phố", "tp": "Thành phố", "quan": "Quận", "q": "Quận"}
"""The type word that begins a district's name (``district_type``), as ``COMMUNE_TYPES``."""
