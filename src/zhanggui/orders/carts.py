"""The what-if report's orders source (docs/pricing.md, "What-if"): the last N days of a shop's orders, each
replayed as one cart. Promotions may not import orders (ARCHITECTURE.md, "Which way imports point"), so
OrdersConfig.ready() registers `order_carts` with promotions.pricing.whatif.

The rules, each so that the carts are the baskets buyers really paid for:
- the window is the last N days of the desk's calendar (settings.TIME_ZONE, the shop's time zone), today
  included, up to now, by when the order was paid (placed, for an order never paid);
- cancelled orders and orders waiting for payment are left out and counted; every other status is replayed
  (held orders were paid: their baskets are real);
- a cart is the order's lines: the SKU (its catalog code, product, category and role, which scopes name), the
  quantity and the unit price the platform listed it at, before any discount; the buyer's platform nick as the
  buyer. No coupons (the exports do not say which were used) and no member tier (members sit above orders);
- a line whose 商家编码 matched no SKU is left out and counted; an order left with no line is left out, and so
  is one the engine cannot take (more than MAX_LINES lines, or a line over MAX_COUNT units).
Two queries: the orders of the window, then the lines of those replayed with their SKUs.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, time, timedelta
from typing import Any

from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from zhanggui.catalog.models import Shop
from zhanggui.orders.models import Order, OrderLine, OrderStatus
from zhanggui.promotions.pricing.whatif import DEFAULT_DAYS, ORDERS, SourcedCarts, register_cart_source
from zhanggui.promotions.spec import MAX_COUNT, MAX_LINES

LABEL = gettext_lazy("The last N days of this shop's orders")
# Why an order is not replayed: its status, or what its lines left of it.
CANCELLED, UNPAID, NO_SKU, TOO_BIG = "cancelled", "unpaid", "no_sku", "too_big"
LEFT_OUT_STATUSES: dict[str, str] = {OrderStatus.CANCELLED: CANCELLED, OrderStatus.UNPAID: UNPAID}


def register() -> None:
    """Offer the orders to the what-if report (OrdersConfig.ready)."""
    register_cart_source(ORDERS, LABEL, order_carts)


def window(days: int, now: datetime | None = None) -> tuple[datetime, datetime]:
    """[start of the day days − 1 days before today, now], days of settings.TIME_ZONE."""
    tz = timezone.get_default_timezone()
    now = now or timezone.now()
    first = timezone.localdate(now, tz) - timedelta(days=days - 1)
    return timezone.make_aware(datetime.combine(first, time.min), tz), now


def order_carts(*, shop: Shop, days: int = DEFAULT_DAYS, now: datetime | None = None) -> SourcedCarts:
    """The shop's orders of the last `days` days as carts, with what was left out and why (module docstring)."""
    since, until = window(days, now)
    in_window = (
        Order.objects.filter(shop=shop)
        .alias(moment=Coalesce("paid_at", "created_at_platform"))
        .filter(moment__gte=since, moment__lte=until)
    )
    left_out: Counter[str] = Counter()
    buyers: dict[int, str] = {}
    for order_id, status, buyer in in_window.order_by("id").values_list("id", "status", "buyer_nick"):
        if status in LEFT_OUT_STATUSES:
            left_out[LEFT_OUT_STATUSES[status]] += 1
        else:
            buyers[order_id] = buyer
    lines: dict[int, list[dict[str, Any]]] = {order_id: [] for order_id in buyers}
    lines_without_sku = 0
    rows = (
        OrderLine.objects.filter(order__in=in_window.filter(~Q(status__in=list(LEFT_OUT_STATUSES))))
        .order_by("order_id", "position", "id")
        .values_list(
            "order_id",
            "sku__code",
            "quantity",
            "unit_price",
            "sku__product__code",
            "sku__product__category__name",
            "sku__product__role",
        )
    )
    for order_id, code, quantity, unit_price, product, category, role in rows:
        if order_id not in lines:  # an order that changed status between the two queries
            continue
        if code is None:
            lines_without_sku += 1
            continue
        lines[order_id].append(
            {
                "sku": code,
                "quantity": quantity,
                "unit_price": f"{unit_price:.2f}",
                "product": product,
                "category": category or "",
                "role": role,
            }
        )
    carts = []
    for order_id, cart_lines in lines.items():
        if not cart_lines:
            left_out[NO_SKU] += 1
        elif len(cart_lines) > MAX_LINES or any(line["quantity"] > MAX_COUNT for line in cart_lines):
            left_out[TOO_BIG] += 1
        else:
            cart: dict[str, Any] = {"lines": cart_lines}
            if buyers[order_id]:
                cart["buyer"] = {"id": buyers[order_id]}
            carts.append(cart)
    facts = {
        "source": ORDERS,
        "days": days,
        "since": since.isoformat(),
        "until": timezone.localtime(until, timezone.get_default_timezone()).isoformat(),
        "orders_replayed": len(carts),
        "orders_left_out": {reason: left_out[reason] for reason in (CANCELLED, UNPAID, NO_SKU, TOO_BIG)},
        "lines_without_sku": lines_without_sku,
    }
    return SourcedCarts(carts, _summary(shop, since, until, len(carts), left_out, lines_without_sku), facts)


def _summary(
    shop: Shop, since: datetime, until: datetime, replayed: int, left_out: Counter[str], lines_without_sku: int
) -> str:
    """One sentence for the what-if page: how many orders were replayed, and what was left out and why."""
    tz = timezone.get_default_timezone()
    text = ngettext(
        "%(n)s order of %(shop)s paid from %(since)s to %(until)s replayed as its cart.",
        "%(n)s orders of %(shop)s paid from %(since)s to %(until)s replayed, one cart each.",
        replayed,
    ) % {
        "n": replayed,
        "shop": shop.name,
        "since": timezone.localtime(since, tz).strftime("%Y-%m-%d"),
        "until": timezone.localtime(until, tz).strftime("%Y-%m-%d %H:%M"),
    }
    reasons = [
        words % {"n": left_out[reason]}
        for reason, words in (
            (CANCELLED, ngettext("%(n)s cancelled", "%(n)s cancelled", left_out[CANCELLED])),
            (UNPAID, ngettext("%(n)s waiting for payment", "%(n)s waiting for payment", left_out[UNPAID])),
            (
                NO_SKU,
                ngettext("%(n)s with no SKU in the catalog", "%(n)s with no SKU in the catalog", left_out[NO_SKU]),
            ),
            (
                TOO_BIG,
                ngettext(
                    "%(n)s too big for the pricing engine", "%(n)s too big for the pricing engine", left_out[TOO_BIG]
                ),
            ),
        )
        if left_out[reason]
    ]
    if reasons:
        text += " " + _("Left out: %(reasons)s.") % {"reasons": ", ".join(reasons)}
    if lines_without_sku:
        text += " " + ngettext(
            "%(n)s line whose SKU code is not in the catalog was left out of its cart.",
            "%(n)s lines whose SKU codes are not in the catalog were left out of their carts.",
            lines_without_sku,
        ) % {"n": lines_without_sku}
    return text
