"""A small shop whose week's figures are worked out by hand in test_metrics (docs/metrics.md).

The week is 2026-06-08 .. 2026-06-14 (Shanghai days); the previous period 06-01 .. 06-07; last year's
2025-06-08 .. 2025-06-14. Costs: commission 5 %, shipping ¥6.00 a parcel.

This week:
- O1 06-08 amy: A × 2 paid 180.00, order paid 190.00 (10.00 postage).
- O2 06-09 bob: A × 1 paid 90.00 + B × 1 paid 60.00, order paid 150.00. B refunded 60.00 on 06-11.
- O3 06-10 amy: B × 1 paid 60.00, order paid 60.00, merged into O1 (ships in O1's parcel).
- O4 06-14 23:30 cat: B × 2 paid 100.00, cancelled.
- O5 06-15 00:10 dan: 500.00, the day after the week (Shanghai), left out.
Previous period: P1 06-03 amy A × 1 (order 100.00), P2 06-05 eve B × 1 (60.00); a 5.00 refund on 06-07 23:59.
Last year: L1 2025-06-10 x, order 250.00.

Traffic: the platform's shop report 06-01 .. 06-13 (50 visitors a day until 06-07, then 100 a day with 250 page
views, 10 add-to-cart and 5 favourite buyers, bounce 40 % for 06-08..10 and 50 % for 06-11..13); our events
stand in on 06-14 (uv 50, pv 80, 4 carts, 2 favourites); an events row on 06-08 (uv 999) is ignored because
the report has that day.

Ads: 06-08 直通车 plan P1 unit "PA" (product A's 货号): cost 30.00, GMV 120.00, 60 clicks, 3000 impressions;
06-09 引力魔方 plan P2: cost 20.00, GMV 30.00, 40 clicks, 1000 impressions.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from zhanggui.aftersales.models import Refund
from zhanggui.aftersales.tests.factories import CaseFactory, CaseLineFactory
from zhanggui.analytics.models import AdDay, EventDay, MonthlyTarget, ShopCosts, ShopDayTraffic
from zhanggui.catalog.models import Channel, ListingStatus
from zhanggui.catalog.tests.factories import ProductFactory, ShopFactory, SkuFactory
from zhanggui.orders.models import OrderStatus
from zhanggui.orders.tests.factories import OrderFactory, OrderLineFactory

SHANGHAI = ZoneInfo("Asia/Shanghai")
FIRST, LAST = date(2026, 6, 8), date(2026, 6, 14)
D = Decimal


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)


def order(shop, day, hour, buyer, total, lines, **fields):
    placed = OrderFactory(shop=shop, paid_at=at(day, *hour), buyer_nick=buyer, paid_total=D(total), **fields)
    made = [
        OrderLineFactory(order=placed, sku=sku, quantity=qty, unit_price=D(paid) / qty, paid=D(paid))
        for sku, qty, paid in lines
    ]
    return placed, made


def refund(line, amount, moment):
    case_line = CaseLineFactory(case=CaseFactory(order=line.order, shop=line.order.shop), order_line=line)
    return Refund.objects.create(case=case_line.case, case_line=case_line, order_line=line, amount=D(amount), at=moment)


def build_shop():
    shop = ShopFactory(code="tb01", name="棉语淘宝店", channel=Channel.TAOBAO)
    ShopCosts.objects.create(shop=shop, commission_rate=D("0.05"), shipping_per_parcel=D("6.00"))
    pa = ProductFactory(shop=shop, code="PA", title="A款", listing_status=ListingStatus.LISTED)
    pb = ProductFactory(shop=shop, code="PB", title="B款", listing_status=ListingStatus.LISTED)
    a = SkuFactory(product=pa, code="A", cost=D("40.00"), listing_status=ListingStatus.LISTED)
    b = SkuFactory(product=pb, code="B", cost=D("30.00"), listing_status=ListingStatus.LISTED)
    c = SkuFactory(product=pb, code="C", cost=D("10.00"), listing_status=ListingStatus.LISTED)
    SkuFactory(product=pb, code="D", cost=D("10.00"), listing_status=ListingStatus.DRAFT)  # not on sale

    o1, _ = order(shop, date(2026, 6, 8), (10, 0), "amy", "190.00", [(a, 2, "180.00")])
    _o2, (_a2, b2) = order(shop, date(2026, 6, 9), (12, 0), "bob", "150.00", [(a, 1, "90.00"), (b, 1, "60.00")])
    order(shop, date(2026, 6, 10), (9, 0), "amy", "60.00", [(b, 1, "60.00")], merged_into=o1)
    order(shop, LAST, (23, 30), "cat", "100.00", [(b, 2, "100.00")], status=OrderStatus.CANCELLED)
    order(shop, date(2026, 6, 15), (0, 10), "dan", "500.00", [(a, 5, "500.00")])
    refund(b2, "60.00", at(date(2026, 6, 11), 15))

    _p1, (p1a,) = order(shop, date(2026, 6, 3), (11, 0), "amy", "100.00", [(a, 1, "90.00")])
    order(shop, date(2026, 6, 5), (11, 0), "eve", "60.00", [(b, 1, "60.00")])
    refund(p1a, "5.00", at(date(2026, 6, 7), 23, 59))
    order(shop, date(2025, 6, 10), (11, 0), "x", "250.00", [(a, 2, "250.00")])

    for n in range(1, 8):
        ShopDayTraffic.objects.create(shop=shop, day=date(2026, 6, n), report="sycm", visitors=50, pv=100)
    for n in range(8, 14):
        ShopDayTraffic.objects.create(
            shop=shop,
            day=date(2026, 6, n),
            report="sycm",
            visitors=100,
            pv=250,
            cart_buyers=10,
            fav_buyers=5,
            bounce_rate=D("0.400000") if n <= 10 else D("0.500000"),
        )
    EventDay.objects.create(shop=shop, day=LAST, uv=50, pv=80, carts=4, favs=2, buyers=1)
    EventDay.objects.create(shop=shop, day=FIRST, uv=999, pv=999)
    AdDay.objects.create(
        shop=shop,
        day=FIRST,
        report="ztc",
        channel="ztc",
        plan="P1",
        unit="PA",
        cost=D("30.00"),
        gmv=D("120.00"),
        clicks=60,
        impressions=3000,
        orders=2,
    )
    AdDay.objects.create(
        shop=shop,
        day=date(2026, 6, 9),
        report="display",
        channel="display",
        plan="P2",
        cost=D("20.00"),
        gmv=D("30.00"),
        clicks=40,
        impressions=1000,
        orders=1,
    )
    MonthlyTarget.objects.create(shop=shop, month=date(2026, 6, 1), gmv_target=D("10000.00"))
    return {"shop": shop, "a": a, "b": b, "c": c}
