"""The "Tải báo cáo (.docx)" button: the written report of the unit and period on screen.

Why a button and not a page: officials want the report they already write by hand, for the view they
are looking at. The Word file is built only when the button is clicked (Streamlit runs the callable
then), by the same ``pipelines.report`` the ``dvcq report`` command uses, on the page's own connection,
structure, period and as-of date — so its numbers are the page's numbers.
"""

from __future__ import annotations

import streamlit as st

from dashboard import connection, data, formatting
from dashboard.filters import Filters
from pipelines.report import PROVINCE, build_report, docx_bytes, file_stem
from schemas.report import ReportTemplateError, load_report_templates

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def report_button(f: Filters, container=st) -> None:
    """A download button for the report of the view's unit (the commune, else the district or 'địa bàn huyện
    cũ', else the province) over the sidebar's period; a broken templates file is said instead."""
    try:
        templates = load_report_templates()  # read at every run: an edit shows at the next click
    except ReportTemplateError as exc:
        container.warning(f"Không tạo được báo cáo: {formatting.md_escape(exc)}")  # as typed: no bold, no link
        return
    level, unit = data.scope(f.district, f.commune)
    period = f.period
    con, config = connection.in_structure(connection.db_path(), connection.version(), f.era), connection.config()

    def build() -> bytes:
        return docx_bytes(build_report(con, config, templates, PROVINCE if level == "province" else unit, period))

    container.download_button("Tải báo cáo (.docx)", build, file_name=f"{file_stem(unit, period)}.docx",
                              mime=DOCX_MIME, icon=":material/description:", key=f"report_{level}_{unit}",
                              on_click="ignore",
                              help="Bản dự thảo báo cáo kết quả thực hiện mô hình theo mẫu Nghị định 30/2020/NĐ-CP, "
                                   "số liệu của kỳ và đơn vị đang xem; phần Ưu điểm, Hạn chế, Nhiệm vụ để đơn vị tự viết.")
