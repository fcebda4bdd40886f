"""Daily aggregates of the behaviour events (docs/metrics.md, "Behaviour events").

The raw events live in Parquet files (analytics.events), never in the database: pages and the API read these
rows, which an import replaces day by day (analytics.services). Each item's daily figures are a small Parquet
file beside the events (events.items_path), not rows here: thousands of items a day made the database inserts
cost more than computing them (docs/metrics.md, "Behaviour events"). A day's shop-level UV is its own distinct
count, not the sum of its sources' (a visitor who came through two sources is one visitor of the day).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

#: Conversion (paying buyers ÷ UV) is kept to 4 decimals, half up: 0.0123 reads 1.23 %.
RATE = Decimal("0.0001")


def percent(rate: Decimal) -> Decimal:
    """A rate as a percentage to two decimals (0.0123 → 1.23), for pages."""
    return (rate * 100).quantize(Decimal("0.01"))


def conversion(buyers: int, uv: int) -> Decimal:
    """Paying buyers ÷ UV, rounded half up to 4 decimals; 0 on a day without visitors."""
    if not uv:
        return Decimal("0.0000")
    return (Decimal(buyers) / Decimal(uv)).quantize(RATE, rounding=ROUND_HALF_UP)


class EventFigures(models.Model):
    """What every daily row counts: events by behaviour, distinct visitors (UV) and distinct paying buyers."""

    # No index of its own: each table's unique constraint begins with the shop.
    shop = models.ForeignKey(
        "catalog.Shop", on_delete=models.CASCADE, related_name="+", verbose_name=_("shop"), db_index=False
    )
    day = models.DateField(_("day"))
    pv = models.PositiveBigIntegerField(_("page views"), default=0)
    favs = models.PositiveBigIntegerField(_("favourites"), default=0)
    carts = models.PositiveBigIntegerField(_("add-to-carts"), default=0)
    buys = models.PositiveBigIntegerField(_("buy events"), default=0)
    uv = models.PositiveBigIntegerField(_("visitors (UV)"), default=0)
    buyers = models.PositiveBigIntegerField(_("paying buyers"), default=0)

    class Meta:
        abstract = True

    @property
    def conversion(self) -> Decimal:
        return conversion(self.buyers, self.uv)

    @property
    def conversion_percent(self) -> Decimal:
        return percent(self.conversion)


class EventDay(EventFigures):
    """A shop's day, all sources together."""

    class Meta:
        ordering = ["shop", "day"]
        verbose_name = _("event day")
        verbose_name_plural = _("event days")
        constraints = [models.UniqueConstraint(fields=["shop", "day"], name="analytics_eventday_unique")]

    def __str__(self) -> str:
        return f"{self.shop_id} {self.day}"


class EventDaySource(EventFigures):
    """A shop's day from one traffic source ("" when the events named none)."""

    source = models.CharField(_("source"), max_length=32, blank=True, default="")

    class Meta:
        ordering = ["shop", "day", "source"]
        verbose_name = _("event day by source")
        verbose_name_plural = _("event days by source")
        constraints = [
            models.UniqueConstraint(fields=["shop", "day", "source"], name="analytics_eventdaysource_unique")
        ]

    def __str__(self) -> str:
        return f"{self.shop_id} {self.day} {self.source}"
