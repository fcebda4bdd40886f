"""Traffic by item: the platforms' item reports summed over a period (visitor-days), conversion Σ ÷ Σ, the
bounce rate the mean of the days, items named by their product when one was found; the page and its XLSX."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from zhanggui.analytics import items
from zhanggui.analytics.models import ItemDayTraffic
from zhanggui.catalog.tests.factories import ProductFactory
from zhanggui.core.tests.pages import login

pytestmark = pytest.mark.django_db

D = Decimal
NOV1, NOV2, NOV3 = date(2026, 11, 1), date(2026, 11, 2), date(2026, 11, 3)


@pytest.fixture
def reported(shop):
    dress = ProductFactory(shop=shop, code="DRESS", title="连衣裙 夏")

    def day(when, item_id, **figures):
        ItemDayTraffic.objects.create(shop=shop, day=when, report="sycm_items", item_id=item_id, **figures)

    day(
        NOV1,
        "6001",
        product=dress,
        title="旧标题",
        visitors=500,
        pv=1500,
        bounce_rate=D("0.40"),
        cart_buyers=40,
        paying_buyers=20,
        paid_units=22,
        paid_amount=D("2178.00"),
    )
    day(
        NOV2,
        "6001",
        product=dress,
        visitors=300,
        pv=600,
        bounce_rate=D("0.60"),
        cart_buyers=20,
        paying_buyers=4,
        paid_units=4,
        paid_amount=D("396.00"),
    )
    day(NOV2, "6002", title="袜子", visitors=100, pv=120, paying_buyers=1, paid_units=2, paid_amount=D("19.80"))
    day(NOV3, "6002", title="袜子", visitors=999, paying_buyers=99, paid_amount=D("999.00"))  # outside the period
    return shop


def test_items_are_summed_over_the_period(reported):
    rows = items.item_rows(shop=reported, first=NOV1, last=NOV2)
    dress, socks = rows
    # 800 visitor-days, 24 ÷ 800 = 3.00 %, bounce (40 % + 60 %) ÷ 2 = 50 %, ¥2,574.00 ÷ 800 = ¥3.22 a visitor
    assert (dress.item_id, dress.product_code, dress.title) == ("6001", "DRESS", "连衣裙 夏")
    assert (dress.visitors, dress.pv, dress.cart_buyers, dress.buyers, dress.units, dress.paid) == (
        800,
        2100,
        60,
        24,
        26,
        D("2574.00"),
    )
    assert (dress.conversion, dress.bounce_rate, dress.cart_rate, dress.uv_value) == (
        D("0.0300"),
        D("0.5000"),
        D("0.0750"),
        D("3.22"),
    )
    assert (socks.title, socks.visitors, socks.bounce_rate, socks.conversion) == ("袜子", 100, None, D("0.0100"))
    table = items.table(shop=reported, first=NOV1, last=NOV2)
    assert (table.total.visitors, table.total.buyers, table.total.paid) == (900, 25, D("2593.80"))


def test_the_page_and_its_xlsx(reported, operator):
    client = login(Client(), operator)
    url = reverse("analytics:items") + "?range=custom&first=2026-11-01&last=2026-11-02"
    page = client.get(url).content.decode()
    assert "连衣裙 夏" in page and "3.00 %" in page and "¥2,574.00" in page and 'id="tab-items"' in page
    book = load_workbook(BytesIO(client.get(url + "&export=xlsx").content))
    rows = list(book.active.values)
    assert rows[0][:3] == ("Item ID", "Product code", "Title")
    assert rows[1][:5] == ("6001", "DRESS", "连衣裙 夏", reported.name, 800)
    assert rows[-1][2] == "Total"
