"""The demo's yearly plans (docs/planning.md): each shop's plan for the year of its history, with actuals
against it, and next year's plan broken down by the seasonality template.

The demo's orders cover only its last days (90 in the full demo), so this year's plan is the one the 店长 typed
when the shop moved its business onto the desk: nothing for the months before its first day, the months over a
little above what they sold, the months to come above the last 30 days' pace (双11 and 双12 raised). Version 1 is
approved; version 2, a revision raising December, is being edited, so the grid shows the plan as approved beside
it. Each version's quarters are split by category and product role, each planned month has its ad budget (8 % of
its target by tool); the year's calendar has the platform events (双11 and 双12 with targets) and a promotion of
the shop's; last month's review is written (and closed for the Taobao/Tmall shops).
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from zhanggui.analytics.models import AdChannel
from zhanggui.catalog.models import Channel, Shop
from zhanggui.core import roles
from zhanggui.orders.models import Order
from zhanggui.planning import budget, review, services, shares
from zhanggui.planning import calendar as calendar_
from zhanggui.planning.models import AdGoal, BudgetMode, Plan, PlanActivity

FEN = Decimal("0.01")
#: The 店长's plan: the months already sold planned 5 % above what they sold (a plan kept close to the shop's
#: pace), the months to come 10 % above the last 30 days' pace, 双11 and 双12 raised.
GROWTH_PAST, GROWTH_AHEAD = Decimal("1.05"), Decimal("1.10")
LIFT = {11: Decimal("1.3"), 12: Decimal("1.1")}


def _paid(shop: Shop, first: date, last: date) -> QuerySet[Order]:
    return Order.objects.filter(
        shop=shop, paid_at__date__gte=first, paid_at__date__lte=last, is_replacement=False, split_from__isnull=True
    )


def _month_sales(shop: Shop, first: date, last: date) -> dict[int, Decimal]:
    sold: dict[int, Decimal] = {}
    for paid_at, total in _paid(shop, first, last).values_list("paid_at", "paid_total"):
        month = timezone.localtime(paid_at).month
        sold[month] = sold.get(month, Decimal(0)) + total
    return sold


def this_years_months(
    *, sold: dict[int, Decimal], pace: Decimal, first: date, today: date, year: int
) -> dict[int, Decimal]:
    """Each month's target: 0 before the history's first month; a month over: what it sold × 1.05 (the first
    month: for its days from `first` on); this month and the rest: the last 30 days' mean day × 1.10 × its days
    (× the event lift). To the fen."""
    months = {}
    for m in range(1, 13):
        days = calendar.monthrange(year, m)[1]
        if date(year, m, days) < first:
            amount = Decimal(0)
        elif (year, m) < (today.year, today.month):
            amount = sold.get(m, Decimal(0)) * GROWTH_PAST
        else:
            amount = pace * GROWTH_AHEAD * days * LIFT.get(m, Decimal(1))
        months[m] = amount.quantize(FEN, rounding=ROUND_HALF_UP)
    return months


def create_demo_plans(*, people: dict[str, Any], shops: QuerySet[Shop], today: date, days: int) -> None:
    manager = people[roles.MANAGER]
    last = today - timedelta(days=1)
    first = today - timedelta(days=days)
    year = last.year
    for shop in shops.order_by("code"):
        pace = sum(_month_sales(shop, last - timedelta(days=29), last).values(), Decimal(0)) / 30
        months = this_years_months(sold=_month_sales(shop, first, last), pace=pace, first=first, today=today, year=year)
        plan = services.create_plan(actor=manager, shop=shop, year=year, gmv_target=sum(months.values()))
        for m, amount in months.items():
            services.set_month(actor=manager, plan=plan, month=m, gmv_target=amount, mode=services.KEEP_OTHERS)
        plan = shares.build(actor=manager, plan=plan)
        _budgets(manager, plan, months, jd=shop.channel == Channel.JD)
        services.approve(actor=manager, plan=plan)
        # The revision: December raised by 10 % (a bigger 双12), the other months kept.
        december = months[12] * Decimal("1.1")
        services.set_month(
            actor=manager,
            plan=plan,
            month=12,
            gmv_target=december.quantize(FEN, rounding=ROUND_HALF_UP),
            mode=services.KEEP_OTHERS,
        )
        _calendar(manager, shop, year, months)
        _review(people, shop, last)
        # Next year: a fifth more than this year's months at full pace, broken down by the template.
        full_year = sum((Decimal(calendar.monthrange(year, m)[1]) for m in range(1, 13)), Decimal(0))
        next_target = (pace * full_year * Decimal("1.2") / 10000).quantize(Decimal(1)) * 10000
        if next_target > 0:
            upcoming = services.create_plan(actor=manager, shop=shop, year=year + 1, gmv_target=next_target)
            shares.build(actor=manager, plan=upcoming)


def _budgets(manager: Any, plan: Plan, months: dict[int, Decimal], *, jd: bool) -> None:
    """8 % of each planned month's target for ads: most on the search ads for sales, a part on 淘宝客 (Taobao) or
    more search (JD), with the ROI the 店长 expects of each."""
    lines = (
        [budget.LineIn(AdChannel.JD_EXPRESS, AdGoal.SALES, Decimal("1"), Decimal("3.00"))]
        if jd
        else [
            budget.LineIn(AdChannel.ZTC, AdGoal.SALES, Decimal("0.70"), Decimal("2.50")),
            budget.LineIn(AdChannel.AFFILIATE, AdGoal.SALES, Decimal("0.30"), Decimal("5.00")),
        ]
    )
    for m, target in months.items():
        if target > 0:
            budget.set_budget(
                actor=manager, plan=plan, month=m, mode=BudgetMode.SHARE, share=Decimal("0.0800"), lines=lines
            )


def _calendar(manager: Any, shop: Shop, year: int, months: dict[int, Decimal]) -> None:
    """The year's platform events, 双11 and 双12 with targets (40 % and 35 % of their months), and the shop's
    first stored promotion of the year as its own activity."""
    calendar_.seed_platform_events(actor=manager, shop=shop, year=year)
    shares_of = {"双11": (11, Decimal("0.40")), "双12": (12, Decimal("0.35"))}
    for activity in PlanActivity.objects.filter(shop=shop, year=year, name__in=list(shares_of)):
        month, share = shares_of[activity.name]
        target = (months[month] * share).quantize(FEN, rounding=ROUND_HALF_UP)
        if target > 0:
            calendar_.update_activity(actor=manager, activity=activity, gmv_target=target)
    promotion = next(iter(calendar_.promotions_of(shop, year)), None)
    if promotion is not None:
        calendar_.add_activity(actor=manager, shop=shop, year=year, promotion=promotion, note="店铺自有活动")


def _review(people: dict[str, Any], shop: Shop, last: date) -> None:
    """Last month's review written by the 运营 (and closed by the 店长 for the first shop)."""
    month = last.replace(day=1) - timedelta(days=1)
    texts = {
        "went_well": "双11 预售和尾款两段都达成；直通车关键词调整后点击率回升。",
        "problems": "大促后一周转化率下滑；两款引流款断货两天；售后退款率高于上月。",
        "next_targets": "支付金额按年度计划；转化率回到 3% 以上；退款率降到 5% 以下。",
        "next_activities": "双12 店铺满减 + 会员专享价；年货节预热从 12 月下旬开始。",
        "next_budget": "广告费控制在支付金额的 8%；直通车 70%，淘宝客 30%。",
    }
    review.save_texts(actor=people[roles.OPERATOR], shop=shop, year=month.year, month=month.month, texts=texts)
    if shop.channel != Channel.JD:
        review.close(actor=people[roles.MANAGER], shop=shop, year=month.year, month=month.month)
