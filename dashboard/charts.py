"""Plotly figures for the pages: Vietnamese separators (1.234,5), dd/mm/yyyy dates, one palette."""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from schemas.admin_unit import REFORM_DATE
from dashboard.chrome import GOOD, NA_COLOUR, SCORE_SCALE, SERIES, STATUS_COLOURS, WATCH, WEAK, status
from dashboard.formatting import fmt_int, fmt_num
from schemas.catalog import FEW_RECORDS, NOT_SENT, STATUS_LABELS


def _layout(fig: go.Figure, height: int = 380, **kw) -> go.Figure:
    fig.update_layout(separators=",.", height=height, margin=dict(l=10, r=10, t=40, b=10),
                      font=dict(family="Inter, Arial, sans-serif", size=13), plot_bgcolor="white",
                      legend=dict(orientation="h", yanchor="top", y=-0.12, x=0), **kw)
    fig.update_xaxes(gridcolor="#EEEEEE")
    fig.update_yaxes(gridcolor="#EEEEEE")
    return fig


def ranking_bar(df: pl.DataFrame, title: str, label: list[str], basis: list[str], standing: list[str]) -> go.Figure:
    """Horizontal bars of composite score with what each rests on beside it: the ranked units on top,
    best first; below a rule, in grey and without a rank, the units with too little data to rank.

    Per row of ``df``: ``label`` the short coverage written after the score, ``basis`` the full one and
    ``standing`` the rank or why there is none (both in the tooltip). ``customdata[0]`` is the unit code: a click on a bar opens that unit's page
    (``dashboard.chrome.clicked_unit``).
    """
    rows = (df.with_columns(pl.Series("label", label, pl.String), pl.Series("basis", basis, pl.String),
                            pl.Series("standing", standing, pl.String))
            .sort(["ranked", "value"], descending=[False, False], nulls_last=False))  # plotly draws bottom-up
    ranked = rows["ranked"].to_list()
    colours = [c if r else NA_COLOUR for c, r in zip(_score_colours(rows["value"].fill_null(0).to_list()), ranked)]
    text = [f"{fmt_num(v)} · {b}" for v, b in zip(rows["value"], rows["label"])]
    fig = go.Figure(go.Bar(
        x=rows["value"].fill_null(0).to_list(), y=rows["unit_name"].to_list(), orientation="h",
        marker=dict(color=colours),
        text=text, textposition="outside", cliponaxis=False,
        customdata=list(zip(rows["unit_code"], [fmt_num(v) for v in rows["value"]], rows["basis"], rows["standing"])),
        hovertemplate="<b>%{y}</b> · %{customdata[3]}<br>Điểm tổng hợp: %{customdata[1]}"
                      "<br>Dựa trên: %{customdata[2]}<br><i>Bấm để mở trang đơn vị</i><extra></extra>"))
    apart = ranked.count(False)
    _layout(fig, height=max(300, 26 * len(rows) + 90), clickmode="event+select",
            title=title + ("<br><sup>màu xám, dưới đường chấm: chưa đủ dữ liệu để xếp hạng</sup>" if apart else ""))
    fig.update_xaxes(range=[0, 200], title="Điểm tổng hợp (0–100)", tickvals=[0, 20, 40, 60, 80, 100])
    if apart and apart < len(ranked):
        fig.add_hline(y=apart - 0.5, line=dict(color="#888888", dash="dot", width=1))
    return fig


def _score_colours(values: list[float]) -> list[str]:
    """The composite colour scale (``SCORE_SCALE`` over 50–100) as explicit colours, so ranked and unranked
    bars can share one trace (one click handler) with the unranked ones in grey."""
    from plotly.colors import sample_colorscale
    return sample_colorscale(SCORE_SCALE, [min(max((v - 50) / 50, 0), 1) for v in values], colortype="rgb")


def commune_map(df: pl.DataFrame, title: str, measure: str) -> go.Figure:
    """Communes on their coordinates (no map tiles), coloured by ``measure`` (the composite score or one
    indicator, in %); N/A in grey. Every point names its commune on hover; ``customdata[0]`` is its
    code, so a click opens its page.

    So that an official can tell where a point is without a base map (none is downloaded): the outline
    of the communes drawn (the convex hull of their points: no boundary ships with the package or the
    warehouse) and names written on the map: each district's (or old district's) at the middle of its
    communes, or each commune's when one district is shown.
    """
    df = df.filter(pl.col("latitude").is_not_null())
    fig = go.Figure()
    outline = _hull(list(zip(df["longitude"], df["latitude"])))
    fig.add_trace(go.Scatter(x=[x for x, _ in outline], y=[y for _, y in outline], mode="lines", fill="toself",
                             fillcolor="rgba(120,120,120,0.06)", line=dict(color="#B0B0B0", width=1),
                             hoveron="points", hoverinfo="skip", showlegend=False, name="outline"))
    if df["district_name"].n_unique() > 1:
        places = df.group_by("district_name").agg(pl.col("longitude").mean(), pl.col("latitude").mean())
        words = places["district_name"].to_list()
    else:
        places, words = df, df["unit_name"].to_list()
    fig.add_trace(go.Scatter(x=places["longitude"].to_list(), y=places["latitude"].to_list(), mode="text",
                             text=[plain_label(w) for w in words], textposition="top center", hoverinfo="skip",
                             textfont=dict(size=10, color="#6E6E6E"), showlegend=False, name="names"))
    has = df.filter(pl.col("value").is_not_null())
    none = df.filter(pl.col("value").is_null())
    fig.add_trace(go.Scatter(
        x=none["longitude"].to_list(), y=none["latitude"].to_list(), mode="markers", name="Không có dữ liệu",
        marker=dict(color=NA_COLOUR, size=6, symbol="circle-open"),
        customdata=list(zip(none["unit_code"], none["unit_name"], none["district_name"])),
        hovertemplate="<b>%{customdata[1]}</b> (%{customdata[2]})<br>" + measure + ": N/A<extra></extra>"))
    scale = dict(colorscale=SCORE_SCALE, cmin=50, cmax=100) if measure.startswith("Điểm") else \
        dict(colorscale=[[0, WEAK], [0.5, WATCH], [1, GOOD]], cmin=0, cmax=100)
    fig.add_trace(go.Scatter(
        x=has["longitude"].to_list(), y=has["latitude"].to_list(), mode="markers", name=measure,
        marker=dict(color=has["value"].to_list(), size=11, line=dict(color="#555555", width=0.6),
                    colorbar=dict(title="", thickness=12, len=0.8), **scale),
        customdata=list(zip(has["unit_code"], has["unit_name"], has["district_name"],
                            [fmt_num(v) for v in has["value"]])),
        hovertemplate="<b>%{customdata[1]}</b> (%{customdata[2]})<br>" + measure + ": %{customdata[3]}"
                      "<br><i>Bấm để mở trang xã</i><extra></extra>"))
    _layout(fig, height=520, title=title, clickmode="event+select")
    fig.update_layout(legend=dict(orientation="h", yanchor="top", y=-0.02, x=0))
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False, scaleanchor="x", scaleratio=1.06)
    return fig


FEW_EDGE = "#8C8C8C"  # outline and count of a trend point with too few records (grey, whatever its series)


def _hull(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """The convex hull of ``points`` (Andrew's monotone chain), closed: its first point repeated last."""
    pts = sorted(set(points))
    if len(pts) < 3:
        return pts

    def half(seq):
        out: list[tuple[float, float]] = []
        for p in seq:
            while len(out) >= 2 and (out[-1][0] - out[-2][0]) * (p[1] - out[-2][1]) \
                    - (out[-1][1] - out[-2][1]) * (p[0] - out[-2][0]) <= 0:
                out.pop()
            out.append(p)
        return out[:-1]
    ring = half(pts) + half(pts[::-1])
    return ring + ring[:1]


def trend_lines(df: pl.DataFrame, title: str, x: str = "period_start", tickformat: str = "%m/%Y",
                reform_note: bool = False) -> go.Figure:
    """One line per indicator label over time (value in %); each point's count in its tooltip, and a
    point resting on fewer than ``FEW_RECORDS`` records drawn as a grey dot off the line with its count
    written beside it ("1/2"): its 0 % or 100 % is noise.

    ``reform_note`` marks 01/07/2025 on a series shown in the 2025 structure that starts earlier:
    the points before it are the sums of the legacy communes merged into each new one.
    """
    fig = go.Figure()
    for i, (label, part) in enumerate(df.sort(x).group_by("label", maintain_order=True)):
        colour, few = SERIES[i % len(SERIES)], part["denominator"].fill_null(0) < FEW_RECORDS
        counts = [(fmt_int(n), fmt_int(d)) for n, d in zip(part["numerator"], part["denominator"])]
        solid = [None if f else v for v, f in zip(part["value"], few)]
        fig.add_trace(go.Scatter(
            x=part[x].to_list(), y=solid, name=label[0], mode="lines+markers", legendgroup=label[0],
            line=dict(color=colour, width=2), marker=dict(size=7), connectgaps=True, customdata=counts,
            hovertemplate="%{x|%d/%m/%Y}: %{y:.1f} % (%{customdata[0]}/%{customdata[1]})<extra>" + label[0] + "</extra>"))
        thin = part.filter(few & part["value"].is_not_null())
        if not thin.is_empty():
            thin_counts = [(fmt_int(n), fmt_int(d)) for n, d in zip(thin["numerator"], thin["denominator"])]
            fig.add_trace(go.Scatter(
                x=thin[x].to_list(), y=thin["value"].to_list(), name=label[0], mode="markers+text",
                legendgroup=label[0], showlegend=False, marker=dict(size=7, color=NA_COLOUR, line=dict(color=FEW_EDGE, width=1)),
                text=[f"{n}/{d}" for n, d in thin_counts], textposition="top center",
                textfont=dict(size=10, color=FEW_EDGE), cliponaxis=False, customdata=thin_counts,
                hovertemplate="%{x|%d/%m/%Y}: %{y:.1f} % (%{customdata[0]}/%{customdata[1]}) — ít bản ghi, chưa đủ "
                              "để kết luận<extra>" + label[0] + "</extra>"))
    _layout(fig, height=360, title=title)
    fig.update_yaxes(title="%", range=[0, 105])
    # Quarterly points: one tick a quarter (Plotly's own step put two ticks in one quarter, both "Quý 3/2023").
    fig.update_xaxes(tickformat=tickformat, **({"dtick": "M3"} if "%q" in tickformat else {}))
    if reform_note:
        fig.add_vline(x=REFORM_DATE.isoformat(), line=dict(color="#666666", dash="dot", width=1))
        fig.add_annotation(x=REFORM_DATE.isoformat(), y=1.0, yref="paper", xanchor="right", yanchor="bottom",
                           showarrow=False, text="Trước 01/07/2025: số liệu cộng của các xã cũ hợp thành ",
                           font=dict(size=11, color="#444444"))
    return fig


def heatmap(df: pl.DataFrame, units: list[tuple[str, str]], labels: list[str]) -> go.Figure:
    """Units x indicators; colour = good/watch/weak against target; N/A (nothing to count) grey with the text
    'N/A'; an indicator the unit sent no records for is weak, with the text 'chưa gửi'.

    ``units``: (code, row label) from the top. A click on a cell opens that unit's page: Plotly selects
    no heatmap cell, so an invisible square marker sits on each cell (``customdata[0]`` its unit code)
    and carries the tooltip and the click.
    """
    code = {"good": 2, "watch": 1, "weak": 0, "na": 3}
    lookup = {(u, lab): (v, t, m) for u, lab, v, t, m in
              df.select("unit_code", "label", "value", "target", "missing").iter_rows()}
    z, text = [], []
    for u, _ in units:
        row_z, row_t = [], []
        for lab in labels:
            v, t, missing = lookup.get((u, lab), (None, None, None))
            not_sent = missing == NOT_SENT  # not shown for want of records: 0 points, a finding, not a gap
            row_z.append(code["weak"] if not_sent else code[status(v, t)])
            row_t.append(fmt_num(v) if v is not None else ("chưa gửi" if not_sent else "N/A"))
        z.append(row_z)
        text.append(row_t)
    names = [name for _, name in units]
    scale = [[0, WEAK], [0.25, WEAK], [0.25, WATCH], [0.5, WATCH], [0.5, GOOD], [0.75, GOOD],
             [0.75, NA_COLOUR], [1, NA_COLOUR]]
    fig = go.Figure(go.Heatmap(z=z, x=labels, y=names, text=text, texttemplate="%{text}", zmin=-0.5, zmax=3.5,
                               colorscale=scale, xgap=2, ygap=2, hoverinfo="skip",
                               colorbar=dict(tickvals=[0, 1, 2, 3], ticktext=[STATUS_LABELS[k].split(" (")[0]
                                                                              for k in ("weak", "watch", "good", "na")],
                                             thickness=12)))
    cells = [(u, name, lab, t) for (u, name), row_t in zip(units, text) for lab, t in zip(labels, row_t)]
    fig.add_trace(go.Scatter(
        x=[c[2] for c in cells], y=[c[1] for c in cells], mode="markers", showlegend=False,
        marker=dict(symbol="square", size=24, opacity=0), customdata=[(c[0], c[3]) for c in cells],
        hovertemplate="%{y}<br>%{x}: %{customdata[1]}<br><i>Bấm để mở trang đơn vị</i><extra></extra>"))
    # hoverdistance -1: the nearest cell answers wherever in it the pointer is, not only near its centre.
    _layout(fig, height=max(320, 30 * len(units) + 160), clickmode="event+select", hoverdistance=-1)
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(side="top", tickangle=-30)
    return fig


def grouped_bars(df: pl.DataFrame, title: str) -> go.Figure:
    """Units side by side on indicators (df: unit_name, label, value)."""
    fig = go.Figure()
    for i, (unit, part) in enumerate(df.group_by("unit_name", maintain_order=True)):
        fig.add_trace(go.Bar(x=part["label"].to_list(), y=part["value"].to_list(), name=unit[0],
                             marker_color=SERIES[i % len(SERIES)],
                             hovertemplate="%{x}: %{y:.1f} %<extra>" + unit[0] + "</extra>"))
    _layout(fig, height=360, title=title, barmode="group")
    fig.update_yaxes(title="%", range=[0, 105])
    return fig


def plain_label(text: str) -> str:
    """Text from commune files shown as text: Plotly renders tags in labels (an ``<a href>`` typed into
    a petition's field would become a link), so '&', '<' and '>' are written as entities."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def count_bars(labels: list[str], values: list[float], title: str, colour: str = GOOD,
               horizontal: bool = False, colours: list[str] | None = None) -> go.Figure:
    """Bars of counts by a label that may come from the data (petition fields, sources)."""
    text = [fmt_num(v, 0) for v in values]
    labels = [plain_label(label) for label in labels]
    bar = go.Bar(x=values if horizontal else labels, y=labels if horizontal else values, text=text,
                 textposition="outside", cliponaxis=False, orientation="h" if horizontal else "v",
                 marker_color=colours or colour, hovertemplate="%{text}<extra></extra>")
    fig = go.Figure(bar)
    _layout(fig, height=max(300, 28 * len(labels) + 100) if horizontal else 340, title=title)
    top = int(max(values, default=0) or 0)
    if horizontal:
        fig.update_yaxes(autorange="reversed")
        _whole_numbers(fig.update_xaxes, top)
    else:
        _whole_numbers(fig.update_yaxes, top)
    return fig


def backlog_bars(per: pl.DataFrame, buckets: list[str], colours: list[str]) -> go.Figure:
    """Overdue items per commune as horizontal bars stacked by age bucket, grouped by district (or old
    district): the order of ``per`` (``data.backlog_by_commune``) from the top. Names stay horizontal and
    readable; the count axis has whole numbers only; the legend sits above the bars. No title: the page
    writes it above the chart, where it wraps on a phone. ``customdata[0]`` is the commune code: a click
    opens its page."""
    y = [per["district_name"].to_list()[::-1], per["commune_name"].to_list()[::-1]]
    fig = go.Figure()
    for bucket, colour in zip(buckets, colours):
        fig.add_trace(go.Bar(
            y=y, x=per[bucket].to_list()[::-1], name=bucket, orientation="h", marker_color=colour,
            customdata=list(zip(per["commune_code"].to_list()[::-1], per["commune_name"].to_list()[::-1])),
            hovertemplate="%{customdata[1]}: %{x} việc quá hạn " + bucket + " ngày làm việc<extra></extra>"))
    _layout(fig, height=max(320, 26 * len(per) + 100), barmode="stack", clickmode="event+select")
    fig.update_layout(legend=dict(orientation="h", yanchor="bottom", y=1.0, x=0, traceorder="normal",
                                  title=dict(text="Ngày làm việc quá hạn:")),
                      margin=dict(l=10, r=10, t=60, b=10))
    _whole_numbers(fig.update_xaxes, int(per["n"].max() or 0), "Số việc quá hạn")
    return fig


def _whole_numbers(update_axis, top: int, title: str | None = None) -> None:
    """A count axis with whole-number ticks only (never 0,5) at a round step (1, 2, 5 × 10ⁿ), about
    five of them, and room after the longest bar for its label."""
    step = 1
    while top / step > 7:
        step *= 2.5 if str(step).startswith("2") else 2   # 1, 2, 5, 10, 20, 50, …
    update_axis(tick0=0, dtick=int(step), tickformat=",d", range=[0, max(top * 1.18, 1)], title=title)


ZERO_STUB = 1.5  # a 0 % bar's drawn length (axis %), so a zero is seen as a value and never read as N/A


def scorecard(df: pl.DataFrame, title: str) -> go.Figure:
    """Indicator values with their 95 % intervals (error bars) and targets (diamonds); each value written
    in a column right of 100 %, clear of the whiskers; a 0 % value drawn as a stub in its colour and
    written "0,0", an N/A one (nothing to count) written "N/A" in grey with no bar, and one the unit sent no
    records for written "chưa gửi" beside a stub in the weak colour (it scores 0 points)."""
    df = df.reverse()
    labels = df["label"].to_list()
    colours = [STATUS_COLOURS[status(v, t)] for v, t in zip(df["value"], df["target"])]
    value = df["value"].to_list()
    lo = [(v - a) if v is not None and a is not None else None for v, a in zip(value, df["ci_low"])]
    hi = [(b - v) if v is not None and b is not None else None for v, b in zip(value, df["ci_high"])]
    not_sent = [m == NOT_SENT for m in df["missing"]]
    text = [fmt_num(v) if v is not None else ("chưa gửi" if ns else "N/A") for v, ns in zip(value, not_sent)]
    colours = [STATUS_COLOURS["weak"] if ns else c for c, ns in zip(colours, not_sent)]
    value = [0.0 if ns else v for v, ns in zip(value, not_sent)]  # 0 points: a stub in the weak colour
    fig = go.Figure()
    fig.add_trace(go.Bar(x=[(v or ZERO_STUB) if v is not None else 0 for v in value], y=labels, orientation="h",
                         name="Giá trị", marker_color=colours, customdata=text,
                         error_x=dict(type="data", symmetric=False, array=hi, arrayminus=lo, color="#444444"),
                         hovertemplate="%{y}: %{customdata} %<extra></extra>"))
    fig.add_trace(go.Scatter(x=[VALUE_COLUMN] * len(labels), y=labels, mode="text", text=text,
                             textposition="middle right", showlegend=False, hoverinfo="skip",
                             textfont=dict(color=["#222222" if v is not None else "#888888" for v in value])))
    fig.add_trace(go.Scatter(x=df["target"].to_list(), y=labels, mode="markers", name="Chỉ tiêu",
                             marker=dict(symbol="diamond", size=10, color="#222222"),
                             hovertemplate="Chỉ tiêu: %{x:.0f} %<extra></extra>"))
    _layout(fig, height=34 * len(labels) + 120, title=title)
    fig.update_xaxes(range=[0, VALUE_COLUMN + 24], tickvals=[0, 20, 40, 60, 80, 100],
                     title="% (thanh ngang: khoảng tin cậy 95 %; số bên phải: giá trị)")
    return fig


VALUE_COLUMN = 103  # axis % where the scorecard writes each value, right of the widest bar and whisker
