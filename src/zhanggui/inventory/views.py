from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from zhanggui.inventory import selectors
from zhanggui.inventory.models import PurchaseOrder, StockBalance, Stocktake


@login_required
def stock_list(request: HttpRequest) -> HttpResponse:
    balances = StockBalance.objects.select_related("sku", "warehouse").order_by(
        "sku__code", "warehouse__priority"
    )
    page = Paginator(balances, 100).get_page(request.GET.get("page"))
    return render(request, "inventory/stock_list.html", {"page": page})


@login_required
def purchase_list(request: HttpRequest) -> HttpResponse:
    orders = PurchaseOrder.objects.select_related("supplier", "warehouse")
    page = Paginator(orders, 50).get_page(request.GET.get("page"))
    return render(request, "inventory/purchase_list.html", {"page": page})


@login_required
def purchase_detail(request: HttpRequest, pk: int) -> HttpResponse:
    po = get_object_or_404(PurchaseOrder.objects.select_related("supplier", "warehouse"), pk=pk)
    return render(
        request, "inventory/purchase_detail.html", {"po": po, "lines": po.lines.select_related("sku")}
    )


@login_required
def stocktake_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "inventory/stocktake_list.html",
        {"stocktakes": Stocktake.objects.select_related("warehouse")[:100]},
    )


@login_required
def stocktake_detail(request: HttpRequest, pk: int) -> HttpResponse:
    take = get_object_or_404(Stocktake, pk=pk)
    return render(
        request, "inventory/stocktake_detail.html", {"take": take, "lines": take.lines.select_related("sku")}
    )


@login_required
def alert_list(request: HttpRequest) -> HttpResponse:
    return render(request, "inventory/alert_list.html", {"alerts": selectors.safety_stock_alerts()})
