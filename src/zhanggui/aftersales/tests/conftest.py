"""The desk of the after-sales tests: a Taobao and a JD shop, and a shipped order of two lines on each (a
T-shirt 2 × ¥99.00 paid ¥198.00, a cap ¥59.90 less ¥10.00 paid ¥49.90; ¥247.90 in all)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from zhanggui.catalog.models import Channel
from zhanggui.catalog.tests.factories import ShopFactory
from zhanggui.orders.models import Order, OrderStatus, PlatformStatus
from zhanggui.orders.tests.factories import OrderFactory, OrderLineFactory


@pytest.fixture
def shop(db):
    return ShopFactory(code="tb01", name="淘宝店", channel=Channel.TAOBAO)


@pytest.fixture
def jd_shop(db):
    return ShopFactory(code="jd01", name="京东店", channel=Channel.JD)


def two_line_order(shop, number: str, *, status: str = OrderStatus.SHIPPED) -> Order:
    platform = PlatformStatus.PAID if status == OrderStatus.PAID else PlatformStatus.SHIPPED
    order = OrderFactory(
        shop=shop, platform_order_no=number, status=status, platform_status=platform, paid_total=Decimal("247.90")
    )
    OrderLineFactory(
        order=order, sub_order_id=f"{number}-1", sku_code="TEE-M", quantity=2, unit_price=Decimal("99.00"), position=1
    )
    OrderLineFactory(
        order=order,
        sub_order_id=f"{number}-2",
        sku_code="CAP-RED",
        title="棒球帽",
        quantity=1,
        unit_price=Decimal("59.90"),
        discount=Decimal("10.00"),
        paid=Decimal("49.90"),
        position=2,
    )
    return order


@pytest.fixture
def order(shop) -> Order:
    return two_line_order(shop, "T2001")


@pytest.fixture
def unshipped(shop) -> Order:
    return two_line_order(shop, "T2002", status=OrderStatus.PAID)


@pytest.fixture
def jd_order(jd_shop) -> Order:
    return two_line_order(jd_shop, "J3001")


@pytest.fixture
def service(users):
    return users["service"]


def lines_of(order: Order) -> tuple:
    """The order's (T-shirt, cap) lines."""
    return tuple(order.lines.order_by("position"))
