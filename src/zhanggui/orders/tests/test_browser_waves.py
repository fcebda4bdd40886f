"""The warehouse's afternoon in a real headless Chromium, as 仓管 does it: run a wave, scan the order's items on
the packing screen (a wrong barcode refused, loudly), ship it with a carrier and a tracking number, and see the
order shipped with its tracking number (see core/tests/browser.py for the setup)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.urls import reverse

from zhanggui.catalog.tests.factories import ProductFactory, ShopFactory, SkuFactory
from zhanggui.core.tests.browser import log_in
from zhanggui.inventory import services as stock
from zhanggui.inventory.tests.factories import WarehouseFactory
from zhanggui.orders import services
from zhanggui.orders.models import Order, OrderStatus, PackScan, Wave, WaveStatus
from zhanggui.orders.tests.factories import OrderFactory, OrderLineFactory, levels, receive

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.urls("zhanggui.orders.tests.test_waves"),  # the site's URLs with the wave pages
]

SHOTS = Path(os.environ.get("ZHANGGUI_SCREENSHOTS", "/tmp/zhanggui-shots"))
SETTLED = "!document.querySelector('.htmx-request, .htmx-settling, .htmx-added')"


@pytest.fixture
def desk(users):
    """Two allocated orders in the 杭州主仓: two T-shirts and a cap, and one more cap."""
    warehouse = WarehouseFactory(code="hz", name="杭州主仓", priority=1)
    shop = ShopFactory(code="tm", name="棉语天猫店")
    product = ProductFactory(shop=shop, code="TX", title="纯棉圆领T恤")
    shirt = SkuFactory(product=product, shop=shop, code="TX-001-W-M", barcode="6901234567890")
    cap = SkuFactory(product=product, shop=shop, code="MZ-01", barcode="6905555555555")
    SkuFactory(product=product, shop=shop, code="WZ-09", barcode="6907777777777")  # socks: in no order
    receive(shirt, warehouse, 10)
    receive(cap, warehouse, 10)
    actor = users["warehouse"]
    orders = []
    for number, lines in (("3300001", [(shirt, 2), (cap, 1)]), ("3300002", [(cap, 1)])):
        order = OrderFactory(shop=shop, platform_order_no=number)
        for position, (sku, quantity) in enumerate(lines):
            OrderLineFactory(order=order, sku=sku, quantity=quantity, position=position)
        orders.append(services.allocate(actor=actor, order=order))
    return {"warehouse": warehouse, "orders": orders, "shirt": shirt}


def scan(page, code: str) -> None:
    """What a barcode scanner does: type the code into the focused box, then Enter; wait for the swap."""
    page.wait_for_function(SETTLED)
    page.locator("#scan").fill(code)
    page.locator("#scan").press("Enter")
    page.wait_for_function(SETTLED)


def test_the_warehouse_runs_a_wave_packs_with_a_wrong_barcode_refused_and_ships(page, live_server, desk):
    base = live_server.url
    order = desk["orders"][0]
    log_in(page, base, "warehouse")

    page.goto(base + reverse("orders:wave-list"))
    assert page.locator("#warehouse-hz .waiting").inner_text() == "2"
    page.click("#warehouse-hz .create-wave")
    wave = Wave.objects.get()
    page.wait_for_url(base + reverse("orders:wave-detail", args=[wave.pk]))
    picks = page.locator("#pick-list .pick-line")
    assert picks.count() == 2
    assert page.locator('#pick-list [data-sku="MZ-01"] .pick-quantity').inner_text() == "2"

    page.click(f"#wave-order-{order.pk} .pack-link")
    page.wait_for_url(base + reverse("orders:packing", args=[order.pk]))
    assert page.evaluate("document.activeElement.id") == "scan"  # the scan box has the focus: scan at once

    scan(page, "6901234567890")
    assert page.locator("#pack-progress").inner_text() == "1 / 3"
    scan(page, "6907777777777")  # the socks: not in this order
    refusal = page.locator("#pack-refusal")
    assert refusal.is_visible()
    assert "WZ-09" in refusal.inner_text() and "3300001" in refusal.inner_text()
    assert "refused" in page.locator("#packing-panel").get_attribute("class")
    assert page.locator("#pack-progress").inner_text() == "1 / 3"  # nothing counted
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "packing-refused.png"), full_page=True)
    assert page.evaluate("document.activeElement.id") == "scan"  # the next scan goes straight in

    scan(page, "6901234567890")
    scan(page, "6905555555555")
    assert page.locator("#pack-progress").inner_text() == "3 / 3"
    assert page.locator("#pack-refusal").count() == 0
    page.locator("#carrier").fill("顺丰速运")
    page.locator("#tracking-no").fill("SF1234567890")
    page.click("#ship-button")
    page.wait_for_selector("#shipped-box")

    assert "os-shipped" in page.locator("#order-status").get_attribute("class")
    assert page.locator("#shipped-tracking").inner_text() == "SF1234567890"
    assert page.locator("#shipped-carrier").inner_text() == "顺丰速运"
    page.screenshot(path=str(SHOTS / "packing-shipped.png"), full_page=True)

    order.refresh_from_db()
    assert (order.status, order.carrier, order.tracking_no) == (OrderStatus.SHIPPED, "顺丰速运", "SF1234567890")
    assert PackScan.objects.filter(line__order=order).count() == 3
    assert levels(desk["shirt"]) == (8, 0)
    assert stock.check_ledger() == []
    # The other order of the wave is still to pack: the wave goes on.
    assert Order.objects.get(pk=desk["orders"][1].pk).status == OrderStatus.PICKING
    wave.refresh_from_db()
    assert wave.status == WaveStatus.OPEN
