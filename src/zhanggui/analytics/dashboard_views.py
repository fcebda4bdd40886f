"""The store dashboard (/analytics/dashboard/), the SKU profit and loss page (/analytics/pnl/), the shop costs
and targets page (/analytics/costs/) and plotly.js served from our own address. Every role reads; the 店长 sets
costs and targets. Every table downloads as XLSX (?export=<table>)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_POST

from zhanggui.aftersales.reports.selectors import Table
from zhanggui.analytics import charts, costs, items, metrics, pnl
from zhanggui.analytics import dashboard as board_selectors
from zhanggui.analytics.dashboard_forms import CostsForm, RangeForm, TargetForm
from zhanggui.analytics.models import MonthlyTarget
from zhanggui.catalog.models import Shop
from zhanggui.core import edges, roles
from zhanggui.core.listing import export_response
from zhanggui.core.money import fmt_money

#: Rows a table shows on the page; the rest are in its XLSX (the total row counts them).
PAGE_ROWS = 30


def cell(kind: str, value: Any) -> str:
    """A cell as the page writes it: ¥1,299.00, 12.34 %, 2.50, 1,234, 2026-06-18, or — for nothing."""
    if value is None or value == "":
        return "—" if kind != "text" else ""
    if kind == "money" and isinstance(value, Decimal):
        return fmt_money(value)
    if kind == "fraction" and isinstance(value, Decimal):
        return f"{(value * 100).quantize(Decimal('0.01'))} %"
    if kind == "int" and isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _screen(table: Table, limit: int = PAGE_ROWS) -> dict[str, Any]:
    def cells(row: Any) -> list[tuple[bool, str]]:
        return [
            (c.numeric, cell(getattr(row, "kind", "text") if c.kind == "by_row" else c.kind, c.value(row)))
            for c in table.columns
        ]

    return {
        "table": table,
        "rows": [cells(row) for row in table.rows[:limit]],
        "more": max(0, len(table.rows) - limit),
        "total": cells(table.total) if table.total is not None else None,
    }


def _export(table: Table) -> HttpResponseBase:
    return export_response(table.spec(), table.export_rows(), "xlsx")


def _picker(request: HttpRequest) -> tuple[RangeForm, dict[int, metrics.ShopInfo]]:
    shops = metrics.shops_with_costs()
    form = RangeForm(request.GET or None, shops=[info.shop for info in shops.values()], today=timezone.localdate())
    return form, shops


def _query(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("export", None)
    return params.urlencode()


@login_required
def dashboard(request: HttpRequest) -> HttpResponseBase:
    form, shops = _picker(request)
    shop, first, last, kind = form.chosen()
    board = board_selectors.build(shop=shop, first=first, last=last, all_shops=shops)
    export = request.GET.get("export", "")
    if export:
        if export not in board.tables:
            raise Http404
        return _export(board.tables[export])
    drawn = charts.all_charts(board)
    sections = [
        {"key": key, "chart": drawn.get(key), **_screen(table)}
        for key, table in board.tables.items()
        if key not in {"figures", "decomposition"}
    ]
    figure_rows = board_selectors.figure_rows(board.comparison)
    context = {
        "form": form,
        "board": board,
        "now": board.now,
        "kind": kind,
        "cards": [
            {
                "key": row.key,
                "label": row.label,
                "value": cell(row.kind, row.now),
                "vs_previous": row.vs_previous,
                "vs_last_year": row.vs_last_year,
                "inverse": row.key in {"refunds", "refund_rate", "bounce_rate", "ad_spend", "cpc", "cogs"},
            }
            for row in figure_rows
        ],
        "figures": _screen(board.tables["figures"], limit=len(figure_rows)),
        "decomposition": board.decomposition,
        "decomposition_chart": drawn.get("decomposition"),
        "decomposition_rows": _decomposition_rows(board.decomposition),
        "sections": sections,
        "query": _query(request),
    }
    return render(request, "analytics/dashboard.html", context)


def _decomposition_rows(parts: board_selectors.Decomposition | None) -> list[dict[str, Any]]:
    if parts is None:
        return []
    labels = {"uv": _("Visitors (UV)"), "conversion": _("Conversion"), "aov": _("Average order value")}
    return [
        {
            "key": key,
            "label": labels[key],
            "amount": fmt_money(value, signed=True),
            "share": metrics.ratio(value, parts.change) if parts.change else None,
            "main": key == parts.main,
        }
        for key, value in parts.parts
    ]


@login_required
def sku_pnl(request: HttpRequest) -> HttpResponseBase:
    form, shops = _picker(request)
    shop, first, last, _kind = form.chosen()
    chosen = {shop.pk: shops[shop.pk]} if shop is not None else shops
    table = pnl.table(shop=shop, first=first, last=last, shops=chosen)
    sort = request.GET.get("sort", "profit")
    column = next((c for c in table.columns if c.key == sort.lstrip("-")), None)
    if column is not None:
        skus = [r for r in table.rows if r.sku_id is not None]
        other = [r for r in table.rows if r.sku_id is None]

        def key(row: Any) -> Any:
            value = column.value(row)
            return (value is None, value if value is not None else 0)

        table.rows = sorted(skus, key=key, reverse=sort.startswith("-")) + other
    if request.GET.get("export"):
        return _export(table)
    screen = _screen(table, limit=len(table.rows))
    params = request.GET.copy()
    params.pop("sort", None)
    params.pop("export", None)
    headers = [
        {
            "label": c.label,
            "numeric": c.numeric,
            "key": c.key,
            "next": f"-{c.key}" if sort == c.key else c.key,
            "direction": "asc" if sort == c.key else "desc" if sort == f"-{c.key}" else "",
        }
        for c in table.columns
    ]
    context = {
        "form": form,
        "first": first,
        "last": last,
        "shop": shop,
        "t": screen,
        "headers": headers,
        "lines": [
            {"cells": cells, "loss": row.loss, "code": row.code if row.sku_id is not None else ""}
            for cells, row in zip(screen["rows"], table.rows, strict=True)
        ],
        "loss_count": sum(1 for row in table.rows if row.loss and row.sku_id is not None),
        "query": _query(request),
        "base_query": params.urlencode(),
    }
    return render(request, "analytics/pnl.html", context)


@login_required
def items_page(request: HttpRequest) -> HttpResponseBase:
    """Traffic by item (analytics.items) for the period; `?export=xlsx` downloads it whole."""
    form, _shops = _picker(request)
    shop, first, last, _kind = form.chosen()
    found = items.table(shop=shop, first=first, last=last)
    if request.GET.get("export"):
        return _export(found)
    context = {"form": form, "first": first, "last": last, "shop": shop, "t": _screen(found), "query": _query(request)}
    return render(request, "analytics/items.html", context)


# --------------------------------------------------------------------------------------------------------
# Costs and targets
# --------------------------------------------------------------------------------------------------------


def _costs_page(request: HttpRequest, status: int = 200, **bound: Any) -> HttpResponse:
    shops = list(Shop.objects.order_by("code"))
    rows = []
    for shop in shops:
        found = costs.costs_for(shop)
        form = bound.get(f"costs-{shop.pk}") or CostsForm(
            prefix=f"s{shop.pk}",
            initial={
                "commission_percent": (found.commission_rate * 100).quantize(Decimal("0.01")),
                "shipping_per_parcel": found.shipping_per_parcel,
            },
        )
        rows.append({"shop": shop, "form": form, "costs": found})
    context = {
        "rows": rows,
        "target_form": bound.get("target") or TargetForm(initial={"month": timezone.localdate().replace(day=1)}),
        "target_shop": bound.get("target_shop"),
        "shops": shops,
        "targets": MonthlyTarget.objects.select_related("shop").order_by("-month", "shop__code")[:36],
        "may_edit": roles.holds(request.user, costs.SET_COSTS),
    }
    return render(request, "analytics/costs.html", context, status=status)


@login_required
def costs_page(request: HttpRequest) -> HttpResponse:
    return _costs_page(request)


@login_required
@edges.guarded
@require_POST
def costs_save(request: HttpRequest, pk: int) -> HttpResponse:
    edges.require(request, costs.SET_COSTS)
    shop = Shop.objects.filter(pk=pk).first()
    if shop is None:
        raise Http404
    form = CostsForm(request.POST, prefix=f"s{shop.pk}")
    if not form.is_valid():
        return _costs_page(request, status=edges.FORM_ERROR, **{f"costs-{shop.pk}": form})
    costs.set_costs(
        actor=request.user,
        shop=shop,
        commission_rate=form.commission_rate,
        shipping_per_parcel=form.cleaned_data["shipping_per_parcel"],
    )
    messages.success(request, _("Costs of %(shop)s saved.") % {"shop": shop.name})
    return redirect(reverse("analytics:costs"))


@login_required
@edges.guarded
@require_POST
def target_save(request: HttpRequest) -> HttpResponse:
    edges.require(request, costs.SET_COSTS)
    shop = Shop.objects.filter(code=request.POST.get("shop_code", "")).first()
    form = TargetForm(request.POST)
    if shop is None or not form.is_valid():
        if shop is None:
            form.is_valid()
            form.add_error(None, _("Choose a shop."))
        return _costs_page(request, status=edges.FORM_ERROR, target=form, target_shop=request.POST.get("shop_code", ""))
    costs.set_target(
        actor=request.user,
        shop=shop,
        month=form.cleaned_data["month"],
        gmv_target=form.cleaned_data["gmv_target"],
    )
    messages.success(request, _("Target saved."))
    return redirect(reverse("analytics:costs"))


# --------------------------------------------------------------------------------------------------------
# plotly.js, from our own address
# --------------------------------------------------------------------------------------------------------


def plotly_path() -> Path:
    """plotly.min.js as the installed plotly package ships it (the same version that builds the figures)."""
    import plotly

    return Path(plotly.__file__).parent / "package_data" / "plotly.min.js"


@cache_control(public=True, max_age=7 * 24 * 3600)
def plotly_js(request: HttpRequest) -> FileResponse:
    path = plotly_path()
    if not path.exists():
        raise Http404
    return FileResponse(path.open("rb"), content_type="text/javascript; charset=utf-8")
