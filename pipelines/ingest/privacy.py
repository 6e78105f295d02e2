"""Pseudonymise personal data: names, ID-card and phone numbers, addresses become keyed hashes.

HMAC-SHA256 with a secret from ``DVCQ_SECRET`` or, when unset, a key file beside the
warehouse (``.dvcq_secret``, created atomically for a new warehouse with mode 0600, git-ignored).
A key shorter than 32 bytes is refused, and the warehouse remembers the key's fingerprint
(``warehouse_meta``) so that loading with another key, or after the key file was lost, is refused. The hash is one
SQL expression (``hashed_sql``: HMAC written out as two SHA-256 passes with the padded key),
evaluated by DuckDB over whole columns inside the very statement that loads the rows, so a
personal value is never stored, spilled or logged in clear and no per-row Python runs.
Quarantined rows go through ``pseudonymise`` (the same expression) before their raw values
are kept. Equal values give equal hashes, so repeat petitioners can be counted.
"""

from __future__ import annotations

import collections
import hashlib
import hmac
import math
import os
import secrets
import tempfile
from pathlib import Path

import duckdb
import polars as pl

from pipelines.ingest.read import SUPPORTED_SUFFIXES
from schemas.records import RECORD_ID_PATTERN

HASH_CHARS = 24
MASK = "[đã ẩn]"
# An ID-card (CMND 9, CCCD 12 digits) or phone number (0…, 84…, +84 …) however it is grouped: by spaces,
# dots, dashes, slashes, underscores, commas or en dashes, one kind of separator a number ('038/199/912/307',
# '0912,888,710'), or '(091) 2888 712'; its first zero may be typed as the letter O ('O912888717'), and a
# label may be glued in front ('CCCD038199912305', 'SĐT0912888708'). It stands alone: never inside a longer
# run of letters and digits, so a stored hash ('h:' + hex) or a code is left whole, nor joined by a dot or a
# dash to more digits, so '15712.250103.00242' or '01/01/2024-05/01/2024' is no person's number.
_GLUE = "._\\-–—"  # separators that join digit groups into one longer code
_RUNS = [r"\+?[0-9Oo](?:" + sep + r"?[0-9]){8,11}" for sep in (" ", r"\.", "-", "/", "_", ",", "–", "—")]
_PARENTHESISED = r"\([0-9]{2,4}\)[ .\-]?[0-9](?:[ .\-]?[0-9]){4,9}"
_LABELS = r"(?i:cccd|cmnd|cmt|sđt|sdt|đt|dt|tel)"
_KEEP_OPEN, _KEEP_CLOSE = "\x01", "\x02"  # around an accepted record id while numbers are masked
IDENTIFIER = (rf"(^|[^0-9A-Za-z{_KEEP_OPEN}{_GLUE}]|(?:^|[^0-9])[{_GLUE}]|(?:^|[^0-9A-Za-z]){_LABELS}[:.#]?)"
              rf"({'|'.join([*_RUNS, _PARENTHESISED])})"
              rf"($|[^0-9A-Za-z{_KEEP_CLOSE}{_GLUE}]|[{_GLUE}](?:$|[^0-9]))")
_RECORD_ID = rf"(^|[^0-9A-Za-z])({RECORD_ID_PATTERN})($|[^0-9A-Za-z])"
# Words that put a person's name after them in Vietnamese ('Ông Nguyễn Văn A phản ánh…'), with and without
# diacritics (file names often lose them).
HONORIFICS = ("ông", "bà", "anh", "chị", "em", "cháu", "cụ", "cô", "chú", "bác", "dì", "cậu", "thím", "mợ",
              "ong", "ba", "chi", "chau", "cu")
# Lower-case words that, right after an honorific, make an ordinary phrase rather than a name ('bà con', 'chi
# phí', 'cụ thể', 'ba ngày', 'ông bà' – there the second honorific still puts a name after it), and words
# before one that do the same ('con em', 'ghi chú'). Never a given name or surname: a name missed is worse
# than a phrase masked, so a word that may be either ('hùng', 'đoàn') is not here.
ORDINARY_AFTER_HONORIFIC = ("con", "nội", "ngoại", "mẹ", "thể", "ý", "thích", "sĩ", "bỏ", "trả", "phí", "tiết",
                            "nhánh", "cục", "bộ", "ngày", "tháng", "năm", "lần", "bé", "tra", "phi", "tiet", "tru",
                            "ngay", "thang")
ORDINARY_BEFORE_HONORIFIC = ("con", "ghi")
# A name: up to four words of any case after the honorific ('ông nguyễn văn an', 'Ông Nguyễn văn A'), then
# any capitalised ones ('Bà Tôn Nữ Thị Ngọc Hân'), joined by spaces, '_', '-' or one '.' ('Ông.Nguyễn.Văn.An').
# _NO_NAME is put first before the honorific of a phrase of the lists above and before a file extension
# ('don_ong_nguyen_van_an.xlsx' → 'don_ong_[đã ẩn].xlsx'): no name starts or runs past it.
_NO_NAME = "\x03"
_START = rf"(^|[^\p{{L}}\p{{M}}\p{{N}}{_NO_NAME}])"
_HONORIFIC = rf"(?i:{'|'.join(HONORIFICS)})"
_WORD, _CAPITALISED, _JOIN = r"[\p{L}\p{M}]+", r"\p{Lu}[\p{L}\p{M}]*", r"(?:[\s_\-]+|\.)"
ORDINARY_PHRASE = rf"{_START}({_HONORIFIC}[\s_.\-]+(?:{'|'.join(ORDINARY_AFTER_HONORIFIC + HONORIFICS)})\b)"
ORDINARY_BEFORE = rf"{_START}((?i:{'|'.join(ORDINARY_BEFORE_HONORIFIC)})[\s_.\-]+)({_HONORIFIC}\b)"
FILE_EXTENSION = rf"(\.(?i:{'|'.join(sorted(suffix.lstrip('.') for suffix in SUPPORTED_SUFFIXES))})\b)"
NAME_AFTER_HONORIFIC = (rf"{_START}({_HONORIFIC}[\s_.\-]+){_WORD}(?:{_JOIN}{_WORD}){{0,3}}"
                        rf"(?:{_JOIN}{_CAPITALISED})*")
_BLOCK = 64


MIN_KEY_BYTES = 32
MIN_KEY_BITS = 128
KEY_FILE = ".dvcq_secret"
MAKE_A_KEY = 'python -c "import secrets; print(secrets.token_hex(32))"'


class SecretError(ValueError):
    """The key is missing, too short, or not the key the warehouse was built with; says what to do."""


def fingerprint(secret: bytes) -> str:
    """A warehouse remembers this, never the key: equal keys give equal fingerprints, and from the
    fingerprint of a 32-byte random key the key cannot be recovered."""
    return hashlib.sha256(b"dvcq key fingerprint\0" + secret).hexdigest()[:16]


def estimated_bits(secret: bytes) -> float:
    """The key's length times the Shannon entropy of its bytes: 0 for 'a' * 32, 32 for 'ab' * 16, about 240
    for a key from secrets.token_hex(32). It overrates a key a person made up (a repeated pattern, a phrase),
    so a key under MIN_KEY_BITS by this estimate is weak for certain."""
    counts = collections.Counter(secret)
    return sum(n * math.log2(len(secret) / n) for n in counts.values())


def _checked(secret: bytes, where: str) -> bytes:
    """A key too short or too regular to keep hashes of names and ID-card numbers from being recomputed."""
    if len(secret) < MIN_KEY_BYTES:
        raise SecretError(f"khóa bí mật từ {where} quá ngắn ({len(secret)} byte, cần ít nhất {MIN_KEY_BYTES}): "
                          "với khóa rỗng hay ngắn, ai cũng tính lại được mã băm họ tên, số CCCD. Hãy dùng khóa "
                          f"ngẫu nhiên, ví dụ: {MAKE_A_KEY}")
    bits = estimated_bits(secret)
    if bits < MIN_KEY_BITS:
        raise SecretError(f"khóa bí mật từ {where} quá dễ đoán (một ký tự lặp lại hay một mẫu ngắn: ước tính "
                          f"{bits:.0f} bit ngẫu nhiên, cần ít nhất {MIN_KEY_BITS}): ai cũng tính lại được mã băm họ "
                          f"tên, số CCCD. Hãy tạo khóa ngẫu nhiên: {MAKE_A_KEY}")
    return secret


def _write_new_key(key_file: Path) -> None:
    """A new random key, written whole or not at all: a temp file (0600), fsync, then a hard link to the
    final name, which fails rather than replace a key another process has just written."""
    key_file.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".dvcq_secret.", dir=key_file.parent)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
            fh.flush()
            os.fsync(fh.fileno())
        try:
            os.link(tmp, key_file)
        except FileExistsError:
            pass
    finally:
        os.unlink(tmp)


def load_secret(key_dir: Path, expected: str | None = None, create: bool = True) -> bytes:
    """The HMAC key: ``DVCQ_SECRET`` if set, else ``key_dir/.dvcq_secret``.

    ``expected`` is the fingerprint the warehouse remembers (None for a new warehouse). The key
    file is created only for a new warehouse (nothing expected, and ``create``): a
    warehouse whose key file is lost must not get a new key silently (every repeat-petitioner count
    would break), so that, a key shorter than MIN_KEY_BYTES or under MIN_KEY_BITS and a key other than
    the warehouse's raise SecretError saying what to do.
    """
    env = os.environ.get("DVCQ_SECRET")
    key_file = key_dir / KEY_FILE
    if env is not None:
        secret, where = _checked(env.strip().encode("utf-8"), "biến môi trường DVCQ_SECRET"), "DVCQ_SECRET"
    else:
        if not key_file.exists():
            if expected is not None:
                raise SecretError(f"không tìm thấy tệp khóa {key_file}, trong khi kho dữ liệu đã được mã hóa bằng "
                                  f"một khóa (dấu vân tay {expected}). Hãy khôi phục tệp khóa gốc từ bản sao lưu, "
                                  "hoặc nạp lại toàn bộ dữ liệu vào một kho dữ liệu mới.")
            if not create:
                raise SecretError(f"không tìm thấy tệp khóa {key_file}, trong khi kho dữ liệu đã có dữ liệu được mã "
                                  "hóa bằng một khóa. Hãy khôi phục tệp khóa gốc từ bản sao lưu, hoặc đặt biến môi "
                                  "trường DVCQ_SECRET bằng khóa đó.")
            _write_new_key(key_file)
        secret, where = _checked(key_file.read_text(encoding="utf-8").strip().encode("utf-8"), str(key_file)), \
            str(key_file)
    if expected is not None and fingerprint(secret) != expected:
        raise SecretError(f"khóa bí mật ({where}) không phải khóa đã dùng cho kho dữ liệu này (dấu vân tay "
                          f"{fingerprint(secret)} ≠ {expected}): nạp với khóa khác sẽ làm hỏng việc đếm người gửi "
                          "đơn nhiều lần. Hãy dùng lại khóa gốc, hoặc nạp lại toàn bộ dữ liệu vào một kho mới.")
    return secret


def mask_identifiers(expr: pl.Expr) -> pl.Expr:
    """Free text with every ID-card or phone number, and every name after an honorific, replaced by MASK.

    Record ids of an accepted form (``schemas.records.RECORD_ID_FORMS``) are marked first and left whole;
    numbers are masked twice (adjacent numbers share a boundary character); ordinary phrases with an
    honorific ('chi phí', twice for a chain such as 'anh chị em') and file extensions are marked before
    names are masked. The text is read composed (NFC) first: an honorific or a phrase typed with decomposed
    marks (a file name from a Mac) is the same word. Nine regular expressions over the column, no Python per
    value."""
    number = "${1}" + MASK + "${3}"
    ordinary = "${1}" + _NO_NAME + "${2}"
    kept = expr.str.normalize("NFC").str.replace_all(_RECORD_ID, "${1}" + _KEEP_OPEN + "${2}" + _KEEP_CLOSE + "${3}")
    masked = kept.str.replace_all(IDENTIFIER, number).str.replace_all(IDENTIFIER, number)
    marked = (masked.str.replace_all(ORDINARY_PHRASE, ordinary).str.replace_all(ORDINARY_PHRASE, ordinary)
              .str.replace_all(ORDINARY_BEFORE, "${1}${2}" + _NO_NAME + "${3}")
              .str.replace_all(FILE_EXTENSION, _NO_NAME + "${1}"))
    named = marked.str.replace_all(NAME_AFTER_HONORIFIC, "${1}${2}" + MASK)
    return named.str.replace_all(f"[{_KEEP_OPEN}{_KEEP_CLOSE}{_NO_NAME}]", "")


def mask_identifiers_text(text: str) -> str:
    """``mask_identifiers`` for one string (file and sheet names, paths, messages)."""
    return pl.select(mask_identifiers(pl.lit(text, dtype=pl.String))).item()


def masked_record_ids(raw: pl.Series, ids: pl.Expr) -> pl.Expr:
    """``mask_identifiers`` of a record id column (``ids``, read from ``raw``), skipped when every id is
    of an accepted form (the common case: one pass over the column instead of five)."""
    if raw.drop_nulls().str.contains(f"^(?:{RECORD_ID_PATTERN})$").all():
        return ids
    return mask_identifiers(ids)


def scope_key(secret: bytes, scope: str) -> bytes:
    """The key for one scope of counting (a record kind; denunciations apart from other petitions).

    Repeats are counted within a scope, so a person hashes alike there; across scopes the hashes
    differ, so a denouncer's hash cannot be joined to her own dossiers or complaints."""
    return hmac.new(secret, b"dvcq hash scope\0" + scope.encode("utf-8"), hashlib.sha256).digest()


def hmac_params(secret: bytes, prefix: str = "") -> dict[str, bytes]:
    """The inner and outer padded keys of HMAC-SHA256, bound as $<prefix>inner and $<prefix>outer."""
    key = secret if len(secret) <= _BLOCK else hashlib.sha256(secret).digest()
    key = key.ljust(_BLOCK, b"\0")
    return {f"{prefix}outer": bytes(b ^ 0x5C for b in key), f"{prefix}inner": bytes(b ^ 0x36 for b in key)}


def hashed_sql(value_sql: str, column: str, prefix: str = "") -> str:
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
    return (f"'h:' || left(sha256(${prefix}outer || unhex(sha256(${prefix}inner || encode({normalised})))), "
            f"{HASH_CHARS})")


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
