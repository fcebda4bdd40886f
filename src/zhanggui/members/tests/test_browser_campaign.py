"""Builds a segment and launches a coupon campaign, in a real headless Chromium (issue #13): the 运营 saves a
segment on the segments page, picks it in the campaign builder (the treatment/control counts follow), previews
the text, saves, sends, and sees the campaign with its control group holding back what the others received."""

from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path

import pytest

from zhanggui.catalog.tests.factories import ShopFactory
from zhanggui.core.tests.browser import log_in
from zhanggui.members import services
from zhanggui.members.models import Campaign, CouponGrant, Member
from zhanggui.members.tests.conftest import at
from zhanggui.members.tests.factories_campaigns import coupon
from zhanggui.orders.tests.factories import OrderFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(os.environ.get("ZHANGGUI_SCREENSHOTS", "/tmp/zhanggui-shots"))


def shoot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1440, "height": 900})
    page.screenshot(path=str(SHOTS / f"{name}-1440.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scroll of the page
    page.screenshot(path=str(SHOTS / f"{name}-390.png"), full_page=True)
    page.set_viewport_size({"width": 1440, "height": 900})


def test_builds_a_segment_and_launches_a_coupon_campaign(page, live_server, users):
    shop = ShopFactory(code="tb01", name="淘宝店")
    for n in range(20):  # twenty buyers, ¥100 … ¥2000: M scores 1–5, four per score
        OrderFactory(shop=shop, buyer_nick=f"buyer{n:02d}", paid_at=at("2026-09-10"), paid_total=Decimal(100 * (n + 1)))
    services.sync_members(shop=shop)
    promotion = coupon(shop)
    base = live_server.url
    log_in(page, base, "operator")
    page.goto(f"{base}/members/segments/")
    page.select_option("select[name=m_min]", "3")  # the top three fifths: 12 people
    page.wait_for_selector("#segment-count:text-is('12')")
    page.fill("#save-segment-form input[name=name]", "高消费")
    page.click("#save-segment")
    page.wait_for_selector("tr[data-segment='高消费']")

    page.goto(f"{base}/members/campaigns/")
    page.click("#new-campaign")
    page.fill("input[name=name]", "回购券")
    page.select_option("select[name=segment]", label="高消费")
    page.wait_for_selector("#preview-people:text-is('12')")
    page.fill("input[name=control_percent]", "25")
    page.locator("input[name=control_percent]").dispatch_event("change")
    page.wait_for_selector("#preview-control:text-is('3')")  # 12 × 25 % = 3
    assert page.locator("#preview-treatment").inner_text() == "9"
    page.select_option("select[name=promotion]", str(promotion.pk))
    page.fill("textarea[name=template]", "{nick} 您好，送您 {coupon}")
    page.locator("textarea[name=template]").dispatch_event("change")
    page.wait_for_selector("#preview-text:has-text('送您 VIP10')")
    shoot(page, "members-campaign-builder")
    page.click("#save-campaign")
    page.wait_for_selector("#send-campaign")
    page.click("#send-campaign")
    page.wait_for_selector("#report-table")
    assert page.locator("#count-treatment").inner_text() == "9"
    assert page.locator("#count-control").inner_text() == "3"
    assert page.locator("#campaign-members tr[data-group='control']").count() == 3
    campaign = Campaign.objects.get()
    control = set(campaign.members.filter(group="control").values_list("member_id", flat=True))
    assert not CouponGrant.objects.filter(member_id__in=control).exists()
    assert CouponGrant.objects.filter(campaign=campaign).count() == 9
    shoot(page, "members-campaign-report")
    page.goto(f"{base}/members/campaigns/")
    page.wait_for_selector("tr[data-campaign='回购券']")
    shoot(page, "members-campaigns")
    page.goto(f"{base}/members/points-shop/")
    page.fill("#item-form input[name=name]", "帆布袋")
    page.fill("#item-form input[name=points]", "300")
    page.fill("#item-form input[name=stock]", "10")
    page.click("#item-form button.primary")
    page.wait_for_selector("tr[data-item='帆布袋']")
    buyer = Member.objects.get(name="buyer00")  # ¥100: 100 points
    page.fill("#behalf-form input[name=member]", str(buyer.pk))
    page.click("#behalf-form button[value=checkin]")
    page.wait_for_selector("#behalf-form")
    buyer.refresh_from_db()
    assert buyer.points == 105  # +5 for the day's check-in
    shoot(page, "members-points-shop")
