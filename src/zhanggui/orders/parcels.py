"""合单: a buyer's open orders to one address ship in one parcel.

Each order keeps its platform number, lines, money and reservation (re-imports and the platform's bulk-ship file
still see them as they were); the earliest paid becomes the main order and the others are `merged_into` it. The
desk's steps on the main order carry the merged ones along (orders.services: allocate, pick, pack, ship with one
tracking number, hold and release); a merged order cancelled, or moved by the platform on its own, leaves the
parcel. Only orders not yet on a pick list merge, and merging is a review: every order of the parcel becomes
reviewed, its reservation given back so the parcel is allocated whole.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from zhanggui.core import roles
from zhanggui.inventory.errors import InsufficientStock
from zhanggui.orders import services
from zhanggui.orders.errors import OrderRuleBroken
from zhanggui.orders.models import HoldKind, Order, OrderLine, OrderStatus

S = OrderStatus
#: Not yet on a pick list.
MERGEABLE_STATUSES = (S.PAID, S.REVIEWED, S.ALLOCATED)
#: Holds a merge may end: the review's (it suggested the merge) and a person's. The others wait for their cause.
MERGEABLE_HOLDS = (HoldKind.REVIEW, HoldKind.MANUAL)
#: What a part (拆单) copies from its order: the buyer, the address, the moments and the platform's status.
PART_COPIED_FIELDS = (
    "buyer_nick",
    "receiver_name",
    "receiver_phone",
    "province",
    "city",
    "district",
    "address",
    "created_at_platform",
    "paid_at",
    "ship_by",
    "buyer_note",
    "seller_note",
    "platform_status",
    "platform_status_text",
)
#: What must be the same for two orders to share a parcel.
SAME_FIELDS = ("buyer_nick", "receiver_name", "receiver_phone", "province", "city", "district", "address")


def parcel_key(order: Order) -> tuple[Any, ...]:
    """Shop and the buyer and address as the parcel's label needs them (spaces and case do not count)."""
    return (order.shop_id, *("".join(str(getattr(order, name)).split()).casefold() for name in SAME_FIELDS))


def mergeable(order: Order) -> bool:
    if order.split_from_id is not None:
        return False  # a part ships lines of its order on their own: join it back instead
    if order.status == S.ON_HOLD:
        return order.hold_kind in MERGEABLE_HOLDS and (order.release_to or S.PAID) in MERGEABLE_STATUSES
    return order.status in MERGEABLE_STATUSES


def merge_candidates(order: Order) -> QuerySet[Order]:
    """Other open orders of the same shop and buyer, not yet picked and not merged elsewhere, that could ship with
    this one (the same address checked again by merge_orders, so a candidate may still be refused with a reason)."""
    if order.buyer_nick:
        buyer = Q(buyer_nick=order.buyer_nick)
    else:
        buyer = Q(receiver_name=order.receiver_name, receiver_phone=order.receiver_phone)
    main_id = order.merged_into_id or order.pk
    return (
        Order.objects.filter(buyer, shop_id=order.shop_id, status__in=(*MERGEABLE_STATUSES, S.ON_HOLD))
        .filter(split_from__isnull=True)
        .exclude(pk=order.pk)
        .exclude(pk=main_id)
        .exclude(merged_into_id=main_id)
        .order_by("paid_at", "id")
    )


def _refusal(order: Order, main: Order) -> str | None:
    if not mergeable(order):
        if order.split_from_id is not None:
            return _("order %(no)s is a part of another order: join it back instead") % {"no": order.platform_order_no}
        if order.status == S.ON_HOLD:
            return _("order %(no)s is on hold (%(reason)s): release it first") % {
                "no": order.platform_order_no,
                "reason": order.hold_reason,
            }
        return _("order %(no)s is %(status)s: only orders not yet picked merge") % {
            "no": order.platform_order_no,
            "status": order.get_status_display().lower(),
        }
    if parcel_key(order) != parcel_key(main):
        return _("order %(no)s goes to another buyer, receiver, phone or address than order %(main)s") % {
            "no": order.platform_order_no,
            "main": main.platform_order_no,
        }
    return None


@transaction.atomic
def merge_orders(*, actor: Any, orders: Sequence[Order], reason: str = "") -> Order:
    """Merge the orders (and any parcel one of them heads) into one parcel under the earliest paid; returns the
    main order. Refuses, changing nothing, when any of them cannot join, naming which and why."""
    roles.require(actor, roles.REVIEW_ORDERS)
    ids = {order.pk for order in orders}
    ids |= set(
        Order.objects.filter(merged_into_id__in=ids)
        .exclude(status__in=services.DONE_STATUSES)
        .values_list("pk", flat=True)
    )
    for order in Order.objects.filter(pk__in=ids, merged_into__isnull=False).select_related("merged_into"):
        main = order.merged_into
        if main is not None and main.pk not in ids and main.status not in services.DONE_STATUSES:
            raise OrderRuleBroken(
                _("Order %(no)s already ships with order %(main)s: merge with order %(main)s instead.")
                % {"no": order.platform_order_no, "main": main.platform_order_no}
            )
    locked = list(Order.objects.select_for_update().select_related("shop").filter(pk__in=ids).order_by("paid_at", "id"))
    if len(locked) < 2:
        raise OrderRuleBroken(_("Choose at least two orders to merge."))
    main = locked[0]
    problems = [problem for order in locked if (problem := _refusal(order, main))]
    if problems:
        raise OrderRuleBroken(_("These orders cannot ship in one parcel: %(why)s.") % {"why": "; ".join(problems)})
    numbers = ", ".join(order.platform_order_no for order in locked)
    why = reason.strip() or _("merged: %(orders)s ship in one parcel") % {"orders": numbers}
    main.heads_parcel = True
    main.save(update_fields=["heads_parcel"])
    for order in locked:
        services.release_stock(order, actor)
        order.merged_into = None if order is main else main
        if order.status != S.REVIEWED:
            event = services.change_status(order, S.REVIEWED, actor=actor, reason=why)
        else:
            event = services.note(order, why, actor=actor)
        services.save_changes(order, [event])
    return main


@transaction.atomic
def unmerge(*, actor: Any, order: Order, reason: str = "") -> Order:
    """Take an order out of its parcel (or break up the parcel it heads): each order ships on its own again, in
    the status it is in (an allocated order keeps its own reservation). Only before picking."""
    roles.require(actor, roles.REVIEW_ORDERS)
    order = Order.objects.select_for_update().get(pk=order.pk)
    main = order.merged_into or order
    members = [main, *services.carried_orders(main)] if order.merged_into_id is None else [order]
    if len(members) < 2 and order.merged_into_id is None:
        raise OrderRuleBroken(_("Order %(no)s is not merged with another order.") % {"no": order.platform_order_no})
    if any(member.status not in (*MERGEABLE_STATUSES, S.ON_HOLD) for member in members):
        raise OrderRuleBroken(
            _("Order %(no)s is being picked or has shipped: its parcel stays as it is.")
            % {"no": main.platform_order_no}
        )
    why = reason.strip() or _("unmerged: ships on its own")
    for member in members:
        member.merged_into = None
        services.save_changes(member, [services.note(member, why, actor=actor)])
    return order


# --------------------------------------------------------------------------------------------------------
# 拆单: some lines now, the rest later
# --------------------------------------------------------------------------------------------------------


def part_number(order: Order) -> str:
    """123456-2, -3…: the platform's number and the part's place (the platform's number stays on its order)."""
    taken = set(order.parts.values_list("platform_order_no", flat=True))
    n = 2
    while f"{order.platform_order_no}-{n}" in taken:
        n += 1
    return f"{order.platform_order_no}-{n}"


@transaction.atomic
def split_order(*, actor: Any, order: Order, line_ids: Sequence[int], reason: str = "") -> Order:
    """Ship the chosen lines later, as a part of the order with its own status, reservation, wave and tracking
    number; the order ships the rest. Both must still be unpicked; the order keeps its allocation for the lines it
    keeps (its reservation taken again for them), and the part waits reviewed, to be allocated when its stock
    is there. Returns the part."""
    roles.require(actor, roles.REVIEW_ORDERS)
    order = Order.objects.select_for_update().select_related("shop").get(pk=order.pk)
    if (whole := order.split_from) is not None:
        raise OrderRuleBroken(
            _("Order %(no)s is a part already: split order %(main)s instead.")
            % {"no": order.platform_order_no, "main": whole.platform_order_no}
        )
    if order.merged_into_id is not None or order.merged_orders.exclude(status__in=services.DONE_STATUSES).exists():
        raise OrderRuleBroken(
            _("Order %(no)s ships in a merged parcel: take it out of the parcel first.")
            % {"no": order.platform_order_no}
        )
    if order.status not in MERGEABLE_STATUSES:
        raise OrderRuleBroken(
            _("Order %(no)s is %(status)s: only an order not yet picked is split.")
            % {"no": order.platform_order_no, "status": order.get_status_display().lower()}
        )
    lines = services.fulfilment_lines(order)
    chosen = [line for line in lines if line.pk in set(line_ids)]
    if not chosen:
        raise OrderRuleBroken(_("Tick the lines to ship later."))
    if len(chosen) == len(lines):
        raise OrderRuleBroken(_("Keep at least one line to ship now: a split ships some lines now, the rest later."))
    part = Order.objects.create(
        shop=order.shop,
        platform=order.platform,
        platform_order_no=part_number(order),
        split_from=order,
        **{name: getattr(order, name) for name in PART_COPIED_FIELDS},
        paid_total=Decimal("0.00"),  # the money stays on the platform's order: a part is a shipment
        shipping_fee=Decimal("0.00"),
        status=S.REVIEWED,
    )
    OrderLine.objects.filter(pk__in=[line.pk for line in chosen]).update(ships_in=part)
    codes = ", ".join(f"{line.sku_code or line.sub_order_id} × {line.quantity}" for line in chosen)
    why = reason.strip() or _("split: %(lines)s ship later as %(part)s") % {
        "lines": codes,
        "part": part.platform_order_no,
    }
    events = [services.note(order, why, actor=actor)]
    if order.stock_reserved:  # give back the units of the lines that go, keep those of the lines that stay
        services.release_stock(order, actor)
        kept = [line for line in lines if line not in chosen]
        services.reserve_lines(order, kept, actor)
    order.has_parts = True
    order.save(update_fields=["has_parts"])
    services.save_changes(order, events)
    created = services.note(
        part, _("split from order %(no)s: %(lines)s") % {"no": order.platform_order_no, "lines": codes}, actor=actor
    )
    created.from_status = ""
    services.save_changes(part, [created])
    return part


@transaction.atomic
def join_part(*, actor: Any, part: Order, reason: str = "") -> Order:
    """Put a part's lines back on its order (the buyer would rather wait for everything): the part is cancelled
    with its reservation given back, and an allocated order is allocated again for all its lines (held, with the
    reason, when the stock is short). Returns the order."""
    roles.require(actor, roles.REVIEW_ORDERS)
    part = Order.objects.select_for_update(of=("self",)).select_related("split_from").get(pk=part.pk)
    order = part.split_from
    if order is None:
        raise OrderRuleBroken(_("Order %(no)s is not a part of another order.") % {"no": part.platform_order_no})
    if part.is_replacement:
        raise OrderRuleBroken(
            _("Order %(no)s ships replacements (补发/换货) on its own: cancel it instead.")
            % {"no": part.platform_order_no}
        )
    order = Order.objects.select_for_update().select_related("shop").get(pk=order.pk)
    for which in (order, part):
        if which.status not in (*MERGEABLE_STATUSES, S.ON_HOLD):
            raise OrderRuleBroken(
                _("Order %(no)s is %(status)s: a part joins its order only before either is picked.")
                % {"no": which.platform_order_no, "status": which.get_status_display().lower()}
            )
    lines = services.fulfilment_lines(part)
    services.release_stock(part, actor)
    OrderLine.objects.filter(pk__in=[line.pk for line in lines]).update(ships_in=None)
    why = reason.strip() or _("joined back into order %(no)s") % {"no": order.platform_order_no}
    services.save_changes(part, [services.change_status(part, S.CANCELLED, actor=actor, reason=why)])
    events = [
        services.note(
            order, _("the lines of %(part)s ship with this order again") % {"part": part.platform_order_no}, actor=actor
        )
    ]
    if order.stock_reserved:
        services.release_stock(order, actor)
        try:
            with transaction.atomic():
                services.reserve_lines(order, services.fulfilment_lines(order), actor)
        except InsufficientStock as exc:
            order.stock_reserved = False
            events.append(
                services.put_on_hold(
                    order, HoldKind.OUT_OF_STOCK, services.out_of_stock_reason(exc), actor=actor, release_to=S.REVIEWED
                )
            )
    services.save_changes(order, events)
    return order
