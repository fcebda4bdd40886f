"""Planning endpoints: a shop's yearly plan, its months, its quarters by category and product role, and the
progress against it (docs/planning.md).

A plan is named by its shop's code and year (query parameters for reads, the body for writes); the endpoints
work on the latest version, as the page does (a change to an approved version starts a revision). Reading is
open to every role; planning.services checks who changes plans (the 店长).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Literal

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Path, Query, Router, Schema
from pydantic import AfterValidator, BeforeValidator, Field

from zhanggui.catalog.api import ERRORS, get_or_404
from zhanggui.catalog.models import Shop
from zhanggui.catalog.schemas import InputSchema, MoneyIn
from zhanggui.planning import progress, selectors, services, shares
from zhanggui.planning.models import Dimension, Plan

router = Router(tags=["planning"])

DimensionName = Literal["category", "role"]
Mode = Literal["rebalance", "keep"]


MIN_YEAR, MAX_YEAR = 2000, 2100
#: The most visitors, units or SKUs a figure may hold.
MAX_COUNT = 10**9


def _string(value: Any) -> Any:
    if not isinstance(value, str):
        raise ValueError('send a rate as a string such as "0.025", not a number')
    return value


def _rate(value: str) -> Decimal:
    try:
        found = Decimal(value.strip())
    except InvalidOperation:
        raise ValueError("not a number") from None
    if not found.is_finite() or not 0 <= found <= 1 or found.quantize(Decimal("0.0001")) != found:
        raise ValueError("a fraction from 0 to 1 with at most 4 decimals")
    return found


class PlanMonthOut(Schema):
    month: int
    gmv_target: Decimal
    approved: Decimal | None
    actual: Decimal | None
    uv: int | None
    conversion: Decimal | None
    aov: Decimal | None
    locked: bool
    event: str
    uv_change: Decimal | None  # what the target needs of UV against the last 90 days, a fraction


class PlanTotalOut(Schema):
    label: str
    gmv_target: Decimal
    actual: Decimal | None


class PlanOut(Schema):
    shop: str
    year: int
    version: int
    approved: bool
    approved_version: int | None
    basis: str
    months: list[PlanMonthOut]
    quarters: list[PlanTotalOut]
    year_total: PlanTotalOut


Year = Annotated[int, Field(ge=MIN_YEAR, le=MAX_YEAR)]
Rate = Annotated[str, BeforeValidator(_string), AfterValidator(_rate), Field(examples=["0.025"])]


class PlanRef(InputSchema):
    shop: str = Field(description="Shop code", max_length=64)
    year: Year


class PlanIn(PlanRef):
    gmv_target: MoneyIn


class MonthIn(PlanRef):
    gmv_target: MoneyIn
    mode: Mode = "rebalance"
    uv: int | None = Field(None, ge=0, le=MAX_COUNT)
    conversion: Rate | None = Field(None, description="A fraction: 0.025 is 2.5 %")
    aov: MoneyIn | None = None
    locked: bool = False


class ShareCellOut(Schema):
    quarter: int
    amount: Decimal
    quantity: int
    sku_count: int | None
    locked: bool


class ShareRowOut(Schema):
    key: str
    label: str
    amount: Decimal
    quantity: int
    quarters: list[ShareCellOut]


class QuarterTotalOut(Schema):
    quarter: int
    target: Decimal
    amount: Decimal
    quantity: int
    difference: Decimal


class SharesOut(Schema):
    shop: str
    year: int
    version: int
    dimension: str
    rows: list[ShareRowOut]
    totals: list[QuarterTotalOut]


class ShareCellIn(InputSchema):
    quarter: int = Field(ge=1, le=4)
    amount: MoneyIn
    quantity: int = Field(ge=0, le=MAX_COUNT)
    sku_count: int | None = Field(None, ge=0, le=MAX_COUNT)


class ShareRowIn(PlanRef):
    dimension: DimensionName
    key: str = Field(max_length=64)
    mode: Mode = "rebalance"
    quarters: list[ShareCellIn] = Field(min_length=1, max_length=4)


class PeriodOut(Schema):
    kind: str
    label: str
    first: date
    last: date
    target: Decimal
    target_to_date: Decimal
    actual: Decimal
    pace: Decimal | None
    forecast: Decimal | None
    needed_per_day: Decimal | None


class ProgressOut(Schema):
    shop: str
    today: date
    periods: list[PeriodOut]


def _shop(code: str) -> Shop:
    return get_or_404(Shop.objects.all(), _("Shop"), code=code)


def _plan(code: str, year: int) -> Plan:
    shop = _shop(code)
    plan = services.current(shop, year)
    if plan is None:
        return get_or_404(Plan.objects.none(), _("Plan"), shop=shop, year=year)
    return plan


def _plan_out(shop: Shop, year: int) -> dict[str, Any]:
    found = selectors.grid(shop=shop, year=year, today=timezone.localdate())
    if found.plan is None:
        get_or_404(Plan.objects.none(), _("Plan"), shop=shop, year=year)
    assert found.plan is not None
    months = [r for r in found.rows if r.kind == "month"]
    totals = [r for r in found.rows if r.kind != "month"]
    return {
        "shop": shop.code,
        "year": year,
        "version": found.plan.version,
        "approved": found.plan.is_approved,
        "approved_version": found.approved.version if found.approved else None,
        "basis": found.plan.basis,
        "months": [
            {
                "month": r.month,
                "gmv_target": r.target,
                "approved": r.approved,
                "actual": r.actual,
                "uv": r.uv,
                "conversion": r.conversion,
                "aov": r.aov,
                "locked": r.locked,
                "event": r.event,
                "uv_change": r.uv_need.change if r.uv_need else None,
            }
            for r in months
        ],
        "quarters": [{"label": r.label, "gmv_target": r.target, "actual": r.actual} for r in totals[:-1]],
        "year_total": {"label": totals[-1].label, "gmv_target": totals[-1].target, "actual": totals[-1].actual},
    }


@router.get("/plan", response={200: PlanOut, **ERRORS})
def get_plan(request, shop: str = Query(...), year: int = Query(..., ge=MIN_YEAR, le=MAX_YEAR)):
    """The latest version of the shop's plan for the year: months with their actuals so far, quarters, year."""
    return _plan_out(_shop(shop), year)


@router.post("/plan", response={200: PlanOut, **ERRORS})
def create_plan(request, body: PlanIn):
    """Make the year's plan (or a new version of it): the year's target broken into months."""
    shop = _shop(body.shop)
    services.create_plan(actor=request.auth, shop=shop, year=body.year, gmv_target=body.gmv_target)
    return _plan_out(shop, body.year)


@router.put("/plan/months/{month}", response={200: PlanOut, **ERRORS})
def set_month(request, month: Annotated[int, Path(ge=1, le=12)], body: MonthIn):
    """Change a month's target (the others rebalanced, or kept and the year changes) and its drivers."""
    plan = _plan(body.shop, body.year)
    services.set_month(
        actor=request.auth,
        plan=plan,
        month=month,
        gmv_target=body.gmv_target,
        mode=body.mode,
        uv=body.uv,
        conversion=body.conversion,
        aov=body.aov,
        locked=body.locked,
    )
    return _plan_out(plan.shop, body.year)


@router.post("/plan/approve", response={200: PlanOut, **ERRORS})
def approve(request, body: PlanRef):
    """Approve the latest version; later changes go to a revision."""
    plan = _plan(body.shop, body.year)
    services.approve(actor=request.auth, plan=plan)
    return _plan_out(plan.shop, body.year)


def _shares_out(plan: Plan, dimension: str) -> dict[str, Any]:
    found = shares.grid(plan, dimension)
    return {
        "shop": plan.shop.code,
        "year": plan.year,
        "version": plan.version,
        "dimension": dimension,
        "rows": [
            {
                "key": r.key,
                "label": r.label,
                "amount": r.amount,
                "quantity": r.quantity,
                "quarters": [
                    {
                        "quarter": q,
                        "amount": c.amount,
                        "quantity": c.quantity,
                        "sku_count": c.sku_count,
                        "locked": c.locked,
                    }
                    for q, c in sorted(r.cells.items())
                ],
            }
            for r in found.rows
        ],
        "totals": [
            {
                "quarter": t.quarter,
                "target": t.target,
                "amount": t.amount,
                "quantity": t.quantity,
                "difference": t.difference,
            }
            for t in found.totals
        ],
    }


@router.get("/shares", response={200: SharesOut, **ERRORS})
def get_shares(
    request,
    shop: str = Query(...),
    year: int = Query(..., ge=MIN_YEAR, le=MAX_YEAR),
    dimension: DimensionName = "category",
):
    """Each quarter of the latest version by category or by product role: amount, units, SKU count."""
    return _shares_out(_plan(shop, year), dimension)


@router.post("/shares/split", response={200: SharesOut, **ERRORS})
def split(request, body: PlanRef):
    """Split every quarter again by category and by product role (last year's sales, else the SKUs on sale)."""
    plan = shares.build(actor=request.auth, plan=_plan(body.shop, body.year))
    return _shares_out(plan, Dimension.CATEGORY)


@router.put("/shares", response={200: SharesOut, **ERRORS})
def set_share(request, body: ShareRowIn):
    """Change a slice's quarters (amounts rebalance the quarter's other unlocked slices, or are kept)."""
    cells = {c.quarter: shares.Cell(c.amount, c.quantity, c.sku_count) for c in body.quarters}
    plan = shares.set_row(
        actor=request.auth,
        plan=_plan(body.shop, body.year),
        dimension=body.dimension,
        key=body.key,
        cells=cells,
        mode=body.mode,
    )
    return _shares_out(plan, body.dimension)


@router.get("/progress", response={200: ProgressOut, **ERRORS})
def get_progress(request, shop: str = Query(...)):
    """Yesterday, its month, quarter and year against the shop's latest plan: target to date, actual, pace, the
    forecast for each period's end and the amount still needed a day (docs/planning.md, "Progress")."""
    found = _shop(shop)
    today = timezone.localdate()
    periods = progress.for_shop(found, today)
    if periods is None:
        get_or_404(Plan.objects.none(), _("Plan"), shop=found, year=today.year)
    return {
        "shop": found.code,
        "today": today,
        "periods": [
            {
                "kind": p.kind,
                "label": p.label,
                "first": p.first,
                "last": p.last,
                "target": p.target,
                "target_to_date": p.to_date,
                "actual": p.actual,
                "pace": p.pace,
                "forecast": p.forecast,
                "needed_per_day": p.needed_per_day,
            }
            for p in periods or []
        ],
    }
