"""Writes of the inventory: every change of stock goes through here, one StockMove per change.

Invariants kept in the same transaction as the change:
- StockBalance.on_hand == Σ StockMove.quantity for its (SKU, warehouse)   (checked by `check_ledger`)
- StockBalance.reserved == Σ active Reservation.quantity                  (checked by `check_ledger`)
- 0 ≤ reserved ≤ on_hand                                                  (also a database constraint)

Hot rows are changed with one conditional UPDATE … RETURNING issued directly (no read-modify-write, no ORM
SQL building while the row is locked); requests with several lines lock their rows in (SKU, warehouse) order.
`actor=None` is refused: scripts and the demo act as the `system` user (core.services.system_user).

Every number a document carries is checked here against inventory.limits (its kind's sign, the bounds per
line and per document, unit costs) before any statement carries it, so the pages, the API, the imports, the
admin and the CLI refuse the same things, and nothing a client sends overflows a column.
"""

from __future__ import annotations

import re
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from zhanggui.catalog import services as catalog_services
from zhanggui.catalog.models import Category, Shop, Sku, WarehouseChoice
from zhanggui.core import roles
from zhanggui.core.errors import NotFoundError
from zhanggui.core.money import MoneyError, to_fen
from zhanggui.core.services import record_audit
from zhanggui.inventory import limits, selectors
from zhanggui.inventory.errors import (
    InsufficientStock,
    InvalidReference,
    InvalidState,
    OutOfLimits,
    OverReceipt,
    ReservationNotFound,
    StockRuleBroken,
    WrongSign,
)
from zhanggui.inventory.models import (
    MoveReason,
    PurchaseOrder,
    PurchaseOrderLine,
    PurchaseStatus,
    Reservation,
    ReservationStatus,
    StockBalance,
    StockMove,
    Stocktake,
    StocktakeLine,
    StocktakeStatus,
    Supplier,
    Warehouse,
)

BALANCE = StockBalance._meta.db_table
MOVE = StockMove._meta.db_table
RESERVATION = Reservation._meta.db_table


# --------------------------------------------------------------------------------------------------------
# Limits (inventory.limits): checked before anything is written or sent to the database
# --------------------------------------------------------------------------------------------------------

_REFERENCE = re.compile(limits.REFERENCE_PATTERN)
# The largest id any of our tables can hold: a bigger one names nothing, and SQLite cannot even bind it.
_MAX_ID = 2**63 - 1


# What a refusal names (a SKU code, ...); a callable is only asked when there is something to refuse.
Naming = str | Callable[[], str]


def _name(what: Naming) -> str:
    return what() if callable(what) else what


def _whole(value: Any, *, what: Naming) -> int:
    """A quantity is an int: True is not one unit, and 1.5, Decimal("1") or "1" are a caller's mistake."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise OutOfLimits(
            _("%(what)s: a quantity must be a whole number, not %(value)s.")
            % {"what": _name(what), "value": repr(value)}
        )
    return value


def _line_quantity(value: Any, *, what: Naming, maximum: int = limits.MAX_LINE_QUANTITY) -> int:
    """A whole number of units within ±maximum (one line of a document)."""
    quantity = _whole(value, what=what)
    if abs(quantity) > maximum:
        raise OutOfLimits(
            _("%(what)s: %(quantity)s units is beyond the limit of %(limit)s per line.")
            % {"what": _name(what), "quantity": quantity, "limit": maximum},
            limit=maximum,
            quantity=quantity,
        )
    return quantity


def _check_document_quantity(total: int) -> None:
    if total > limits.MAX_DOCUMENT_QUANTITY:
        raise OutOfLimits(
            _("%(total)s units on one document is beyond the limit of %(limit)s.")
            % {"total": total, "limit": limits.MAX_DOCUMENT_QUANTITY},
            limit=limits.MAX_DOCUMENT_QUANTITY,
            quantity=total,
        )


def _check_sign(reason: str, quantity: int, *, what: str) -> None:
    """Each kind of move has its sign: a receipt or a customer return brings units in, a supplier return or a
    sale takes them out; adjustments, stocktakes and transfers go either way."""
    sign = limits.MOVE_SIGN[reason]
    if sign == limits.IN and quantity < 0:
        raise WrongSign(
            _("%(what)s: a %(reason)s brings units in; its quantity must be positive, not %(quantity)s.")
            % {"what": what, "reason": str(MoveReason(reason).label).lower(), "quantity": quantity}
        )
    if sign == limits.OUT and quantity > 0:
        raise WrongSign(
            _("%(what)s: a %(reason)s takes units out; its quantity must be negative, not %(quantity)s.")
            % {"what": what, "reason": str(MoveReason(reason).label).lower(), "quantity": quantity}
        )


def _unit_cost(value: Decimal | str | int, *, what: str) -> Decimal:
    """A unit cost to the fen, from 0.00 to MAX_UNIT_COST."""
    try:
        cost = to_fen(value)
    except MoneyError:
        cost = None
    if cost is None or cost < 0 or cost > limits.MAX_UNIT_COST:
        raise OutOfLimits(
            _("%(what)s: the unit cost must be between 0.00 and %(limit)s, not %(value)s.")
            % {"what": what, "limit": limits.MAX_UNIT_COST, "value": value},
            limit=str(limits.MAX_UNIT_COST),
        )
    return cost


def _check_line_amount(quantity: int, cost: Decimal, *, what: str) -> Decimal:
    amount = abs(quantity) * cost
    if amount > limits.MAX_LINE_AMOUNT:
        raise OutOfLimits(
            _("%(what)s: %(quantity)s × %(cost)s = %(amount)s is beyond the limit of %(limit)s per line.")
            % {"what": what, "quantity": quantity, "cost": cost, "amount": amount, "limit": limits.MAX_LINE_AMOUNT},
            limit=str(limits.MAX_LINE_AMOUNT),
        )
    return amount


def _check_document_amount(total: Decimal) -> None:
    if total > limits.MAX_DOCUMENT_AMOUNT:
        raise OutOfLimits(
            _("%(total)s on one document is beyond the limit of %(limit)s.")
            % {"total": total, "limit": limits.MAX_DOCUMENT_AMOUNT},
            limit=str(limits.MAX_DOCUMENT_AMOUNT),
        )


def _check_reference(reference: Any) -> str:
    if not isinstance(reference, str) or not _REFERENCE.fullmatch(reference):
        raise InvalidReference(
            _(
                "The reference %(reference)s is not valid: use 1 to %(max)s ASCII letters, digits and - _ . : "
                "starting with a letter or a digit."
            )
            % {"reference": repr(reference), "max": limits.REFERENCE_MAX_LENGTH}
        )
    return reference


def _require_skus(sku_ids: Iterable[int]) -> None:
    """Raise NotFoundError naming the ids no SKU has (an unknown SKU is a 404, not a shortage)."""
    wanted = set(sku_ids)
    in_range = [pk for pk in wanted if 0 < pk <= _MAX_ID]
    found = set(Sku.objects.filter(pk__in=in_range).values_list("pk", flat=True)) if in_range else set()
    missing = sorted(wanted - found)
    if missing:
        raise NotFoundError(_("SKU not found (pk=%(ids)s).") % {"ids": ", ".join(map(str, missing))})


# --------------------------------------------------------------------------------------------------------
# The ledger
# --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MoveSpec:
    sku_id: int
    warehouse_id: int
    quantity: int
    unit_cost: Decimal | None = None


def _ensure_balance_rows(pairs: Iterable[tuple[int, int]]) -> None:
    StockBalance.objects.bulk_create(
        [StockBalance(sku_id=s, warehouse_id=w) for s, w in set(pairs)], ignore_conflicts=True
    )


def _sku_code(sku_id: int) -> str:
    return Sku.objects.filter(pk=sku_id).values_list("code", flat=True).first() or str(sku_id)


def _available_total(sku_ids: Iterable[int]) -> dict[int, int]:
    from zhanggui.inventory.selectors import available_by_sku

    return available_by_sku(sku_ids)


def _apply_moves(
    moves: list[MoveSpec], *, actor: Any, reason: str, document: str = "", note: str = ""
) -> list[StockMove]:
    """Book signed moves atomically. Refuses any that would take on hand below reserved (or below 0)."""
    if not moves:
        return []
    for move in moves:  # the callers checked their own limits; this keeps every number inside the columns
        _line_quantity(move.quantity, what=partial(_sku_code, move.sku_id), maximum=limits.MAX_ON_HAND)
    now = timezone.now()
    _ensure_balance_rows((m.sku_id, m.warehouse_id) for m in moves)
    booked: list[StockMove] = []
    with connection.cursor() as cursor:
        for move in sorted(moves, key=lambda m: (m.sku_id, m.warehouse_id)):
            if move.quantity == 0:
                continue
            cursor.execute(
                f"UPDATE {BALANCE} SET on_hand = on_hand + %s "
                f"WHERE sku_id = %s AND warehouse_id = %s AND on_hand + %s >= reserved "
                f"AND (%s < 0 OR on_hand + %s <= %s) "  # the ceiling stops what comes in, never what goes out
                f"RETURNING on_hand",
                [
                    move.quantity,
                    move.sku_id,
                    move.warehouse_id,
                    move.quantity,
                    move.quantity,
                    move.quantity,
                    limits.MAX_ON_HAND,
                ],
            )
            row = cursor.fetchone()
            if row is None:
                balance = StockBalance.objects.get(sku_id=move.sku_id, warehouse_id=move.warehouse_id)
                if move.quantity > 0 and balance.on_hand + move.quantity > limits.MAX_ON_HAND:
                    raise OutOfLimits(
                        _("%(sku)s: %(warehouse)s would hold %(on_hand)s units, beyond the limit of %(limit)s.")
                        % {
                            "sku": _sku_code(move.sku_id),
                            "warehouse": balance.warehouse,
                            "on_hand": balance.on_hand + move.quantity,
                            "limit": limits.MAX_ON_HAND,
                        },
                        limit=limits.MAX_ON_HAND,
                    )
                raise InsufficientStock(
                    _sku_code(move.sku_id),
                    -move.quantity,
                    balance.available,
                    _(
                        "%(sku)s: cannot take %(wanted)s out of %(warehouse)s, only %(available)s are free "
                        "(on hand %(on_hand)s, reserved %(reserved)s)."
                    )
                    % {
                        "sku": _sku_code(move.sku_id),
                        "wanted": -move.quantity,
                        "warehouse": balance.warehouse,
                        "available": balance.available,
                        "on_hand": balance.on_hand,
                        "reserved": balance.reserved,
                    },
                )
            booked.append(
                StockMove(
                    sku_id=move.sku_id,
                    warehouse_id=move.warehouse_id,
                    quantity=move.quantity,
                    reason=reason,
                    document=document,
                    note=note,
                    on_hand_after=row[0],
                    unit_cost=move.unit_cost,
                    actor=actor,
                    created_at=now,
                )
            )
    StockMove.objects.bulk_create(booked)
    _sync_listing({m.sku_id for m in booked}, actor=actor)
    return booked


def _sync_listing(sku_ids: set[int], *, actor: Any) -> None:
    if sku_ids:
        catalog_services.sync_listing_with_stock(actor=actor, available=_available_total(sku_ids))


@transaction.atomic
def book_move(
    *,
    actor: Any,
    sku: Sku,
    warehouse: Warehouse,
    quantity: int,
    reason: str,
    document: str = "",
    note: str = "",
    unit_cost: Decimal | None = None,
) -> StockMove:
    """Book one signed change of on-hand stock with its reason (receipt, adjustment, return, ...)."""
    roles.require(actor, roles.BOOK_STOCK)
    if reason not in MoveReason.values:
        raise StockRuleBroken(_("Unknown move reason: %(reason)s") % {"reason": reason})
    if _whole(quantity, what=sku.code) == 0:
        raise StockRuleBroken(_("A stock move needs a quantity other than 0."))
    _line_quantity(quantity, what=sku.code)
    _check_sign(reason, quantity, what=sku.code)
    if unit_cost is not None:
        unit_cost = _unit_cost(unit_cost, what=sku.code)
        _check_line_amount(quantity, unit_cost, what=sku.code)
    return _apply_moves(
        [MoveSpec(sku.pk, warehouse.pk, quantity, unit_cost)],
        actor=actor,
        reason=reason,
        document=document,
        note=note,
    )[0]


def adjust_stock(*, actor: Any, sku: Sku, warehouse: Warehouse, quantity: int, note: str) -> StockMove:
    """A correction found outside a stocktake (damaged, found); the note says why and is required."""
    if not note.strip():
        raise StockRuleBroken(_("Say why the stock is adjusted (the note is required)."))
    return book_move(
        actor=actor, sku=sku, warehouse=warehouse, quantity=quantity, reason=MoveReason.ADJUSTMENT, note=note
    )


@transaction.atomic
def transfer_stock(
    *, actor: Any, sku: Sku, source: Warehouse, destination: Warehouse, quantity: int, note: str = ""
) -> list[StockMove]:
    roles.require(actor, roles.BOOK_STOCK)
    if _line_quantity(quantity, what=sku.code) <= 0:
        raise StockRuleBroken(_("Transfer a positive quantity."))
    if source.pk == destination.pk:
        raise StockRuleBroken(_("Source and destination are the same warehouse."))
    document = f"TR-{timezone.now():%Y%m%d%H%M%S}"
    return _apply_moves(
        [MoveSpec(sku.pk, source.pk, -quantity), MoveSpec(sku.pk, destination.pk, quantity)],
        actor=actor,
        reason=MoveReason.TRANSFER,
        document=document,
        note=note,
    )


# --------------------------------------------------------------------------------------------------------
# Reservations
# --------------------------------------------------------------------------------------------------------


WAREHOUSE = Warehouse._meta.db_table

# One statement picks the warehouse and takes the units: the sub-select chooses the best balance row that can
# serve the whole line (by priority, or by most available), the outer UPDATE locks it and re-checks the
# condition on the row as it is now. A miss under contention is retried while some warehouse can still serve.
_PICK_ORDER: dict[str, str] = {
    WarehouseChoice.PRIORITY: "w.priority, w.id",
    WarehouseChoice.MOST_STOCK: "b.on_hand - b.reserved DESC, w.priority, w.id",
}
_RESERVE_ANY_SQL: dict[str, str] = {
    choice: (
        f"UPDATE {BALANCE} SET reserved = reserved + %s "
        f"WHERE id = (SELECT b.id FROM {BALANCE} b JOIN {WAREHOUSE} w ON w.id = b.warehouse_id "
        f"WHERE b.sku_id = %s AND w.is_active AND b.on_hand - b.reserved >= %s ORDER BY {order} LIMIT 1) "
        f"AND on_hand - reserved >= %s RETURNING warehouse_id, on_hand - reserved"
    )
    for choice, order in _PICK_ORDER.items()
}
_RESERVE_ONE_SQL = (
    f"UPDATE {BALANCE} SET reserved = reserved + %s "
    f"WHERE sku_id = %s AND warehouse_id = %s AND on_hand - reserved >= %s "
    f"RETURNING warehouse_id, on_hand - reserved"
)
_CAN_SERVE_SQL = (
    f"SELECT 1 FROM {BALANCE} b JOIN {WAREHOUSE} w ON w.id = b.warehouse_id "
    f"WHERE b.sku_id = %s AND w.is_active AND b.on_hand - b.reserved >= %s LIMIT 1"
)
_INSERT_RESERVATION_SQL = (
    f"INSERT INTO {RESERVATION} (reference, sku_id, warehouse_id, quantity, status, actor_id, created_at) "
    f"VALUES (%s, %s, %s, %s, %s, %s, %s)"
)


def _take_units(cursor, *, sku_id: int, quantity: int, choice: str, warehouse_id: int | None):
    """Reserve `quantity` of one SKU in one warehouse; returns (warehouse id, available after) or None."""
    while True:
        if warehouse_id is not None:
            cursor.execute(_RESERVE_ONE_SQL, [quantity, sku_id, warehouse_id, quantity])
            return cursor.fetchone()
        cursor.execute(_RESERVE_ANY_SQL[choice], [quantity, sku_id, quantity, quantity])
        row = cursor.fetchone()
        if row is not None:
            return row
        cursor.execute(_CAN_SERVE_SQL, [sku_id, quantity])
        if cursor.fetchone() is None:
            return None


@dataclass(frozen=True)
class Reserved:
    """One line of a reservation as it was made: which warehouse serves how many units of which SKU."""

    sku_id: int
    warehouse_id: int
    quantity: int


def reserve(
    *,
    actor: Any,
    reference: str,
    lines: Mapping[int, int] | Iterable[tuple[int, int]],
    shop: Shop | None = None,
    warehouse: Warehouse | None = None,
) -> list[Reserved]:
    """Hold units for a request, all lines or none. `lines` maps SKU id → quantity.

    Each line goes to one warehouse: the given one, else by the shop's setting (the first by priority that
    can serve the whole line, or the one with most available stock). Never oversells: the conditional
    UPDATE re-checks availability under the row lock, and the database refuses reserved > on hand. Lines are
    locked in SKU order so requests with the same SKUs in another order cannot deadlock.
    Raises InsufficientStock naming the first SKU that could not be served, NotFoundError for an unknown SKU,
    InvalidReference for a reference outside its characters, OutOfLimits beyond the limits.
    """
    roles.require(actor, roles.BOOK_STOCK)
    _check_reference(reference)
    wanted: dict[int, int] = defaultdict(int)
    for sku_id, quantity in lines.items() if isinstance(lines, Mapping) else lines:
        if _line_quantity(quantity, what=str(sku_id)) <= 0:
            raise StockRuleBroken(_("Reserve a positive quantity."))
        wanted[int(sku_id)] += quantity
    if not wanted:
        raise StockRuleBroken(_("Nothing to reserve."))
    _require_skus(wanted)
    for sku_id, quantity in wanted.items():
        _line_quantity(quantity, what=partial(_sku_code, sku_id))
    _check_document_quantity(sum(wanted.values()))
    choice = shop.warehouse_choice if shop is not None else WarehouseChoice.PRIORITY
    warehouse_id = warehouse.pk if warehouse is not None else None
    now = timezone.now()
    emptied: set[int] = set()
    made: list[tuple[int, int, int]] = []
    with transaction.atomic(), connection.cursor() as cursor:
        for sku_id in sorted(wanted):
            quantity = wanted[sku_id]
            row = _take_units(cursor, sku_id=sku_id, quantity=quantity, choice=choice, warehouse_id=warehouse_id)
            if row is None:
                available = _available_total([sku_id]).get(sku_id, 0)
                code = _sku_code(sku_id)
                raise InsufficientStock(
                    code,
                    quantity,
                    available,
                    _("%(sku)s: %(wanted)s wanted, %(available)s available.")
                    % {"sku": code, "wanted": quantity, "available": available},
                )
            made.append((sku_id, row[0], quantity))
            if row[1] == 0:
                emptied.add(sku_id)
        for sku_id, wh_id, quantity in made:
            cursor.execute(
                _INSERT_RESERVATION_SQL,
                [reference, sku_id, wh_id, quantity, ReservationStatus.ACTIVE.value, actor.pk, now],
            )
        if emptied:
            _sync_listing(emptied, actor=actor)
    return [Reserved(s, w, q) for s, w, q in made]


def _close_reservations(*, actor: Any, reference: str, issue: bool, document: str) -> list[Reservation]:
    held = list(
        Reservation.objects.select_for_update()
        .filter(reference=reference, status=ReservationStatus.ACTIVE)
        .order_by("sku_id", "warehouse_id")
    )
    if not held:
        raise ReservationNotFound(_("No active reservation with reference %(ref)s.") % {"ref": reference})
    now = timezone.now()
    moves: list[StockMove] = []
    with connection.cursor() as cursor:
        for r in held:
            if issue:
                cursor.execute(
                    f"UPDATE {BALANCE} SET on_hand = on_hand - %s, reserved = reserved - %s "
                    f"WHERE sku_id = %s AND warehouse_id = %s RETURNING on_hand",
                    [r.quantity, r.quantity, r.sku_id, r.warehouse_id],
                )
                on_hand_after = cursor.fetchone()[0]
                moves.append(
                    StockMove(
                        sku_id=r.sku_id,
                        warehouse_id=r.warehouse_id,
                        quantity=-r.quantity,
                        reason=MoveReason.SALE_ISSUE,
                        document=document or reference,
                        on_hand_after=on_hand_after,
                        actor=actor,
                        created_at=now,
                    )
                )
            else:
                cursor.execute(
                    f"UPDATE {BALANCE} SET reserved = reserved - %s WHERE sku_id = %s AND warehouse_id = %s",
                    [r.quantity, r.sku_id, r.warehouse_id],
                )
    Reservation.objects.filter(pk__in=[r.pk for r in held]).update(
        status=ReservationStatus.ISSUED if issue else ReservationStatus.RELEASED, closed_at=now
    )
    StockMove.objects.bulk_create(moves)
    if not issue:
        _sync_listing({r.sku_id for r in held}, actor=actor)
    return held


@transaction.atomic
def release(*, actor: Any, reference: str) -> list[Reservation]:
    """Give back every unit still held under the reference (order cancelled, cart expired)."""
    roles.require(actor, roles.BOOK_STOCK)
    return _close_reservations(actor=actor, reference=reference, issue=False, document="")


@transaction.atomic
def issue_reserved(*, actor: Any, reference: str, document: str = "") -> list[Reservation]:
    """Ship what was reserved: on hand and reserved both drop, one sale-issue move per line."""
    roles.require(actor, roles.BOOK_STOCK)
    return _close_reservations(actor=actor, reference=reference, issue=True, document=document)


# --------------------------------------------------------------------------------------------------------
# Ledger check
# --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Drift:
    sku_id: int
    warehouse_id: int
    what: str  # "on_hand" or "reserved"
    cached: int
    ledger: int


def check_ledger() -> list[Drift]:
    """Compare every cached balance with the ledger and the active reservations; [] means no drift."""
    sums: dict[tuple[int, int], list[int]] = defaultdict(lambda: [0, 0])
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT sku_id, warehouse_id, SUM(quantity) FROM {MOVE} GROUP BY sku_id, warehouse_id")
        for sku_id, warehouse_id, total in cursor.fetchall():
            sums[(sku_id, warehouse_id)][0] = int(total)
        cursor.execute(
            f"SELECT sku_id, warehouse_id, SUM(quantity) FROM {RESERVATION} WHERE status = %s "
            f"GROUP BY sku_id, warehouse_id",
            [ReservationStatus.ACTIVE.value],
        )
        for sku_id, warehouse_id, total in cursor.fetchall():
            sums[(sku_id, warehouse_id)][1] = int(total)
        cursor.execute(f"SELECT sku_id, warehouse_id, on_hand, reserved FROM {BALANCE}")
        cached = {(s, w): (h, r) for s, w, h, r in cursor.fetchall()}
    drifts: list[Drift] = []
    for key in sorted(set(sums) | set(cached)):
        on_hand, reserved = cached.get(key, (0, 0))
        ledger_on_hand, ledger_reserved = sums.get(key, (0, 0))
        if on_hand != ledger_on_hand:
            drifts.append(Drift(key[0], key[1], "on_hand", on_hand, ledger_on_hand))
        if reserved != ledger_reserved:
            drifts.append(Drift(key[0], key[1], "reserved", reserved, ledger_reserved))
    return drifts


# --------------------------------------------------------------------------------------------------------
# Purchasing
# --------------------------------------------------------------------------------------------------------


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
        if _line_quantity(quantity, what=sku.code) <= 0:
            raise StockRuleBroken(_("%(sku)s: order a positive quantity.") % {"sku": sku.code})
        if sku.pk in merged:
            raise StockRuleBroken(_("%(sku)s appears twice on the order.") % {"sku": sku.code})
        cost = _unit_cost(unit_cost, what=sku.code)
        total_amount += _check_line_amount(quantity, cost, what=sku.code)
        merged[sku.pk] = (sku, quantity, cost)
    if not merged:
        raise StockRuleBroken(_("A purchase order needs at least one line."))
    _check_document_quantity(sum(quantity for _sku, quantity, _cost in merged.values()))
    _check_document_amount(total_amount)
    po = PurchaseOrder.objects.create(
        number=_provisional_number(),
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
        if _line_quantity(quantity, what=str(sku_id)) < 0:
            raise StockRuleBroken(_("%(sku)s: order a positive quantity.") % {"sku": _sku_code(int(sku_id))})
        if quantity:
            wanted[int(sku_id)] = quantity
    if not wanted:
        raise StockRuleBroken(_("A purchase order needs at least one line."))
    _require_skus(wanted)
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
        _line_quantity(quantity, what=line.sku.code if line is not None else str(sku_id))
    unknown = [int(sku_id) for sku_id, quantity in quantities.items() if quantity and int(sku_id) not in lines]
    if unknown:
        _require_skus(unknown)
        raise StockRuleBroken(_("SKU %(sku)s is not on purchase order %(po)s.") % {"sku": unknown[0], "po": po.number})
    _check_document_quantity(sum(abs(quantity) for quantity in quantities.values()))


def _provisional_number() -> str:
    """A unique placeholder (fits the 32-character column) until the row's id gives the real number."""
    return f"tmp-{uuid.uuid4().hex}"[:32]


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
        _line_quantity(line.quantity, what=line.sku.code)
        total += _check_line_amount(line.quantity, _unit_cost(line.unit_cost, what=line.sku.code), what=line.sku.code)
    _check_document_quantity(sum(line.quantity for line in lines))
    _check_document_amount(total)
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
    booked = _apply_moves(moves, actor=actor, reason=MoveReason.PURCHASE_RECEIPT, document=po.number, note=note)
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
    return _apply_moves(moves, actor=actor, reason=MoveReason.SUPPLIER_RETURN, document=po.number, note=note)


@transaction.atomic
def close_purchase_order(*, actor: Any, po: PurchaseOrder) -> PurchaseOrder:
    """Stop waiting for what is still open (the supplier will not deliver the rest)."""
    roles.require(actor, roles.MANAGE_PURCHASING)
    po = PurchaseOrder.objects.select_for_update().get(pk=po.pk)
    _set_po_status(po, PurchaseStatus.CLOSED)
    record_audit(actor=actor, action="purchase_order.close", obj=po)
    return po


# --------------------------------------------------------------------------------------------------------
# Stocktake
# --------------------------------------------------------------------------------------------------------


@transaction.atomic
def create_stocktake(
    *, actor: Any, warehouse: Warehouse, category: Category | None = None, blind: bool = False
) -> Stocktake:
    """A count sheet: every SKU with stock history in the warehouse (or every SKU of a category).

    A blind sheet hides the quantities on the books from the counters' pages until it is booked, so what is
    written down is what is on the shelf, not what the screen expects.
    """
    roles.require(actor, roles.BOOK_STOCK)
    take = Stocktake.objects.create(
        number=_provisional_number(), warehouse=warehouse, category=category, created_by=actor, blind=blind
    )
    take.number = f"ST{take.pk:06d}"
    take.save(update_fields=["number"])
    on_hand = dict(StockBalance.objects.filter(warehouse=warehouse).values_list("sku_id", "on_hand"))
    if category is not None:
        skus = Sku.objects.filter(product__category=category)
    else:
        skus = Sku.objects.filter(pk__in=list(on_hand))
    StocktakeLine.objects.bulk_create(
        [
            StocktakeLine(stocktake=take, sku_id=pk, expected=on_hand.get(pk, 0), unit_cost=cost)
            for pk, cost in skus.values_list("pk", "cost")
        ]
    )
    return take


@transaction.atomic
def enter_counts(*, actor: Any, stocktake: Stocktake, counts: Mapping[int, int | None]) -> int:
    """Record counts by SKU id (a SKU found but not on the sheet gets a line); returns the lines set."""
    roles.require(actor, roles.BOOK_STOCK)
    take = _open_stocktake(stocktake)
    lines = {line.sku_id: line for line in take.lines.all()}
    for sku_id, counted in counts.items():
        if counted is not None:
            _line_quantity(counted, what=str(sku_id), maximum=limits.MAX_COUNT)
    _require_skus(int(sku_id) for sku_id in counts if int(sku_id) not in lines)
    changed = 0
    for sku_id, counted in counts.items():
        if counted is not None and counted < 0:
            raise StockRuleBroken(_("A count cannot be negative."))
        line = lines.get(int(sku_id))
        if line is None:
            sku = Sku.objects.get(pk=sku_id)
            expected = (
                StockBalance.objects.filter(sku=sku, warehouse=take.warehouse).values_list("on_hand", flat=True).first()
                or 0
            )
            StocktakeLine.objects.create(
                stocktake=take, sku=sku, expected=expected, counted=counted, unit_cost=sku.cost
            )
            changed += 1
        elif line.counted != counted:
            line.counted = counted
            line.save(update_fields=["counted"])
            changed += 1
    return changed


def _open_stocktake(stocktake: Stocktake) -> Stocktake:
    """The sheet locked for a change; only an open (counting) sheet takes counts or is booked."""
    take = Stocktake.objects.select_for_update().get(pk=stocktake.pk)
    if take.status != StocktakeStatus.OPEN:
        raise InvalidState(
            _("Stocktake %(st)s is already %(status)s.") % {"st": take.number, "status": take.get_status_display()}
        )
    return take


def _on_hand(sku_id: int, warehouse_id: int) -> int:
    return (
        StockBalance.objects.filter(sku_id=sku_id, warehouse_id=warehouse_id).values_list("on_hand", flat=True).first()
        or 0
    )


@transaction.atomic
def count_scanned(*, actor: Any, stocktake: Stocktake, sku: Sku, units: int = 1) -> StocktakeLine:
    """Counting by scanning: one scan adds `units` to the SKU's count (a blank count starts at 0); a SKU not
    on the sheet gets a line. The increment happens under the sheet's lock, so two scanners never lose one."""
    roles.require(actor, roles.BOOK_STOCK)
    take = _open_stocktake(stocktake)
    if _line_quantity(units, what=sku.code, maximum=limits.MAX_COUNT) <= 0:
        raise StockRuleBroken(_("A scan adds at least one unit."))
    line = take.lines.filter(sku=sku).first()
    if line is None:
        return StocktakeLine.objects.create(
            stocktake=take, sku=sku, expected=_on_hand(sku.pk, take.warehouse_id), counted=units, unit_cost=sku.cost
        )
    counted = (line.counted or 0) + units
    if counted > limits.MAX_COUNT:
        raise OutOfLimits(
            _("%(what)s: %(quantity)s units is beyond the limit of %(limit)s per line.")
            % {"what": sku.code, "quantity": counted, "limit": limits.MAX_COUNT},
            limit=limits.MAX_COUNT,
            quantity=counted,
        )
    line.counted = counted
    line.save(update_fields=["counted"])
    return line


# What booking does with the lines nobody counted; the desk always asks, never picks one silently.
UNCOUNTED_LEAVE_OUT = "leave_out"  # not counted: not booked, their stock stays as it is
UNCOUNTED_ZERO = "zero"  # counted as zero: their whole on hand is booked out
UNCOUNTED_CHOICES = (UNCOUNTED_LEAVE_OUT, UNCOUNTED_ZERO)


@dataclass(frozen=True)
class StocktakeReport:
    gain_units: int
    gain_value: Decimal
    loss_units: int
    loss_value: Decimal

    @property
    def net_value(self) -> Decimal:
        return self.gain_value - self.loss_value

    @property
    def loss_value_signed(self) -> Decimal:
        """The loss as the money it is: −¥80.00."""
        return -self.loss_value


@transaction.atomic
def book_stocktake(*, actor: Any, stocktake: Stocktake, uncounted: str = UNCOUNTED_LEAVE_OUT) -> StocktakeReport:
    """Book counted − on hand (at booking time) for each counted line as a stocktake move.

    The difference is taken against on hand now, not when the sheet was made, so moves booked while people
    were counting are not counted twice. Lines left uncounted are left out (UNCOUNTED_LEAVE_OUT) or counted
    as zero (UNCOUNTED_ZERO: their count becomes 0 and their on hand is booked out); the choice is in the
    audit trail.
    """
    roles.require(actor, roles.BOOK_STOCK)
    if uncounted not in UNCOUNTED_CHOICES:
        raise StockRuleBroken(_("Say what to do with the lines nobody counted: leave them out or book zero."))
    take = _open_stocktake(stocktake)
    lines = list(take.lines.select_related("sku"))
    left = [line for line in lines if line.counted is None]
    if uncounted == UNCOUNTED_ZERO:
        for line in left:
            line.counted = 0
    lines = [line for line in lines if line.counted is not None]
    on_hand = dict(
        StockBalance.objects.filter(warehouse=take.warehouse, sku_id__in=[ln.sku_id for ln in lines]).values_list(
            "sku_id", "on_hand"
        )
    )
    moves = []
    for line in lines:
        assert line.counted is not None  # only counted lines were selected
        line.booked_difference = line.counted - on_hand.get(line.sku_id, 0)
        if line.booked_difference:
            moves.append(MoveSpec(line.sku_id, take.warehouse_id, line.booked_difference, line.unit_cost))
    try:
        with transaction.atomic():
            _apply_moves(moves, actor=actor, reason=MoveReason.STOCKTAKE, document=take.number)
    except (InsufficientStock, IntegrityError) as exc:
        raise StockRuleBroken(
            _("A count is below the units reserved for orders; release or ship them first. (%(error)s)")
            % {"error": getattr(exc, "message", exc)}
        ) from exc
    StocktakeLine.objects.bulk_update(lines, ["counted", "booked_difference"])
    take.status, take.booked_by, take.booked_at = StocktakeStatus.BOOKED, actor, timezone.now()
    take.save(update_fields=["status", "booked_by", "booked_at"])
    if left:
        record_audit(
            actor=actor,
            action="stocktake.book",
            obj=take,
            after={"uncounted": uncounted, "uncounted_lines": len(left)},
        )
    return stocktake_report(take)


def stocktake_report(take: Stocktake) -> StocktakeReport:
    gain_units = loss_units = 0
    gain_value = loss_value = Decimal("0.00")
    for line in take.lines.all():
        diff = (
            line.booked_difference
            if line.booked_difference is not None
            else ((line.counted - line.expected) if line.counted is not None else 0)
        )
        if diff > 0:
            gain_units += diff
            gain_value += diff * line.unit_cost
        elif diff < 0:
            loss_units += -diff
            loss_value += -diff * line.unit_cost
    return StocktakeReport(gain_units, gain_value, loss_units, loss_value)


@transaction.atomic
def cancel_stocktake(*, actor: Any, stocktake: Stocktake) -> Stocktake:
    roles.require(actor, roles.BOOK_STOCK)
    take = Stocktake.objects.select_for_update().get(pk=stocktake.pk)
    if take.status != StocktakeStatus.OPEN:
        raise InvalidState(_("Only an open stocktake can be cancelled."))
    take.status = StocktakeStatus.CANCELLED
    take.save(update_fields=["status"])
    return take


def create_warehouse(*, actor: Any, code: str, name: str, priority: int = 10) -> Warehouse:
    roles.require(actor, roles.MANAGE_SHOPS)
    warehouse = Warehouse(code=code, name=name, priority=priority)
    warehouse.full_clean()
    warehouse.save()
    return warehouse
