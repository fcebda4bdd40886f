"""Progress against the plan and the forecast for each period's end (docs/planning.md, "Progress").

A month's target is spread evenly over its days (largest remainder, to the fen), so a day, a month, a quarter and
the year each have a target and a target *to date*. The days counted are those up to yesterday: today is not over.

The forecast is the run rate corrected by the plan's seasonality: the period goes on at the pace it has kept
against its plan so far, so

    forecast = actual to date × period's target ÷ target to date         (to the fen, half up)

A naive run rate (actual ÷ days gone × days in the period) reads a strong November into a weak July; this reads
it as the plan does. Before any planned day has passed (or when the plan gives those days nothing) the naive
run rate stands in; when the period is over the forecast is what was sold.

The daily amount still needed is what is left of the target ÷ the days left (today included), rounded UP to the
fen (less would miss it); nothing when the target is met or no day is left.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal

from zhanggui.analytics import metrics
from zhanggui.catalog.models import Shop
from zhanggui.planning.breakdown import CENT, MONTHS, allocate
from zhanggui.planning.models import PlanMonth
from zhanggui.planning.services import month_span

ZERO = Decimal(0)
DAY, MONTH, QUARTER, YEAR = "day", "month", "quarter", "year"


def days_of(year: int, month: int) -> list[date]:
    return month_span(year, month).each_day()


def daily_targets(year: int, months: dict[int, Decimal]) -> dict[date, Decimal]:
    """Each month's target spread evenly over its days, to the fen, adding up to the month exactly."""
    out: dict[date, Decimal] = {}
    for m in MONTHS:
        days = days_of(year, m)
        out.update(zip(days, allocate(months.get(m, ZERO), [Decimal(1)] * len(days)), strict=True))
    return out


def forecast(*, actual: Decimal, target: Decimal, to_date: Decimal, elapsed: int, days: int) -> Decimal | None:
    """The period's end: actual × target ÷ target to date; the naive run rate when nothing was planned to date;
    what was sold when the period is over; None before its first day is over."""
    if elapsed >= days:
        return actual
    if elapsed <= 0:
        return None
    value = actual * target / to_date if to_date > 0 else actual * days / elapsed
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def naive_forecast(*, actual: Decimal, elapsed: int, days: int) -> Decimal | None:
    """The plain run rate, for comparison (docs/planning.md shows why it is not used)."""
    if elapsed <= 0:
        return None
    return (actual * days / elapsed).quantize(CENT, rounding=ROUND_HALF_UP)


def needed_per_day(*, target: Decimal, actual: Decimal, remaining: int) -> Decimal | None:
    """What each day left (today included) must sell to reach the target, rounded up to the fen."""
    if remaining <= 0 or actual >= target:
        return None
    return ((target - actual) / remaining).quantize(CENT, rounding=ROUND_CEILING)


@dataclass(frozen=True)
class Period:
    """A day, month, quarter or year: its target, how far it is, what it will come to."""

    kind: str
    first: date
    last: date
    target: Decimal
    to_date: Decimal  # the target of its days up to yesterday
    actual: Decimal  # sold on those days
    elapsed: int  # days over
    days: int  # days in the period

    @property
    def label(self) -> str:
        """2026-04, 2026 Q2, 2026 or the day."""
        if self.kind == MONTH:
            return f"{self.first:%Y-%m}"
        if self.kind == QUARTER:
            return f"{self.first.year} Q{(self.first.month + 2) // 3}"
        return str(self.first.year) if self.kind == YEAR else f"{self.first:%Y-%m-%d}"

    @property
    def remaining(self) -> int:
        return self.days - self.elapsed

    @property
    def reached(self) -> Decimal | None:
        """actual ÷ the whole period's target."""
        return metrics.ratio(self.actual, self.target)

    @property
    def pace(self) -> Decimal | None:
        """actual ÷ target to date (1.0000: on plan)."""
        return metrics.ratio(self.actual, self.to_date)

    @property
    def behind(self) -> bool:
        return self.actual < self.to_date

    @property
    def forecast(self) -> Decimal | None:
        return forecast(
            actual=self.actual, target=self.target, to_date=self.to_date, elapsed=self.elapsed, days=self.days
        )

    @property
    def needed_per_day(self) -> Decimal | None:
        return needed_per_day(target=self.target, actual=self.actual, remaining=self.remaining)


def spans(today: date) -> dict[str, tuple[date, date]]:
    """The periods that hold yesterday (the last day over): yesterday, its month, its quarter and its year."""
    day = today - timedelta(days=1)
    quarter_first = date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    quarter_next = date(day.year + (quarter_first.month == 10), (quarter_first.month + 2) % 12 + 1, 1)
    month_next = date(day.year + (day.month == 12), day.month % 12 + 1, 1)
    return {
        DAY: (day, day),
        MONTH: (day.replace(day=1), month_next - timedelta(days=1)),
        QUARTER: (quarter_first, quarter_next - timedelta(days=1)),
        YEAR: (date(day.year, 1, 1), date(day.year, 12, 31)),
    }


def periods(*, months: dict[int, Decimal], sold: dict[str, Decimal], today: date) -> list[Period]:
    """Yesterday, its month, quarter and year against `months` (the plan's targets of yesterday's year);
    `sold` is each period's actual up to yesterday, by kind."""
    yesterday = today - timedelta(days=1)
    daily = daily_targets(yesterday.year, months)
    out = []
    for kind, (first, last) in spans(today).items():
        days = (last - first).days + 1
        elapsed = (yesterday - first).days + 1
        target = sum((daily[first + timedelta(days=n)] for n in range(days)), ZERO)
        to_date = sum((daily[first + timedelta(days=n)] for n in range(elapsed)), ZERO)
        out.append(Period(kind, first, last, target, to_date, sold.get(kind, ZERO), elapsed, days))
    return out


def plan_months(year: int, shop_ids: list[int] | None = None) -> dict[int, dict[int, Decimal]]:
    """Each shop's targets of the year from its latest plan version, in one query: {shop id: {month: target}}."""
    rows = PlanMonth.objects.filter(plan__year=year).order_by("plan__shop_id", "-plan__version", "month")
    if shop_ids is not None:
        rows = rows.filter(plan__shop_id__in=shop_ids)
    out: dict[int, dict[int, Decimal]] = {}
    version: dict[int, int] = {}
    for shop_id, plan_version, month, target in rows.values_list(
        "plan__shop_id", "plan__version", "month", "gmv_target"
    ):
        if version.setdefault(shop_id, plan_version) == plan_version:
            out.setdefault(shop_id, {})[month] = target
    return out


def metric_spans(today: date) -> dict[str, metrics.Span]:
    """The spans analytics reads for the periods: each from its first day to yesterday."""
    yesterday = today - timedelta(days=1)
    return {kind: metrics.Span(first, yesterday) for kind, (first, _last) in spans(today).items()}


def year_gmv(shop: Shop | None, today: date) -> dict[tuple[int, date], Decimal]:
    """GMV per shop and day of yesterday's year to yesterday (metrics.daily_gmv): one query, a row a day."""
    year = metric_spans(today)[YEAR]
    return metrics.daily_gmv(shop=shop, first=year.first, last=year.last)


def from_daily(
    daily: dict[tuple[int, date], Decimal], shop_id: int, months: dict[int, Decimal], today: date
) -> list[Period]:
    """A shop's periods from the GMV per shop and day (`year_gmv`): what each period sold to yesterday."""
    sold = {
        kind: sum((gmv for (shop, day), gmv in daily.items() if shop == shop_id and day in span), metrics.ZERO)
        for kind, span in metric_spans(today).items()
    }
    return periods(months=months, sold=sold, today=today)


def for_shop(shop: Shop, today: date) -> list[Period] | None:
    """A shop's progress against its latest plan of yesterday's year; None when that year has no plan."""
    year = (today - timedelta(days=1)).year
    months = plan_months(year, [shop.pk]).get(shop.pk)
    if months is None:
        return None
    return from_daily(year_gmv(shop, today), shop.pk, months, today)
