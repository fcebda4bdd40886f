"""The store's figures over a period (docs/metrics.md, "Store figures"): traffic, sales, refunds, ads and gross
profit for one shop or all, over whole days in the shop's time zone, both ends included.

The public contract (the desk's morning page reads it): `period_figures` and `month_target`.

Everything is read in a handful of queries for any number of periods at once (`load`): the orders' lines of
every period, their refunds, the traffic and ad rows, the shops' costs. The figures are then plain Python over
those rows (`figures`), so a page that compares three periods and draws a daily trend reads the database once
per kind of row, not once per figure.

Rounding (docs/metrics.md, "Rounding"): money to the fen, half up (ROUND_HALF_UP), only where a figure is a
quotient or a product with a rate (AOV, commission, CPC); sums of money are exact. Rates are fractions to 4
decimals, half up (0.0123 reads 1.23 %). ROI to 2 decimals, half up. Pages per visitor to 2 decimals.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from zhanggui.aftersales.models import Refund
from zhanggui.analytics.models import AdDay, EventDay, MonthlyTarget, ShopCosts, ShopDayTraffic
from zhanggui.catalog.models import ListingStatus, Shop, Sku
from zhanggui.core.money import ZERO
from zhanggui.orders.models import LineOrigin, Order, OrderLine, OrderStatus

CENT = Decimal("0.01")
RATE = Decimal("0.0001")
#: Where the traffic figures came from: the platform's report (生意参谋/京东商智), our behaviour events, both (some
#: shop-days from each), or nowhere (no traffic known: UV and every rate on it are None).
REPORT, EVENTS, MIXED = "report", "events", "mixed"


def money(value: Decimal) -> Decimal:
    """To the fen, half up."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def ratio(part: int | Decimal | None, whole: int | Decimal | None, places: Decimal = RATE) -> Decimal | None:
    """part ÷ whole rounded half up to `places`; None when either is unknown or the whole is 0."""
    if part is None or not whole:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(places, rounding=ROUND_HALF_UP)


# --------------------------------------------------------------------------------------------------------
# Periods
# --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Span:
    """Whole days, both ends included."""

    first: date
    last: date

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def each_day(self) -> list[date]:
        return [self.first + timedelta(days=n) for n in range(self.days)]

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.first <= day <= self.last

    def previous(self) -> Span:
        """The period of the same length just before (环比)."""
        return Span(self.first - timedelta(days=self.days), self.first - timedelta(days=1))

    def last_year(self) -> Span:
        """The same days a year before (同比); 29 February becomes the 28th."""
        return Span(_year_before(self.first), _year_before(self.last))


def _year_before(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def _start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _local_day_of() -> Callable[[datetime], date]:
    """The local date of a stored moment, with the current zone looked up once: a page reads thousands of rows,
    and timezone.localtime finds the zone again for each (a third of the 店长's sales card on the demo)."""
    zone = timezone.get_current_timezone()
    return lambda moment: moment.astimezone(zone).date()


# --------------------------------------------------------------------------------------------------------
# The rows, read once for every period a page needs
# --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    """An order line of a paid order, with what its order and SKU say."""

    day: date
    order_id: int
    shop_id: int
    order_paid: Decimal  # the order's paid total (postage included): counted once per order
    buyer: str
    cancelled: bool
    merged_into: int | None  # the order whose parcel it ships in (合单), or None
    ships_in: int | None  # the split part (拆单) that ships it, or None
    sku_id: int | None
    sku_code: str
    title: str
    quantity: int
    paid: Decimal
    unit_cost: Decimal
    listed: bool  # the SKU is on sale now (动销率 counts the SKUs on sale that sold)


def parcel_of(line: Line) -> tuple[str, int]:
    """The parcel a line ships in: its split part (拆单), else the order it was merged into (合单), else its own."""
    if line.ships_in is not None:
        return ("part", line.ships_in)
    return ("order", line.merged_into or line.order_id)


@dataclass
class ShopInfo:
    shop: Shop
    commission_rate: Decimal
    shipping_per_parcel: Decimal
    listed_skus: int


@dataclass
class Raw:
    """Every row the periods need, each with its day."""

    shops: dict[int, ShopInfo]
    lines: list[Line]
    refunds: list[tuple[date, int, int | None, Decimal]]  # day, shop, SKU, amount
    traffic: dict[tuple[int, date], ShopDayTraffic]
    events: dict[tuple[int, date], EventDay]
    ads: list[AdDay]


def _days_q(field_name: str, spans: list[Span], *, moments: bool) -> Q:
    q = Q()
    for span in spans:
        if moments:
            q |= Q(**{f"{field_name}__gte": _start(span.first), f"{field_name}__lt": _start(span.last + timedelta(1))})
        else:
            q |= Q(**{f"{field_name}__gte": span.first, f"{field_name}__lte": span.last})
    return q


def shops_with_costs(shop: Shop | None = None) -> dict[int, ShopInfo]:
    """Every shop (or the one) with its costs and its SKUs on sale, in one query."""
    costs = ShopCosts.objects.filter(shop=OuterRef("pk"))
    listed = (
        Sku.objects.filter(shop=OuterRef("pk"), listing_status=ListingStatus.LISTED)
        .order_by()
        .values("shop")
        .annotate(n=Count("pk"))
        .values("n")
    )
    rows = Shop.objects.order_by("code").annotate(
        commission_rate=Subquery(costs.values("commission_rate")[:1]),
        shipping_per_parcel=Subquery(costs.values("shipping_per_parcel")[:1]),
        listed_skus=Coalesce(Subquery(listed, output_field=IntegerField()), 0),
    )
    if shop is not None:
        rows = rows.filter(pk=shop.pk)
    return {
        s.pk: ShopInfo(
            s,
            Decimal(s.commission_rate if s.commission_rate is not None else 0),
            Decimal(s.shipping_per_parcel if s.shipping_per_parcel is not None else 0),
            s.listed_skus,
        )
        for s in rows
    }


def daily_gmv(*, shop: Shop | None, first: date, last: date) -> dict[tuple[int, date], Decimal]:
    """GMV per shop and local day of payment, first..last, as `figures` counts it — each order once, its paid
    total, cancelled ones included; orders split off (拆单 parts) left out, and an order only when it has a line
    that is not a replacement — in one query that answers a row per shop and day. For a year's progress
    (the 店长's morning card, the plan page) without reading a year of order lines."""
    own_lines = OrderLine.objects.filter(order=OuterRef("pk")).exclude(origin=LineOrigin.REPLACEMENT)
    orders = Order.objects.filter(
        _days_q("paid_at", [Span(first, last)], moments=True), Exists(own_lines), split_from__isnull=True
    )
    if shop is not None:
        orders = orders.filter(shop=shop)
    rows = (
        orders.annotate(day=TruncDate("paid_at", tzinfo=timezone.get_current_timezone()))
        .values("shop_id", "day")
        .annotate(gmv=Sum("paid_total"))
        .order_by()
    )
    return {(row["shop_id"], row["day"]): row["gmv"] or ZERO for row in rows}


def load(
    *,
    shop: Shop | None,
    spans: list[Span],
    shops: dict[int, ShopInfo] | None = None,
    traffic_spans: list[Span] | None = None,
    refunds_and_ads: bool = True,
) -> Raw:
    """The rows of every span: six queries at most, whatever the number of spans (the shops' unless they come
    in; the behaviour events' only when the platform's shop report misses a day). Traffic and ads are read for
    `traffic_spans` when given (a caller that needs a long span's sales but only a short span's traffic).
    Without `refunds_and_ads` those two are not read (a caller that shows neither: their figures stay 0)."""
    shops = shops if shops is not None else shops_with_costs(shop)
    by_shop = Q(shop=shop) if shop is not None else Q()
    lines = (
        OrderLine.objects.filter(_days_q("order__paid_at", spans, moments=True))
        .filter(order__split_from__isnull=True)
        .exclude(origin=LineOrigin.REPLACEMENT)
        .order_by()
    )
    if shop is not None:
        lines = lines.filter(order__shop=shop)
    found = lines.values_list(
        "order__paid_at",
        "order_id",
        "order__shop_id",
        "order__paid_total",
        "order__buyer_nick",
        "order__status",
        "order__merged_into_id",
        "ships_in_id",
        "sku_id",
        "sku_code",
        "title",
        "quantity",
        "paid",
        "sku__cost",
        "sku__listing_status",
    )
    local_day = _local_day_of()
    line_rows = [
        Line(
            local_day(at),
            order_id,
            shop_id,
            total,
            nick or f"#{order_id}",  # an order without a buyer's name is a buyer of its own
            status == OrderStatus.CANCELLED,
            merged,
            ships_in,
            sku_id,
            code,
            title,
            quantity,
            paid,
            cost if cost is not None else ZERO,
            listing == ListingStatus.LISTED,
        )
        for (
            at,
            order_id,
            shop_id,
            total,
            nick,
            status,
            merged,
            ships_in,
            sku_id,
            code,
            title,
            quantity,
            paid,
            cost,
            listing,
        ) in found
        if at is not None
    ]
    refunds = Refund.objects.filter(_days_q("at", spans, moments=True)).order_by()
    if shop is not None:
        refunds = refunds.filter(case__shop=shop)
    refund_rows: list[tuple[date, int, int | None, Decimal]] = (
        [
            (local_day(at), shop_id, sku_id, amount)
            for at, shop_id, sku_id, amount in refunds.values_list(
                "at", "case__shop_id", "order_line__sku_id", "amount"
            )
        ]
        if refunds_and_ads
        else []
    )
    seen = traffic_spans if traffic_spans is not None else spans
    traffic = {
        (row.shop_id, row.day): row
        for row in ShopDayTraffic.objects.filter(by_shop, _days_q("day", seen, moments=False)).order_by()
    }
    wanted = {(shop_id, day) for shop_id in shops for span in seen for day in span.each_day()}
    covered = {key for key, row in traffic.items() if row.visitors is not None}
    events = (
        {
            (row.shop_id, row.day): row
            for row in EventDay.objects.filter(by_shop, _days_q("day", seen, moments=False)).order_by()
        }
        if wanted - covered  # the events stand in only for days the platform's report does not have
        else {}
    )
    ads = list(AdDay.objects.filter(by_shop, _days_q("day", seen, moments=False)).order_by()) if refunds_and_ads else []
    return Raw(shops, line_rows, refund_rows, traffic, events, ads)


# --------------------------------------------------------------------------------------------------------
# The figures
# --------------------------------------------------------------------------------------------------------


@dataclass
class Figures:
    """A period's figures for a shop or all shops (docs/metrics.md says each one's formula and source)."""

    first: date
    last: date
    # Sales: orders paid in the period (支付金额, postage included, not reduced by later refunds)
    gmv: Decimal = ZERO
    orders: int = 0
    buyers: int = 0
    units: int = 0
    # Traffic
    traffic_source: str | None = None  # REPORT, EVENTS, MIXED or None (no traffic known)
    pv: int | None = None
    uv: int | None = None
    cart_buyers: int | None = None
    fav_buyers: int | None = None
    bounce_rate: Decimal | None = None
    # Refunds: the money refunded in the period, each refund on its own day
    refunds: Decimal = ZERO
    # Ads
    ad_spend: Decimal = ZERO
    ad_gmv: Decimal = ZERO
    clicks: int = 0
    impressions: int = 0
    # Profit
    revenue: Decimal = ZERO  # GMV of the orders not cancelled
    cogs: Decimal = ZERO
    commission: Decimal = ZERO
    parcels: int = 0
    shipping: Decimal = ZERO
    # 动销率
    skus_listed: int = 0
    skus_sold: int = 0

    @property
    def conversion(self) -> Decimal | None:
        """支付转化率 = paying buyers ÷ UV, 4 decimals half up."""
        return ratio(self.buyers, self.uv)

    @property
    def aov(self) -> Decimal | None:
        """客单价 = GMV ÷ paying buyers, to the fen half up (PLATFORMS.md)."""
        return ratio(self.gmv, self.buyers, CENT)

    @property
    def pages_per_visitor(self) -> Decimal | None:
        return ratio(self.pv, self.uv, CENT)

    @property
    def cart_rate(self) -> Decimal | None:
        return ratio(self.cart_buyers, self.uv)

    @property
    def fav_rate(self) -> Decimal | None:
        return ratio(self.fav_buyers, self.uv)

    @property
    def uv_value(self) -> Decimal | None:
        return ratio(self.gmv, self.uv, CENT)

    @property
    def refund_rate(self) -> Decimal | None:
        """Money refunded ÷ GMV (not the platform's count-based 退款率, which the after-sales reports give)."""
        return ratio(self.refunds, self.gmv)

    @property
    def roi(self) -> Decimal | None:
        """投入产出比 = attributed GMV ÷ ad spend, 2 decimals half up."""
        return ratio(self.ad_gmv, self.ad_spend, CENT)

    @property
    def cpc(self) -> Decimal | None:
        return ratio(self.ad_spend, self.clicks, CENT)

    @property
    def ctr(self) -> Decimal | None:
        return ratio(self.clicks, self.impressions)

    @property
    def gross_profit(self) -> Decimal:
        """revenue − cost of goods − commission − shipping − refunds − ads."""
        return self.revenue - self.cogs - self.commission - self.shipping - self.refunds - self.ad_spend

    @property
    def margin(self) -> Decimal | None:
        return ratio(self.gross_profit, self.revenue)

    @property
    def sell_through(self) -> Decimal | None:
        """动销率 = SKUs on sale that sold in the period ÷ SKUs on sale."""
        return ratio(self.skus_sold, self.skus_listed)


@dataclass
class TrafficDay:
    """One shop-day's traffic, from whichever source has it."""

    source: str
    pv: int | None
    uv: int | None
    cart_buyers: int | None
    fav_buyers: int | None
    bounce_rate: Decimal | None


def traffic_day(raw: Raw, shop_id: int, day: date) -> TrafficDay | None:
    """The platform's report row where imported, else our behaviour events; None when neither has the day."""
    row = raw.traffic.get((shop_id, day))
    if row is not None and row.visitors is not None:
        return TrafficDay(REPORT, row.pv, row.visitors, row.cart_buyers, row.fav_buyers, row.bounce_rate)
    event = raw.events.get((shop_id, day))
    if event is not None:
        # Events count add-to-cart and favourite events, not people: the rate reads per visitor.
        return TrafficDay(EVENTS, event.pv, event.uv, event.carts, event.favs, None)
    return None


def _add(total: int | None, value: int | None) -> int | None:
    if value is None:
        return total
    return (total or 0) + value


def figures(raw: Raw, span: Span, *, shop_ids: list[int] | None = None) -> Figures:
    """The figures of one span from rows already read (`load`)."""
    ids = set(shop_ids if shop_ids is not None else raw.shops)
    out = Figures(span.first, span.last)
    orders: dict[int, Line] = {}
    parcels: set[tuple[str, int]] = set()
    sold: set[int] = set()
    revenue_by_shop: dict[int, Decimal] = defaultdict(lambda: ZERO)
    parcels_by_shop: dict[int, set[tuple[str, int]]] = defaultdict(set)
    for line in raw.lines:
        if line.day not in span or line.shop_id not in ids:
            continue
        out.units += line.quantity
        if line.order_id not in orders:
            orders[line.order_id] = line
            if not line.cancelled:
                revenue_by_shop[line.shop_id] += line.order_paid
        if line.cancelled:
            continue
        out.cogs += line.unit_cost * line.quantity
        if line.sku_id is not None and line.listed:
            sold.add(line.sku_id)
        parcel = parcel_of(line)
        parcels.add(parcel)
        parcels_by_shop[line.shop_id].add(parcel)
    out.orders = len(orders)
    out.gmv = sum((line.order_paid for line in orders.values()), ZERO)
    out.buyers = len({(line.shop_id, line.buyer) for line in orders.values()})
    out.revenue = sum(revenue_by_shop.values(), ZERO)
    out.parcels = len(parcels)
    for shop_id in ids:
        info = raw.shops.get(shop_id)
        if info is None:
            continue
        out.commission += money(revenue_by_shop[shop_id] * info.commission_rate)
        out.shipping += len(parcels_by_shop[shop_id]) * info.shipping_per_parcel
        out.skus_listed += info.listed_skus
    out.skus_sold = len(sold)
    out.refunds = sum((amount for day, shop_id, _sku, amount in raw.refunds if day in span and shop_id in ids), ZERO)
    _traffic(out, raw, span, ids)
    for ad in raw.ads:
        if ad.day in span and ad.shop_id in ids:
            out.ad_spend += ad.cost or ZERO
            out.ad_gmv += ad.gmv or ZERO
            out.clicks += ad.clicks or 0
            out.impressions += ad.impressions or 0
    return out


def _traffic(out: Figures, raw: Raw, span: Span, ids: set[int]) -> None:
    sources: set[str] = set()
    bounce: list[Decimal] = []
    for shop_id in sorted(ids):
        for day in span.each_day():
            found = traffic_day(raw, shop_id, day)
            if found is None:
                continue
            sources.add(found.source)
            out.pv = _add(out.pv, found.pv)
            out.uv = _add(out.uv, found.uv)
            out.cart_buyers = _add(out.cart_buyers, found.cart_buyers)
            out.fav_buyers = _add(out.fav_buyers, found.fav_buyers)
            if found.bounce_rate is not None:
                bounce.append(found.bounce_rate)
    out.traffic_source = MIXED if len(sources) > 1 else next(iter(sources), None)
    if bounce:  # 跳失率 over several days: the mean of the daily rates (PLATFORMS.md)
        out.bounce_rate = (sum(bounce, Decimal(0)) / len(bounce)).quantize(RATE, rounding=ROUND_HALF_UP)


# --------------------------------------------------------------------------------------------------------
# The public contract
# --------------------------------------------------------------------------------------------------------


def period_figures(*, shop: Shop | None, first: date, last: date) -> Figures:
    """A shop's (None: every shop's) figures over first..last, both included."""
    span = Span(first, last)
    return figures(load(shop=shop, spans=[span]), span)


def periods_figures(*, shop: Shop | None, periods: list[tuple[date, date]]) -> list[Figures]:
    """The figures of several periods read together (5–6 queries in all, not per period): yesterday and the
    month to date on one page, say."""
    spans = [Span(first, last) for first, last in periods]
    raw = load(shop=shop, spans=spans)
    return [figures(raw, span) for span in spans]


def month_target(*, shop: Shop | None, month: date) -> Decimal | None:
    """The GMV target of the month holding `month`: the shop's, or the sum over shops (None: nothing set)."""
    rows = MonthlyTarget.objects.filter(month=month.replace(day=1))
    if shop is not None:
        rows = rows.filter(shop=shop)
    targets = list(rows.values_list("gmv_target", flat=True))
    return sum(targets, ZERO) if targets else None


@dataclass
class Comparison:
    """A period and the two it is compared with: the previous period of the same length and last year's."""

    current: Figures
    previous: Figures
    last_year: Figures
    extra: dict[str, Any] = field(default_factory=dict)


def change(now: Decimal | int | None, before: Decimal | int | None) -> Decimal | None:
    """The relative change now ÷ before − 1, 4 decimals half up (None when before is 0 or unknown)."""
    if now is None or not before:
        return None
    return ((Decimal(now) - Decimal(before)) / Decimal(before)).quantize(RATE, rounding=ROUND_HALF_UP)


def compare(*, shop: Shop | None, first: date, last: date) -> Comparison:
    """The period's figures with the previous period's and last year's, read together."""
    span = Span(first, last)
    spans = [span, span.previous(), span.last_year()]
    raw = load(shop=shop, spans=spans)
    return Comparison(figures(raw, spans[0]), figures(raw, spans[1]), figures(raw, spans[2]))
