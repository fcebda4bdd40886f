"""The desk in a real headless Chromium: a warehouse user receives a purchase order in two deliveries.

Runs against pytest-django's live server with Debian's chromium (see ARCHITECTURE.md, "Testing in a real
browser"); Playwright never downloads a browser of its own here.
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest

from zhanggui.catalog.tests.factories import SkuFactory
from zhanggui.core.services import system_user
from zhanggui.inventory import services as stock
from zhanggui.inventory.models import PurchaseStatus
from zhanggui.inventory.tests.factories import SupplierFactory, WarehouseFactory

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture
def page(monkeypatch, live_server):
    if not CHROMIUM.exists():
        pytest.skip("needs Debian's chromium at /usr/bin/chromium (apt-get install -y chromium fonts-noto-cjk)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the test's own database reads are still
    # plain synchronous calls, between the browser's requests.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1360, "height": 900}, locale="zh-CN")
        context.set_default_timeout(15_000)
        yield context.new_page()
        context.close()
        browser.close()


def test_warehouse_receives_a_purchase_order_in_two_deliveries(page, live_server, users, tmp_path):
    actor = system_user()
    warehouse = WarehouseFactory(name="杭州主仓")
    sku = SkuFactory(code="TX-001-W-M", product__title="纯棉圆领短袖T恤 白色", safety_stock=20)
    po = stock.create_purchase_order(
        actor=actor, supplier=SupplierFactory(), warehouse=warehouse, lines=[(sku, 100, Decimal("18.50"))]
    )
    base = live_server.url

    # 仓管 logs in through the login page.
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", "warehouse")
    page.fill("input[name=password]", "pw-warehouse")
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")

    # The purchase order: receive 60 of the 100 now.
    page.goto(f"{base}/inventory/purchases/{po.pk}/")
    quantity = page.locator(f"input[name=receive_{sku.pk}]")
    assert quantity.input_value() == "100"
    quantity.fill("60")
    page.click("#receive-button")  # the form posts to ...#receiving: the page comes back scrolled to the table
    page.wait_for_url(re.compile(rf"/inventory/purchases/{po.pk}/#receiving$"))
    assert page.locator(f"tr[data-sku='{sku.code}'] td.received").inner_text() == "60"
    assert page.locator(f"input[name=receive_{sku.pk}]").input_value() == "40"
    po.refresh_from_db()
    assert po.status == PurchaseStatus.PARTIAL

    # The SKU page shows the 60 on hand and the receipt in the ledger.
    page.click(f"tr[data-sku='{sku.code}'] a")
    page.wait_for_url(f"{base}/catalog/skus/{sku.pk}/")
    assert page.locator("#on-hand").inner_text() == "60"
    assert po.number in page.locator("#ledger-table").inner_text()

    # The rest arrives: receive the 40 still open (prefilled).
    page.goto(f"{base}/inventory/purchases/{po.pk}/")
    page.click("#receive-button")
    page.wait_for_url(re.compile(rf"/inventory/purchases/{po.pk}/#receiving$"))
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
