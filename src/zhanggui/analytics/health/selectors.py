"""Reads of the store's health: its scores over time, the violations whose points count this year, the appeals
still to decide (nearest deadline first) and the open health-check findings. The desk reads `appeals_due` and
`open_findings` for its morning pages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import QuerySet
from django.utils import timezone

from zhanggui.analytics.models import AppealStatus, HealthFinding, ShopScoreDay, Violation
from zhanggui.catalog.models import Shop

UNDECIDED = (AppealStatus.OPEN, AppealStatus.APPEALING)


def scores(*, shop: Shop, start: date, end: date) -> list[ShopScoreDay]:
    return list(ShopScoreDay.objects.filter(shop=shop, day__range=(start, end)).order_by("day"))


@dataclass
class ScoreTrend:
    """The latest day's scores and how each moved against the first day of the range (None: not both known)."""

    latest: ShopScoreDay | None
    first: ShopScoreDay | None

    def change(self, name: str) -> object:
        if self.latest is None or self.first is None:
            return None
        now, then = getattr(self.latest, name), getattr(self.first, name)
        return None if now is None or then is None else now - then


def trend(days: list[ShopScoreDay]) -> ScoreTrend:
    return ScoreTrend(latest=days[-1] if days else None, first=days[0] if len(days) > 1 else None)


def violations(*, shop: Shop, year: int) -> QuerySet[Violation]:
    """The shop's violations noticed in a calendar year, newest first (platforms count points per year)."""
    return Violation.objects.filter(shop=shop, noted_on__year=year).order_by("-noted_on", "-pk")


def points(rows: QuerySet[Violation] | list[Violation]) -> dict[str, int]:
    """Points by kind that count (all but won appeals), and 'total'."""
    totals: dict[str, int] = {"total": 0}
    for row in rows:
        if row.counts:
            totals[row.kind] = totals.get(row.kind, 0) + row.points
            totals["total"] += row.points
    return totals


def appeals_due(
    *, shop: Shop | None = None, now: datetime | None = None, within: timedelta | None = None
) -> list[Violation]:
    """Undecided violations with an appeal deadline not yet passed (within `within` of now when given), nearest
    first."""
    now = now or timezone.now()
    rows = Violation.objects.filter(appeal_status__in=UNDECIDED, appeal_deadline__gte=now).select_related("shop")
    if shop is not None:
        rows = rows.filter(shop=shop)
    if within is not None:
        rows = rows.filter(appeal_deadline__lte=now + within)
    return list(rows.order_by("appeal_deadline", "pk"))


def appeals_missed(*, shop: Shop | None = None, now: datetime | None = None) -> list[Violation]:
    """Violations left undecided past their appeal deadline: the points stand, nobody answered."""
    now = now or timezone.now()
    rows = Violation.objects.filter(appeal_status=AppealStatus.OPEN, appeal_deadline__lt=now).select_related("shop")
    if shop is not None:
        rows = rows.filter(shop=shop)
    return list(rows.order_by("appeal_deadline", "pk"))


def open_findings(*, shop: Shop | None = None) -> list[HealthFinding]:
    rows = HealthFinding.objects.filter(fixed_on__isnull=True).select_related("shop", "follow_up")
    if shop is not None:
        rows = rows.filter(shop=shop)
    return list(rows.order_by("found_on", "pk"))


def fixed_findings(*, shop: Shop, since: date) -> list[HealthFinding]:
    return list(
        HealthFinding.objects.filter(shop=shop, fixed_on__gte=since).select_related("follow_up").order_by("-fixed_on")
    )
