"""The promotion editor's SKU pickers and read-only view in a real headless Chromium, driven as a person would:
a bundle's items and a gift picked from the catalog search as chips, priced in the preview and saved; a SKU left
out of a category scope; JSON that does not parse loaded into the form, which keeps everything; an approved
promotion opened read-only (see core/tests/browser.py for the setup)."""

from __future__ import annotations

import json
import os
import re
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone

from zhanggui.catalog.tests.factories import CategoryFactory, ProductFactory, ShopFactory, SkuFactory
from zhanggui.core.tests.browser import log_in
from zhanggui.promotions.models import Promotion, PromotionState
from zhanggui.promotions.offers import services
from zhanggui.promotions.tests.test_browser_promotions import open_new, pick, pick_sku, set_cart, wait_payable

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(os.environ.get("ZHANGGUI_SCREENSHOTS", "/tmp/zhanggui-shots"))
SETTLED = "!document.querySelector('.htmx-request, .htmx-settling, .htmx-added')"


@pytest.fixture
def towels():
    """A Tmall shop: two towels (¥199, ¥159) in the category 毛巾 and a cup (¥49), as in test_browser_promotions."""
    shop = ShopFactory(code="tm", name="天猫旗舰店")
    towel = ProductFactory(shop=shop, code="P-TW", title="纯棉毛巾", category=CategoryFactory(name="毛巾"))
    cup = ProductFactory(shop=shop, code="P-CUP", title="马克杯", category=CategoryFactory(name="杯子"))
    SkuFactory(product=towel, code="TW-1", price=Decimal("199.00"))
    SkuFactory(product=towel, code="TW-2", price=Decimal("159.00"))
    SkuFactory(product=cup, code="CUP-1", price=Decimal("49.00"))
    return shop


def switch_kind(page, kind: str) -> None:
    page.select_option("#id_kind", kind)
    page.locator(f"#kind-fields[data-kind={kind}]").wait_for()
    page.wait_for_function(SETTLED)


def item_row(page, i: int):
    return page.locator("#rows-items tr").nth(i)


def saved(page) -> Promotion:
    page.wait_for_url(re.compile(r"/promotions/\d+/#editor$"))
    return Promotion.objects.get()


def reaches(page, n: int) -> None:
    page.wait_for_function(f"document.querySelector('#scope-reach b')?.innerText === '{n}'")


def test_operator_picks_a_bundles_items_from_the_catalog_and_saves_it(page, live_server, users, towels):
    base = live_server.url
    log_in(page, base, "operator")
    open_new(page, base, towels)
    page.select_option("#id_shop", str(towels.pk))
    switch_kind(page, "bundle")
    page.fill("#id_code", "tw-cup-set")
    page.fill("#id_name", "毛巾杯子套装")
    # the starter's SKUs are placeholders: each item row is an empty search box
    assert page.locator("#rows-items .sku-pick .chip").count() == 0

    # search by name: both towels come up; the first row takes TW-1, the focus moves on to its quantity
    item_row(page, 0).locator("[data-sku-search]").fill("毛巾")
    results = item_row(page, 0).locator(".picks [data-pick]")
    results.first.wait_for()
    assert [results.nth(i).get_attribute("data-value") for i in range(results.count())] == ["TW-1", "TW-2"]
    item_row(page, 0).locator(".picks [data-value='TW-1']").click()
    page.keyboard.press("Control+A")
    page.keyboard.type("2")
    pick_sku(item_row(page, 1), "马克杯", "CUP-1")  # by the product's title
    assert item_row(page, 0).locator(".chip code").inner_text() == "TW-1"
    assert item_row(page, 0).locator(".chip .chip-title").inner_text() == "纯棉毛巾 颜色:白;尺码:M"
    assert item_row(page, 0).locator("[name=items-quantity]").input_value() == "2"
    assert item_row(page, 1).locator(".chip .chip-title").inner_text() == "马克杯 颜色:白;尺码:M"
    page.fill("#id_price", "399")
    # the sample cart holds the bundle: ¥199 × 2 + ¥49 = ¥447 list, ¥399 as a bundle
    set_cart(page, [("TW-1", 2), ("CUP-1", 1)])
    wait_payable(page, "¥399.00")
    assert page.locator("#payable-without").inner_text() == "¥447.00"
    assert page.locator("#preview-lines .draft-share").count() == 2  # the bundle's share on both lines
    page.wait_for_function(SETTLED)
    spec = json.loads(page.locator("#id_spec").input_value())  # the JSON view follows the picked SKUs
    assert spec["items"] == [{"sku": "TW-1", "quantity": 2}, {"sku": "CUP-1", "quantity": 1}]
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "promotion-editor-bundle.png"), full_page=True)

    page.click("#save-promotion")
    promotion = saved(page)
    assert (promotion.kind, promotion.state, promotion.shop) == ("bundle", PromotionState.DRAFT, towels)
    assert promotion.spec["items"] == [{"sku": "TW-1", "quantity": 2}, {"sku": "CUP-1", "quantity": 1}]
    assert promotion.spec["price"] == "399.00"
    # reopened: the items are chips again, with their titles
    chips = page.locator("#rows-items .chip")
    assert [chips.nth(i).get_attribute("data-value") for i in range(chips.count())] == ["TW-1", "CUP-1"]
    assert "纯棉毛巾" in chips.nth(0).inner_text()
    assert [page.locator("[name=items-quantity]").nth(i).input_value() for i in (0, 1)] == ["2", "1"]


def test_operator_picks_the_gift_and_keeps_it_through_an_error(page, live_server, users, towels):
    base = live_server.url
    log_in(page, base, "operator")
    open_new(page, base, towels)
    page.select_option("#id_shop", str(towels.pk))
    switch_kind(page, "gift")
    page.fill("#id_name", "满199送杯子")
    page.fill("#id_threshold", "199")
    gift = page.locator("#kind-fields .sku-field")
    pick_sku(gift, "杯", "CUP-1")
    assert page.input_value("#id_gift_sku") == "CUP-1"
    assert not gift.locator("[data-sku-search]").is_visible()  # one gift: the search steps aside
    set_cart(page, [("TW-1", 1)])  # ¥199 reaches 满199
    page.locator("#preview-gifts li").wait_for()
    assert page.locator("#preview-gifts").inner_text().startswith("CUP-1 × 1")

    # saved with a threshold mistyped: the page comes back (422) with the error, as typed, the gift still picked
    page.fill("#id_code", "gift-cup")
    page.fill("#id_threshold", "19x")
    page.click("#save-promotion")
    page.locator("label.field.has-error #id_threshold").wait_for()
    assert not Promotion.objects.exists()
    assert page.input_value("#id_threshold") == "19x"
    assert page.input_value("#id_gift_sku") == "CUP-1"
    assert "马克杯" in page.locator("#kind-fields .sku-field .chip").inner_text()
    page.fill("#id_threshold", "199")
    page.click("#save-promotion")
    promotion = saved(page)
    assert (promotion.spec["gift_sku"], promotion.spec["gift_quantity"], promotion.spec["threshold"]) == (
        "CUP-1",
        1,
        "199.00",
    )


def test_leaving_one_sku_out_of_a_category_drops_the_count_by_one(page, live_server, users, towels):
    base = live_server.url
    log_in(page, base, "operator")
    open_new(page, base, towels)
    page.select_option("#id_shop", str(towels.pk))
    page.check("input[name=scope_mode][value=categories]")
    pick(page, "scope", "毛巾", "毛巾")
    reaches(page, 2)
    page.click("#scope details.exclusions summary")
    pick(page, "exclude", "TW-1", "TW-1")
    reaches(page, 1)
    assert "Reaches 1 SKU of" in page.locator("#scope-reach").inner_text()
    page.wait_for_function(SETTLED)
    assert json.loads(page.locator("#id_spec").input_value())["scope"] == {
        "categories": ["毛巾"],
        "exclude_skus": ["TW-1"],
    }
    page.locator("#chips-exclude .chip[data-value='TW-1'] [data-remove]").click()  # taken back: 2 again
    reaches(page, 2)


def test_loading_json_that_does_not_parse_keeps_the_form_and_the_text(page, live_server, users, towels):
    base = live_server.url
    log_in(page, base, "operator")
    open_new(page, base, towels)
    page.select_option("#id_shop", str(towels.pk))
    switch_kind(page, "bundle")
    page.fill("#id_code", "tw-set")
    pick_sku(item_row(page, 0), "TW-1", "TW-1")
    pick_sku(item_row(page, 1), "TW-2", "TW-2")
    page.locator("[name=items-quantity]").nth(1).fill("3")
    page.fill("#id_price", "499")
    page.wait_for_function(SETTLED)

    page.click("#advanced summary")
    typed = '{"kind": "bundle", "items": [ oops'
    page.fill("#id_spec", typed)
    page.click("#load-json")
    page.locator("#advanced small.error").first.wait_for()
    assert "Not valid JSON" in page.locator("#advanced").inner_text()
    assert page.locator("#spec-edited").is_visible()
    # the form is as it was: code, the picked items with their quantities, the price
    assert (page.input_value("#id_code"), page.input_value("#id_price")) == ("tw-set", "499")
    chips = page.locator("#rows-items .chip")
    assert [chips.nth(i).get_attribute("data-value") for i in range(chips.count())] == ["TW-1", "TW-2"]
    assert page.locator("[name=items-quantity]").nth(1).input_value() == "3"
    # the preview that runs once the page is back leaves the typed text alone
    page.locator("#payable-with, #preview-error").first.wait_for()
    page.wait_for_function(SETTLED)
    assert page.input_value("#id_spec") == typed
    assert not Promotion.objects.exists()

    # fixed and loaded: the form follows the JSON, picked SKUs included
    page.fill("#id_spec", json.dumps({"id": "tw-set", "kind": "gift", "threshold": "99", "gift_sku": "TW-2"}))
    page.click("#load-json")
    page.locator("#kind-fields[data-kind=gift]").wait_for()
    assert page.input_value("#id_gift_sku") == "TW-2"
    assert "纯棉毛巾" in page.locator("#kind-fields .sku-field .chip").inner_text()


@pytest.mark.parametrize("started", [True, False], ids=["running", "scheduled"])
def test_an_approved_promotion_opens_read_only(page, live_server, users, towels, started):
    now = timezone.now().replace(microsecond=0)
    start = now - timedelta(hours=1) if started else now + timedelta(days=1)
    raw = {
        "id": "tw-cup-set",
        "kind": "bundle",
        "name": "毛巾杯子套装",
        "items": [{"sku": "TW-1", "quantity": 2}, {"sku": "CUP-1", "quantity": 1}],
        "price": "399.00",
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(days=2)).isoformat(),
    }
    promotion = services.create_promotion(actor=users["operator"], shop=towels, raw_spec=raw)
    promotion = services.submit_promotion(actor=users["operator"], promotion=promotion)
    if promotion.state != PromotionState.APPROVED:
        promotion = services.approve_promotion(actor=users["manager"], promotion=promotion)
    assert promotion.state == PromotionState.APPROVED

    base = live_server.url
    log_in(page, base, "operator")
    page.goto(f"{base}/promotions/{promotion.pk}/?lang=en")
    page.locator("#payable-with").wait_for()
    assert page.locator("#promotion-status").inner_text() == ("Running" if started else "Scheduled")
    # the fields are shown: name, price, the items as chips with their titles and quantities
    assert (page.input_value("#id_name"), page.input_value("#id_price")) == ("毛巾杯子套装", "399.00")
    chips = page.locator("#rows-items .chip")
    assert [chips.nth(i).get_attribute("data-value") for i in range(chips.count())] == ["TW-1", "CUP-1"]
    assert "纯棉毛巾" in chips.nth(0).inner_text() and "马克杯" in chips.nth(1).inner_text()
    assert [page.locator("[name=items-quantity]").nth(i).input_value() for i in (0, 1)] == ["2", "1"]
    # and nothing of the promotion can be changed or saved
    editable = page.evaluate(
        """Array.from(document.querySelectorAll('#editor-body input, #editor-body select, #editor-body textarea'))
            .filter(e => e.type !== 'hidden' && !e.matches(':disabled') && !e.readOnly).map(e => e.name)"""
    )
    assert editable == []
    assert page.locator("#editor-body [data-remove], #editor-body [data-sku-search], #editor-body .picker").count() == 0
    assert page.locator("#add-items, #editor-body [data-remove-row]").count() == 0
    assert page.locator("#save-promotion, #load-json").count() == 0
    assert page.locator("#id_spec").get_attribute("readonly") is not None
    # the sample cart is only for the preview: it still takes other SKUs
    set_cart(page, [("TW-1", 2), ("CUP-1", 1)])
    wait_payable(page, "¥399.00")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "promotion-read-only.png"), full_page=True)
