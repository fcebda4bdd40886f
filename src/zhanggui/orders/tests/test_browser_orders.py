"""The order desk in a real headless Chromium: the operator imports our own order file on the import page, the
orders are in the queue, and the warehouse allocates and ships one with a tracking number, which its timeline
then shows (see core/tests/browser.py for the setup)."""

from __future__ import annotations

import csv
import os
from pathlib import Path

import pytest

from zhanggui.catalog.models import Channel
from zhanggui.catalog.tests.factories import ProductFactory, ShopFactory, SkuFactory
from zhanggui.channels import records
from zhanggui.channels import zhanggui as own_format
from zhanggui.core.tests.browser import log_in
from zhanggui.inventory.tests.factories import WarehouseFactory
from zhanggui.orders.models import Order, OrderStatus
from zhanggui.orders.tests.factories import levels, parsed_line, parsed_order, receive

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(os.environ.get("ZHANGGUI_SCREENSHOTS", "/tmp/zhanggui-shots"))
SETTLED = "!document.querySelector('.htmx-request, .htmx-settling, .htmx-added')"


@pytest.fixture
def desk(tmp_path):
    shop = ShopFactory(code="tb01", name="棉语淘宝店", channel=Channel.TAOBAO)
    warehouse = WarehouseFactory(code="hz", name="杭州主仓", priority=1)
    product = ProductFactory(shop=shop, code="TX", title="纯棉圆领T恤")
    tee = SkuFactory(product=product, shop=shop, code="TX-W-M")
    receive(tee, warehouse, 10)
    path = tmp_path / "orders.csv"
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(own_format.HEADER)
        for number, quantity in (("ZG-1001", 2), ("ZG-1002", 1)):
            order = parsed_order(number, parsed_line("TX-W-M", quantity), platform=records.ZHANGGUI)
            writer.writerows(own_format.rows(order))
    return {"shop": shop, "tee": tee, "file": path}


def test_imported_orders_are_allocated_and_shipped_from_their_page(page, live_server, users, desk):
    base = live_server.url
    log_in(page, base, "operator")
    page.wait_for_selector("#orders-card #orders-today")  # the desk's orders card, loaded by htmx
    page.goto(f"{base}/orders/import/")
    page.select_option("select[name=shop]", str(desk["shop"].pk))
    page.set_input_files("input[name=file]", str(desk["file"]))
    page.click("#import-submit")
    page.wait_for_selector("#import-report")
    assert page.locator("#report-created").inner_text() == "2"

    page.click("#to-queue")
    page.wait_for_selector("#order-table")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "orders-queue.png"), full_page=True)
    rows = page.locator("#order-table tbody tr[data-order]")
    assert sorted(rows.nth(i).get_attribute("data-order") for i in range(rows.count())) == ["ZG-1001", "ZG-1002"]

    # The warehouse opens the first order from the queue, allocates it and ships it.
    page.context.clear_cookies()
    log_in(page, base, "warehouse")
    page.goto(f"{base}/orders/?q=ZG-1001")
    page.wait_for_function(SETTLED)
    page.click("#order-table a:has-text('ZG-1001')")
    page.wait_for_selector("#order-status")
    assert "*" in page.locator("#receiver-phone").inner_text()  # the warehouse sees the phone masked
    page.click("#allocate-button")
    page.wait_for_selector("#ship-form")
    order = Order.objects.get(platform_order_no="ZG-1001")
    assert order.status == OrderStatus.ALLOCATED
    assert levels(desk["tee"]) == (10, 2)

    page.fill("input[name=ship-carrier]", "顺丰速运")
    page.fill("input[name=ship-tracking_no]", "SF1234567890")
    page.click("#ship-button")
    page.wait_for_selector("#order-tracking")
    assert "SF1234567890" in page.locator("#order-tracking").inner_text()
    assert page.locator("#order-status").inner_text() in ("已发货", "Shipped")
    timeline = page.locator("#order-events tbody tr").last.inner_text()
    assert "SF1234567890" in timeline and "warehouse" in timeline
    page.screenshot(path=str(SHOTS / "order-shipped.png"), full_page=True)
    order.refresh_from_db()
    assert (order.status, order.tracking_no) == (OrderStatus.SHIPPED, "SF1234567890")
    assert levels(desk["tee"]) == (8, 0)
