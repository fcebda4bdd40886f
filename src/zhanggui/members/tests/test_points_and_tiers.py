"""Members from orders, points earned net of refunds with FIFO expiry, tiers by rule, and a member's quote —
worked examples with the figures computed by hand (docs/members.md)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db.models import Sum

from zhanggui.aftersales.tests.factories import CaseFactory, CaseLineFactory
from zhanggui.members import pricing, services
from zhanggui.members.errors import NotEnoughPoints
from zhanggui.members.models import Member, MemberIdentity, MemberTier, TierChange
from zhanggui.members.tests.conftest import at
from zhanggui.orders.tests.factories import OrderLineFactory

pytestmark = pytest.mark.django_db


def ledger(member: Member) -> list[tuple[int, str]]:
    return list(member.points_moves.order_by("id").values_list("points", "reason"))  # as booked


def balance_is_the_ledger(member: Member) -> None:
    member.refresh_from_db()
    assert member.points == (member.points_moves.aggregate(s=Sum("points"))["s"] or 0)


def refund(order, amount: str) -> None:
    CaseLineFactory(
        case=CaseFactory(order=order, shop=order.shop),
        order_line=OrderLineFactory(order=order),
        refund_amount=Decimal(amount),
    )


def test_a_sync_makes_one_member_per_buyer_and_twice_books_nothing_twice(shop, paid):
    paid("tb_lily", "2026-01-10", "99.90")
    paid("tb_lily", "2026-03-01", "200.00")
    paid("tb_wang", "2026-03-02", "50.00")
    paid("", "2026-03-03", "10.00")  # no buyer: no member
    first = services.sync_members(shop=shop, now=at("2026-04-01"))
    again = services.sync_members(shop=shop, now=at("2026-04-01"))
    assert (first["created"], again["created"]) == (2, 0)
    assert again["points_earned"] == 0
    lily = MemberIdentity.objects.get(buyer_nick="tb_lily").member
    assert (lily.orders_count, lily.spend, lily.points) == (2, Decimal("299.90"), 299)  # 99 + 200
    assert ledger(lily) == [(99, "earn"), (200, "earn")]


def test_points_are_earned_net_of_a_refund_and_expire_oldest_first(shop, paid, manager):
    first = paid("tb_lily", "2026-01-10", "99.90")  # 99 points (¥0.90 rounds down), lot expires 2027-01-10
    second = paid("tb_lily", "2026-03-01", "200.00")  # 200 points, lot expires 2027-03-01
    services.sync_members(shop=shop, now=at("2026-04-01"))
    lily = Member.objects.get()
    assert lily.points == 299

    refund(second, "50.50")  # net 149.50 → 149 points: 51 taken back, from the oldest lot (the first's 99 → 48)
    services.sync_members(shop=shop, now=at("2026-04-02"))
    lily.refresh_from_db()
    assert (lily.points, lily.spend) == (248, Decimal("249.40"))
    assert ledger(lily) == [(99, "earn"), (200, "earn"), (-51, "refund")]
    assert first.paid_at < second.paid_at  # the first order's lot is the one that shrank, as the expiry shows:

    services.refresh(now=at("2027-01-11"))  # the first lot (48 left) expires; the second's 200 stay
    lily.refresh_from_db()
    assert lily.points == 200
    assert ledger(lily)[-1] == (-48, "expire")

    assert services.spend_points(actor=manager, member=lily, amount=150, reference="coupon:C10", key="k1") == 150
    lily.refresh_from_db()
    assert lily.points == 50
    assert ledger(lily)[-1] == (-150, "spend")
    balance_is_the_ledger(lily)


def test_spending_needs_the_right_and_enough_points_and_a_repeat_spends_nothing(shop, paid, manager, users):
    paid("tb_lily", "2026-11-01", "120.00")
    services.sync_members(shop=shop, now=at("2026-11-02"))
    lily = Member.objects.get()
    with pytest.raises(Exception) as denied:
        services.spend_points(actor=users["service"], member=lily, amount=10, reference="x", key="k0")
    assert denied.value.code == "permission_denied"
    with pytest.raises(NotEnoughPoints):
        services.spend_points(actor=manager, member=lily, amount=121, reference="coupon:C100", key="k1")
    assert services.spend_points(actor=manager, member=lily, amount=100, reference="coupon:C100", key="k2") == 100
    assert services.spend_points(actor=manager, member=lily, amount=100, reference="coupon:C100", key="k2") == 0
    lily.refresh_from_db()
    assert lily.points == 20
    balance_is_the_ledger(lily)


def test_tiers_by_rule_are_booked_when_they_change(shop, paid, manager):
    MemberTier.objects.create(code="silver", name="银卡", rank=1, basis="spend", threshold="500", window_days=365)
    MemberTier.objects.create(code="gold", name="金卡", rank=2, basis="orders", threshold="3", window_days=None)
    for when, total in (("2025-06-01", "300.00"), ("2026-05-01", "250.00"), ("2026-11-01", "100.00")):
        paid("tb_often", when, total)  # 3 orders lifetime: gold (within 365 days only ¥350: not silver)
    paid("tb_big", "2026-11-20", "600.00")  # ¥600 within 365 days: silver
    paid("tb_small", "2026-11-21", "100.00")  # nothing met
    services.sync_members(shop=shop, now=at("2026-12-01"))
    tier = {i.buyer_nick: (i.member.tier.code if i.member.tier else None) for i in MemberIdentity.objects.all()}
    assert tier == {"tb_often": "gold", "tb_big": "silver", "tb_small": None}

    services.refresh(now=at("2027-11-25"))  # tb_big's ¥600 is now older than 365 days
    big = MemberIdentity.objects.get(buyer_nick="tb_big").member
    assert big.tier is None
    changes = list(TierChange.objects.filter(member=big).order_by("at").values_list("from_tier__code", "to_tier__code"))
    assert changes == [(None, "silver"), ("silver", None)]


def test_a_members_quote_gets_the_member_price_of_their_tier_and_the_lifetime_discount(shop, paid):
    MemberTier.objects.create(code="gold", name="金卡", rank=2, basis="orders", threshold="1", window_days=None)
    paid("tb_lily", "2026-11-01", "5000.00")
    services.sync_members(shop=shop, now=at("2026-11-02"))
    lily = Member.objects.get()
    assert pricing.buyer_of(lily) == {"id": f"member:{lily.pk}", "tier": "gold", "past_spend": "5000.00"}
    cart = {"lines": [{"sku": "MY-01", "quantity": 1, "unit_price": "100.00"}]}
    vip = [{"id": "vip", "kind": "member_price", "prices": {"gold": "80.00"}}]
    life = [{"id": "life7", "kind": "member_discount", "min_past_spend": "5000.00", "rate": "7"}]
    assert pricing.quote_for_member(member=lily, cart=cart, shop=None, promotions=vip)["totals"]["payable"] == "80.00"
    assert pricing.quote_for_member(member=lily, cart=cart, shop=None, promotions=life)["totals"]["payable"] == "70.00"
