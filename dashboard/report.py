"""The "Tải báo cáo (.docx)" button: the written report of the unit and period on screen.

Why a button and not a page: officials want the report they already write by hand, for the view they
are looking at. The Word file is built only when the button is clicked (Streamlit runs the callable
then), by the same ``pipelines.report`` the ``dvcq report`` command uses, on the page's own connection,
structure, period and as-of date — so its numbers are the page's numbers.

The report lists the unit's communes, so an account limited to some units gets it only for a unit whose
communes are all its own (``data.may_report``); for another the button is shown disabled with why. Each
download is written to the audit trail (unit and period) by the click's callback, in the account's session.
"""

from __future__ import annotations

import streamlit as st

from dashboard import access, connection, data, formatting
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
    allowed = data.may_report(f.district, f.commune)
    con, config = connection.in_structure(connection.db_path(), connection.version(), f.era), connection.config()

    def build() -> bytes:
        return docx_bytes(build_report(con, config, templates, PROVINCE if level == "province" else unit, period))

    what = ("Bản dự thảo báo cáo kết quả thực hiện mô hình theo mẫu Nghị định 30/2020/NĐ-CP, số liệu của kỳ và đơn "
            "vị đang xem; phần Ưu điểm, Hạn chế, Nhiệm vụ để đơn vị tự viết.")
    refused = "Tài khoản của bạn tải báo cáo của xã, địa bàn mình phụ trách: hãy chọn đơn vị đó ở thanh bên."
    container.download_button("Tải báo cáo (.docx)", build, file_name=f"{file_stem(unit, period)}.docx",
                              mime=DOCX_MIME, icon=":material/description:", key=f"report_{level}_{unit}",
                              disabled=not allowed, help=what if allowed else refused,
                              on_click=access.record, args=("report",),
                              kwargs={"unit": unit, "period": f"{period.date_from.isoformat()}/{period.date_to.isoformat()}"})
