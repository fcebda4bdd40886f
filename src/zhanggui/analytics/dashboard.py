"""What the store dashboard shows (docs/metrics.md, "The dashboard"): the period against the previous one and last
year's, GMV's change decomposed into UV × conversion × AOV, the daily trend, traffic by source, the funnel, the
top and bottom SKUs, and the ads by channel and plan. Every table is an aftersales.reports Table, so the page,
its XLSX download and the tests read the same rows.

The whole page reads: the shops with their costs (1), order lines (1), refunds (1), the platform's shop days (1),
the behaviour-event days (1), ad days (1) and the traffic sources (1, +1 when no source report was imported and
the events' sources stand in).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, localcontext
from typing import Any

from django.db.models import Sum
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from zhanggui.aftersales.reports.selectors import Col, Table
from zhanggui.analytics import metrics
from zhanggui.analytics.metrics import CENT, ZERO, Comparison, Figures, Raw, ShopInfo, Span, money, ratio
from zhanggui.analytics.models import AdChannel, EventDaySource, SourceDayTraffic
from zhanggui.catalog.models import Shop

#: How many SKUs the top and the bottom tables show.
TOP_SKUS = 10


# --------------------------------------------------------------------------------------------------------
# GMV's change in factors
# --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Decomposition:
    """GMV's change from `before` to `now` in three parts that add up to it exactly (to the fen):
    uv + conversion + aov == now.gmv − before.gmv."""

    change: Decimal
    uv: Decimal
    conversion: Decimal
    aov: Decimal

    @property
    def parts(self) -> list[tuple[str, Decimal]]:
        return [("uv", self.uv), ("conversion", self.conversion), ("aov", self.aov)]

    @property
    def main(self) -> str:
        """The factor that moved GMV the most (by the size of its part)."""
        return max(self.parts, key=lambda part: abs(part[1]))[0]


def decompose(now: Figures, before: Figures) -> Decomposition | None:
    """Sequential substitution (docs/metrics.md, "GMV's change in factors"), with GMV = UV × c × a where
    c = buyers ÷ UV and a = GMV ÷ buyers taken unrounded:

        UV part         = (UV₁ − UV₀) × c₀ × a₀          = (UV₁ − UV₀) × GMV₀ ÷ UV₀
        conversion part = UV₁ × (c₁ − c₀) × a₀           = (B₁ − UV₁ × B₀ ÷ UV₀) × GMV₀ ÷ B₀
        AOV part        = UV₁ × c₁ × (a₁ − a₀)           = GMV₁ − B₁ × GMV₀ ÷ B₀

    They add up to GMV₁ − GMV₀ exactly. Each is computed with 28 significant digits and rounded to the fen half
    up; the AOV part is then the change minus the two others, so the fen the rounding may lose lands there and
    the three always add up to the change. None when a factor of the earlier period is unknown or 0 (UV or
    buyers), or the later period's UV is unknown: there is nothing to substitute."""
    if not now.uv or not before.uv or not before.buyers:
        return None
    with localcontext() as ctx:
        ctx.prec = 28
        uv0, uv1 = Decimal(before.uv), Decimal(now.uv)
        b0, b1 = Decimal(before.buyers), Decimal(now.buyers)
        g0 = before.gmv
        uv_part = money((uv1 - uv0) * g0 / uv0)
        conversion_part = money((b1 - uv1 * b0 / uv0) * g0 / b0)
    delta = now.gmv - before.gmv
    return Decomposition(delta, uv_part, conversion_part, delta - uv_part - conversion_part)


# --------------------------------------------------------------------------------------------------------
# Rows of the tables
# --------------------------------------------------------------------------------------------------------


@dataclass
class DayRow:
    day: Any  # a date, or the total row's label
    gmv: Decimal = ZERO
    orders: int = 0
    buyers: int = 0
    uv: int | None = None
    refunds: Decimal = ZERO

    @property
    def conversion(self) -> Decimal | None:
        return ratio(self.buyers, self.uv)


@dataclass
class SourceRow:
    source: str
    uv: int = 0
    buyers: int = 0
    gmv: Decimal = ZERO

    @property
    def conversion(self) -> Decimal | None:
        return ratio(self.buyers, self.uv)

    @property
    def uv_value(self) -> Decimal | None:
        return ratio(self.gmv, self.uv, CENT)


@dataclass
class SkuRow:
    sku_id: int | None
    code: str
    title: str
    units: int = 0
    gmv: Decimal = ZERO
    refunds: Decimal = ZERO


@dataclass
class AdRow:
    channel: str
    plan: str = ""
    spend: Decimal = ZERO
    gmv: Decimal = ZERO
    clicks: int = 0
    impressions: int = 0
    orders: int = 0

    @property
    def roi(self) -> Decimal | None:
        return ratio(self.gmv, self.spend, CENT)

    @property
    def cpc(self) -> Decimal | None:
        return ratio(self.spend, self.clicks, CENT)

    @property
    def ctr(self) -> Decimal | None:
        return ratio(self.clicks, self.impressions)

    @property
    def channel_label(self) -> str:
        return str(AdChannel(self.channel).label) if self.channel in AdChannel.values else self.channel


@dataclass(frozen=True)
class FunnelStep:
    key: str
    label: Any
    people: int | None
    rate: Decimal | None  # of the step before (the first: None)


TOTAL = _("Total")


def trend(raw: Raw, span: Span) -> list[DayRow]:
    """Every day of the span (zeros included): GMV, orders, paying buyers, UV, refunds."""
    rows = {day: DayRow(day) for day in span.each_day()}
    seen: set[int] = set()
    buyers: dict[date, set[tuple[int, str]]] = defaultdict(set)
    for line in raw.lines:
        if line.day in span and line.order_id not in seen:
            seen.add(line.order_id)
            rows[line.day].gmv += line.order_paid
            rows[line.day].orders += 1
            buyers[line.day].add((line.shop_id, line.buyer))
    for day, shop_id, _sku, amount in raw.refunds:
        if day in span and shop_id in raw.shops:
            rows[day].refunds += amount
    for row in rows.values():
        row.buyers = len(buyers[row.day])
        for shop_id in raw.shops:
            found = metrics.traffic_day(raw, shop_id, row.day)
            if found is not None and found.uv is not None:
                row.uv = (row.uv or 0) + found.uv
    return list(rows.values())


def sources(shop: Shop | None, span: Span) -> tuple[list[SourceRow], str | None]:
    """UV, paying buyers and GMV by first-level source (流量来源), from the platform's source report where one
    was imported for the span, else from the behaviour events; and which of the two (None: neither)."""
    rows = SourceDayTraffic.objects.filter(day__gte=span.first, day__lte=span.last)
    if shop is not None:
        rows = rows.filter(shop=shop)
    found = list(
        rows.order_by()
        .values("level1")
        .annotate(uv=Sum("visitors"), buyers=Sum("paying_buyers"), gmv=Sum("paid_amount"))
        .order_by("level1")
    )
    if found:
        result = [SourceRow(r["level1"], r["uv"] or 0, r["buyers"] or 0, money(Decimal(r["gmv"] or 0))) for r in found]
        return sorted(result, key=lambda r: -r.uv), metrics.REPORT
    events = EventDaySource.objects.filter(day__gte=span.first, day__lte=span.last)
    if shop is not None:
        events = events.filter(shop=shop)
    found = list(events.order_by().values("source").annotate(uv=Sum("uv"), buyers=Sum("buyers")).order_by("source"))
    result = [SourceRow(r["source"] or str(_("(none)")), r["uv"] or 0, r["buyers"] or 0) for r in found]
    return sorted(result, key=lambda r: -r.uv), (metrics.EVENTS if result else None)


def funnel(now: Figures) -> list[FunnelStep]:
    """Visit → add to cart → buy: people at each step and the share of the step before."""
    steps = [
        ("visit", _("Visitors (UV)"), now.uv),
        ("cart", _("Added to cart"), now.cart_buyers),
        ("buy", _("Paying buyers"), now.buyers),
    ]
    out: list[FunnelStep] = []
    before: int | None = None
    for key, label, people in steps:
        out.append(FunnelStep(key, label, people, ratio(people, before) if out else None))
        before = people
    return out


def sku_rows(raw: Raw, span: Span) -> list[SkuRow]:
    """Every SKU sold in the span: units, paid (the lines' 实付, without postage) and refunds, most paid first."""
    rows: dict[int | None, SkuRow] = {}
    for line in raw.lines:
        if line.day not in span or line.cancelled:
            continue
        key = line.sku_id
        row = rows.get(key) or rows.setdefault(key, SkuRow(key, line.sku_code, line.title))
        row.units += line.quantity
        row.gmv += line.paid
    for day, _shop, sku_id, amount in raw.refunds:
        if day in span and sku_id in rows:
            rows[sku_id].refunds += amount
    return sorted(rows.values(), key=lambda r: (-r.gmv, r.code))


def ad_rows(raw: Raw, span: Span) -> tuple[list[AdRow], list[AdRow]]:
    """The ads by channel and by channel and plan, most spent first."""
    channels: dict[str, AdRow] = {}
    plans: dict[tuple[str, str], AdRow] = {}
    for ad in raw.ads:
        if ad.day not in span:
            continue
        name = ad.plan or ad.plan_id
        for row in (
            channels.setdefault(ad.channel, AdRow(ad.channel)),
            plans.setdefault((ad.channel, name), AdRow(ad.channel, name)),
        ):
            row.spend += ad.cost or ZERO
            row.gmv += ad.gmv or ZERO
            row.clicks += ad.clicks or 0
            row.impressions += ad.impressions or 0
            row.orders += ad.orders or 0

    def order(rows: list[AdRow]) -> list[AdRow]:
        return sorted(rows, key=lambda r: (-r.spend, r.channel, r.plan))

    return order(list(channels.values())), order(list(plans.values()))


def _ad_total(rows: list[AdRow]) -> AdRow:
    total = AdRow(str(TOTAL))
    for row in rows:
        total.spend += row.spend
        total.gmv += row.gmv
        total.clicks += row.clicks
        total.impressions += row.impressions
        total.orders += row.orders
    return total


# --------------------------------------------------------------------------------------------------------
# The page
# --------------------------------------------------------------------------------------------------------


@dataclass
class Dashboard:
    shop: Shop | None
    span: Span
    shops: dict[int, ShopInfo]
    comparison: Comparison
    decomposition: Decomposition | None
    decomposition_last_year: Decomposition | None
    days: list[DayRow]
    sources: list[SourceRow]
    sources_from: str | None
    funnel: list[FunnelStep]
    skus: list[SkuRow]
    ad_channels: list[AdRow]
    ad_plans: list[AdRow]
    tables: dict[str, Table] = field(default_factory=dict)

    @property
    def now(self) -> Figures:
        return self.comparison.current


def build(*, shop: Shop | None, first: date, last: date, all_shops: dict[int, ShopInfo] | None = None) -> Dashboard:
    """Everything the page shows for a shop (None: every shop) and a period."""
    span = Span(first, last)
    all_shops = all_shops if all_shops is not None else metrics.shops_with_costs()
    shops = {shop.pk: all_shops[shop.pk]} if shop is not None and shop.pk in all_shops else all_shops
    spans = [span, span.previous(), span.last_year()]
    raw = metrics.load(shop=shop, spans=spans, shops=shops)
    comparison = Comparison(
        metrics.figures(raw, spans[0]), metrics.figures(raw, spans[1]), metrics.figures(raw, spans[2])
    )
    found_sources, sources_from = sources(shop, span)
    channels, plans = ad_rows(raw, span)
    board = Dashboard(
        shop=shop,
        span=span,
        shops=all_shops,
        comparison=comparison,
        decomposition=decompose(comparison.current, comparison.previous),
        decomposition_last_year=decompose(comparison.current, comparison.last_year),
        days=trend(raw, span),
        sources=found_sources,
        sources_from=sources_from,
        funnel=funnel(comparison.current),
        skus=sku_rows(raw, span),
        ad_channels=channels,
        ad_plans=plans,
    )
    board.tables = tables(board)
    return board


def tables(board: Dashboard) -> dict[str, Table]:
    """Every table of the page (each chart's numbers), keyed as ?export= names them."""
    days = board.days
    day_total = DayRow(
        TOTAL,
        sum((d.gmv for d in days), ZERO),
        sum(d.orders for d in days),
        board.now.buyers,
        board.now.uv,
        sum((d.refunds for d in days), ZERO),
    )
    skus = board.skus
    unsold = max(0, board.now.skus_listed - board.now.skus_sold)
    top = skus[:TOP_SKUS]
    bottom = list(reversed(skus[-TOP_SKUS:])) if len(skus) > TOP_SKUS else []
    sku_cols = (
        Col("code", _("SKU code"), lambda r: r.code),
        Col("title", _("Title"), lambda r: r.title),
        Col("units", _("Units"), lambda r: r.units, "int"),
        Col("gmv", _("Paid (¥)"), lambda r: r.gmv, "money"),
        Col("refunds", _("Refunded (¥)"), lambda r: r.refunds, "money"),
    )
    ad_cols = (
        Col("spend", _("Spend (¥)"), lambda r: r.spend, "money"),
        Col("gmv", _("Attributed GMV (¥)"), lambda r: r.gmv, "money"),
        Col("roi", _("ROI"), lambda r: r.roi, "number"),
        Col("clicks", _("Clicks"), lambda r: r.clicks, "int"),
        Col("cpc", _("CPC (¥)"), lambda r: r.cpc, "money"),
        Col("ctr", _("CTR"), lambda r: r.ctr, "fraction"),
    )
    source_total = SourceRow(
        str(TOTAL),
        sum(r.uv for r in board.sources),
        sum(r.buyers for r in board.sources),
        sum((r.gmv for r in board.sources), ZERO),
    )
    found = [
        figures_table(board.comparison),
        Table(
            "trend",
            _("GMV by day"),
            (
                Col("day", _("Day"), lambda r: r.day, "date"),
                Col("gmv", _("GMV (¥)"), lambda r: r.gmv, "money"),
                Col("orders", _("Orders"), lambda r: r.orders, "int"),
                Col("buyers", _("Paying buyers"), lambda r: r.buyers, "int"),
                Col("uv", _("Visitors (UV)"), lambda r: r.uv, "int"),
                Col("conversion", _("Conversion"), lambda r: r.conversion, "fraction"),
                Col("refunds", _("Refunded (¥)"), lambda r: r.refunds, "money"),
            ),
            days,
            day_total,
        ),
        Table(
            "sources",
            _("Traffic by source"),
            (
                Col("source", _("Source"), lambda r: r.source),
                Col("uv", _("Visitors (UV)"), lambda r: r.uv, "int"),
                Col("buyers", _("Paying buyers"), lambda r: r.buyers, "int"),
                Col("conversion", _("Conversion"), lambda r: r.conversion, "fraction"),
                Col("gmv", _("Paid (¥)"), lambda r: r.gmv, "money"),
            ),
            board.sources,
            source_total if board.sources else None,
        ),
        Table(
            "funnel",
            _("Funnel"),
            (
                Col("step", _("Step"), lambda r: r.label),
                Col("people", _("People"), lambda r: r.people, "int"),
                Col("rate", _("Of the step before"), lambda r: r.rate, "fraction"),
            ),
            board.funnel,
        ),
        Table("top_skus", _("Best-selling SKUs"), sku_cols, top),
        Table(
            "bottom_skus",
            _("Slowest-selling SKUs"),
            sku_cols,
            bottom,
            note=ngettext(
                "The SKUs that sold least, when more sold than the table above holds. %(n)s SKU on sale sold nothing.",
                "The SKUs that sold least, when more sold than the table above holds. %(n)s SKUs on sale sold nothing.",
                unsold,
            )
            % {"n": unsold},
        ),
        Table(
            "ad_channels",
            _("Ads by channel"),
            (Col("channel", _("Ad channel"), lambda r: r.channel_label), *ad_cols),
            board.ad_channels,
            _ad_total(board.ad_channels) if board.ad_channels else None,
        ),
        Table(
            "ad_plans",
            _("Ads by plan"),
            (
                Col("channel", _("Ad channel"), lambda r: r.channel_label),
                Col("plan", _("Plan"), lambda r: r.plan),
                *ad_cols,
            ),
            board.ad_plans,
            _ad_total(board.ad_plans) if board.ad_plans else None,
        ),
    ]
    if board.decomposition is not None:
        parts = board.decomposition
        labels = {"uv": _("Visitors (UV)"), "conversion": _("Conversion"), "aov": _("Average order value")}
        found.append(
            Table(
                "decomposition",
                _("Why GMV moved"),
                (
                    Col("factor", _("Factor"), lambda r: r[0]),
                    Col("effect", _("Effect on GMV"), lambda r: r[1], "money"),
                    Col("share", _("Share of the change"), lambda r: r[2], "fraction"),
                ),
                [(labels[key], value, ratio(value, parts.change)) for key, value in parts.parts],
                (str(_("Change in GMV")), parts.change, None),
            )
        )
    return {table.key: table for table in found}


@dataclass(frozen=True)
class FigureRow:
    """One figure of the period beside the previous period's and last year's."""

    key: str
    label: Any
    kind: str  # money, int, fraction, number
    now: Decimal | int | None
    previous: Decimal | int | None
    last_year: Decimal | int | None

    @property
    def vs_previous(self) -> Decimal | None:
        return metrics.change(self.now, self.previous)

    @property
    def vs_last_year(self) -> Decimal | None:
        return metrics.change(self.now, self.last_year)


#: The figures of the cards and of the "figures" table, in order: key, label, kind.
FIGURES: tuple[tuple[str, Any, str], ...] = (
    ("gmv", _("GMV"), "money"),
    ("orders", _("Orders"), "int"),
    ("buyers", _("Paying buyers"), "int"),
    ("uv", _("Visitors (UV)"), "int"),
    ("conversion", _("Conversion"), "fraction"),
    ("aov", _("Average order value"), "money"),
    ("pv", _("Page views"), "int"),
    ("pages_per_visitor", _("Pages per visitor"), "number"),
    ("bounce_rate", _("Bounce rate"), "fraction"),
    ("cart_rate", _("Add-to-cart rate"), "fraction"),
    ("fav_rate", _("Favourite rate"), "fraction"),
    ("refunds", _("Refunded"), "money"),
    ("refund_rate", _("Refunded ÷ GMV"), "fraction"),
    ("ad_spend", _("Ad spend"), "money"),
    ("ad_gmv", _("Ad-attributed GMV"), "money"),
    ("roi", _("ROI"), "number"),
    ("cpc", _("CPC"), "money"),
    ("ctr", _("CTR"), "fraction"),
    ("cogs", _("Cost of goods"), "money"),
    ("commission", _("Commission"), "money"),
    ("shipping", _("Shipping"), "money"),
    ("gross_profit", _("Gross profit"), "money"),
    ("margin", _("Gross margin"), "fraction"),
    ("sell_through", _("Sell-through (动销率)"), "fraction"),
)


def figure_rows(comparison: Comparison) -> list[FigureRow]:
    c = comparison
    return [
        FigureRow(key, label, kind, getattr(c.current, key), getattr(c.previous, key), getattr(c.last_year, key))
        for key, label, kind in FIGURES
    ]


def figures_table(comparison: Comparison) -> Table:
    c = comparison
    period = "{} – {}"
    return Table(
        "figures",
        _("Figures"),
        (
            Col("figure", _("Figure"), lambda r: r.label),
            Col("now", period.format(c.current.first, c.current.last), lambda r: r.now, "by_row"),
            Col("previous", period.format(c.previous.first, c.previous.last), lambda r: r.previous, "by_row"),
            Col("vs_previous", _("Change"), lambda r: r.vs_previous, "fraction"),
            Col("last_year", period.format(c.last_year.first, c.last_year.last), lambda r: r.last_year, "by_row"),
            Col("vs_last_year", _("Change"), lambda r: r.vs_last_year, "fraction"),
        ),
        figure_rows(comparison),
    )
