"""Reads of purchasing: who supplies a SKU, where it is short, the purchase orders an alert list becomes, the
line a scanned code names, the receipts (入库单) of a purchase order, and the purchase form's SKU picker.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, IntegerField, OuterRef, Q, Subquery

from zhanggui.catalog.models import Sku
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
    """The first active sellable warehouse by priority: where a SKU with no stock history anywhere is received."""
    return Warehouse.objects.filter(is_active=True, sellable=True).order_by("priority", "code").first()


def short_warehouses(sku_ids: Iterable[int]) -> dict[int, Warehouse]:
    """Per SKU, the active sellable warehouse where it is shortest (a 次品仓 is never restocked): the least
    available among the warehouses that hold it (priority breaks a tie); a SKU held nowhere maps to the default
    warehouse (none when no warehouse is active)."""
    ids = list(sku_ids)
    found: dict[int, Warehouse] = {}
    balances = (
        StockBalance.objects.filter(sku_id__in=ids, warehouse__is_active=True, warehouse__sellable=True)
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
# The SKU picker of the purchase-order form
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
