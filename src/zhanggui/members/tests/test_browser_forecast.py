"""The repurchase model in a real headless Chromium: the list filtered to churn risks by model (htmx), a member's
outlook, and the segment builder's "churn risk by model" box; at 1440 and 390 px without sideways scroll."""

from __future__ import annotations

import os
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from zhanggui.catalog.tests.factories import ShopFactory
from zhanggui.core.tests.browser import log_in
from zhanggui.members import forecast, services
from zhanggui.members.models import MemberForecast, MemberIdentity
from zhanggui.members.tests.conftest import at
from zhanggui.orders.tests.factories import OrderFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(os.environ.get("ZHANGGUI_SCREENSHOTS", "/tmp/zhanggui-shots"))
NOW = at("2026-06-01")


def shoot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1440, "height": 900})
    page.screenshot(path=str(SHOTS / f"{name}-1440.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scroll of the page
    page.screenshot(path=str(SHOTS / f"{name}-390.png"), full_page=True)
    page.set_viewport_size({"width": 1440, "height": 900})


def test_churn_risk_by_model_in_the_list_a_member_and_the_segments(page, live_server, users):
    shop = ShopFactory(code="tb01", name="淘宝店")
    start = date(2026, 1, 1)
    for i in range(36):  # three purchases, every 10 + i days
        for k in range(3):
            day = (start + timedelta(days=i + k * (10 + i))).isoformat()
            OrderFactory(shop=shop, buyer_nick=f"rep{i}", paid_at=at(day), paid_total=Decimal(f"{50 + i}.00"))
    for j in range(10):
        OrderFactory(shop=shop, buyer_nick=f"once{j}", paid_at=at(f"2026-02-{j + 1:02d}"), paid_total=Decimal("80"))
    services.sync_members(shop=shop, now=NOW)
    forecast.refit(NOW)
    at_risk = MemberForecast.objects.filter(p_alive__lt=Decimal("0.5")).count()
    assert 0 < at_risk < 46
    base = live_server.url
    log_in(page, base, "operator")
    page.goto(f"{base}/members/")
    page.select_option("select[name=outlook]", "at_risk")
    page.wait_for_function(f"document.querySelectorAll('#member-table tr[data-member]').length === {at_risk}")
    shoot(page, "members-list-outlook")
    member = MemberIdentity.objects.get(buyer_nick="rep0").member
    page.goto(f"{base}/members/{member.pk}/")
    assert page.locator("#member-p-alive").inner_text().endswith("%")
    shoot(page, "members-detail-outlook")
    page.goto(f"{base}/members/segments/")
    page.check("input[name=model_churn_risk]")
    page.wait_for_selector(f"#segment-count:text-is('{at_risk}')")
    shoot(page, "members-segments-model")
