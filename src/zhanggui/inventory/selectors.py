"""Reads of the stock: on hand and available per SKU, ledger history, safety-stock alerts, printed documents.

This module answers what the stock is (and what the desk, the catalog and promotions read of it); the reads
of purchasing alone (usual suppliers, reorder plans, receipts, the SKU picker) are inventory.purchasing.selectors.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from django.db.models import (
    Count,
    DecimalField,
    Exists,
    F,
    IntegerField,
    Max,
    Min,
    OuterRef,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from zhanggui.catalog.models import Product, Shop, Sku
from zhanggui.catalog.stock import StockState  # the catalog owns its filter's values
from zhanggui.inventory.models import (
    BinLocation,
    MoveReason,
    PurchaseOrderLine,
    PurchaseStatus,
    Reservation,
    ReservationStatus,
    StockBalance,
    StockMove,
    Warehouse,
)

DEMAND_WINDOW_DAYS = 30
REVIEW_PERIOD_DAYS = 30
DEFAULT_LEAD_TIME_DAYS = 7


def available_by_sku(sku_ids: Iterable[int]) -> dict[int, int]:
    """Available units (on hand − reserved) per SKU over the sellable warehouses (a 次品仓's units are never
    available); SKUs without stock map to 0. Listing sync, order review and the catalog read this figure."""
    ids = list(sku_ids)
    result = dict.fromkeys(ids, 0)
    rows = (
        StockBalance.objects.filter(sku_id__in=ids, warehouse__sellable=True)
        .values("sku_id")
        .annotate(on_hand=Sum("on_hand"), reserved=Sum("reserved"))
    )
    for row in rows:
        result[row["sku_id"]] = row["on_hand"] - row["reserved"]
    return result


def stock_totals(sku_ids: Iterable[int]) -> dict[int, tuple[int, int]]:
    """(on hand, reserved) per SKU over all warehouses, defective ones included: on hand − reserved is not what
    can be sold when a 次品仓 holds some (available_by_sku is)."""
    ids = list(sku_ids)
    result = dict.fromkeys(ids, (0, 0))
    for row in (
        StockBalance.objects.filter(sku_id__in=ids).values("sku_id").annotate(h=Sum("on_hand"), r=Sum("reserved"))
    ):
        result[row["sku_id"]] = (row["h"], row["r"])
    return result


def balances_for(sku: Sku) -> QuerySet[StockBalance]:
    return StockBalance.objects.filter(sku=sku).select_related("warehouse").order_by("warehouse__priority")


def ledger_for(sku: Sku, limit: int = 200) -> QuerySet[StockMove]:
    return StockMove.objects.filter(sku=sku).select_related("warehouse", "actor")[:limit]


def on_order_by_sku(sku_ids: Iterable[int]) -> dict[int, int]:
    """Units ordered from suppliers and not yet received."""
    ids = list(sku_ids)
    result = dict.fromkeys(ids, 0)
    for sku_id, quantity, received in PurchaseOrderLine.objects.filter(
        sku_id__in=ids, purchase_order__status__in=[PurchaseStatus.ORDERED, PurchaseStatus.PARTIAL]
    ).values_list("sku_id", "quantity", "received_quantity"):
        result[sku_id] += quantity - received
    return result


def issued_last_days(sku_ids: Iterable[int], days: int = DEMAND_WINDOW_DAYS) -> dict[int, int]:
    ids = list(sku_ids)
    since = timezone.now() - timedelta(days=days)
    result = dict.fromkeys(ids, 0)
    for row in (
        StockMove.objects.filter(sku_id__in=ids, reason=MoveReason.SALE_ISSUE, created_at__gte=since)
        .values("sku_id")
        .annotate(units=Sum("quantity"))
    ):
        result[row["sku_id"]] = -row["units"]
    return result


@dataclass(frozen=True)
class SafetyStockAlert:
    sku: Sku
    available: int
    on_order: int
    issued_30d: int
    days_of_cover: float | None  # None: nothing issued in the window, cover cannot be estimated
    suggested_reorder: int


def suggested_reorder(
    *, daily_demand: float, lead_time_days: int, safety_stock: int, available: int, on_order: int
) -> int:
    """Enough for the lead time plus one review period, plus the safety stock, minus what is there or coming.

    reorder = max(0, ceil(daily × (lead time + 30)) + safety stock − available − on order)
    """
    need = math.ceil(daily_demand * (lead_time_days + REVIEW_PERIOD_DAYS)) + safety_stock
    return max(0, need - available - on_order)


def safety_stock_alerts(
    *, shop_id: int | None = None, lead_time_days: int = DEFAULT_LEAD_TIME_DAYS
) -> list[SafetyStockAlert]:
    """SKUs whose available stock is at or under their safety stock (safety stock > 0), worst cover first."""
    skus = Sku.objects.filter(safety_stock__gt=0).select_related("product", "shop")
    if shop_id:
        skus = skus.filter(shop_id=shop_id)
    sku_list = list(skus)
    ids = [s.pk for s in sku_list]
    available = available_by_sku(ids)
    low = [s for s in sku_list if available[s.pk] <= s.safety_stock]
    low_ids = [s.pk for s in low]
    on_order = on_order_by_sku(low_ids)
    issued = issued_last_days(low_ids)
    alerts = []
    for sku in low:
        daily = issued[sku.pk] / DEMAND_WINDOW_DAYS
        cover = (available[sku.pk] / daily) if daily > 0 else None
        alerts.append(
            SafetyStockAlert(
                sku=sku,
                available=available[sku.pk],
                on_order=on_order[sku.pk],
                issued_30d=issued[sku.pk],
                days_of_cover=round(cover, 1) if cover is not None else None,
                suggested_reorder=suggested_reorder(
                    daily_demand=daily,
                    lead_time_days=lead_time_days,
                    safety_stock=sku.safety_stock,
                    available=available[sku.pk],
                    on_order=on_order[sku.pk],
                ),
            )
        )
    alerts.sort(key=lambda a: (a.days_of_cover if a.days_of_cover is not None else math.inf, a.sku.code))
    return alerts


def _balance_sum(expression, **match) -> Coalesce:
    group = next(iter(match))  # the first lookup names the row the sum is for; the others narrow the balances
    rows = StockBalance.objects.filter(**match).order_by().values(group).annotate(total=Sum(expression))
    return Coalesce(Subquery(rows.values("total")[:1], output_field=IntegerField()), Value(0))


def _sku_price(aggregate) -> Subquery:
    rows = Sku.objects.filter(product=OuterRef("pk")).order_by().values("product")
    return Subquery(
        rows.annotate(v=aggregate("price")).values("v")[:1],
        output_field=DecimalField(max_digits=14, decimal_places=2),
    )


def products_with_stock(products: QuerySet[Product], stock: str | None = None) -> QuerySet[Product]:
    """Annotate products with SKU count, price range, on hand (every warehouse), available (sellable warehouses
    only) and a low-stock flag; optionally keep only one StockState.

    Correlated subqueries rather than joins: a text search already joins SKUs, and a join would multiply the
    sums. The list stays one query however many rows a page shows.
    """
    sku_count = Sku.objects.filter(product=OuterRef("pk")).order_by().values("product")
    low_skus = (
        Sku.objects.filter(product=OuterRef("pk"), safety_stock__gt=0)
        .annotate(
            sku_available=_balance_sum(F("on_hand") - F("reserved"), sku=OuterRef("pk"), warehouse__sellable=True)
        )
        .filter(sku_available__lte=F("safety_stock"))
    )
    products = products.annotate(
        sku_count=Coalesce(
            Subquery(sku_count.annotate(n=Count("pk")).values("n")[:1], output_field=IntegerField()), Value(0)
        ),
        price_min=_sku_price(Min),
        price_max=_sku_price(Max),
        on_hand=_balance_sum(F("on_hand"), sku__product=OuterRef("pk")),
        available=_balance_sum(F("on_hand") - F("reserved"), sku__product=OuterRef("pk"), warehouse__sellable=True),
        low=Exists(low_skus),
    )
    if stock == StockState.IN_STOCK:
        products = products.filter(available__gt=0)
    elif stock == StockState.OUT:
        products = products.filter(available__lte=0)
    elif stock == StockState.LOW:
        products = products.filter(low=True)
    return products


# --------------------------------------------------------------------------------------------------------
# Printed documents
# --------------------------------------------------------------------------------------------------------


def shop_name_for(sku_ids: Iterable[int]) -> str:
    """The shop a printed document is for: the shop of its SKUs (names joined when they come from several),
    else the only active shop; empty when that says nothing."""
    names = list(
        Shop.objects.filter(skus__pk__in=list(sku_ids)).distinct().order_by("code").values_list("name", flat=True)
    )
    if not names:
        names = list(Shop.objects.filter(is_active=True).order_by("code").values_list("name", flat=True)[:2])
        names = names if len(names) == 1 else []
    return "、".join(names)


def held_units_by_reference(prefix: str) -> dict[str, dict[int, int]]:
    """Reference → warehouse id → units still held (active reservations) under the references that start with
    `prefix` ("order:"): where the units a document reserved wait to be picked."""
    rows = (
        Reservation.objects.filter(status=ReservationStatus.ACTIVE, reference__startswith=prefix)
        .values("reference", "warehouse_id")
        .annotate(units=Sum("quantity"))
    )
    held: dict[str, dict[int, int]] = {}
    for row in rows:
        held.setdefault(row["reference"], {})[row["warehouse_id"]] = row["units"]
    return held


def issued_from(reference: str) -> dict[int, int]:
    """SKU id → the warehouse that issued its units under the reference (the latest when several did): where a
    returned unit of an order goes back to (aftersales.returns)."""
    rows = (
        Reservation.objects.filter(reference=reference, status=ReservationStatus.ISSUED)
        .order_by("closed_at", "pk")
        .values_list("sku_id", "warehouse_id")
    )
    return dict(rows)


def first_sellable_warehouse() -> Warehouse | None:
    """The first active warehouse whose stock is sold, by priority then code."""
    return Warehouse.objects.filter(is_active=True, sellable=True).order_by("priority", "code").first()


def warehouse_rank() -> dict[int, int]:
    """Warehouse id → its place by priority, then code (the order reservations and waves prefer)."""
    return {pk: n for n, pk in enumerate(Warehouse.objects.order_by("priority", "code").values_list("pk", flat=True))}


# --------------------------------------------------------------------------------------------------------
# Bin locations (库位)
# --------------------------------------------------------------------------------------------------------

_DIGITS = re.compile(r"([0-9]+)")


def location_sort_key(code: str) -> tuple:
    """The walk order of location codes: runs of digits compare as numbers, so A-2-1 comes before A-10-1
    whether or not the shelves were numbered with leading zeros; the code itself breaks a tie (A-1, A-01)."""
    parts = tuple(int(part) if part.isdigit() else part for part in _DIGITS.split(code))
    return (parts, code)


def locations_for(warehouse: Warehouse | int, sku_ids: Iterable[int]) -> dict[int, str]:
    """SKU id → its location code in the warehouse; SKUs without one are not in the answer."""
    warehouse_id = warehouse if isinstance(warehouse, int) else warehouse.pk
    return dict(
        BinLocation.objects.filter(warehouse_id=warehouse_id, sku_id__in=list(sku_ids)).values_list("sku_id", "code")
    )


def with_location(balances: QuerySet[StockBalance]) -> QuerySet[StockBalance]:
    """Balances with `location_code`: the SKU's location in the balance's warehouse (None without one)."""
    code = BinLocation.objects.filter(warehouse_id=OuterRef("warehouse_id"), sku_id=OuterRef("sku_id")).values("code")[
        :1
    ]
    return balances.annotate(location_code=Subquery(code))
