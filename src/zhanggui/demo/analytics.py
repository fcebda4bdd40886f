"""The demo shop's analytics data, as if the team had imported its back-office reports every morning: 生意参谋 /
京东商智 shop days whose paying buyers and paid amount are the demo orders' own (so conversion and AOV agree with
the orders), traffic sources, ad plans (直通车 or 京东快车, and 淘宝客), the 客服 agents' days, the shop's DSR /
JD scores, two violations (one appeal still open, due soon) and health-check findings.

Rows are written straight to the tables the imports fill (with the kinds' keys in `report`), not through the
import: the figures are generated, not read from a file. Fixed seed: the same demo every time.
"""

from __future__ import annotations

import calendar
import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from zhanggui.analytics.models import (
    AdChannel,
    AdDay,
    AppealStatus,
    FindingSeverity,
    HealthFinding,
    ItemDayTraffic,
    MonthlyTarget,
    PeerBenchmark,
    PeerMetric,
    ServiceDay,
    ShopCosts,
    ShopDayTraffic,
    ShopScoreDay,
    SourceDayTraffic,
    Violation,
    ViolationKind,
)
from zhanggui.catalog.models import Channel, Shop
from zhanggui.core import roles
from zhanggui.orders.models import Order, OrderLine

FEN = Decimal("0.01")
RATE = Decimal("0.000001")
# (level 1, level 2, share of visitors, conversion relative to the shop's)
TAOBAO_SOURCES = (
    ("免费流量", "手淘搜索", Decimal("0.42"), Decimal("1.1")),
    ("免费流量", "手淘推荐", Decimal("0.18"), Decimal("0.6")),
    ("付费流量", "直通车", Decimal("0.12"), Decimal("1.2")),
    ("付费流量", "淘宝客", Decimal("0.05"), Decimal("1.5")),
    ("自主访问", "购物车", Decimal("0.08"), Decimal("2.4")),
    ("自主访问", "我的淘宝", Decimal("0.07"), Decimal("1.6")),
    ("站外流量", "其他", Decimal("0.08"), Decimal("0.4")),
)
JD_SOURCES = (
    ("免费流量", "京东搜索", Decimal("0.48"), Decimal("1.1")),
    ("免费流量", "推荐", Decimal("0.17"), Decimal("0.6")),
    ("付费流量", "京东快车", Decimal("0.15"), Decimal("1.1")),
    ("自主访问", "购物车", Decimal("0.10"), Decimal("2.0")),
    ("站外流量", "其他", Decimal("0.10"), Decimal("0.5")),
)
DAILY_AD_FLOOR = Decimal("200.00")
# (plan ID, plan, share of the shop's ad budget, ROI around)
TAOBAO_PLANS = (
    ("2001", "爆款四件套-关键词", Decimal("0.55"), Decimal("3.2")),
    ("2002", "新品被芯-拉新", Decimal("0.30"), Decimal("1.6")),
    ("2003", "枕头-清仓", Decimal("0.15"), Decimal("0.8")),  # a plan that loses money: diagnosis has a case
)
JD_PLANS = (
    ("3001", "床品套件-快车", Decimal("0.7"), Decimal("2.6")),
    ("3002", "夏凉被-快车", Decimal("0.3"), Decimal("1.3")),
)


@dataclass
class _Day:
    orders: int = 0
    gmv: Decimal = Decimal("0.00")
    buyers: int = 0


def _paid_days(shop: Shop, first: date, last: date) -> dict[date, _Day]:
    """The shop's platform orders paid on each local day: their count, distinct buyers and paid total."""
    zone = timezone.get_current_timezone()
    start = datetime.combine(first, time.min, tzinfo=zone)
    end = datetime.combine(last + timedelta(days=1), time.min, tzinfo=zone)
    rows: QuerySet[Order] = Order.objects.filter(
        shop=shop, paid_at__gte=start, paid_at__lt=end, is_replacement=False, split_from__isnull=True
    )
    days: dict[date, _Day] = defaultdict(_Day)
    buyers: dict[date, set[str]] = defaultdict(set)
    for paid_at, total, nick in rows.values_list("paid_at", "paid_total", "buyer_nick"):
        day = timezone.localtime(paid_at, zone).date()
        days[day].orders += 1
        days[day].gmv += total
        buyers[day].add(nick or f"#{days[day].orders}")
    for day, nicks in buyers.items():
        days[day].buyers = len(nicks)
    return days


def _rate(part: Decimal | int, whole: Decimal | int) -> Decimal | None:
    return (Decimal(part) / Decimal(whole)).quantize(RATE, rounding=ROUND_HALF_UP) if whole else None


def _money(value: Decimal) -> Decimal:
    return value.quantize(FEN, rounding=ROUND_HALF_UP)


def create_demo_analytics(*, people: dict[str, Any], shops: QuerySet[Shop], seed: int, today: date, days: int) -> None:
    """Every shop's last `days` days of reports up to yesterday, the agents' days, scores, violations, findings."""
    rng = random.Random(seed * 7919 + 11)
    last = today - timedelta(days=1)
    first = today - timedelta(days=days)
    for shop in shops.order_by("code"):
        jd = shop.channel == Channel.JD
        paid = _paid_days(shop, first, last)
        shop_rows, source_rows, ad_rows, service_rows, score_rows = [], [], [], [], []
        agents = _agents(shop, people)
        dsr = (
            [Decimal("4.80"), Decimal("4.78"), Decimal("4.76")]
            if not jd
            else [Decimal("9.62"), Decimal("9.55"), Decimal("9.48")]
        )
        for offset in range(days):
            day = first + timedelta(days=offset)
            figures = paid.get(day, _Day())
            conversion = Decimal(rng.randint(230, 420)) / 10_000  # 2.3 % to 4.2 %
            if offset >= days - 7:
                conversion *= Decimal("0.8")  # the last week converts worse: the dashboard has a story
            visitors = max(int(Decimal(max(figures.buyers, 1)) / conversion), 50)
            pv = int(visitors * Decimal(rng.randint(280, 420)) / 100)
            shop_rows.append(
                ShopDayTraffic(
                    shop=shop,
                    day=day,
                    report="jd_shop" if jd else "sycm_shop",
                    visitors=visitors,
                    pv=pv,
                    bounce_rate=Decimal(rng.randint(420, 610)) / 1000,
                    pv_per_visitor=(Decimal(pv) / visitors).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP),
                    cart_buyers=int(visitors * Decimal(rng.randint(60, 110)) / 1000),
                    fav_buyers=int(visitors * Decimal(rng.randint(30, 70)) / 1000),
                    paid_amount=figures.gmv,
                    paying_buyers=figures.buyers,
                    paid_orders=figures.orders,
                    payment_conversion=_rate(figures.buyers, visitors),
                    aov=_money(figures.gmv / figures.buyers) if figures.buyers else None,
                    uv_value=_money(figures.gmv / visitors),
                )
            )
            source_rows += _sources(shop, day, visitors, figures, JD_SOURCES if jd else TAOBAO_SOURCES)
            ad_rows += _ads(shop, day, figures, rng, jd)
            service_rows += _service(shop, day, figures, agents, rng)
            if offset % 3 == 0:
                dsr = [
                    max(min(score + Decimal(rng.randint(-2, 2)) / 100, Decimal(10 if jd else 5)), Decimal(0))
                    for score in dsr
                ]
            score_rows.append(
                ShopScoreDay(
                    shop=shop,
                    day=day,
                    report="jd_score" if jd else "dsr",
                    description=dsr[0],
                    service=dsr[1],
                    shipping=dsr[2],
                )
            )
        ShopDayTraffic.objects.bulk_create(shop_rows)
        ItemDayTraffic.objects.bulk_create(_items(shop, first, last, rng))
        SourceDayTraffic.objects.bulk_create(source_rows)
        AdDay.objects.bulk_create(ad_rows)
        ServiceDay.objects.bulk_create(service_rows)
        ShopScoreDay.objects.bulk_create(score_rows)
        _violations_and_findings(shop, people, today)
        # The shop's costs and its month's targets as the 店长 set them (analytics' costs page)
        ShopCosts.objects.create(
            shop=shop,
            commission_rate=Decimal("0.0800") if jd else Decimal("0.0500"),
            shipping_per_parcel=Decimal("5.00") if jd else Decimal("4.50"),
        )
        daily = sum((d.gmv for d in paid.values()), Decimal("0.00")) / days  # the history's mean day
        for month in sorted({(first + timedelta(days=n)).replace(day=1) for n in range(days + 2)}):
            in_month = calendar.monthrange(month.year, month.month)[1]
            MonthlyTarget.objects.create(shop=shop, month=month, gmv_target=_money(daily * in_month * Decimal("1.1")))
        for month in sorted({first.replace(day=1), last.replace(day=1)}):
            # 生意参谋's 同行同层平均, typed in each month: the shop's last week falls below it (diagnosis)
            PeerBenchmark.objects.create(
                shop=shop, month=month, metric=PeerMetric.CONVERSION, value=Decimal("0.0380"), source="同行同层平均"
            )


def _items(shop: Shop, first: date, last: date, rng: random.Random) -> list[ItemDayTraffic]:
    """生意参谋's 商品排行 for each day: every product that sold that day, its paying buyers, units and paid amount
    the orders' own, its visitors from a conversion of 2–6 %."""
    zone = timezone.get_current_timezone()
    start = datetime.combine(first, time.min, tzinfo=zone)
    end = datetime.combine(last + timedelta(days=1), time.min, tzinfo=zone)
    lines = OrderLine.objects.filter(
        order__shop=shop,
        order__paid_at__gte=start,
        order__paid_at__lt=end,
        order__is_replacement=False,
        order__split_from__isnull=True,
        sku__isnull=False,
    ).values_list(
        "order__paid_at",
        "order__buyer_nick",
        "sku__product_id",
        "sku__product__code",
        "sku__product__title",
        "quantity",
        "paid",
    )
    sold: dict[tuple[date, int], list[Any]] = {}
    for paid_at, nick, product_id, code, title, quantity, paid in lines.order_by("order__paid_at", "pk"):
        key = (timezone.localtime(paid_at, zone).date(), product_id)
        entry = sold.setdefault(key, [code, title, set(), 0, Decimal("0.00")])
        entry[2].add(nick)
        entry[3] += quantity
        entry[4] += paid
    rows = []
    for (day, product_id), (code, title, buyers, units, paid) in sorted(sold.items()):
        visitors = max(int(Decimal(len(buyers)) * 100 / rng.randint(2, 6)), len(buyers))
        rows.append(
            ItemDayTraffic(
                shop=shop,
                day=day,
                report="jd_items" if shop.channel == Channel.JD else "sycm_items",
                item_id=f"{600000000000 + product_id}",
                title=title[:200],
                item_code=code,
                product_id=product_id,
                visitors=visitors,
                pv=int(visitors * Decimal(rng.randint(150, 300)) / 100),
                bounce_rate=Decimal(rng.randint(350, 650)) / 1000,
                cart_buyers=int(visitors * Decimal(rng.randint(60, 120)) / 1000),
                fav_buyers=int(visitors * Decimal(rng.randint(20, 60)) / 1000),
                paying_buyers=len(buyers),
                paid_units=units,
                paid_amount=paid,
                payment_conversion=_rate(len(buyers), visitors),
            )
        )
    return rows


def _agents(shop: Shop, people: dict[str, Any]) -> list[str]:
    prefix = "棉语家纺" if shop.channel != Channel.JD else "jd_mianyu"
    names = [people[roles.SERVICE], people["service2"]]
    return [f"{prefix}:{person.first_name or person.username}" for person in names]


def _sources(shop: Shop, day: date, visitors: int, figures: _Day, plan: tuple[Any, ...]) -> list[SourceDayTraffic]:
    """Split the day's visitors and buyers over the sources (the last source takes what rounding leaves)."""
    weights = [share * lift for _l1, _l2, share, lift in plan]
    total_weight = sum(weights)
    rows, left_visitors, left_buyers, left_gmv = [], visitors, figures.buyers, figures.gmv
    for index, (level1, level2, share, _lift) in enumerate(plan):
        last = index == len(plan) - 1
        v = left_visitors if last else int(visitors * share)
        b = left_buyers if last else min(left_buyers, int(figures.buyers * weights[index] / total_weight))
        g = left_gmv if last else _money(figures.gmv * weights[index] / total_weight)
        left_visitors, left_buyers, left_gmv = left_visitors - v, left_buyers - b, left_gmv - g
        rows.append(
            SourceDayTraffic(
                shop=shop,
                day=day,
                report="sources",
                level1=level1,
                level2=level2,
                visitors=v,
                paying_buyers=b,
                paid_amount=g,
                payment_conversion=_rate(b, v),
            )
        )
    return rows


def _ads(shop: Shop, day: date, figures: _Day, rng: random.Random, jd: bool) -> list[AdDay]:
    # 6–10 % of the day's sales, never below the ¥200 a day a shop keeps its ads running on: each plan spends
    # enough in a week for diagnosis to judge it (MIN_AD_COST), whatever the small demo sold that week.
    share = Decimal(rng.randint(6, 10)) / 100
    budget = max(_money(figures.gmv * share), DAILY_AD_FLOOR)
    rows = []
    for plan_id, name, share, roi in JD_PLANS if jd else TAOBAO_PLANS:
        cost = _money(budget * share)
        clicks = max(int(cost / (Decimal(rng.randint(80, 160)) / 100)), 1)
        gmv = _money(cost * roi * Decimal(rng.randint(80, 120)) / 100)
        rows.append(
            AdDay(
                shop=shop,
                day=day,
                report="jd_express" if jd else "ztc",
                channel=AdChannel.JD_EXPRESS if jd else AdChannel.ZTC,
                plan_id=plan_id,
                plan=name,
                impressions=clicks * rng.randint(25, 45),
                clicks=clicks,
                cost=cost,
                orders=int(gmv / 180),
                gmv=gmv,
            )
        )
    if not jd:
        gmv = _money(figures.gmv * Decimal("0.05"))
        rows.append(
            AdDay(
                shop=shop,
                day=day,
                report="affiliate",
                channel=AdChannel.AFFILIATE,
                clicks=rng.randint(40, 120),
                cost=_money(gmv * Decimal("0.2")),
                orders=int(gmv / 180),
                gmv=gmv,
            )
        )
    return rows


def _service(shop: Shop, day: date, figures: _Day, agents: list[str], rng: random.Random) -> list[ServiceDay]:
    rows = []
    for index, agent in enumerate(agents):
        share = Decimal("0.6") if index == 0 else Decimal("0.4")
        inquired = int(figures.buyers * share * Decimal("1.4")) + rng.randint(0, 4)
        rate = Decimal(rng.randint(35, 55) if index == 0 else rng.randint(22, 40)) / 100
        paid = int(inquired * rate)
        consulted = inquired + rng.randint(3, 15)
        rows.append(
            ServiceDay(
                shop=shop,
                day=day,
                report="jd_service" if shop.channel == Channel.JD else "qianniu_service",
                agent=agent,
                consulted=consulted,
                received=consulted,
                inquired=inquired,
                inquiry_paid=paid,
                sales=_money(figures.gmv * share * rate),
                units=paid + rng.randint(0, paid // 3 + 1),
                first_response=Decimal(rng.randint(600, 2400)) / 100,
                avg_response=Decimal(rng.randint(1800, 4800)) / 100,
                reply_rate=Decimal(rng.randint(950, 1000)) / 1000,
            )
        )
    return rows


def _violations_and_findings(shop: Shop, people: dict[str, Any], today: date) -> None:
    zone = timezone.get_current_timezone()
    manager = people[roles.MANAGER]
    if shop.channel == Channel.JD:
        Violation.objects.create(
            shop=shop,
            noted_on=today - timedelta(days=40),
            kind=ViolationKind.GENERAL,
            rule="发货超时",
            points=2,
            appeal_deadline=datetime.combine(today - timedelta(days=37), time(18), tzinfo=zone),
            appeal_status=AppealStatus.ACCEPTED,
            note="物流爆仓，已认罚",
            created_by=manager,
        )
        HealthFinding.objects.create(
            shop=shop,
            found_on=today - timedelta(days=3),
            area="服务",
            finding="售后纠纷率高于行业均值",
            severity=FindingSeverity.WARNING,
            follow_up=people[roles.SERVICE],
        )
        return
    Violation.objects.create(
        shop=shop,
        noted_on=today - timedelta(days=1),
        kind=ViolationKind.GENERAL,
        rule="延迟发货",
        points=3,
        order_no="",
        appeal_deadline=datetime.combine(today + timedelta(days=1), time(18), tzinfo=zone),
        note="大促期间快递揽收延误，准备揽收记录申诉",
        created_by=manager,
    )
    Violation.objects.create(
        shop=shop,
        noted_on=today - timedelta(days=60),
        kind=ViolationKind.GENERAL,
        rule="描述不符",
        points=2,
        appeal_deadline=datetime.combine(today - timedelta(days=57), time(18), tzinfo=zone),
        appeal_status=AppealStatus.UPHELD,
        note="提供质检报告，申诉成功",
        created_by=manager,
    )
    HealthFinding.objects.create(
        shop=shop,
        found_on=today - timedelta(days=2),
        area="商品",
        finding="5 个商品主图含牛皮癣文字",
        severity=FindingSeverity.WARNING,
        follow_up=people[roles.DESIGNER],
    )
    HealthFinding.objects.create(
        shop=shop,
        found_on=today - timedelta(days=20),
        area="交易",
        finding="24 小时揽收率低于 90%",
        severity=FindingSeverity.SERIOUS,
        follow_up=people[roles.WAREHOUSE],
        fixed_on=today - timedelta(days=12),
        result="改为每天两波发货，揽收率回到 97%",
    )
