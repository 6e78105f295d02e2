"""Both administrative-unit registries and the 2025 mapping, read from ``vietnamadminunits``.

The package ships a SQLite file (``data/dataset.db``: table ``admin_units_legacy``, the
10,040 communes of mid-2025 with their districts; table ``admin_units``, the 3,321 communes
since 1 July 2025) and ``data/converter_2025.json``, which maps each legacy commune (by its
``provinceKey_districtKey_wardKey``) to the new commune(s) that took it: merged communes to
one, split communes to several with one marked default. We read those files directly (the
package's own import builds parsers and may reach a geocoder for split communes) and never
type a unit or a link by hand.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import sqlite3
from pathlib import Path

import polars as pl

from schemas.admin_unit import LegacyUnit, Unit2025, UnitSuccessor
from schemas.config import ConfigError

_LEGACY_QUERY = """
SELECT wardCode AS commune_code, ward AS commune_name, wardShort AS commune_short_name,
       wardType AS commune_type, districtCode AS district_code, district AS district_name,
       districtShort AS district_short_name, districtType AS district_type,
       provinceCode AS province_code, province AS province_name,
       wardLat AS latitude, wardLon AS longitude,
       provinceKey || '_' || districtKey || '_' || wardKey AS unit_key, provinceKey AS province_key
FROM admin_units_legacy WHERE wardCode IS NOT NULL
"""
_NEW_QUERY = """
SELECT wardCode AS commune_code, ward AS commune_name, wardShort AS commune_short_name,
       wardType AS commune_type, provinceCode AS province_code, province AS province_name,
       wardLat AS latitude, wardLon AS longitude, wardKey AS unit_key, provinceKey AS province_key
FROM admin_units
"""


def _data_dir() -> Path:
    # Locate the bundled files without importing the package (its import builds parsers: ~1 s).
    spec = importlib.util.find_spec("vietnamadminunits")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("thiếu gói vietnamadminunits: hãy cài lại môi trường (bash scripts/setup.sh)")
    return Path(spec.submodule_search_locations[0]) / "data"


def _read(query: str) -> pl.DataFrame:
    with sqlite3.connect(f"file:{_data_dir() / 'dataset.db'}?mode=ro", uri=True) as con:
        cursor = con.execute(query)
        names = [d[0] for d in cursor.description]
        rows = cursor.fetchall()
    frame = pl.DataFrame(rows, schema=names, orient="row")
    return frame.with_columns(
        pl.col("commune_code").cast(pl.String).str.zfill(5),
        pl.col("province_code").cast(pl.String).str.zfill(2),
        pl.col("latitude").cast(pl.Float64),
        pl.col("longitude").cast(pl.Float64),
    )


@functools.cache
def _legacy_full() -> pl.DataFrame:
    frame = _read(_LEGACY_QUERY).with_columns(pl.col("district_code").cast(pl.String).str.zfill(3))
    return frame.unique("commune_code", keep="first").sort("commune_code")


@functools.cache
def _new_full() -> pl.DataFrame:
    return _read(_NEW_QUERY).sort("commune_code")


def legacy_registry() -> pl.DataFrame:
    """Every legacy commune of Vietnam (codes zero-padded), in LegacyUnit's columns."""
    return _legacy_full().select(list(LegacyUnit.model_fields))


@functools.cache
def _converter() -> dict:
    return json.loads((_data_dir() / "converter_2025.json").read_text(encoding="utf-8"))


@functools.cache
def successors() -> pl.DataFrame:
    """Every legacy commune code with its successor code(s) in the 2025 list (UnitSuccessor's columns)."""
    conv = _converter()
    legacy_code = dict(zip(_legacy_full()["unit_key"], _legacy_full()["commune_code"]))
    new = _new_full()
    new_code = {(p, w): c for p, w, c in new.select("province_key", "unit_key", "commune_code").iter_rows()}
    rows = []
    for province_key, wards in conv["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
        for ward_key, olds in wards.items():
            for old in olds:
                if old in legacy_code:
                    rows.append((legacy_code[old], new_code[(province_key, ward_key)], True))
    for province_key, olds in conv["DICT_PROVINCE_WARD_DIVIDED"].items():
        for old, parts in olds.items():
            for part in parts:
                code = new_code.get((province_key, part["newWardKey"]))
                if old in legacy_code and code:
                    rows.append((legacy_code[old], code, bool(part["isDefaultNewWard"])))
    frame = pl.DataFrame(rows, schema=list(UnitSuccessor.model_fields), orient="row")
    return frame.unique(["legacy_code", "code_2025"], keep="first").sort("legacy_code", "code_2025")


# The province code of a deployment that serves the whole country: every commune of both lists (the
# national benchmark's warehouse, a ministry's). No province has it.
NATIONAL = "00"


@functools.cache
def legacy_province_codes(province_code: str) -> tuple[str, ...]:
    """Legacy province codes merged into the 2025 province ``province_code`` (itself included when it
    existed before; all of them for NATIONAL). Raises ConfigError for a code that is not a 2025 province."""
    if province_code == NATIONAL:
        return tuple(sorted(_legacy_full()["province_code"].unique()))
    new = _new_full().filter(pl.col("province_code") == province_code)
    if new.is_empty():
        legacy = _legacy_full().filter(pl.col("province_code") == province_code)
        if not legacy.is_empty():
            key = legacy["province_key"][0]
            into = next((k for k, olds in _converter()["DICT_PROVINCE"].items() if key in olds), None)
            target = _new_full().filter(pl.col("province_key") == into)
            hint = (f"; từ 01/07/2025 tỉnh này thuộc {target['province_name'][0]} (mã {target['province_code'][0]})"
                    if not target.is_empty() else "")
            raise ConfigError(f"Mã tỉnh {province_code!r} ({legacy['province_name'][0]}) là mã trước 01/07/2025"
                             f"{hint}: hãy cấu hình mã tỉnh hiện hành")
        raise ConfigError(f"Mã tỉnh {province_code!r} không có trong danh mục đơn vị hành chính")
    olds = _converter()["DICT_PROVINCE"][new["province_key"][0]]
    legacy = _legacy_full().filter(pl.col("province_key").is_in(olds))
    return tuple(sorted(legacy["province_code"].unique()))


def province_legacy_units(province_code: str) -> pl.DataFrame:
    """Legacy communes of the (2025) province: those of every legacy province merged into it."""
    codes = legacy_province_codes(province_code)
    return legacy_registry().filter(pl.col("province_code").is_in(codes))


def province_units_2025(province_code: str) -> pl.DataFrame:
    """The province's communes in the 2025 list with their 'địa bàn huyện cũ' (Unit2025's columns)."""
    legacy_province_codes(province_code)  # validates the code
    new = _new_full() if province_code == NATIONAL else _new_full().filter(pl.col("province_code") == province_code)
    links = successors().join(legacy_registry().select("commune_code", "district_code", "district_name"),
                              left_on="legacy_code", right_on="commune_code")
    areas = (links.select("code_2025", "district_code", "district_name").unique()
             .sort("district_code")
             .group_by("code_2025", maintain_order=True)
             .agg(pl.col("district_code").str.join("+").alias("area_code"),
                  pl.col("district_name").str.join(" + ").alias("area_name")))
    return (new.join(areas, left_on="commune_code", right_on="code_2025", how="left")
            .with_columns(pl.col("area_code").fill_null(""), pl.col("area_name").fill_null("không rõ huyện cũ"))
            .select(list(Unit2025.model_fields)))


def province_successors(province_code: str) -> pl.DataFrame:
    """Links from the province's legacy communes to their successors."""
    legacy = province_legacy_units(province_code)["commune_code"]
    return successors().filter(pl.col("legacy_code").is_in(legacy.implode()))


def unit_tables(province_code: str) -> dict[str, pl.DataFrame]:
    """The warehouse's unit tables for the province, by table name."""
    return {"units_legacy": province_legacy_units(province_code),
            "units_2025": province_units_2025(province_code),
            "unit_successors": province_successors(province_code)}


def registry_2025() -> pl.DataFrame:
    """Every commune of the 2025 list (codes zero-padded)."""
    return _new_full().select("commune_code", "commune_name", "commune_short_name", "commune_type",
                              "province_code", "province_name", "latitude", "longitude")


def _short_province(name: str) -> str:
    """'Tỉnh Nghệ An' -> 'Nghệ An'; 'Thành phố Hà Nội' -> 'Hà Nội'."""
    for prefix in ("Tỉnh ", "Thành phố "):
        if name.startswith(prefix):
            return name[len(prefix):]
    return name


@functools.cache
def province_names() -> pl.DataFrame:
    """Every province of both lists (province_code, province_name, short_name), legacy ones included:
    an export names its province as it was when it was made."""
    both = pl.concat([_legacy_full().select("province_code", "province_name"),
                      _new_full().select("province_code", "province_name")]).unique()
    return both.with_columns(pl.col("province_name").map_elements(_short_province, return_dtype=pl.String)
                             .alias("short_name")).sort("province_code", "province_name")


def own_province_codes(province_code: str) -> frozenset[str]:
    """The configured province's code and the legacy provinces merged into it: the names an export of
    this province may carry (every code for NATIONAL)."""
    return frozenset(legacy_province_codes(province_code)) | {province_code}


def legacy_districts() -> pl.DataFrame:
    """Every legacy district of Vietnam with its province (to tell a district of another province from
    one of this province that was merged away)."""
    return (_legacy_full().select("district_code", "district_name", "district_short_name", "district_type",
                                  "province_code", "province_name").unique("district_code").sort("district_code"))
