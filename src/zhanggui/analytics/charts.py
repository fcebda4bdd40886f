"""The dashboard's charts, drawn by plotly in the browser from figures built here (plotly.graph_objects).

Charts are pictures of the tables under them: the money is turned into floats only to be drawn, every figure a
person reads or exports comes from the table (Decimal). plotly.min.js is served from our own address
(analytics:plotly-js), never a CDN: desks may be offline. Text is set in a CJK font family so Chinese labels
read well on Windows, macOS and Linux desks.
"""

from __future__ import annotations

from decimal import Decimal

import plotly.graph_objects as go
from django.utils.translation import gettext as _

from zhanggui.analytics.dashboard import AdRow, Dashboard, DayRow, Decomposition, FunnelStep, SkuRow, SourceRow

FONT = "PingFang SC, Hiragino Sans GB, Microsoft YaHei, Noto Sans CJK SC, Noto Sans SC, WenQuanYi Micro Hei, sans-serif"
BLUE, GREEN, RED, GREY = "#2563eb", "#16a34a", "#dc2626", "#94a3b8"


def _f(value: Decimal | int | None) -> float | None:
    return None if value is None else float(value)


def _layout(fig: go.Figure, *, height: int = 320) -> go.Figure:
    fig.update_layout(
        font={"family": FONT, "size": 13},
        height=height,
        margin={"l": 56, "r": 24, "t": 24, "b": 48},
        paper_bgcolor="rgba(0,0,0,0)",
        plot_bgcolor="rgba(0,0,0,0)",
        legend={"orientation": "h", "y": -0.2},
        separators=".,",
    )
    return fig


def html(fig: go.Figure, div_id: str) -> str:
    """The chart's <div> and the script that draws it (plotly.js itself is loaded once by the page)."""
    return fig.to_html(
        full_html=False,
        include_plotlyjs=False,
        div_id=div_id,
        config={"displaylogo": False, "responsive": True, "modeBarButtonsToRemove": ["lasso2d", "select2d"]},
    )


def trend(days: list[DayRow]) -> go.Figure:
    fig = go.Figure()
    fig.add_bar(x=[d.day.isoformat() for d in days], y=[_f(d.gmv) for d in days], name=_("GMV (¥)"), marker_color=BLUE)
    fig.add_scatter(
        x=[d.day.isoformat() for d in days],
        y=[d.orders for d in days],
        name=_("Orders"),
        yaxis="y2",
        mode="lines+markers",
        line={"color": GREEN},
    )
    fig.update_layout(
        yaxis={"title": _("GMV (¥)"), "rangemode": "tozero"},
        yaxis2={"title": _("Orders"), "overlaying": "y", "side": "right", "rangemode": "tozero", "tickformat": "d"},
    )
    return _layout(fig)


def decomposition(parts: Decomposition, before: Decimal, now: Decimal) -> go.Figure:
    labels = {"uv": _("Visitors (UV)"), "conversion": _("Conversion"), "aov": _("Average order value")}
    fig = go.Figure(
        go.Waterfall(
            x=[_("Previous period"), *(str(labels[key]) for key, _v in parts.parts), _("This period")],
            y=[_f(before), *(_f(value) for _k, value in parts.parts), _f(now)],
            measure=["absolute", "relative", "relative", "relative", "total"],
            increasing={"marker": {"color": GREEN}},
            decreasing={"marker": {"color": RED}},
            totals={"marker": {"color": BLUE}},
            connector={"line": {"color": GREY}},
        )
    )
    fig.update_layout(yaxis={"title": _("GMV (¥)")}, showlegend=False)
    return _layout(fig)


def sources(rows: list[SourceRow]) -> go.Figure:
    shown = list(reversed(rows[:12]))
    fig = go.Figure(go.Bar(x=[r.uv for r in shown], y=[r.source for r in shown], orientation="h", marker_color=BLUE))
    fig.update_layout(xaxis={"title": _("Visitors (UV)")})
    return _layout(fig, height=max(240, 32 * len(shown) + 80))


def funnel(steps: list[FunnelStep]) -> go.Figure:
    known = [s for s in steps if s.people is not None]
    fig = go.Figure(
        go.Funnel(
            y=[str(s.label) for s in known],
            x=[s.people for s in known],
            textinfo="value+percent previous",
            marker={"color": [BLUE, GREEN, "#f59e0b"][: len(known)]},
        )
    )
    return _layout(fig, height=260)


def skus(rows: list[SkuRow]) -> go.Figure:
    shown = list(reversed(rows))
    fig = go.Figure(
        go.Bar(
            x=[_f(r.gmv) for r in shown],
            y=[f"{r.code} {r.title[:14]}" for r in shown],
            orientation="h",
            marker_color=BLUE,
        )
    )
    fig.update_layout(xaxis={"title": _("Paid (¥)")})
    return _layout(fig, height=max(240, 28 * len(shown) + 80))


def ads(rows: list[AdRow]) -> go.Figure:
    names = [f"{r.channel_label} · {r.plan}" if r.plan else r.channel_label for r in rows]
    fig = go.Figure()
    fig.add_bar(x=names, y=[_f(r.spend) for r in rows], name=_("Spend (¥)"), marker_color=RED)
    fig.add_bar(x=names, y=[_f(r.gmv) for r in rows], name=_("Attributed GMV (¥)"), marker_color=GREEN)
    fig.add_scatter(
        x=names, y=[_f(r.roi) for r in rows], name=_("ROI"), yaxis="y2", mode="markers", marker={"size": 10}
    )
    fig.update_layout(
        barmode="group", yaxis={"title": "¥"}, yaxis2={"title": _("ROI"), "overlaying": "y", "side": "right"}
    )
    return _layout(fig)


def all_charts(board: Dashboard) -> dict[str, str]:
    """Each table's chart as HTML, keyed by the table (a table with nothing to draw has none)."""
    out: dict[str, str] = {}
    if any(d.orders for d in board.days):
        out["trend"] = html(trend(board.days), "chart-trend")
    if board.decomposition is not None:
        out["decomposition"] = html(
            decomposition(board.decomposition, board.comparison.previous.gmv, board.now.gmv), "chart-decomposition"
        )
    if board.sources:
        out["sources"] = html(sources(board.sources), "chart-sources")
    if board.now.uv is not None:
        out["funnel"] = html(funnel(board.funnel), "chart-funnel")
    top = board.tables["top_skus"].rows
    if top:
        out["top_skus"] = html(skus(top), "chart-top-skus")
    bottom = board.tables["bottom_skus"].rows
    if bottom:
        out["bottom_skus"] = html(skus(bottom), "chart-bottom-skus")
    if board.ad_channels:
        out["ad_channels"] = html(ads(board.ad_channels), "chart-ad-channels")
    if board.ad_plans:
        out["ad_plans"] = html(ads(board.ad_plans[:15]), "chart-ad-plans")
    return out
