"""Reads of the daily event figures: what pages, the API and the desk show (never the raw events)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

import polars as pl

from zhanggui.analytics import events
from zhanggui.analytics.aggregates import ITEM_SCHEMA
from zhanggui.analytics.models import EventDay, EventDaySource, conversion, percent
from zhanggui.catalog.models import Shop

#: The longest range one read returns (a year and a day: this year's 11.11 beside last year's).
MAX_DAYS = 367


@dataclass
class DayFigures:
    """One day of a shop: its totals and each source's figures (a source's UVs do not add up to the day's)."""

    day: date
    pv: int = 0
    favs: int = 0
    carts: int = 0
    buys: int = 0
    uv: int = 0
    buyers: int = 0
    sources: list[EventDaySource] = field(default_factory=list)

    @property
    def conversion(self) -> Decimal:
        return conversion(self.buyers, self.uv)

    @property
    def conversion_percent(self) -> Decimal:
        return percent(self.conversion)


def daily(*, shop: Shop, start: date, end: date) -> list[DayFigures]:
    """The days from `start` to `end` (both included) that have events, oldest first, with their sources."""
    by_day: dict[date, DayFigures] = {}
    for row in EventDay.objects.filter(shop=shop, day__range=(start, end)).order_by("day"):
        by_day[row.day] = DayFigures(
            day=row.day, pv=row.pv, favs=row.favs, carts=row.carts, buys=row.buys, uv=row.uv, buyers=row.buyers
        )
    for source in EventDaySource.objects.filter(shop=shop, day__range=(start, end)).order_by("day", "source"):
        if source.day in by_day:
            by_day[source.day].sources.append(source)
    return list(by_day.values())


def item_days(*, shop: Shop, start: date, end: date) -> pl.DataFrame:
    """Each item's figures of each day from `start` to `end` (both included): day, item_id, pv, favs, carts, buys,
    uv, buyers, by day and item. Read from the small per-day item files, never from the events."""
    if (end - start).days >= MAX_DAYS:
        raise ValueError(f"at most {MAX_DAYS} days at a time")
    days = [start + timedelta(days=offset) for offset in range((end - start).days + 1)]
    frames = [
        pl.read_parquet(path).select(pl.lit(day).alias("day"), pl.all())
        for day in days
        if (path := events.items_path(shop.code, day)).exists()
    ]
    if not frames:
        return pl.DataFrame(schema=ITEM_SCHEMA)
    return pl.concat(frames).cast(ITEM_SCHEMA).sort("day", "item_id")


def last_days(*, shop: Shop, days: int = 30) -> list[DayFigures]:
    """The shop's last `days` days that have figures, ending on its latest day with events."""
    latest = EventDay.objects.filter(shop=shop).order_by("-day").values_list("day", flat=True).first()
    if latest is None:
        return []
    return daily(shop=shop, start=latest - timedelta(days=days - 1), end=latest)
