"""Tổng quan: headline cards with change, ranking by composite score, monthly trend, commune map."""

import datetime as dt

import polars as pl
import streamlit as st

from dashboard import charts, chrome, data, formatting

KEY_RATES = ["khong_tre_hen", "biet_xin_loi", "biet_lam", "hai_long"]

f = chrome.page("Tổng quan", "Mô hình «Chính quyền thân thiện, vì Nhân dân phục vụ»")
if f is not None:
    level, unit = data.scope(f.district, f.commune)
    now, before = data.measures(level, f.period), data.measures(level, f.previous)
    rates, rates_before = data.indicators(level, f.period), data.indicators(level, f.previous)
    flagged = data.flagged_communes(f.period, f.district, f.commune)
    flagged_before = data.flagged_communes(f.previous, f.district, f.commune)

    def card(col, label, key, source="m", help=None, inverse=False):
        frame, prev = (now, before) if source == "m" else (rates, rates_before)
        by = "measure" if source == "m" else "indicator"
        v, p = data.value_of(frame, unit, key, by=by), data.value_of(prev, unit, key, by=by)
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
    c[2].metric("Xã bị cảnh báo", formatting.fmt_int(flagged), formatting.fmt_delta(flagged, flagged_before),
                delta_color="inverse", border=True, help="Số xã có ít nhất một cảnh báo (xem trang Cảnh báo).")
    card(c[3], "Điểm tổng hợp", "composite", "r", "Trung bình có trọng số của 12 chỉ số có giá trị (0–100).")

    child_level, parent = data.children(f.district)
    children = data.indicators(child_level, f.period).filter(pl.col("indicator") == "composite")
    if parent:
        children = children.filter(pl.col("district_code") == parent)
    left, right = st.columns([2, 3])
    with left:
        group = "huyện" if f.era == "legacy" else "địa bàn huyện cũ"
        title = "Xếp hạng các xã theo điểm tổng hợp" if parent else f"Xếp hạng các {group} theo điểm tổng hợp"
        if children["value"].is_null().all():
            chrome.empty("Chưa có điểm tổng hợp cho kỳ này", "Hãy chọn kỳ khác hoặc nạp thêm dữ liệu.")
        else:
            st.plotly_chart(charts.ranking_bar(children, title), key="ranking")
    with right:
        communes = data.commune_scores(f.period, f.district)
        if communes.is_empty():
            chrome.empty("Chưa có toạ độ xã để vẽ bản đồ")
        else:
            st.plotly_chart(charts.commune_map(communes, "Bản đồ các xã theo điểm tổng hợp"), key="map")
    start = max(dt.date(f.date_to.year - 1, f.date_to.month, 1), data.date_range()[0])
    trend = data.trend(level, [unit], min(start, f.date_from), f.date_to, "month")
    trend = trend.filter(pl.col("indicator").is_in(KEY_RATES))
    if trend["value"].is_null().all():
        chrome.empty("Chưa đủ dữ liệu theo tháng để vẽ xu hướng")
    else:
        note = chrome.crosses_reform(f.era, min(start, f.date_from), f.date_to)
        st.plotly_chart(charts.trend_lines(trend, "Xu hướng theo tháng của các tỷ lệ chính (%)", reform_note=note),
                        key="trend")
    chrome.indicator_explanations()
