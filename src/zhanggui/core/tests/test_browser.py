"""The desk in a real headless Chromium: a warehouse user receives a purchase order in two deliveries.

Runs against pytest-django's live server with Debian's chromium (see ARCHITECTURE.md, "Testing in a real
browser"); Playwright never downloads a browser of its own here.
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from zhanggui.catalog.tests.factories import SkuFactory
from zhanggui.core.services import system_user
from zhanggui.core.tests.browser import log_in
from zhanggui.inventory.models import PurchaseStatus
from zhanggui.inventory.purchasing import services as purchasing
from zhanggui.inventory.tests.factories import SupplierFactory, WarehouseFactory

pytestmark = pytest.mark.browser


def test_warehouse_receives_a_purchase_order_in_two_deliveries(page, live_server, users, tmp_path):
    actor = system_user()
    warehouse = WarehouseFactory(name="杭州主仓")
    sku = SkuFactory(code="TX-001-W-M", product__title="纯棉圆领短袖T恤 白色", safety_stock=20)
    po = purchasing.create_purchase_order(
        actor=actor, supplier=SupplierFactory(), warehouse=warehouse, lines=[(sku, 100, Decimal("18.50"))]
    )
    base = live_server.url

    # 仓管 logs in through the login page.
    log_in(page, base, "warehouse")

    # The purchase order: receive 60 of the 100 now, on the receiving screen (lines start blank).
    page.goto(f"{base}/inventory/purchases/{po.pk}/")
    page.click("#receive-button")
    quantity = page.locator(f"input[name=receive_{sku.pk}]")
    assert quantity.input_value() == ""
    quantity.fill("60")
    page.click("#review-receipt")  # what will be booked is shown first
    page.click("#book-receipt")
    page.wait_for_url(re.compile(rf"/inventory/purchases/{po.pk}/#receipts$"))
    assert page.locator(f"tr[data-sku='{sku.code}'] td.received").inner_text() == "60"
    po.refresh_from_db()
    assert po.status == PurchaseStatus.PARTIAL

    # The SKU page shows the 60 on hand and the receipt in the ledger.
    page.click(f"tr[data-sku='{sku.code}'] a")
    page.wait_for_url(f"{base}/catalog/skus/{sku.pk}/")
    assert page.locator("#on-hand").inner_text() == "60"
    assert po.number in page.locator("#ledger-table").inner_text()

    # The rest arrives: "receive all remaining" fills the 40 still open.
    page.goto(f"{base}/inventory/purchases/{po.pk}/receive/")
    page.click("#receive-all")
    assert page.locator(f"input[name=receive_{sku.pk}]").input_value() == "40"
    page.click("#review-receipt")
    page.click("#book-receipt")
    page.wait_for_url(re.compile(rf"/inventory/purchases/{po.pk}/#receipts$"))
    assert page.locator("#receive-button").count() == 0  # nothing left to receive
    page.goto(f"{base}/catalog/skus/{sku.pk}/")
    assert page.locator("#on-hand").inner_text() == "100"
    po.refresh_from_db()
    assert po.status == PurchaseStatus.RECEIVED

    # The catalog in zh-hans, with htmx live filtering, as a screenshot.
    page.goto(f"{base}/catalog/?lang=zh-hans")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    page.fill("input[name=q]", "不存在的商品")
    page.wait_for_selector("#product-table td.empty")
    page.fill("input[name=q]", "TX-001")
    page.wait_for_selector(f"#product-table a[href='/catalog/products/{sku.product_id}/']")
    assert "q=TX-001" in page.url  # htmx pushed the filtered URL
    shot = tmp_path / "catalog-zh-hans.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000
