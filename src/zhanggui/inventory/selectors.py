"""Reads of the inventory: stock per SKU, ledger history, safety-stock alerts, reorder plans, receipts."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import (
    Count,
    DecimalField,
    Exists,
    F,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from zhanggui.catalog.models import Product, Shop, Sku
from zhanggui.core.text import clean_line
from zhanggui.inventory.models import (
    MoveReason,
    PurchaseOrder,
    PurchaseOrderLine,
    PurchaseStatus,
    StockBalance,
    StockMove,
    Supplier,
    Warehouse,
)

DEMAND_WINDOW_DAYS = 30
REVIEW_PERIOD_DAYS = 30
DEFAULT_LEAD_TIME_DAYS = 7


def available_by_sku(sku_ids: Iterable[int]) -> dict[int, int]:
    """Available units (on hand − reserved) per SKU over all warehouses; SKUs without stock map to 0."""
    ids = list(sku_ids)
    result = dict.fromkeys(ids, 0)
    rows = (
        StockBalance.objects.filter(sku_id__in=ids)
        .values("sku_id")
        .annotate(on_hand=Sum("on_hand"), reserved=Sum("reserved"))
    )
    for row in rows:
        result[row["sku_id"]] = row["on_hand"] - row["reserved"]
    return result


def stock_totals(sku_ids: Iterable[int]) -> dict[int, tuple[int, int]]:
    """(on hand, reserved) per SKU over all warehouses."""
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


class StockState:
    """Values of the catalog's stock filter (pages and API share them, so a desk URL's query works in both)."""

    IN_STOCK = "in_stock"  # some units available
    LOW = "low"  # some SKU at or under its safety stock
    OUT = "out"  # nothing available over all SKUs and warehouses
    ALL = (IN_STOCK, LOW, OUT)


def _balance_sum(expression, **match) -> Coalesce:
    group = next(iter(match))
    rows = StockBalance.objects.filter(**match).order_by().values(group).annotate(total=Sum(expression))
    return Coalesce(Subquery(rows.values("total")[:1], output_field=IntegerField()), Value(0))


def _sku_price(aggregate) -> Subquery:
    rows = Sku.objects.filter(product=OuterRef("pk")).order_by().values("product")
    return Subquery(
        rows.annotate(v=aggregate("price")).values("v")[:1],
        output_field=DecimalField(max_digits=14, decimal_places=2),
    )


def products_with_stock(products: QuerySet[Product], stock: str | None = None) -> QuerySet[Product]:
    """Annotate products with SKU count, price range, on hand, available and a low-stock flag; optionally keep
    only one StockState.

    Correlated subqueries rather than joins: a text search already joins SKUs, and a join would multiply the
    sums. The list stays one query however many rows a page shows.
    """
    sku_count = Sku.objects.filter(product=OuterRef("pk")).order_by().values("product")
    low_skus = (
        Sku.objects.filter(product=OuterRef("pk"), safety_stock__gt=0)
        .annotate(sku_available=_balance_sum(F("on_hand") - F("reserved"), sku=OuterRef("pk")))
        .filter(sku_available__lte=F("safety_stock"))
    )
    products = products.annotate(
        sku_count=Coalesce(
            Subquery(sku_count.annotate(n=Count("pk")).values("n")[:1], output_field=IntegerField()), Value(0)
        ),
        price_min=_sku_price(Min),
        price_max=_sku_price(Max),
        on_hand=_balance_sum(F("on_hand"), sku__product=OuterRef("pk")),
        available=_balance_sum(F("on_hand") - F("reserved"), sku__product=OuterRef("pk")),
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
# Reordering: who supplies a SKU, where it is short, and the purchase orders an alert list becomes
# --------------------------------------------------------------------------------------------------------


def usual_suppliers(sku_ids: Iterable[int]) -> dict[int, Supplier]:
    """The supplier of each SKU's last purchase-order line (cancelled orders aside); a SKU never ordered is
    left out."""
    ids = list(sku_ids)
    last = (
        PurchaseOrderLine.objects.filter(sku_id=OuterRef("pk"))
        .exclude(purchase_order__status=PurchaseStatus.CANCELLED)
        .order_by("-purchase_order__created_at", "-purchase_order_id")
        .values("purchase_order__supplier_id")[:1]
    )
    rows = dict(
        Sku.objects.filter(pk__in=ids)
        .annotate(supplier_id=Subquery(last, output_field=IntegerField()))
        .values_list("pk", "supplier_id")
    )
    suppliers = Supplier.objects.in_bulk({pk for pk in rows.values() if pk is not None})
    return {sku_id: suppliers[pk] for sku_id, pk in rows.items() if pk is not None}


def default_warehouse() -> Warehouse | None:
    """The first active warehouse by priority: where a SKU with no stock history anywhere is received."""
    return Warehouse.objects.filter(is_active=True).order_by("priority", "code").first()


def short_warehouses(sku_ids: Iterable[int]) -> dict[int, Warehouse]:
    """Per SKU, the active warehouse where it is shortest: the least available among the warehouses that hold
    it (priority breaks a tie); a SKU held nowhere maps to the default warehouse (none when no warehouse is
    active)."""
    ids = list(sku_ids)
    found: dict[int, Warehouse] = {}
    balances = (
        StockBalance.objects.filter(sku_id__in=ids, warehouse__is_active=True)
        .select_related("warehouse")
        .annotate(free=F("on_hand") - F("reserved"))
        .order_by("sku_id", "free", "warehouse__priority", "warehouse__code")
    )
    for balance in balances:
        found.setdefault(balance.sku_id, balance.warehouse)
    fallback = default_warehouse() if len(found) < len(set(ids)) else None
    if fallback is not None:
        for sku_id in ids:
            found.setdefault(sku_id, fallback)
    return found


@dataclass(frozen=True)
class PlanLine:
    sku: Sku
    quantity: int

    @property
    def unit_cost(self) -> Decimal:
        return self.sku.cost


@dataclass
class PlanGroup:
    """The lines one purchase order will carry: one supplier (None: never ordered, a person chooses), one
    receiving warehouse."""

    supplier: Supplier | None
    warehouse: Warehouse
    lines: list[PlanLine] = field(default_factory=list)

    @property
    def units(self) -> int:
        return sum(line.quantity for line in self.lines)

    @property
    def value(self) -> Decimal:
        return sum((line.quantity * line.unit_cost for line in self.lines), start=Decimal("0.00"))


def reorder_plan(quantities: Mapping[int, int]) -> list[PlanGroup]:
    """SKU id → units to order, grouped into purchase orders: one per (usual supplier, warehouse where the
    SKU is short). SKUs never ordered before form groups without a supplier, listed last. SKUs that do not
    exist, and SKUs with no active warehouse to receive them, are left out."""
    skus = Sku.objects.select_related("product", "shop").in_bulk(list(quantities))
    suppliers = usual_suppliers(skus)
    warehouses = short_warehouses(skus)
    groups: dict[tuple[int | None, int], PlanGroup] = {}
    for sku in sorted(skus.values(), key=lambda s: (s.code, s.pk)):
        warehouse = warehouses.get(sku.pk)
        if warehouse is None:
            continue
        supplier = suppliers.get(sku.pk)
        key = (supplier.pk if supplier else None, warehouse.pk)
        group = groups.setdefault(key, PlanGroup(supplier=supplier, warehouse=warehouse))
        group.lines.append(PlanLine(sku=sku, quantity=quantities[sku.pk]))
    return sorted(
        groups.values(),
        key=lambda g: (
            g.supplier is None,
            g.supplier.code if g.supplier else "",
            g.warehouse.priority,
            g.warehouse.code,
        ),
    )


# --------------------------------------------------------------------------------------------------------
# Receiving: the lines a scanned code names, the receipts (入库单) of a purchase order
# --------------------------------------------------------------------------------------------------------


def line_for_code(lines: Iterable[PurchaseOrderLine], code: str) -> PurchaseOrderLine | None:
    """The purchase-order line a scanned or typed code names: the SKU's barcode or its code (商家编码)."""
    code = code.strip()
    if not code:
        return None
    lines = list(lines)
    for attribute in ("barcode", "code"):
        for line in lines:
            if getattr(line.sku, attribute) == code:
                return line
    folded = code.casefold()  # a code typed by hand in the wrong case still finds its line
    return next((line for line in lines if line.sku.code.casefold() == folded), None)


@dataclass(frozen=True)
class Receipt:
    """One delivery booked against a purchase order (入库单): the receipt moves booked together."""

    po: PurchaseOrder
    index: int  # 1 for the first delivery
    at: datetime
    actor: Any
    note: str
    moves: Sequence[StockMove]

    @property
    def number(self) -> str:
        return f"{self.po.number}-{self.index}"

    @property
    def units(self) -> int:
        return sum(move.quantity for move in self.moves)

    @property
    def value(self) -> Decimal:
        return sum((move.quantity * (move.unit_cost or Decimal(0)) for move in self.moves), start=Decimal("0.00"))


def purchase_receipts(po: PurchaseOrder) -> list[Receipt]:
    """The deliveries of a purchase order, first first. The ledger is the record: the moves of one receipt
    were booked in one call and carry one timestamp, so no second copy of the quantities is kept."""
    moves = (
        StockMove.objects.filter(document=po.number, reason=MoveReason.PURCHASE_RECEIPT)
        .select_related("sku__product", "warehouse", "actor")
        .order_by("created_at", "sku__code", "id")
    )
    batches: dict[datetime, list[StockMove]] = {}
    for move in moves:
        batches.setdefault(move.created_at, []).append(move)
    return [
        Receipt(po=po, index=n, at=at, actor=batch[0].actor, note=batch[0].note, moves=batch)
        for n, (at, batch) in enumerate(batches.items(), start=1)
    ]


# --------------------------------------------------------------------------------------------------------
# Pickers and printed documents
# --------------------------------------------------------------------------------------------------------

MAX_FOUND = 20  # SKUs one search shows: a person narrows the words rather than scrolls


def search_skus(*, q: str, limit: int = MAX_FOUND) -> list[Sku]:
    """SKUs of every shop whose code, barcode, spec, product code or title holds `q` (the catalog search the
    promotion pickers use, kept here because inventory may not import promotions). Empty finds nothing."""
    words = clean_line(q).strip()
    if not words:
        return []
    rows = Sku.objects.select_related("shop", "product").filter(
        Q(code__icontains=words)
        | Q(barcode=words)
        | Q(spec__icontains=words)
        | Q(product__code__icontains=words)
        | Q(product__title__icontains=words)
    )
    return list(rows.order_by("shop__code", "product__code", "code")[:limit])


def codes_in_several_shops(codes: Iterable[str]) -> set[str]:
    """The SKU codes used by more than one shop: a form writes them shop code/SKU code."""
    return set(
        Sku.objects.filter(code__in=set(codes))
        .values("code")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .values_list("code", flat=True)
    )


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
