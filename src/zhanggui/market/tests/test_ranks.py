"""Reading positions, the alert rules (worked examples) and the alerts of a day."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import translation

from zhanggui.catalog.models import Channel
from zhanggui.catalog.tests.factories import ProductFactory, ShopFactory
from zhanggui.core.errors import PermissionDeniedError
from zhanggui.market import ranks, services
from zhanggui.market.errors import ObservationRejected
from zhanggui.market.models import RankObservation
from zhanggui.market.ranks import DROPPED, NOT_FOUND, OFF_FIRST_PAGE, Step, alert_kind
from zhanggui.market.tests.watch_factories import D1, D2, competitor_item, observe


def test_positions_and_devices_as_plug_ins_write_them():
    assert [ranks.parse_position(t) for t in ("12", "第3名", "", "-", "未找到", "100+", ">100", "200名以外")] == [
        12, 3, None, None, None, None, None, None,
    ]  # fmt: skip
    for bad in ("0", "abc", "3.5"):
        with pytest.raises(ValueError):
            ranks.parse_position(bad)
    assert [ranks.parse_device(t) for t in ("PC", "无线", "手机端", "mobile")] == ["pc", "mobile", "mobile", "mobile"]
    with pytest.raises(ValueError):
        ranks.parse_device("平板")


def test_page_sizes_and_pages():
    assert ranks.page_size("tmall", "pc") == 44 and ranks.page_size("tmall", "mobile") == 20
    assert ranks.page_size("jd", "pc") == 60 and ranks.page_size("web", "pc") == 20
    assert [ranks.page_of(p, 20) for p in (1, 20, 21, 40, 41, None)] == [1, 1, 2, 2, 3, None]


def test_the_alert_rules_with_twenty_results_a_page_and_n_10():
    def kind(before, now):
        return alert_kind(Step(before, now, 20), 10)

    assert kind(15, 25) == OFF_FIRST_PAGE  # page 1 → page 2
    assert kind(18, 21) == OFF_FIRST_PAGE  # three places, but off the first page
    assert kind(20, None) == OFF_FIRST_PAGE  # last of page 1 → not found
    assert kind(30, None) == NOT_FOUND
    assert kind(30, 41) == DROPPED  # 11 places > 10
    assert kind(30, 40) is None  # exactly 10: no alert
    assert kind(5, 12) is None  # 7 places, still on page 1
    assert kind(None, 50) is None and kind(25, 3) is None
    assert alert_kind(Step(30, 36, 20), 5) == DROPPED


@pytest.mark.django_db
def test_the_alerts_of_a_day_are_of_our_items_with_the_shops_n(manager):
    shop = ShopFactory(code="tm01", channel=Channel.TMALL)
    dress = ProductFactory(shop=shop, code="1001", title="碎花连衣裙")
    theirs = competitor_item()
    observe(shop, "连衣裙", "1001", D1, 15, product=dress)
    observe(shop, "连衣裙", "1001", D2, 25, product=dress)  # off the first page (20 on mobile)
    observe(shop, "碎花", "1001", D1, 30, product=dress)
    observe(shop, "碎花", "1001", D2, 45, product=dress)  # down 15
    observe(shop, "长裙", "1001", D1, 8, product=dress)
    observe(shop, "长裙", "1001", D2, 9, product=dress)
    observe(shop, "长裙", "1001", D2, 50, product=dress, device="pc")  # no day before on PC
    observe(shop, "连衣裙", "6001", D1, 3, competitor=theirs)
    observe(shop, "连衣裙", "6001", D2, 60, competitor=theirs)  # a competitor falling is no alert of ours
    found = ranks.alerts(day=D2, shop=shop)
    assert [(a.kind, a.keyword, a.previous, a.current, a.places) for a in found] == [
        (OFF_FIRST_PAGE, "连衣裙", 15, 25, 10),
        (DROPPED, "碎花", 30, 45, 15),
    ]
    services.set_rank_drop_alert(actor=manager, shop=shop, places=20)
    assert [a.kind for a in ranks.alerts(day=D2, shop=shop)] == [OFF_FIRST_PAGE]
    assert ranks.alerts(day=D1, shop=shop) == []
    assert ranks.latest_alerts(D2)[0] == D2


@pytest.mark.django_db
def test_a_typed_position_is_matched_and_corrected(users):
    shop = ShopFactory(code="tm01", channel=Channel.TMALL)
    dress = ProductFactory(shop=shop, code="1001")
    first = services.record_observation(
        actor=users["operator"], shop=shop, keyword=" 连衣裙 ", item_id="1001", device="pc", day=D1, position=7
    )
    assert (first.keyword.text, first.product_id, first.position, first.source) == ("连衣裙", dress.pk, 7, "typed")
    again = services.record_observation(
        actor=users["operator"], shop=shop, keyword="连衣裙", item_id="1001", device="pc", day=D1, position=None
    )
    assert again.pk == first.pk and again.position is None
    with pytest.raises(PermissionDeniedError):
        services.record_observation(
            actor=users["designer"], shop=shop, keyword="连衣裙", item_id="1001", device="pc", day=D1, position=1
        )


@pytest.mark.django_db
@pytest.mark.parametrize("day", [date(1, 1, 1), date(1999, 12, 31), date(2100, 1, 1)])
def test_a_typed_position_on_a_day_the_desk_cannot_hold_is_refused(users, day):
    """Found by the API fuzzer: 0001-01-01 reached the traffic lookup's date arithmetic and answered 500."""
    shop = ShopFactory(code="tm01", channel=Channel.TMALL)
    with translation.override("en"), pytest.raises(ObservationRejected, match="between 2000-01-01 and 2099-12-31"):
        services.record_observation(
            actor=users["operator"], shop=shop, keyword="连衣裙", item_id="1001", device="pc", day=day, position=1
        )
    assert not RankObservation.objects.exists()
