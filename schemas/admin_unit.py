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
from typing import Literal

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

LEVELS: dict[str, tuple[str, ...]] = {
    "legacy": ("commune", "district", "province"),
    "2025": ("commune", "area", "province"),
}
"""Levels of each structure. ``area`` groups new communes by 'địa bàn huyện cũ': the old district(s)
their predecessors lay in (a commune whose predecessors lie in several old districts is its own group)."""
GROUP_LEVELS: tuple[str, ...] = ("district", "area")
"""The two names of the grouping above communes (``LEVELS[era][1]``); the engine computes both as 'district'."""



def era_of(day: dt.date) -> Era:
    """The structure in force on ``day``."""
    return "2025" if day >= REFORM_DATE else "legacy"


def default_era(period_end: dt.date) -> Era:
    """Views default to the 2025 structure for any period that ends after 30/06/2025."""
    return era_of(period_end)


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


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
