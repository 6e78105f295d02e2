"""Đơn thư, đối thoại, thư: petitions by kind/field/outcome/timeliness; dialogues; letters and apology coverage."""

import polars as pl
import streamlit as st

from dashboard import charts, chrome, data, formatting
from schemas.catalog import LEVEL_LABELS, MEASURES
from schemas.records import RECORD_SCHEMAS

f = chrome.page("Đơn thư, đối thoại, thư")
if f is not None:
    view = (f.period, f.district, f.commune)
    petitions, dialogues, letters = st.tabs([RECORD_SCHEMAS["petition"].label_vi, RECORD_SCHEMAS["dialogue"].label_vi,
                                             "Thư gửi người dân"])
    with petitions:
        p = data.petition_breakdown(*view)
        if p.is_empty():
            chrome.empty(f"Không có đơn thư nào nhận trong {f.label.lower()}")
        else:
            totals = data.petition_totals(p)
            c = st.columns(4)
            c[0].metric("Đơn thư nhận trong kỳ", formatting.fmt_int(totals["received"]), border=True)
            as_of = formatting.fmt_date(f.as_of)
            c[1].metric("Trong số đó đang giải quyết", formatting.fmt_int(totals["pending"]), border=True,
                help=f"Đơn nhận trong kỳ chưa giải quyết xong tại ngày {as_of}.")
            c[2].metric("Trong số đó đã quá hạn", formatting.fmt_int(totals["overdue"]), border=True,
                help=f"Đơn nhận trong kỳ, chưa giải quyết và đã quá hạn tại ngày {as_of}. Trang Tồn đọng đếm mọi "
                     f"đơn quá hạn tại ngày này, kể cả đơn nhận trước kỳ, nên có thể lớn hơn.")
            c[3].metric(MEASURES["petitions_escalated"], formatting.fmt_int(totals["escalated"]), border=True)
            left, right = st.columns(2)
            for col, by, title in ((left, "kind_vi", "Theo loại đơn"), (right, "outcome_vi", "Theo kết quả"),
                                   (left, "field_vi", "Theo lĩnh vực"), (right, "timeliness_vi", "Theo thời hạn giải quyết")):
                counts = data.petition_counts(p, by)
                col.plotly_chart(charts.count_bars(counts[by].to_list(), counts["n"].to_list(), title, horizontal=True),
                                 key=f"p_{by}")
    with dialogues:
        rows = data.dialogues(*view)
        if rows.is_empty():
            chrome.empty(f"Không có hội nghị đối thoại nào trong {f.label.lower()}")
        else:
            totals = data.dialogue_totals(rows)
            c = st.columns(4)
            c[0].metric(MEASURES["dialogues"], formatting.fmt_int(totals["meetings"]), border=True,
                        help=f"Tổ chức tại {formatting.fmt_int(totals['communes'])} xã.")
            c[1].metric("Lượt người tham dự", formatting.fmt_int(totals["attendees"]), border=True)
            level, unit = data.scope(f.district, f.commune)
            noi = data.unit_rows(data.indicators(level, f.period), unit).filter(pl.col("indicator") == "biet_noi")
            c[2].metric("Ý kiến được giải đáp", f"{formatting.fmt_int(noi.item(0, 'numerator'))}/"
                        f"{formatting.fmt_int(noi.item(0, 'denominator'))} ({formatting.fmt_pct(noi.item(0, 'value'))})",
                        border=True, help=f"Giải đáp ngay tại hội nghị. {chrome.indicator_help('biet_noi')}")
            c[3].metric("Do người đứng đầu chủ trì", formatting.fmt_int(totals["chaired_by_head"]), border=True)
            spec = {"dialogue_date": (chrome.record_label("dialogue", "dialogue_date"), "date"),
                    "commune_name": (LEVEL_LABELS[f.era]["commune"], "text"),
                    "district_name": (LEVEL_LABELS[f.era]["district"], "text")}
            spec |= {c: (chrome.record_label("dialogue", c), "int" if c in ("attendees", "opinions_raised",
                     "opinions_answered") else "text") for c in ("chair", "topic", "attendees", "opinions_raised",
                                                                 "opinions_answered")}
            chrome.show_table(rows, spec, key="dlg_table", height=380)
    with letters:
        level, unit = data.scope(f.district, f.commune)
        lt = data.letters_sent(level, unit, f.period)
        ind = data.unit_rows(data.indicators(level, f.period), unit).filter(pl.col("indicator") == "biet_xin_loi")
        num, den, val = ind.row(0)[ind.columns.index("numerator")], ind.item(0, "denominator"), ind.item(0, "value")
        c = st.columns(3)
        c[0].metric("Thư đã gửi trong kỳ", formatting.fmt_int(data.letters_total(lt)), border=True)
        c[1].metric("Hồ sơ trễ hẹn có thư xin lỗi", f"{formatting.fmt_int(num)}/{formatting.fmt_int(den)}", border=True,
                    help=chrome.indicator_help("biet_xin_loi"))
        c[2].metric("Tỷ lệ xin lỗi khi trễ hẹn", formatting.fmt_pct(val), border=True,
                    help="N/A khi không có hồ sơ trễ hẹn nào trong kỳ.")
        if lt.is_empty():
            chrome.empty(f"Không có thư nào gửi trong {f.label.lower()}")
        else:
            st.plotly_chart(charts.count_bars(lt["label"].to_list(), lt["value"].to_list(), "Thư theo loại"),
                            key="letters")
