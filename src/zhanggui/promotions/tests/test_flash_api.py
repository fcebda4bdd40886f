"""The flash-sale API and admin: who may create and switch sales, buying (201 or a 409 with its code),
release and issue; refused requests change nothing."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from zhanggui.catalog.tests.factories import SkuFactory
from zhanggui.core.models import AuditEntry
from zhanggui.inventory import services as stock
from zhanggui.inventory.models import MoveReason, StockBalance, StockMove
from zhanggui.inventory.tests.factories import WarehouseFactory
from zhanggui.promotions.flash import services as flash
from zhanggui.promotions.models import FlashSale, FlashSaleBuyer, FlashSalePurchase
from zhanggui.promotions.tests.factories import FlashSaleFactory

pytestmark = pytest.mark.django_db

API = "/api/v1/promotions"
ALL_ROLES = ["manager", "operator", "service", "warehouse", "designer", "copywriter"]
SHANGHAI = ZoneInfo("Asia/Shanghai")


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def post(client: Client, url: str, data: dict | None = None):
    return client.post(url, data=data or {}, content_type="application/json")


@pytest.fixture
def sku(system):
    sku = SkuFactory(price=Decimal("99.00"))
    stock.book_move(
        actor=system, sku=sku, warehouse=WarehouseFactory(code="main"), quantity=10, reason=MoveReason.PURCHASE_RECEIPT
    )
    return sku


def sale_body(sku, **change) -> dict:
    now = timezone.now()
    return {
        "sku_id": sku.pk,
        "name": "零点秒杀",
        "price": "59.00",
        "stock_cap": 5,
        "per_buyer_cap": 2,
        "starts_at": (now - timedelta(minutes=5)).isoformat(),
        "ends_at": (now + timedelta(hours=1)).isoformat(),
        **change,
    }


# ----- creating and reading ------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ALL_ROLES)
def test_only_manager_and_operator_create_flash_sales(users, sku, role):
    response = post(client_for(users[role]), f"{API}/flash-sales", sale_body(sku))
    if role in {"manager", "operator"}:
        assert response.status_code == 201, response.content
        body = response.json()
        sale = FlashSale.objects.get()
        assert body == {
            "id": sale.pk,
            "shop": sku.shop.code,
            "sku_id": sku.pk,
            "sku": sku.code,
            "sku_price": "99.00",
            "name": "零点秒杀",
            "price": "59.00",
            "stock_cap": 5,
            "per_buyer_cap": 2,
            "sold": 0,
            "left": 5,
            "starts_at": body["starts_at"],
            "ends_at": body["ends_at"],
            "is_active": True,
            "status": "running",
            "promotion_id": None,
            "promotion": None,
            "created_at": body["created_at"],
        }
        assert AuditEntry.objects.get().action == "flash_sale.create"
    else:
        assert response.status_code == 403
        assert response.json()["code"] == "permission_denied"
        assert not FlashSale.objects.exists()
        assert not AuditEntry.objects.exists()


def test_a_time_without_offset_is_beijing_time(manager, sku):
    body = sale_body(sku, starts_at="2030-06-18T20:00:00", ends_at="2030-06-18T20:30:00", is_active=False)
    response = post(client_for(manager), f"{API}/flash-sales", body)
    assert response.status_code == 201, response.content
    sale = FlashSale.objects.get()
    assert sale.starts_at == datetime(2030, 6, 18, 20, 0, tzinfo=SHANGHAI)
    assert response.json()["status"] == "draft"


@pytest.mark.parametrize(
    ("change", "status", "code"),
    [
        ({"price": "99.00"}, 422, "invalid_flash_sale"),
        ({"price": 59}, 422, "invalid_input"),  # money is a string, never a JSON number
        ({"stock_cap": 0}, 422, "invalid_flash_sale"),
        ({"sku_id": 0}, 404, "not_found"),
        ({"prise": "59.00"}, 422, "invalid_input"),
    ],
)
def test_create_refusals_are_json_and_write_nothing(manager, sku, change, status, code):
    response = post(client_for(manager), f"{API}/flash-sales", sale_body(sku, **change))
    assert response.status_code == status, response.content
    assert response.json()["code"] == code
    assert not FlashSale.objects.exists()


@pytest.mark.parametrize("role", ALL_ROLES)
def test_every_role_reads_the_flash_sales(users, role):
    FlashSaleFactory()
    assert client_for(users[role]).get(f"{API}/flash-sales").status_code == 200


def test_list_filters_by_derived_status_in_a_fixed_number_of_queries(operator, django_assert_num_queries):
    now = timezone.now()
    running = [FlashSaleFactory() for _ in range(3)]
    FlashSaleFactory(starts_at=now + timedelta(hours=1), ends_at=now + timedelta(hours=2))  # scheduled
    FlashSaleFactory(is_active=False)  # draft
    client = client_for(operator)
    with django_assert_num_queries(3):  # session, the user with their language, the flash sales with shop and SKU
        response = client.get(f"{API}/flash-sales", {"status": "running"})
    assert sorted(row["id"] for row in response.json()) == sorted(s.pk for s in running)
    assert {row["status"] for row in response.json()} == {"running"}
    assert client.get(f"{API}/flash-sales", {"status": "nonsense"}).status_code == 422


@pytest.mark.parametrize("role", ALL_ROLES)
def test_switching_a_sale_on_and_off(users, role):
    sale = FlashSaleFactory()
    client = client_for(users[role])
    stopped = post(client, f"{API}/flash-sales/{sale.pk}/deactivate")
    sale.refresh_from_db()
    if role in {"manager", "operator"}:
        assert (stopped.status_code, stopped.json()["status"], sale.is_active) == (200, "draft", False)
        assert post(client, f"{API}/flash-sales/{sale.pk}/activate").json()["status"] == "running"
    else:
        assert (stopped.status_code, stopped.json()["code"], sale.is_active) == (403, "permission_denied", True)
        assert not AuditEntry.objects.exists()


# ----- buying --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ALL_ROLES)
def test_any_authenticated_caller_buys_as_the_system_user(users, sku, role):
    sale = FlashSaleFactory(sku=sku)
    body = {"buyer_ref": "tb_lily", "quantity": 2}
    response = post(client_for(users[role]), f"{API}/flash-sales/{sale.pk}/buy", body)
    assert response.status_code == 201, response.content
    purchase = FlashSalePurchase.objects.get()
    assert response.json() == {
        "id": purchase.pk,
        "flash_sale_id": sale.pk,
        "buyer_ref": "tb_lily",
        "quantity": 2,
        "reference": purchase.reference,
        "status": "held",
        "created_at": response.json()["created_at"],
        "closed_at": None,
    }
    assert sku.reservations.get().actor.username == "system"


def test_buy_without_credentials_is_401_and_takes_nothing(sku):
    sale = FlashSaleFactory(sku=sku)
    response = post(Client(), f"{API}/flash-sales/{sale.pk}/buy", {"buyer_ref": "tb_lily", "quantity": 1})
    assert (response.status_code, response.json()["code"]) == (401, "not_authenticated")
    assert not FlashSalePurchase.objects.exists()


def test_each_refusal_of_a_purchase_is_a_409_with_its_code(operator, system):
    sku = SkuFactory(price=Decimal("99.00"))
    stock.book_move(
        actor=system, sku=sku, warehouse=WarehouseFactory(code="main"), quantity=4, reason=MoveReason.PURCHASE_RECEIPT
    )
    sale = FlashSaleFactory(sku=sku, stock_cap=5, per_buyer_cap=2)
    client = client_for(operator)

    def buy(buyer_ref: str, quantity: int):
        return post(client, f"{API}/flash-sales/{sale.pk}/buy", {"buyer_ref": buyer_ref, "quantity": quantity})

    assert buy("a", 2).status_code == 201
    assert buy("b", 2).status_code == 201
    answers = {
        "buyer_limit_reached": buy("a", 1),
        "insufficient_stock": buy("c", 1),  # the cap has 1 left, the warehouse has none
        "flash_sale_sold_out": buy("c", 2),
    }
    FlashSale.objects.filter(pk=sale.pk).update(is_active=False)
    answers["flash_sale_closed"] = buy("c", 1)
    for code, response in answers.items():
        assert (response.status_code, response.json()["code"]) == (409, code), response.content
        assert response.json()["message"]
    sale.refresh_from_db()
    assert (sale.sold, FlashSalePurchase.objects.count(), StockBalance.objects.get(sku=sku).reserved) == (4, 2, 4)
    assert dict(FlashSaleBuyer.objects.values_list("buyer_ref", "quantity")) == {"a": 2, "b": 2}
    assert stock.check_ledger() == []


def test_refusal_messages_are_in_chinese_by_default(operator, sku):
    sale = FlashSaleFactory(sku=sku, per_buyer_cap=1)
    client = client_for(operator)
    post(client, f"{API}/flash-sales/{sale.pk}/buy", {"buyer_ref": "tb_lily", "quantity": 1})
    response = post(client, f"{API}/flash-sales/{sale.pk}/buy", {"buyer_ref": "tb_lily", "quantity": 1})
    assert response.json()["code"] == "buyer_limit_reached"
    assert "限购" in response.json()["message"]


# ----- release and issue ---------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ALL_ROLES)
def test_release_and_issue_need_book_stock(users, system, sku, role):
    sale = FlashSaleFactory(sku=sku)
    first = flash.buy_flash_sale(actor=system, flash_sale=sale, buyer_ref="tb_lily", quantity=1)
    second = flash.buy_flash_sale(actor=system, flash_sale=sale, buyer_ref="tb_zoe", quantity=1)
    client = client_for(users[role])
    released = post(client, f"{API}/flash-purchases/{first.pk}/release")
    issued = post(client, f"{API}/flash-purchases/{second.pk}/issue", {"document": "SF001"})
    sale.refresh_from_db()
    balance = StockBalance.objects.get(sku=sku)
    if role in {"manager", "warehouse"}:
        assert (released.status_code, released.json()["status"]) == (200, "released")
        assert (issued.status_code, issued.json()["status"]) == (200, "issued")
        assert (sale.sold, balance.on_hand, balance.reserved) == (1, 9, 0)
        assert StockMove.objects.get(reason=MoveReason.SALE_ISSUE).document == "SF001"
    else:
        assert (released.status_code, issued.status_code) == (403, 403)
        assert (sale.sold, balance.on_hand, balance.reserved) == (2, 10, 2)
        assert set(FlashSalePurchase.objects.values_list("status", flat=True)) == {"held"}
    assert stock.check_ledger() == []


def test_releasing_twice_is_a_409(warehouse_user, system, sku):
    sale = FlashSaleFactory(sku=sku)
    purchase = flash.buy_flash_sale(actor=system, flash_sale=sale, buyer_ref="tb_lily", quantity=1)
    client = client_for(warehouse_user)
    assert post(client, f"{API}/flash-purchases/{purchase.pk}/release").status_code == 200
    again = post(client, f"{API}/flash-purchases/{purchase.pk}/release")
    assert (again.status_code, again.json()["code"]) == (409, "flash_purchase_not_held")
    assert post(client, f"{API}/flash-purchases/999999/release").status_code == 404


def test_purchases_of_a_sale_filter_by_buyer(operator, system, sku):
    sale = FlashSaleFactory(sku=sku, per_buyer_cap=3)
    for buyer_ref in ["tb_lily", "tb_zoe", "tb_lily"]:
        flash.buy_flash_sale(actor=system, flash_sale=sale, buyer_ref=buyer_ref, quantity=1)
    response = client_for(operator).get(f"{API}/flash-sales/{sale.pk}/purchases", {"buyer_ref": "tb_lily"})
    assert [(row["buyer_ref"], row["quantity"]) for row in response.json()] == [("tb_lily", 1), ("tb_lily", 1)]


# ----- admin ---------------------------------------------------------------------------------------------


def admin_client(user) -> Client:
    User.objects.filter(pk=user.pk).update(is_staff=True)
    return client_for(user)


def test_admin_creates_a_flash_sale_through_the_service(users, sku):
    response = admin_client(users["operator"]).post(
        "/admin/promotions/flashsale/add/",
        {
            "sku": sku.pk,
            "name": "后台秒杀",
            "price": "49.00",
            "stock_cap": 8,
            "per_buyer_cap": 1,
            "starts_at_0": "2030-06-18",
            "starts_at_1": "20:00:00",
            "ends_at_0": "2030-06-18",
            "ends_at_1": "21:00:00",
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    sale = FlashSale.objects.get()
    assert (sale.shop, sale.price, sale.sold, sale.created_by) == (sku.shop, Decimal("49.00"), 0, users["operator"])
    assert sale.starts_at == datetime(2030, 6, 18, 20, 0, tzinfo=SHANGHAI)
    assert AuditEntry.objects.get().action == "flash_sale.create"


def test_admin_refuses_a_flash_price_at_the_skus_price(users, sku):
    admin_client(users["manager"]).post(
        "/admin/promotions/flashsale/add/",
        {
            "sku": sku.pk,
            "price": "99.00",
            "stock_cap": 8,
            "per_buyer_cap": 1,
            "starts_at_0": "2030-06-18",
            "starts_at_1": "20:00:00",
            "ends_at_0": "2030-06-18",
            "ends_at_1": "21:00:00",
        },
    )
    assert not FlashSale.objects.exists()
    assert not AuditEntry.objects.exists()


def test_admin_keeps_sold_and_the_caps_read_only_and_switches_through_the_service(users, system, sku):
    sale = FlashSaleFactory(sku=sku, stock_cap=5)
    flash.buy_flash_sale(actor=system, flash_sale=sale, buyer_ref="tb_lily", quantity=2)
    client = admin_client(users["manager"])
    page = client.get(f"/admin/promotions/flashsale/{sale.pk}/change/")
    assert set(page.context["adminform"].form.fields) == {"name", "is_active"}
    response = client.post(
        f"/admin/promotions/flashsale/{sale.pk}/change/", {"name": "改名", "sold": "0", "stock_cap": "99"}
    )
    assert response.status_code == 302
    sale.refresh_from_db()
    assert (sale.name, sale.is_active, sale.sold, sale.stock_cap) == ("改名", False, 2, 5)
    assert AuditEntry.objects.get().action == "flash_sale.deactivate"


@pytest.mark.parametrize("role", ["service", "warehouse"])
def test_admin_refuses_flash_sale_changes_without_manage_promotions(users, role):
    sale = FlashSaleFactory()
    response = admin_client(users[role]).post(f"/admin/promotions/flashsale/{sale.pk}/change/", {"name": "x"})
    assert response.status_code == 403
    sale.refresh_from_db()
    assert sale.name != "x"


@pytest.mark.parametrize("model", ["flashsalebuyer", "flashsalepurchase"])
def test_counters_and_purchases_are_read_only_in_the_admin_even_for_a_superuser(system, sku, model):
    sale = FlashSaleFactory(sku=sku)
    flash.buy_flash_sale(actor=system, flash_sale=sale, buyer_ref="tb_lily", quantity=1)
    boss = User.objects.create_superuser("boss", password="pw-boss")
    client = client_for(boss)
    row = (FlashSaleBuyer if model == "flashsalebuyer" else FlashSalePurchase).objects.get()
    assert client.get(f"/admin/promotions/{model}/").status_code == 200
    page = client.get(f"/admin/promotions/{model}/{row.pk}/change/")
    assert page.status_code == 200 and not page.context["adminform"].form.fields
    assert client.get(f"/admin/promotions/{model}/add/").status_code == 403
    assert client.post(f"/admin/promotions/{model}/{row.pk}/delete/", {"post": "yes"}).status_code == 403
