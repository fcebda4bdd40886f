"""Reads of the platforms' daily reports as stored by analytics.report_imports: what pages and the API show."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import QuerySet

from zhanggui.analytics.models import AdChannel, AdDay, ItemDayTraffic, ShopDayTraffic, SourceDayTraffic, ratio
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
        for model in (ShopDayTraffic, ItemDayTraffic, SourceDayTraffic, AdDay)
    ]
    days = [day for day in found if day is not None]
    return max(days) if days else None


def last_range(*, shop: Shop, days: int = 30) -> tuple[date, date] | None:
    """The shop's last `days` days ending on its latest reported day."""
    latest = latest_day(shop=shop)
    if latest is None:
        return None
    return latest - timedelta(days=days - 1), latest
