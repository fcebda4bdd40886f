"""The demo sells through orders (issue #9): every status is there, and the stock left through the orders."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from django.db.models import Sum
from django.utils import timezone

from zhanggui.demo.catalog_plan import SMALL
from zhanggui.demo.generator import generate_demo
from zhanggui.demo.orders import peak_day, planned_orders
from zhanggui.inventory.models import MoveReason, StockMove
from zhanggui.inventory.services import check_ledger
from zhanggui.orders.models import (
    QUEUE_STATUSES,
    SHIPPED_STATUSES,
    HoldKind,
    Order,
    OrderLine,
    OrderStatus,
    PlatformStatus,
)


@pytest.fixture
def small_demo(db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return generate_demo(size=SMALL)


def test_small_demo_has_orders_in_every_status(small_demo):
    statuses = Counter(Order.objects.values_list("status", flat=True))
    assert statuses[OrderStatus.COMPLETED] + statuses[OrderStatus.SHIPPED] > sum(statuses.values()) / 2
    assert statuses[OrderStatus.SHIPPED] > 0 and statuses[OrderStatus.COMPLETED] > 0
    assert statuses[OrderStatus.PAID] > 0 and statuses[OrderStatus.REVIEWED] > 0
    assert statuses[OrderStatus.ALLOCATED] > 0
    assert statuses[OrderStatus.CANCELLED] > 0
    held = set(Order.objects.filter(status=OrderStatus.ON_HOLD).values_list("hold_kind", flat=True))
    assert {HoldKind.UNKNOWN_SKU, HoldKind.OUT_OF_STOCK} <= held
    overdue = Order.objects.filter(status__in=QUEUE_STATUSES, ship_by__lt=timezone.now())
    assert overdue.exists()
    assert all(timezone.now() - o.paid_at > timedelta(hours=24) for o in overdue)
    # Closed by the buyer on the platform before the wave, and settled by 客服 after a hold.
    assert Order.objects.filter(status=OrderStatus.CANCELLED, platform_status=PlatformStatus.CLOSED).exists()
    assert Order.objects.filter(status=OrderStatus.CANCELLED, platform_status=PlatformStatus.PAID).exists()


def test_small_demo_orders_look_like_the_platforms(small_demo):
    order = Order.objects.filter(status=OrderStatus.COMPLETED).first()
    assert order.buyer_nick and order.receiver_name and len(order.receiver_phone) == 11
    assert order.province and order.city and order.district and order.address
    assert order.carrier and order.tracking_no and order.shipped_at > order.paid_at
    assert order.paid_total == order.lines.aggregate(total=Sum("paid"))["total"]
    line = order.lines.first()
    assert line.sku is not None and line.unit_price == line.sku.price
    assert {"taobao", "jd"} == set(Order.objects.values_list("platform", flat=True))
    # The timeline is backdated with the story: imported at the wave, never in the future.
    assert not Order.objects.filter(imported_at__gt=timezone.now()).exists()
    assert Order.objects.order_by("imported_at").first().imported_at < timezone.now() - timedelta(days=30)


def test_small_demo_stock_left_through_the_orders(small_demo):
    assert check_ledger() == []
    issued = -StockMove.objects.filter(reason=MoveReason.SALE_ISSUE).aggregate(units=Sum("quantity"))["units"]
    shipped = OrderLine.objects.filter(order__status__in=SHIPPED_STATUSES).aggregate(units=Sum("quantity"))["units"]
    assert issued == shipped > 0
    documents = set(StockMove.objects.filter(reason=MoveReason.SALE_ISSUE).values_list("document", flat=True))
    shipped_numbers = set(Order.objects.filter(status__in=SHIPPED_STATUSES).values_list("platform_order_no", flat=True))
    assert documents == shipped_numbers
    # Allocated orders (today's and the overdue) hold their units.
    allocated = Order.objects.filter(status=OrderStatus.ALLOCATED)
    assert allocated.exists() and all(o.stock_reserved for o in allocated)


def test_small_demo_orders_per_day_follow_the_plan(small_demo):
    today = timezone.localdate()
    start = today - timedelta(days=SMALL.history_days)
    plan = planned_orders(SMALL.orders_per_day, start, SMALL.history_days)
    paid = Counter(
        (timezone.localtime(moment).date() - start).days for moment in Order.objects.values_list("paid_at", flat=True)
    )
    last = SMALL.history_days - 1  # the last full day also has the bulk orders that empty a few SKUs
    for day, count in plan.items():
        assert paid[day] >= count if day == last else paid[day] == count, day
    peak = peak_day(start, SMALL.history_days)
    assert plan[peak] == max(plan.values()) >= 3 * SMALL.orders_per_day
    assert paid[SMALL.history_days] > 0 and not paid[0]  # today, up to now; day 0 only opened the shop
