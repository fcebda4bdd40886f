"""Competitors, snapshots and rank observations as the market's tests use them."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from zhanggui.market.models import CompetitorItem, CompetitorShop, ItemSnapshot, Keyword, RankObservation

D1, D2, D3 = date(2026, 11, 1), date(2026, 11, 2), date(2026, 11, 3)


def competitor_item(name: str = "对手旗舰店", item_id: str = "6001", title: str = "碎花连衣裙") -> CompetitorItem:
    shop, _created = CompetitorShop.objects.get_or_create(name=name, platform="tmall")
    return CompetitorItem.objects.create(competitor=shop, item_id=item_id, title=title)


def snapshot(item: CompetitorItem, day: date, price: str | None = "199.00", promotion: str = "", sales=100, image="a1"):
    return ItemSnapshot.objects.create(
        item=item,
        day=day,
        price=Decimal(price) if price is not None else None,
        promotion=promotion,
        monthly_sales=sales,
        review_count=10,
        main_image_hash=image,
    )


def observe(
    shop, keyword: str, item_id: str, day: date, position: int | None, *, product=None, competitor=None, device="mobile"
):
    word, _created = Keyword.objects.get_or_create(text=keyword)
    return RankObservation.objects.create(
        shop=shop,
        keyword=word,
        item_id=item_id,
        day=day,
        position=position,
        device=device,
        product=product,
        competitor_item=competitor,
    )
