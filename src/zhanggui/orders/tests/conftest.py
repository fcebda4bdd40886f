"""The desk of the order tests: a Taobao shop, one warehouse, and SKUs put in stock on demand."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from zhanggui.catalog.models import Channel, Sku
from zhanggui.catalog.tests.factories import ProductFactory, ShopFactory, SkuFactory
from zhanggui.inventory.models import Warehouse
from zhanggui.inventory.tests.factories import WarehouseFactory
from zhanggui.orders.tests.factories import receive


@pytest.fixture
def shop(db):
    return ShopFactory(code="tb01", name="淘宝店", channel=Channel.TAOBAO)


@pytest.fixture
def wh(db) -> Warehouse:
    return WarehouseFactory(code="main", priority=1)


@pytest.fixture
def stocked(shop, wh) -> Callable[..., Sku]:
    """stocked("TEE-M", 5): a SKU of the shop with that code and 5 units on hand in the warehouse."""
    product = ProductFactory(shop=shop, code="TEE")

    def make(code: str, units: int = 0) -> Sku:
        sku = SkuFactory(product=product, shop=shop, code=code)
        if units:
            receive(sku, wh, units)
        return sku

    return make
