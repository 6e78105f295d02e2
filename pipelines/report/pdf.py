"""A PDF beside the Word file, for reading, when LibreOffice is installed.

Why optional: the .docx is the product (officials edit and sign it); the PDF is a convenience, and
servers and CI often have no LibreOffice. ``convert_to_pdf`` returns None when it is absent, and the
caller says so in one line instead of failing.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

TIMEOUT_SECONDS = 180


def libreoffice() -> str | None:
    """The LibreOffice executable on PATH (``soffice`` or ``libreoffice``), None when there is none."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def convert_to_pdf(docx: Path) -> Path | None:
    """``docx`` converted to a PDF beside it (same stem); None when LibreOffice is not installed.

    A private LibreOffice profile per run lets two conversions run at once (a shared profile locks).
    Raises ``RuntimeError`` with LibreOffice's own words when it runs but writes nothing.
    """
    exe = libreoffice()
    if exe is None:
        return None
    with tempfile.TemporaryDirectory(prefix="dvcq-lo-") as profile:
        result = subprocess.run(
            [exe, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
             "--outdir", str(docx.parent), str(docx)],
            capture_output=True, text=True, timeout=TIMEOUT_SECONDS, check=False)
    pdf = docx.with_suffix(".pdf")
    if not pdf.exists():
        raise RuntimeError(f"LibreOffice không chuyển được {docx.name} sang PDF: "
                           f"{(result.stderr or result.stdout).strip().splitlines()[-1:] or result.returncode}")
    return pdf
