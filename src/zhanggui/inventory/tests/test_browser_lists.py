"""The stock list in a real Chromium, as the warehouse role (仓管) uses it: tick two SKUs, set their safety stock
in one go, and see the new figure in the list that comes back with its filters."""

from __future__ import annotations

import pytest

from zhanggui.catalog.models import Sku
from zhanggui.catalog.tests.factories import SkuFactory
from zhanggui.core.services import system_user
from zhanggui.core.tests.browser import log_in
from zhanggui.inventory import services as stock
from zhanggui.inventory.models import MoveReason
from zhanggui.inventory.tests.factories import WarehouseFactory

pytestmark = pytest.mark.browser

SETTLED = "!document.querySelector('.htmx-request, .htmx-settling, .htmx-added')"


def shelved(code: str, title: str, quantity: int, warehouse) -> Sku:
    sku = SkuFactory(code=code, product__title=title, safety_stock=5)
    stock.book_move(
        actor=system_user(), sku=sku, warehouse=warehouse, quantity=quantity, reason=MoveReason.PURCHASE_RECEIPT
    )
    return sku


def safety_shown(page) -> dict[str, str]:
    rows = page.locator("#stock-table tbody tr")
    return {
        rows.nth(i).locator("td:nth-child(2) code").inner_text(): rows.nth(i).locator("td.safety").inner_text()
        for i in range(rows.count())
    }


def test_warehouse_sets_safety_stock_of_two_ticked_skus(page, live_server, users):
    warehouse = WarehouseFactory(code="hz", name="杭州主仓")
    shelved("TX-1", "纯棉T恤 白", 8, warehouse)
    shelved("TX-2", "纯棉T恤 黑", 3, warehouse)
    shelved("HAT", "帽子", 12, warehouse)
    base = live_server.url
    log_in(page, base, "warehouse")
    page.goto(f"{base}/inventory/")

    page.fill("input[name=q]", "T恤")
    page.wait_for_function("document.querySelectorAll('#stock-table tbody tr').length === 2")
    page.wait_for_function(SETTLED)
    assert safety_shown(page) == {"TX-1": "5", "TX-2": "5"}

    page.locator("#stock-table thead input[data-tick-all]").check()
    page.select_option("#batch-form select[name=action]", "safety_stock")
    page.fill("#batch-form input[name=safety_stock]:visible", "20")
    page.click("#batch-form button[type=submit]")
    page.wait_for_selector(".messages li")

    assert "q=T%E6%81%A4" in page.url  # back on the list as it was
    assert safety_shown(page) == {"TX-1": "20", "TX-2": "20"}
    assert dict(Sku.objects.values_list("code", "safety_stock")) == {"TX-1": 20, "TX-2": 20, "HAT": 5}
