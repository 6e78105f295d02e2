"""Đơn thư, đối thoại, thư: petitions by kind/field/outcome/timeliness; dialogues; letters and apology coverage."""

import polars as pl
import streamlit as st

from dashboard import charts, chrome, data
from dashboard import queries as q
from pipelines.indicators import PETITION_TIMELINESS_VI

f = chrome.page("Đơn thư, đối thoại, thư")
if f is not None:
    view = (f.period, f.district, f.commune)
    petitions, dialogues, letters = st.tabs(["Đơn thư", "Hội nghị đối thoại", "Thư gửi người dân"])
    with petitions:
        p = data.petition_breakdown(*view)
        if p.is_empty():
            chrome.empty(f"Không có đơn thư nào nhận trong {f.label.lower()}")
        else:
            c = st.columns(4)
            c[0].metric("Đơn thư nhận trong kỳ", chrome.fmt_int(p["n"].sum()), border=True)
            c[1].metric("Đang giải quyết", chrome.fmt_int(p.filter(pl.col("outcome") == "pending")["n"].sum()), border=True)
            c[2].metric("Quá hạn chưa giải quyết", chrome.fmt_int(
                p.filter(pl.col("timeliness") == "open_overdue")["n"].sum()), border=True)
            c[3].metric("Đơn vượt cấp", chrome.fmt_int(p["escalated"].sum()), border=True)
            left, right = st.columns(2)
            for col, by, vocab, title in ((left, "kind", "petition_kind", "Theo loại đơn"),
                                          (right, "outcome", "petition_outcome", "Theo kết quả"),
                                          (left, "field", None, "Theo lĩnh vực"),
                                          (right, "timeliness", None, "Theo thời hạn giải quyết")):
                agg = p.group_by(by).agg(pl.col("n").sum()).sort("n", descending=True)
                labels = [chrome.vocab_label(vocab, v) if vocab else PETITION_TIMELINESS_VI.get(v, v) for v in agg[by]]
                col.plotly_chart(charts.count_bars(labels, agg["n"].to_list(), title, horizontal=True), key=f"p_{by}")
    with dialogues:
        d = data.scoped(q.DIALOGUES, *view).row(0, named=True)
        if not d["dialogues"]:
            chrome.empty(f"Không có hội nghị đối thoại nào trong {f.label.lower()}")
        else:
            c = st.columns(4)
            c[0].metric("Hội nghị đối thoại", chrome.fmt_int(d["dialogues"]), border=True,
                        help=f"Tổ chức tại {chrome.fmt_int(d['communes'])} xã.")
            c[1].metric("Lượt người tham dự", chrome.fmt_int(d["attendees"]), border=True)
            answered = 100 * d["answered"] / d["raised"] if d["raised"] else None
            c[2].metric("Ý kiến được giải đáp tại hội nghị", f"{chrome.fmt_int(d['answered'])}/{chrome.fmt_int(d['raised'])}",
                        chrome.fmt_pct(answered), delta_color="off", border=True, help=chrome.indicator_help("biet_noi"))
            c[3].metric("Do người đứng đầu chủ trì", chrome.fmt_int(d["chaired_by_head"]), border=True)
            rows = data.scoped(q.DIALOGUE_LIST, *view)
            spec = {"dialogue_date": (chrome.record_label("dialogue", "dialogue_date"), "date"),
                    "commune_name": (chrome.COMMUNE_LABELS[f.era], "text"),
                    "district_name": (chrome.GROUP_LABELS[f.era], "text")}
            spec |= {c: (chrome.record_label("dialogue", c), "int" if c in ("attendees", "opinions_raised",
                     "opinions_answered") else "text") for c in ("chair", "topic", "attendees", "opinions_raised",
                                                                 "opinions_answered")}
            chrome.show_table(rows, spec, key="dlg_table", height=380)
    with letters:
        lt = data.scoped(q.LETTERS_BY_KIND, *view)
        level, unit = data.scope(f.district, f.commune)
        ind = data.unit_rows(data.indicators(level, f.period), unit).filter(pl.col("indicator") == "biet_xin_loi")
        num, den, val = ind.row(0)[ind.columns.index("numerator")], ind.item(0, "denominator"), ind.item(0, "value")
        c = st.columns(3)
        c[0].metric("Thư đã gửi trong kỳ", chrome.fmt_int(lt["n"].sum()), border=True)
        c[1].metric("Hồ sơ trễ hẹn có thư xin lỗi", f"{chrome.fmt_int(num)}/{chrome.fmt_int(den)}", border=True,
                    help=chrome.indicator_help("biet_xin_loi"))
        c[2].metric("Tỷ lệ xin lỗi khi trễ hẹn", chrome.fmt_pct(val), border=True,
                    help="N/A khi không có hồ sơ trễ hẹn nào trong kỳ.")
        if lt.is_empty():
            chrome.empty(f"Không có thư nào gửi trong {f.label.lower()}")
        else:
            labels = [chrome.vocab_label("letter_kind", k) for k in lt["kind"]]
            st.plotly_chart(charts.count_bars(labels, lt["n"].to_list(), "Thư theo loại"), key="letters")
