"""Plans made, edited both ways, approved and revised; the targets written through to analytics; permissions."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from zhanggui.analytics.models import MonthlyTarget
from zhanggui.analytics.tests.metrics_fixtures import at
from zhanggui.catalog.tests.factories import ProductFactory, SkuFactory
from zhanggui.core.errors import PermissionDeniedError
from zhanggui.core.models import AuditEntry
from zhanggui.orders.tests.factories import OrderFactory, OrderLineFactory
from zhanggui.planning import services
from zhanggui.planning.breakdown import MONTHS
from zhanggui.planning.models import Basis, Plan

D = Decimal
pytestmark = pytest.mark.django_db


def targets(plan: Plan) -> dict[int, Decimal]:
    return {m.month: m.gmv_target for m in plan.months.order_by("month")}


def sold(shop, day: date, total: str) -> None:
    sku = SkuFactory(product=ProductFactory(shop=shop))
    placed = OrderFactory(shop=shop, paid_at=at(day, 12), buyer_nick=f"b{day}", paid_total=D(total))
    OrderLineFactory(order=placed, sku=sku, quantity=1, unit_price=D(total), paid=D(total))


def test_a_plan_by_the_template_writes_the_monthly_targets(shop, manager):
    plan = services.create_plan(actor=manager, shop=shop, year=2027, gmv_target=D("1000000.00"))
    assert plan.basis == Basis.TEMPLATE and plan.version == 1
    assert sum(targets(plan).values()) == D("1000000.00")
    assert targets(plan)[11] == D("140000.00")
    written = dict(MonthlyTarget.objects.filter(shop=shop).values_list("month", "gmv_target"))
    assert written[date(2027, 11, 1)] == D("140000.00")
    assert len(written) == 12
    assert AuditEntry.objects.filter(action="planning.create").count() == 1


def test_a_plan_by_last_years_shape(shop, manager):
    for m in MONTHS:  # last year: 100.00 a month, but 300.00 in November
        sold(shop, date(2026, m, 15), "300.00" if m == 11 else "100.00")
    plan = services.create_plan(actor=manager, shop=shop, year=2027, gmv_target=D("1400.00"))
    assert plan.basis == Basis.LAST_YEAR
    # 1,400 over a shape of 1,400 (11 × 100 + 300): 100.00 a month, 300.00 in November
    assert targets(plan) == {m: D("300.00") if m == 11 else D("100.00") for m in MONTHS}


def test_a_month_changed_with_the_others_rebalanced(shop, manager):
    plan = services.create_plan(actor=manager, shop=shop, year=2027, gmv_target=D("1000000.00"))
    services.set_month(
        actor=manager, plan=plan, month=2, gmv_target=D("5000.00"), mode=services.KEEP_OTHERS, locked=True
    )
    before = targets(plan)
    year = sum(before.values())
    assert year == D("950000.00")  # February 55,000.00 → 5,000.00, the year let go
    # November +40,000.00 taken off the other unlocked months (February is locked) in proportion
    services.set_month(actor=manager, plan=plan, month=11, gmv_target=D("180000.00"), mode=services.REBALANCE)
    after = targets(plan)
    assert sum(after.values()) == year
    assert after[11] == D("180000.00") and after[2] == D("5000.00")
    # the other ten months gave 40,000.00 in proportion to their 805,000.00: January 90,000 × 40,000 ÷ 805,000
    assert after[1] == D("85527.95")  # 90,000 − 4,472.0497 (to the fen by largest remainder)
    assert MonthlyTarget.objects.get(shop=shop, month=date(2027, 11, 1)).gmv_target == D("180000.00")
    assert plan.months.get(month=11).locked  # typed by hand: kept by the next rebalance
    services.set_month(actor=manager, plan=plan, month=1, gmv_target=D("95527.95"), mode=services.REBALANCE)
    assert plan.months.get(month=11).gmv_target == D("180000.00")
    assert sum(targets(plan).values()) == year


def test_a_month_changed_keeping_the_others(shop, manager):
    plan = services.create_plan(actor=manager, shop=shop, year=2027, gmv_target=D("1000000.00"))
    services.set_month(actor=manager, plan=plan, month=6, gmv_target=D("120000.01"), mode=services.KEEP_OTHERS)
    after = targets(plan)
    assert after[6] == D("120000.01")
    assert sum(after.values()) == D("1020000.01")
    assert after[5] == D("70000.00")


def test_the_drivers_are_solved_when_a_month_is_saved(shop, manager):
    plan = services.create_plan(actor=manager, shop=shop, year=2027, gmv_target=D("1000000.00"))
    services.set_month(
        actor=manager,
        plan=plan,
        month=6,
        gmv_target=D("100000.00"),
        mode=services.KEEP_OTHERS,
        conversion=D("0.025"),
        aov=D("150"),
    )
    assert plan.months.get(month=6).uv == 26667


def test_the_approved_version_is_kept_while_a_revision_is_edited(shop, manager):
    plan = services.create_plan(actor=manager, shop=shop, year=2027, gmv_target=D("1200.00"))
    services.approve(actor=manager, plan=plan)
    approved = targets(plan)
    revision = services.set_month(actor=manager, plan=plan, month=1, gmv_target=D("200.00"), mode=services.KEEP_OTHERS)
    assert revision.pk != plan.pk and revision.version == 2 and not revision.is_approved
    assert targets(plan) == approved  # the snapshot is unchanged
    assert sum(targets(revision).values()) == sum(approved.values()) - approved[1] + D("200.00")
    # further edits go to the revision; the old version refuses them
    kept = services.set_month(actor=manager, plan=revision, month=2, gmv_target=D("1.00"), mode=services.KEEP_OTHERS)
    assert kept.pk == revision.pk
    with pytest.raises(services.PlanError):
        services.set_month(actor=manager, plan=plan, month=2, gmv_target=D("1.00"))
    assert MonthlyTarget.objects.get(shop=shop, month=date(2027, 1, 1)).gmv_target == D("200.00")
    assert (
        AuditEntry.objects.filter(action__in=["planning.approve", "planning.revise", "planning.set_month"]).count() == 4
    )


def test_a_plan_made_again_is_a_new_version_and_the_old_draft_is_closed(shop, manager):
    first = services.create_plan(actor=manager, shop=shop, year=2027, gmv_target=D("1200.00"))
    second = services.create_plan(actor=manager, shop=shop, year=2027, gmv_target=D("2400.00"))
    assert second.version == 2 and sum(targets(second).values()) == D("2400.00")
    with pytest.raises(services.PlanError):
        services.set_month(actor=manager, plan=first, month=1, gmv_target=D("1.00"))
    with pytest.raises(services.PlanError):
        services.approve(actor=manager, plan=first)
    assert MonthlyTarget.objects.get(shop=shop, month=date(2027, 11, 1)).gmv_target == D("336.00")  # 14 % of 2,400


def test_only_the_manager_changes_plans(shop, users):
    with pytest.raises(PermissionDeniedError):
        services.create_plan(actor=users["operator"], shop=shop, year=2027, gmv_target=D("100.00"))
    plan = services.create_plan(actor=users["manager"], shop=shop, year=2027, gmv_target=D("100.00"))
    with pytest.raises(PermissionDeniedError):
        services.set_month(actor=users["operator"], plan=plan, month=1, gmv_target=D("1.00"))
    with pytest.raises(PermissionDeniedError):
        services.approve(actor=users["service"], plan=plan)
