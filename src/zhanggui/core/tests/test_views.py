"""The shared pages: login, languages, the 403 page; every page for every role (the front page's own test is in
desk/tests)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from zhanggui.catalog.tests.factories import SkuFactory
from zhanggui.core import roles
from zhanggui.core.middleware import SESSION_KEY
from zhanggui.core.models import UserProfile
from zhanggui.core.services import system_user
from zhanggui.inventory import services as stock
from zhanggui.inventory.models import MoveReason
from zhanggui.inventory.purchasing import services as purchasing
from zhanggui.inventory.stocktakes import services as stocktakes
from zhanggui.inventory.tests.factories import SupplierFactory, WarehouseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop_data(db):
    """One SKU under safety stock, an open purchase order and an open count sheet: every page has rows."""
    actor = system_user()
    wh = WarehouseFactory()
    sku = SkuFactory(safety_stock=10)
    stock.book_move(actor=actor, sku=sku, warehouse=wh, quantity=4, reason=MoveReason.PURCHASE_RECEIPT)
    po = purchasing.create_purchase_order(
        actor=actor, supplier=SupplierFactory(), warehouse=wh, lines=[(sku, 20, Decimal("9.90"))]
    )
    take = stocktakes.create_stocktake(actor=actor, warehouse=wh)
    return {"sku": sku, "po": po, "take": take}


def pages(data) -> list[str]:
    sku, po, take = data["sku"], data["po"], data["take"]
    return [
        reverse("home"),
        reverse("audit-list"),
        reverse("catalog:product-list"),
        reverse("catalog:product-detail", args=[sku.product_id]),
        reverse("catalog:sku-detail", args=[sku.pk]),
        reverse("inventory:stock-list"),
        reverse("inventory:purchase-list"),
        reverse("inventory:purchase-detail", args=[po.pk]),
        reverse("inventory:stocktake-list"),
        reverse("inventory:stocktake-detail", args=[take.pk]),
        reverse("inventory:alert-list"),
    ]


def test_logging_in_through_the_login_page(client, users):
    response = client.post(reverse("login"), {"username": "warehouse", "password": "pw-warehouse"})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert client.get(reverse("home")).status_code == 200


def test_a_wrong_password_keeps_the_username(client, users):
    response = client.post(reverse("login") + "?lang=en", {"username": "warehouse", "password": "nope"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "Wrong username or password." in body
    assert 'value="warehouse"' in body


def test_logging_out(client, users):
    client.force_login(users["service"])
    assert client.post(reverse("logout")).status_code == 302
    assert client.get(reverse("home")).status_code == 302


@pytest.mark.parametrize("role", roles.ROLES)
def test_every_role_reads_every_page_in_both_languages(client, users, shop_data, role):
    client.force_login(users[role])
    for url in pages(shop_data):
        response = client.get(url, {"lang": "en"})
        assert response.status_code == 200, url
        assert '<html lang="en">' in response.content.decode(), url
        response = client.get(url, {"lang": "zh-hans"})
        assert response.status_code == 200, url
        assert '<html lang="zh-hans">' in response.content.decode(), url


def test_pages_are_in_chinese_by_default(client, users, shop_data):
    client.force_login(users["operator"])
    home = client.get(reverse("home")).content.decode()
    catalog = client.get(reverse("catalog:product-list")).content.decode()
    assert "今日工作台" in home and "商品" in home
    assert (
        "商品" in catalog
        and "可用" in catalog
        and "商家编码"
        in client.get(reverse("catalog:product-detail", args=[shop_data["sku"].product_id])).content.decode()
    )
    assert "Available" not in catalog


def test_lang_en_switches_to_english_and_is_remembered(client, users, shop_data):
    client.force_login(users["operator"])
    catalog = client.get(reverse("catalog:product-list"), {"lang": "en"}).content.decode()
    assert "Catalog" in catalog and "Available" in catalog
    assert "可用" not in catalog
    home = client.get(reverse("home")).content.decode()  # no ?lang= any more: the session remembers
    assert "Today at the desk" in home


def test_the_language_switch_saves_the_users_choice_and_drops_lang_from_the_page(client, users):
    client.force_login(users["designer"])
    response = client.post(
        reverse("set-language"), {"language": "en", "next": "/catalog/?q=T%E6%81%A4&lang=zh-hans&page=2"}
    )
    assert response["Location"] == "/catalog/?q=T%E6%81%A4&page=2"
    assert client.session[SESSION_KEY] == "en"
    assert UserProfile.objects.get(user=users["designer"]).language == "en"


def test_the_language_switch_does_not_redirect_off_site(client, users):
    response = client.post(reverse("set-language"), {"language": "en", "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_a_refused_action_shows_the_403_page(client, users, shop_data):
    client.force_login(users["service"])
    response = client.post(reverse("inventory:purchase-receive", args=[shop_data["po"].pk]) + "?lang=en")
    assert response.status_code == 403
    body = response.content.decode()
    assert "Not allowed" in body and "not allowed to book stock" in body
    assert "Nothing was changed." in body
