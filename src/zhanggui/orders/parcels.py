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
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from zhanggui.core import roles
from zhanggui.orders import services
from zhanggui.orders.errors import OrderRuleBroken
from zhanggui.orders.models import HoldKind, Order, OrderStatus

S = OrderStatus
#: Not yet on a pick list.
MERGEABLE_STATUSES = (S.PAID, S.REVIEWED, S.ALLOCATED)
#: Holds a merge may end: the review's (it suggested the merge) and a person's. The others wait for their cause.
MERGEABLE_HOLDS = (HoldKind.REVIEW, HoldKind.MANUAL)
#: What must be the same for two orders to share a parcel.
SAME_FIELDS = ("buyer_nick", "receiver_name", "receiver_phone", "province", "city", "district", "address")


def parcel_key(order: Order) -> tuple[Any, ...]:
    """Shop and the buyer and address as the parcel's label needs them (spaces and case do not count)."""
    return (order.shop_id, *("".join(str(getattr(order, name)).split()).casefold() for name in SAME_FIELDS))


def mergeable(order: Order) -> bool:
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
        .exclude(pk=order.pk)
        .exclude(pk=main_id)
        .exclude(merged_into_id=main_id)
        .order_by("paid_at", "id")
    )


def _refusal(order: Order, main: Order) -> str | None:
    if not mergeable(order):
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
        if order.merged_into_id not in ids and order.merged_into.status not in services.DONE_STATUSES:
            raise OrderRuleBroken(
                _("Order %(no)s already ships with order %(main)s: merge with order %(main)s instead.")
                % {"no": order.platform_order_no, "main": order.merged_into.platform_order_no}
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
