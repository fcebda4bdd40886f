"""Bin locations in a real Chromium, as the warehouse role (仓管) types them: a location typed in the stock list is
saved when the cell is left (upper-case, ✓), a wrong one is refused in the cell, and 客服 only reads them."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from zhanggui.catalog.tests.factories import SkuFactory
from zhanggui.core.services import system_user
from zhanggui.core.tests.browser import log_in
from zhanggui.inventory import services as stock
from zhanggui.inventory.models import BinLocation, MoveReason
from zhanggui.inventory.tests.factories import WarehouseFactory

pytestmark = pytest.mark.browser
SHOTS = Path(os.environ.get("ZHANGGUI_SCREENSHOTS", "/tmp/zhanggui-shots"))


def test_warehouse_types_a_location_in_the_stock_list_and_service_reads_it(page, live_server, users):
    warehouse = WarehouseFactory(code="hz", name="杭州主仓")
    sku = SkuFactory(code="TX-1", product__title="纯棉T恤 白")
    stock.book_move(actor=system_user(), sku=sku, warehouse=warehouse, quantity=8, reason=MoveReason.PURCHASE_RECEIPT)
    base = live_server.url
    log_in(page, base, "warehouse")
    page.goto(f"{base}/inventory/")

    cell = page.locator("#stock-table tbody tr td.location-cell")
    cell.locator("input.location").fill("a-01-03")
    cell.locator("input.location").press("Tab")
    page.wait_for_function("document.querySelector('td.location-cell .saved-mark').textContent.includes('✓')")
    assert page.locator("td.location-cell input.location").input_value() == "A-01-03"
    assert list(BinLocation.objects.values_list("code", flat=True)) == ["A-01-03"]

    page.locator("td.location-cell input.location").fill("A 01")
    page.locator("td.location-cell input.location").press("Tab")
    page.wait_for_selector("td.location-cell.has-error small.error")
    assert list(BinLocation.objects.values_list("code", flat=True)) == ["A-01-03"]
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "stock-location.png"), full_page=True)

    page.context.clear_cookies()
    log_in(page, base, "service")
    page.goto(f"{base}/inventory/")
    assert page.locator("td.location-cell").inner_text().strip() == "A-01-03"
    assert page.locator("td.location-cell input").count() == 0
