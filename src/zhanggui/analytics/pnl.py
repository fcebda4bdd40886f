"""Every SKU's profit and loss over a period (docs/metrics.md, "SKU profit and loss").

A SKU's row: revenue (what its lines paid, 实付, in orders paid in the period and not cancelled), cost of goods
(units × the SKU's cost), commission (revenue × the shop's rate), its share of shipping, the ads that name its
product, its refunds (refunded in the period) and profit = revenue − cost − commission − shipping − ads −
refunds. What no SKU carries has a row of its own, so the total row is the shop's whole gross profit:
postage the buyers paid (part of the orders' GMV, not of any line), ad spend that names no product, refunds of
lines without a SKU.

Rounding, in fen, half up, per SKU: commission = round(revenue × rate). Shipping: each parcel's cost is split
over its lines in proportion to their units, each share rounded, the fen the rounding leaves going to the
parcel's first line, so the shares add up to the parcel's cost exactly.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from zhanggui.aftersales.reports.selectors import Col, Table
from zhanggui.analytics import metrics
from zhanggui.analytics.metrics import ZERO, Line, Raw, ShopInfo, Span, money, parcel_of, ratio
from zhanggui.catalog.models import Product, Shop, Sku

OTHER = None  # the key of the row of what no SKU carries


@dataclass
class PnlRow:
    sku_id: int | None
    code: str
    title: str
    units: int = 0
    revenue: Decimal = ZERO
    cogs: Decimal = ZERO
    commission: Decimal = ZERO
    shipping: Decimal = ZERO
    ads: Decimal = ZERO
    refunds: Decimal = ZERO

    @property
    def profit(self) -> Decimal:
        return self.revenue - self.cogs - self.commission - self.shipping - self.ads - self.refunds

    @property
    def margin(self) -> Decimal | None:
        return ratio(self.profit, self.revenue)

    @property
    def loss(self) -> bool:
        return self.profit < 0


def _shipping(lines: list[Line], cost: Decimal) -> dict[int, Decimal]:
    """A parcel's cost split over its lines by units (line index → share); shares add up to the cost."""
    units = sum(line.quantity for line in lines)
    shares = {n: money(cost * line.quantity / units) if units else ZERO for n, line in enumerate(lines)}
    if lines:
        shares[0] += cost - sum(shares.values(), ZERO)
    return shares


def _ad_products(raw: Raw) -> dict[str, list[int]]:
    """Ad units and plans that name a product (its 货号 or its title, exactly) → the product's SKU ids."""
    names = {ad.unit for ad in raw.ads if ad.unit} | {ad.plan for ad in raw.ads if ad.plan}
    if not names:
        return {}
    found: dict[str, list[int]] = defaultdict(list)
    products = Product.objects.filter(shop_id__in=list(raw.shops)).order_by()
    rows = products.filter(Q(code__in=names) | Q(title__in=names)).values_list("pk", "code", "title")
    by_product = {pk: (code, title) for pk, code, title in rows}
    if not by_product:
        return {}
    for sku_id, product_id in Sku.objects.filter(product_id__in=list(by_product)).values_list("pk", "product_id"):
        code, title = by_product[product_id]
        for name in (code, title):
            if name in names:
                found[name].append(sku_id)
    return found


def rows(raw: Raw, span: Span) -> list[PnlRow]:
    """Every SKU sold or refunded in the span, then the row of what no SKU carries (when it holds anything)."""
    table: dict[int | None, PnlRow] = {}

    def row(sku_id: int | None, code: str = "", title: str = "") -> PnlRow:
        if sku_id not in table:
            table[sku_id] = PnlRow(sku_id, code, title) if sku_id is not OTHER else PnlRow(None, "", "")
        return table[sku_id]

    parcels: dict[tuple[str, int], list[Line]] = defaultdict(list)
    postage: dict[int, Decimal] = defaultdict(lambda: ZERO)  # shop → the orders' paid beyond their lines
    orders: dict[int, Decimal] = {}
    lines_paid: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for line in raw.lines:
        if line.day not in span or line.cancelled or line.shop_id not in raw.shops:
            continue
        r = row(line.sku_id, line.sku_code, line.title)
        r.units += line.quantity
        r.revenue += line.paid
        r.cogs += line.unit_cost * line.quantity
        orders[line.order_id] = line.order_paid
        lines_paid[line.order_id] += line.paid
        parcels[parcel_of(line)].append(line)
    order_shop = {line.order_id: line.shop_id for line in raw.lines}
    for order_id, paid in orders.items():
        postage[order_shop[order_id]] += paid - lines_paid[order_id]
    for parcel in parcels.values():
        cost = raw.shops[parcel[0].shop_id].shipping_per_parcel
        for n, share in _shipping(parcel, cost).items():
            row(parcel[n].sku_id).shipping += share
    other_revenue = sum(postage.values(), ZERO)
    if other_revenue:
        row(OTHER).revenue += other_revenue
    for day, shop_id, sku_id, amount in raw.refunds:
        if day in span and shop_id in raw.shops:
            (table[sku_id] if sku_id in table else row(OTHER)).refunds += amount
    _ads(raw, span, row)
    _commission(raw, table, postage)
    skus = sorted((r for key, r in table.items() if key is not OTHER), key=lambda r: (r.profit, r.code))
    other = table.get(OTHER)
    return [*skus, *([other] if other is not None else [])]


def _ads(raw: Raw, span: Span, row: Any) -> None:
    """Ad spend on a product goes to its SKUs by their revenue (equal shares when none sold); the rest to OTHER."""
    products = _ad_products(raw)
    for ad in raw.ads:
        if ad.day not in span or not ad.cost:
            continue
        skus = products.get(ad.unit) or products.get(ad.plan) or []
        if not skus:
            row(OTHER).ads += ad.cost
            continue
        targets = [row(sku_id) for sku_id in skus]
        revenue = sum((t.revenue for t in targets), ZERO)
        shares = [money(ad.cost * t.revenue / revenue) if revenue else money(ad.cost / len(targets)) for t in targets]
        shares[0] += ad.cost - sum(shares, ZERO)
        for target, share in zip(targets, shares, strict=True):
            target.ads += share


def _commission(raw: Raw, table: dict[int | None, PnlRow], postage: dict[int, Decimal]) -> None:
    """Commission per SKU on its revenue, at its shop's rate (a SKU belongs to one shop)."""
    shop_of: dict[int | None, int] = {line.sku_id: line.shop_id for line in raw.lines}
    for key, r in table.items():
        if key is OTHER:
            continue
        info: ShopInfo | None = raw.shops.get(shop_of.get(key, -1))
        if info is not None:
            r.commission = money(r.revenue * info.commission_rate)
    other = table.get(OTHER)
    if other is not None:
        other.commission = sum(
            (money(amount * raw.shops[shop_id].commission_rate) for shop_id, amount in postage.items()), ZERO
        )
        if not any((other.revenue, other.commission, other.ads, other.refunds, other.shipping)):
            del table[OTHER]


def total(found: list[PnlRow]) -> PnlRow:
    out = PnlRow(None, str(_("Total")), "")
    for r in found:
        out.units += r.units
        out.revenue += r.revenue
        out.cogs += r.cogs
        out.commission += r.commission
        out.shipping += r.shipping
        out.ads += r.ads
        out.refunds += r.refunds
    return out


def table(*, shop: Shop | None, first: date, last: date, shops: dict[int, ShopInfo] | None = None) -> Table:
    """The page's table: every SKU, the row of what no SKU carries, and the total row."""
    span = Span(first, last)
    raw = metrics.load(shop=shop, spans=[span], shops=shops)
    found = rows(raw, span)
    return Table(
        "sku_pnl",
        _("SKU profit and loss"),
        (
            Col("code", _("SKU code"), lambda r: r.code if r.sku_id or r.code else str(_("Not tied to a SKU"))),
            Col("title", _("Title"), lambda r: r.title),
            Col("units", _("Units"), lambda r: r.units, "int"),
            Col("revenue", _("Revenue (¥)"), lambda r: r.revenue, "money"),
            Col("cogs", _("Cost of goods (¥)"), lambda r: r.cogs, "money"),
            Col("commission", _("Commission (¥)"), lambda r: r.commission, "money"),
            Col("shipping", _("Shipping (¥)"), lambda r: r.shipping, "money"),
            Col("ads", _("Ads (¥)"), lambda r: r.ads, "money"),
            Col("refunds", _("Refunded (¥)"), lambda r: r.refunds, "money"),
            Col("profit", _("Profit (¥)"), lambda r: r.profit, "money"),
            Col("margin", _("Margin"), lambda r: r.margin, "fraction"),
        ),
        found,
        total(found),
        note=_(
            "Revenue is what the lines paid; the postage buyers paid, ads that name no product and refunds of "
            "lines without a SKU are on the row “Not tied to a SKU”, so the total is the period's gross profit."
        ),
    )
