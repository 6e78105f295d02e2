"""Pseudonymise personal data: names, ID-card and phone numbers, addresses become keyed hashes.

HMAC-SHA256 with a secret from ``DVCQ_SECRET`` or, when unset, a key file beside the
warehouse (``.dvcq_secret``, created on first use with mode 0600, git-ignored). The hash is
computed inside DuckDB over whole columns (HMAC written out as two SHA-256 passes with the
padded key), so no per-row Python runs, and it happens before a value is written anywhere,
quarantine included. Equal values give equal hashes, so repeat petitioners can be counted.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from pathlib import Path

import duckdb
import polars as pl

from pipelines.text import clean_text_expr

HASH_CHARS = 24
_BLOCK = 64


def load_secret(key_dir: Path) -> bytes:
    """The HMAC key: ``DVCQ_SECRET`` if set, else ``key_dir/.dvcq_secret`` (created if absent)."""
    env = os.environ.get("DVCQ_SECRET")
    if env:
        return env.encode("utf-8")
    key_file = key_dir / ".dvcq_secret"
    if not key_file.exists():
        key_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
    return key_file.read_text().strip().encode("utf-8")


def _normalised(name: str) -> pl.Expr:
    """The same person written differently hashes alike: numbers keep digits, text is NFC lower-case."""
    cleaned = clean_text_expr(pl.col(name))
    if name.endswith(("_id_number", "_phone")):
        digits = cleaned.str.replace_all(r"\D", "")
        return pl.when(digits == "").then(cleaned.str.to_lowercase()).otherwise(digits)
    return cleaned.str.to_lowercase()


def pseudonymise(frame: pl.DataFrame, columns: list[str], secret: bytes) -> pl.DataFrame:
    """Replace each named column by 'h:' + the first HASH_CHARS hex digits of its HMAC; nulls stay null."""
    present = [c for c in columns if c in frame.columns]
    if not present or frame.is_empty():
        return frame
    key = secret if len(secret) <= _BLOCK else hashlib.sha256(secret).digest()
    key = key.ljust(_BLOCK, b"\0")
    inner_pad = bytes(b ^ 0x36 for b in key)
    outer_pad = bytes(b ^ 0x5C for b in key)
    values = frame.select([_normalised(c).alias(c) for c in present])  # noqa: F841 - read by DuckDB below
    select = ", ".join(
        f"CASE WHEN \"{c}\" IS NULL THEN NULL ELSE 'h:' || left(sha256($outer || unhex(sha256($inner || "
        f"encode(\"{c}\")))), {HASH_CHARS}) END AS \"{c}\"" for c in present)
    with duckdb.connect() as con:
        hashed = con.sql(f"SELECT {select} FROM values", params={"outer": outer_pad, "inner": inner_pad}).pl()
    return frame.with_columns(hashed.get_columns())
