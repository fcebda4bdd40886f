"""What the plan page shows (docs/planning.md): the versions of a shop's year, the months with their actuals
from analytics, quarter subtotals and the year total, and what each month's target needs of the driver tree
against the last 90 days. The actuals of every month and of the 90 days are read in one pass of analytics'
metrics (a handful of queries, whatever the number of months)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from zhanggui.analytics import dashboard, metrics
from zhanggui.catalog.models import Shop
from zhanggui.planning import drivers, progress
from zhanggui.planning.breakdown import EVENTS, MONTHS
from zhanggui.planning.models import Plan, PlanMonth
from zhanggui.planning.services import month_span

ZERO = Decimal(0)
#: The days behind the driver tree's "current" values (ending yesterday: today is not over).
BASELINE_DAYS = 90


def percent(fraction: Decimal | None) -> str:
    """0.0123 reads "1.23 %"; None reads "—"."""
    return "—" if fraction is None else f"{(fraction * 100).quantize(Decimal('0.01'))} %"


@dataclass
class Row:
    """A month, a quarter's subtotal or the year's total."""

    kind: str  # "month", "quarter" or "year"
    label: str
    month: int | None = None
    target: Decimal = ZERO
    approved: Decimal | None = None  # the approved version's target, when a revision is being edited
    actual: Decimal | None = None  # None: the period has not started
    uv: int | None = None
    conversion: Decimal | None = None
    aov: Decimal | None = None
    locked: bool = False
    event: str = ""
    needs: list[drivers.Implied] = field(default_factory=list)

    @property
    def reached(self) -> Decimal | None:
        """actual ÷ target, 4 decimals half up."""
        return metrics.ratio(self.actual, self.target) if self.actual is not None else None

    @property
    def reached_percent(self) -> str:
        return percent(self.reached)

    @property
    def conversion_percent(self) -> str:
        return percent(self.conversion)

    @property
    def uv_need(self) -> drivers.Implied | None:
        return next((n for n in self.needs if n.driver == "uv"), None)


@dataclass
class Baseline:
    first: date
    last: date
    uv: int | None
    conversion: Decimal | None
    aov: Decimal | None

    @property
    def conversion_percent(self) -> str:
        return percent(self.conversion)


@dataclass
class Grid:
    plan: Plan | None  # the version being edited (or the approved one, when there is no revision)
    approved: Plan | None  # the latest approved version
    rows: list[Row]
    baseline: Baseline
    versions: list[Plan]
    progress: list[progress.Period] = field(default_factory=list)  # yesterday, its month, quarter, year

    @property
    def revising(self) -> bool:
        return self.plan is not None and self.approved is not None and self.plan.pk != self.approved.pk


def grid(*, shop: Shop, year: int, today: date) -> Grid:
    """The year's grid for the shop: the latest version, the approved one beside it, the actuals so far."""
    # Every version's months in one query (a plan always has its twelve months), the versions taken from them.
    by_version: dict[int, list[PlanMonth]] = {}
    plans: dict[int, Plan] = {}
    for stored in PlanMonth.objects.filter(plan__shop=shop, plan__year=year).select_related("plan").order_by("month"):
        by_version.setdefault(stored.plan.version, []).append(stored)
        plans[stored.plan.version] = stored.plan
    versions = [plans[v] for v in sorted(plans, reverse=True)]
    plan = versions[0] if versions else None
    approved = next((v for v in versions if v.is_approved), None)
    months: dict[int, PlanMonth] = {m.month: m for m in by_version[plan.version]} if plan else {}
    approved_months = (
        {m.month: m.gmv_target for m in by_version[approved.version]} if approved and approved != plan else {}
    )

    baseline_span = metrics.Span(today - timedelta(days=BASELINE_DAYS), today - timedelta(days=1))
    spans = {m: month_span(year, m) for m in MONTHS if date(year, m, 1) <= today}
    # GMV and traffic only: the shop's costs are not needed, so they are not read.
    shops = {shop.pk: metrics.ShopInfo(shop, ZERO, ZERO, 0)}
    # Yesterday's month, quarter and year to date ride along in the same pass when the year is yesterday's.
    to_date = progress.metric_spans(today) if plan is not None and (today - timedelta(days=1)).year == year else {}
    raw = metrics.load(shop=shop, spans=[baseline_span, *spans.values(), *to_date.values()], shops=shops)
    base = metrics.figures(raw, baseline_span)
    baseline = Baseline(baseline_span.first, baseline_span.last, base.uv, base.conversion, base.aov)
    actuals = {m: metrics.figures(raw, span).gmv for m, span in spans.items()}

    rows: list[Row] = []
    year_row = Row("year", str(year), actual=ZERO if actuals else None, approved=ZERO if approved_months else None)
    for q in range(1, 5):
        q_row = Row("quarter", f"Q{q}", approved=ZERO if approved_months else None)
        for m in range(3 * q - 2, 3 * q + 1):
            found = months.get(m)
            target = found.gmv_target if found else ZERO
            row = Row(
                "month",
                f"{m:02d}",
                month=m,
                target=target,
                approved=approved_months.get(m),
                actual=actuals.get(m),
                uv=found.uv if found else None,
                conversion=found.conversion if found else None,
                aov=found.aov if found else None,
                locked=bool(found and found.locked),
                event=EVENTS.get(m, ""),
                needs=drivers.implied(
                    target, days=month_span(year, m).days, uv_90=base.uv, conversion=base.conversion, aov=base.aov
                ),
            )
            rows.append(row)
            for total in (q_row, year_row):
                total.target += target
                if row.actual is not None:
                    total.actual = (total.actual or ZERO) + row.actual
                if row.approved is not None and total.approved is not None:
                    total.approved += row.approved
        rows.append(q_row)
    rows.append(year_row)
    periods = (
        progress.periods(
            months={m: row.gmv_target for m, row in months.items()},
            sold={kind: metrics.figures(raw, span).gmv for kind, span in to_date.items()},
            today=today,
        )
        if to_date
        else []
    )
    return Grid(plan, approved, rows, baseline, versions, periods)


@dataclass
class SourceSplit:
    month: int
    target: Decimal
    needs: list[drivers.SourceNeed]
    first: date
    last: date


def source_split(*, shop: Shop, year: int, month: int, target: Decimal, today: date) -> SourceSplit:
    """A month's target by traffic source: each source's share of the last 90 days' GMV in the platform's source
    report (流量来源), and the UV it needs at its own conversion and AOV (drivers.by_source). Empty when no source
    report with paid amounts was imported for those days (the behaviour events give no GMV by source)."""
    span = metrics.Span(today - timedelta(days=BASELINE_DAYS), today - timedelta(days=1))
    rows, origin = dashboard.sources(shop, span)
    found = [(r.source, r.uv, r.buyers, r.gmv) for r in rows] if origin == metrics.REPORT else []
    needs = drivers.by_source(target, days=month_span(year, month).days, sources=found)
    return SourceSplit(month, target, needs, span.first, span.last)
