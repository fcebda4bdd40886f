"""The segment builder in a real headless Chromium: the 运营 picks a lower M score and a tier, the count
follows as the fields change (htmx), and the segment is saved with its live count (core/tests/browser.py)."""

from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path

import pytest

from zhanggui.catalog.tests.factories import ShopFactory
from zhanggui.core.tests.browser import log_in
from zhanggui.members import services
from zhanggui.members.models import MemberTier
from zhanggui.members.tests.conftest import at
from zhanggui.orders.tests.factories import OrderFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(os.environ.get("ZHANGGUI_SCREENSHOTS", "/tmp/zhanggui-shots"))


def test_the_operator_builds_a_segment_and_sees_its_count(page, live_server, users):
    shop = ShopFactory(code="tb01", name="淘宝店")
    MemberTier.objects.create(code="gold", name="金卡", rank=1, basis="spend", threshold="500", window_days=None)
    # Five buyers spending ¥100, ¥200, ¥300, ¥400, ¥800: M scores 1 to 5; only the ¥800 one is gold.
    for n, total in enumerate(("100.00", "200.00", "300.00", "400.00", "800.00")):
        OrderFactory(shop=shop, buyer_nick=f"buyer{n}", paid_at=at(f"2026-0{n + 1}-10"), paid_total=Decimal(total))
    services.sync_members(shop=shop)
    base = live_server.url
    log_in(page, base, "operator")
    page.goto(f"{base}/members/segments/")
    assert page.locator("#segment-count").inner_text() == "5"
    page.select_option("select[name=m_min]", "3")  # ¥300 and up
    page.wait_for_selector("#segment-count:text-is('3')")
    page.check("input[name=tiers][value=gold]")
    page.wait_for_selector("#segment-count:text-is('1')")
    page.fill("#save-segment-form input[name=name]", "金卡高消费")
    page.click("#save-segment")
    page.wait_for_selector("tr[data-segment='金卡高消费']")
    assert page.locator("tr[data-segment='金卡高消费'] td.num").inner_text() == "1"
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1440, "height": 900})
    page.screenshot(path=str(SHOTS / "members-segments-1440.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scroll of the page
    page.screenshot(path=str(SHOTS / "members-segments-390.png"), full_page=True)
