"""Reads of the buyer messages: the outbox, opt-outs, a shop's templates (stored or the defaults), and the
order a template's preview is rendered from."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from zhanggui.catalog.models import Shop
from zhanggui.messaging import rendering, senders
from zhanggui.messaging.models import DEFAULT_BODIES, BuyerOptOut, MessageKind, MessageTemplate, OutboxMessage
from zhanggui.orders.models import SHIPPED_STATUSES, Order


def outbox(*, shop: Shop | None = None, status: str = "", kind: str = "", q: str = "") -> QuerySet[OutboxMessage]:
    """Messages, the newest first, optionally of one shop, status and kind; `q` matches the buyer or the
    order number."""
    rows = OutboxMessage.objects.select_related("shop", "order").order_by("-created_at", "-id")
    if shop is not None:
        rows = rows.filter(shop=shop)
    if status:
        rows = rows.filter(status=status)
    if kind:
        rows = rows.filter(kind=kind)
    if q:
        rows = rows.filter(Q(buyer_nick__icontains=q) | Q(order__platform_order_no__icontains=q))
    return rows


def opt_outs(*, shop: Shop | None = None, q: str = "") -> QuerySet[BuyerOptOut]:
    rows = BuyerOptOut.objects.select_related("shop", "created_by").order_by("shop__code", "buyer_nick")
    if shop is not None:
        rows = rows.filter(shop=shop)
    if q:
        rows = rows.filter(buyer_nick__icontains=q)
    return rows


def opt_out_of(shop_id: int, buyer_nick: str) -> BuyerOptOut | None:
    """The buyer's opt-out in the shop, if they have one (nicks match exactly, as the platform writes them)."""
    return BuyerOptOut.objects.filter(shop_id=shop_id, buyer_nick=buyer_nick.strip()).first()


def template_for(shop: Shop, kind: str) -> MessageTemplate:
    """The shop's template of that kind; the default text (unsaved, on) when the shop has none stored."""
    stored = MessageTemplate.objects.filter(shop=shop, kind=kind).first()
    return stored or MessageTemplate(shop=shop, kind=kind, body=DEFAULT_BODIES[MessageKind(kind)], enabled=True)


def templates_for(shop: Shop) -> list[MessageTemplate]:
    """Both of the shop's templates, in the order of MessageKind (stored ones, or the defaults)."""
    stored = {t.kind: t for t in MessageTemplate.objects.filter(shop=shop)}
    return [stored.get(kind) or template_for(shop, kind) for kind in MessageKind.values]


def preview_order(shop: Shop) -> Order | None:
    """The order a preview is written for: the shop's last shipped order, else its newest, else none."""
    orders = Order.objects.select_related("shop").filter(shop=shop)
    return (
        orders.filter(status__in=SHIPPED_STATUSES, shipped_at__isnull=False).order_by("-shipped_at", "-id").first()
        or orders.order_by("-id").first()
    )


def preview_values(shop: Shop) -> tuple[dict[str, str], Order | None]:
    """The placeholders' values for a preview (from preview_order, or examples) and the order they came from."""
    order = preview_order(shop)
    if order is None:
        return {**rendering.EXAMPLE_VALUES, "shop": shop.name}, None
    return rendering.order_values(order), order


def sender_delivers() -> bool:
    """False with the default sender: messages are stored in Zhanggui, not delivered to the platform."""
    return senders.delivers()
