"""The year's activity calendar (docs/planning.md, "Activity calendar"): the platform events and the shop's own
activities, each with its GMV target and, once it has run, its result from the actuals: the GMV over its days
against the target, and against the same number of days just before it (the uplift).

The platform events' dates are their usual windows (PLATFORM_EVENTS); each shop's copy is editable, since the
platforms move them a little every year.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from zhanggui.analytics import metrics
from zhanggui.catalog.models import Shop
from zhanggui.core import roles
from zhanggui.core.services import record_audit
from zhanggui.planning.breakdown import PlanError
from zhanggui.planning.models import ActivityKind, PlanActivity
from zhanggui.planning.services import EDIT_PLANS, month_span
from zhanggui.promotions.models import Promotion

ZERO = Decimal(0)
#: The longest activity (a year): a calendar line, not a standing state.
MAX_DAYS = 366

#: The platform events' usual windows: (name, (month, day) first, (month, day) last), both days included.
#: 618's window starts with its pre-sale (late May); 双11's with the pre-sale of late October.
PLATFORM_EVENTS: list[tuple[str, tuple[int, int], tuple[int, int]]] = [
    ("年货节", (1, 5), (1, 15)),
    ("38 女王节", (3, 1), (3, 8)),
    ("618", (5, 31), (6, 18)),
    ("99", (9, 1), (9, 9)),
    ("双11", (10, 20), (11, 11)),
    ("双12", (12, 1), (12, 12)),
]


def _snapshot(activity: PlanActivity) -> dict[str, Any]:
    return {
        "name": activity.name,
        "kind": activity.kind,
        "starts_on": activity.starts_on.isoformat(),
        "ends_on": activity.ends_on.isoformat(),
        "gmv_target": None if activity.gmv_target is None else str(activity.gmv_target),
        "promotion": activity.promotion_id,
        "note": activity.note,
    }


@transaction.atomic
def seed_platform_events(*, actor: Any, shop: Shop, year: int) -> list[PlanActivity]:
    """The year's platform events for the shop at their usual dates; an event the shop has already (by name)
    is left as it is, so seeding again adds nothing. Returns the events added."""
    roles.require(actor, EDIT_PLANS)
    have = set(
        PlanActivity.objects.filter(shop=shop, year=year, kind=ActivityKind.PLATFORM).values_list("name", flat=True)
    )
    added = [
        PlanActivity(
            shop=shop,
            year=year,
            name=name,
            kind=ActivityKind.PLATFORM,
            starts_on=date(year, *first),
            ends_on=date(year, *last),
        )
        for name, first, last in PLATFORM_EVENTS
        if name not in have
    ]
    PlanActivity.objects.bulk_create(added)
    for activity in added:
        record_audit(actor=actor, action="planning.calendar", obj=activity, after=_snapshot(activity))
    return added


def promotions_of(shop: Shop, year: int) -> list[Promotion]:
    """The stored promotions an activity may be linked to: the shop's (or every shop's) whose window overlaps
    the year."""
    zone = timezone.get_current_timezone()
    first, after = datetime(year, 1, 1, tzinfo=zone), datetime(year + 1, 1, 1, tzinfo=zone)
    return list(
        Promotion.objects.filter(Q(shop=shop) | Q(shop__isnull=True), starts_at__lt=after, ends_at__gt=first).order_by(
            "starts_at", "code"
        )
    )


def promotion_days(promotion: Promotion) -> tuple[date, date]:
    """A promotion's window [starts_at, ends_at) as whole days of the shop's time zone, both included."""
    first = timezone.localtime(promotion.starts_at).date()
    last = timezone.localtime(promotion.ends_at - timedelta(microseconds=1)).date()
    return first, max(first, last)


def _check(*, year: int, name: str, starts_on: date, ends_on: date, gmv_target: Decimal | None) -> None:
    if not name.strip():
        raise PlanError("An activity needs a name.")
    if ends_on < starts_on:
        raise PlanError("An activity cannot end before it starts.")
    if (ends_on - starts_on).days + 1 > MAX_DAYS:
        raise PlanError("An activity lasts a year at most.")
    if not (starts_on.year <= year <= ends_on.year):
        raise PlanError("The activity's days must fall in the calendar's year.")
    if gmv_target is not None and gmv_target < 0:
        raise PlanError("A target cannot be negative.")


def _promotion(shop: Shop, year: int, promotion: Promotion | int | None) -> Promotion | None:
    if promotion is None:
        return None
    pk = promotion.pk if isinstance(promotion, Promotion) else promotion
    found = next((p for p in promotions_of(shop, year) if p.pk == pk), None)
    if found is None:
        raise PlanError("That promotion is not the shop's or does not run in this year.")
    return found


@transaction.atomic
def add_activity(
    *,
    actor: Any,
    shop: Shop,
    year: int,
    name: str = "",
    starts_on: date | None = None,
    ends_on: date | None = None,
    gmv_target: Decimal | None = None,
    promotion: Promotion | int | None = None,
    note: str = "",
) -> PlanActivity:
    """The shop's own activity, typed or linked to a stored promotion (whose name and days fill what is left
    empty)."""
    roles.require(actor, EDIT_PLANS)
    linked = _promotion(shop, year, promotion)
    if linked is not None:
        first, last = promotion_days(linked)
        name = name.strip() or linked.name or linked.code
        starts_on, ends_on = starts_on or first, ends_on or last
    if starts_on is None or ends_on is None:
        raise PlanError("An activity needs its first and last day.")
    _check(year=year, name=name, starts_on=starts_on, ends_on=ends_on, gmv_target=gmv_target)
    activity = PlanActivity.objects.create(
        shop=shop,
        year=year,
        name=name.strip(),
        kind=ActivityKind.OWN,
        starts_on=starts_on,
        ends_on=ends_on,
        gmv_target=gmv_target,
        promotion=linked,
        note=note.strip(),
    )
    record_audit(actor=actor, action="planning.calendar", obj=activity, after=_snapshot(activity))
    return activity


#: What may change: a platform event keeps its name (seeding knows it by its name) and has no promotion.
OWN_FIELDS = {"name", "starts_on", "ends_on", "gmv_target", "promotion", "note"}
PLATFORM_FIELDS = {"starts_on", "ends_on", "gmv_target", "note"}


@transaction.atomic
def update_activity(*, actor: Any, activity: PlanActivity, **changes: Any) -> PlanActivity:
    """Change an activity's fields given (a platform event: its dates, target and note)."""
    roles.require(actor, EDIT_PLANS)
    allowed = PLATFORM_FIELDS if activity.kind == ActivityKind.PLATFORM else OWN_FIELDS
    refused = set(changes) - allowed
    if refused:
        raise PlanError("A platform event keeps its name; change its dates, target or note.")
    before = _snapshot(activity)
    if "promotion" in changes:
        activity.promotion = _promotion(activity.shop, activity.year, changes.pop("promotion"))
    for name, value in changes.items():
        setattr(activity, name, value.strip() if isinstance(value, str) else value)
    _check(
        year=activity.year,
        name=activity.name,
        starts_on=activity.starts_on,
        ends_on=activity.ends_on,
        gmv_target=activity.gmv_target,
    )
    activity.save()
    record_audit(actor=actor, action="planning.calendar", obj=activity, before=before, after=_snapshot(activity))
    return activity


@transaction.atomic
def delete_activity(*, actor: Any, activity: PlanActivity) -> None:
    roles.require(actor, EDIT_PLANS)
    record_audit(actor=actor, action="planning.calendar.delete", obj=activity, before=_snapshot(activity))
    activity.delete()


# --------------------------------------------------------------------------------------------------------
# The year with the results
# --------------------------------------------------------------------------------------------------------

UPCOMING, RUNNING, DONE = "upcoming", "running", "done"


@dataclass
class Result:
    """An activity with its result: the GMV over its days gone (to yesterday), the same number of days just
    before it, the share of its target reached and the uplift (GMV ÷ before − 1)."""

    activity: PlanActivity
    status: str
    span: metrics.Span | None  # the days counted (None before it starts)
    gmv: Decimal | None = None
    before: Decimal | None = None

    @property
    def reached(self) -> Decimal | None:
        return metrics.ratio(self.gmv, self.activity.gmv_target) if self.gmv is not None else None

    @property
    def uplift(self) -> Decimal | None:
        return metrics.change(self.gmv, self.before)

    @property
    def reached_percent(self) -> str:
        return _percent(self.reached)

    @property
    def uplift_percent(self) -> str:
        up = self.uplift
        return _percent(up, signed=True)

    @property
    def is_platform(self) -> bool:
        return self.activity.kind == ActivityKind.PLATFORM


def _percent(fraction: Decimal | None, *, signed: bool = False) -> str:
    """0.1234 reads "12.34 %" ("+12.34 %" signed); None reads "—"."""
    if fraction is None:
        return "—"
    value = (fraction * 100).quantize(Decimal("0.01"))
    return f"{'+' if signed and value > 0 else ''}{value} %"


def counted_span(activity: PlanActivity, today: date) -> metrics.Span | None:
    """The activity's days up to yesterday (today is not over); None when it has not started by then."""
    last = min(activity.ends_on, today - timedelta(days=1))
    return metrics.Span(activity.starts_on, last) if last >= activity.starts_on else None


def results(*, shop: Shop, year: int, today: date) -> list[Result]:
    """Every activity of the year with its result, the actuals of all of them read in one pass of analytics'
    metrics (each activity's days and the days before it)."""
    activities = list(PlanActivity.objects.filter(shop=shop, year=year).select_related("promotion"))
    found: list[Result] = []
    spans: list[metrics.Span] = []
    for activity in activities:
        span = counted_span(activity, today)
        status = UPCOMING if span is None else (DONE if span.last == activity.ends_on else RUNNING)
        found.append(Result(activity, status, span))
        if span is not None:
            spans += [span, span.previous()]
    if spans:
        # GMV only: the shop's costs are not needed, so they are not read.
        shops = {shop.pk: metrics.ShopInfo(shop, ZERO, ZERO, 0)}
        raw = metrics.load(shop=shop, spans=spans, shops=shops)
        for result in found:
            if result.span is not None:
                result.gmv = metrics.figures(raw, result.span).gmv
                result.before = metrics.figures(raw, result.span.previous()).gmv
    return found


@dataclass
class Segment:
    """An activity's days within one month of the calendar (a bar from day `first` to day `last`)."""

    result: Result
    first: int
    last: int

    @property
    def column_end(self) -> int:
        return self.last + 1


@dataclass
class MonthLane:
    month: int
    days: int
    segments: list[Segment]


def year_view(year: int, found: list[Result]) -> list[MonthLane]:
    """The twelve months with each activity's days in them, for the calendar's bars."""
    lanes: list[MonthLane] = []
    for m in range(1, 13):
        span = month_span(year, m)
        segments = [
            Segment(r, max(r.activity.starts_on, span.first).day, min(r.activity.ends_on, span.last).day)
            for r in found
            if r.activity.starts_on <= span.last and r.activity.ends_on >= span.first
        ]
        lanes.append(MonthLane(m, span.days, segments))
    return lanes
