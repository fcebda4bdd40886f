"""Warehouse flows in a real headless Chromium, as the warehouse role (仓管) does them: a delivery received by
scanning a barcode twice, reviewed and booked; a count sheet typed row after row with Enter and booked with the
uncounted row as zero; a printed document with the shop's name and signature lines; and the receiving and
counting pages on a phone's 390 px without sideways scrolling (see core/tests/browser.py for the setup)."""

from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path

import pytest

from zhanggui.catalog.tests.factories import ShopFactory, SkuFactory
from zhanggui.core.tests.browser import log_in
from zhanggui.inventory import services as stock
from zhanggui.inventory.models import MoveReason, PurchaseStatus, StockBalance, StockMove, StocktakeStatus
from zhanggui.inventory.purchasing import services as purchasing
from zhanggui.inventory.stocktakes import services as stocktakes
from zhanggui.inventory.tests.factories import SupplierFactory, WarehouseFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(os.environ.get("ZHANGGUI_SCREENSHOTS", "/tmp/zhanggui-shots"))
SETTLED = "!document.querySelector('.htmx-request, .htmx-settling, .htmx-added')"


def on_hand(sku, warehouse) -> int:
    return StockBalance.objects.filter(sku=sku, warehouse=warehouse).values_list("on_hand", flat=True).first() or 0


@pytest.fixture
def delivery(system):
    """A purchase order of 10 T-shirts (barcode 6901234567890) and 4 jeans, 5 T-shirts already on hand."""
    warehouse = WarehouseFactory(code="hz", name="杭州主仓")
    shop = ShopFactory(code="tm", name="棉语天猫店")
    shirt = SkuFactory(code="TX-001-W-M", barcode="6901234567890", product__shop=shop, product__title="纯棉圆领T恤")
    jeans = SkuFactory(code="KZ-002-B-L", barcode="6909876543210", product__shop=shop, product__title="直筒牛仔裤")
    stock.book_move(actor=system, sku=shirt, warehouse=warehouse, quantity=5, reason=MoveReason.PURCHASE_RECEIPT)
    po = purchasing.create_purchase_order(
        actor=system,
        supplier=SupplierFactory(name="绍兴棉纺"),
        warehouse=warehouse,
        lines=[(shirt, 10, Decimal("18.50")), (jeans, 4, Decimal("45.00"))],
    )
    return {"po": po, "shirt": shirt, "jeans": jeans, "warehouse": warehouse, "shop": shop}


def scan(page, code: str) -> None:
    """What a barcode scanner does: type the code into the focused box, then Enter."""
    page.locator("#scan").fill(code)
    page.locator("#scan").press("Enter")


def test_receiving_by_scan_books_what_was_scanned(page, live_server, users, delivery):
    po, shirt, warehouse = delivery["po"], delivery["shirt"], delivery["warehouse"]
    base = live_server.url
    log_in(page, base, "warehouse")
    page.goto(f"{base}/inventory/purchases/{po.pk}/")
    page.click("#receive-button")
    page.wait_for_url(f"{base}/inventory/purchases/{po.pk}/receive/")

    quantity = page.locator(f"input[name=receive_{shirt.pk}]")
    assert quantity.input_value() == ""  # lines start empty
    assert page.evaluate("document.activeElement.id") == "scan"  # the scan box has the focus
    scan(page, "6901234567890")
    scan(page, "6901234567890")
    assert quantity.input_value() == "2"
    assert page.locator(f"#rline-{shirt.pk}").get_attribute("class").split().count("scanned") == 1

    scan(page, "0000000000000")  # a code not on the order: said under the box, nothing lost
    assert "0000000000000" in page.locator("#scan-error").inner_text()
    assert quantity.input_value() == "2"
    assert page.locator(f"input[name=receive_{delivery['jeans'].pk}]").input_value() == ""

    page.click("#review-receipt")
    page.wait_for_selector("#receipt-review")
    review = page.locator("#review-table tbody tr")
    assert review.count() == 1
    text = review.first.inner_text()
    assert "TX-001-W-M" in text and "纯棉圆领T恤" in text and "2" in text and "杭州主仓" in text
    assert StockMove.objects.filter(document=po.number).count() == 0  # nothing booked before confirming

    page.click("#book-receipt")
    page.wait_for_url(f"{base}/inventory/purchases/{po.pk}/#receipts")
    assert on_hand(shirt, warehouse) == 7  # 5 + the 2 scanned
    po.refresh_from_db()
    assert po.status == PurchaseStatus.PARTIAL
    assert f"{po.number}-1" in page.locator("#receipt-table").inner_text()
    assert stock.check_ledger() == []


def test_counting_with_enter_and_booking_the_uncounted_row_as_zero(page, live_server, users, system):
    warehouse = WarehouseFactory(code="hz", name="杭州主仓")
    skus = [SkuFactory(code=f"ST-{n}", product__title=f"毛巾 {n}") for n in (1, 2, 3)]
    for sku, quantity in zip(skus, (10, 6, 4), strict=True):
        stock.book_move(
            actor=system, sku=sku, warehouse=warehouse, quantity=quantity, reason=MoveReason.PURCHASE_RECEIPT
        )
    take = stocktakes.create_stocktake(actor=system, warehouse=warehouse)
    base = live_server.url
    log_in(page, base, "warehouse")
    page.goto(f"{base}/inventory/stocktakes/{take.pk}/")

    first = page.locator(f"input[name=count_{skus[0].pk}]")
    first.fill("9")
    first.press("Enter")
    assert page.evaluate("document.activeElement.name") == f"count_{skus[1].pk}"  # on to the next count
    page.wait_for_selector(f"#line-{skus[0].pk} .saved-mark:has-text('✓')")  # saved by htmx, no reload
    page.wait_for_function(SETTLED)
    page.keyboard.type("6")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.name") == f"count_{skus[2].pk}"
    page.wait_for_selector(f"#line-{skus[1].pk} .saved-mark:has-text('✓')")
    page.wait_for_function(SETTLED)
    assert dict(take.lines.values_list("sku_id", "counted")) == {skus[0].pk: 9, skus[1].pk: 6, skus[2].pk: None}

    page.click("#book-stocktake")  # one row is uncounted: the page asks what it is
    page.wait_for_selector("#book-question #uncounted-choice")
    take.refresh_from_db()
    assert take.status == StocktakeStatus.OPEN
    page.check("input[name=uncounted][value=zero]")
    page.click("#confirm-book")
    page.wait_for_selector("#stocktake-status.st-booked")

    take.refresh_from_db()
    assert take.status == StocktakeStatus.BOOKED
    moves = dict(StockMove.objects.filter(reason=MoveReason.STOCKTAKE).values_list("sku_id", "quantity"))
    assert moves == {skus[0].pk: -1, skus[2].pk: -4}  # ST-2 counted as on hand; ST-3 booked as zero
    assert [on_hand(sku, warehouse) for sku in skus] == [9, 6, 0]
    assert stock.check_ledger() == []


def test_a_print_page_has_the_shop_name_and_signature_lines(page, live_server, users, delivery):
    po = delivery["po"]
    base = live_server.url
    log_in(page, base, "warehouse")
    page.goto(f"{base}/inventory/purchases/{po.pk}/print/?lang=en")
    assert page.locator("#shop-name").inner_text() == "棉语天猫店"
    assert page.locator("#doc-number").inner_text() == po.number
    assert page.locator("#signatures .signature-line").count() == 3
    labels = page.locator("#signatures .signature-label").all_inner_texts()
    assert labels == ["Prepared by", "Warehouse", "Approved by"]  # 制单 / 仓管 / 审核 in Chinese
    assert page.locator("#print-button").is_visible()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "print-purchase-order.png"), full_page=True)
    page.emulate_media(media="print")
    assert not page.locator("#print-button").is_visible()  # the button does not print
    assert page.locator("#doc-lines tbody tr").count() == 2


def test_receiving_and_counting_fit_a_phone(page, live_server, users, delivery, system):
    po, warehouse = delivery["po"], delivery["warehouse"]
    take = stocktakes.create_stocktake(actor=system, warehouse=warehouse)
    base = live_server.url
    log_in(page, base, "warehouse")
    page.set_viewport_size({"width": 390, "height": 844})
    SHOTS.mkdir(parents=True, exist_ok=True)

    page.goto(f"{base}/inventory/purchases/{po.pk}/receive/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    box = page.locator("#scan").bounding_box()
    assert box["height"] >= 40 and box["y"] < 844 / 2  # big, and first within reach
    scan(page, "6901234567890")
    page.click("#review-receipt")
    page.wait_for_selector("#receipt-review")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(SHOTS / "receive-confirm-390.png"), full_page=True)

    page.goto(f"{base}/inventory/purchases/{po.pk}/receive/")
    page.screenshot(path=str(SHOTS / "receive-390.png"), full_page=True)
    page.goto(f"{base}/inventory/stocktakes/{take.pk}/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.locator(f"input[name=count_{delivery['shirt'].pk}]").bounding_box()["height"] >= 40
    page.screenshot(path=str(SHOTS / "count-390.png"), full_page=True)


def test_a_purchase_order_built_with_the_sku_picker_and_an_added_row(page, live_server, users, delivery):
    shirt, jeans, warehouse = delivery["shirt"], delivery["jeans"], delivery["warehouse"]
    supplier = delivery["po"].supplier
    base = live_server.url
    log_in(page, base, "warehouse")
    page.goto(f"{base}/inventory/purchases/new/")
    page.select_option("select[name=supplier]", str(supplier.pk))
    page.select_option("select[name=warehouse]", str(warehouse.pk))
    rows = page.locator("#po-lines-body tr")
    first_count = rows.count()
    page.click("#add-line")
    assert rows.count() == first_count + 1

    page.fill("#sku-search", "牛仔")  # the catalog searched by product name
    page.wait_for_selector("#found-list button.pick")
    page.click("#found-list button.pick")
    assert rows.first.locator("input[name$='-sku']").input_value() == "KZ-002-B-L"
    assert "直筒牛仔裤" in rows.first.locator(".sku-name").inner_text()
    rows.first.locator("input[name$='-quantity']").fill("6")

    second = rows.nth(1)
    second.locator("input[name$='-sku']").fill("6901234567890")  # a barcode typed by hand gets its name too
    second.locator("input[name$='-quantity']").fill("3")
    page.wait_for_function("document.querySelectorAll('#po-lines-body .sku-name')[1].textContent.includes('纯棉')")

    page.click("#place-order")
    page.wait_for_selector("#po-status")
    po = supplier.purchase_orders.order_by("-pk").first()
    assert dict(po.lines.values_list("sku_id", "quantity")) == {jeans.pk: 6, shirt.pk: 3}
