"""Pseudonymise personal data: names, ID-card and phone numbers, addresses become keyed hashes.

HMAC-SHA256 with a secret from ``DVCQ_SECRET`` or, when unset, a key file beside the
warehouse (``.dvcq_secret``, created on first use with mode 0600, git-ignored). The hash is one
SQL expression (``hashed_sql``: HMAC written out as two SHA-256 passes with the padded key),
evaluated by DuckDB over whole columns inside the very statement that loads the rows, so a
personal value is never stored, spilled or logged in clear and no per-row Python runs.
Quarantined rows go through ``pseudonymise`` (the same expression) before their raw values
are kept. Equal values give equal hashes, so repeat petitioners can be counted.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from pathlib import Path

import duckdb
import polars as pl

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


def hmac_params(secret: bytes) -> dict[str, bytes]:
    """The inner and outer padded keys of HMAC-SHA256, bound as $inner and $outer."""
    key = secret if len(secret) <= _BLOCK else hashlib.sha256(secret).digest()
    key = key.ljust(_BLOCK, b"\0")
    return {"outer": bytes(b ^ 0x5C for b in key), "inner": bytes(b ^ 0x36 for b in key)}


def hashed_sql(value_sql: str, column: str) -> str:
    """SQL for 'h:' + HASH_CHARS hex digits of the HMAC of a personal value; NULL and '' give NULL.

    The value is normalised first so the same person written differently hashes alike:
    ID-card and phone numbers (columns ``*_id_number``, ``*_phone``) keep only letters and
    digits, so '038 090 001 234' = '038090001234'; names and addresses are NFC, trimmed,
    inner spaces collapsed, lower-case. One expression, evaluated once per value.
    """
    if column.endswith(("_id_number", "_phone")):
        normalised = f"nullif(regexp_replace(lower(CAST({value_sql} AS VARCHAR)), '[^0-9a-z]', '', 'g'), '')"
    else:
        normalised = (f"nullif(lower(trim(regexp_replace(nfc_normalize(CAST({value_sql} AS VARCHAR)), "
                      f"'\\s+', ' ', 'g'))), '')")
    return f"'h:' || left(sha256($outer || unhex(sha256($inner || encode({normalised})))), {HASH_CHARS})"


def pseudonymise(frame: pl.DataFrame, columns: list[str], secret: bytes,
                 con: duckdb.DuckDBPyConnection | None = None) -> pl.DataFrame:
    """The frame with each named column replaced by its keyed hash (``hashed_sql``)."""
    present = [c for c in columns if c in frame.columns]
    if not present or frame.is_empty():
        return frame
    cursor = con.cursor() if con is not None else duckdb.connect()
    with cursor:
        selected = ", ".join(f'{hashed_sql(chr(34) + c + chr(34), c)} AS "{c}"' for c in present)
        hashed = cursor.sql(f"SELECT {selected} FROM frame", params=hmac_params(secret)).pl()
    return frame.with_columns(hashed.get_columns())
