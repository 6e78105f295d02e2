"""Fictitious citizens (names, ID-card and phone numbers, addresses) and the text helpers of the sample."""

from __future__ import annotations

import itertools
import re
import unicodedata

import numpy as np

from pipelines.text import fold

_SURNAMES = ("Nguyễn", "Lê", "Trần", "Phạm", "Hoàng", "Vũ", "Đỗ", "Bùi", "Trịnh", "Mai", "Lường", "Hà",
             "Đặng", "Ngô", "Cao", "Lò")
_MALE = (("Văn", "Đức", "Minh", "Hữu", "Quang"),
         ("Hùng", "Dũng", "Tuấn", "Thắng", "Cường", "Nam", "Sơn", "Hải", "Long", "Phúc", "Toàn", "Khải"))
_FEMALE = (("Thị", "Thu", "Ngọc", "Thanh", "Hồng"),
           ("Hoa", "Lan", "Hương", "Nhung", "Trang", "Hằng", "Yến", "Loan", "Thảo", "Phượng", "Duyên", "Mến"))
_VILLAGE = ["Thôn", "Xóm", "Làng", "Khu phố", "Tổ dân phố", "Bản"]


def _name_pool() -> tuple[str, ...]:
    names = [f"{s} {m} {g}" for group in (_MALE, _FEMALE)
             for s, m, g in itertools.product(_SURNAMES, group[0], group[1])]
    return tuple(names[::4])


PERSON_NAMES: tuple[str, ...] = _name_pool()
"""Every citizen name the generator writes (full names with diacritics, NFC)."""

CCCD_PATTERN = re.compile(r"(?<!\d)0\d{2}[0-3]\d{8}(?!\d)")
"""12-digit citizen ID (CCCD): 3-digit province of birth, sex/century digit, 2-digit birth year, 6 digits."""


def cccd_numbers(rng: np.random.Generator, n: int, province_code: str = "38") -> np.ndarray:
    """``n`` fictitious 12-digit CCCD numbers (province of birth mostly the given one)."""
    prov = np.where(rng.random(n) < 0.9, f"0{province_code}"[-3:], rng.choice(["001", "040", "036", "037"], n))
    sex = rng.integers(0, 4, n).astype(str)
    year = rng.integers(40, 100, n)
    year = np.where(np.isin(sex, ["2", "3"]), year % 6, year)
    tail = rng.integers(0, 1_000_000, n)
    return np.array([f"{p}{s}{y:02d}{t:06d}" for p, s, y, t in zip(prov, sex, year, tail)], dtype=object)


def phones(rng: np.random.Generator, n: int) -> np.ndarray:
    """``n`` mobile numbers, 0[35789] and 8 digits."""
    pre = rng.choice(["09", "03", "08", "07", "05"], n)
    body = rng.integers(0, 100_000_000, n)
    return np.array([f"{p}{b:08d}" for p, b in zip(pre, body)], dtype=object)


def names(rng: np.random.Generator, n: int) -> np.ndarray:
    return np.array(PERSON_NAMES, dtype=object)[rng.integers(0, len(PERSON_NAMES), n)]


def addresses(rng: np.random.Generator, n: int, unit: dict) -> np.ndarray:
    """'Thôn 5, xã Hà Đông' (villages in a xã, street groups in a phường or thị trấn)."""
    kind = rng.choice(_VILLAGE[:3] if unit["commune_type"] == "Xã" else _VILLAGE[3:5], n)
    num = rng.integers(1, 15, n)
    place = f"{unit['commune_type'].lower()} {unit['commune_short_name']}"
    return np.array([f"{k} {x}, {place}" for k, x in zip(kind, num)], dtype=object)


def unaccent(text: str) -> str:
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in text if unicodedata.category(ch) != "Mn")


def slug(text: str) -> str:
    return fold(text).replace(" ", "_")


def upper_vi(text: str) -> str:
    return unicodedata.normalize("NFC", text).upper()


def cap(text: str) -> str:
    return text[:1].upper() + text[1:]
