"""The desk's front page (moved here from core with the page)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from zhanggui.catalog.tests.factories import SkuFactory
from zhanggui.core.services import system_user
from zhanggui.inventory import services as stock
from zhanggui.inventory.models import MoveReason
from zhanggui.inventory.purchasing import services as purchasing
from zhanggui.inventory.stocktakes import services as stocktakes
from zhanggui.inventory.tests.factories import SupplierFactory, WarehouseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop_data(db):
    """One SKU under safety stock, an open purchase order and an open count sheet: every card has a row."""
    actor = system_user()
    wh = WarehouseFactory()
    sku = SkuFactory(safety_stock=10)
    stock.book_move(actor=actor, sku=sku, warehouse=wh, quantity=4, reason=MoveReason.PURCHASE_RECEIPT)
    po = purchasing.create_purchase_order(
        actor=actor, supplier=SupplierFactory(), warehouse=wh, lines=[(sku, 20, Decimal("9.90"))]
    )
    take = stocktakes.create_stocktake(actor=actor, warehouse=wh)
    return {"sku": sku, "po": po, "take": take}


def test_the_stock_page_shows_what_needs_attention(client, users, shop_data):
    client.force_login(users["manager"])
    response = client.get(reverse("desk-stock"))
    assert (response.context["alert_count"], response.context["open_purchase_orders"]) == (1, 1)
    body = response.content.decode()
    assert shop_data["sku"].code in body
    assert shop_data["po"].number in body and shop_data["take"].number in body


def test_the_front_page_is_the_desk_apps(client, users):
    client.force_login(users["service"])
    response = client.get(reverse("home") + "?lang=en")
    assert reverse("home") == "/"
    assert response.resolver_match.func.__module__ == "zhanggui.desk.views"
    assert response.templates[0].name == "desk/home.html"
    assert "Today at the desk" in response.content.decode()
    assert response.context["role"] == "service" and response.context["main_cards"] == ["service", "inquiries"]


def test_the_desk_asks_a_visitor_to_log_in(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
