"""Text from commune files is data, never a formula, in every file dvcq writes for people to open.

A cell such as ``=HYPERLINK("http://…","Bấm để xem")`` typed in a commune's export would run as a
formula when a spreadsheet opens our CSV or XLSX. CSV: text cells that start with ``= + - @``, a
tab or a carriage return get a leading apostrophe (OWASP's advice for CSV injection); numeric
columns are left as they are. XLSX: the workbook is written with formulas and URLs off
(``WORKBOOK_OPTIONS``), so every string is a plain string.
"""

from __future__ import annotations

import polars as pl

WORKBOOK_OPTIONS = {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
_FORMULA_START = r"^[=+\-@\t\r]"


def neutralise_formulas(frame: pl.DataFrame) -> pl.DataFrame:
    """The frame with every text cell that a spreadsheet would read as a formula prefixed by '."""
    text = [c for c, t in frame.schema.items() if t == pl.String]
    return frame.with_columns(
        pl.when(pl.col(c).str.contains(_FORMULA_START)).then(pl.lit("'") + pl.col(c)).otherwise(pl.col(c)).alias(c)
        for c in text)
