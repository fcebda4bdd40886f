"""A shop with a keyword library and a product, as the market's tests use them."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from zhanggui.catalog.models import Channel
from zhanggui.catalog.tests.factories import ProductFactory, ShopFactory
from zhanggui.market.models import Keyword, KeywordDay

DAY = date(2026, 11, 1)


def keyword_day(shop, text: str, popularity: int, ctr: str, cvr: str, competing: int, category: str = "女装"):
    keyword, _created = Keyword.objects.get_or_create(text=text)
    return KeywordDay.objects.create(
        shop=shop,
        keyword=keyword,
        day=DAY,
        search_popularity=popularity,
        click_rate=Decimal(ctr),
        conversion=Decimal(cvr),
        competing_listings=competing,
        category=category,
        report="sycm_keywords",
    )


def dress_shop():
    """tm01 with the docs' two keywords (碎花连衣裙 100.0, 连衣裙 15.6) and a dress whose title lacks 碎花."""
    shop = ShopFactory(code="tm01", name="旗舰店", channel=Channel.TMALL)
    keyword_day(shop, "连衣裙", 10_000, "0.05", "0.02", 200)
    keyword_day(shop, "碎花连衣裙", 2_000, "0.08", "0.04", 20)
    product = ProductFactory(shop=shop, code="DRESS", title="2026新款 夏季 连衣裙 女")
    return shop, product
