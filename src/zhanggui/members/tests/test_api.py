"""/api/v1/members with a token: the list (masked phones), a member, spending points once per key, a member's
quote priced by their tier, a segment's live count and the cohort table."""

from __future__ import annotations

import pytest
from django.test import Client

from zhanggui.core.services import create_api_token
from zhanggui.members import services
from zhanggui.members.models import MemberIdentity, MemberTier
from zhanggui.members.tests.conftest import at

pytestmark = pytest.mark.django_db
M = "/api/v1/members"


@pytest.fixture
def api(users):
    def as_role(role: str) -> Client:
        return Client(headers={"Authorization": f"Bearer {create_api_token(user=users[role], name='t')[1]}"})

    return as_role


@pytest.fixture
def lily(shop, paid):
    MemberTier.objects.create(code="gold", name="金卡", rank=1, basis="orders", threshold="2", window_days=None)
    paid("tb_lily", "2026-10-05", "100.00", receiver_phone="13812345678")
    paid("tb_lily", "2026-11-05", "60.50")
    services.sync_members(shop=shop, now=at("2026-11-06"))
    return MemberIdentity.objects.get(buyer_nick="tb_lily").member


def test_the_list_and_a_member(api, lily):
    body = api("designer").get(M).json()
    assert body["count"] == 1
    item = body["items"][0]
    assert (item["phone"], item["tier"], item["orders_count"], item["points"]) == ("138****5678", "gold", 2, 160)
    detail = api("designer").get(f"{M}/{lily.pk}").json()
    assert detail["identities"] == [{"platform": "taobao", "buyer_nick": "tb_lily"}]
    assert detail["tier_history"][0]["to"] == "gold"


def test_points_are_spent_once_per_key_and_refused_beyond_the_balance(api, lily):
    spend = {"points": 100, "reference": "coupon:C10", "key": "order-42"}
    first = api("operator").post(f"{M}/{lily.pk}/points/spend", spend, content_type="application/json").json()
    again = api("operator").post(f"{M}/{lily.pk}/points/spend", spend, content_type="application/json").json()
    assert (first, again) == ({"spent": 100, "person_balance": 60}, {"spent": 0, "person_balance": 60})
    too_many = api("operator").post(
        f"{M}/{lily.pk}/points/spend", {**spend, "key": "k2", "points": 61}, content_type="application/json"
    )
    assert too_many.status_code == 409 and too_many.json()["code"] == "not_enough_points"


def test_a_quote_for_the_member_is_priced_by_their_tier(api, lily):
    payload = {
        "cart": {"lines": [{"sku": "A", "quantity": 2, "unit_price": "100.00"}]},
        "promotions": [{"id": "vip", "kind": "member_price", "prices": {"gold": "88.00"}}],
    }
    body = api("warehouse").post(f"{M}/{lily.pk}/quote", payload, content_type="application/json").json()
    assert body["buyer"]["tier"] == "gold"
    assert body["totals"]["payable"] == "176.00"  # 2 × ¥88.00


def test_the_pricing_quote_prices_a_buyer_named_by_nick_as_the_member(api, lily):
    """POST /api/v1/pricing/quote with buyer.id = the platform nick (or member:<id>) is priced with the member's
    tier; an unknown nick and a cart that states its own tier are left as they say."""
    promotions = [{"id": "vip", "kind": "member_price", "prices": {"gold": "88.00"}}]

    def payable(buyer: dict) -> str:
        cart = {"lines": [{"sku": "A", "quantity": 2, "unit_price": "100.00"}], "buyer": buyer}
        body = {"shop": "tb01", "cart": cart, "promotions": promotions}
        return (
            api("warehouse")
            .post("/api/v1/pricing/quote", body, content_type="application/json")
            .json()["totals"]["payable"]
        )

    assert payable({"id": "tb_lily"}) == "176.00"  # gold: 2 × ¥88.00
    assert payable({"id": f"member:{lily.pk}"}) == "176.00"
    assert payable({"id": "somebody_else"}) == "200.00"
    assert payable({"id": "tb_lily", "tier": "", "past_spend": "0"}) == "200.00"  # the cart's word wins


def test_a_segments_count_and_the_cohorts(api, lily):
    assert api("service").get(f"{M}/segments/count", {"tiers": "gold"}).json()["count"] == 1
    assert api("service").get(f"{M}/segments/count", {"tiers": "none"}).json()["count"] == 0
    assert api("service").get(f"{M}/segments/count", {"r_min": 4, "r_max": 2}).status_code == 422
    cohorts = api("service").get(f"{M}/cohorts").json()
    assert [c["month"] for c in cohorts["cohorts"]] == ["2026-10"]
    assert cohorts["total"]["people"] == 1
