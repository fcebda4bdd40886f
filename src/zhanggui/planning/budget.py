"""A plan's monthly ad budgets (docs/planning.md, "Ad budget"): a share of the month's GMV target or an amount,
split across ad tools and goals with the ROI expected of each, down to daily budgets; the spend and the ROI of
the imported ad reports against it, with the warnings a 店长 acts on.

Rounding: a budget set as a share is target × share to the fen, half up; the lines and the days are split from
it by the largest remainder (breakdown.allocate), so they add up to the budget exactly.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import transaction

from zhanggui.analytics import metrics, report_selectors
from zhanggui.analytics.models import AdChannel
from zhanggui.catalog.models import Shop
from zhanggui.core.services import record_audit
from zhanggui.planning import services
from zhanggui.planning.breakdown import CENT, MONTHS, PlanError, allocate
from zhanggui.planning.models import AdBudget, AdBudgetLine, AdGoal, BudgetMode, Plan
from zhanggui.planning.selectors import percent

ZERO = Decimal(0)
ONE = Decimal(1)
#: Spend to date may run this far above the budget to date (the daily budgets of the days gone) before the
#: month is flagged as overspending: 0.10 is 10 %.
OVERSPEND_TOLERANCE = Decimal("0.10")
#: The warnings, as codes (the pages word them).
OVERSPEND, RUN_RATE, ROI_LOW, STALE = "overspend", "run_rate", "roi_low", "stale"


@dataclass(frozen=True)
class LineIn:
    """One line as typed: an ad tool, a goal, its share of the month's budget (0.5 is 50 %), its expected ROI."""

    channel: str
    goal: str
    share: Decimal
    expected_roi: Decimal | None = None


def share_amount(target: Decimal, share: Decimal) -> Decimal:
    """target × share, to the fen, half up: ¥100,000.00 at 0.08 is ¥8,000.00."""
    return (target * share).quantize(CENT, rounding=ROUND_HALF_UP)


def days_of(year: int, month: int) -> list[date]:
    return services.month_span(year, month).each_day()


def daily(amount: Decimal, year: int, month: int) -> list[Decimal]:
    """The month's amount over its days, to the fen, adding up exactly (the earlier days take the fen left)."""
    return allocate(amount, [ONE] * len(days_of(year, month)))


def expected_gmv(amount: Decimal, roi: Decimal | None) -> Decimal | None:
    """amount × expected ROI, to the fen half up (None when no ROI is expected)."""
    return None if roi is None else metrics.money(amount * roi)


def _snapshot(budget: AdBudget | None) -> dict[str, Any]:
    if budget is None:
        return {}
    return {
        "month": budget.month,
        "mode": budget.mode,
        "share": None if budget.share is None else str(budget.share),
        "amount": str(budget.amount),
        "lines": [
            {
                "channel": line.channel,
                "goal": line.goal,
                "share": str(line.share),
                "amount": str(line.amount),
                "expected_roi": None if line.expected_roi is None else str(line.expected_roi),
            }
            for line in budget.lines.order_by("channel", "goal")
        ],
    }


def _check_lines(lines: list[LineIn]) -> None:
    seen: set[tuple[str, str]] = set()
    for line in lines:
        if line.channel not in AdChannel.values:
            raise PlanError("Unknown ad tool.")
        if line.goal not in AdGoal.values:
            raise PlanError("Unknown goal.")
        if (line.channel, line.goal) in seen:
            raise PlanError("An ad tool has one line per goal.")
        seen.add((line.channel, line.goal))
        if line.share <= 0 or line.share > 1:
            raise PlanError("A line's share must be above 0 % and at most 100 %.")
        if line.expected_roi is not None and line.expected_roi < 0:
            raise PlanError("An expected ROI cannot be negative.")
    if lines and sum((line.share for line in lines), ZERO) != ONE:
        raise PlanError("The lines' shares must add up to 100 %.")


@transaction.atomic
def set_budget(
    *,
    actor: Any,
    plan: Plan,
    month: int,
    mode: str,
    share: Decimal | None = None,
    amount: Decimal | None = None,
    lines: list[LineIn] | None = None,
) -> AdBudget:
    """Set a month's budget and its lines (the lines given replace the month's lines). An approved plan is not
    changed: the budget goes to its revision (services.editable). Returns the budget saved."""
    plan = services.editable(actor, plan)
    lines = list(lines or [])
    if month not in MONTHS:
        raise PlanError("No such month.")
    if mode == BudgetMode.SHARE:
        if share is None or share < 0 or share > 1:
            raise PlanError("A share of the GMV target must be between 0 % and 100 %.")
        target = plan.months.filter(month=month).values_list("gmv_target", flat=True).first() or ZERO
        total = share_amount(target, share)
    elif mode == BudgetMode.AMOUNT:
        if amount is None or amount < 0:
            raise PlanError("A budget cannot be negative.")
        if amount.quantize(CENT) != amount:
            raise PlanError("An amount must be whole fen.")
        total, share = amount, None
    else:
        raise PlanError("A budget is a share of the GMV target or an amount.")
    _check_lines(lines)
    found = AdBudget.objects.select_for_update().filter(plan=plan, month=month).first()
    before = _snapshot(found)
    budget = found or AdBudget(plan=plan, month=month)
    budget.mode, budget.share, budget.amount = mode, share, total
    budget.save()
    budget.lines.all().delete()
    parts = allocate(total, [line.share for line in lines]) if lines else []
    AdBudgetLine.objects.bulk_create(
        AdBudgetLine(
            budget=budget,
            channel=line.channel,
            goal=line.goal,
            share=line.share,
            amount=part,
            expected_roi=line.expected_roi,
        )
        for line, part in zip(lines, parts, strict=True)
    )
    record_audit(actor=actor, action="planning.budget", obj=budget, before=before, after=_snapshot(budget))
    return budget


# --------------------------------------------------------------------------------------------------------
# The budget against the ad reports
# --------------------------------------------------------------------------------------------------------


@dataclass
class Actual:
    """An ad tool's (or the month's) spend and attributed GMV to date, from the imported ad reports."""

    spend: Decimal = ZERO
    gmv: Decimal = ZERO

    @property
    def roi(self) -> Decimal | None:
        """attributed GMV ÷ spend, 2 decimals half up."""
        return metrics.ratio(self.gmv, self.spend, CENT)


@dataclass
class LineRow:
    line: AdBudgetLine
    daily_low: Decimal
    daily_high: Decimal
    actual: Actual | None  # the line's ad tool this month (the reports do not say the goal)
    warnings: list[str] = field(default_factory=list)

    @property
    def share_percent(self) -> str:
        return percent(self.line.share)

    @property
    def channel_label(self) -> str:
        return str(AdChannel(self.line.channel).label) if self.line.channel in AdChannel.values else self.line.channel

    @property
    def expected_gmv(self) -> Decimal | None:
        return expected_gmv(self.line.amount, self.line.expected_roi)


@dataclass
class MonthRow:
    month: int
    target: Decimal
    budget: AdBudget | None
    lines: list[LineRow]
    days: int
    days_gone: int  # the days of the month up to yesterday (0 before it starts, all of them once it is over)
    daily_low: Decimal = ZERO
    daily_high: Decimal = ZERO
    to_date: Decimal = ZERO  # the daily budgets of the days gone
    actual: Actual = field(default_factory=Actual)
    warnings: list[str] = field(default_factory=list)
    unplanned: list[tuple[str, Actual]] = field(default_factory=list)  # spend in tools the month has no line for

    @property
    def amount(self) -> Decimal:
        return self.budget.amount if self.budget else ZERO

    @property
    def expected_gmv(self) -> Decimal | None:
        found = [row.expected_gmv for row in self.lines if row.expected_gmv is not None]
        return sum(found, ZERO) if found else None

    @property
    def expected_roi(self) -> Decimal | None:
        return metrics.ratio(self.expected_gmv, self.amount, CENT)

    @property
    def share_percent(self) -> str:
        return percent(self.budget.share if self.budget else None)

    @property
    def projected(self) -> Decimal | None:
        """The month's spend at the run rate so far: spend ÷ days gone × days, to the fen half up."""
        if not self.days_gone:
            return None
        return metrics.money(self.actual.spend / self.days_gone * self.days)

    @property
    def used(self) -> Decimal | None:
        return metrics.ratio(self.actual.spend, self.amount)


@dataclass
class Total:
    label: str
    kind: str  # "quarter" or "year"
    target: Decimal = ZERO
    amount: Decimal = ZERO
    expected_gmv: Decimal = ZERO
    actual: Actual = field(default_factory=Actual)

    @property
    def expected_roi(self) -> Decimal | None:
        return metrics.ratio(self.expected_gmv, self.amount, CENT)

    @property
    def share_percent(self) -> str:
        """The budget as a share of the GMV target (4 decimals half up, shown in percent)."""
        return percent(metrics.ratio(self.amount, self.target)) if self.amount else ""

    def add(self, row: MonthRow) -> None:
        self.target += row.target
        self.amount += row.amount
        self.expected_gmv += row.expected_gmv or ZERO
        self.actual.spend += row.actual.spend
        self.actual.gmv += row.actual.gmv


@dataclass
class Report:
    plan: Plan | None
    months: list[MonthRow]
    quarters: list[Total]
    year: Total

    def rows(self) -> list[MonthRow | Total]:
        """The months with each quarter's total after its third month, then the year's."""
        out: list[MonthRow | Total] = []
        for q, total in enumerate(self.quarters, start=1):
            out.extend(self.months[3 * q - 3 : 3 * q])
            out.append(total)
        out.append(self.year)
        return out


def _days_gone(year: int, month: int, today: date) -> int:
    span = services.month_span(year, month)
    yesterday = today - timedelta(days=1)
    if yesterday < span.first:
        return 0
    return (min(yesterday, span.last) - span.first).days + 1


def warnings_of(row: MonthRow) -> list[str]:
    """The month's warnings: spend to date above the budget to date by more than the tolerance (OVERSPEND);
    the spend at the run rate above the month's budget (RUN_RATE); a share budget whose amount no longer is the
    target × share (STALE: the target changed since)."""
    out: list[str] = []
    if row.days_gone and row.actual.spend > row.to_date * (ONE + OVERSPEND_TOLERANCE):
        out.append(OVERSPEND)
    projected = row.projected
    if projected is not None and projected > row.amount and row.days_gone < row.days:
        out.append(RUN_RATE)
    budget = row.budget
    stale = budget and budget.mode == BudgetMode.SHARE and budget.share is not None
    if stale and share_amount(row.target, budget.share) != budget.amount:  # type: ignore[union-attr,arg-type]
        out.append(STALE)
    return out


def report(*, shop: Shop, year: int, today: date) -> Report:
    """The year's budgets of the plan's latest version against the ad reports, to yesterday (today is not over).
    Reads: the plan, its months, the budgets, their lines, the ad rows of the year."""
    plan = services.current(shop, year)
    targets: dict[int, Decimal] = {}
    budgets: dict[int, AdBudget] = {}
    if plan is not None:
        targets = dict(plan.months.values_list("month", "gmv_target"))
        budgets = {b.month: b for b in plan.ad_budgets.prefetch_related("lines")}
    spent: dict[tuple[int, str], Actual] = defaultdict(Actual)
    last = min(date(year, 12, 31), today - timedelta(days=1))
    if last >= date(year, 1, 1):
        for ad in report_selectors.ad_days(shop=shop, start=date(year, 1, 1), end=last):
            tool = spent[(ad.day.month, ad.channel)]
            tool.spend += ad.cost or ZERO
            tool.gmv += ad.gmv or ZERO
    months: list[MonthRow] = []
    for m in MONTHS:
        budget = budgets.get(m)
        days = days_of(year, m)
        gone = _days_gone(year, m, today)
        row = MonthRow(m, targets.get(m, ZERO), budget, [], len(days), gone)
        if budget is not None:
            split = allocate(budget.amount, [ONE] * len(days))
            row.daily_low, row.daily_high = min(split), max(split)
            row.to_date = sum(split[:gone], ZERO)
        tools = {channel: actual for (month, channel), actual in spent.items() if month == m}
        for spent_in_tool in tools.values():
            row.actual.spend += spent_in_tool.spend
            row.actual.gmv += spent_in_tool.gmv
        lined: set[str] = set()
        for line in budget.lines.all() if budget else []:
            split = allocate(line.amount, [ONE] * len(days))
            actual = tools.get(line.channel) if gone else None
            line_row = LineRow(line, min(split), max(split), actual)
            if actual and line.expected_roi is not None and actual.spend and (actual.roi or ZERO) < line.expected_roi:
                line_row.warnings.append(ROI_LOW)
            row.lines.append(line_row)
            lined.add(line.channel)
        row.unplanned = [
            (str(AdChannel(channel).label) if channel in AdChannel.values else channel, actual)
            for channel, actual in sorted(tools.items())
            if channel not in lined and actual.spend
        ]
        row.warnings = warnings_of(row)
        months.append(row)
    quarters = [Total(f"Q{q}", "quarter") for q in range(1, 5)]
    year_total = Total(str(year), "year")
    for row in months:
        quarters[(row.month - 1) // 3].add(row)
        year_total.add(row)
    return Report(plan, months, quarters, year_total)
