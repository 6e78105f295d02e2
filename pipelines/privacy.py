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


def _normalised(raw: pl.Expr) -> pl.Expr:
    """The same person written differently hashes alike: NFC, trimmed, lower-case; a value that is
    mostly digits (ID-card or phone number) keeps only its digits, so '038 090 001 234' = '038090001234'."""
    cleaned = clean_text_expr(raw).str.to_lowercase()
    digits = cleaned.str.replace_all(r"\D", "")
    mostly_digits = digits.str.len_chars() * 2 > cleaned.str.len_chars()
    return pl.when(mostly_digits).then(digits).otherwise(cleaned)


def pseudonymise(frame: pl.DataFrame, columns: list[str], secret: bytes,
                 con: duckdb.DuckDBPyConnection | None = None) -> pl.DataFrame:
    """Replace each named column by 'h:' + the first HASH_CHARS hex digits of its HMAC; nulls stay null.

    Each distinct value is hashed once (inside DuckDB: ``con`` if given, else an in-memory
    database) and joined back.
    """
    present = [c for c in columns if c in frame.columns]
    if not present or frame.is_empty():
        return frame
    key = secret if len(secret) <= _BLOCK else hashlib.sha256(secret).digest()
    key = key.ljust(_BLOCK, b"\0")
    params = {"outer": bytes(b ^ 0x5C for b in key), "inner": bytes(b ^ 0x36 for b in key)}
    hashed = frame
    cursor = con.cursor() if con is not None else duckdb.connect()
    with cursor:
        for name in present:
            distinct_values = frame.select(pl.col(name).unique().alias("_raw")).with_columns(  # noqa: F841 - read by DuckDB
                _normalised(pl.col("_raw")).alias("_value"))
            lookup = cursor.sql(
                "SELECT _raw, CASE WHEN _value IS NULL THEN NULL ELSE 'h:' || left(sha256($outer || "
                f"unhex(sha256($inner || encode(_value)))), {HASH_CHARS}) END AS _hash FROM distinct_values",
                params=params).pl()
            hashed = (hashed.join(lookup, left_on=name, right_on="_raw", how="left", nulls_equal=True,
                                  maintain_order="left")
                      .with_columns(pl.col("_hash").alias(name)).drop("_hash"))
    return hashed
