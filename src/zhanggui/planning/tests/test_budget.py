"""The ad budget (docs/planning.md, "Ad budget"): a share of the month's target or an amount, split into lines and
days to the fen, against the spend of the ad reports with the overspend warnings; worked by hand."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from zhanggui.analytics.models import AdDay
from zhanggui.core.errors import PermissionDeniedError
from zhanggui.core.models import AuditEntry
from zhanggui.planning import budget, services
from zhanggui.planning.breakdown import PlanError
from zhanggui.planning.budget import LineIn
from zhanggui.planning.models import AdBudget, AdBudgetLine, Plan

D = Decimal
pytestmark = pytest.mark.django_db
YEAR = 2026


@pytest.fixture
def plan(shop, manager):
    """A plan whose June target is ¥100,000.00 (typed by hand; the other months left as the template made them)."""
    made = services.create_plan(actor=manager, shop=shop, year=YEAR, gmv_target=D("1200000.00"))
    return services.set_month(actor=manager, plan=made, month=6, gmv_target=D("100000.00"), mode=services.KEEP_OTHERS)


def ad(shop, day: date, cost: str, gmv: str = "0", channel: str = "ztc", plan: str = "P1") -> AdDay:
    return AdDay.objects.create(
        shop=shop, day=day, report=channel, channel=channel, plan=plan, cost=D(cost), gmv=D(gmv)
    )


# ----- the arithmetic --------------------------------------------------------------------------------------


def test_a_share_of_the_target_is_rounded_to_the_fen_half_up():
    assert budget.share_amount(D("100000.00"), D("0.08")) == D("8000.00")
    assert budget.share_amount(D("10000.10"), D("0.05")) == D("500.01")  # 500.005 → half up
    assert budget.share_amount(D("33333.33"), D("0.0825")) == D("2750.00")  # 2,749.99997…


def test_the_daily_budgets_of_8000_over_june_add_up_exactly():
    days = budget.daily(D("8000.00"), YEAR, 6)
    # 800,000 fen ÷ 30 = 26,666.67 fen: 26,666 each (799,980), the 20 fen left to the first 20 days.
    assert days == [D("266.67")] * 20 + [D("266.66")] * 10
    assert sum(days) == D("8000.00")


# ----- setting a month's budget ----------------------------------------------------------------------------


def test_eight_percent_of_100000_split_50_30_20(plan, manager):
    saved = budget.set_budget(
        actor=manager,
        plan=plan,
        month=6,
        mode="share",
        share=D("0.08"),
        lines=[
            LineIn("ztc", "sales", D("0.5"), D("3.00")),
            LineIn("display", "exposure", D("0.3"), D("1.50")),
            LineIn("affiliate", "sales", D("0.2")),
        ],
    )
    assert saved.amount == D("8000.00")
    lines = {line.channel: line for line in saved.lines.all()}
    assert (lines["ztc"].amount, lines["display"].amount, lines["affiliate"].amount) == (
        D("4000.00"),
        D("2400.00"),
        D("1600.00"),
    )
    assert budget.expected_gmv(lines["ztc"].amount, lines["ztc"].expected_roi) == D("12000.00")  # 4,000 × 3
    entry = AuditEntry.objects.filter(action="planning.budget").get()
    assert entry.after["amount"] == "8000.00" and len(entry.after["lines"]) == 3


def test_lines_take_the_fen_left_by_the_largest_remainder(plan, manager):
    saved = budget.set_budget(
        actor=manager,
        plan=plan,
        month=6,
        mode="amount",
        amount=D("100.01"),
        lines=[
            LineIn("ztc", "sales", D("0.3333")),
            LineIn("ztc", "exposure", D("0.3333")),
            LineIn("display", "sales", D("0.3334")),
        ],
    )
    # 10,001 fen × 0.3333 = 3,333.3333, × 0.3334 = 3,334.3334: floors 3,333 + 3,333 + 3,334 = 10,000; the fen left
    # goes to the largest remainder (0.3334, the display line).
    got = {(line.channel, line.goal): line.amount for line in saved.lines.all()}
    assert got == {("ztc", "sales"): D("33.33"), ("ztc", "exposure"): D("33.33"), ("display", "sales"): D("33.35")}


def test_saving_again_replaces_the_lines(plan, manager):
    budget.set_budget(
        actor=manager, plan=plan, month=6, mode="amount", amount=D("10.00"), lines=[LineIn("ztc", "sales", D("1"))]
    )
    budget.set_budget(
        actor=manager, plan=plan, month=6, mode="amount", amount=D("20.00"), lines=[LineIn("display", "sales", D("1"))]
    )
    assert AdBudget.objects.get().amount == D("20.00")
    assert list(AdBudgetLine.objects.values_list("channel", "amount")) == [("display", D("20.00"))]


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ([LineIn("ztc", "sales", D("0.5")), LineIn("display", "sales", D("0.4"))], "add up to 100 %"),
        ([LineIn("ztc", "sales", D("0.5")), LineIn("ztc", "sales", D("0.5"))], "one line per goal"),
        ([LineIn("tv", "sales", D("1"))], "Unknown ad tool"),
        ([LineIn("ztc", "sales", D("1"), D("-1"))], "cannot be negative"),
    ],
)
def test_lines_that_do_not_make_a_budget_are_refused(plan, manager, lines, message):
    with pytest.raises(PlanError, match=message):
        budget.set_budget(actor=manager, plan=plan, month=6, mode="amount", amount=D("100.00"), lines=lines)
    assert not AdBudget.objects.exists()


def test_only_the_manager_sets_budgets(plan, users):
    with pytest.raises(PermissionDeniedError):
        budget.set_budget(actor=users["service"], plan=plan, month=6, mode="amount", amount=D("1.00"))
    assert not AdBudget.objects.exists() and not AuditEntry.objects.filter(action="planning.budget").exists()


def test_a_revision_copies_the_budgets(plan, manager):
    budget.set_budget(
        actor=manager,
        plan=plan,
        month=6,
        mode="share",
        share=D("0.08"),
        lines=[LineIn("ztc", "sales", D("1"), D("2.50"))],
    )
    services.approve(actor=manager, plan=plan)
    revision = services.set_month(actor=manager, plan=plan, month=1, gmv_target=D("1.00"), mode=services.KEEP_OTHERS)
    assert revision.version == 2
    copied = revision.ad_budgets.get(month=6)
    assert (copied.mode, copied.share, copied.amount) == ("share", D("0.0800"), D("8000.00"))
    assert list(copied.lines.values_list("channel", "goal", "amount", "expected_roi")) == [
        ("ztc", "sales", D("8000.00"), D("2.50"))
    ]
    # A budget set on the approved version goes to the revision; the approved one keeps its ¥8,000.00.
    budget.set_budget(actor=manager, plan=revision, month=6, mode="amount", amount=D("5000.00"))
    assert plan.ad_budgets.get(month=6).amount == D("8000.00")
    assert Plan.objects.count() == 2


def test_a_budget_on_an_approved_plan_starts_the_revision(plan, manager):
    services.approve(actor=manager, plan=plan)
    saved = budget.set_budget(actor=manager, plan=plan, month=6, mode="amount", amount=D("5000.00"))
    assert saved.plan.version == 2 and not plan.ad_budgets.exists()


# ----- against the ad reports -----------------------------------------------------------------------------

JUNE_11 = date(YEAR, 6, 11)  # ten days of June gone (to yesterday)


@pytest.fixture
def june(plan, manager):
    """June: ¥3,000.00, all 直通车 at an expected ROI of 3.00: ¥100.00 a day, ¥1,000.00 by 10 June."""
    return budget.set_budget(
        actor=manager,
        plan=plan,
        month=6,
        mode="amount",
        amount=D("3000.00"),
        lines=[LineIn("ztc", "sales", D("1"), D("3.00"))],
    )


def _june(shop):
    return budget.report(shop=shop, year=YEAR, today=JUNE_11).months[5]


def test_spend_at_the_tolerance_is_not_overspending_but_is_on_course_to_exceed(june, shop):
    ad(shop, date(YEAR, 6, 1), "600.00", "1800.00")
    ad(shop, date(YEAR, 6, 10), "500.00", "1500.00", plan="P2")  # 1,100.00: the budget to date + 10 %
    ad(shop, JUNE_11, "999.00")  # today: not counted (the day is not over)
    row = _june(shop)
    assert row.days_gone == 10 and row.to_date == D("1000.00")
    assert row.actual.spend == D("1100.00") and row.actual.roi == D("3.00")
    assert row.projected == D("3300.00")  # 1,100 ÷ 10 × 30
    assert row.warnings == [budget.RUN_RATE]
    assert row.lines[0].warnings == []  # ROI 3.00: as expected


def test_a_fen_above_the_tolerance_is_overspending(june, shop):
    ad(shop, date(YEAR, 6, 1), "1100.01", "2200.00")
    row = _june(shop)
    assert row.warnings == [budget.OVERSPEND, budget.RUN_RATE]
    assert row.lines[0].actual.roi == D("2.00")
    assert row.lines[0].warnings == [budget.ROI_LOW]  # 2.00 below the expected 3.00


def test_spend_on_course_warns_of_nothing(june, shop):
    ad(shop, date(YEAR, 6, 5), "900.00", "2700.00")
    row = _june(shop)
    assert row.warnings == [] and row.projected == D("2700.00")


def test_a_month_over_is_checked_against_its_whole_budget(june, shop):
    ad(shop, date(YEAR, 6, 30), "3300.00")  # 3,000 + 10 %: within the tolerance
    report = budget.report(shop=shop, year=YEAR, today=date(YEAR, 7, 20))
    assert report.months[5].days_gone == 30 and report.months[5].warnings == []
    ad(shop, date(YEAR, 6, 29), "0.01", plan="P2")
    assert budget.report(shop=shop, year=YEAR, today=date(YEAR, 7, 20)).months[5].warnings == [budget.OVERSPEND]


def test_spend_in_a_tool_without_a_line_is_shown_and_counted(june, shop):
    ad(shop, date(YEAR, 6, 2), "50.00", "10.00", channel="affiliate")
    row = _june(shop)
    assert row.actual.spend == D("50.00")
    assert [(label, a.spend) for label, a in row.unplanned] == [("淘宝客", D("50.00"))]


def test_quarters_and_the_year_add_the_months(june, shop, manager, plan):
    budget.set_budget(actor=manager, plan=plan, month=4, mode="amount", amount=D("1000.00"))
    budget.set_budget(actor=manager, plan=plan, month=7, mode="amount", amount=D("500.00"))
    report = budget.report(shop=shop, year=YEAR, today=date(YEAR, 1, 1))
    assert [q.amount for q in report.quarters] == [D("0"), D("4000.00"), D("500.00"), D("0")]
    assert report.year.amount == D("4500.00")
    assert report.quarters[1].expected_gmv == D("9000.00")  # June's ¥3,000 × 3.00
    assert [r.label for r in report.rows() if isinstance(r, budget.Total)] == ["Q1", "Q2", "Q3", "Q4", "2026"]


def test_a_share_budget_whose_target_changed_is_flagged(plan, manager, shop):
    budget.set_budget(actor=manager, plan=plan, month=6, mode="share", share=D("0.08"))
    services.set_month(actor=manager, plan=plan, month=6, gmv_target=D("50000.00"), mode=services.KEEP_OTHERS)
    row = budget.report(shop=shop, year=YEAR, today=date(YEAR, 1, 1)).months[5]
    assert row.amount == D("8000.00") and budget.STALE in row.warnings


def test_the_report_reads_a_fixed_number_of_queries(june, shop, django_assert_max_num_queries):
    for n in range(20):
        ad(shop, date(YEAR, 6, 1) + timedelta(days=n % 9), "1.00", plan=f"P{n}")
    with django_assert_max_num_queries(5):
        budget.report(shop=shop, year=YEAR, today=JUNE_11)
