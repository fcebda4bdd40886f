"""Ad budget endpoints: a plan's monthly ad budgets by tool and goal, spend against plan (docs/planning.md).

Reading is open to every role; setting a month's budget needs the 店长's right (planning.services.EDIT_PLANS,
checked by planning.budget). Shops are named by their codes; money and shares are strings ("8000.00", "0.0800"
is 8 %)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Literal

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from pydantic import AfterValidator, BeforeValidator

from zhanggui.catalog.api import ERRORS, get_or_404
from zhanggui.catalog.models import Shop
from zhanggui.catalog.schemas import InputSchema, MoneyIn
from zhanggui.core import roles
from zhanggui.core.errors import NotFoundError
from zhanggui.planning import budget, services

router = Router(tags=["planning"])

Channel = Literal["ztc", "jd_express", "display", "affiliate"]
Goal = Literal["sales", "exposure"]


def _string(value: Any) -> Any:
    if not isinstance(value, str):
        raise ValueError('send a share or a ROI as a string such as "0.08", not a number')
    return value


def _decimal(places: str):
    def parse(value: str) -> Decimal:
        try:
            found = Decimal(value.strip())
        except InvalidOperation:
            raise ValueError("not a number") from None
        if not found.is_finite() or found.quantize(Decimal(places)) != found:
            raise ValueError(f"at most {len(places) - 2} decimals")
        return found

    return parse


ShareIn = Annotated[str, BeforeValidator(_string), AfterValidator(_decimal("0.0001")), Field(examples=["0.08"])]
RoiIn = Annotated[str, BeforeValidator(_string), AfterValidator(_decimal("0.01")), Field(examples=["3.50"])]


class LineIn(InputSchema):
    channel: Channel
    goal: Goal = "sales"
    share: ShareIn = Field(description="The line's share of the month's budget: the lines' shares add up to 1")
    expected_roi: RoiIn | None = None


class BudgetIn(InputSchema):
    shop: str = Field(description="Shop code")
    year: int = Field(ge=2000, le=2100)
    month: int = Field(ge=1, le=12)
    mode: Literal["share", "amount"]
    share: ShareIn | None = Field(None, description="mode share: the share of the month's GMV target (0.08 is 8 %)")
    amount: MoneyIn | None = Field(None, description="mode amount: the month's budget")
    lines: list[LineIn] = Field(default_factory=list, max_length=40)


class ActualOut(Schema):
    spend: str
    ad_gmv: str
    roi: str | None


class LineOut(Schema):
    channel: str
    goal: str
    share: str
    amount: str
    expected_roi: str | None
    expected_gmv: str | None
    daily_low: str
    daily_high: str
    actual: ActualOut | None
    warnings: list[str]


class BudgetMonthOut(Schema):
    month: int
    gmv_target: str
    mode: str | None
    share: str | None
    amount: str
    daily_low: str
    daily_high: str
    days: int
    days_gone: int
    budget_to_date: str
    projected: str | None
    expected_gmv: str | None
    expected_roi: str | None
    actual: ActualOut
    warnings: list[str]
    lines: list[LineOut]
    unplanned: dict[str, ActualOut]


class BudgetTotalOut(Schema):
    label: str
    gmv_target: str
    amount: str
    expected_gmv: str
    expected_roi: str | None
    actual: ActualOut


class BudgetYearOut(Schema):
    shop: str
    year: int
    plan_version: int
    tolerance: str
    months: list[BudgetMonthOut]
    quarters: list[BudgetTotalOut]
    total: BudgetTotalOut


def _s(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _actual(actual: budget.Actual) -> dict[str, Any]:
    return {"spend": str(actual.spend), "ad_gmv": str(actual.gmv), "roi": _s(actual.roi)}


def _month(row: budget.MonthRow) -> dict[str, Any]:
    found = row.budget
    return {
        "month": row.month,
        "gmv_target": str(row.target),
        "mode": found.mode if found else None,
        "share": _s(found.share) if found else None,
        "amount": str(row.amount),
        "daily_low": str(row.daily_low),
        "daily_high": str(row.daily_high),
        "days": row.days,
        "days_gone": row.days_gone,
        "budget_to_date": str(row.to_date),
        "projected": _s(row.projected),
        "expected_gmv": _s(row.expected_gmv),
        "expected_roi": _s(row.expected_roi),
        "actual": _actual(row.actual),
        "warnings": row.warnings,
        "lines": [
            {
                "channel": r.line.channel,
                "goal": r.line.goal,
                "share": str(r.line.share),
                "amount": str(r.line.amount),
                "expected_roi": _s(r.line.expected_roi),
                "expected_gmv": _s(r.expected_gmv),
                "daily_low": str(r.daily_low),
                "daily_high": str(r.daily_high),
                "actual": _actual(r.actual) if r.actual else None,
                "warnings": r.warnings,
            }
            for r in row.lines
        ],
        "unplanned": {label: _actual(actual) for label, actual in row.unplanned},
    }


def _total(total: budget.Total) -> dict[str, Any]:
    return {
        "label": total.label,
        "gmv_target": str(total.target),
        "amount": str(total.amount),
        "expected_gmv": str(total.expected_gmv),
        "expected_roi": _s(total.expected_roi),
        "actual": _actual(total.actual),
    }


def _report(shop: Shop, year: int) -> budget.Report:
    found = budget.report(shop=shop, year=year, today=timezone.localdate())
    if found.plan is None:
        raise NotFoundError(_("No plan for %(year)s: make the year's plan first.") % {"year": year})
    return found


def _shop(code: str) -> Shop:
    return get_or_404(Shop.objects.all(), _("Shop"), code=code)


@router.get("", response={200: BudgetYearOut, **ERRORS})
def get_budgets(
    request,
    shop: str = Query(..., description="Shop code"),
    year: int = Query(..., ge=2000, le=2100),
):
    """The year's monthly ad budgets of the plan's latest version, each with its lines (tool × goal, share,
    amount, expected ROI and GMV, daily budgets), the spend and ROI of the imported ad reports up to yesterday,
    quarter and year totals, and the warnings: `overspend` (spend to date above the budget to date by more than
    `tolerance`), `run_rate` (the month's spend at the run rate above its budget), `stale` (a share budget whose
    month's target has changed since), and on a line `roi_low` (its tool's ROI below the line's expected ROI)."""
    found_shop = _shop(shop)
    found = _report(found_shop, year)
    return {
        "shop": found_shop.code,
        "year": year,
        "plan_version": found.plan.version,  # type: ignore[union-attr]
        "tolerance": str(budget.OVERSPEND_TOLERANCE),
        "months": [_month(row) for row in found.months],
        "quarters": [_total(q) for q in found.quarters],
        "total": _total(found.year),
    }


@router.put("", response={200: BudgetMonthOut, **ERRORS})
def put_budget(request, payload: BudgetIn):
    """Set a month's budget and its lines (the lines sent replace the month's). A share budget is the month's GMV
    target × share to the fen, half up; the lines split it by their shares (adding up to 1) to the fen, exactly.
    On an approved plan the change goes to a new version (the revision)."""
    roles.require(request.auth, services.EDIT_PLANS)
    shop = _shop(payload.shop)
    plan = services.current(shop, payload.year)
    if plan is None:
        raise NotFoundError(_("No plan for %(year)s: make the year's plan first.") % {"year": payload.year})
    budget.set_budget(
        actor=request.auth,
        plan=plan,
        month=payload.month,
        mode=payload.mode,
        share=payload.share,  # type: ignore[arg-type]
        amount=payload.amount,  # type: ignore[arg-type]
        lines=[
            budget.LineIn(
                channel=line.channel,
                goal=line.goal,
                share=line.share,  # type: ignore[arg-type]
                expected_roi=line.expected_roi,  # type: ignore[arg-type]
            )
            for line in payload.lines
        ],
    )
    return _month(_report(shop, payload.year).months[payload.month - 1])
