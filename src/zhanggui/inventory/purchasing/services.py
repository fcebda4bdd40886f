"""Writes of purchasing: suppliers, purchase orders from draft to closed, receiving and supplier returns.

This module decides a purchase order's rules: its lines (positive, once per SKU, within the limits), its
status changes (PurchaseOrder.ALLOWED_TRANSITIONS), what may be received (never more than is open:
OverReceipt) or returned (never more than was received), and how "order all suggested" becomes one order per
supplier and receiving warehouse. Stock itself moves only through inventory.services.apply_moves, with the
limits checked by the same functions the ledger uses.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from zhanggui.catalog.models import Sku
from zhanggui.core import roles
from zhanggui.core.services import record_audit
from zhanggui.inventory.errors import InvalidState, OverReceipt, StockRuleBroken
from zhanggui.inventory.models import (
    MoveReason,
    PurchaseOrder,
    PurchaseOrderLine,
    PurchaseStatus,
    StockMove,
    Supplier,
    Warehouse,
)
from zhanggui.inventory.purchasing import selectors
from zhanggui.inventory.services import (
    MoveSpec,
    apply_moves,
    check_document_amount,
    check_document_quantity,
    check_line_amount,
    check_line_quantity,
    check_unit_cost,
    provisional_number,
    require_skus,
    sku_code,
)


def create_supplier(
    *, actor: Any, code: str, name: str, contact: str = "", phone: str = "", lead_time_days: int = 7
) -> Supplier:
    roles.require(actor, roles.MANAGE_PURCHASING)
    supplier = Supplier(code=code, name=name, contact=contact, phone=phone, lead_time_days=lead_time_days)
    supplier.full_clean()
    supplier.save()
    return supplier


@transaction.atomic
def create_purchase_order(
    *,
    actor: Any,
    supplier: Supplier,
    warehouse: Warehouse,
    lines: Iterable[tuple[Sku, int, Decimal | str]],
    expected_on=None,
    note: str = "",
    place: bool = True,
) -> PurchaseOrder:
    """A purchase order with its lines (SKU, quantity, unit cost); placed (ordered) unless place=False."""
    roles.require(actor, roles.MANAGE_PURCHASING)
    merged: dict[int, tuple[Sku, int, Decimal]] = {}
    total_amount = Decimal("0.00")
    for sku, quantity, unit_cost in lines:
        if check_line_quantity(quantity, what=sku.code) <= 0:
            raise StockRuleBroken(_("%(sku)s: order a positive quantity.") % {"sku": sku.code})
        if sku.pk in merged:
            raise StockRuleBroken(_("%(sku)s appears twice on the order.") % {"sku": sku.code})
        cost = check_unit_cost(unit_cost, what=sku.code)
        total_amount += check_line_amount(quantity, cost, what=sku.code)
        merged[sku.pk] = (sku, quantity, cost)
    if not merged:
        raise StockRuleBroken(_("A purchase order needs at least one line."))
    check_document_quantity(sum(quantity for _sku, quantity, _cost in merged.values()))
    check_document_amount(total_amount)
    po = PurchaseOrder.objects.create(
        number=provisional_number(),
        supplier=supplier,
        warehouse=warehouse,
        status=PurchaseStatus.ORDERED if place else PurchaseStatus.DRAFT,
        expected_on=expected_on,
        note=note,
        created_by=actor,
    )
    po.number = f"PO{po.pk:06d}"
    po.save(update_fields=["number"])
    PurchaseOrderLine.objects.bulk_create(
        [PurchaseOrderLine(purchase_order=po, sku=s, quantity=q, unit_cost=c) for s, q, c in merged.values()]
    )
    return po


@transaction.atomic
def create_purchase_orders_by_supplier(
    *,
    actor: Any,
    quantities: Mapping[int, int],
    fallback_supplier: Supplier | None = None,
    place: bool = True,
    note: str = "",
) -> list[PurchaseOrder]:
    """ "Order all suggested": SKU id → units becomes one purchase order per supplier and receiving warehouse.

    Each SKU goes to its usual supplier (that of its last purchase-order line) and is received where it is
    short (selectors.reorder_plan); SKUs never ordered before go to `fallback_supplier`, and without one
    nothing is created. A quantity of 0 leaves the SKU out. All orders or none; at the SKU's cost; placed
    (ordered) unless place=False, as create_purchase_order does.
    """
    roles.require(actor, roles.MANAGE_PURCHASING)
    wanted: dict[int, int] = {}
    for sku_id, quantity in quantities.items():
        if check_line_quantity(quantity, what=str(sku_id)) < 0:
            raise StockRuleBroken(_("%(sku)s: order a positive quantity.") % {"sku": sku_code(int(sku_id))})
        if quantity:
            wanted[int(sku_id)] = quantity
    if not wanted:
        raise StockRuleBroken(_("A purchase order needs at least one line."))
    require_skus(wanted)
    orders: dict[tuple[int, int], tuple[Supplier, Warehouse, list[tuple[Sku, int, Decimal]]]] = {}
    never_ordered: list[str] = []
    planned = 0
    for group in selectors.reorder_plan(wanted):
        supplier = group.supplier or fallback_supplier
        planned += len(group.lines)
        if supplier is None:
            never_ordered += [line.sku.code for line in group.lines]
            continue
        _supplier, _warehouse, lines = orders.setdefault(
            (supplier.pk, group.warehouse.pk), (supplier, group.warehouse, [])
        )
        lines += [(line.sku, line.quantity, line.unit_cost) for line in group.lines]
    if never_ordered:
        raise StockRuleBroken(
            _("%(skus)s never came from a supplier before: choose the supplier for them.")
            % {"skus": ", ".join(never_ordered)}
        )
    if planned < len(wanted):
        raise StockRuleBroken(_("There is no active warehouse to receive the goods."))
    return [
        create_purchase_order(actor=actor, supplier=supplier, warehouse=warehouse, lines=lines, note=note, place=place)
        for supplier, warehouse, lines in orders.values()
    ]


def _check_po_quantities(
    po: PurchaseOrder, lines: Mapping[int, PurchaseOrderLine], quantities: Mapping[int, int]
) -> None:
    """Quantities received or returned now: whole, within the limits, of SKUs on the order (an unknown SKU
    is a 404)."""
    for sku_id, quantity in quantities.items():
        line = lines.get(int(sku_id))
        check_line_quantity(quantity, what=line.sku.code if line is not None else str(sku_id))
    unknown = [int(sku_id) for sku_id, quantity in quantities.items() if quantity and int(sku_id) not in lines]
    if unknown:
        require_skus(unknown)
        raise StockRuleBroken(_("SKU %(sku)s is not on purchase order %(po)s.") % {"sku": unknown[0], "po": po.number})
    check_document_quantity(sum(abs(quantity) for quantity in quantities.values()))


def _set_po_status(po: PurchaseOrder, status: str) -> None:
    if status == po.status:
        return
    if status not in PurchaseOrder.ALLOWED_TRANSITIONS[po.status]:
        raise InvalidState(
            _("Purchase order %(po)s cannot go from %(a)s to %(b)s.") % {"po": po.number, "a": po.status, "b": status}
        )
    po.status = status
    po.save(update_fields=["status"])


@transaction.atomic
def place_purchase_order(*, actor: Any, po: PurchaseOrder) -> PurchaseOrder:
    roles.require(actor, roles.MANAGE_PURCHASING)
    po = PurchaseOrder.objects.select_for_update().get(pk=po.pk)
    # A draft's lines may have been edited in the admin: the order goes to the supplier within the limits.
    lines = list(po.lines.select_related("sku"))
    total = Decimal("0.00")
    for line in lines:
        check_line_quantity(line.quantity, what=line.sku.code)
        total += check_line_amount(
            line.quantity, check_unit_cost(line.unit_cost, what=line.sku.code), what=line.sku.code
        )
    check_document_quantity(sum(line.quantity for line in lines))
    check_document_amount(total)
    _set_po_status(po, PurchaseStatus.ORDERED)
    return po


def _receipt_moves(
    po: PurchaseOrder, lines: Mapping[int, PurchaseOrderLine], quantities: Mapping[int, int]
) -> list[MoveSpec]:
    """The receipt moves of `quantities`, or the refusal: an order not waiting for goods, a SKU not on it, a
    negative quantity, more than is open (OverReceipt), nothing at all."""
    if po.status not in {PurchaseStatus.ORDERED, PurchaseStatus.PARTIAL}:
        raise InvalidState(
            _("Purchase order %(po)s is %(status)s: nothing to receive.")
            % {"po": po.number, "status": po.get_status_display()}
        )
    _check_po_quantities(po, lines, quantities)
    moves: list[MoveSpec] = []
    for sku_id, quantity in quantities.items():
        if quantity == 0:
            continue
        line = lines[int(sku_id)]
        if quantity < 0:
            raise StockRuleBroken(_("%(sku)s: receive a positive quantity.") % {"sku": line.sku.code})
        if quantity > line.open_quantity:
            raise OverReceipt(
                _("%(sku)s: %(qty)s received but only %(open)s are still open on %(po)s.")
                % {"sku": line.sku.code, "qty": quantity, "open": line.open_quantity, "po": po.number}
            )
        moves.append(MoveSpec(line.sku_id, po.warehouse_id, quantity, line.unit_cost))
    if not moves:
        raise StockRuleBroken(_("Enter at least one received quantity."))
    return moves


def check_receipt(*, po: PurchaseOrder, quantities: Mapping[int, int]) -> None:
    """Raise what receive_purchase_order would refuse, booking nothing: the receiving page's review step
    shows the refusal before the person confirms, with the same words."""
    po = PurchaseOrder.objects.get(pk=po.pk)
    _receipt_moves(po, {line.sku_id: line for line in po.lines.select_related("sku")}, quantities)


@transaction.atomic
def receive_purchase_order(
    *, actor: Any, po: PurchaseOrder, quantities: Mapping[int, int], note: str = ""
) -> list[StockMove]:
    """Receive some or all of the open quantity of a PO; `quantities` maps SKU id → units received now.

    Receive 60 of 100 now and 40 later: the PO is partially received, then received. More than was ordered
    is refused (OverReceipt) and nothing is booked.
    """
    roles.require(actor, roles.BOOK_STOCK)
    po = PurchaseOrder.objects.select_for_update().get(pk=po.pk)
    lines = {line.sku_id: line for line in po.lines.select_related("sku")}
    moves = _receipt_moves(po, lines, quantities)
    for move in moves:
        PurchaseOrderLine.objects.filter(pk=lines[move.sku_id].pk).update(
            received_quantity=F("received_quantity") + move.quantity
        )
    booked = apply_moves(moves, actor=actor, reason=MoveReason.PURCHASE_RECEIPT, document=po.number, note=note)
    all_in = all(received >= ordered for ordered, received in po.lines.values_list("quantity", "received_quantity"))
    _set_po_status(po, PurchaseStatus.RECEIVED if all_in else PurchaseStatus.PARTIAL)
    return booked


@transaction.atomic
def return_to_supplier(
    *, actor: Any, po: PurchaseOrder, quantities: Mapping[int, int], note: str = ""
) -> list[StockMove]:
    """Send received units back to the supplier: negative moves, never more than was received."""
    roles.require(actor, roles.BOOK_STOCK)
    po = PurchaseOrder.objects.select_for_update().get(pk=po.pk)
    lines = {line.sku_id: line for line in po.lines.select_related("sku")}
    _check_po_quantities(po, lines, quantities)
    moves: list[MoveSpec] = []
    for sku_id, quantity in quantities.items():
        if quantity == 0:
            continue
        line = lines[int(sku_id)]
        if quantity < 0 or quantity > line.received_quantity - line.returned_quantity:
            raise StockRuleBroken(
                _("Cannot return %(qty)s of SKU %(sku)s on %(po)s.") % {"qty": quantity, "sku": sku_id, "po": po.number}
            )
        PurchaseOrderLine.objects.filter(pk=line.pk).update(returned_quantity=F("returned_quantity") + quantity)
        moves.append(MoveSpec(line.sku_id, po.warehouse_id, -quantity, line.unit_cost))
    if not moves:
        raise StockRuleBroken(_("Enter at least one quantity to return."))
    return apply_moves(moves, actor=actor, reason=MoveReason.SUPPLIER_RETURN, document=po.number, note=note)


@transaction.atomic
def close_purchase_order(*, actor: Any, po: PurchaseOrder) -> PurchaseOrder:
    """Stop waiting for what is still open (the supplier will not deliver the rest)."""
    roles.require(actor, roles.MANAGE_PURCHASING)
    po = PurchaseOrder.objects.select_for_update().get(pk=po.pk)
    _set_po_status(po, PurchaseStatus.CLOSED)
    record_audit(actor=actor, action="purchase_order.close", obj=po)
    return po
