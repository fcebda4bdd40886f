"""Stored campaigns in a real headless Chromium: an operator starts a 天天特价 entry from the preset, saves it
for the shop, and checks two SKUs against it: the one that sold nothing in 30 days is refused with the sales
rule named, the other passes (see core/tests/test_browser.py for the setup)."""

from __future__ import annotations

import os
import re
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone

from zhanggui.catalog.models import ListingStatus, Sku
from zhanggui.catalog.tests.factories import ShopFactory, SkuFactory
from zhanggui.core.tests.browser import log_in
from zhanggui.inventory import services as stock
from zhanggui.inventory.models import MoveReason
from zhanggui.inventory.tests.factories import WarehouseFactory
from zhanggui.promotions.models import OfficialCampaign

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(os.environ.get("ZHANGGUI_SCREENSHOTS", "/tmp/zhanggui-shots"))
LISTED = {"listing_status": ListingStatus.LISTED, "product__listing_status": ListingStatus.LISTED}


def test_operator_enters_a_campaign_from_a_preset_and_sees_the_failing_rule(page, live_server, users, system):
    shop = ShopFactory(code="tm", name="天猫旗舰店")
    warehouse = WarehouseFactory(code="main")
    # On sale for 40 days; 12 units of MY-01 sold in the last 30 (天天特价 asks for at least 10), none of MY-02.
    for code, sold in (("MY-01", 12), ("MY-02", 0)):
        sku = SkuFactory(code=code, price=Decimal("99.00"), product__shop=shop, **LISTED)
        Sku.objects.filter(pk=sku.pk).update(created_at=timezone.now() - timedelta(days=40))
        stock.book_move(actor=system, sku=sku, warehouse=warehouse, quantity=400, reason=MoveReason.PURCHASE_RECEIPT)
        if sold:
            stock.book_move(actor=system, sku=sku, warehouse=warehouse, quantity=-sold, reason=MoveReason.SALE_ISSUE)

    base = live_server.url
    log_in(page, base, "operator")
    page.goto(f"{base}/promotions/campaigns/new/?preset=tiantiantejia&lang=zh-hans")
    # The preset's rules, copied into rows: a kind picked and its numbers in cells, the others hidden.
    assert page.locator("#id_rule-0-kind").input_value() == "min_sales"
    assert page.locator("#id_rule-0-units").input_value() == "10"
    assert page.locator("#id_rule-0-amount").is_hidden()
    page.locator("#id_rule-1-max").fill("250")  # this time the shop offers at most 250
    page.select_option("#id_rule-2-kind", "free_shipping")  # and one rule more, with no number
    assert page.locator("#id_rule-2-days").is_hidden()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.locator("#campaign-editor").screenshot(path=str(SHOTS / "campaign-rules.png"))
    page.select_option("#id_shop", str(shop.pk))
    page.click("#save-campaign")
    page.wait_for_url(re.compile(r"/promotions/campaigns/\d+/$"))
    campaign = OfficialCampaign.objects.get()
    assert (campaign.shop_id, campaign.code, campaign.preset) == (shop.pk, "tiantiantejia", "tiantiantejia")
    assert campaign.spec["rules"] == [
        {"kind": "min_sales", "days": 30, "units": 10},
        {"kind": "offer_quantity", "min": 50, "max": 250},
        {"kind": "free_shipping"},
    ]
    assert page.locator("#id_rule-2-kind").input_value() == "free_shipping"  # the saved rules, shown again

    page.click("#check-campaign")
    page.click("#paste-rows summary")  # typed lines are the advanced way in; the table is the ordinary one
    page.locator("#id_lines").fill("MY-01,49.00,100,yes\nMY-02,49.00,100,yes")
    page.click("#run-check")
    rows = page.locator("#campaign-results-table tbody tr")
    rows.first.wait_for()
    assert page.locator("tr[data-sku='MY-01']").get_attribute("class") == "eligible"
    quiet_row = page.locator("tr[data-sku='MY-02']")
    assert quiet_row.get_attribute("class") == "not-eligible"
    failing = quiet_row.locator("li.rule-fail")
    assert failing.count() == 1
    assert failing.get_attribute("data-rule") == "min_sales"
    assert "10" in failing.inner_text()  # the required number is named
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "campaign-check.png"), full_page=True)
