"""Writes of the orders: every change of an order's status goes through here, along Order.ALLOWED_TRANSITIONS,
and writes an OrderEvent saying who and why (the order's timeline).

Stock moves only through inventory.services, under one reservation per order (`order:<pk>`): allocate reserves
every line (all lines or none; short stock puts the order on hold instead), cancel releases, ship issues
(reserving first when the order was never allocated), so `check_ledger()` stays clean after any sequence.

The order's capability is the check (review, fulfil, import: core.roles). The stock calls it causes act as the
person when they hold book_stock, otherwise as the `system` user on the order's behalf; the event names the
person either way (docs/permissions.md, "Orders move stock on their own authority").
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhanggui.catalog.models import Sku
from zhanggui.core import roles
from zhanggui.core.services import system_user
from zhanggui.core.text import bad_code_character, clean_line
from zhanggui.inventory import services as inventory
from zhanggui.inventory.errors import InsufficientStock, ReservationNotFound
from zhanggui.orders import listeners
from zhanggui.orders.errors import InvalidTransition, OrderRuleBroken
from zhanggui.orders.models import (
    MAX_PROMISE_HOURS,
    SHIPPED_STATUSES,
    HoldKind,
    Order,
    OrderEvent,
    OrderLine,
    OrderSettings,
    OrderStatus,
    PlatformStatus,
)

S = OrderStatus
#: Statuses an order has left the desk's hands in: a merged order in one of them no longer moves with its main.
DONE_STATUSES = (*SHIPPED_STATUSES, S.CANCELLED)

#: The capability each status change needs. Payment is seen by an import only; release has its own service.
TRANSITION_CAPABILITY: dict[str, str] = {
    S.PAID: roles.IMPORT_ORDERS,
    S.REVIEWED: roles.REVIEW_ORDERS,
    S.ON_HOLD: roles.REVIEW_ORDERS,
    S.CANCELLED: roles.REVIEW_ORDERS,
    S.ALLOCATED: roles.FULFIL_ORDERS,
    S.PICKING: roles.FULFIL_ORDERS,
    S.PACKED: roles.FULFIL_ORDERS,
    S.SHIPPED: roles.FULFIL_ORDERS,
    S.DELIVERED: roles.FULFIL_ORDERS,
    S.COMPLETED: roles.FULFIL_ORDERS,
}
#: Steps that move stock or need more than a status have a service of their own; `transition` refuses them.
OWN_SERVICE: dict[str, str] = {
    S.PAID: "import_orders",
    S.ALLOCATED: "allocate",
    S.SHIPPED: "ship",
    S.CANCELLED: "cancel",
    S.ON_HOLD: "hold",
}
#: The fields a status change writes (the import writes these and the order's data).
STATUS_FIELDS = [
    "status",
    "hold_kind",
    "hold_reason",
    "release_to",
    "hold_until",
    "merged_into",
    "stock_reserved",
    "carrier",
    "tracking_no",
    "shipped_at",
    "updated_at",
]
REASON_LENGTH = OrderEvent._meta.get_field("reason").max_length or 255
TRACKING_LENGTH = Order._meta.get_field("tracking_no").max_length or 64
CARRIER_LENGTH = Order._meta.get_field("carrier").max_length or 64


# --------------------------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------------------------


def stock_actor(actor: Any) -> Any:
    """Who the ledger names for a stock move an order causes: the person if they book stock, else `system`."""
    return actor if roles.holds(actor, roles.BOOK_STOCK) else system_user()


def promise_deadline(paid_at: datetime | None, settings: OrderSettings) -> datetime | None:
    """paid_at + the shop's promise, never more than 48 hours (the platform's own deadline wins elsewhere)."""
    if paid_at is None:
        return None
    return paid_at + timedelta(hours=min(settings.promise_hours, MAX_PROMISE_HOURS))


def whole_seconds() -> datetime:
    """Now, to the second: the moments an order keeps are written to the second in our own file."""
    return timezone.now().replace(microsecond=0)


def clip_reason(text: str, length: int = REASON_LENGTH) -> str:
    """A reason as a timeline stores it: one clean line, cut with … to its column."""
    text = clean_line(text).strip()
    return text if len(text) <= length else text[: length - 1] + "…"


def _lock(order: Order) -> Order:
    return Order.objects.select_for_update().select_related("shop").get(pk=order.pk)


def _label(status: str) -> str:
    return str(S(status).label) if status in S.values else status


def _check(order: Order, to: str) -> None:
    if to not in Order.ALLOWED_TRANSITIONS[order.status]:
        raise InvalidTransition(
            _("Order %(no)s is %(status)s: it cannot become %(to)s.")
            % {"no": order.platform_order_no, "status": _label(order.status).lower(), "to": _label(to).lower()},
            status=order.status,
            to=to,
        )


def _not_held(order: Order) -> None:
    """The desk's steps forward wait for a held order's release (the table lets a hold end in those statuses, but
    only release_hold and the platform's own shipping take it there)."""
    if order.status == S.ON_HOLD:
        raise InvalidTransition(
            _("Order %(no)s is on hold (%(reason)s): release it first.")
            % {"no": order.platform_order_no, "reason": order.hold_reason},
            status=order.status,
        )


def _has_goods(order: Order, lines: Sequence[OrderLine]) -> None:
    """An order whose goods all ship in its parts (拆单), or whose lines a later export took away, has nothing to
    allocate or ship: it would go out as an empty parcel."""
    if not lines:
        raise OrderRuleBroken(
            _(
                "Order %(no)s has no goods of its own left to ship: its lines ship in its parts, "
                "or the platform took them away."
            )
            % {"no": order.platform_order_no}
        )


def refuse_carried(order: Order) -> None:
    """A merged order moves with its main order: the desk acts on the main one (cancel and the platform's own
    changes take it out of the parcel instead)."""
    main = order.merged_into
    if main is not None and order.status not in DONE_STATUSES and main.status not in DONE_STATUSES:
        raise InvalidTransition(
            _("Order %(no)s ships in one parcel with order %(main)s: act on order %(main)s.")
            % {"no": order.platform_order_no, "main": main.platform_order_no},
            status=order.status,
        )


def carried_orders(order: Order) -> list[Order]:
    """The open orders merged into `order` (合单), locked, the earliest paid first."""
    if not order.heads_parcel:
        return []
    return list(
        Order.objects.select_for_update()
        .select_related("shop")
        .filter(merged_into=order)
        .exclude(status__in=DONE_STATUSES)
        .order_by("paid_at", "id")
    )


def _with_main(order: Order, reason: str) -> str:
    return _("%(reason)s (with order %(main)s)") % {"reason": reason, "main": order.platform_order_no}


def leave_parcel(order: Order) -> None:
    """The order no longer ships in a merged parcel (cancelled, or the platform moved it on its own): a merged
    order just leaves; a main order hands its parcel to the earliest paid of the orders merged into it."""
    if order.merged_into_id is not None:
        order.merged_into = None
        return
    rest = carried_orders(order)
    if not rest:
        return
    main, others = rest[0], rest[1:]
    Order.objects.filter(pk=main.pk).update(merged_into=None, heads_parcel=bool(others))
    Order.objects.filter(pk__in=[other.pk for other in others]).update(merged_into=main)


def _event_actor(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None


def change_status(order: Order, to: str, *, actor: Any, reason: str, at: datetime | None = None) -> OrderEvent:
    """Move the order (in memory) along the table and return its unsaved event; leaving hold clears the hold."""
    _check(order, to)
    event = OrderEvent(
        order=order,
        at=at or timezone.now(),
        actor=_event_actor(actor),
        from_status=order.status,
        to_status=to,
        reason=clip_reason(reason),
    )
    order.status = to
    if to != S.ON_HOLD:
        order.hold_kind = order.hold_reason = order.release_to = ""
    return event


def put_on_hold(
    order: Order, kind: str, reason: str, *, actor: Any, release_to: str = "", at: datetime | None = None
) -> OrderEvent:
    """Hold the order (in memory) with a reason a person reads; a release goes back to `release_to` (default:
    where it was). An order already on hold takes the newer reason."""
    if order.status == S.ON_HOLD:
        order.hold_kind, order.hold_reason = kind, clip_reason(reason)
        order.release_to = release_to or order.release_to
        return OrderEvent(
            order=order,
            at=at or timezone.now(),
            actor=_event_actor(actor),
            from_status=S.ON_HOLD,
            to_status=S.ON_HOLD,
            reason=clip_reason(reason),
        )
    was = order.status
    event = change_status(order, S.ON_HOLD, actor=actor, reason=reason, at=at)
    order.hold_kind, order.hold_reason, order.release_to = kind, clip_reason(reason), release_to or was
    return event


def note(order: Order, text: str, *, actor: Any, at: datetime | None = None) -> OrderEvent:
    """A line on the order's timeline that changes no status (unsaved)."""
    return OrderEvent(
        order=order,
        at=at or timezone.now(),
        actor=_event_actor(actor),
        from_status=order.status,
        to_status=order.status,
        reason=clip_reason(text),
    )


def save_changes(order: Order, events: Sequence[OrderEvent]) -> None:
    """Store what a step changed on the order (its status fields) and its timeline events."""
    order.updated_at = timezone.now()
    order.save(update_fields=STATUS_FIELDS)
    OrderEvent.objects.bulk_create(events)


def fulfilment_lines(order: Order) -> list[OrderLine]:
    """The lines this order picks, packs and ships: a part (拆单) ships the lines that name it; a split order
    ships its lines that name no part; any other order all its lines."""
    if order.split_from_id is not None:
        return list(OrderLine.objects.filter(ships_in=order).order_by("position", "id"))
    if order.has_parts:
        return list(order.lines.filter(ships_in__isnull=True))
    return list(order.lines.all())


def own_lines(order: Order, lines: Sequence[OrderLine]) -> list[OrderLine]:
    """Of the platform order's lines (as an import passes them), those this order ships itself."""
    return [line for line in lines if line.ships_in_id is None or line.ships_in_id == order.pk]


def unknown_codes(lines: Iterable[OrderLine]) -> list[str]:
    """The 商家编码 of lines without a SKU, as written ("" for a line the seller left without one)."""
    return list(dict.fromkeys(line.sku_code for line in lines if line.sku_id is None))


def unknown_sku_reason(codes: Sequence[str]) -> str:
    named = [code for code in codes if code]
    if not named:
        return _("a line has no 商家编码: give it one on the platform, or hold and handle it by hand")
    return _("商家编码 %(codes)s is not in the catalog") % {"codes": ", ".join(named)}


def out_of_stock_reason(exc: InsufficientStock) -> str:
    return _("out of stock: SKU %(sku)s: %(wanted)s wanted, %(available)s available") % {
        "sku": exc.sku_code,
        "wanted": exc.wanted,
        "available": exc.available,
    }


def map_skus(order: Order, lines: Sequence[OrderLine]) -> list[OrderLine]:
    """Find the SKUs of lines that had none by their 商家编码 in the order's shop; returns the lines it set."""
    missing = {line.sku_code for line in lines if line.sku_id is None and line.sku_code}
    if not missing:
        return []
    found = dict(Sku.objects.filter(shop_id=order.shop_id, code__in=missing).values_list("code", "pk"))
    changed = []
    for line in lines:
        if line.sku_id is None and line.sku_code in found:
            line.sku_id = found[line.sku_code]
            changed.append(line)
    return changed


# --------------------------------------------------------------------------------------------------------
# Stock, through inventory.services only
# --------------------------------------------------------------------------------------------------------


def _units(lines: Sequence[OrderLine]) -> list[tuple[int, int]]:
    """(SKU id, quantity) of lines that all have their SKU (callers checked unknown_codes first)."""
    units = [(line.sku_id, line.quantity) for line in lines if line.sku_id is not None]
    if len(units) != len(lines):
        raise OrderRuleBroken(unknown_sku_reason(unknown_codes(lines)))
    return units


def reserve_lines(order: Order, lines: Sequence[OrderLine], actor: Any) -> None:
    """Reserve every line, all or none (raises InsufficientStock naming the first SKU short)."""
    inventory.reserve(
        actor=stock_actor(actor),
        reference=order.reservation_reference,
        lines=_units(lines),
        shop=order.shop,
    )
    order.stock_reserved = True


def release_stock(order: Order, actor: Any) -> None:
    """Give back the order's reserved units, if it holds any."""
    if not order.stock_reserved:
        return
    # ReservationNotFound: released through the inventory already, nothing is held under the order's name.
    with contextlib.suppress(ReservationNotFound):
        inventory.release(actor=stock_actor(actor), reference=order.reservation_reference)
    order.stock_reserved = False


def book_sale(order: Order, lines: Sequence[OrderLine], actor: Any) -> None:
    """Issue the order's units: its reservation, or reserve and issue at once when it was never allocated.

    In a savepoint: raises OrderRuleBroken (a line without a SKU) or InsufficientStock, booking nothing.
    """
    lines = own_lines(order, lines)
    if not lines:  # every line of its own went to a part, or off the platform's order: nothing leaves
        release_stock(order, actor)
        return
    unknown = unknown_codes(lines)
    if unknown:
        raise OrderRuleBroken(unknown_sku_reason(unknown), codes=unknown)
    who = stock_actor(actor)
    reference = order.reservation_reference
    with transaction.atomic():
        issued = False
        if order.stock_reserved:
            try:
                inventory.issue_reserved(actor=who, reference=reference, document=order.platform_order_no)
                issued = True
            except ReservationNotFound:
                pass  # released through the inventory meanwhile: reserve again below
        if not issued:
            inventory.reserve(actor=who, reference=reference, lines=_units(lines), shop=order.shop)
            inventory.issue_reserved(actor=who, reference=reference, document=order.platform_order_no)
    order.stock_reserved = False


# --------------------------------------------------------------------------------------------------------
# The desk's steps
# --------------------------------------------------------------------------------------------------------


@transaction.atomic
def transition(*, actor: Any, order: Order, to: str, reason: str = "") -> Order:
    """A plain step along the table: review, picking, packed, delivered, completed. Steps that move stock or
    hold an order have their own service (allocate, ship, cancel, hold, release_hold)."""
    if to not in S.values:
        raise InvalidTransition(_("Unknown order status %(status)s.") % {"status": to})
    if to in OWN_SERVICE:
        raise InvalidTransition(
            _("Use %(service)s to make an order %(status)s.")
            % {"service": OWN_SERVICE[to], "status": _label(to).lower()}
        )
    roles.require(actor, TRANSITION_CAPABILITY[to])
    order = _lock(order)
    refuse_carried(order)
    _not_held(order)
    if order.stock_reserved and to in (S.PAID, S.REVIEWED):
        raise InvalidTransition(
            _("Order %(no)s holds reserved stock: cancel it, or merge it, to take it back.")
            % {"no": order.platform_order_no},
            status=order.status,
            to=to,
        )
    carried = [other for other in carried_orders(order) if other.status == order.status]  # held ones wait
    save_changes(order, [change_status(order, to, actor=actor, reason=reason)])
    for other in carried:
        save_changes(other, [change_status(other, to, actor=actor, reason=_with_main(order, reason))])
    return order


def review(*, actor: Any, order: Order, reason: str = "") -> Order:
    """审单: address, stock and risk checked; the order may be allocated."""
    return transition(actor=actor, order=order, to=S.REVIEWED, reason=reason or _("reviewed"))


def mark_delivered(*, actor: Any, order: Order, reason: str = "") -> Order:
    order = transition(actor=actor, order=order, to=S.DELIVERED, reason=reason or _("delivered"))
    listeners.delivered(order)  # the buyer's 签收提醒 (messaging), queued once this commits
    return order


def mark_completed(*, actor: Any, order: Order, reason: str = "") -> Order:
    return transition(actor=actor, order=order, to=S.COMPLETED, reason=reason or _("completed"))


@transaction.atomic
def allocate(*, actor: Any, order: Order) -> Order:
    """配货: reserve every line's SKU (all or none). Short stock or a line without a SKU does not fail: the order
    goes on hold with the reason, for 客服 to call the buyer; the returned order says which happened."""
    roles.require(actor, roles.FULFIL_ORDERS)
    order = _lock(order)
    refuse_carried(order)
    _not_held(order)
    # A merged parcel is allocated whole or held whole (an order of it still allocated keeps its reservation).
    parcel = [order, *(other for other in carried_orders(order) if not other.stock_reserved)]
    lines: dict[int, list[OrderLine]] = {}
    for member in parcel:
        _check(member, S.ALLOCATED)
        lines[member.pk] = fulfilment_lines(member)
        _has_goods(member, lines[member.pk])
        map_skus_and_save(member, lines[member.pk])
    unknown = [code for member in parcel for code in unknown_codes(lines[member.pk])]
    kind, why = "", ""
    if unknown:
        kind, why = HoldKind.UNKNOWN_SKU, unknown_sku_reason(list(dict.fromkeys(unknown)))
    else:
        try:
            with transaction.atomic():
                for member in parcel:
                    reserve_lines(member, lines[member.pk], actor)
        except InsufficientStock as exc:
            for member in parcel:
                member.stock_reserved = False  # the savepoint took every reservation of the parcel back
            kind, why = HoldKind.OUT_OF_STOCK, out_of_stock_reason(exc)
    for member in parcel:
        reason = why if member is order else _with_main(order, why)
        if kind:
            event = put_on_hold(member, kind, reason, actor=actor)
        else:
            event = change_status(member, S.ALLOCATED, actor=actor, reason=reason or _("allocated"))
        save_changes(member, [event])
    return order


def map_skus_and_save(order: Order, lines: Sequence[OrderLine]) -> None:
    changed = map_skus(order, lines)
    if changed:
        OrderLine.objects.bulk_update(changed, ["sku"])


@transaction.atomic
def cancel(*, actor: Any, order: Order, reason: str) -> Order:
    """Cancel an order that has not shipped; its reserved units go back to stock."""
    roles.require(actor, roles.REVIEW_ORDERS)
    if not clean_line(reason).strip():
        raise OrderRuleBroken(_("Say why the order is cancelled."))
    order = _lock(order)
    _check(order, S.CANCELLED)
    if (whole := order.split_from) is not None and not order.is_replacement:  # a replacement parcel is ours alone
        raise OrderRuleBroken(
            _("Order %(no)s is a part of order %(main)s: join it back into that order, or cancel that order.")
            % {"no": order.platform_order_no, "main": whole.platform_order_no}
        )
    parts = list(order.parts.select_for_update().exclude(status__in=DONE_STATUSES)) if order.has_parts else []
    for part in parts:
        _check(part, S.CANCELLED)
    release_stock(order, actor)
    leave_parcel(order)
    save_changes(order, [change_status(order, S.CANCELLED, actor=actor, reason=reason)])
    for part in parts:
        release_stock(part, actor)
        save_changes(part, [change_status(part, S.CANCELLED, actor=actor, reason=_with_main(order, reason))])
    return order


def _tracking(carrier: str, tracking_no: str) -> tuple[str, str]:
    carrier, tracking_no = clean_line(carrier).strip(), tracking_no.strip()
    if not carrier or not tracking_no:
        raise OrderRuleBroken(_("Give the carrier and the tracking number."))
    if len(carrier) > CARRIER_LENGTH or len(tracking_no) > TRACKING_LENGTH:
        raise OrderRuleBroken(
            _("A carrier or a tracking number is at most %(max)s characters.") % {"max": TRACKING_LENGTH}
        )
    if bad_code_character(tracking_no) is not None:
        raise OrderRuleBroken(_("The tracking number holds an invisible or control character; type it again."))
    return carrier, tracking_no


@transaction.atomic
def ship(*, actor: Any, order: Order, carrier: str, tracking_no: str, at: datetime | None = None) -> Order:
    """发货: the parcel left with `carrier` under `tracking_no`. Issues the reservation (or reserves and issues
    at once for an order shipped without allocation); short stock refuses the step and changes nothing."""
    roles.require(actor, roles.FULFIL_ORDERS)
    carrier, tracking_no = _tracking(carrier, tracking_no)
    order = _lock(order)
    refuse_carried(order)
    _not_held(order)
    # One parcel, one tracking number for every merged order at the main's step (a held one waits).
    parcel = [order, *(other for other in carried_orders(order) if other.status == order.status)]
    at = at or whole_seconds()
    reason = _("shipped: %(carrier)s %(no)s") % {"carrier": carrier, "no": tracking_no}
    shipping = {}
    for member in parcel:
        _check(member, S.SHIPPED)
        shipping[member.pk] = fulfilment_lines(member)
        _has_goods(member, shipping[member.pk])
    for member in parcel:
        lines = shipping[member.pk]
        map_skus_and_save(member, lines)
        book_sale(member, lines, actor)
        member.carrier, member.tracking_no, member.shipped_at = carrier, tracking_no, at
        event = change_status(
            member, S.SHIPPED, actor=actor, reason=reason if member is order else _with_main(order, reason)
        )
        save_changes(member, [event])
    listeners.shipped(order)  # the buyer's notice (messaging), one a parcel, queued once this commits
    return order


@transaction.atomic
def hold(*, actor: Any, order: Order, reason: str) -> Order:
    """Stop an order where it is (a buyer asked to wait, an address to check); its reservation stays."""
    roles.require(actor, roles.REVIEW_ORDERS)
    if not clean_line(reason).strip():
        raise OrderRuleBroken(_("Say why the order is held."))
    order = _lock(order)
    refuse_carried(order)
    if order.status == S.ON_HOLD:
        raise InvalidTransition(_("Order %(no)s is already on hold.") % {"no": order.platform_order_no})
    _check(order, S.ON_HOLD)
    carried = carried_orders(order)
    save_changes(order, [put_on_hold(order, HoldKind.MANUAL, reason, actor=actor)])
    for other in carried:
        if other.status != S.ON_HOLD:
            save_changes(other, [put_on_hold(other, HoldKind.MANUAL, _with_main(order, reason), actor=actor)])
    return order


@transaction.atomic
def release_hold(*, actor: Any, order: Order, reason: str = "") -> Order:
    """Send a held order back to where it was held from. Lines without a SKU are looked up again first (the
    SKU may have been added to the catalog since); one still unknown refuses the release. An order the
    platform shipped while on hold has its sale booked now (short stock refuses, changing nothing)."""
    roles.require(actor, roles.REVIEW_ORDERS)
    order = _lock(order)
    refuse_carried(order)
    if order.status != S.ON_HOLD:
        raise InvalidTransition(_("Order %(no)s is not on hold.") % {"no": order.platform_order_no})
    reason = reason or _("released from hold")
    parcel = [order, *(other for other in carried_orders(order) if other.status == S.ON_HOLD)]
    lines: dict[int, list[OrderLine]] = {}
    for member in parcel:
        lines[member.pk] = fulfilment_lines(member)
        map_skus_and_save(member, lines[member.pk])
        unknown = unknown_codes(lines[member.pk])
        if unknown:
            raise OrderRuleBroken(unknown_sku_reason(unknown), codes=unknown)
    for member in parcel:
        why = reason if member is order else _with_main(order, reason)
        save_changes(member, _release(member, lines[member.pk], actor=actor, reason=why))
    return order


def _release(order: Order, lines: Sequence[OrderLine], *, actor: Any, reason: str) -> list[OrderEvent]:
    target = order.release_to or S.PAID
    if target in (S.ALLOCATED, S.PICKING, S.PACKED) and not order.stock_reserved:
        target = S.REVIEWED  # its units were given back while it was held: allocate it again
    if target not in SHIPPED_STATUSES:
        return [change_status(order, target, actor=actor, reason=reason)]
    book_sale(order, lines, actor)
    order.shipped_at = order.shipped_at or whole_seconds()
    events = [change_status(order, S.SHIPPED, actor=actor, reason=reason)]
    if order.platform_status == PlatformStatus.COMPLETED:
        events.append(change_status(order, S.COMPLETED, actor=actor, reason=_("completed on the platform")))
    return events


# --------------------------------------------------------------------------------------------------------
# Following the platform (called by orders.imports inside its transaction; it checked import_orders)
# --------------------------------------------------------------------------------------------------------


def follow_platform(*, actor: Any, order: Order, lines: Sequence[OrderLine], at: datetime) -> list[OrderEvent]:
    """Bring the order's status where the platform's says it is (_follow_platform); an order the platform moved
    (closed, shipped, held for its sale) leaves a merged parcel it was in."""
    events = _follow_platform(actor=actor, order=order, lines=lines, at=at)
    if order.has_parts and order.status in DONE_STATUSES:
        follow_parts(order, actor=actor, at=at)
    return _leave_parcel_if_moved(order, events)


def follow_parts(order: Order, *, actor: Any, at: datetime) -> None:
    """The platform closed or shipped a split order: its open parts follow (closed: cancelled, their units given
    back; shipped: their sale booked, or held with the reason when it cannot be). A replacement part (补发/换货)
    is our own parcel: the platform shipping its order does not ship it, and the platform closing it (a refund,
    often the case's own) holds it for a person to decide, never cancels it (hold_replacement)."""
    for part in order.parts.select_for_update().exclude(status__in=DONE_STATUSES):
        if part.is_replacement:
            if order.platform_status == PlatformStatus.CLOSED:
                hold_replacement(part, actor=actor, at=at)
            continue
        lines = fulfilment_lines(part)
        if order.status == S.CANCELLED or not lines:
            release_stock(part, actor)
            why = _("its order was closed on the platform") if lines else _("its lines are gone from the order")
            event = change_status(part, S.CANCELLED, actor=actor, reason=why, at=at)
        else:
            try:
                book_sale(part, lines, actor)
            except (InsufficientStock, OrderRuleBroken) as exc:
                why = out_of_stock_reason(exc) if isinstance(exc, InsufficientStock) else exc.message
                reason = _("shipped on the platform, but its sale cannot be booked: %(why)s") % {"why": why}
                event = put_on_hold(part, HoldKind.OUT_OF_STOCK, reason, actor=actor, release_to=S.SHIPPED, at=at)
            else:
                part.shipped_at = part.shipped_at or at.replace(microsecond=0)
                event = change_status(part, S.SHIPPED, actor=actor, reason=_("shipped on the platform"), at=at)
        save_changes(part, [event])


def hold_replacement(part: Order, *, actor: Any, at: datetime) -> None:
    """The platform closed the order an open replacement part ships for: hold the part (its reservation kept) so
    a person reads the after-sales case and cancels it or releases it; a later file never cancels it."""
    if part.status == S.ON_HOLD and part.hold_kind == HoldKind.PLATFORM_CLOSED:
        return
    reason = _("its order was closed on the platform: check the after-sales case, then cancel or release this part")
    save_changes(part, [put_on_hold(part, HoldKind.PLATFORM_CLOSED, reason, actor=actor, at=at)])


def _leave_parcel_if_moved(order: Order, events: list[OrderEvent]) -> list[OrderEvent]:
    """A merged order the platform moved leaves its parcel. A main order the platform moved keeps it: held, the
    parcel waits with it; shipped or closed, the orders merged into it go on alone (refuse_carried and the waves
    treat a merged order whose main is done as an order of its own), so the import needs no query per order."""
    moved = any(event.from_status != event.to_status for event in events)
    if moved and order.merged_into_id is not None and order.status in (*DONE_STATUSES, S.ON_HOLD):
        order.merged_into = None
    return events


def _follow_platform(*, actor: Any, order: Order, lines: Sequence[OrderLine], at: datetime) -> list[OrderEvent]:
    """Bring the order's status where the platform's (just stored in platform_status) says it is.

    Closed there: cancelled here, its reservation released (an order already shipped is after-sales, left as
    it is). Paid: an unpaid order enters the queue, or is held when a line's 商家编码 is not in the catalog.
    Shipped or completed there: shipped here with its sale booked (the reservation issued, or reserved and
    issued at once); when the sale cannot be booked (short stock, unknown SKU) the order is held with the
    reason and shipped when released. Changes the order in memory; returns the events to store.
    """
    events: list[OrderEvent] = []
    platform = order.platform_status
    if order.status in (S.COMPLETED, S.CANCELLED) or platform == PlatformStatus.UNPAID:
        return events
    if platform == PlatformStatus.CLOSED:
        if order.status not in SHIPPED_STATUSES:
            release_stock(order, actor)
            reason = _("closed on the platform")
            if order.platform_status_text:
                reason += f": {order.platform_status_text}"
            events.append(change_status(order, S.CANCELLED, actor=actor, reason=reason, at=at))
        return events
    if order.status == S.UNPAID:
        events.append(change_status(order, S.PAID, actor=actor, reason=_("paid on the platform"), at=at))
    if platform == PlatformStatus.PAID:
        events += hold_unknown(order, lines, actor=actor, at=at)
        return events
    if order.status not in SHIPPED_STATUSES:
        failure: InsufficientStock | OrderRuleBroken | None = None
        try:
            book_sale(order, lines, actor)
        except (InsufficientStock, OrderRuleBroken) as exc:
            failure = exc
        return events + shipped_on_platform(order, actor=actor, at=at, failure=failure)
    if platform == PlatformStatus.COMPLETED and order.status in (S.SHIPPED, S.DELIVERED):
        events.append(change_status(order, S.COMPLETED, actor=actor, reason=_("completed on the platform"), at=at))
    return events


def shipped_on_platform(
    order: Order, *, actor: Any, at: datetime, failure: InsufficientStock | OrderRuleBroken | None = None
) -> list[OrderEvent]:
    """The platform shipped an order we had not, and its sale was booked (`failure` None: shipped, and completed
    when the platform says so) or could not be (held with the reason, to ship when released). The import books
    the sales of many new orders at once (inventory.book_sales) and calls this for each."""
    if failure is not None:
        kind = HoldKind.OUT_OF_STOCK if isinstance(failure, InsufficientStock) else HoldKind.UNKNOWN_SKU
        why = out_of_stock_reason(failure) if isinstance(failure, InsufficientStock) else failure.message
        reason = _("shipped on the platform, but its sale cannot be booked: %(why)s") % {"why": why}
        return [put_on_hold(order, kind, reason, actor=actor, release_to=S.SHIPPED, at=at)]
    order.shipped_at = order.shipped_at or at.replace(microsecond=0)  # written to the second in files
    events = [change_status(order, S.SHIPPED, actor=actor, reason=_("shipped on the platform"), at=at)]
    if order.platform_status == PlatformStatus.COMPLETED:
        events.append(change_status(order, S.COMPLETED, actor=actor, reason=_("completed on the platform"), at=at))
    return events


def hold_unknown(order: Order, lines: Sequence[OrderLine], *, actor: Any, at: datetime) -> list[OrderEvent]:
    """A paid order with a line whose 商家编码 is not in the catalog cannot be allocated: hold it, saying which."""
    unknown = unknown_codes(lines)
    if order.status != S.PAID or not unknown:
        return []
    return [put_on_hold(order, HoldKind.UNKNOWN_SKU, unknown_sku_reason(unknown), actor=actor, at=at)]


def resume_if_known(order: Order, lines: Sequence[OrderLine], *, actor: Any, at: datetime) -> list[OrderEvent]:
    """An order held only because a 商家编码 was unknown goes on once every line has its SKU (a later import
    found them in the catalog)."""
    if order.status != S.ON_HOLD or order.hold_kind != HoldKind.UNKNOWN_SKU or unknown_codes(lines):
        return []
    reason = _("every 商家编码 is in the catalog now")
    try:
        return _release(order, lines, actor=actor, reason=reason)
    except InsufficientStock as exc:
        why = _("shipped on the platform, but its sale cannot be booked: %(why)s") % {"why": out_of_stock_reason(exc)}
        return [put_on_hold(order, HoldKind.OUT_OF_STOCK, why, actor=actor, at=at)]


def lines_changed(order: Order, *, actor: Any, at: datetime) -> list[OrderEvent]:
    """The platform changed the SKUs or quantities of an allocated order: its reservation no longer fits, so
    it is given back and the order held, to be allocated again once someone has looked. The parts of a split
    order are held the same way (a line of theirs may be what changed)."""
    reason = _("the platform changed the lines after allocation: check them and allocate again")
    if order.has_parts:
        parts = order.parts.select_for_update().exclude(status__in=(*DONE_STATUSES, S.ON_HOLD))
        for part in parts.filter(is_replacement=False):  # a replacement part's lines are ours: no file changes them
            release_stock(part, actor)
            event = put_on_hold(part, HoldKind.LINES_CHANGED, reason, actor=actor, release_to=S.REVIEWED, at=at)
            save_changes(part, [event])
    if not order.stock_reserved or order.status in SHIPPED_STATUSES:
        return []
    release_stock(order, actor)
    events = [put_on_hold(order, HoldKind.LINES_CHANGED, reason, actor=actor, release_to=S.REVIEWED, at=at)]
    return _leave_parcel_if_moved(order, events)
