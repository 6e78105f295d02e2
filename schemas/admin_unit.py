"""The administrative unit (old three-level list, before the 1 July 2025 reorganisation).

Rows come from the ``vietnamadminunits`` package's bundled registry (table
``admin_units_legacy``), never typed by hand; see ``pipelines.admin_units``.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class AdminUnit(BaseModel):
    """One commune (xã/phường/thị trấn) with its district and province."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    commune_code: str = Field(pattern=r"^\d{5}$", description="Commune code, 5 digits.")
    commune_name: str = Field(description="Full name with type word, e.g. 'Thị trấn Hà Trung'.")
    commune_short_name: str = Field(description="Name without type word, e.g. 'Hà Trung'.")
    commune_type: str = Field(description="Xã / Phường / Thị trấn.")
    district_code: str = Field(pattern=r"^\d{3}$", description="Old district code, 3 digits.")
    district_name: str = Field(description="Full district name, e.g. 'Huyện Hà Trung'.")
    district_short_name: str = Field(description="District name without type word.")
    district_type: str = Field(description="Huyện / Thị xã / Thành phố.")
    province_code: str = Field(pattern=r"^\d{2}$", description="Province code, 2 digits.")
    province_name: str = Field(description="Full province name, e.g. 'Tỉnh Thanh Hóa'.")
    latitude: float | None = Field(default=None, description="Commune centroid latitude.")
    longitude: float | None = Field(default=None, description="Commune centroid longitude.")


ADMIN_UNIT_SQL_TYPES: dict[str, str] = {
    name: ("DOUBLE" if name in ("latitude", "longitude") else "VARCHAR") for name in AdminUnit.model_fields
}
