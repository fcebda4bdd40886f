"""Writes of the stock ledger: every change of stock goes through here, one StockMove per change.

This module decides what every caller of the ledger needs: the limits every number is checked against, the
moves themselves (book_move, adjust_stock, transfer_stock and apply_moves under them), reservations (reserve,
release, issue_reserved: the orders app and flash sales call them), check_ledger and create_warehouse. The
documents that move stock decide their own rules in their sub-packages and book through apply_moves:
inventory.purchasing (suppliers, purchase orders, receiving, returns) and inventory.stocktakes (count
sheets, counts, booking the differences).

Invariants kept in the same transaction as the change:
- StockBalance.on_hand == Σ StockMove.quantity for its (SKU, warehouse)   (checked by `check_ledger`)
- StockBalance.reserved == Σ active Reservation.quantity                  (checked by `check_ledger`)
- 0 ≤ reserved ≤ on_hand                                                  (also a database constraint)

Hot rows are changed with one conditional UPDATE … RETURNING issued directly (no read-modify-write, no ORM
SQL building while the row is locked); requests with several lines lock their rows in (SKU, warehouse) order.
`actor=None` is refused: scripts and the demo act as the `system` user (core.services.system_user).

Every number a document carries is checked here against inventory.limits (its kind's sign, the bounds per
line and per document, unit costs) before any statement carries it, so the pages, the API, the imports, the
admin and the CLI refuse the same things, and nothing a client sends overflows a column. The checks the
documents' sub-packages share are public (check_*, require_skus); they are imported from here, never copied.
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

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhanggui.catalog import services as catalog_services
from zhanggui.catalog.models import Shop, Sku, WarehouseChoice
from zhanggui.core import roles
from zhanggui.core.errors import NotFoundError
from zhanggui.core.money import MoneyError, to_fen
from zhanggui.inventory import limits
from zhanggui.inventory.errors import (
    InsufficientStock,
    InvalidReference,
    OutOfLimits,
    ReservationNotFound,
    StockRuleBroken,
    WrongSign,
)
from zhanggui.inventory.models import (
    MoveReason,
    Reservation,
    ReservationStatus,
    StockBalance,
    StockMove,
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


def check_line_quantity(value: Any, *, what: Naming, maximum: int = limits.MAX_LINE_QUANTITY) -> int:
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


def check_document_quantity(total: int) -> None:
    """At most MAX_DOCUMENT_QUANTITY units on one document (all its lines together)."""
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


def check_unit_cost(value: Decimal | str | int, *, what: str) -> Decimal:
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


def check_line_amount(quantity: int, cost: Decimal, *, what: str) -> Decimal:
    """The line's amount (|quantity| × cost), refused beyond MAX_LINE_AMOUNT."""
    amount = abs(quantity) * cost
    if amount > limits.MAX_LINE_AMOUNT:
        raise OutOfLimits(
            _("%(what)s: %(quantity)s × %(cost)s = %(amount)s is beyond the limit of %(limit)s per line.")
            % {"what": what, "quantity": quantity, "cost": cost, "amount": amount, "limit": limits.MAX_LINE_AMOUNT},
            limit=str(limits.MAX_LINE_AMOUNT),
        )
    return amount


def check_document_amount(total: Decimal) -> None:
    """At most MAX_DOCUMENT_AMOUNT on one document (all its lines together)."""
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


def require_skus(sku_ids: Iterable[int]) -> None:
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


def sku_code(sku_id: int) -> str:
    """How a refusal names a SKU: its code (the id when no SKU has it)."""
    return Sku.objects.filter(pk=sku_id).values_list("code", flat=True).first() or str(sku_id)


def _available_total(sku_ids: Iterable[int]) -> dict[int, int]:
    from zhanggui.inventory.selectors import available_by_sku

    return available_by_sku(sku_ids)


def apply_moves(
    moves: list[MoveSpec], *, actor: Any, reason: str, document: str = "", note: str = ""
) -> list[StockMove]:
    """Book signed moves atomically. Refuses any that would take on hand below reserved (or below 0).

    The primitive under every document: the caller has checked the actor's permission and its document's
    own rules and limits first (book_move, purchasing.services, stocktakes.services)."""
    if not moves:
        return []
    for move in moves:  # the callers checked their own limits; this keeps every number inside the columns
        check_line_quantity(move.quantity, what=partial(sku_code, move.sku_id), maximum=limits.MAX_ON_HAND)
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
                            "sku": sku_code(move.sku_id),
                            "warehouse": balance.warehouse,
                            "on_hand": balance.on_hand + move.quantity,
                            "limit": limits.MAX_ON_HAND,
                        },
                        limit=limits.MAX_ON_HAND,
                    )
                free = balance.on_hand - balance.reserved  # of this warehouse, sellable or not
                raise InsufficientStock(
                    sku_code(move.sku_id),
                    -move.quantity,
                    free,
                    _(
                        "%(sku)s: cannot take %(wanted)s out of %(warehouse)s, only %(available)s are free "
                        "(on hand %(on_hand)s, reserved %(reserved)s)."
                    )
                    % {
                        "sku": sku_code(move.sku_id),
                        "wanted": -move.quantity,
                        "warehouse": balance.warehouse,
                        "available": free,
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
    check_line_quantity(quantity, what=sku.code)
    _check_sign(reason, quantity, what=sku.code)
    if unit_cost is not None:
        unit_cost = check_unit_cost(unit_cost, what=sku.code)
        check_line_amount(quantity, unit_cost, what=sku.code)
    return apply_moves(
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
    if check_line_quantity(quantity, what=sku.code) <= 0:
        raise StockRuleBroken(_("Transfer a positive quantity."))
    if source.pk == destination.pk:
        raise StockRuleBroken(_("Source and destination are the same warehouse."))
    document = f"TR-{timezone.now():%Y%m%d%H%M%S}"
    return apply_moves(
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
        f"WHERE b.sku_id = %s AND w.is_active AND w.sellable AND b.on_hand - b.reserved >= %s "
        f"ORDER BY {order} LIMIT 1) "
        f"AND on_hand - reserved >= %s RETURNING warehouse_id, on_hand - reserved"
    )
    for choice, order in _PICK_ORDER.items()
}
_RESERVE_ONE_SQL = (
    f"UPDATE {BALANCE} SET reserved = reserved + %s "
    f"WHERE sku_id = %s AND warehouse_id = %s AND on_hand - reserved >= %s "
    f"AND warehouse_id IN (SELECT id FROM {WAREHOUSE} WHERE sellable) "
    f"RETURNING warehouse_id, on_hand - reserved"
)
_CAN_SERVE_SQL = (
    f"SELECT 1 FROM {BALANCE} b JOIN {WAREHOUSE} w ON w.id = b.warehouse_id "
    f"WHERE b.sku_id = %s AND w.is_active AND w.sellable AND b.on_hand - b.reserved >= %s LIMIT 1"
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
        if check_line_quantity(quantity, what=str(sku_id)) <= 0:
            raise StockRuleBroken(_("Reserve a positive quantity."))
        wanted[int(sku_id)] += quantity
    if not wanted:
        raise StockRuleBroken(_("Nothing to reserve."))
    require_skus(wanted)
    for sku_id, quantity in wanted.items():
        check_line_quantity(quantity, what=partial(sku_code, sku_id))
    check_document_quantity(sum(wanted.values()))
    choice = shop.warehouse_choice if shop is not None else WarehouseChoice.PRIORITY
    warehouse_id = warehouse.pk if warehouse is not None else None
    if warehouse is not None and not warehouse.sellable:
        raise StockRuleBroken(
            _("%(warehouse)s holds defective stock: nothing in it is reserved or sold.") % {"warehouse": warehouse}
        )
    now = timezone.now()
    emptied: set[int] = set()
    made: list[tuple[int, int, int]] = []
    with transaction.atomic(), connection.cursor() as cursor:
        for sku_id in sorted(wanted):
            quantity = wanted[sku_id]
            row = _take_units(cursor, sku_id=sku_id, quantity=quantity, choice=choice, warehouse_id=warehouse_id)
            if row is None:
                available = _available_total([sku_id]).get(sku_id, 0)
                code = sku_code(sku_id)
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
# Documents and warehouses
# --------------------------------------------------------------------------------------------------------


def provisional_number() -> str:
    """A document's unique placeholder number (fits the 32-character column) until the row's id gives the real
    one (PO000042, ST000042): purchase orders and count sheets alike."""
    return f"tmp-{uuid.uuid4().hex}"[:32]


def create_warehouse(*, actor: Any, code: str, name: str, priority: int = 10, sellable: bool = True) -> Warehouse:
    """A warehouse; sellable=False makes a defective/quarantine one (次品仓): counted, never reserved or sold."""
    roles.require(actor, roles.MANAGE_SHOPS)
    warehouse = Warehouse(code=code, name=name, priority=priority, sellable=sellable)
    warehouse.full_clean()
    warehouse.save()
    return warehouse


DEFECTIVE_CODE = "defective"
DEFECTIVE_NAME = "次品仓 Defective"
DEFECTIVE_PRIORITY = 999  # last in every list: nothing is ever picked from it


def defective_warehouse() -> Warehouse:
    """The default quarantine warehouse (次品仓, code "defective") where returned defective units are booked, made
    on first use: the warehouse books returns without the right to create warehouses, and it is the one place
    their stock must go. A warehouse already named "defective" that sells is refused, not quietly used."""
    warehouse, _created = Warehouse.objects.get_or_create(
        code=DEFECTIVE_CODE,
        defaults={"name": DEFECTIVE_NAME, "priority": DEFECTIVE_PRIORITY, "sellable": False},
    )
    if warehouse.sellable:
        raise StockRuleBroken(
            _('Warehouse %(code)s sells its stock: untick its "sellable" flag to use it for defective stock.')
            % {"code": DEFECTIVE_CODE}
        )
    return warehouse


# --------------------------------------------------------------------------------------------------------
# Sales booked in bulk
# --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sale:
    """One request of book_sales: the units of `lines` (SKU id, quantity) reserved and issued at once under
    `reference`; the moves name `document` (the reference when empty)."""

    reference: str
    lines: tuple[tuple[int, int], ...]
    document: str = ""


@dataclass
class _Balance:
    id: int
    sku_id: int
    warehouse_id: int
    on_hand: int
    reserved: int
    priority: int
    active: bool
    sellable: bool = True

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved


@transaction.atomic
def book_sales(*, actor: Any, sales: Iterable[Sale], shop: Shop | None = None) -> list[InsufficientStock | None]:
    """reserve + issue_reserved for many sales in turn (an import of orders the platform shipped before we
    did), in a few statements for all of them instead of a dozen for each.

    The balance rows of every SKU named are locked in (SKU, warehouse) order and served in memory by reserve's
    rules, sale after sale in the order given: each line from one warehouse chosen by the shop's setting, all
    lines or none. A sale that cannot be served whole books nothing and gets the InsufficientStock reserve
    would raise; the others get what the two calls write (issued Reservation rows, one sale-issue move per
    line, on hand down), so check_ledger stays exact. Returns for each sale None (booked) or its
    InsufficientStock. Raises like reserve (bad reference, unknown SKU, beyond the limits), booking nothing.
    """
    roles.require(actor, roles.BOOK_STOCK)
    sales = list(sales)
    document_field = StockMove._meta.get_field("document")
    requests: list[dict[int, int]] = []
    for sale in sales:
        _check_reference(sale.reference)
        if sale.document:
            document_field.clean(sale.document, None)
        wanted: dict[int, int] = defaultdict(int)
        for sku_id, quantity in sale.lines:
            if check_line_quantity(quantity, what=str(sku_id)) <= 0:
                raise StockRuleBroken(_("Reserve a positive quantity."))
            wanted[int(sku_id)] += quantity
        if not wanted:
            raise StockRuleBroken(_("Nothing to reserve."))
        for sku_id, quantity in wanted.items():
            check_line_quantity(quantity, what=partial(sku_code, sku_id))
        check_document_quantity(sum(wanted.values()))
        requests.append(dict(sorted(wanted.items())))
    if not sales:
        return []
    require_skus({sku_id for wanted in requests for sku_id in wanted})
    balances = _lock_balances(sorted({sku_id for wanted in requests for sku_id in wanted}))
    choice = shop.warehouse_choice if shop is not None else WarehouseChoice.PRIORITY
    now = timezone.now()
    outcomes: list[InsufficientStock | None] = []
    reservations: list[tuple[Any, ...]] = []
    moves: list[tuple[Any, ...]] = []
    issued: dict[int, int] = defaultdict(int)  # balance id → units issued
    emptied: set[int] = set()
    codes: dict[int, str] = {}  # how a refusal names a SKU (a short SKU refuses many sales of a big import)
    for sale, wanted in zip(sales, requests, strict=True):
        taken: list[tuple[_Balance, int]] = []
        for sku_id, quantity in wanted.items():
            rows = balances.get(sku_id, [])
            row = _serving(rows, quantity, choice)
            if row is None:
                break
            row.reserved += quantity
            taken.append((row, quantity))
        else:
            emptied.update(row.sku_id for row, _quantity in taken if row.available == 0)
            for row, quantity in sorted(taken, key=lambda item: (item[0].sku_id, item[0].warehouse_id)):
                row.on_hand -= quantity
                row.reserved -= quantity
                issued[row.id] += quantity
                reservations.append(
                    (sale.reference, row.sku_id, row.warehouse_id, quantity, ReservationStatus.ISSUED.value)
                )
                moves.append((row.sku_id, row.warehouse_id, -quantity, sale.document or sale.reference, row.on_hand))
            outcomes.append(None)
            continue
        for row, quantity in taken:
            row.reserved -= quantity
        available = sum(row.available for row in balances.get(sku_id, []) if row.sellable)
        code = codes[sku_id] if sku_id in codes else codes.setdefault(sku_id, sku_code(sku_id))  # once a SKU
        outcomes.append(
            InsufficientStock(
                code,
                quantity,
                available,
                _("%(sku)s: %(wanted)s wanted, %(available)s available.")
                % {"sku": code, "wanted": quantity, "available": available},
            )
        )
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {BALANCE} SET on_hand = on_hand - %s WHERE id = %s", [(n, pk) for pk, n in issued.items()]
        )
    actor_id = actor.pk
    _insert(
        RESERVATION,
        ["reference", "sku_id", "warehouse_id", "quantity", "status", "actor_id", "created_at", "closed_at"],
        [(*row, actor_id, now, now) for row in reservations],
    )
    _insert(
        MOVE,
        ["sku_id", "warehouse_id", "quantity", "document", "on_hand_after", "reason", "note", "actor_id", "created_at"],
        [(*row, MoveReason.SALE_ISSUE.value, "", actor_id, now) for row in moves],
    )
    _sync_listing(emptied, actor=actor)
    return outcomes


def _lock_balances(sku_ids: list[int]) -> dict[int, list[_Balance]]:
    """The balance rows of the SKUs with their warehouse's priority, state and sellable flag, locked in (SKU,
    warehouse) order."""
    found: dict[int, list[_Balance]] = defaultdict(list)
    lock = " FOR UPDATE OF b" if connection.features.has_select_for_update_of else ""
    with connection.cursor() as cursor:
        for start in range(0, len(sku_ids), 500):
            chunk = sku_ids[start : start + 500]
            cursor.execute(
                f"SELECT b.id, b.sku_id, b.warehouse_id, b.on_hand, b.reserved, w.priority, w.is_active, w.sellable "
                f"FROM {BALANCE} b JOIN {WAREHOUSE} w ON w.id = b.warehouse_id "
                f"WHERE b.sku_id IN ({', '.join(['%s'] * len(chunk))}) ORDER BY b.sku_id, b.warehouse_id{lock}",
                chunk,
            )
            for row in cursor.fetchall():
                found[row[1]].append(
                    _Balance(row[0], row[1], row[2], row[3], row[4], row[5], bool(row[6]), bool(row[7]))
                )
    return found


def _serving(rows: list[_Balance], quantity: int, choice: str) -> _Balance | None:
    """The balance row reserve's statement would take the whole line from (_RESERVE_ANY_SQL), or None."""
    candidates = [row for row in rows if row.active and row.sellable and row.available >= quantity]
    if not candidates:
        return None
    if choice == WarehouseChoice.MOST_STOCK:
        return min(candidates, key=lambda row: (-row.available, row.priority, row.warehouse_id))
    return min(candidates, key=lambda row: (row.priority, row.warehouse_id))


def _insert(table: str, columns: list[str], rows: list[tuple[Any, ...]]) -> None:
    """New ledger rows whose values are already checked: COPY on PostgreSQL, one executemany elsewhere (the ORM
    builds each value through its field, several times slower)."""
    if not rows:
        return
    ops = connection.ops
    names = ", ".join(ops.quote_name(column) for column in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {ops.quote_name(table)} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        moments = [i for i, column in enumerate(columns) if column in ("created_at", "closed_at")]
        convert = ops.adapt_datetimefield_value
        rows = [tuple(convert(v) if i in moments else v for i, v in enumerate(row)) for row in rows]
        cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(columns))})", rows)
