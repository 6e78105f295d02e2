"""The view a link names: stable URL parameters with codes and ISO dates, and a Vietnamese message for
every value that names nothing.

Why codes and not labels: a link is sent to someone whose data may have grown (a new year), whose
browser shows another language, or who opens it after a unit was renamed. ``nam=2024`` and
``don_vi=392`` mean the same thing for all of them; a label such as "Năm 2024" or a district's name
does not, and a value the dashboard cannot place must be said, never replaced in silence by a default.

Parameters (docs/dashboard.md lists them for users):

=========  ==========================================================================
``ky``     period kind: ``nam`` | ``quy`` | ``thang`` | ``tuy_chon``
``nam``    ``2025`` (with ``ky=nam``)
``quy``    ``2025-Q2`` (with ``ky=quy``)
``thang``  ``2025-03`` (with ``ky=thang``)
``tu``     ``2025-01-01`` and ``den`` ``2025-06-30`` (with ``ky=tuy_chon``)
``ngay``   the day the stocks are taken, inside the period; absent: the period's end
``cau_truc`` ``auto`` | ``legacy`` | ``2025``
``don_vi`` a district / area code (3 digits) or a commune code (5 digits) of that structure
=========  ==========================================================================

Pages add their own controls (``PAGE_PARAMETERS``). The names are written once, in ``schemas/urls.py``
(the digest writes links too). Everything here is pure: the sidebar
(``dashboard.filters``) applies what these functions return.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from dashboard.formatting import fmt_date, literal
from pipelines.text import fold
from schemas.admin_unit import ERA_LABELS_VI
from schemas.urls import PAGE_PARAMETERS, PERIOD_KIND_LABELS, SIDEBAR_PARAMETERS  # noqa: F401 (the pages read them here)

PERIOD_KINDS = PERIOD_KIND_LABELS
STRUCTURES = {"auto": "Tự động theo kỳ", **ERA_LABELS_VI}
PERIOD_VALUE = {"nam": re.compile(r"^\d{4}$"), "quy": re.compile(r"^\d{4}-Q[1-4]$"),
                "thang": re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")}
PERIOD_FORMAT = {"nam": "2025", "quy": "2025-Q2", "thang": "2025-03"}


def period_label(kind: str, value: str) -> str:
    """"Năm 2025", "Quý 2/2025", "Tháng 03/2025": how the sidebar names a calendar period."""
    if kind == "nam":
        return f"Năm {value}"
    if kind == "quy":
        return f"Quý {value[-1]}/{value[:4]}"
    return f"Tháng {value[5:]}/{value[:4]}"


@dataclass
class LinkPeriod:
    """The period part of a view as the sidebar's widgets hold it."""
    kind: str
    values: dict[str, str]                 # kind -> chosen calendar value, for the three calendar kinds
    date_from: dt.date
    date_to: dt.date
    as_of: dt.date | None                  # None: the period's end
    structure: str
    problems: list[str] = field(default_factory=list)


def _iso(text: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text) if text else None
    except ValueError:
        return None


def read_period(params: Mapping[str, str], options: Mapping[str, list[str]], first: dt.date,
                last: dt.date) -> LinkPeriod:
    """The period, as-of day and structure a link names; a default plus a message for each bad value.

    ``options`` are the calendar values that hold data (newest first), ``first`` and ``last`` the data's
    first and last days. A custom period's days are kept inside that span: the date pickers cannot show
    a day outside their bounds (a link with ``tu=0001-01-01`` stopped every page), and there is nothing
    to show beyond the data anyway.
    """
    problems: list[str] = []
    kind = params.get("ky", "nam")
    if kind not in PERIOD_KINDS:
        problems.append(f"Đường dẫn có «{literal(f'ky={kind}')}», không phải một loại kỳ "
                        f"(dùng: {', '.join(PERIOD_KINDS)}); đang hiển thị theo năm.")
        kind = "nam"
    values = {k: opts[0] for k, opts in options.items() if opts}
    for k in PERIOD_VALUE:
        given = params.get(k)
        if given is None:
            continue
        given = given.upper() if k == "quy" else given
        if not PERIOD_VALUE[k].match(given):
            problems.append(f"Đường dẫn có «{literal(f'{k}={given}')}», không đúng dạng (ví dụ {k}={PERIOD_FORMAT[k]}); "
                            f"đang hiển thị {period_label(k, values[k])}.")
        elif given not in options.get(k, []):
            problems.append(f"Không có dữ liệu trong {period_label(k, given).lower()} "
                            f"(đường dẫn có «{literal(f'{k}={given}')}»); đang hiển thị {period_label(k, values[k])}.")
        else:
            values[k] = given
    days = {"tu": max(first, dt.date(last.year, 1, 1)), "den": last}
    if kind == "tuy_chon":
        for name in days:
            given = params.get(name)
            if given is None:
                continue
            day = _iso(given)
            if day is None:
                problems.append(f"Đường dẫn có «{literal(f'{name}={given}')}», không phải một ngày dạng 2025-01-31; "
                                f"đang dùng {fmt_date(days[name])}.")
                continue
            days[name] = min(max(day, first), last)
            if days[name] != day:
                side = "trước ngày đầu tiên" if day < first else "sau ngày cuối cùng"
                problems.append(f"Ngày {fmt_date(day)} (đường dẫn có «{literal(f'{name}={given}')}») {side} có dữ liệu "
                                f"({fmt_date(first)} – {fmt_date(last)}); đang dùng {fmt_date(days[name])}.")
    date_from, date_to = days["tu"], days["den"]
    if date_to < date_from:
        problems.append(f"Ngày đầu kỳ ({fmt_date(date_from)}) sau ngày cuối kỳ ({fmt_date(date_to)}); "
                        f"đã đổi chỗ hai ngày.")
        date_from, date_to = date_to, date_from
    as_of = None
    if "ngay" in params:
        as_of = _iso(params["ngay"])
        if as_of is None:
            problems.append(f"Đường dẫn có «{literal('ngay=' + params['ngay'])}», không phải một ngày dạng 2025-05-31; "
                            f"tồn đọng tính đến cuối kỳ.")
    structure = params.get("cau_truc", "auto")
    if structure not in STRUCTURES:
        problems.append(f"Đường dẫn có «{literal(f'cau_truc={structure}')}» (dùng: {', '.join(STRUCTURES)}); "
                        f"đang dùng cấu trúc tự động theo kỳ.")
        structure = "auto"
    return LinkPeriod(kind, values, date_from, date_to, as_of, structure, problems)


def as_of_problem(as_of: dt.date, lo: dt.date, hi: dt.date) -> str | None:
    """The message when a linked as-of day lies outside the period it must belong to."""
    if lo <= as_of <= hi:
        return None
    return (f"Ngày tính tồn đọng {fmt_date(as_of)} nằm ngoài kỳ ({fmt_date(lo)} – {fmt_date(hi)}); "
            f"tồn đọng tính đến cuối kỳ.")


def read_unit(params: Mapping[str, str], districts: Mapping[str, str], communes: Mapping[str, tuple[str, str]],
              structure_label: str) -> tuple[str | None, str | None, list[str]]:
    """(district code, commune code, problems) for ``don_vi``.

    ``districts``: code -> name; ``communes``: code -> (name, district code), both of the view's
    structure. A name is accepted too when exactly one unit carries it (links written before codes),
    and the link is rewritten with the code.
    """
    given = params.get("don_vi")
    if not given:
        return None, None, []
    code = given.strip()
    if code in districts:
        return code, None, []
    if code in communes:
        return communes[code][1], code, []
    key = fold(code)
    by_name = [c for c, n in districts.items() if fold(n) == key]
    by_name += [c for c, (n, _) in communes.items() if fold(n) == key]
    if len(by_name) == 1:
        hit = by_name[0]
        return (hit, None, []) if hit in districts else (communes[hit][1], hit, [])
    why = "nhiều đơn vị cùng tên này" if by_name else f"không có đơn vị này trong {structure_label.lower()}"
    return None, None, [f"Đường dẫn có «{literal(f'don_vi={given}')}» nhưng {why}; đang hiển thị toàn tỉnh. "
                        f"Hãy chọn đơn vị ở thanh bên."]


def unknown_parameters(params: Mapping[str, str]) -> list[str]:
    """One message naming the parameters no page reads (a typo in a link, an old parameter)."""
    unknown = sorted(k for k in params if k not in SIDEBAR_PARAMETERS and k not in PAGE_PARAMETERS)
    if not unknown:
        return []
    return [f"Đường dẫn có tham số không dùng: {', '.join(f'«{literal(k)}»' for k in unknown)}; đã bỏ qua."]


def period_parameters(kind: str, value: str | None, date_from: dt.date, date_to: dt.date,
                      as_of: dt.date | None, structure: str, unit: str | None) -> dict[str, str]:
    """The sidebar's part of the link, in the canonical form ``read_period``/``read_unit`` read back."""
    out = {"ky": kind}
    if kind == "tuy_chon":
        out |= {"tu": date_from.isoformat(), "den": date_to.isoformat()}
    elif value is not None:
        out[kind] = value
    if as_of is not None:
        out["ngay"] = as_of.isoformat()
    if structure != "auto":
        out["cau_truc"] = structure
    if unit:
        out["don_vi"] = unit
    return out
