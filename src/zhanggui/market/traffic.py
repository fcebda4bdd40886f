"""How an item did in the days around a title change, from the traffic reports analytics imported (生意参谋
商品排行, 京东商智 items: ItemDayTraffic rows matched to the product). Kept in one module so the market's only
read of analytics is here (docs/market.md)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from zhanggui.analytics import report_selectors
from zhanggui.catalog.models import Product, Shop

#: Days compared on each side of a change (the day of the change itself belongs to neither).
WINDOW = 7
#: How far back the traffic rows are read to match a platform item ID to our product (rank tracking).
MATCH_DAYS = 400


@dataclass
class Window:
    first: date
    last: date
    days: int  # days with a row of the item
    visitors: int
    paying_buyers: int

    @property
    def conversion(self) -> Decimal | None:
        """Σ paying buyers ÷ Σ visitors over the window, a fraction to 4 places, half up; None without visitors."""
        if not self.visitors:
            return None
        return (Decimal(self.paying_buyers) / Decimal(self.visitors)).quantize(Decimal("0.0001"), ROUND_HALF_UP)


def around(*, product: Product, day: date) -> tuple[Window, Window]:
    """The WINDOW days before `day` and the WINDOW days after it."""
    before = _window(product, day - timedelta(days=WINDOW), day - timedelta(days=1))
    after = _window(product, day + timedelta(days=1), day + timedelta(days=WINDOW))
    return before, after


def _window(product: Product, first: date, last: date) -> Window:
    rows = report_selectors.item_days(shop=product.shop, start=first, end=last).filter(product=product)
    window = Window(first, last, 0, 0, 0)
    days = set()
    for row in rows:
        days.add(row.day)
        window.visitors += row.visitors or 0
        window.paying_buyers += row.paying_buyers or 0
    window.days = len(days)
    return window


def products_of_items(*, shop: Shop, item_ids: set[str], until: date) -> dict[str, int]:
    """The shop's product behind each platform item ID, as the traffic imports matched it (生意参谋 商品排行,
    京东商智: the row's 货号 or 商家编码) in the MATCH_DAYS before `until`; the latest row with a product wins."""
    rows = (
        report_selectors.item_days(shop=shop, start=until - timedelta(days=MATCH_DAYS), end=until)
        .filter(item_id__in=item_ids, product__isnull=False)
        .order_by("item_id", "-day")
        .values_list("item_id", "product_id")
    )
    found: dict[str, int] = {}
    for item_id, product_id in rows:
        found.setdefault(item_id, product_id)
    return found
