"""The plan grid in a real headless Chromium: the 店长 types a month's target, Tab moves on, Enter saves, and the
quarter and the year show the new sums (see core/tests/browser.py for the setup)."""

from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone

from zhanggui.catalog.tests.factories import ShopFactory
from zhanggui.core.tests.browser import log_in
from zhanggui.planning import services

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(os.environ.get("ZHANGGUI_SCREENSHOTS", "/tmp/zhanggui-shots"))


def test_the_manager_edits_a_month_and_sees_the_quarter_and_the_year(page, live_server, users):
    shop = ShopFactory(code="tb01", name="淘宝店")
    year = timezone.localdate().year
    # The template: January 9 % = 108,000.00, February 66,000.00, March 102,000.00 (Q1 276,000.00)
    services.create_plan(actor=users["manager"], shop=shop, year=year, gmv_target=Decimal("1200000.00"))
    base = live_server.url
    log_in(page, base, "manager")
    page.goto(f"{base}/planning/?shop=tb01&year={year}")
    assert page.locator("#quarter-Q1 .target").inner_text() == "¥276,000.00"
    page.check("#plan-mode input[value=keep]")  # keep the others: the year changes
    target = page.locator("#month-1 input[name='m1-gmv_target']")
    target.fill("200000.00")
    target.press("Tab")
    assert page.evaluate("document.activeElement.name") == "m1-uv"  # Tab goes on to the month's next cell
    page.keyboard.press("Enter")
    page.wait_for_selector("#month-1 input[name='m1-gmv_target'][value='200000.00']")
    assert page.locator("#quarter-Q1 .target").inner_text() == "¥368,000.00"
    assert page.locator("#year-total .target").inner_text() == "¥1,292,000.00"
    # Rebalance (the default choice): November up by 8,000.00, the year stays
    page.check("#plan-mode input[value=rebalance]")
    november = page.locator("#month-11 input[name='m11-gmv_target']")
    november.fill("176000.00")  # from 168,000.00 (14 %)
    november.press("Enter")
    page.wait_for_selector("#month-11 input[name='m11-gmv_target'][value='176000.00']")
    assert page.locator("#year-total .target").inner_text() == "¥1,292,000.00"
    # January was typed by hand, so it is locked and kept; the 8,000.00 came off the ten other months
    assert page.locator("#month-1 input[name='m1-gmv_target']").input_value() == "200000.00"
    assert page.locator("#month-1 input[name='m1-locked']").is_checked()
    assert (
        page.locator("#month-12 input[name='m12-gmv_target']").input_value() == "130857.14"
    )  # 132,000.00 × 916,000 ÷ 924,000 = 130,857.142…
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "planning-plan.png"), full_page=True)
