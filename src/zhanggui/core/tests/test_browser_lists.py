"""The shared list block in a real Chromium, on the product list: sort by a header, rows a page, tick rows and
take them off sale in one go (asked first), export what is filtered."""

from __future__ import annotations

from decimal import Decimal

import pytest
from openpyxl import load_workbook

from zhanggui.catalog import services as catalog
from zhanggui.catalog.models import ListingStatus, Product
from zhanggui.catalog.tests.factories import SkuFactory
from zhanggui.core.services import system_user
from zhanggui.core.tests.browser import log_in
from zhanggui.inventory import services as stock
from zhanggui.inventory.models import MoveReason
from zhanggui.inventory.tests.factories import WarehouseFactory

pytestmark = pytest.mark.browser

SETTLED = "!document.querySelector('.htmx-request, .htmx-settling, .htmx-added')"


def on_sale(code: str, title: str, price: str) -> Product:
    sku = SkuFactory(product__code=code, product__title=title, price=Decimal(price))
    stock.book_move(
        actor=system_user(), sku=sku, warehouse=WarehouseFactory(), quantity=3, reason=MoveReason.PURCHASE_RECEIPT
    )
    return catalog.list_product(actor=system_user(), product=sku.product)


def codes(page) -> list[str]:
    return page.locator("#product-table tbody tr td:nth-child(3) code").all_inner_texts()


def test_operator_sorts_ticks_delists_and_exports(page, live_server, users, tmp_path):
    on_sale("TS-1", "T恤 白", "59.00")
    on_sale("TS-2", "T恤 黑", "99.00")
    on_sale("TS-3", "T恤 灰", "79.00")
    on_sale("HAT", "帽子", "39.00")
    base = live_server.url
    log_in(page, base, "operator")
    page.goto(f"{base}/catalog/")

    # Search, then sort by price from the highest: the URL keeps both.
    page.fill("input[name=q]", "T恤")
    page.wait_for_function("document.querySelectorAll('#product-table tbody tr').length === 3")
    page.wait_for_function(SETTLED)
    page.click("#product-table thead a[data-sort=price]")  # first click on a number: highest first
    page.wait_for_function("location.search.includes('sort=-price')")
    page.wait_for_function(SETTLED)
    assert codes(page) == ["TS-2", "TS-3", "TS-1"]
    assert "q=T%E6%81%A4" in page.url

    # A later filter change keeps the sort (the form's hidden sort was kept in step).
    page.select_option("select[name=size]", "25")
    page.wait_for_function("location.search.includes('size=25')")
    page.wait_for_function(SETTLED)
    assert "sort=-price" in page.url and codes(page) == ["TS-2", "TS-3", "TS-1"]

    # Tick the two dearest and take them off sale; the page asks first.
    page.locator("#product-table tbody tr").nth(0).locator("input[name=ids]").check()
    page.locator("#product-table tbody tr").nth(1).locator("input[name=ids]").check()
    page.select_option("#batch-form select[name=action]", "delist")
    page.fill("#batch-form input[name=note]:visible", "换季")
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    page.click("#batch-form button[type=submit]")
    page.wait_for_selector(".messages li")
    assert asked and ("off sale" in asked[0].lower() or "下架" in asked[0])
    assert "sort=-price" in page.url  # back on the list as it was
    statuses = dict(Product.objects.values_list("code", "listing_status"))
    assert statuses == {
        "TS-1": ListingStatus.LISTED,
        "TS-2": ListingStatus.DELISTED,
        "TS-3": ListingStatus.DELISTED,
        "HAT": ListingStatus.LISTED,
    }

    # Export what is filtered: the three T恤, dearest first, not the hat.
    with page.expect_download() as download:
        page.click("a[data-export=xlsx]")
    saved = tmp_path / "products.xlsx"
    download.value.save_as(saved)
    rows = list(load_workbook(saved).active.iter_rows(values_only=True))
    assert [r[0] for r in rows[1:]] == ["TS-2", "TS-3", "TS-1"]
