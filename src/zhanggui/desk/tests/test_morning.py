"""Each role's morning: the page and its cards render for the role in Chinese and English, with the figures
worked out by hand (sales against the target, cases by deadline, orders by wave, listings to fix)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from zhanggui.aftersales.models import CaseKind
from zhanggui.aftersales.tests.factories import CaseFactory
from zhanggui.analytics.models import MonthlyTarget
from zhanggui.catalog.models import ListingStatus
from zhanggui.catalog.tests.factories import ProductFactory, ShopFactory, SkuFactory
from zhanggui.core import roles
from zhanggui.desk import morning
from zhanggui.orders.models import HoldKind, OrderStatus
from zhanggui.orders.tests.factories import OrderFactory, OrderLineFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop_day(db):
    """A case near its deadline, a complaint, an order held for the buyer, an overdue order, a SKU under its
    safety stock, a listed product without a picture and one whose title is too long."""
    shop = ShopFactory(code="tm", name="天猫旗舰店")
    now = timezone.now()
    CaseFactory(order__shop=shop, deadline=now + timedelta(hours=3))
    CaseFactory(order__shop=shop, kind=CaseKind.COMPLAINT, deadline=now + timedelta(days=2))
    OrderFactory(shop=shop, status=OrderStatus.ON_HOLD, hold_kind=HoldKind.OUT_OF_STOCK, platform_order_no="HELD-1")
    OrderFactory(
        shop=shop, paid_at=now - timedelta(days=2), ship_by=now - timedelta(hours=5), platform_order_no="LATE-1"
    )
    SkuFactory(shop=shop, product__shop=shop, code="LOW-1", safety_stock=3)
    ProductFactory(shop=shop, code="NOPIC", listing_status=ListingStatus.LISTED)
    ProductFactory(
        shop=shop,
        code="LONG",
        title="长" * 40,  # 80 counted on Tmall (a Chinese character counts 2), over its 60
        listing_status=ListingStatus.LISTED,
        main_image_url="https://img.example.com/long.jpg",
    )
    return shop


EXPECTED = {
    roles.MANAGER: ["Today's need", "orders to ship today"],
    roles.OPERATOR: ["Today's need"],
    roles.SERVICE: ["After-sales cases by deadline", "HELD-1", "投诉/维权"],
    roles.WAREHOUSE: ["Orders due today, by wave", "LATE-1", "LOW-1"],
    roles.DESIGNER: ["Listings whose title fails the title rules", "NOPIC", "长" * 40],
    roles.COPYWRITER: ["Listed products without a main image", "NOPIC", "长" * 40],
}


@pytest.mark.parametrize("role", roles.ROLES)
@pytest.mark.parametrize("lang", ["en", "zh-hans"])
def test_each_role_gets_its_morning_in_both_languages(client, users, shop_day, role, lang):
    client.force_login(users[role])
    page = client.get(reverse("home") + f"?lang={lang}")
    assert page.status_code == 200 and page.context["role"] == role
    body = page.content.decode()
    assert f'<html lang="{lang}">' in body
    assert ("Today at the desk" if lang == "en" else "今日工作台") in body
    assert ('id="role-tabs"' in body) is (role == roles.MANAGER)  # only the 店长 switches roles
    cards = "".join(client.get(reverse("desk-card", args=[name])).content.decode() for name in morning.cards_for(role))
    for text in EXPECTED[role]:
        if text.isascii() and " " in text and lang != "en":
            continue  # an English heading; the data (numbers, codes) shows in both languages
        assert text in cards, text
    assert 'id="overdue-tasks"' in cards


def test_the_manager_opens_another_roles_morning_but_others_cannot(client, users, shop_day):
    client.force_login(users["manager"])
    assert client.get(reverse("home") + "?role=warehouse").context["role"] == roles.WAREHOUSE
    assert client.get(reverse("desk-card", args=["warehouse"]) + "?role=warehouse").status_code == 200
    client.force_login(users["service"])
    assert client.get(reverse("home") + "?role=warehouse").context["role"] == roles.SERVICE
    assert client.get(reverse("desk-card", args=["warehouse"]) + "?role=warehouse").status_code == 404


def test_sales_against_the_months_target_worked_out_by_hand(db):
    shop = ShopFactory(code="tm")
    local = timezone.get_current_timezone()

    def sold(at: datetime, amount: str) -> None:
        order = OrderFactory(shop=shop, paid_at=at, paid_total=Decimal(amount), status=OrderStatus.SHIPPED)
        OrderLineFactory(order=order, unit_price=Decimal(amount))

    sold(datetime(2026, 3, 9, 10, tzinfo=local), "99.00")  # yesterday
    sold(datetime(2026, 3, 2, 10, tzinfo=local), "200.00")  # earlier this month
    sold(datetime(2026, 2, 28, 10, tzinfo=local), "500.00")  # last month: not counted
    MonthlyTarget.objects.create(shop=shop, month=date(2026, 3, 1), gmv_target=Decimal("3100.00"))
    found = morning.sales(datetime(2026, 3, 10, 9, tzinfo=local))
    assert found["yesterday"] == date(2026, 3, 9) and found["first"] == date(2026, 3, 1)
    assert (found["total_day"].gmv, found["total_day"].orders) == (Decimal("99.00"), 1)
    assert found["total_month"].gmv == Decimal("299.00")
    # 299 ÷ 3100 = 9.645 % → 9.6 (one decimal, half up); behind: under 3100 × 9 ÷ 31 = 900.00 by the 9th.
    assert (found["target"], found["share_pct"], found["behind"]) == (Decimal("3100.00"), Decimal("9.6"), True)


def test_percent_rounds_half_up_to_one_decimal():
    assert morning.percent(Decimal("12.35"), Decimal("100")) == Decimal("12.4")
    assert morning.percent(Decimal("1"), Decimal("3")) == Decimal("33.3")
    assert morning.percent(Decimal("1"), None) is None and morning.percent(None, Decimal("1")) is None


def test_the_managers_morning_shows_each_shops_diagnosis_as_it_last_ran(client, users, django_assert_max_num_queries):
    from zhanggui.analytics.diagnosis.services import store_findings
    from zhanggui.analytics.models import DiagnosisFinding, ShopDayTraffic
    from zhanggui.analytics.tasks import diagnose_shops
    from zhanggui.core.tests.pages import login

    shop = ShopFactory(code="tm", name="天猫旗舰店")
    yesterday = timezone.localdate() - timedelta(days=1)
    for n in range(14):  # last week 1,000 visitors a day, this week 700: −30 %, a serious drop
        ShopDayTraffic.objects.create(
            shop=shop, day=yesterday - timedelta(days=n), report="sycm_shop", visitors=700 if n < 7 else 1000
        )
    assert store_findings(shop=shop)[0].rule == "uv_drop"
    row = DiagnosisFinding.objects.get(shop=shop, rule="uv_drop")
    assert row.day == yesterday and row.severity == "serious"
    assert "fell 30.0%" in row.texts["en"] and "较上周下降 30.0%" in row.texts["zh-hans"]
    assert diagnose_shops.call() == {"tm": 1}  # the worker's morning run replaces the day's findings
    assert DiagnosisFinding.objects.filter(shop=shop).count() == 1

    login(client, users["manager"])
    with django_assert_max_num_queries(10):
        page = client.get(reverse("desk-card", args=["findings"]), HTTP_HX_REQUEST="true").content.decode()
    assert "天猫旗舰店" in page and "fell 30.0% on last week (7,000 → 4,900 visitors)" in page
    page = client.get(reverse("desk-card", args=["findings"]) + "?lang=zh-hans", HTTP_HX_REQUEST="true")
    assert "较上周下降 30.0%" in page.content.decode()


def test_the_service_morning_shows_each_agents_inquiry_conversion(client, users):
    from zhanggui.analytics.models import ServiceDay
    from zhanggui.core.tests.pages import login

    shop = ShopFactory(code="tm", name="天猫旗舰店")
    yesterday = timezone.localdate() - timedelta(days=1)
    for agent, inquired, paid in (("阿花", 80, 36), ("小美", 40, 10)):
        ServiceDay.objects.create(
            shop=shop, day=yesterday, report="qianniu_service", agent=agent, inquired=inquired, inquiry_paid=paid
        )
    ServiceDay.objects.create(
        shop=shop, day=yesterday - timedelta(days=1), report="qianniu_service", agent="阿花", inquired=5, inquiry_paid=5
    )
    login(client, users["service"])
    page = client.get(reverse("desk-card", args=["inquiries"]), HTTP_HX_REQUEST="true").content.decode()
    # 阿花 36 ÷ 80 = 45.00 %, 小美 25.00 %, all 46 ÷ 120 = 38.33 % (the day before is not counted)
    assert "45.00 %" in page and "25.00 %" in page and "38.33 %" in page and "天猫旗舰店" in page


def test_the_sales_card_shows_yesterday_the_month_and_the_target(client, users):
    from zhanggui.core.tests.pages import login

    shop = ShopFactory(code="tm", name="天猫旗舰店")
    now = timezone.localtime()
    yesterday = now - timedelta(days=1)
    order = OrderFactory(shop=shop, paid_at=yesterday, paid_total=Decimal("99.00"), status=OrderStatus.SHIPPED)
    OrderLineFactory(order=order, unit_price=Decimal("99.00"))
    first = timezone.localdate(yesterday).replace(day=1)
    MonthlyTarget.objects.create(shop=shop, month=first, gmv_target=Decimal("9900.00"))
    login(client, users["manager"])
    page = client.get(reverse("desk-card", args=["sales"]), HTTP_HX_REQUEST="true").content.decode()
    assert 'id="sales-yesterday">¥99.00<' in page and 'id="sales-target">¥9,900.00<' in page
    assert 'id="sales-reached"' in page and "1.0%" in page  # 99 ÷ 9,900


def test_the_sales_card_shows_each_shops_progress_against_its_yearly_plan(client, users):
    """A shop with a plan: its month, quarter and year with the forecast (planning.progress, worked out in
    planning/tests/test_progress.py); a shop without one is not listed."""
    from zhanggui.core.tests.pages import login
    from zhanggui.planning import progress, services

    shop = ShopFactory(code="tm", name="天猫旗舰店")
    ShopFactory(code="jd", name="京东店")
    today = timezone.localdate()
    yesterday = today - timedelta(days=1)
    plan = services.create_plan(actor=users["manager"], shop=shop, year=yesterday.year, gmv_target=Decimal("3650.00"))
    for m in range(1, 13):  # ¥10 a day
        services.set_month(
            actor=users["manager"],
            plan=plan,
            month=m,
            gmv_target=Decimal(10 * len(progress.days_of(yesterday.year, m))),
            mode="keep",
        )
    local = timezone.get_current_timezone()
    order = OrderFactory(
        shop=shop,
        paid_at=datetime(yesterday.year, yesterday.month, yesterday.day, 12, tzinfo=local),
        paid_total=Decimal("20.00"),
        status=OrderStatus.SHIPPED,
    )
    OrderLineFactory(order=order, unit_price=Decimal("20.00"))
    found = morning.sales(timezone.now())
    rows = {row["shop"].code: row for row in found["rows"]}
    assert rows["jd"]["plan"] is None and found["planned"]
    month, _quarter, year = rows["tm"]["plan"]
    days_in_month = len(progress.days_of(yesterday.year, yesterday.month))
    assert month.kind == "month" and month.target == Decimal(10 * days_in_month) and month.actual == Decimal("20.00")
    assert month.to_date == Decimal(10 * yesterday.day)
    # ¥20 sold against ¥10 × days to date: the month's forecast is ¥20 × target ÷ target to date.
    expected = (Decimal(20) * month.target / month.to_date).quantize(Decimal("0.01"))
    assert month.forecast == (expected if month.elapsed < month.days else Decimal("20.00"))
    assert year.target == Decimal(10 * (366 if yesterday.year % 4 == 0 else 365))
    login(client, users["manager"], language="en")
    page = client.get(reverse("desk-card", args=["sales"]), HTTP_HX_REQUEST="true").content.decode()
    assert 'id="plan-progress-table"' in page and f"Against the {yesterday.year} plan" in page
    assert 'data-shop="tm" data-period="year"' in page and 'data-shop="jd"' not in page
