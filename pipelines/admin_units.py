"""The real administrative-unit registry, read from the ``vietnamadminunits`` package.

Its bundled SQLite file has the legacy (pre-July-2025) three-level list with codes, names,
types and coordinates; we never hand-type it. ``registry()`` gives the whole country (codes
resolve anywhere); ``admin_units_table`` keeps the configured province for the warehouse.
"""

from __future__ import annotations

import functools
import importlib.util
import sqlite3
from pathlib import Path

import polars as pl

from schemas.admin_unit import AdminUnit

_LEGACY_QUERY = """
SELECT wardCode AS commune_code, ward AS commune_name, wardShort AS commune_short_name,
       wardType AS commune_type, districtCode AS district_code, district AS district_name,
       districtShort AS district_short_name, districtType AS district_type,
       provinceCode AS province_code, province AS province_name,
       wardLat AS latitude, wardLon AS longitude
FROM admin_units_legacy
"""


@functools.cache
def registry() -> pl.DataFrame:
    """All 10,040 legacy communes of Vietnam, codes zero-padded, in AdminUnit's columns."""
    # Locate the bundled file without importing the package (its import builds parsers: ~1 s).
    spec = importlib.util.find_spec("vietnamadminunits")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("thiếu gói vietnamadminunits: hãy cài lại môi trường (bash scripts/setup.sh)")
    db_file = Path(spec.submodule_search_locations[0]) / "data" / "dataset.db"
    with sqlite3.connect(f"file:{db_file}?mode=ro", uri=True) as con:
        cursor = con.execute(_LEGACY_QUERY)
        names = [d[0] for d in cursor.description]
        rows = cursor.fetchall()
    frame = pl.DataFrame(rows, schema=names, orient="row")
    frame = frame.with_columns(
        pl.col("commune_code").cast(pl.String).str.zfill(5),
        pl.col("district_code").cast(pl.String).str.zfill(3),
        pl.col("province_code").cast(pl.String).str.zfill(2),
        pl.col("latitude").cast(pl.Float64),
        pl.col("longitude").cast(pl.Float64),
    )
    return frame.select(list(AdminUnit.model_fields)).unique("commune_code", keep="first").sort("commune_code")


def admin_units_table(province_code: str) -> pl.DataFrame:
    """The configured province's communes, as stored in the warehouse table ``admin_units``."""
    units = registry().filter(pl.col("province_code") == province_code)
    if units.is_empty():
        raise ValueError(f"Mã tỉnh {province_code!r} không có trong danh mục đơn vị hành chính")
    return units
