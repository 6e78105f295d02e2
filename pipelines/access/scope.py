"""What one account may read: its role's rights and the communes of its units, resolved where data is read.

The dashboard's interface (``dashboard.data``), the written report and the digest all ask a ``Scope`` which
communes they may read and in which structure, so a commune clerk's page, export and digest hold the same
units. Units are named in the 2025 structure (``schemas.access``); an account limited to some units always
reads the 2025 structure.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

import duckdb
import polars as pl

from pipelines.access.store import AccessError, Account
from pipelines.sql import InStructure, run
from schemas.access import ROLES, Role
from schemas.admin_unit import Era
from schemas.records import RECORD_SCHEMAS

SCOPED_STRUCTURE: Era = "2025"


class OutOfScope(PermissionError):
    """A unit, a page or an action the account may not reach; the message is the one the page shows."""


UNIT_REFUSED = "Bạn không có quyền xem đơn vị này"
PAGE_REFUSED = "Bạn không có quyền mở trang này"
RECORDS_REFUSED = "Vai trò của bạn xem số liệu tổng hợp, không xem từng hồ sơ, đơn thư"
QUARANTINE_REFUSED = "Chỉ người quản trị xem các dòng bị cách ly (dữ liệu nguyên văn như xã gửi)"
# Columns a clerk types freely, of every record kind (schemas.records): where a name or an ID number may slip in.
FREE_TEXT_COLUMNS = frozenset(c for schema in RECORD_SCHEMAS.values() for c in schema.free_text_columns)


@dataclass(frozen=True)
class Scope:
    """An account's rights and, for a limited role, the 2025 communes it reaches (None: every unit)."""

    login: str
    role: Role
    communes: frozenset[str] | None

    @property
    def limited(self) -> bool:
        return self.communes is not None

    def structure(self, chosen: Era) -> Era:
        """The structure the account reads: its choice when it reaches every unit, else the 2025 one."""
        return SCOPED_STRUCTURE if self.limited else chosen

    def reaches(self, commune: str) -> bool:
        return self.communes is None or commune in self.communes

    def require(self, commune: str | None) -> None:
        """Refuse a commune outside the scope (None, the whole view, is the scope itself)."""
        if commune is not None and not self.reaches(commune):
            raise OutOfScope(UNIT_REFUSED)

    @property
    def figures_key(self) -> tuple[str, ...] | None:
        """What the figures it may read (``figures``) depend on, for a cache shared by every session: None when
        it reads every unit's, else its communes."""
        if self.role.other_units_figures or self.communes is None:
            return None
        return tuple(sorted(self.communes))

    def reaches_area(self, communes: Collection[str]) -> bool:
        """An area (a district, 'địa bàn huyện cũ') whose communes are ``communes`` may be viewed: by a role that
        sees other units' figures when it holds one of its communes (its records are then those communes');
        never by one that does not (an area's figures are its other communes' too)."""
        if self.communes is None:
            return True
        return self.role.other_units_figures and not self.communes.isdisjoint(communes)

    def require_area(self, communes: Collection[str]) -> None:
        if not self.reaches_area(communes):
            raise OutOfScope(UNIT_REFUSED)

    def covers(self, communes: Collection[str] | None) -> bool:
        """Every one of ``communes`` (None: the whole province) is its own: what a unit's written report, which
        lists the unit's communes, needs."""
        if self.communes is None:
            return True
        return communes is not None and self.communes.issuperset(communes)

    def figures(self, frame: pl.DataFrame, level: str, column: str = "unit_code") -> pl.DataFrame:
        """Units' figures (indicators, measures, rankings, trends) at ``level`` as it may read them: every unit's
        when its role sees other units' figures; else its communes' rows and the province's (the one
        benchmark), no area's and no other commune's."""
        if self.role.other_units_figures or self.communes is None or level == "province":
            return frame
        if level == "commune":
            return self.visible(frame, column)
        return frame.clear()

    def units(self, frame: pl.DataFrame, level: str, areas: Collection[str] = (),
              column: str = "unit_code") -> pl.DataFrame:
        """Rows about units it answers for (flags, submissions): its communes at the commune level; at the area
        level the ``areas`` holding them, when its role sees other units' figures; the province's row."""
        if self.communes is None or level == "province":
            return frame
        if level == "commune":
            return self.visible(frame, column)
        if not self.role.other_units_figures:
            return frame.clear()
        return frame.filter(pl.col(column).is_in(sorted(areas)))

    def counted(self, frame: pl.DataFrame, column: str = "commune_code", id_column: str = "record_id") -> pl.DataFrame:
        """Every record-level row of its communes, denunciations included, with the columns that tell one record
        from another (its id, free text) left out: what counts and per-commune totals are made of, for every
        role, so the figures beside a list agree whatever the list may show one by one."""
        rows = self.visible(frame, column)
        return rows.drop([c for c in rows.columns if c == id_column or c in FREE_TEXT_COLUMNS])

    def visible(self, frame: pl.DataFrame, column: str = "commune_code") -> pl.DataFrame:
        """The rows of ``frame`` whose commune the account reaches."""
        return frame if self.communes is None else frame.filter(pl.col(column).is_in(sorted(self.communes)))

    def records(self, frame: pl.DataFrame, column: str = "commune_code",
                petition_kind: str | None = "petition_kind") -> pl.DataFrame:
        """Record-level rows as this account may read them: only its communes' (``column``), without the
        free-text columns unless its role reads them, and without denunciations one by one unless its role
        does (``petition_kind`` names the column that says a row is one; None when the frame holds none).
        A role that reads no records is refused (``OutOfScope``)."""
        if not self.role.records:
            raise OutOfScope(RECORDS_REFUSED)
        rows = self.visible(frame, column)
        if not self.role.denunciation_records and petition_kind is not None:
            rows = rows.filter(pl.col(petition_kind).ne_missing("denunciation"))
        if not self.role.free_text:
            rows = rows.drop([c for c in rows.columns if c in FREE_TEXT_COLUMNS])
        return rows

    def withheld(self, frame: pl.DataFrame, column: str = "commune_code",
                 petition_kind: str = "petition_kind") -> int:
        """How many of its communes' rows ``records`` leaves out as denunciations (said as a count instead)."""
        if self.role.denunciation_records or petition_kind not in frame.columns:
            return 0
        return int((self.visible(frame, column)[petition_kind] == "denunciation").sum())


def unit_matches(con: duckdb.DuckDBPyConnection, units: list[str]) -> pl.DataFrame:
    """Each unit code with the 2025 communes it names (``scope_units.sql``); unknown codes with NULL."""
    return run(InStructure(con, SCOPED_STRUCTURE), "scope_units", {"units": list(units)})


def check_units(con: duckdb.DuckDBPyConnection, role: str, units: list[str]) -> list[str]:
    """The units an account of ``role`` is given, checked against the warehouse's 2025 communes; an error says
    what is wrong in Vietnamese (an unknown code, a role that takes none, or the wrong number)."""
    rights = ROLES[role]
    if rights.reach == "all":
        if units:
            raise AccessError(f"vai trò {role} xem mọi đơn vị: không nhận --unit")
        return []
    if not units:
        raise AccessError(f"vai trò {role} cần --unit: mã xã (5 chữ số)" + (" hoặc mã địa bàn huyện cũ (3 chữ số)"
                                                                         if rights.reach == "listed" else ""))
    matches = unit_matches(con, units)
    unknown = matches.filter(pl.col("commune_code").is_null())["code"].to_list()
    if unknown:
        raise AccessError(f"không có xã hay địa bàn nào mang mã {', '.join(unknown)} trong danh mục từ 01/07/2025")
    if rights.reach == "one" and (len(units) != 1 or not matches["is_commune"].all()):
        raise AccessError(f"vai trò {role} gắn với đúng một xã: một mã xã 5 chữ số")
    return list(dict.fromkeys(units))


def scope_of(account: Account, con: duckdb.DuckDBPyConnection | None) -> Scope:
    """The scope of a signed-in account, its units resolved to communes in the warehouse it reads (``con``;
    None while there is no warehouse: a limited account then reaches no commune)."""
    rights = account.rights
    if rights.reach == "all":
        return Scope(account.login, rights, None)
    if con is None:
        return Scope(account.login, rights, frozenset())
    communes = unit_matches(con, list(account.units))["commune_code"].drop_nulls()
    return Scope(account.login, rights, frozenset(communes.to_list()))
