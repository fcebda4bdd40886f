"""Change detection on pairs of snapshots (worked examples) and the daily digest."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from zhanggui.market import competitors
from zhanggui.market.competitors import NEW_IMAGE, NEW_PROMOTION, PRICE_CUT, SALES_JUMPED, Snap, changes
from zhanggui.market.tests.watch_factories import D1, D2, D3, competitor_item, snapshot


def test_any_price_cut_is_a_change_with_its_share_of_the_old_price():
    # 199.00 → 179.00: 20.00 off, 20 ÷ 199 = 10.05… % → 10.1 % (one decimal, half up)
    cut = competitors.price_cut(Snap(price=Decimal("199.00")), Snap(price=Decimal("179.00")))
    assert cut is not None and (cut.before, cut.after, cut.percent) == ("199.00", "179.00", Decimal("10.1"))
    # one fen is a cut too: 0.01 ÷ 100 = 0.01 % → 0.0
    fen = competitors.price_cut(Snap(price=Decimal("100.00")), Snap(price=Decimal("99.99")))
    assert fen is not None and fen.percent == Decimal("0.0")
    assert competitors.price_cut(Snap(price=Decimal("99")), Snap(price=Decimal("99"))) is None
    assert competitors.price_cut(Snap(price=Decimal("99")), Snap(price=Decimal("109"))) is None
    assert competitors.price_cut(Snap(price=None), Snap(price=Decimal("9"))) is None


def test_a_promotion_that_appears_or_changes_is_new_one_that_ends_is_not():
    assert competitors.new_promotion(Snap(promotion=""), Snap(promotion="满199减20")).after == "满199减20"
    changed = competitors.new_promotion(Snap(promotion="满199减20"), Snap(promotion="满299减40"))
    assert (changed.before, changed.after) == ("满199减20", "满299减40")
    assert competitors.new_promotion(Snap(promotion="满199减20"), Snap(promotion=" 满199减20 ")) is None
    assert competitors.new_promotion(Snap(promotion="满199减20"), Snap(promotion="")) is None


def test_a_sales_jump_is_30_percent_or_more_of_the_earlier_month():
    jump = competitors.sales_jump(Snap(monthly_sales=100), Snap(monthly_sales=130))  # +30 exactly
    assert jump is not None and jump.percent == Decimal("30.0")
    assert competitors.sales_jump(Snap(monthly_sales=100), Snap(monthly_sales=129)) is None  # +29 %
    assert competitors.sales_jump(Snap(monthly_sales=1200), Snap(monthly_sales=2000)).percent == Decimal("66.7")
    assert competitors.sales_jump(Snap(monthly_sales=0), Snap(monthly_sales=50)) is None  # no base to compare
    assert competitors.sales_jump(Snap(monthly_sales=None), Snap(monthly_sales=50)) is None


def test_a_new_main_image_is_a_changed_hash():
    assert competitors.new_image(Snap(main_image_hash="aaaa1111"), Snap(main_image_hash="bbbb2222")) is not None
    assert competitors.new_image(Snap(main_image_hash="aaaa1111"), Snap(main_image_hash="aaaa1111")) is None
    assert competitors.new_image(Snap(main_image_hash=""), Snap(main_image_hash="bbbb2222")) is None


def test_every_change_of_a_pair_in_order():
    before = Snap(Decimal("59.90"), "", 1000, "aaa")
    after = Snap(Decimal("49.90"), "第二件半价", 1500, "bbb")
    assert [c.kind for c in changes(before, after)] == [PRICE_CUT, NEW_PROMOTION, SALES_JUMPED, NEW_IMAGE]
    assert changes(before, before) == []


@pytest.mark.django_db
def test_the_digest_of_a_day_compares_each_item_with_its_snapshot_before():
    dress = competitor_item(item_id="6001")
    skirt = competitor_item(item_id="6002", title="半身裙")
    snapshot(dress, D1, "199.00")
    snapshot(dress, D3, "179.00", promotion="满199减20")  # D2 missing: compared with D1
    snapshot(skirt, D3, "99.00")  # its first snapshot: nothing to compare
    found = competitors.digest(D3)
    assert found.day == D3 and [i.item_id for i in found.items] == ["6001"]
    assert [c.kind for c in found.items[0].changes] == [PRICE_CUT, NEW_PROMOTION]
    assert found.items[0].previous_day == D1 and found.count == 2
    assert competitors.digest(D2).items == []
    latest = competitors.latest_digest(date(2026, 11, 4))
    assert latest.day == D3 and latest.count == 2
