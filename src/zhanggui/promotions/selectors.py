"""Reads of promotions: stored promotions (running now, the calendar, export, history) and flash sales (lists by
derived status, purchases, and the check that the counters add up)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet, Sum
from django.utils import timezone

from zhanggui.catalog.models import Shop
from zhanggui.core.models import AuditEntry
from zhanggui.promotions import spec
from zhanggui.promotions.models import (
    FlashPurchaseStatus,
    FlashSale,
    FlashSaleBuyer,
    FlashSalePurchase,
    FlashSaleStatus,
    Promotion,
    PromotionState,
    PromotionStatus,
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


# --------------------------------------------------------------------------------------------------------
# Stored promotions
# --------------------------------------------------------------------------------------------------------


def promotion_status_q(status: str, at: datetime) -> Q:
    """The rows whose derived status (Promotion.status_at) is `status` at that moment, as a database filter."""
    approved = Q(state=PromotionState.APPROVED)
    return {
        PromotionStatus.DRAFT: Q(state=PromotionState.DRAFT),
        PromotionStatus.PENDING_APPROVAL: Q(state=PromotionState.SUBMITTED),
        PromotionStatus.CANCELLED: Q(state=PromotionState.CANCELLED),
        PromotionStatus.SCHEDULED: approved & Q(starts_at__gt=at),
        PromotionStatus.RUNNING: approved & Q(starts_at__lte=at, ends_at__gt=at),
        PromotionStatus.ENDED: approved & Q(ends_at__lte=at),
    }[PromotionStatus(status)]


def _for_shop(shop: Shop | None) -> Q:
    """A shop sees its own promotions and the all-shops ones; no shop means the all-shops ones only."""
    return Q(shop__isnull=True) | Q(shop=shop) if shop is not None else Q(shop__isnull=True)


def promotions(
    *,
    shop: Shop | None = None,
    status: str | None = None,
    kind: str | None = None,
    starts_before: datetime | None = None,
    ends_after: datetime | None = None,
    at: datetime | None = None,
) -> QuerySet[Promotion]:
    """Stored promotions in calendar order; with both bounds, those whose window overlaps them.

    `shop` narrows to that shop's rows and the all-shops ones; without it every row is listed.
    """
    rows = Promotion.objects.select_related("shop", "created_by", "approved_by")
    if shop is not None:
        rows = rows.filter(_for_shop(shop))
    if status:
        rows = rows.filter(promotion_status_q(status, at or timezone.now()))
    if kind:
        rows = rows.filter(kind=kind)
    if starts_before is not None:
        rows = rows.filter(starts_at__lt=starts_before)
    if ends_after is not None:
        rows = rows.filter(ends_at__gt=ends_after)
    return rows


def calendar(
    *, start: datetime, end: datetime, shop: Shop | None = None, cancelled: bool = False
) -> QuerySet[Promotion]:
    """Promotions whose window [starts_at, ends_at) overlaps [start, end), cancelled ones left out unless asked."""
    rows = promotions(shop=shop, starts_before=end, ends_after=start)
    return rows if cancelled else rows.exclude(state=PromotionState.CANCELLED)


# (row id, updated_at) → parsed spec: a row's spec only changes with its updated_at, and parsing is the
# costly part of reading the running promotions for each quote.
_PARSED: dict[tuple[int, datetime], spec.Promotion] = {}
_PARSED_MAX = 2_000


def _parsed(row_id: int, updated_at: datetime, raw: dict[str, Any]) -> spec.Promotion:
    key = (row_id, updated_at)
    parsed = _PARSED.get(key)
    if parsed is None:
        if len(_PARSED) >= _PARSED_MAX:
            _PARSED.clear()
        parsed = _PARSED[key] = spec.parse_promotion(raw, f"promotion #{row_id}")
    return parsed


def running_promotions(shop: Shop | None = None, at: datetime | None = None) -> list[spec.Promotion]:
    """The approved promotions whose window contains `at` (default now), parsed for the engine.

    With a shop: that shop's and the all-shops ones; without: the all-shops ones only (codes are unique
    within what one quote sees, so the engine's ids never clash).
    """
    at = at or timezone.now()
    rows = (
        Promotion.objects.filter(_for_shop(shop), state=PromotionState.APPROVED, starts_at__lte=at, ends_at__gt=at)
        .order_by("code", "id")
        .values_list("id", "updated_at", "spec")
    )
    return [_parsed(row_id, updated_at, raw) for row_id, updated_at, raw in rows]


def export_promotions(*, shop: Shop | None = None) -> list[dict[str, Any]]:
    """The specs of a shop's promotions (or the all-shops ones), cancelled ones left out, in calendar order:
    the file `zhanggui import-promotions` reads back unchanged."""
    rows = Promotion.objects.filter(shop=shop).exclude(state=PromotionState.CANCELLED).order_by("starts_at", "code")
    return [row.spec for row in rows]


def promotion_history(promotion: Promotion) -> QuerySet[AuditEntry]:
    """The audit rows of one promotion, oldest first."""
    return (
        AuditEntry.objects.filter(object_type=Promotion._meta.label_lower, object_id=str(promotion.pk))
        .select_related("actor")
        .order_by("at", "id")
    )
