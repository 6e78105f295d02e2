"""Plotly figures for the pages: Vietnamese separators (1.234,5), dd/mm/yyyy dates, one palette."""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from schemas.admin_unit import REFORM_DATE
from dashboard.chrome import GOOD, NA_COLOUR, SCORE_SCALE, SERIES, STATUS_COLOURS, WATCH, WEAK, status
from dashboard.formatting import fmt_num
from schemas.catalog import STATUS_LABELS


def _layout(fig: go.Figure, height: int = 380, **kw) -> go.Figure:
    fig.update_layout(separators=",.", height=height, margin=dict(l=10, r=10, t=40, b=10),
                      font=dict(family="Inter, Arial, sans-serif", size=13), plot_bgcolor="white",
                      legend=dict(orientation="h", yanchor="top", y=-0.12, x=0), **kw)
    fig.update_xaxes(gridcolor="#EEEEEE")
    fig.update_yaxes(gridcolor="#EEEEEE")
    return fig


def ranking_bar(df: pl.DataFrame, title: str) -> go.Figure:
    """Horizontal bars of composite score (best on top), coloured by good/watch/weak against ``target``."""
    df = df.sort("value", descending=False, nulls_last=False)
    colours = dict(color=df["value"].fill_null(0).to_list(), colorscale=SCORE_SCALE, cmin=50, cmax=100)
    text = [fmt_num(v) if v is not None else "N/A" for v in df["value"]]
    fig = go.Figure(go.Bar(x=df["value"].fill_null(0).to_list(), y=df["unit_name"].to_list(), orientation="h",
                           marker=colours, text=text, textposition="outside", cliponaxis=False,
                           hovertemplate="%{y}: %{text} điểm<extra></extra>"))
    _layout(fig, height=max(300, 24 * len(df) + 80), title=title)
    fig.update_xaxes(range=[0, 110], title="Điểm tổng hợp (0–100)")
    return fig


def commune_map(df: pl.DataFrame, title: str) -> go.Figure:
    """Communes on their coordinates (no map tiles), coloured by composite score; N/A in grey."""
    df = df.filter(pl.col("latitude").is_not_null())
    has = df.filter(pl.col("value").is_not_null())
    none = df.filter(pl.col("value").is_null())
    fig = go.Figure()
    fig.add_trace(go.Scatter(
        x=none["longitude"].to_list(), y=none["latitude"].to_list(), mode="markers", name="Không có dữ liệu",
        marker=dict(color=NA_COLOUR, size=6, symbol="circle-open"), text=none["unit_name"].to_list(),
        hovertemplate="%{text}: chưa có dữ liệu<extra></extra>"))
    fig.add_trace(go.Scatter(
        x=has["longitude"].to_list(), y=has["latitude"].to_list(), mode="markers", name="Điểm tổng hợp",
        marker=dict(color=has["value"].to_list(), colorscale=SCORE_SCALE, cmin=50, cmax=100, size=11,
                    line=dict(color="#555555", width=0.6),
                    colorbar=dict(title="Điểm", thickness=12, len=0.8)),
        text=[f"{n} ({d})" for n, d in zip(has["unit_name"], has["district_name"])],
        customdata=[fmt_num(v) for v in has["value"]],
        hovertemplate="%{text}<br>Điểm tổng hợp: %{customdata}<extra></extra>"))
    _layout(fig, height=520, title=title)
    fig.update_layout(legend=dict(orientation="h", yanchor="top", y=-0.02, x=0))
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False, scaleanchor="x", scaleratio=1.06)
    return fig


def trend_lines(df: pl.DataFrame, title: str, x: str = "period_start", tickformat: str = "%m/%Y",
                reform_note: bool = False) -> go.Figure:
    """One line per indicator label over time (value in %).

    ``reform_note`` marks 01/07/2025 on a series shown in the 2025 structure that starts earlier:
    the points before it are the sums of the legacy communes merged into each new one.
    """
    fig = go.Figure()
    for i, (label, part) in enumerate(df.sort(x).group_by("label", maintain_order=True)):
        fig.add_trace(go.Scatter(
            x=part[x].to_list(), y=part["value"].to_list(), name=label[0], mode="lines+markers",
            line=dict(color=SERIES[i % len(SERIES)], width=2), connectgaps=False,
            hovertemplate="%{x|%d/%m/%Y}: %{y:.1f} %<extra>" + label[0] + "</extra>"))
    _layout(fig, height=360, title=title)
    fig.update_yaxes(title="%", range=[0, 105])
    fig.update_xaxes(tickformat=tickformat)
    if reform_note:
        fig.add_vline(x=REFORM_DATE.isoformat(), line=dict(color="#666666", dash="dot", width=1))
        fig.add_annotation(x=REFORM_DATE.isoformat(), y=1.0, yref="paper", xanchor="right", yanchor="bottom",
                           showarrow=False, text="Trước 01/07/2025: số liệu cộng của các xã cũ hợp thành ",
                           font=dict(size=11, color="#444444"))
    return fig


def heatmap(df: pl.DataFrame, units: list[str], labels: list[str]) -> go.Figure:
    """Units x indicators; colour = good/watch/weak against target; N/A grey with the text 'N/A'."""
    code = {"good": 2, "watch": 1, "weak": 0, "na": 3}
    lookup = {(u, lab): (v, t) for u, lab, v, t in df.select("unit_name", "label", "value", "target").iter_rows()}
    z, text = [], []
    for u in units:
        row_z, row_t = [], []
        for lab in labels:
            v, t = lookup.get((u, lab), (None, None))
            row_z.append(code[status(v, t)])
            row_t.append(fmt_num(v) if v is not None else "N/A")
        z.append(row_z)
        text.append(row_t)
    scale = [[0, WEAK], [0.25, WEAK], [0.25, WATCH], [0.5, WATCH], [0.5, GOOD], [0.75, GOOD],
             [0.75, NA_COLOUR], [1, NA_COLOUR]]
    fig = go.Figure(go.Heatmap(z=z, x=labels, y=units, text=text, texttemplate="%{text}", zmin=-0.5, zmax=3.5,
                               colorscale=scale, xgap=2, ygap=2, hovertemplate="%{y}<br>%{x}: %{text}<extra></extra>",
                               colorbar=dict(tickvals=[0, 1, 2, 3], ticktext=[STATUS_LABELS[k].split(" (")[0]
                                                                              for k in ("weak", "watch", "good", "na")],
                                             thickness=12)))
    _layout(fig, height=max(320, 30 * len(units) + 160))
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
    if horizontal:
        fig.update_yaxes(autorange="reversed")
    return fig


def stacked_bars(df: pl.DataFrame, x: str, stack: str, y: str, title: str, order: list[str],
                 colours: list[str]) -> go.Figure:
    fig = go.Figure()
    for s, colour in zip(order, colours):
        part = df.filter(pl.col(stack) == s)
        fig.add_trace(go.Bar(x=part[x].to_list(), y=part[y].to_list(), name=s, marker_color=colour,
                             hovertemplate="%{x}: %{y}<extra>" + s + "</extra>"))
    _layout(fig, height=420, title=title, barmode="stack")
    fig.update_xaxes(tickangle=-30)
    # Legend below the slanted commune names, not over them.
    fig.update_layout(legend=dict(orientation="h", yanchor="top", y=-0.42, x=0), margin=dict(l=10, r=10, t=40, b=120))
    return fig


def scorecard(df: pl.DataFrame, title: str) -> go.Figure:
    """Indicator values with their 95 % intervals (error bars) and targets (diamonds)."""
    df = df.reverse()
    labels = df["label"].to_list()
    colours = [STATUS_COLOURS[status(v, t)] for v, t in zip(df["value"], df["target"])]
    value = df["value"].to_list()
    lo = [(v - a) if v is not None and a is not None else None for v, a in zip(value, df["ci_low"])]
    hi = [(b - v) if v is not None and b is not None else None for v, b in zip(value, df["ci_high"])]
    text = [fmt_num(v) if v is not None else "N/A" for v in value]
    fig = go.Figure()
    fig.add_trace(go.Bar(x=[v if v is not None else 0 for v in value], y=labels, orientation="h", name="Giá trị",
                         marker_color=colours, text=text, textposition="inside", insidetextanchor="start",
                         error_x=dict(type="data", symmetric=False, array=hi, arrayminus=lo, color="#444444"),
                         hovertemplate="%{y}: %{text} %<extra></extra>"))
    fig.add_trace(go.Scatter(x=df["target"].to_list(), y=labels, mode="markers", name="Chỉ tiêu",
                             marker=dict(symbol="diamond", size=10, color="#222222"),
                             hovertemplate="Chỉ tiêu: %{x:.0f} %<extra></extra>"))
    _layout(fig, height=34 * len(labels) + 120, title=title)
    fig.update_xaxes(range=[0, 105], title="% (thanh ngang: khoảng tin cậy 95 %)")
    return fig
