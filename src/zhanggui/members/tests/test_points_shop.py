"""The points shop: an item taken for points once per key, stock and the per-member limit kept, a coupon item
granting its coupon; the daily check-in books +5 once per person and day (docs/members.md "Points shop")."""

from __future__ import annotations

import pytest

from zhanggui.members import points_shop, services
from zhanggui.members.errors import NotEnoughPoints, RedemptionRefused
from zhanggui.members.models import CouponGrant, Member, PointsShopItem
from zhanggui.members.tests.conftest import at
from zhanggui.members.tests.factories_campaigns import coupon

pytestmark = pytest.mark.django_db


@pytest.fixture
def lily(shop, paid):
    paid("tb_lily", "2026-10-01", "120.00")  # 120 points
    services.sync_members(shop=shop, now=at("2026-10-02"))
    return Member.objects.get(name="tb_lily")


def test_redemption_spends_once_per_key_and_keeps_stock_and_limit(lily, operator, shop):
    item = points_shop.save_item(
        actor=operator,
        item=PointsShopItem(
            name="10元券", kind="coupon", promotion=coupon(shop), points=50, stock=2, per_member_limit=2
        ),
    )
    first = points_shop.redeem(actor=operator, member=lily, item=item, key="k1")
    again = points_shop.redeem(actor=operator, member=lily, item=item, key="k1")  # a retried request
    assert first.pk == again.pk
    lily.refresh_from_db()
    item.refresh_from_db()
    assert (lily.points, item.stock) == (70, 1)  # 120 − 50, spent once
    assert CouponGrant.objects.filter(member=lily).count() == 1
    points_shop.redeem(actor=operator, member=lily, item=item, key="k2")
    lily.refresh_from_db()
    assert lily.points == 20
    with pytest.raises(RedemptionRefused):  # stock 0 now
        points_shop.redeem(actor=operator, member=lily, item=item, key="k3")


def test_limit_and_not_enough_points(lily, operator):
    mug = points_shop.save_item(
        actor=operator, item=PointsShopItem(name="马克杯", kind="gift", points=100, stock=10, per_member_limit=1)
    )
    points_shop.redeem(actor=operator, member=lily, item=mug, key="a")
    with pytest.raises(RedemptionRefused):
        points_shop.redeem(actor=operator, member=lily, item=mug, key="b")  # limit 1
    bag = points_shop.save_item(actor=operator, item=PointsShopItem(name="帆布袋", points=30, stock=5))
    with pytest.raises(NotEnoughPoints):  # 20 left
        points_shop.redeem(actor=operator, member=lily, item=bag, key="c")
    bag.refresh_from_db()
    assert bag.stock == 5  # nothing taken when refused


def test_check_in_once_a_day(lily, operator):
    _entry, new = points_shop.check_in(actor=operator, member=lily, now=at("2026-10-05 08:00"))
    _entry, again = points_shop.check_in(actor=operator, member=lily, now=at("2026-10-05 22:00"))
    assert (new, again) == (True, False)
    lily.refresh_from_db()
    assert lily.points == 125
    points_shop.check_in(actor=operator, member=lily, now=at("2026-10-06 00:30"))  # the next local day
    lily.refresh_from_db()
    assert lily.points == 130
    assert lily.points_moves.filter(reason="checkin").count() == 2
