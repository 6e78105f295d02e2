"""Tổng quan: headline cards with change; tabs with the ranking by composite score, the commune map and the
monthly trend."""

import polars as pl
import streamlit as st

from dashboard import chrome, data, formatting, views
from dashboard.filters import page_control
from dashboard.report import report_button
from schemas.catalog import COMPOSITE, INDICATOR_COUNT, LEVEL_WORDS, MEASURES
from schemas.config import SCORED_INDICATORS

RANKING, MAP, TREND = "Xếp hạng", "Bản đồ", "Xu hướng theo tháng"
TABS_KEY = "tong_quan_tab"


def ranking(f, figure) -> None:
    """The units by composite score (a click on a bar opens the unit) and what the ranking rests on."""
    if figure is None:
        chrome.empty("Chưa có điểm tổng hợp cho kỳ này", "Hãy chọn kỳ khác hoặc nạp thêm dữ liệu.")
    else:
        event = st.plotly_chart(figure, key="ranking", on_select="rerun", selection_mode="points")
        if code := chrome.clicked_unit(event):
            chrome.open_unit(code)
    cfg, word = data.config(), LEVEL_WORDS[f.era]["commune"]
    st.caption(f"Bấm một thanh để mở trang đơn vị. Bên cạnh mỗi điểm: số {word} gửi dữ liệu và số chỉ số mà điểm "
               f"dựa trên. Chỉ xếp hạng khi có ít nhất {cfg.min_indicators_ranked}/{INDICATOR_COUNT} chỉ số"
               + ("" if f.district else f" và ít nhất {formatting.fmt_pct(cfg.min_communes_reporting_ranked, 0)} "
                                        f"số {word} gửi dữ liệu")
               + "; đơn vị chưa đủ dữ liệu vẽ màu xám, dưới đường chấm.")


def commune_map(f) -> None:
    """The communes on their coordinates in the colour chosen (``to_mau``); a click on one opens it."""
    colour_by = page_control(st.selectbox, "Tô màu bản đồ theo", [COMPOSITE, *SCORED_INDICATORS], "to_mau",
                             COMPOSITE, format_func=chrome.indicator_label, width=360)
    figure = views.overview_figures(f, colour_by).map
    if figure is None:
        chrome.empty("Chưa có toạ độ xã để vẽ bản đồ")
    else:
        event = st.plotly_chart(figure, key="map", on_select="rerun", selection_mode="points")
        if code := chrome.clicked_unit(event):
            chrome.open_unit(code)


def trend(figure) -> None:
    """The key rates month by month."""
    if figure is None:
        chrome.empty("Chưa đủ dữ liệu theo tháng để vẽ xu hướng")
    else:
        st.plotly_chart(figure, key="trend")
        chrome.few_records_note()


f = chrome.page("Tổng quan", "Mô hình «Chính quyền thân thiện, vì Nhân dân phục vụ»")
if f is not None:
    o = views.overview(f)
    report_button(f)

    def card(col, key, source="m", help=None, inverse=False):
        """A measure's (``m``) or a rate's (``r``) card, headed by its catalog or configured label."""
        frame, prev = (o.measures, o.measures_before) if source == "m" else (o.rates, o.rates_before)
        by = "measure" if source == "m" else "indicator"
        v, p = data.value_of(frame, o.unit, key, by=by), data.value_of(prev, o.unit, key, by=by)
        kind = "int" if source == "m" else ("score" if key == COMPOSITE else "pct")
        shown = {"int": formatting.fmt_int, "pct": formatting.fmt_pct, "score": formatting.fmt_num}[kind](v)
        label = MEASURES[key] if source == "m" else chrome.indicator_label(key)
        col.metric(label, shown, help=help, border=True, **formatting.metric_delta(v, p, kind, inverse))

    c = st.columns(4)
    card(c[0], "dossiers_received")
    card(c[1], "dossiers_completed")
    card(c[2], "khong_tre_hen", "r", chrome.indicator_help("khong_tre_hen"))
    card(c[3], "hai_long", "r", chrome.indicator_help("hai_long"))
    c = st.columns(4)
    card(c[0], "petitions_pending", inverse=True)
    card(c[1], "dialogues")
    c[2].metric("Xã bị cảnh báo", formatting.fmt_int(o.flagged), border=True,
                help="Số xã có ít nhất một cảnh báo (xem trang Cảnh báo).",
                **formatting.metric_delta(o.flagged, o.flagged_before, lower_is_better=True))
    own = o.rates.filter(pl.col("unit_code") == o.unit, pl.col("indicator") == COMPOSITE).row(0, named=True)
    card(c[3], COMPOSITE, "r", f"Trung bình có trọng số của các chỉ số có giá trị (0–100), "
         f"dựa trên {chrome.coverage_text(own, f.era)}.")

    # The map and the trend wait behind their tabs: only the open tab is built and sent, so a first
    # visitor's browser draws the cards and the ranking alone. A link choosing the map's colour opens the map.
    if "to_mau" in (st.session_state.get("_incoming") or {}):
        st.session_state[TABS_KEY] = MAP
    ranking_tab, map_tab, trend_tab = st.tabs([RANKING, MAP, TREND], key=TABS_KEY, on_change="rerun")
    with ranking_tab:
        if ranking_tab.open:
            ranking(f, views.overview_figures(f).ranking)
    with map_tab:
        if map_tab.open:
            commune_map(f)
    with trend_tab:
        if trend_tab.open:
            trend(views.overview_figures(f).trend)
    chrome.indicator_explanations()
