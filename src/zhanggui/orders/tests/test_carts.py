"""The what-if report over a shop's orders (orders/carts.py, registered with promotions): which orders become
carts (status, the day window by paid_at in the desk's time zone, lines without a SKU), the exact figures of a
small 满减 case, and the page, the command and the API asking for it."""

from __future__ import annotations

import io
import json
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from zhanggui.catalog.tests.factories import CategoryFactory, ProductFactory, ShopFactory, SkuFactory
from zhanggui.core.errors import ValidationFailed
from zhanggui.core.services import create_api_token
from zhanggui.core.tests.pages import login
from zhanggui.orders.carts import order_carts
from zhanggui.orders.models import OrderStatus
from zhanggui.orders.tests.factories import OrderFactory, OrderLineFactory
from zhanggui.promotions.pricing.whatif import CART_SOURCES, ORDERS, source_carts

pytestmark = pytest.mark.django_db
S = OrderStatus
SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 6, 30, 15, 0, tzinfo=SHANGHAI)
MJ = {"id": "mj300", "kind": "spend_save", "name": "满300减30", "tiers": [["300.00", "30.00"]]}
API = "/api/v1/pricing/what-if?lang=en"  # the refusals in English, whatever is translated


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def skus(shop):
    """Towel (catalog ¥150, cost ¥50) and sheet (¥200, cost ¥80) of the shop's product in 毛巾."""
    product = ProductFactory(shop=shop, code="P-TOWEL", category=CategoryFactory(name="毛巾"))
    towel = SkuFactory(product=product, code="TOWEL", price=Decimal("150.00"), cost=Decimal("50.00"))
    sheet = SkuFactory(product=product, code="SHEET", price=Decimal("200.00"), cost=Decimal("80.00"))
    return towel, sheet


def order(shop, paid_at, *lines, status=S.SHIPPED, buyer="tb_lily", **fields):
    """An order of `shop` with `lines` as (sku or None, quantity, unit price)."""
    made = OrderFactory(shop=shop, paid_at=paid_at, status=status, buyer_nick=buyer, **fields)
    for sku, quantity, price in lines:
        OrderLineFactory(
            order=made, sku=sku, sku_code=sku.code if sku else "GONE-1", quantity=quantity, unit_price=Decimal(price)
        )
    return made


# ----- which orders, which lines --------------------------------------------------------------------------------


def test_an_order_becomes_a_cart_of_its_skus_and_quantities_at_the_price_it_was_sold_at(shop, skus):
    towel, sheet = skus
    order(shop, NOW - timedelta(days=1), (towel, 2, "160.00"), (sheet, 1, "199.00"), buyer="tb_mei")
    sourced = order_carts(shop=shop, days=30, now=NOW)
    assert sourced.carts == [
        {
            "lines": [
                {
                    "sku": "TOWEL",
                    "quantity": 2,
                    "unit_price": "160.00",  # the order's price, not today's catalog ¥150
                    "product": "P-TOWEL",
                    "category": "毛巾",
                    "role": "profit",
                },
                {
                    "sku": "SHEET",
                    "quantity": 1,
                    "unit_price": "199.00",
                    "product": "P-TOWEL",
                    "category": "毛巾",
                    "role": "profit",
                },
            ],
            "buyer": {"id": "tb_mei"},
        }
    ]


def test_cancelled_and_unpaid_orders_are_left_out_and_counted_held_and_shipped_ones_replayed(shop, skus):
    towel, _sheet = skus
    for status in (S.PAID, S.ON_HOLD, S.SHIPPED, S.COMPLETED, S.CANCELLED, S.CANCELLED):
        order(shop, NOW - timedelta(hours=3), (towel, 1, "150.00"), status=status)
    # never paid: placed in the window
    order(shop, None, (towel, 1, "150.00"), status=S.UNPAID, created_at_platform=NOW - timedelta(hours=1))
    sourced = order_carts(shop=shop, days=1, now=NOW)
    assert len(sourced.carts) == 4
    assert sourced.facts["orders_replayed"] == 4
    assert sourced.facts["orders_left_out"] == {"cancelled": 2, "unpaid": 1, "no_sku": 0, "too_big": 0}
    assert sourced.summary == (
        "4 orders of 淘宝店 paid from 2026-06-30 to 2026-06-30 15:00 replayed, one cart each. "
        "Left out: 2 cancelled, 1 waiting for payment."
    )


def test_the_window_is_the_last_n_days_of_the_desks_calendar_by_paid_at(shop, skus, settings):
    towel, _sheet = skus
    settings.TIME_ZONE = "Asia/Shanghai"
    first_day = datetime(2026, 6, 24, tzinfo=SHANGHAI)  # 7 days: 24 … 30 June, today included
    inside = order(shop, first_day, (towel, 1, "150.00"), buyer="first_minute")
    order(shop, first_day - timedelta(seconds=1), (towel, 1, "150.00"), buyer="day_before")
    order(shop, NOW + timedelta(minutes=1), (towel, 1, "150.00"), buyer="after_now")
    order(ShopFactory(code="other"), NOW - timedelta(hours=1), (towel, 1, "150.00"), buyer="other_shop")
    sourced = order_carts(shop=shop, days=7, now=NOW)
    assert [cart["buyer"]["id"] for cart in sourced.carts] == [inside.buyer_nick]
    assert (sourced.facts["since"], sourced.facts["until"]) == (
        "2026-06-24T00:00:00+08:00",
        "2026-06-30T15:00:00+08:00",
    )
    # the same moments read in UTC: 24 June 00:00 Shanghai is still 23 June there, so the first order is out
    settings.TIME_ZONE = "UTC"
    assert order_carts(shop=shop, days=7, now=NOW).carts == []
    assert [c["buyer"]["id"] for c in order_carts(shop=shop, days=8, now=NOW).carts] == ["first_minute", "day_before"]


def test_lines_without_a_sku_are_left_out_and_counted_an_order_with_none_left_is_skipped(shop, skus):
    towel, _sheet = skus
    order(shop, NOW - timedelta(hours=2), (towel, 1, "150.00"), (None, 3, "20.00"))
    order(shop, NOW - timedelta(hours=2), (None, 1, "20.00"), (None, 1, "30.00"), status=S.ON_HOLD)
    sourced = order_carts(shop=shop, days=1, now=NOW)
    assert [[line["sku"] for line in cart["lines"]] for cart in sourced.carts] == [["TOWEL"]]
    assert sourced.facts["lines_without_sku"] == 3
    assert sourced.facts["orders_left_out"]["no_sku"] == 1
    assert sourced.summary == (
        "1 order of 淘宝店 paid from 2026-06-30 to 2026-06-30 15:00 replayed as its cart. "
        "Left out: 1 with no SKU in the catalog. "
        "3 lines whose SKU codes are not in the catalog were left out of their carts."
    )


def test_an_order_the_engine_cannot_take_is_left_out_not_a_failed_report(shop, skus):
    towel, _sheet = skus
    order(shop, NOW - timedelta(hours=2), (towel, 100_000, "1.00"))
    order(shop, NOW - timedelta(hours=2), (towel, 1, "150.00"))
    sourced = order_carts(shop=shop, days=1, now=NOW)
    assert len(sourced.carts) == 1 and sourced.facts["orders_left_out"]["too_big"] == 1


def test_the_orders_and_their_lines_are_read_in_two_queries(shop, skus, django_assert_num_queries):
    towel, sheet = skus
    for n in range(20):
        order(shop, NOW - timedelta(hours=n), (towel, 1, "150.00"), (sheet, 2, "200.00"), (None, 1, "9.00"))
    with django_assert_num_queries(2):
        sourced = order_carts(shop=shop, days=2, now=NOW)
    assert len(sourced.carts) == 20


def test_nothing_to_replay_is_an_error_saying_so(shop):
    with pytest.raises(ValidationFailed) as caught:
        source_carts(ORDERS, shop=shop, days=30)
    assert caught.value.message.endswith("Nothing to replay: take more days or another shop.")
    with pytest.raises(ValidationFailed):
        source_carts(ORDERS, shop=shop, days=366)


# ----- the figures: 满300减30 over three orders --------------------------------------------------------------


@pytest.fixture
def three_orders(shop, skus):
    """Three replayed orders: ¥320 and ¥300 reach 满300 (−¥30 each), ¥120 does not; a cancelled ¥400 is left out."""
    towel, sheet = skus
    now = timezone.now()
    order(shop, now - timedelta(hours=5), (towel, 2, "160.00"))
    order(shop, now - timedelta(days=2), (towel, 1, "100.00"), (sheet, 1, "200.00"))
    order(shop, now - timedelta(days=3), (sheet, 1, "120.00"), status=S.PAID)
    order(shop, now - timedelta(days=1), (sheet, 2, "200.00"), status=S.CANCELLED)
    order(shop, now - timedelta(days=40), (sheet, 2, "200.00"))  # before the 30 days
    return shop


def assert_mj_over_three_orders(report):
    assert (report["carts"], report["carts_touched"]) == (3, 2)
    assert (report["revenue_before"], report["revenue_after"]) == ("740.00", "680.00")
    assert (report["revenue_change"], report["draft_discount"]) == ("-60.00", "60.00")
    towel = next(row for row in report["skus"] if row["sku"] == "TOWEL")
    # 3 towels: ¥320 + ¥100 → the ¥30 of order 1 and ¥10 of order 2's ¥30 (100 : 200) → ¥380; cost 3 × ¥50
    assert towel["units"] == 3 and towel["after"] == {"revenue": "380.00", "margin": "230.00", "margin_rate": "60.5%"}


def test_the_page_replays_the_last_n_days_of_the_shops_orders(client, users, three_orders):
    login(client, users["service"])
    html = client.get(reverse("promotions:what-if")).content.decode()
    assert 'value="orders" id="source-orders"' in html and "The last N days of this shop&#x27;s orders" in html
    assert 'name="days" value="30"' in html
    data = {"shop": three_orders.pk, "spec": json.dumps(MJ), "source": "orders", "days": "30"}
    response = client.post(reverse("promotions:what-if"), data)
    assert response.status_code == 200
    assert_mj_over_three_orders(response.context["report"])
    used = response.context["used"]
    assert used.startswith("3 orders of 淘宝店 paid from ") and used.endswith("Left out: 1 cancelled.")
    assert f'id="what-if-carts">{used}</p>' in response.content.decode()  # the report says so
    assert 'value="orders" id="source-orders" checked' in response.content.decode()


def test_the_page_asks_for_the_shop_and_a_number_of_days(client, users, three_orders):
    login(client, users["operator"])
    url = reverse("promotions:what-if")
    no_shop = client.post(url, {"spec": json.dumps(MJ), "source": "orders", "days": "30"})
    assert no_shop.status_code == 422 and no_shop.context["report"] is None
    assert no_shop.context["form"].errors["shop"] == ["Choose the shop whose orders to replay."]
    too_many = client.post(url, {"shop": three_orders.pk, "spec": json.dumps(MJ), "source": "orders", "days": "366"})
    assert too_many.status_code == 422 and "days" in too_many.context["form"].errors


def test_without_a_registered_source_the_page_offers_no_orders(client, users, shop, monkeypatch):
    monkeypatch.delitem(CART_SOURCES, ORDERS)
    login(client, users["operator"])
    assert 'id="source-orders"' not in client.get(reverse("promotions:what-if")).content.decode()
    response = client.post(reverse("promotions:what-if"), {"shop": shop.pk, "spec": json.dumps(MJ), "source": "orders"})
    assert response.status_code == 422 and "source" in response.context["form"].errors


def test_the_command_replays_the_orders_with_orders_days(three_orders, tmp_path):
    draft = tmp_path / "draft.json"
    draft.write_text(json.dumps(MJ), encoding="utf-8")
    out = io.StringIO()
    call_command("whatif", "--draft", str(draft), "--orders-days", "30", "--shop", "tb01", stdout=out)
    report = json.loads(out.getvalue())
    assert_mj_over_three_orders(report)
    assert report["orders"]["orders_replayed"] == 3 and report["orders"]["days"] == 30
    assert report["orders"]["orders_left_out"] == {"cancelled": 1, "unpaid": 0, "no_sku": 0, "too_big": 0}


def test_the_command_takes_carts_or_orders_days_and_orders_need_a_shop(three_orders, tmp_path):
    draft = tmp_path / "draft.json"
    draft.write_text(json.dumps(MJ), encoding="utf-8")
    with pytest.raises(CommandError, match="not allowed with argument"):
        call_command("whatif", "--draft", str(draft), "--orders-days", "30", "--carts", str(draft), "--shop", "tb01")
    with pytest.raises(CommandError, match="--orders-days needs --shop") as caught:
        call_command("whatif", "--draft", str(draft), "--orders-days", "30")
    assert caught.value.returncode == 2
    with pytest.raises(CommandError, match="Nothing to replay") as caught:
        call_command("whatif", "--draft", str(draft), "--orders-days", "30", "--shop", ShopFactory(code="empty").code)
    assert caught.value.returncode == 1


def api(user) -> Client:
    return Client(headers={"Authorization": f"Bearer {create_api_token(user=user, name='t')[1]}"})


def test_the_api_replays_orders_days_in_place_of_carts_for_any_role(users, three_orders):
    response = api(users["warehouse"]).post(
        API, {"draft": MJ, "orders_days": 30, "shop": "tb01"}, content_type="application/json"
    )
    assert response.status_code == 200
    assert_mj_over_three_orders(response.json())
    assert response.json()["orders"]["orders_replayed"] == 3
    anonymous = Client().post(API, {"draft": MJ, "orders_days": 30, "shop": "tb01"}, content_type="application/json")
    assert anonymous.status_code == 401


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({"orders_days": 30}, 422, "shop: the code of the shop whose orders to replay"),
        ({"orders_days": 0, "shop": "tb01"}, 422, "orders_days: a whole number from 1 to 365"),
        ({"orders_days": "30", "shop": "tb01"}, 422, "orders_days: a whole number from 1 to 365"),
        ({"orders_days": 30, "shop": "tb01", "carts": []}, 422, "carts or orders_days, not both"),
        ({"orders_days": 30, "shop": "nope"}, 404, "No shop with code nope."),
    ],
)
def test_the_api_refuses_orders_days_it_cannot_replay(users, three_orders, body, status, message):
    response = api(users["operator"]).post(API, {"draft": MJ, **body}, content_type="application/json")
    assert (response.status_code, response.json()["message"]) == (status, message)
