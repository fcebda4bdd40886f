"""Reads of the platforms' daily reports as stored by analytics.report_imports: what pages and the API show."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import QuerySet

from zhanggui.analytics.models import (
    AdChannel,
    AdDay,
    ItemDayTraffic,
    ServiceDay,
    ShopDayTraffic,
    SourceDayTraffic,
    ratio,
)
from zhanggui.catalog.models import Shop

#: The longest range one read returns (as analytics.selectors.MAX_DAYS).
MAX_DAYS = 367


def shop_days(*, shop: Shop, start: date, end: date) -> QuerySet[ShopDayTraffic]:
    return ShopDayTraffic.objects.filter(shop=shop, day__range=(start, end)).order_by("day")


def item_days(*, shop: Shop, start: date, end: date) -> QuerySet[ItemDayTraffic]:
    return ItemDayTraffic.objects.filter(shop=shop, day__range=(start, end)).order_by("day", "item_id")


def source_days(*, shop: Shop, start: date, end: date) -> QuerySet[SourceDayTraffic]:
    return SourceDayTraffic.objects.filter(shop=shop, day__range=(start, end)).order_by(
        "day", "carrier", "level1", "level2", "level3", "level4"
    )


def ad_days(*, shop: Shop, start: date, end: date, channel: str = "") -> QuerySet[AdDay]:
    rows = AdDay.objects.filter(shop=shop, day__range=(start, end))
    if channel:
        rows = rows.filter(channel=channel)
    return rows.order_by("day", "channel", "plan", "unit", "keyword", "plan_id", "attribution")


@dataclass
class AdTotal:
    """One channel's day, its rows added up; a figure no row gives stays None."""

    day: date
    channel: str
    impressions: int | None = None
    clicks: int | None = None
    cost: Decimal | None = None
    orders: int | None = None
    gmv: Decimal | None = None
    rows: int = 0

    @property
    def roi(self) -> Decimal | None:
        return ratio(self.gmv, self.cost, "0.01")

    @property
    def channel_label(self) -> str:
        return str(AdChannel(self.channel).label)


def ad_totals(rows: QuerySet[AdDay] | list[AdDay]) -> list[AdTotal]:
    """Each (day, channel)'s rows added up, in the rows' order."""
    totals: dict[tuple[date, str], AdTotal] = {}
    for row in rows:
        total = totals.setdefault((row.day, row.channel), AdTotal(day=row.day, channel=row.channel))
        total.rows += 1
        for name in ("impressions", "clicks", "cost", "orders", "gmv"):
            value = getattr(row, name)
            if value is not None:
                setattr(total, name, (getattr(total, name) or 0) + value)
    return list(totals.values())


def latest_day(*, shop: Shop) -> date | None:
    """The shop's latest day in any stored report."""
    found = [
        model.objects.filter(shop=shop).order_by("-day").values_list("day", flat=True).first()
        for model in (ShopDayTraffic, ItemDayTraffic, SourceDayTraffic, AdDay, ServiceDay)
    ]
    days = [day for day in found if day is not None]
    return max(days) if days else None


def last_range(*, shop: Shop, days: int = 30) -> tuple[date, date] | None:
    """The shop's last `days` days ending on its latest reported day."""
    latest = latest_day(shop=shop)
    if latest is None:
        return None
    return latest - timedelta(days=days - 1), latest


# --------------------------------------------------------------------------------------------------------
# Customer service
# --------------------------------------------------------------------------------------------------------


def service_days(*, shop: Shop, start: date, end: date) -> QuerySet[ServiceDay]:
    return ServiceDay.objects.filter(shop=shop, day__range=(start, end)).order_by("day", "agent")


@dataclass
class AgentTotal:
    """One agent's days added up. Rates are Σ ÷ Σ; a response time is the mean of the days' figures weighted by
    the people received that day (a day with no time or nobody received does not count)."""

    agent: str
    days: int = 0
    consulted: int = 0
    received: int = 0
    inquired: int = 0
    inquiry_paid: int = 0
    sales: Decimal = Decimal("0.00")
    units: int = 0
    _first: Decimal = Decimal(0)
    _first_weight: int = 0
    _avg: Decimal = Decimal(0)
    _avg_weight: int = 0

    @property
    def inquiry_conversion(self) -> Decimal | None:
        """询单转化率: Σ inquired and paid ÷ Σ inquired, a fraction to 4 decimals half up."""
        return ratio(self.inquiry_paid, self.inquired)

    @property
    def first_response(self) -> Decimal | None:
        """Seconds to the hundredth, half up."""
        return ratio(self._first, self._first_weight, "0.01")

    @property
    def avg_response(self) -> Decimal | None:
        return ratio(self._avg, self._avg_weight, "0.01")

    def add(self, row: ServiceDay) -> None:
        self.days += 1
        for name in ("consulted", "received", "inquired", "inquiry_paid", "units"):
            setattr(self, name, getattr(self, name) + (getattr(row, name) or 0))
        self.sales += row.sales or 0
        weight = row.received if row.received is not None else (row.consulted or 0)
        if row.first_response is not None and weight:
            self._first += row.first_response * weight
            self._first_weight += weight
        if row.avg_response is not None and weight:
            self._avg += row.avg_response * weight
            self._avg_weight += weight


def agent_totals(rows: QuerySet[ServiceDay] | list[ServiceDay]) -> list[AgentTotal]:
    """Each agent's rows over the range added up, the best inquiry conversion first (then by name); the last
    entry is the shop's total (agent "")."""
    totals: dict[str, AgentTotal] = {}
    shop_total = AgentTotal(agent="")
    for row in rows:
        totals.setdefault(row.agent, AgentTotal(agent=row.agent)).add(row)
        shop_total.add(row)
    ordered = sorted(totals.values(), key=lambda t: (-(t.inquiry_conversion or Decimal(-1)), t.agent))
    return [*ordered, shop_total] if ordered else []
