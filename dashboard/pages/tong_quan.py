"""Tổng quan: headline cards with change, ranking by composite score, monthly trend, commune map."""

import streamlit as st

from dashboard import charts, chrome, data, formatting, views
from schemas.catalog import INDICATOR_COUNT, LEVEL_WORDS

f = chrome.page("Tổng quan", "Mô hình «Chính quyền thân thiện, vì Nhân dân phục vụ»")
if f is not None:
    o = views.overview(f)

    def card(col, label, key, source="m", help=None, inverse=False):
        frame, prev = (o.measures, o.measures_before) if source == "m" else (o.rates, o.rates_before)
        by = "measure" if source == "m" else "indicator"
        v, p = data.value_of(frame, o.unit, key, by=by), data.value_of(prev, o.unit, key, by=by)
        kind = "int" if source == "m" else ("score" if key == "composite" else "pct")
        shown = {"int": formatting.fmt_int, "pct": formatting.fmt_pct, "score": formatting.fmt_num}[kind](v)
        col.metric(label, shown, formatting.fmt_delta(v, p, kind),
                   delta_color="inverse" if inverse else "normal", help=help, border=True)

    c = st.columns(4)
    card(c[0], "Hồ sơ tiếp nhận", "dossiers_received")
    card(c[1], "Hồ sơ đã trả kết quả", "dossiers_completed")
    card(c[2], "Tỷ lệ trả đúng hạn", "khong_tre_hen", "r", chrome.indicator_help("khong_tre_hen"))
    card(c[3], "Mức độ hài lòng", "hai_long", "r", chrome.indicator_help("hai_long"))
    c = st.columns(4)
    card(c[0], "Đơn thư đang giải quyết", "petitions_pending", inverse=True)
    card(c[1], "Hội nghị đối thoại", "dialogues")
    c[2].metric("Xã bị cảnh báo", formatting.fmt_int(o.flagged), formatting.fmt_delta(o.flagged, o.flagged_before),
                delta_color="inverse", border=True, help="Số xã có ít nhất một cảnh báo (xem trang Cảnh báo).")
    card(c[3], "Điểm tổng hợp", "composite", "r", f"Trung bình có trọng số của {INDICATOR_COUNT} chỉ số có giá trị (0–100).")

    left, right = st.columns([2, 3])
    with left:
        group = "xã" if f.district else LEVEL_WORDS[f.era]["district"]
        if o.children["value"].is_null().all():
            chrome.empty("Chưa có điểm tổng hợp cho kỳ này", "Hãy chọn kỳ khác hoặc nạp thêm dữ liệu.")
        else:
            st.plotly_chart(charts.ranking_bar(o.children, f"Xếp hạng các {group} theo điểm tổng hợp"), key="ranking")
    with right:
        if o.communes.is_empty():
            chrome.empty("Chưa có toạ độ xã để vẽ bản đồ")
        else:
            st.plotly_chart(charts.commune_map(o.communes, "Bản đồ các xã theo điểm tổng hợp"), key="map")
    if o.trend["value"].is_null().all():
        chrome.empty("Chưa đủ dữ liệu theo tháng để vẽ xu hướng")
    else:
        note = chrome.crosses_reform(f.era, o.trend_from, f.date_to)
        st.plotly_chart(charts.trend_lines(o.trend, "Xu hướng theo tháng của các tỷ lệ chính (%)", reform_note=note),
                        key="trend")
    chrome.indicator_explanations()
