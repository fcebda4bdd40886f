from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from zhanggui.catalog import selectors
from zhanggui.catalog.models import Product, Sku
from zhanggui.core.selectors import audit_for
from zhanggui.inventory import selectors as stock_selectors


@login_required
def product_list(request: HttpRequest) -> HttpResponse:
    products = selectors.products_for_list(q=request.GET.get("q", "").strip())
    page = Paginator(products, 50).get_page(request.GET.get("page"))
    return render(request, "catalog/product_list.html", {"page": page})


@login_required
def product_detail(request: HttpRequest, pk: int) -> HttpResponse:
    product = get_object_or_404(Product.objects.select_related("shop", "category"), pk=pk)
    skus = list(product.skus.all())
    totals = stock_selectors.stock_totals(s.pk for s in skus)
    rows = [(sku, *totals[sku.pk]) for sku in skus]
    return render(
        request,
        "catalog/product_detail.html",
        {"product": product, "rows": rows, "audit": audit_for(product)[:50]},
    )


@login_required
def sku_detail(request: HttpRequest, pk: int) -> HttpResponse:
    sku = get_object_or_404(Sku.objects.select_related("product", "shop"), pk=pk)
    balances = list(stock_selectors.balances_for(sku))
    context = {
        "sku": sku,
        "balances": balances,
        "on_hand": sum(b.on_hand for b in balances),
        "available": sum(b.available for b in balances),
        "moves": stock_selectors.ledger_for(sku),
        "audit": audit_for(sku)[:50],
    }
    return render(request, "catalog/sku_detail.html", context)
