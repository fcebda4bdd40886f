"""The ad budget page in a real headless Chromium: the 店长 sets June's budget as 8 % of its target with two lines
(one added with "Add a line"), saves, and sees the month, the quarter and the year; then the calendar with the
platform events. Screenshots at 1440 and 390 px (see core/tests/browser.py for the setup)."""

from __future__ import annotations

import os
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone

from zhanggui.analytics.models import AdDay
from zhanggui.catalog.tests.factories import ShopFactory
from zhanggui.core.tests.browser import log_in
from zhanggui.planning import calendar, services
from zhanggui.planning.models import AdBudget

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(os.environ.get("ZHANGGUI_SCREENSHOTS", "/tmp/zhanggui-shots"))


def _no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_the_manager_sets_a_month_budget_with_two_lines_and_sees_the_total(page, live_server, users):
    shop = ShopFactory(code="tb01", name="淘宝店")
    year = timezone.localdate().year - 1  # a year gone: June's spend is counted whole
    # The template: June 10 % of ¥1,200,000.00 = ¥120,000.00; 8 % of it is ¥9,600.00.
    services.create_plan(actor=users["manager"], shop=shop, year=year, gmv_target=Decimal("1200000.00"))
    base = live_server.url
    log_in(page, base, "manager")
    page.goto(f"{base}/planning/budget/?shop=tb01&year={year}")
    june = page.locator("#budget-6")
    june.locator("select[name='m6-mode']").select_option("share")
    june.locator("input[name='m6-share_percent']").fill("8")
    # A month without lines shows one empty line; "Add a line" gives the second.
    june.locator("button.add-line").click()
    assert page.locator("#budget-form-6 input[name='m6-l-TOTAL_FORMS']").input_value() == "2"
    june.locator("select[name='m6-l-0-channel']").select_option("ztc")
    june.locator("input[name='m6-l-0-share_percent']").fill("60")
    june.locator("input[name='m6-l-0-expected_roi']").fill("3")
    june.locator("select[name='m6-l-1-channel']").select_option("display")
    june.locator("select[name='m6-l-1-goal']").select_option("exposure")
    june.locator("input[name='m6-l-1-share_percent']").fill("40")
    june.locator("#budget-save-6").click()
    page.wait_for_selector("#budget-6 input[name='m6-amount'][value='9600.00']")
    assert page.locator("#budget-Q2 .amount").inner_text() == "¥9,600.00"
    assert page.locator("#budget-year .amount").inner_text() == "¥9,600.00"
    amounts = page.locator("#budget-6 tr.line-row td.amount").all_inner_texts()
    assert amounts[:2] == ["¥3,840.00", "¥5,760.00"]  # 40 % 引力魔方 (display sorts first), 60 % 直通车
    assert AdBudget.objects.get().lines.count() == 2
    # June's 直通车 report: ¥11,000.00 spent (over ¥9,600.00 + 10 %) for ¥22,000.00 (ROI 2.00, below 3.00).
    AdDay.objects.create(
        shop=shop, day=date(year, 6, 9), report="ztc", channel="ztc", cost=Decimal("11000.00"), gmv=Decimal("22000")
    )
    page.reload()
    assert page.locator("#budget-6 [data-warning=overspend]").is_visible()
    assert page.locator("#budget-6 [data-warning=roi_low]").is_visible()
    page.locator("#budget-6").scroll_into_view_if_needed()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1440, "height": 900})
    page.screenshot(path=str(SHOTS / "planning-budget-1440.png"), full_page=False)
    page.set_viewport_size({"width": 390, "height": 844})
    assert _no_sideways_scroll(page)
    page.screenshot(path=str(SHOTS / "planning-budget-390.png"), full_page=False)

    calendar.seed_platform_events(actor=users["manager"], shop=shop, year=year)
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(f"{base}/planning/calendar/?shop=tb01&year={year}")
    assert page.locator(".cal-bar.platform").count() == 8
    page.screenshot(path=str(SHOTS / "planning-calendar-1440.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    assert _no_sideways_scroll(page)
    page.screenshot(path=str(SHOTS / "planning-calendar-390.png"), full_page=True)
