"""Reads of flash sales: lists by derived status, purchases, and the check that the counters add up."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q, QuerySet, Sum
from django.utils import timezone

from zhanggui.promotions.models import (
    FlashPurchaseStatus,
    FlashSale,
    FlashSaleBuyer,
    FlashSalePurchase,
    FlashSaleStatus,
)

TAKEN = [FlashPurchaseStatus.HELD, FlashPurchaseStatus.ISSUED]  # purchases that use cap and allowance


def status_q(status: str, at: datetime) -> Q:
    """The rows whose derived status (FlashSale.status_at) is `status` at that moment, as a database filter."""
    not_over = Q(ends_at__gt=at)
    return {
        FlashSaleStatus.ENDED: Q(ends_at__lte=at),
        FlashSaleStatus.DRAFT: not_over & Q(is_active=False),
        FlashSaleStatus.SCHEDULED: not_over & Q(is_active=True, starts_at__gt=at),
        FlashSaleStatus.RUNNING: not_over & Q(is_active=True, starts_at__lte=at),
    }[FlashSaleStatus(status)]


def flash_sales(
    *,
    shop_id: int | None = None,
    sku_id: int | None = None,
    status: str | None = None,
    at: datetime | None = None,
) -> QuerySet[FlashSale]:
    """Flash sales, latest start first, with shop, SKU and promotion loaded (the list shows them)."""
    sales = FlashSale.objects.select_related("shop", "sku", "promotion")
    if shop_id is not None:
        sales = sales.filter(shop_id=shop_id)
    if sku_id is not None:
        sales = sales.filter(sku_id=sku_id)
    if status:
        sales = sales.filter(status_q(status, at or timezone.now()))
    return sales


def purchases_of(flash_sale: FlashSale, *, buyer_ref: str | None = None) -> QuerySet[FlashSalePurchase]:
    purchases = FlashSalePurchase.objects.filter(flash_sale=flash_sale).order_by("created_at", "id")
    if buyer_ref is not None:
        purchases = purchases.filter(buyer_ref=buyer_ref)
    return purchases


def bought_by(flash_sale: FlashSale, buyer_ref: str) -> int:
    """Units the buyer holds or has received in this sale (what counts against the per-buyer cap)."""
    row = FlashSaleBuyer.objects.filter(flash_sale=flash_sale, buyer_ref=buyer_ref).values_list("quantity", flat=True)
    return row.first() or 0


def flash_sale_drift(flash_sale: FlashSale) -> list[str]:
    """Compare the sale's counters with its purchases; [] means sold and every buyer's count add up."""
    sale = FlashSale.objects.get(pk=flash_sale.pk)
    taken = FlashSalePurchase.objects.filter(flash_sale=sale, status__in=TAKEN)
    drift: list[str] = []
    total = taken.aggregate(n=Sum("quantity"))["n"] or 0
    if sale.sold != total:
        drift.append(f"sold {sale.sold} != purchases {total}")
    if sale.sold > sale.stock_cap:
        drift.append(f"sold {sale.sold} > stock cap {sale.stock_cap}")
    per_buyer = dict(taken.values("buyer_ref").annotate(n=Sum("quantity")).values_list("buyer_ref", "n"))
    counters = dict(FlashSaleBuyer.objects.filter(flash_sale=sale).values_list("buyer_ref", "quantity"))
    for buyer_ref in sorted(set(per_buyer) | set(counters)):
        counted, bought = counters.get(buyer_ref, 0), per_buyer.get(buyer_ref, 0)
        if counted != bought:
            drift.append(f"{buyer_ref}: counter {counted} != purchases {bought}")
        if counted > sale.per_buyer_cap:
            drift.append(f"{buyer_ref}: {counted} > per-buyer cap {sale.per_buyer_cap}")
    return drift
