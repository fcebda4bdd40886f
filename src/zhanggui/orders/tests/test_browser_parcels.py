"""合单 and 拆单 in a real headless Chromium: 客服 ticks the buyer's other order on an order page and merges them,
then ticks a line of another order and ships it later as a part (see core/tests/browser.py for the setup)."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest

from zhanggui.catalog.models import Channel
from zhanggui.catalog.tests.factories import ProductFactory, ShopFactory, SkuFactory
from zhanggui.core.tests.browser import log_in
from zhanggui.inventory.tests.factories import WarehouseFactory
from zhanggui.orders.models import Order, OrderStatus
from zhanggui.orders.tests.factories import PAID_AT, OrderFactory, OrderLineFactory, receive

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(os.environ.get("ZHANGGUI_SCREENSHOTS", "/tmp/zhanggui-shots"))


def test_service_merges_a_buyers_orders_and_splits_a_line_off_another(page, live_server, users):
    shop = ShopFactory(code="tb01", name="棉语淘宝店", channel=Channel.TAOBAO)
    warehouse = WarehouseFactory(code="hz", name="杭州主仓", priority=1)
    product = ProductFactory(shop=shop, code="TX", title="纯棉圆领T恤")
    tee, cap = (SkuFactory(product=product, shop=shop, code=code) for code in ("TX-W-M", "CAP-01"))
    receive(tee, warehouse, 10)
    first = OrderFactory(shop=shop, platform_order_no="M-1")
    second = OrderFactory(shop=shop, platform_order_no="M-2", paid_at=PAID_AT + timedelta(minutes=9))
    two_lines = OrderFactory(shop=shop, platform_order_no="S-1", buyer_nick="tb_other", receiver_name="王强")
    for order, sku in ((first, tee), (second, tee), (two_lines, tee), (two_lines, cap)):
        OrderLineFactory(order=order, sku=sku)
    base = live_server.url
    log_in(page, base, "service")

    page.goto(f"{base}/orders/{second.pk}/")
    page.check(f"#merge-form input[value='{first.pk}']")
    page.click("#merge-button")
    page.wait_for_selector("#parcel-orders")
    assert page.url.endswith(f"/orders/{first.pk}/")  # the main order: the earliest paid
    assert "M-2" in page.locator("#parcel-orders").inner_text()
    assert Order.objects.get(pk=second.pk).merged_into_id == first.pk

    page.goto(f"{base}/orders/{two_lines.pk}/")
    cap_line = two_lines.lines.get(sku=cap)
    page.check(f"#split-form input[value='{cap_line.pk}']")
    page.click("#split-button")
    page.wait_for_selector("#order-parts")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "order-split.png"), full_page=True)
    part = Order.objects.get(platform_order_no="S-1-2")
    assert part.status == OrderStatus.REVIEWED and part.split_from_id == two_lines.pk
    page.click("#order-parts a")
    page.wait_for_selector("#part-of")
    assert "CAP-01" in page.locator("#order-lines").inner_text()
    assert "TX-W-M" not in page.locator("#order-lines").inner_text()
