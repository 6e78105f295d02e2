"""Folding text for matching: case, diacritics, spacing and punctuation do not count.

Header aliases, vocabulary words and commune names are all compared in folded form, in
Python (for the small alias tables) and as a Polars expression (for data columns), with the
same rules so both sides agree.
"""

from __future__ import annotations

import functools
import re
import unicodedata

import polars as pl

_NON_ALNUM = re.compile(r"[^a-z0-9]+")


@functools.lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """'NGÀY  Tiếp-nhận' -> 'ngay tiep nhan' (lower ASCII words separated by single spaces)."""
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    lowered = stripped.replace("đ", "d").replace("Đ", "D").lower()
    return _NON_ALNUM.sub(" ", lowered).strip()


@functools.lru_cache(maxsize=65536)
def fold_compact(text: str) -> str:
    """Folded without spaces: 'Ngay tiep nhan' and 'NgayTiepNhan' both give 'ngaytiepnhan'."""
    return fold(text).replace(" ", "")


def fold_expr(expr: pl.Expr) -> pl.Expr:
    """Polars version of ``fold`` for a string column."""
    return (
        expr.str.normalize("NFD")
        .str.replace_all(r"\p{Mn}", "")
        .str.replace_all("[đĐ]", "d")
        .str.to_lowercase()
        .str.replace_all(r"[^a-z0-9]+", " ")
        .str.strip_chars()
    )


def clean_text_expr(expr: pl.Expr) -> pl.Expr:
    """NFC, trimmed, inner whitespace collapsed; empty strings become null."""
    cleaned = expr.str.normalize("NFC").str.replace_all(r"\s+", " ").str.strip_chars()
    return pl.when(cleaned == "").then(None).otherwise(cleaned)


def vn_number(x: float | int, decimals: int = 0) -> str:
    """1234.5 -> '1.234,5': dot thousands, comma decimals, as Vietnamese readers write."""
    text = f"{x:,.{decimals}f}"
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")
