"""Traffic by item (商品, the platform's listing): each item's visitors, page views, add-to-cart and favourite
buyers, paying buyers, conversion and paid amount over a period, from the platforms' item reports (生意参谋
商品排行, 京东商智 商品; ItemDayTraffic). docs/metrics.md, "Traffic by item".

Counts over several days are sums (visitors are visitor-days, as the shop's UV over a period, docs/metrics.md
"Traffic"); conversion is Σ paying buyers ÷ Σ visitors; the bounce rate is the mean of the item's daily rates,
the platform's way. An item is named by its product when its 货号/商家编码 found one, else by its title.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _

from zhanggui.aftersales.reports.selectors import TOTAL, Col, Table
from zhanggui.analytics.models import ItemDayTraffic, ratio
from zhanggui.catalog.models import Shop

ZERO = Decimal("0.00")


@dataclass
class ItemRow:
    item_id: str
    shop: str
    title: str
    product_code: str = ""
    visitors: int = 0
    pv: int = 0
    cart_buyers: int = 0
    fav_buyers: int = 0
    buyers: int = 0
    units: int = 0
    paid: Decimal = ZERO
    bounce_rates: list[Decimal] = field(default_factory=list)

    @property
    def conversion(self) -> Decimal | None:
        return ratio(self.buyers, self.visitors)

    @property
    def cart_rate(self) -> Decimal | None:
        return ratio(self.cart_buyers, self.visitors)

    @property
    def uv_value(self) -> Decimal | None:
        return ratio(self.paid, self.visitors, "0.01")

    @property
    def bounce_rate(self) -> Decimal | None:
        """The mean of the days' rates, 4 decimals half up; None when no day gave one."""
        return ratio(sum(self.bounce_rates, Decimal(0)), len(self.bounce_rates)) if self.bounce_rates else None

    def add(self, row: ItemDayTraffic) -> None:
        self.visitors += row.visitors or 0
        self.pv += row.pv or 0
        self.cart_buyers += row.cart_buyers or 0
        self.fav_buyers += row.fav_buyers or 0
        self.buyers += row.paying_buyers or 0
        self.units += row.paid_units or 0
        self.paid += row.paid_amount or ZERO
        if row.bounce_rate is not None:
            self.bounce_rates.append(row.bounce_rate)


def item_rows(*, shop: Shop | None, first: date, last: date) -> list[ItemRow]:
    """Every item reported in the period (one query), the most visited first."""
    rows = ItemDayTraffic.objects.filter(day__gte=first, day__lte=last).select_related("shop", "product")
    if shop is not None:
        rows = rows.filter(shop=shop)
    items: dict[tuple[int, str], ItemRow] = {}
    for row in rows.order_by("day"):
        item = items.get((row.shop_id, row.item_id))
        if item is None:
            item = items[(row.shop_id, row.item_id)] = ItemRow(row.item_id, row.shop.name, row.title)
        if row.product is not None:
            item.product_code, item.title = row.product.code, row.product.title
        elif row.title:
            item.title = row.title
        item.add(row)
    return sorted(items.values(), key=lambda r: (-r.visitors, -r.paid, r.item_id))


def table(*, shop: Shop | None, first: date, last: date) -> Table:
    rows = item_rows(shop=shop, first=first, last=last)
    total = ItemRow("", "", str(TOTAL))
    for row in rows:
        for name in ("visitors", "pv", "cart_buyers", "fav_buyers", "buyers", "units", "paid"):
            setattr(total, name, getattr(total, name) + getattr(row, name))
    columns: tuple[Col, ...] = (
        Col("item_id", _("Item ID"), lambda r: r.item_id),
        Col("product", _("Product code"), lambda r: r.product_code),
        Col("title", _("Title"), lambda r: r.title),
        Col("shop", _("Shop"), lambda r: r.shop),
        Col("visitors", _("Visitors (UV)"), lambda r: r.visitors, "int"),
        Col("pv", _("Page views"), lambda r: r.pv, "int"),
        Col("bounce", _("Bounce rate"), lambda r: r.bounce_rate, "fraction"),
        Col("cart", _("Add-to-cart buyers"), lambda r: r.cart_buyers, "int"),
        Col("cart_rate", _("Add-to-cart rate"), lambda r: r.cart_rate, "fraction"),
        Col("fav", _("Favourite buyers"), lambda r: r.fav_buyers, "int"),
        Col("buyers", _("Paying buyers"), lambda r: r.buyers, "int"),
        Col("conversion", _("Conversion"), lambda r: r.conversion, "fraction"),
        Col("units", _("Units"), lambda r: r.units, "int"),
        Col("paid", _("Paid (¥)"), lambda r: r.paid, "money"),
        Col("uv_value", _("UV value (¥)"), lambda r: r.uv_value, "money"),
    )
    note: Any = _("From the platforms' item reports (商品排行); import them on the reports page.")
    return Table("items", _("Traffic by item"), columns, rows, total if rows else None, note=note)
