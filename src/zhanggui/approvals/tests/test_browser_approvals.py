"""Approvals in a real headless Chromium (core/tests/browser.py): an operator prices a SKU below cost, sees the
margin warning as they type and saves; the SKU keeps its price, waiting for approval; a manager opens the queue
from the header badge, sees the SKU affected and rejects with a reason; the operator reads the reason. The same
for a promotion."""

from __future__ import annotations

import os
import re
from decimal import Decimal
from pathlib import Path

import pytest

from zhanggui.approvals.tests.conftest import deep
from zhanggui.catalog.models import PriceChange
from zhanggui.core.tests.browser import log_in
from zhanggui.promotions.offers import services as promotion_services

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(os.environ.get("ZHANGGUI_SCREENSHOTS", "/tmp/zhanggui-shots"))
SETTLED = "!document.querySelector('.htmx-request, .htmx-settling, .htmx-added')"


def switch_to(page, base: str, username: str) -> None:
    page.context.clear_cookies()
    log_in(page, base, username)
    page.goto(f"{base}/?lang=en")


def test_a_price_below_cost_waits_and_a_manager_rejects_it_with_a_reason(page, live_server, users, sku):
    base = live_server.url
    switch_to(page, base, "operator")

    page.goto(f"{base}/catalog/skus/{sku.pk}/")
    assert page.locator("#margin-amount").inner_text() == "¥33.63"
    page.wait_for_function(SETTLED)
    page.locator("#id_price").fill("9.90")  # typed: the margin follows without saving
    page.locator("#price-needs-approval").wait_for()
    assert page.locator("#margin-amount").inner_text() == "−¥15.47"
    assert "below cost" in page.locator("#price-margin").inner_text()
    assert "keeps ¥59.00" in page.locator("#price-needs-approval").inner_text()
    page.locator("#id_note").fill("清仓")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "price-below-cost-warning.png"), full_page=True)
    page.click("#save-price")
    page.locator("#price-sent").wait_for()
    assert "Waiting for approval: ¥9.90" in page.locator("#price-waiting").inner_text()
    assert page.locator("#sku-price").inner_text() == "¥59.00"
    page.reload()
    assert page.locator("#sku-price").inner_text() == "¥59.00"
    assert page.locator("#sku-price-waiting").inner_text() == "¥9.90 waiting for approval"
    change = PriceChange.objects.get()
    assert (change.state, change.price_asked, change.note) == ("pending", Decimal("9.90"), "清仓")

    switch_to(page, base, "manager")
    assert page.locator("#approvals-count").inner_text() == "1"
    page.click("#approvals-badge")
    page.wait_for_url(f"{base}/approvals/")
    page.click(f"tr[data-kind=prices][data-pk='{change.pk}'] a")
    page.wait_for_url(f"{base}/approvals/prices/{change.pk}/")
    price_row = page.locator("#affected-table tr[data-row=price]").inner_text()
    assert "¥59.00" in price_row and "¥9.90" in price_row
    assert "−¥15.47" in page.locator("#affected-table tr[data-row=margin]").inner_text()
    page.screenshot(path=str(SHOTS / "price-approval.png"), full_page=True)
    page.locator("#id_note").fill("低于成本，等新进价")
    page.click("#reject")
    page.wait_for_url(f"{base}/approvals/")
    assert "Rejected: TEE-M keeps ¥59.00" in page.locator("#flash").inner_text()
    assert page.locator("#approvals-count").inner_text() == "0"

    switch_to(page, base, "operator")
    page.goto(f"{base}/catalog/skus/{sku.pk}/")
    assert "低于成本，等新进价" in page.locator("#price-rejected").inner_text()
    assert page.locator("#sku-price").inner_text() == "¥59.00"


def test_a_manager_rejects_a_promotion_after_seeing_the_skus_it_reaches(page, live_server, users, shop, sku):
    created = promotion_services.create_promotion(actor=users["operator"], shop=shop, raw_spec=deep())
    promotion = promotion_services.submit_promotion(actor=users["operator"], promotion=created)
    base = live_server.url
    switch_to(page, base, "manager")
    page.click("#approvals-badge")
    page.click(f"tr[data-kind=promotions][data-pk='{promotion.pk}'] a")
    page.wait_for_url(re.compile(rf"/approvals/promotions/{promotion.pk}/$"))
    row = page.locator("#affected-table tr[data-sku=TEE-M]").inner_text()
    assert "¥59.00" in row and "¥35.40" in row and "¥10.03" in row
    assert page.locator("#payable-with").inner_text() == "¥35.40"
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "promotion-approval.png"), full_page=True)
    page.locator("#id_note").fill("最多7折")
    page.click("#reject")
    page.wait_for_url(f"{base}/approvals/")
    assert "Rejected: d6 goes back to operator" in page.locator("#flash").inner_text()

    switch_to(page, base, "operator")
    page.goto(f"{base}/approvals/")
    returned = page.locator(f"#returned-table tr[data-kind=promotions][data-pk='{promotion.pk}']").inner_text()
    assert "最多7折" in returned
    promotion.refresh_from_db()
    assert promotion.state == "rejected"
