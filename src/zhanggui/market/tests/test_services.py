"""Saving a title from the studio, the shop's dictionary, the library's reads."""

from __future__ import annotations

from decimal import Decimal

import pytest

from zhanggui.catalog.errors import TitleRejected
from zhanggui.core.errors import PermissionDeniedError
from zhanggui.core.models import AuditEntry
from zhanggui.market import selectors, services
from zhanggui.market.errors import TitleNotSaved
from zhanggui.market.models import ShopWord, TitleChange
from zhanggui.market.studio import studio
from zhanggui.market.tests.factories import dress_shop

pytestmark = pytest.mark.django_db


def test_the_library_is_sorted_by_potential():
    shop, _product = dress_shop()
    rows = selectors.library(shop=shop)
    assert [(r.keyword, r.score) for r in rows] == [("碎花连衣裙", Decimal("100.0")), ("连衣裙", Decimal("15.6"))]
    assert [k.points for k in selectors.top_keywords(shop=shop)] == [1000, 156]
    assert [(t.head, t.keyword) for t in selectors.long_tail(shop=shop)] == [("连衣裙", "碎花连衣裙")]


def test_a_copywriter_saves_a_title_and_the_change_is_kept(users):
    _shop, product = dress_shop()
    change = services.save_title(actor=users["copywriter"], product=product, title="碎花连衣裙 夏季", reason="加碎花")
    product.refresh_from_db()
    assert product.title == "碎花连衣裙 夏季"
    assert (change.old_title, change.new_title, change.changed_by, change.reason) == (
        "2026新款 夏季 连衣裙 女",
        "碎花连衣裙 夏季",
        users["copywriter"],
        "加碎花",
    )
    assert AuditEntry.objects.filter(action="market.title_change").count() == 1


def test_refused_titles_change_nothing(users):
    shop, product = dress_shop()
    services.add_shop_words(actor=users["manager"], shop=shop, kind="banned", words=["爆款"])
    with pytest.raises(TitleNotSaved):
        services.save_title(actor=users["manager"], product=product, title="爆款连衣裙")
    with pytest.raises(TitleNotSaved):
        services.save_title(actor=users["manager"], product=product, title="最美连衣裙")  # the 广告法 list
    with pytest.raises(TitleRejected):
        services.save_title(actor=users["manager"], product=product, title="连衣裙" * 11)  # 66 bytes > 60
    with pytest.raises(PermissionDeniedError):
        services.save_title(actor=users["service"], product=product, title="碎花连衣裙")
    product.refresh_from_db()
    assert product.title == "2026新款 夏季 连衣裙 女" and not TitleChange.objects.exists()


def test_keep_words_are_required_by_default(users):
    shop, product = dress_shop()
    assert services.add_shop_words(actor=users["designer"], shop=shop, kind="keep", words=["2026新款", "2026新款"]) == 1
    view = studio(product=product)
    assert view.required == ["2026新款"]
    assert next(t.text for t in view.reading.tokens if t.kind == "word") == "2026新款"
    best = view.suggestions[0]
    assert best.title.startswith("2026新款") and "碎花" in best.added and best.bytes <= 60
    services.remove_shop_word(actor=users["designer"], word=ShopWord.objects.get())
    assert not ShopWord.objects.exists()


def test_long_tail_words_also_come_from_the_ad_reports_keywords():
    """An ad keyword holding a title word joins the long tail (by its clicks); one the library holds already, one
    without a title word and one older than 90 days do not."""
    from datetime import date, timedelta

    from zhanggui.analytics.models import AdChannel, AdDay

    shop, _product = dress_shop()
    today = date(2026, 12, 7)

    def ad(keyword: str, clicks: int, days_ago: int = 1) -> None:
        AdDay.objects.create(
            shop=shop, day=today - timedelta(days=days_ago), report="ztc", channel=AdChannel.ZTC,
            plan="P1", keyword=keyword, clicks=clicks,
        )  # fmt: skip

    ad("雪纺连衣裙", 40)
    ad("雪纺连衣裙", 15, days_ago=3)
    ad("长款连衣裙", 70)
    ad("碎花连衣裙", 99)  # in the library already
    ad("羽绒服 女", 500)  # no word of our titles
    ad("蕾丝连衣裙", 900, days_ago=120)  # too old
    found = selectors.long_tail(shop=shop, today=today)
    assert [(t.keyword, t.source, t.clicks) for t in found] == [
        ("碎花连衣裙", "library", None),
        ("长款连衣裙", "ads", 70),
        ("雪纺连衣裙", "ads", 55),
    ]
    assert all(t.head == "连衣裙" for t in found)
