"""The header follows the role (core/nav.py): 客服 sees no purchasing or stocktakes, buttons a role cannot use
are not drawn, and the pages still refuse the writes themselves (403). The language switcher names each
language in its own tongue."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from zhanggui.catalog.tests.factories import SkuFactory
from zhanggui.core import nav, roles
from zhanggui.core.tests.pages import login
from zhanggui.inventory.tests.factories import SupplierFactory, WarehouseFactory

pytestmark = pytest.mark.django_db

EVERYONE = ["home", "orders", "catalog", "stock", "alerts", "promotions", "market", "audit"]
FULFILMENT = ["home", "orders", "shipping"]  # the roles that pick, pack and ship see "Shipping" after "Orders"


def nav_keys(html: str) -> list[str]:
    header = html[html.index('<nav class="domains"') : html.index("</nav>")]
    return re.findall(r'data-nav="([a-z]+)"', header)


def active_keys(html: str) -> list[str]:
    header = html[html.index('<nav class="domains"') : html.index("</nav>")]
    return re.findall(r'data-nav="([a-z]+)" class="active" aria-current="page"', header)


@pytest.mark.parametrize(
    "role, expected",
    [
        (
            "manager",
            [
                *FULFILMENT,
                "aftersales",
                "claims",
                "reports",
                "messages",
                "catalog",
                "stock",
                "purchase",
                "stocktake",
                "returns",
                "alerts",
                "promotions",
                "members",
                "analytics",
                "market",
                "audit",
            ],
        ),
        (
            "operator",
            [
                "home",
                "orders",
                "catalog",
                "stock",
                "purchase",
                "alerts",
                "promotions",
                "members",
                "analytics",
                "market",
                "audit",
            ],
        ),
        # after-sales (its claims and reports), messages: 客服's
        (
            "service",
            ["home", "orders", "aftersales", "claims", "reports", "messages", *EVERYONE[2:6], "members", *EVERYONE[6:]],
        ),
        (
            "warehouse",
            [
                *FULFILMENT,
                "catalog",
                "stock",
                "purchase",
                "stocktake",
                "returns",
                "alerts",
                "promotions",
                "market",
                "audit",
            ],
        ),
        ("designer", EVERYONE),
        ("copywriter", EVERYONE),
    ],
)
def test_the_header_shows_each_role_its_entries(client, users, role, expected):
    login(client, users[role])
    assert nav_keys(client.get(reverse("home")).content.decode()) == expected


def test_the_entries_follow_the_matrix():
    """Purchasing and stocktakes are shown exactly to the roles holding their capability."""
    by_key = {entry.key: entry for entry in nav.NAV}
    assert by_key["purchase"].capability == roles.MANAGE_PURCHASING
    assert by_key["stocktake"].capability == roles.BOOK_STOCK
    assert [e.key for e in nav.NAV if e.capability is None and not e.staff_only] == EVERYONE


def test_admin_is_shown_to_staff_only(client, users):
    manager = users["manager"]
    login(client, manager)
    assert "admin" not in nav_keys(client.get(reverse("home")).content.decode())
    manager.is_staff = True
    manager.save(update_fields=["is_staff"])
    assert nav_keys(client.get(reverse("home")).content.decode())[-1] == "admin"


@pytest.mark.parametrize(
    "url, key",
    [
        ("/", "home"),
        ("/catalog/", "catalog"),
        ("/inventory/", "stock"),
        ("/inventory/purchases/", "purchase"),
        ("/inventory/purchases/new/", "purchase"),
        ("/inventory/stocktakes/", "stocktake"),
        ("/inventory/alerts/", "alerts"),
        ("/promotions/calendar/", "promotions"),
        ("/audit/", "audit"),
        ("/orders/", "orders"),
        ("/orders/sla/", "orders"),
        ("/orders/waves/", "shipping"),
        ("/orders/packing/", "shipping"),
        ("/aftersales/", "aftersales"),
        ("/aftersales/claims/", "claims"),
        ("/aftersales/reports/", "reports"),
        ("/aftersales/returns/", "returns"),
        ("/analytics/events/import/", "analytics"),
        ("/analytics/dashboard/", "analytics"),
        ("/analytics/diagnosis/", "analytics"),
        ("/analytics/health/", "analytics"),
        ("/members/", "members"),
        ("/members/segments/", "members"),
    ],
)
def test_the_current_page_lights_up_its_entry(client, users, url, key):
    login(client, users["manager"])
    assert active_keys(client.get(url).content.decode()) == [key]


def test_the_hidden_pages_stay_readable_by_their_address(client, users):
    login(client, users["service"])
    assert client.get(reverse("inventory:purchase-list")).status_code == 200
    assert client.get(reverse("inventory:stocktake-list")).status_code == 200


def test_service_sees_no_buttons_it_cannot_use_and_its_posts_are_refused(client, users):
    WarehouseFactory()
    sku = SkuFactory()
    login(client, users["service"])
    assert 'id="new-purchase"' not in client.get(reverse("inventory:purchase-list")).content.decode()
    assert 'id="create-stocktake"' not in client.get(reverse("inventory:stocktake-list")).content.decode()
    html = client.get(reverse("catalog:sku-detail", args=[sku.pk])).content.decode()
    for marker in ('id="save-price"', 'id="listing"', 'id="sku-settings"', 'id="adjust"'):
        assert marker not in html, marker
    product_html = client.get(reverse("catalog:product-detail", args=[sku.product_id])).content.decode()
    assert 'id="listing"' not in product_html and 'id="edit"' not in product_html

    price = sku.price
    assert client.post(reverse("catalog:sku-price", args=[sku.pk]), {"price": "1.00", "cost": "0"}).status_code == 403
    assert client.post(reverse("catalog:sku-listing", args=[sku.pk]), {"action": "list"}).status_code == 403
    supplier = SupplierFactory()
    assert client.post(reverse("inventory:purchase-create"), {"supplier": supplier.pk}).status_code == 403
    assert client.post(reverse("inventory:stocktake-list"), {}).status_code == 403
    sku.refresh_from_db()
    assert sku.price == price


def test_operator_sees_the_buttons_of_its_capabilities(client, users):
    sku = SkuFactory()
    login(client, users["operator"])
    assert 'id="new-purchase"' in client.get(reverse("inventory:purchase-list")).content.decode()
    html = client.get(reverse("catalog:sku-detail", args=[sku.pk])).content.decode()
    assert 'id="save-price"' in html and 'id="listing"' in html


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_language_switcher_names_each_language_in_its_own_tongue(client, users, language):
    login(client, users["service"], language=language)
    html = client.get(reverse("home")).content.decode()
    switcher = html[html.index('name="language"') : html.index("</select>")]
    assert re.findall(r">([^<]+)</option>", switcher) == ["简体中文", "English"]
