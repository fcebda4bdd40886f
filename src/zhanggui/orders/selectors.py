"""Reads of the orders: the queue by deadline, one order with its lines and timeline, a shop's order rules,
and who sees a receiver's whole phone number."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import F, Prefetch, QuerySet

from zhanggui.catalog.models import Shop
from zhanggui.core import roles
from zhanggui.orders.models import QUEUE_STATUSES, Order, OrderEvent, OrderLine, OrderSettings

#: Who reads a receiver's whole number: 客服 calls the buyer (and 运营 and the manager, who review too). Everyone
#: else, the warehouse included, sees it masked: the platforms print their waybills (电子面单) with it masked.
PHONE_CAPABILITIES = (roles.REVIEW_ORDERS,)


def settings_for(shop: Shop) -> OrderSettings:
    """The shop's order rules; the defaults (24 h promise, 30 minutes, ¥2000) when it has none stored."""
    return OrderSettings.objects.filter(shop=shop).first() or OrderSettings(shop=shop)


def orders(
    *,
    shop: Shop | None = None,
    statuses: tuple[str, ...] | list[str] | None = None,
    due_before: datetime | None = None,
) -> QuerySet[Order]:
    """Orders by deadline, the most urgent first (orders without one last), optionally of one shop, some
    statuses, and a deadline before a moment."""
    qs = Order.objects.select_related("shop").order_by(F("ship_by").asc(nulls_last=True), "id")
    if shop is not None:
        qs = qs.filter(shop=shop)
    if statuses:
        qs = qs.filter(status__in=list(statuses))
    if due_before is not None:
        qs = qs.filter(ship_by__lt=due_before)
    return qs


def queue(*, shop: Shop | None = None, due_before: datetime | None = None) -> QuerySet[Order]:
    """The orders waiting for the team (paid … packed), the most urgent first."""
    return orders(shop=shop, statuses=QUEUE_STATUSES, due_before=due_before)


def order_detail(order_id: int) -> Order:
    """One order with its lines (and their SKUs) and its timeline; raises Order.DoesNotExist."""
    return (
        Order.objects.select_related("shop")
        .prefetch_related(
            Prefetch("lines", queryset=OrderLine.objects.select_related("sku").order_by("position", "id")),
            Prefetch("events", queryset=OrderEvent.objects.select_related("actor").order_by("at", "id")),
        )
        .get(pk=order_id)
    )


def sees_whole_phone(user: Any) -> bool:
    return any(roles.holds(user, capability) for capability in PHONE_CAPABILITIES)


def phone_for(order: Order, user: Any) -> str:
    """The receiver's phone as this person may see it: whole for 客服, the warehouse and the manager."""
    return order.receiver_phone if sees_whole_phone(user) else order.masked_phone
