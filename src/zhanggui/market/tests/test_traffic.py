"""An item's visitors and conversion in the 7 days before and after a title change (analytics' item reports)."""

from __future__ import annotations

from datetime import date

import pytest

from zhanggui.analytics.models import ItemDayTraffic
from zhanggui.market import traffic
from zhanggui.market.tests.factories import dress_shop

pytestmark = pytest.mark.django_db


def item_day(shop, product, day: date, visitors: int, buyers: int, item_id: str = "601"):
    ItemDayTraffic.objects.create(
        shop=shop, product=product, day=day, item_id=item_id, visitors=visitors, paying_buyers=buyers, report="x"
    )


def test_before_and_after_a_change():
    shop, product = dress_shop()
    item_day(shop, product, date(2026, 11, 3), 100, 2)
    item_day(shop, product, date(2026, 11, 9), 300, 4)  # the 7th day before the 16th: in
    item_day(shop, product, date(2026, 11, 8), 999, 99)  # the 8th day before: out
    item_day(shop, product, date(2026, 11, 16), 50, 50)  # the day of the change itself: neither side
    item_day(shop, product, date(2026, 11, 17), 200, 9)
    item_day(shop, product, date(2026, 11, 23), 100, 0)  # the 7th day after: in
    before, after = traffic.around(product=product, day=date(2026, 11, 16))
    assert (before.days, before.visitors, before.paying_buyers) == (1, 300, 4)
    assert str(before.conversion) == "0.0133"  # 4 ÷ 300 = 0.013333… → 0.0133
    assert (after.days, after.visitors, after.paying_buyers) == (2, 300, 9)
    assert str(after.conversion) == "0.0300"
    none, _after = traffic.around(product=product, day=date(2026, 11, 1))
    assert none.days == 0 and none.conversion is None
