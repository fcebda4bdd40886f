"""/api/v1/members campaigns and points shop with a token: a draft with its live group counts, a test send, the
send with its control group held back, the report; an item, a redemption once per key, a check-in once a day."""

from __future__ import annotations

import pytest
from django.test import Client

from zhanggui.core.services import create_api_token
from zhanggui.members import services
from zhanggui.members.models import CampaignMember, Member
from zhanggui.members.tests.conftest import at

pytestmark = pytest.mark.django_db
M = "/api/v1/members"


@pytest.fixture
def api(users):
    token = create_api_token(user=users["operator"], name="t")[1]
    return Client(headers={"Authorization": f"Bearer {token}"})


@pytest.fixture
def segment(shop, paid, users):
    for n in range(10):
        paid(f"buyer{n}", "2026-09-01", "60.00")
    services.sync_members(shop=shop, now=at("2026-10-01"))
    return services.save_segment(actor=users["operator"], name="全部", filters={"r_min": 1})


def test_campaign_through_the_api(api, segment):
    body = {
        "name": "回访",
        "segment": segment.pk,
        "kind": "message",
        "template": "{nick}，好久不见",
        "control_share": "0.3",
    }
    created = api.post(f"{M}/campaigns", body, content_type="application/json").json()
    assert created["counts"] == {"people": 10, "treatment": 7, "control": 3}  # 10 × 30 %
    assert created["seed"] is not None and created["state"] == "draft"
    member = Member.objects.first()
    tested = api.post(f"{M}/campaigns/{created['id']}/test", {"member": member.pk}, content_type="application/json")
    assert tested.json()["text"] == f"{member.name}，好久不见"
    bad = api.post(f"{M}/campaigns", {**body, "template": "{order_no}"}, content_type="application/json")
    assert bad.status_code == 422 and "order_no" in bad.json()["message"]
    sent = api.post(f"{M}/campaigns/{created['id']}/send").json()
    assert sent["treatment"] == 7 and sent["control"] == 3
    detail = api.get(f"{M}/campaigns/{created['id']}").json()
    assert detail["state"] == "sent" and detail["counts"]["control"] == 3
    assert len(detail["report"]) >= 1 and detail["report"][0]["gmv"]["diff"] == "0.00"
    assert CampaignMember.objects.filter(group="control", status="held_back").count() == 3
    again = api.post(f"{M}/campaigns/{created['id']}/send")
    assert again.status_code == 422  # sent once only


def test_points_shop_through_the_api(api, segment):
    item = api.post(
        f"{M}/points-shop", {"name": "贴纸", "kind": "gift", "points": 20, "stock": 5}, content_type="application/json"
    ).json()
    member = Member.objects.first()  # 60 points
    first = api.post(f"{M}/{member.pk}/redeem", {"item": item["id"], "key": "r1"}, content_type="application/json")
    second = api.post(f"{M}/{member.pk}/redeem", {"item": item["id"], "key": "r1"}, content_type="application/json")
    assert first.json()["redemption"] == second.json()["redemption"]
    assert second.json()["person_balance"] == 40
    assert api.get(f"{M}/points-shop").json()[0]["stock"] == 4
    one = api.post(f"{M}/{member.pk}/check-in").json()
    two = api.post(f"{M}/{member.pk}/check-in").json()
    assert (one["new"], two["new"], two["person_balance"]) == (True, False, 45)
