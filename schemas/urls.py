"""The dashboard's URL parameters: the names a link carries to open one view, each once.

Why in ``schemas``: the dashboard reads and writes these parameters (``dashboard/links.py``) and the digest
(``pipelines/digest``) writes links that must open exactly the view they describe; the digest sits below the
dashboard and may not import it, so the names both use live here. Values are codes and ISO dates, never
labels (docs/dashboard.md, "Links: what the URL says").
"""

from __future__ import annotations

from urllib.parse import urlencode

PERIOD_KIND = "ky"          # nam | quy | thang | tuy_chon
YEAR = "nam"                # 2025
QUARTER = "quy"             # 2025-Q2
MONTH = "thang"             # 2025-03
DATE_FROM = "tu"            # 2025-01-01 (with ky=tuy_chon)
DATE_TO = "den"             # 2025-06-30 (with ky=tuy_chon)
AS_OF = "ngay"              # the day the stocks are taken, inside the period; absent: the period's end
STRUCTURE = "cau_truc"      # auto | legacy | 2025
UNIT = "don_vi"             # a district / area code (3 digits) or a commune code (5 digits)

CUSTOM_PERIOD = "tuy_chon"
PERIOD_KIND_LABELS = {"nam": "Năm", "quy": "Quý", "thang": "Tháng", CUSTOM_PERIOD: "Tùy chọn"}

SIDEBAR_PARAMETERS = (PERIOD_KIND, YEAR, QUARTER, MONTH, DATE_FROM, DATE_TO, AS_OF, STRUCTURE, UNIT)
# A page's own controls kept in the link: parameter -> what it chooses (for the message of a bad value).
PAGE_PARAMETERS = {
    "cap": "cấp đơn vị", "loai": "loại cảnh báo", "chi_so": "chỉ số", "sap_xep": "cách sắp xếp",
    "giam_dan": "chiều sắp xếp", "nhom": "nhóm đơn vị", "to_mau": "chỉ số tô màu bản đồ",
    "loai_so_lieu": "loại số liệu",
}
FLAG_LEVEL, FLAG_KIND, INDICATOR, SUBMISSION_KIND = "cap", "loai", "chi_so", "loai_so_lieu"


def view_url(base: str, page: str, params: dict[str, str]) -> str:
    """The address of one view: ``base`` (the dashboard's public address), the page's path and its parameters
    in the order given (a list of values, such as several flag kinds, joined by commas as the pages read them)."""
    unknown = [k for k in params if k not in SIDEBAR_PARAMETERS and k not in PAGE_PARAMETERS]
    if unknown:
        raise ValueError(f"no page reads the URL parameter(s) {unknown}")
    query = urlencode(params, safe=",")
    return f"{base.rstrip('/')}/{page}" + (f"?{query}" if query else "")
