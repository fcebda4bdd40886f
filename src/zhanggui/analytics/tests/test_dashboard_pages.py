"""The dashboard, the SKU profit page and the costs page: they render in English and Chinese, the range picker
picks, every table downloads as XLSX, the dashboard reads the database a fixed number of times whatever the
data, and only the 店长 sets costs and targets (with an audit entry)."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from zhanggui.analytics.dashboard_forms import range_of
from zhanggui.analytics.models import AdDay, MonthlyTarget, ShopCosts, ShopDayTraffic, SourceDayTraffic
from zhanggui.analytics.tests.metrics_fixtures import FIRST, LAST, SHANGHAI, build_shop
from zhanggui.catalog.models import ListingStatus
from zhanggui.catalog.tests.factories import ProductFactory, ShopFactory, SkuFactory
from zhanggui.core.models import AuditEntry
from zhanggui.core.tests.pages import login
from zhanggui.orders.models import Order, OrderLine, OrderStatus, PlatformStatus

D = Decimal
DASHBOARD = reverse("analytics:dashboard")
PNL = reverse("analytics:sku-pnl")
COSTS = reverse("analytics:costs")
WEEK = f"?shop=tb01&range=custom&first={FIRST}&last={LAST}"


@pytest.fixture
def data(db):
    return build_shop()


def test_range_picker():
    today = date(2026, 6, 17)  # a Wednesday
    assert range_of("day", date(2026, 6, 3), today) == (date(2026, 6, 3), date(2026, 6, 3))
    assert range_of("week", date(2026, 6, 10), today) == (date(2026, 6, 8), date(2026, 6, 14))
    assert range_of("week", today, today) == (date(2026, 6, 15), today)  # never past today
    assert range_of("month", date(2026, 2, 10), today) == (date(2026, 2, 1), date(2026, 2, 28))
    assert range_of("month", today, today) == (date(2026, 6, 1), today)


def test_the_dashboard_in_english(data, manager):
    page = login(Client(), manager).get(DASHBOARD + WEEK).content.decode()
    assert "2026-06-08 – 2026-06-14" in page
    assert 'data-figure="gmv"' in page and "¥500.00" in page
    assert 'id="chart-trend"' in page and 'id="chart-decomposition"' in page and 'id="chart-funnel"' in page
    assert reverse("analytics:plotly-js") in page and "cdn.plot.ly" not in page
    assert 'data-factor="aov"' in page and "+¥260.00" in page and "−¥57.14" in page
    assert "Traffic: the platform's report where imported" in page
    assert "1 SKU on sale sold nothing." in page  # C


def test_the_dashboard_in_chinese(data, manager):
    page = login(Client(), manager, language="zh-hans").get(DASHBOARD + WEEK).content.decode()
    assert 'id="kpis"' in page and 'id="section-trend"' in page
    assert "全部店铺" in page  # "All shops" in the picker


def test_a_bad_period_says_so_and_keeps_what_was_typed(data, manager):
    response = login(Client(), manager).get(DASHBOARD + "?range=custom&first=2026-06-14&last=2026-06-01")
    page = response.content.decode()
    assert response.status_code == 200
    assert "The period starts after it ends." in page
    assert 'value="2026-06-14"' in page


def test_every_dashboard_table_downloads_as_xlsx(data, manager):
    client = login(Client(), manager)
    for key in (
        "figures",
        "decomposition",
        "trend",
        "sources",
        "funnel",
        "top_skus",
        "bottom_skus",
        "ad_channels",
        "ad_plans",
    ):
        response = client.get(f"{DASHBOARD}{WEEK}&export={key}")
        assert response.status_code == 200, key
        assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(BytesIO(client.get(f"{DASHBOARD}{WEEK}&export=trend").content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:2] == ("Day", "GMV (¥)")
    assert len(rows) == 1 + 7 + 1  # heading, the seven days, the total
    assert D(str(rows[-1][1])) == D("500.00")
    sheet = load_workbook(BytesIO(client.get(f"{DASHBOARD}{WEEK}&export=decomposition").content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert [D(str(r[1])) for r in rows[1:]] == [D("137.14"), D("-57.14"), D("260.00"), D("340.00")]
    assert client.get(f"{DASHBOARD}{WEEK}&export=nothing").status_code == 404


def test_the_profit_page_flags_losses_sorts_and_exports(data, manager):
    client = login(Client(), manager)
    page = client.get(PNL + WEEK).content.decode()
    assert 'id="loss-count"' in page and "1 SKU lost money" in page
    assert 'class="loss"' in page
    assert "¥78.00" in page  # the total row: the week's gross profit
    by_revenue = client.get(PNL + WEEK + "&sort=-revenue").content.decode()
    assert by_revenue.index('data-sku="A"') < by_revenue.index('data-sku="B"')
    by_profit = client.get(PNL + WEEK + "&sort=profit").content.decode()
    assert by_profit.index('data-sku="B"') < by_profit.index('data-sku="A"')
    sheet = load_workbook(BytesIO(client.get(PNL + WEEK + "&export=xlsx").content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[-1][0] == "Total" and D(str(rows[-1][9])) == D("78.00")
    zh = login(Client(), manager, language="zh-hans").get(PNL + WEEK)
    assert zh.status_code == 200


def test_the_manager_sets_costs_and_a_target_with_an_audit_entry(data, manager):
    shop = data["shop"]
    client = login(Client(), manager)
    assert client.get(COSTS).status_code == 200
    response = client.post(
        reverse("analytics:costs-save", args=[shop.pk]),
        {f"s{shop.pk}-commission_percent": "2.5", f"s{shop.pk}-shipping_per_parcel": "4.80"},
    )
    assert response.status_code == 302
    costs = ShopCosts.objects.get(shop=shop)
    assert (costs.commission_rate, costs.shipping_per_parcel) == (D("0.0250"), D("4.80"))
    entry = AuditEntry.objects.filter(object_type="analytics.shopcosts").get()
    assert entry.action == "update" and entry.actor == manager
    assert entry.before["commission_rate"] == "0.0500" and entry.after["commission_rate"] == "0.0250"
    other = ShopFactory(code="jd01")
    client.post(
        reverse("analytics:costs-save", args=[other.pk]),
        {f"s{other.pk}-commission_percent": "8", f"s{other.pk}-shipping_per_parcel": "0"},
    )
    other_costs = ShopCosts.objects.get(shop=other)  # the audit names the costs row, not the shop
    created = AuditEntry.objects.filter(object_type="analytics.shopcosts", object_id=str(other_costs.pk)).get()
    assert created.action == "create" and created.before == {} and created.after["commission_rate"] == "0.0800"
    response = client.post(
        reverse("analytics:target-save"), {"shop_code": "tb01", "month": "2026-07", "gmv_target": "12000"}
    )
    assert response.status_code == 302
    assert MonthlyTarget.objects.get(shop=shop, month=date(2026, 7, 1)).gmv_target == D("12000.00")
    assert AuditEntry.objects.filter(object_type="analytics.monthlytarget").count() == 1


def test_a_bad_cost_comes_back_with_what_was_typed(data, manager):
    shop = data["shop"]
    response = login(Client(), manager).post(
        reverse("analytics:costs-save", args=[shop.pk]),
        {f"s{shop.pk}-commission_percent": "150", f"s{shop.pk}-shipping_per_parcel": "4.80"},
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert 'value="150"' in page and 'value="4.80"' in page
    assert ShopCosts.objects.get(shop=shop).commission_rate == D("0.0500")


def test_only_the_manager_sets_costs(data, users):
    shop = data["shop"]
    client = login(Client(), users["operator"])
    page = client.get(COSTS).content.decode()
    assert "costs-form-tb01" not in page
    response = client.post(
        reverse("analytics:costs-save", args=[shop.pk]),
        {f"s{shop.pk}-commission_percent": "1", f"s{shop.pk}-shipping_per_parcel": "1"},
    )
    assert response.status_code == 403
    assert ShopCosts.objects.get(shop=shop).commission_rate == D("0.0500")


def test_plotly_js_is_served_from_our_own_address(db, client):
    response = client.get(reverse("analytics:plotly-js"))
    assert response.status_code == 200
    assert b"plotly" in b"".join(response.streaming_content)[:2000].lower()


# ----- a realistic amount of data --------------------------------------------------------------------------


@pytest.fixture
def busy(db):
    """Two shops, 90 days, about 30 orders a day each (two lines apiece), the platform's daily reports and ads."""
    rng = random.Random(11)
    start = date(2026, 4, 2)  # to 2026-06-30
    for code in ("tb01", "jd01"):
        shop = ShopFactory(code=code)
        ShopCosts.objects.create(shop=shop, commission_rate=D("0.05"), shipping_per_parcel=D("5.50"))
        skus = [
            SkuFactory(
                product=ProductFactory(shop=shop), cost=D(rng.randint(10, 60)), listing_status=ListingStatus.LISTED
            )
            for _n in range(30)
        ]
        orders, lines, traffic, sources, ads = [], [], [], [], []
        for n in range(90):
            day = start + timedelta(days=n)
            for k in range(30):
                orders.append(
                    Order(
                        shop=shop,
                        platform="taobao",
                        platform_order_no=f"{code}-{n}-{k}",
                        buyer_nick=f"b{rng.randint(1, 900)}",
                        paid_at=datetime(day.year, day.month, day.day, 8 + k % 12, tzinfo=SHANGHAI),
                        paid_total=D("0"),
                        platform_status=PlatformStatus.PAID,
                        status=OrderStatus.COMPLETED,
                    )
                )
            traffic.append(
                ShopDayTraffic(
                    shop=shop, day=day, report="sycm", visitors=900 + n, pv=2500, cart_buyers=80, fav_buyers=40
                )
            )
            for source in ("手淘搜索", "直通车", "手淘推荐"):
                sources.append(
                    SourceDayTraffic(shop=shop, day=day, report="sycm", level1=source, visitors=300, paying_buyers=10)
                )
            for plan in ("P1", "P2"):
                ads.append(
                    AdDay(
                        shop=shop,
                        day=day,
                        report="ztc",
                        channel="ztc",
                        plan=plan,
                        cost=D("100"),
                        gmv=D("300"),
                        clicks=200,
                    )
                )
        Order.objects.bulk_create(orders)
        for placed in Order.objects.filter(shop=shop):
            for sku in rng.sample(skus, 2):
                lines.append(
                    OrderLine(
                        order=placed,
                        sub_order_id=f"{placed.pk}-{sku.pk}",
                        sku=sku,
                        sku_code=sku.code,
                        quantity=1,
                        unit_price=D("50"),
                        paid=D("50"),
                    )
                )
        OrderLine.objects.bulk_create(lines)
        Order.objects.filter(shop=shop).update(paid_total=D("100"))
        ShopDayTraffic.objects.bulk_create(traffic)
        SourceDayTraffic.objects.bulk_create(sources)
        AdDay.objects.bulk_create(ads)


#: What core's page frame reads on every page for a manager: the session, the user, the role's groups and
#: permissions (one query, core/auth_backend.py) and the header's approvals count (one UNION ALL count).
FRAME_QUERIES = 4


def test_the_dashboard_reads_the_database_ten_times_at_most(busy, manager, django_assert_max_num_queries):
    """The dashboard's own reads are at most 7 whatever the data (shops, lines, refunds, shop days, event days,
    ads, sources): the whole board, its tables and charts within 10; the page, with core's frame, within 10 + 4."""
    from zhanggui.analytics import charts, dashboard, metrics

    with django_assert_max_num_queries(10) as captured:
        shops = metrics.shops_with_costs()
        board = dashboard.build(shop=None, first=date(2026, 6, 1), last=date(2026, 6, 30), all_shops=shops)
        charts.all_charts(board)
    assert len(captured) <= 7
    assert board.now.gmv == D("180000.00")  # June: 2 shops × 30 days × 30 orders × ¥100
    assert board.now.orders == 1800 and board.now.uv == 2 * sum(900 + n for n in range(60, 90))
    client = login(Client(), manager)
    client.get(reverse("home"))  # the session and the language settle on a first page
    with django_assert_max_num_queries(10 + FRAME_QUERIES):
        response = client.get(DASHBOARD + "?range=month&day=2026-06-10")
    assert response.status_code == 200
    assert "¥180,000.00" in response.content.decode()
    with django_assert_max_num_queries(10 + FRAME_QUERIES):
        assert client.get(DASHBOARD + "?shop=jd01&range=week&day=2026-05-20").status_code == 200


def test_a_link_with_only_the_shop_opens_the_month_up_to_yesterday(data, manager):
    from django.utils import timezone

    client = login(Client(), manager)
    response = client.get(DASHBOARD + "?shop=tb01")
    form = response.context["form"]
    yesterday = timezone.localdate() - timedelta(days=1)
    assert form["range"].value() == "month"  # the picker shows the period it is showing
    assert form.chosen()[1:3] == (yesterday.replace(day=1), yesterday)
