"""The permission matrix, role by role, through the API and the admin.

Only manager and operator change prices and listings; only manager and warehouse book stock (receiving
included); every role reads. A refused request must change nothing: same price, no stock move, no audit row.
The expected sets are written out here rather than read from core.roles, so a change to the matrix has to
be made in two places on purpose (and in docs/permissions.md, which the last test reads). Every endpoint × every
role, generated from the matrix, is in test_api_permissions.py; the cases here check the effects in detail.
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib import admin
from django.contrib.auth.models import User
from django.test import Client

from zhanggui.catalog.models import ListingStatus
from zhanggui.catalog.tests.factories import ProductFactory, ShopFactory, SkuFactory
from zhanggui.core import roles
from zhanggui.core.models import AuditEntry
from zhanggui.core.services import create_api_token
from zhanggui.inventory import services as stock
from zhanggui.inventory.models import MoveReason, PurchaseStatus, StockBalance, StockMove
from zhanggui.inventory.purchasing import services as purchasing
from zhanggui.inventory.tests.factories import SupplierFactory, WarehouseFactory

pytestmark = pytest.mark.django_db

ALL_ROLES = ["manager", "operator", "service", "warehouse", "designer", "copywriter"]
PRICE_ROLES = {"manager", "operator"}
LISTING_ROLES = {"manager", "operator"}
STOCK_ROLES = {"manager", "warehouse"}
CATALOG_EDITORS = {"manager", "operator", "designer", "copywriter"}
MESSAGE_ROLES = {"manager", "service"}  # buyer messages: opt-outs, templates, retries


def api_client(user) -> Client:
    """Token auth, as a script would call the API (the session path is covered in test_api_auth)."""
    _token, key = create_api_token(user=user, name="test")
    return Client(headers={"Authorization": f"Bearer {key}"})


def admin_client(user) -> Client:
    User.objects.filter(pk=user.pk).update(is_staff=True)
    client = Client()
    client.force_login(user)
    return client


def post_json(client: Client, url: str, data: dict | None = None):
    return client.post(url, data=data or {}, content_type="application/json")


def test_the_fixture_cast_covers_every_role():
    assert sorted(ALL_ROLES) == sorted(roles.ROLES)


@pytest.fixture
def stocked_sku(system):
    sku = SkuFactory(price=Decimal("99.00"), cost=Decimal("40.00"))
    warehouse = WarehouseFactory(code="main")
    stock.book_move(actor=system, sku=sku, warehouse=warehouse, quantity=10, reason=MoveReason.PURCHASE_RECEIPT)
    return sku


@pytest.fixture
def ordered_po(system):
    sku = SkuFactory()
    po = purchasing.create_purchase_order(
        actor=system,
        supplier=SupplierFactory(),
        warehouse=WarehouseFactory(code="main"),
        lines=[(sku, 10, "5.00")],
    )
    return po


# ----- through the API -----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ALL_ROLES)
def test_api_price_change(users, stocked_sku, role):
    response = post_json(api_client(users[role]), f"/api/v1/catalog/skus/{stocked_sku.pk}/price", {"price": "88.00"})
    stocked_sku.refresh_from_db()
    if role in PRICE_ROLES:
        assert response.status_code == 200
        assert stocked_sku.price == Decimal("88.00")
        assert AuditEntry.objects.filter(action="sku.price").count() == 1
    else:
        assert response.status_code == 403
        assert response.json()["code"] == "permission_denied"
        assert stocked_sku.price == Decimal("99.00")
        assert not AuditEntry.objects.exists()


@pytest.mark.parametrize("role", ALL_ROLES)
def test_api_listing_change(users, stocked_sku, role):
    product = stocked_sku.product
    response = post_json(api_client(users[role]), f"/api/v1/catalog/products/{product.pk}/list")
    product.refresh_from_db()
    if role in LISTING_ROLES:
        assert response.status_code == 200
        assert product.listing_status == ListingStatus.LISTED
        assert AuditEntry.objects.filter(action="product.list").count() == 1
    else:
        assert response.status_code == 403
        assert response.json()["code"] == "permission_denied"
        assert product.listing_status == ListingStatus.DRAFT
        assert not AuditEntry.objects.exists()


@pytest.mark.parametrize("role", ALL_ROLES)
def test_api_stock_booking(users, stocked_sku, role):
    client = api_client(users[role])
    moves_before = StockMove.objects.count()
    adjusted = post_json(
        client,
        "/api/v1/inventory/moves",
        {"sku_id": stocked_sku.pk, "warehouse": "main", "quantity": -1, "reason": "adjustment", "note": "破损"},
    )
    reserved = post_json(
        client,
        "/api/v1/inventory/reservations",
        {"reference": "R1", "lines": [{"sku_id": stocked_sku.pk, "quantity": 2}]},
    )
    balance = StockBalance.objects.get(sku=stocked_sku)
    if role in STOCK_ROLES:
        assert (adjusted.status_code, reserved.status_code) == (201, 201)
        assert StockMove.objects.count() == moves_before + 1
        assert (balance.on_hand, balance.reserved) == (9, 2)
    else:
        assert (adjusted.status_code, reserved.status_code) == (403, 403)
        assert StockMove.objects.count() == moves_before
        assert (balance.on_hand, balance.reserved) == (10, 0)


@pytest.mark.parametrize("role", ALL_ROLES)
def test_api_purchase_order_receiving(users, ordered_po, role):
    line = ordered_po.lines.get()
    response = post_json(
        api_client(users[role]),
        f"/api/v1/inventory/purchase-orders/{ordered_po.pk}/receive",
        {"quantities": {str(line.sku_id): 4}},
    )
    ordered_po.refresh_from_db()
    line.refresh_from_db()
    if role in STOCK_ROLES:
        assert response.status_code == 200
        assert (ordered_po.status, line.received_quantity) == (PurchaseStatus.PARTIAL, 4)
        assert StockMove.objects.filter(document=ordered_po.number).count() == 1
    else:
        assert response.status_code == 403
        assert response.json()["code"] == "permission_denied"
        assert (ordered_po.status, line.received_quantity) == (PurchaseStatus.ORDERED, 0)
        assert not StockMove.objects.exists()


@pytest.mark.parametrize("role", ALL_ROLES)
def test_api_buyer_opt_out(users, role):
    from zhanggui.messaging.models import BuyerOptOut

    ShopFactory(code="tm01")
    response = post_json(api_client(users[role]), "/api/v1/messages/opt-outs", {"shop": "tm01", "buyer_nick": "tb_a"})
    if role in MESSAGE_ROLES:
        assert response.status_code == 201
        assert list(BuyerOptOut.objects.values_list("buyer_nick", flat=True)) == ["tb_a"]
        assert AuditEntry.objects.filter(action="buyer_opt_out.create").count() == 1
    else:
        assert response.status_code == 403
        assert response.json()["code"] == "permission_denied"
        assert not BuyerOptOut.objects.exists()
        assert not AuditEntry.objects.exists()


READ_ENDPOINTS = [
    "/api/v1/catalog/shops",
    "/api/v1/catalog/products",
    "/api/v1/inventory/warehouses",
    "/api/v1/inventory/balances",
    "/api/v1/inventory/alerts",
    "/api/v1/inventory/suppliers",
    "/api/v1/inventory/purchase-orders",
    "/api/v1/inventory/stocktakes",
    "/api/v1/inventory/ledger-check",
    "/api/v1/aftersales/claims",
    "/api/v1/aftersales/reports",
]


@pytest.mark.parametrize("role", ALL_ROLES)
def test_every_role_reads_every_list(users, stocked_sku, role):
    client = api_client(users[role])
    for url in [
        *READ_ENDPOINTS,
        f"/api/v1/catalog/products/{stocked_sku.product_id}",
        f"/api/v1/catalog/skus/{stocked_sku.pk}",
        f"/api/v1/inventory/skus/{stocked_sku.pk}/moves",
    ]:
        assert client.get(url).status_code == 200, url


# ----- through the admin ---------------------------------------------------------------------------------


def sku_form(sku, **changes) -> dict:
    data = {
        "barcode": sku.barcode,
        "spec": sku.spec,
        "price": str(sku.price),
        "cost": str(sku.cost),
        "weight_g": sku.weight_g,
        "safety_stock": sku.safety_stock,
        "listing_status": sku.listing_status,
        "delist_reason": sku.delist_reason,
    }
    return {**data, **changes}


def product_form(product, **changes) -> dict:
    data = {
        "title": product.title,
        "category": product.category_id or "",
        "role": product.role,
        "description": product.description,
        "main_image_url": product.main_image_url,
        "listing_status": product.listing_status,
        "delist_reason": product.delist_reason,
    }
    return {**data, **changes}


@pytest.mark.parametrize("role", ALL_ROLES)
def test_admin_price_change(users, stocked_sku, role):
    response = admin_client(users[role]).post(
        f"/admin/catalog/sku/{stocked_sku.pk}/change/", sku_form(stocked_sku, price="88.00")
    )
    stocked_sku.refresh_from_db()
    if role in PRICE_ROLES:
        assert response.status_code == 302
        assert stocked_sku.price == Decimal("88.00")
        entry = AuditEntry.objects.get(action="sku.price")
        assert (entry.before, entry.after, entry.actor) == ({"price": "99.00"}, {"price": "88.00"}, users[role])
    else:
        # Catalog editors may save the SKU, but the price is read-only for them and is not taken from the post.
        assert response.status_code == (302 if role in CATALOG_EDITORS else 403)
        assert stocked_sku.price == Decimal("99.00")
        assert not AuditEntry.objects.exists()


@pytest.mark.parametrize("role", ALL_ROLES)
def test_admin_listing_change(users, stocked_sku, role):
    product = stocked_sku.product
    response = admin_client(users[role]).post(
        f"/admin/catalog/product/{product.pk}/change/", product_form(product, listing_status="listed")
    )
    product.refresh_from_db()
    stocked_sku.refresh_from_db()
    if role in LISTING_ROLES:
        assert response.status_code == 302
        assert (product.listing_status, stocked_sku.listing_status) == (ListingStatus.LISTED, ListingStatus.LISTED)
        assert set(AuditEntry.objects.values_list("action", flat=True)) == {"product.list", "sku.list"}
    else:
        assert response.status_code == (302 if role in CATALOG_EDITORS else 403)
        assert product.listing_status == ListingStatus.DRAFT
        assert not AuditEntry.objects.exists()


@pytest.mark.parametrize("role", [*ALL_ROLES, "superuser"])
def test_admin_never_books_stock_by_hand(users, stocked_sku, role):
    user = User.objects.create_superuser("root", password="pw") if role == "superuser" else users[role]
    client = admin_client(user)
    balance = StockBalance.objects.get(sku=stocked_sku)
    move = StockMove.objects.get()

    added = client.post(
        "/admin/inventory/stockmove/add/",
        {"sku": stocked_sku.pk, "warehouse": balance.warehouse_id, "quantity": 5, "reason": "adjustment"},
    )
    edited = client.post(f"/admin/inventory/stockbalance/{balance.pk}/change/", {"on_hand": 999, "reserved": 0})
    deleted = client.post(f"/admin/inventory/stockmove/{move.pk}/delete/", {"post": "yes"})

    assert (added.status_code, edited.status_code, deleted.status_code) == (403, 403, 403)
    balance.refresh_from_db()
    assert (balance.on_hand, StockMove.objects.count()) == (10, 1)
    assert client.get("/admin/inventory/stockmove/").status_code == 200


@pytest.mark.parametrize("role", ALL_ROLES)
def test_admin_purchase_order_receiving(users, ordered_po, role):
    response = admin_client(users[role]).post(
        "/admin/inventory/purchaseorder/",
        {"action": "receive_open_quantities", "_selected_action": [ordered_po.pk]},
    )
    ordered_po.refresh_from_db()
    if role in STOCK_ROLES:
        assert response.status_code == 302
        assert ordered_po.status == PurchaseStatus.RECEIVED
        assert StockMove.objects.get().quantity == 10
    else:
        assert response.status_code == 403
        assert ordered_po.status == PurchaseStatus.ORDERED
        assert not StockMove.objects.exists()


@pytest.mark.parametrize("role", ALL_ROLES)
def test_admin_purchase_order_editing_needs_manage_purchasing(users, ordered_po, role):
    response = admin_client(users[role]).post(
        f"/admin/inventory/purchaseorder/{ordered_po.pk}/change/",
        {
            "expected_on": "",
            "note": "催货",
            "lines-TOTAL_FORMS": "0",
            "lines-INITIAL_FORMS": "0",
        },
    )
    ordered_po.refresh_from_db()
    if role in {"manager", "operator", "warehouse"}:
        assert response.status_code == 302
        assert ordered_po.note == "催货"
    else:
        assert response.status_code == 403
        assert ordered_po.note == ""


@pytest.mark.parametrize("role", ALL_ROLES)
def test_every_staff_role_reads_every_admin_list(users, stocked_sku, role):
    client = admin_client(users[role])
    for model in admin.site._registry:
        if model._meta.app_label not in roles.READ_APPS:
            continue
        url = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        assert client.get(url).status_code == 200, url


def test_each_user_sees_only_their_own_api_tokens(users):
    create_api_token(user=users["manager"], name="mine")
    create_api_token(user=users["operator"], name="theirs")
    page = admin_client(users["manager"]).get("/admin/core/apitoken/").content.decode()
    assert "mine" in page and "theirs" not in page


# ----- admin writes go through the services ---------------------------------------------------------------


def test_admin_add_product_and_sku_go_through_the_services(users, system):
    shop = ShopFactory(code="tm01")
    client = admin_client(users["operator"])
    response = client.post(
        "/admin/catalog/product/add/",
        {"shop": shop.pk, "code": "NEW", "title": "新款  连衣裙", "role": "profit", "category": ""},
    )
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    product = shop.products.get(code="NEW")
    assert product.title == "新款 连衣裙"  # normalised by the title rules
    response = client.post(
        "/admin/catalog/sku/add/",
        {
            "product": product.pk,
            "code": "NEW-M",
            "price": "129.00",
            "cost": "50.00",
            "weight_g": 300,
            "safety_stock": 5,
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    assert product.skus.get().shop == shop
    assert set(AuditEntry.objects.values_list("action", flat=True)) == {"product.create", "sku.create"}


def test_admin_refuses_a_title_over_the_limit_on_the_form(users):
    product = SkuFactory().product
    response = admin_client(users["copywriter"]).post(
        f"/admin/catalog/product/{product.pk}/change/", product_form(product, title="长" * 31)
    )
    assert response.status_code == 200
    assert "60" in response.context["adminform"].form.errors["title"][0]
    assert not AuditEntry.objects.exists()


def test_admin_listing_cannot_go_back_to_draft(users, stocked_sku):
    client = admin_client(users["manager"])
    client.post(f"/admin/catalog/sku/{stocked_sku.pk}/change/", sku_form(stocked_sku, listing_status="listed"))
    stocked_sku.refresh_from_db()
    assert stocked_sku.listing_status == ListingStatus.LISTED
    response = client.post(
        f"/admin/catalog/sku/{stocked_sku.pk}/change/", sku_form(stocked_sku, listing_status="draft")
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["listing_status"]
    stocked_sku.refresh_from_db()
    assert stocked_sku.listing_status == ListingStatus.LISTED


def test_admin_reports_a_refusal_of_the_service_without_changing_anything(users):
    product = ProductFactory()  # no SKUs: a service refuses to put it on sale
    client = admin_client(users["manager"])
    response = client.post(
        f"/admin/catalog/product/{product.pk}/change/",
        product_form(product, listing_status="listed", description="changed too"),
        follow=True,
    )
    product.refresh_from_db()
    assert (product.listing_status, product.description) == (ListingStatus.DRAFT, "")
    assert any("SKU" in str(m) for m in response.context["messages"])
    assert not AuditEntry.objects.exists()


@pytest.mark.parametrize("role", ALL_ROLES)
def test_every_staff_role_opens_the_detail_pages(users, ordered_po, stocked_sku, role):
    client = admin_client(users[role])
    move = StockMove.objects.get()
    for url in [
        f"/admin/catalog/product/{stocked_sku.product_id}/change/",
        f"/admin/catalog/sku/{stocked_sku.pk}/change/",
        f"/admin/inventory/purchaseorder/{ordered_po.pk}/change/",
        f"/admin/inventory/stockmove/{move.pk}/change/",
    ]:
        assert client.get(url).status_code == 200, url


# ----- the written matrix --------------------------------------------------------------------------------


def test_docs_permission_table_matches_the_matrix():
    doc = Path(__file__).resolve().parents[4] / "docs" / "permissions.md"
    if not doc.exists():
        pytest.skip("docs/ is not shipped with an installed package")
    rows = [line for line in doc.read_text(encoding="utf-8").splitlines() if line.startswith("|")]
    header = [cell.strip() for cell in rows[0].strip("|").split("|")]
    columns = {role: next(i for i, cell in enumerate(header) if role in cell) for role in roles.ROLES}
    found: dict[str, set[str]] = {role: set() for role in roles.ROLES}
    for line in rows[2:]:
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        match = re.search(r"`([a-z_]+\.[a-z_]+)`", cells[0])
        if not match or match.group(1) not in roles.CAPABILITIES:
            continue
        for role, column in columns.items():
            if cells[column].startswith("✓"):
                found[role].add(match.group(1))
    assert found == roles.ROLE_CAPABILITIES


@pytest.mark.parametrize("role", ["operator", "manager"])
def test_admin_shows_the_cost_read_only_to_whom_may_not_change_it(users, stocked_sku, role):
    """The operator may change the price, not the cost: the admin does not take a cost from the post."""
    response = admin_client(users[role]).post(
        f"/admin/catalog/sku/{stocked_sku.pk}/change/", sku_form(stocked_sku, cost="1.00")
    )
    assert response.status_code == 302
    stocked_sku.refresh_from_db()
    assert stocked_sku.cost == (Decimal("1.00") if role == "manager" else Decimal("40.00"))


def test_admin_lists_price_changes_read_only(users):
    client = admin_client(users["manager"])
    assert client.get("/admin/catalog/pricechange/").status_code == 200
    assert client.get("/admin/catalog/pricechange/add/").status_code == 403
