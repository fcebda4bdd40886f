"""Changing a shop's yearly plan (docs/planning.md). Only the 店长 changes plans (roles.MANAGE_SHOPS, as the
shop's costs and targets); every change is in the audit trail, and the plan's months are written through to the
analytics' monthly targets, which the desk's morning card and the store dashboard read.

Versions: the highest version of a shop's year is the one being edited. Approving it freezes it; the next change
copies it into a new version (the revision) and changes the copy, so the plan as approved stays as it was.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from zhanggui.analytics import costs, metrics
from zhanggui.catalog.models import Shop
from zhanggui.core import roles
from zhanggui.core.services import record_audit
from zhanggui.planning import breakdown, drivers, shares
from zhanggui.planning.breakdown import MONTHS, PlanError
from zhanggui.planning.models import Basis, Plan, PlanMonth

#: Who changes plans: the 店长 (the shop's money settings, like costs and targets).
EDIT_PLANS = costs.SET_COSTS
REBALANCE, KEEP_OTHERS = "rebalance", "keep"


def month_span(year: int, month: int) -> metrics.Span:
    first = date(year, month, 1)
    nxt = date(year + (month == 12), month % 12 + 1, 1)
    return metrics.Span(first, nxt - timedelta(days=1))


def last_year_shape(shop: Shop, year: int) -> dict[int, Decimal]:
    """Last year's GMV of each month (analytics' figures, read in one pass)."""
    spans = [month_span(year - 1, m) for m in MONTHS]
    raw = metrics.load(shop=shop, spans=spans)
    return {m: metrics.figures(raw, span).gmv for m, span in zip(MONTHS, spans, strict=True)}


def current(shop: Shop, year: int) -> Plan | None:
    """The version being edited (the highest), or None when the year has no plan."""
    return Plan.objects.filter(shop=shop, year=year).order_by("-version").first()


def _snapshot(plan: Plan) -> dict[str, str]:
    return {f"{m.month:02d}": str(m.gmv_target) for m in plan.months.order_by("month")}


def _sync_targets(actor: Any, plan: Plan) -> None:
    """The plan's months become the shop's monthly targets (analytics.costs.set_target, audited there)."""
    for row in plan.months.order_by("month"):
        costs.set_target(actor=actor, shop=plan.shop, month=date(plan.year, row.month, 1), gmv_target=row.gmv_target)


@transaction.atomic
def create_plan(*, actor: Any, shop: Shop, year: int, gmv_target: Decimal) -> Plan:
    """A new plan for the year, broken into months by last year's shape where the shop had sales in every month
    of it, else by the seasonality template. A year that has a plan already gets a new version."""
    roles.require(actor, EDIT_PLANS)
    if gmv_target <= 0:
        raise PlanError("The year's target must be above zero.")
    months, used_history = breakdown.by_months(gmv_target, last_year_shape(shop, year))
    latest = current(shop, year)
    plan = Plan.objects.create(
        shop=shop,
        year=year,
        version=(latest.version + 1) if latest else 1,
        basis=Basis.LAST_YEAR if used_history else Basis.TEMPLATE,
    )
    PlanMonth.objects.bulk_create(PlanMonth(plan=plan, month=m, gmv_target=amount) for m, amount in months.items())
    record_audit(
        actor=actor, action="planning.create", obj=plan, after={"year_target": str(gmv_target), **_snapshot(plan)}
    )
    _sync_targets(actor, plan)
    return plan


def editable(actor: Any, plan: Plan) -> Plan:
    """The plan itself while it is a draft; for an approved plan, a new version copying it (the revision)."""
    roles.require(actor, EDIT_PLANS)
    latest = current(plan.shop, plan.year)
    if latest is not None and latest.pk != plan.pk:
        raise PlanError("Only the latest version of a plan can be changed.")
    if not plan.is_approved:
        return plan
    revision = Plan.objects.create(shop=plan.shop, year=plan.year, version=plan.version + 1, basis=plan.basis)
    PlanMonth.objects.bulk_create(
        PlanMonth(
            plan=revision,
            month=m.month,
            gmv_target=m.gmv_target,
            uv=m.uv,
            conversion=m.conversion,
            aov=m.aov,
            locked=m.locked,
        )
        for m in plan.months.all()
    )
    _copy_budgets(plan, revision)
    shares.copy(plan, revision)
    record_audit(actor=actor, action="planning.revise", obj=revision, after={"from_version": plan.version})
    return revision


def _copy_budgets(plan: Plan, revision: Plan) -> None:
    """The revision carries the plan's monthly ad budgets and their lines over (docs/planning.md, "Ad budget")."""
    from zhanggui.planning.models import AdBudget, AdBudgetLine

    for old in plan.ad_budgets.prefetch_related("lines"):
        new = AdBudget.objects.create(plan=revision, month=old.month, mode=old.mode, share=old.share, amount=old.amount)
        AdBudgetLine.objects.bulk_create(
            AdBudgetLine(
                budget=new,
                channel=line.channel,
                goal=line.goal,
                share=line.share,
                amount=line.amount,
                expected_roi=line.expected_roi,
            )
            for line in old.lines.all()
        )


@transaction.atomic
def set_month(
    *,
    actor: Any,
    plan: Plan,
    month: int,
    gmv_target: Decimal,
    mode: str = REBALANCE,
    uv: int | None = None,
    conversion: Decimal | None = None,
    aov: Decimal | None = None,
    locked: bool = False,
) -> Plan:
    """Change a month: its target (the others rebalanced so the year stays, or left alone so the year changes),
    its drivers (the missing one of three solved from the target) and its lock; a month whose target is changed
    is locked, so a later rebalance of another month leaves it alone. Returns the version changed."""
    plan = editable(actor, plan)
    rows = {row.month: row for row in plan.months.select_for_update()}
    if month not in rows:
        raise PlanError("No such month.")
    if gmv_target < 0:
        raise PlanError("A target cannot be negative.")
    before = _snapshot(plan)
    targets = {m: row.gmv_target for m, row in rows.items()}
    if mode == REBALANCE and gmv_target != targets[month]:
        targets = breakdown.rebalance(
            targets, month=month, amount=gmv_target, locked={m for m, r in rows.items() if r.locked}
        )
    else:
        targets[month] = gmv_target
    tree = drivers.solve(gmv_target, uv=uv, conversion=conversion, aov=aov)
    edited = rows[month]
    typed = gmv_target != edited.gmv_target
    for m, row in rows.items():
        row.gmv_target = targets[m]
    # A target typed by hand is kept by later rebalances (locked) until the user unlocks it.
    edited.uv, edited.conversion, edited.aov = tree.uv, tree.conversion, tree.aov
    edited.locked = locked or typed
    PlanMonth.objects.bulk_update(list(rows.values()), ["gmv_target", "uv", "conversion", "aov", "locked"])
    shares.follow(plan)  # the quarters' categories and roles follow their months
    record_audit(
        actor=actor,
        action="planning.set_month",
        obj=plan,
        before=before,
        after={**_snapshot(plan), "month": month, "mode": mode},
    )
    _sync_targets(actor, plan)
    return plan


@transaction.atomic
def approve(*, actor: Any, plan: Plan) -> Plan:
    """Freeze the version as the plan approved; later changes go to a new version."""
    roles.require(actor, EDIT_PLANS)
    if plan.is_approved:
        return plan
    latest = current(plan.shop, plan.year)
    if latest is not None and latest.pk != plan.pk:
        raise PlanError("Only the latest version of a plan can be changed.")
    plan.approved_at = timezone.now()
    plan.approved_by = actor if getattr(actor, "pk", None) else None
    plan.save(update_fields=["approved_at", "approved_by"])
    record_audit(actor=actor, action="planning.approve", obj=plan, after={"version": plan.version, **_snapshot(plan)})
    return plan
