"""The market's trend charts, drawn by plotly in the browser like the dashboard's (analytics.charts: plotly.js
from our own address, never a CDN). A position or rank is drawn on a reversed axis (1 at the top); a day the
item was not found is a gap in its line."""

from __future__ import annotations

import plotly.graph_objects as go
from django.utils.translation import gettext as _

from zhanggui.analytics.charts import FONT, html
from zhanggui.market.board import Board
from zhanggui.market.ranks import Series

PALETTE = ["#2563eb", "#16a34a", "#dc2626", "#9333ea", "#ea580c", "#0891b2", "#ca8a04", "#db2777", "#4b5563", "#65a30d"]


def _layout(fig: go.Figure, title: str, height: int = 320) -> go.Figure:
    fig.update_layout(
        font={"family": FONT, "size": 12},
        height=height,
        margin={"l": 48, "r": 16, "t": 16, "b": 40},
        paper_bgcolor="rgba(0,0,0,0)",
        plot_bgcolor="rgba(0,0,0,0)",
        legend={"orientation": "h", "y": -0.25},
        yaxis={"title": title, "autorange": "reversed", "tickformat": "d", "rangemode": "tozero"},
    )
    return fig


def rank_chart(series: list[Series], div_id: str) -> str:
    """One keyword's series: ours solid, competitors' dotted."""
    fig = go.Figure()
    for n, s in enumerate(series):
        fig.add_scatter(
            x=[p.day.isoformat() for p in s.points],
            y=[p.position for p in s.points],
            name=f"{s.label} ({s.device})",
            mode="lines+markers",
            connectgaps=False,
            line={"color": PALETTE[n % len(PALETTE)], "dash": "solid" if s.ours else "dot"},
        )
    return html(_layout(fig, _("Search position")), div_id)


def board_chart(board: Board, div_id: str) -> str:
    fig = go.Figure()
    for n, item in enumerate(board.items):
        fig.add_scatter(
            x=[d.isoformat() for d, _r in item.ranks],
            y=[r for _d, r in item.ranks],
            name=f"{item.row.rank}. {item.row.title[:16] or item.row.item_id}",
            mode="lines+markers",
            connectgaps=False,
            line={"color": PALETTE[n % len(PALETTE)]},
        )
    return html(_layout(fig, _("Rank"), height=380), div_id)


def review_rate_chart(series: list, div_id: str) -> str:
    """Each item's review rate (reviews ÷ orders, in %) by week; a week without orders is a gap."""
    fig = go.Figure()
    for n, s in enumerate(series):
        fig.add_scatter(
            x=[w.week.isoformat() for w in s.weeks],
            y=[float(w.rate * 100) if w.rate is not None else None for w in s.weeks],  # drawing only
            name=s.label,
            mode="lines+markers",
            connectgaps=False,
            line={"color": PALETTE[n % len(PALETTE)]},
        )
    _layout(fig, _("Review rate (%)"))
    fig.update_yaxes(autorange=True, tickformat=".1f")
    return html(fig, div_id)
