"""The report officials write by hand, drafted from the data: "BÁO CÁO Kết quả triển khai xây dựng mô hình
'Chính quyền thân thiện, vì Nhân dân phục vụ'" as an editable Word file (docs/report.md).

Three layers, each testable alone: ``facts`` asks the engine (the numbers every page shows), ``content``
turns them into sentences and tables with the wording of ``config/report.toml``, ``docx_writer`` lays
them out in the form of Nghị định 30/2020/NĐ-CP; ``pdf`` adds a PDF when LibreOffice is installed.
"""

from __future__ import annotations

from pipelines.report.content import ReportDocument, build_document, file_stem
from pipelines.report.docx_writer import docx_bytes, write_docx
from pipelines.report.facts import PROVINCE, ReportUnitError, gather, resolve_scope
from pipelines.sql import InStructure
from schemas.config import DvcqConfig
from schemas.periods import Period
from schemas.report import ReportTemplates

__all__ = ["PROVINCE", "ReportDocument", "ReportUnitError", "build_report", "docx_bytes", "file_stem", "write_docx"]


def build_report(con: InStructure, config: DvcqConfig, templates: ReportTemplates, unit: str,
                 period: Period) -> ReportDocument:
    """The report of ``unit`` (commune code, district / 'địa bàn huyện cũ' code, or 'province') over
    ``period``, in the connection's administrative structure."""
    scope = resolve_scope(con, config, unit)
    return build_document(gather(con, config, scope, period), templates, config)
