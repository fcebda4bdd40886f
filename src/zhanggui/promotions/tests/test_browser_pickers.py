"""The what-if page and the eligibility check driven in a real headless Chromium as a person would: the
what-if report over the shop's sample carts, then over two carts built by picking SKUs from the catalog; the
campaign check with a category and one more SKU picked into the table, activity prices typed, and the failing
row's reason; and all three pages at a phone's 390 px without sideways scrolling, in Chinese and English
(see core/tests/browser.py for the setup)."""

from __future__ import annotations

import os
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone

from zhanggui.catalog.models import ListingStatus, Sku
from zhanggui.catalog.tests.factories import CategoryFactory, ShopFactory, SkuFactory
from zhanggui.core.tests.browser import log_in
from zhanggui.inventory import services as stock
from zhanggui.inventory.models import MoveReason
from zhanggui.inventory.tests.factories import WarehouseFactory
from zhanggui.promotions.campaigns import services as campaigns
from zhanggui.promotions.offers import services as offers

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(os.environ.get("ZHANGGUI_SCREENSHOTS", "/tmp/zhanggui-shots"))
LISTED = {"listing_status": ListingStatus.LISTED, "product__listing_status": ListingStatus.LISTED}


@pytest.fixture
def shop(system):
    """tm: towels TW-1 (¥100, 12 sold in 30 days) and TW-2 (¥60, 7 sold), sheet SH-1 (¥200, none sold)."""
    shop = ShopFactory(code="tm", name="棉语天猫店")
    towels, sheets = CategoryFactory(name="毛巾"), CategoryFactory(name="床单")
    warehouse = WarehouseFactory(code="main")
    for code, title, price, category, sold in (
        ("TW-1", "纯棉毛巾", "100.00", towels, 12),
        ("TW-2", "竹纤维毛巾", "60.00", towels, 7),
        ("SH-1", "全棉床单", "200.00", sheets, 0),
    ):
        sku = SkuFactory(
            code=code,
            price=Decimal(price),
            cost=Decimal("30.00"),
            product__shop=shop,
            product__category=category,
            product__title=title,
            **LISTED,
        )
        Sku.objects.filter(pk=sku.pk).update(created_at=timezone.now() - timedelta(days=40))
        stock.book_move(actor=system, sku=sku, warehouse=warehouse, quantity=400, reason=MoveReason.PURCHASE_RECEIPT)
        if sold:
            stock.book_move(actor=system, sku=sku, warehouse=warehouse, quantity=-sold, reason=MoveReason.SALE_ISSUE)
    return shop


@pytest.fixture
def promotion(shop, users):
    now = timezone.now().replace(microsecond=0)
    spec = {
        "id": "mj300",
        "kind": "spend_save",
        "name": "满300减30",
        "tiers": [["300", "30"]],
        "starts_at": (now - timedelta(hours=1)).isoformat(),
        "ends_at": (now + timedelta(days=1)).isoformat(),
    }
    return offers.create_promotion(actor=users["operator"], shop=shop, raw_spec=spec)


@pytest.fixture
def campaign(shop, users):
    return campaigns.create_campaign(actor=users["operator"], shop=shop, raw_spec=None, preset="tiantiantejia")


def pick_into_cart(page, cart, code: str) -> None:
    """Search the catalog from one cart and add the SKU found (once htmx has settled: a cart just added is given
    its search behaviour after the swap settles, and text typed before that sends no search)."""
    page.wait_for_function("!document.querySelector('.htmx-request, .htmx-settling, .htmx-added')")
    cart.locator(".sku-search").fill(code)
    cart.locator(f".add-sku[data-sku='{code}']").click()
    cart.locator(f"tr.cart-line[data-sku='{code}']").wait_for()


def test_what_if_over_the_shops_sample_carts(page, live_server, users, promotion):
    base = live_server.url
    log_in(page, base, "operator")
    page.goto(f"{base}/promotions/{promotion.pk}/what-if/?lang=en")
    assert page.is_checked("#source-sample")
    assert not page.locator("#id_carts").is_visible()  # the JSON is folded away
    page.fill("#id_count", "60")
    page.fill("#id_seed", "3")
    page.click("#run-what-if")
    page.locator("#what-if-report").wait_for()
    assert page.locator("#carts-touched").inner_text().endswith("/ 60")
    assert "60 sample carts" in page.locator("#what-if-carts").inner_text()
    assert "platforms price" in page.locator("#what-if-stacking").inner_text()
    assert page.locator("#coupon-lost-share").is_visible()
    assert page.input_value("#id_seed") == "3"  # the same seed is there for the next run


def test_what_if_over_two_carts_built_by_picking_skus(page, live_server, users, promotion):
    base = live_server.url
    log_in(page, base, "operator")
    page.goto(f"{base}/promotions/{promotion.pk}/what-if/?lang=en")
    first = page.locator("fieldset.built-cart").nth(0)
    pick_into_cart(page, first, "TW-1")
    assert page.is_checked("#source-built")  # searching in a cart chose the source
    pick_into_cart(page, first, "SH-1")  # ¥100 + ¥200: reaches 满300
    page.click("#add-cart")
    second = page.locator("fieldset.built-cart").nth(1)
    second.wait_for()
    pick_into_cart(page, second, "TW-2")
    second.locator("tr.cart-line[data-sku='TW-2'] input[type=number]").fill("2")  # ¥120: misses by ¥180
    page.click("#run-what-if")
    page.locator("#what-if-report").wait_for()
    assert page.locator("#carts-touched").inner_text() == "1 / 2"
    assert page.locator("#revenue-before").inner_text() == "¥420.00"
    assert page.locator("#revenue-after").inner_text() == "¥390.00"
    assert page.locator("#near-miss-share").inner_text() == "50.0%"
    assert page.locator("fieldset.built-cart").count() == 2  # the carts stay for the next run
    assert page.locator("fieldset.built-cart tr.cart-line").count() == 3
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "what-if-built-carts.png"), full_page=True)


def test_campaign_check_with_a_category_and_one_sku_picked_shows_the_failing_rows_reason(
    page, live_server, users, shop, campaign
):
    base = live_server.url
    log_in(page, base, "operator")
    page.goto(f"{base}/promotions/campaigns/{campaign.pk}/check/?lang=en")
    assert not page.locator("#id_lines").is_visible()  # pasting rows is folded away
    page.select_option("#pick-category", label="毛巾")
    page.click("#pick-add-category")
    page.locator("#pick-rows tr[data-sku='TW-2']").wait_for()
    page.fill("#pick-q", "床单")
    page.click(".add-sku[data-sku='SH-1']")
    page.locator("#pick-rows tr[data-sku='SH-1']").wait_for()
    rows = page.locator("#pick-rows tr.pick-row")
    assert [rows.nth(i).get_attribute("data-sku") for i in range(rows.count())] == ["TW-1", "TW-2", "SH-1"]
    # the facts the desk knows are filled in: 30-day sales
    assert page.locator("#pick-rows tr[data-sku='TW-1'] .fact-sales").inner_text() == "12"
    for code, price in (("TW-1", "49.00"), ("TW-2", "29.00"), ("SH-1", "99.00")):
        row = page.locator(f"#pick-rows tr[data-sku='{code}']")
        row.locator("input[name^=price-]").fill(price)
        row.locator("input[name^=quantity-]").fill("100")
    page.click("#run-check")
    page.locator("#campaign-results-table").wait_for()
    assert page.locator("#campaign-results-table tr[data-sku='TW-1']").get_attribute("class") == "eligible"
    failing_row = page.locator("#campaign-results-table tr[data-sku='TW-2']")
    assert failing_row.get_attribute("class") == "not-eligible"
    reason = failing_row.locator("li.rule-fail")
    assert reason.get_attribute("data-rule") == "min_sales"
    assert "7 units" in reason.inner_text() and "10" in reason.inner_text()
    assert page.locator("#campaign-results-table tr[data-sku='SH-1'] li.rule-fail").get_attribute("data-rule") == (
        "min_sales"
    )
    # the table is still there with what was typed
    assert page.locator("#pick-rows tr[data-sku='SH-1'] input[name^=price-]").input_value() == "99.00"
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "campaign-check-picked.png"), full_page=True)


def test_a_row_typed_wrong_comes_back_with_its_error_and_the_rest_as_typed(page, live_server, users, shop, campaign):
    base = live_server.url
    log_in(page, base, "operator")
    page.goto(f"{base}/promotions/eligibility/?lang=en")
    page.select_option("#id_shop", str(shop.pk))
    page.select_option("#pick-category", label="毛巾")
    page.click("#pick-add-category")
    page.locator("#pick-rows tr[data-sku='TW-2']").wait_for()
    page.locator("#pick-rows tr[data-sku='TW-1'] input[name^=price-]").fill("49.00")
    page.locator("#pick-rows tr[data-sku='TW-1'] input[name^=quantity-]").fill("100")
    page.locator("#pick-rows tr[data-sku='TW-2'] input[name^=price-]").fill("4,9")
    page.click("#check-eligibility")
    page.locator("#pick-rows tr.has-error").wait_for()
    assert page.locator("#pick-rows tr.has-error").get_attribute("data-sku") == "TW-2"
    assert page.locator("#pick-rows tr[data-sku='TW-1'] input[name^=price-]").input_value() == "49.00"
    assert page.locator("#pick-rows tr[data-sku='TW-2'] input[name^=price-]").input_value() == "4,9"
    assert "Quantity" in page.locator("#pick-rows tr[data-sku='TW-2']").inner_text()


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_the_pages_fit_a_phone_without_sideways_scrolling(page, live_server, users, shop, promotion, campaign, lang):
    base = live_server.url
    log_in(page, base, "operator")
    page.set_viewport_size({"width": 390, "height": 844})

    page.goto(f"{base}/promotions/{promotion.pk}/what-if/?lang={lang}")
    pick_into_cart(page, page.locator("fieldset.built-cart").first, "TW-1")
    page.locator("#carts-json summary").click()
    page.click("#run-what-if")
    page.locator("#what-if-report, .form-errors").first.wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(SHOTS / f"what-if-390-{lang}.png"), full_page=True)

    for url in (f"/promotions/campaigns/{campaign.pk}/check/", "/promotions/eligibility/"):
        page.goto(f"{base}{url}?lang={lang}&category=all&shop={shop.pk}")
        page.locator("#pick-rows tr[data-sku='SH-1']").wait_for()
        page.locator("#pick-rows tr[data-sku='TW-1'] details.override summary").click()
        page.locator("#paste-rows summary").click()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, url
        page.locator("#pick-rows input[name^=price-]").first.fill("49.00")
        page.locator("#pick-rows input[name^=quantity-]").first.fill("100")
        page.locator("#run-check, #check-eligibility").first.click()
        page.locator(".form-errors, #eligibility-results").first.wait_for()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, url
    page.screenshot(path=str(SHOTS / f"eligibility-390-{lang}.png"), full_page=True)
