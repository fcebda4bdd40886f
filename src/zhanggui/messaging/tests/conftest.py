"""The desk of the message tests: a Taobao shop with a stocked T-shirt, and orders at the step a message
needs (shipped, delivered), made with the orders' factories."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.utils import timezone

from zhanggui.catalog.models import Channel, Sku
from zhanggui.catalog.tests.factories import ProductFactory, ShopFactory, SkuFactory
from zhanggui.inventory.tests.factories import WarehouseFactory
from zhanggui.orders.models import Order, OrderStatus
from zhanggui.orders.tests.factories import OrderFactory, OrderLineFactory, receive


@pytest.fixture
def shop(db):
    return ShopFactory(code="tb01", name="淘宝店", channel=Channel.TAOBAO)


@pytest.fixture
def tee(shop) -> Sku:
    """A T-shirt of the shop with 20 units on hand."""
    sku = SkuFactory(product=ProductFactory(shop=shop, code="TEE"), shop=shop, code="TEE-M")
    receive(sku, WarehouseFactory(code="main", priority=1), 20)
    return sku


@pytest.fixture
def order_at(shop) -> Callable[..., Order]:
    """order_at(status, **fields): an order of the shop at that step, shipped with 顺丰 SF1001 when shipped."""

    def make(status: str = OrderStatus.SHIPPED, **fields) -> Order:
        if status in (OrderStatus.SHIPPED, OrderStatus.DELIVERED, OrderStatus.COMPLETED):
            fields = {"carrier": "顺丰速运", "tracking_no": "SF1001", "shipped_at": timezone.now(), **fields}
        order = OrderFactory(shop=shop, status=status, **fields)
        OrderLineFactory(order=order, sku_code="TEE-M")
        return order

    return make


@pytest.fixture
def service(users):
    return users["service"]
