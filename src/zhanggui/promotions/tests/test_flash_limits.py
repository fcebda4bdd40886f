"""Flash-sale numbers out of range: a buy or a sale with 10²⁰ or ±2⁶³ units is a 4xx with nothing written,
never an overflow in the database (the buy's statements carry the quantity as it is)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from zhanggui.catalog.tests.factories import SkuFactory
from zhanggui.core.errors import ValidationFailed
from zhanggui.inventory import limits
from zhanggui.inventory import services as stock
from zhanggui.inventory.models import MoveReason, Reservation, StockBalance, StockMove
from zhanggui.inventory.tests.factories import WarehouseFactory
from zhanggui.promotions.flash import services as flash
from zhanggui.promotions.flash.errors import InvalidFlashSale
from zhanggui.promotions.models import FlashSale, FlashSaleBuyer, FlashSalePurchase
from zhanggui.promotions.tests.factories import FlashSaleFactory

pytestmark = pytest.mark.django_db

API = "/api/v1/promotions"
HUGE = [10**20, 2**63, -(2**63), 2**62]


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


@pytest.fixture
def sale(sku):
    return FlashSaleFactory(sku=sku, stock_cap=5, per_buyer_cap=2)


def snapshot():
    return (
        list(FlashSale.objects.order_by("pk").values_list("pk", "sold")),
        list(FlashSaleBuyer.objects.order_by("pk").values_list("pk", "quantity")),
        list(FlashSalePurchase.objects.order_by("pk").values_list("pk", "status")),
        list(Reservation.objects.order_by("pk").values_list("pk", "status")),
        list(StockBalance.objects.order_by("pk").values_list("pk", "on_hand", "reserved")),
        StockMove.objects.count(),
    )


@pytest.mark.parametrize("quantity", [*HUGE, True, "1", 1.0, limits.MAX_LINE_QUANTITY + 1])
def test_api_buy_with_a_huge_or_non_integer_quantity_is_a_422(operator, sale, quantity):
    before = snapshot()
    response = post(
        client_for(operator), f"{API}/flash-sales/{sale.pk}/buy", {"buyer_ref": "tb_lily", "quantity": quantity}
    )
    assert response.status_code == 422, response.content
    assert response.json()["code"] == "invalid_input"
    assert snapshot() == before


@pytest.mark.parametrize("quantity", [*HUGE, True, 1.0, "1"])
def test_buying_a_huge_or_non_integer_quantity_is_refused_before_any_statement(system, sale, quantity):
    before = snapshot()
    with CaptureQueriesContext(connection) as queries, pytest.raises(ValidationFailed):
        flash.buy_flash_sale(actor=system, flash_sale=sale, buyer_ref="tb_lily", quantity=quantity)
    assert snapshot() == before
    assert not any(str(quantity) in q["sql"] and "UPDATE" in q["sql"] for q in queries.captured_queries)


def test_buying_more_than_the_sale_holds_is_still_sold_out(system, sale):
    with pytest.raises(Exception) as caught:
        flash.buy_flash_sale(actor=system, flash_sale=sale, buyer_ref="tb_lily", quantity=limits.MAX_LINE_QUANTITY)
    assert caught.value.code == "flash_sale_sold_out"


def sale_body(sku, **change) -> dict:
    now = timezone.now()
    return {
        "sku_id": sku.pk,
        "price": "59.00",
        "stock_cap": 5,
        "per_buyer_cap": 2,
        "starts_at": (now - timedelta(minutes=5)).isoformat(),
        "ends_at": (now + timedelta(hours=1)).isoformat(),
        **change,
    }


@pytest.mark.parametrize("field", ["stock_cap", "per_buyer_cap"])
@pytest.mark.parametrize("value", [*HUGE, True, limits.MAX_LINE_QUANTITY + 1])
def test_api_flash_sale_with_a_huge_cap_is_a_422(operator, sku, field, value):
    response = post(client_for(operator), f"{API}/flash-sales", sale_body(sku, **{field: value}))
    assert response.status_code == 422, response.content
    # a schema bound (invalid_input), or below 1: the service's rule of a sale (invalid_flash_sale)
    assert response.json()["code"] == ("invalid_flash_sale" if value == -(2**63) else "invalid_input")
    assert not FlashSale.objects.exists()


@pytest.mark.parametrize("field", ["stock_cap", "per_buyer_cap"])
@pytest.mark.parametrize("value", [*HUGE, True, limits.MAX_LINE_QUANTITY + 1])
def test_creating_a_flash_sale_with_a_huge_cap_is_refused(operator, sku, field, value):
    now = timezone.now()
    caps = {"stock_cap": 5, "per_buyer_cap": 2, field: value}
    with pytest.raises(InvalidFlashSale):
        flash.create_flash_sale(
            actor=operator,
            sku=sku,
            price="59.00",
            starts_at=now,
            ends_at=now + timedelta(hours=1),
            **caps,
        )
    assert not FlashSale.objects.exists()


@pytest.mark.parametrize("query", [f"sku_id={10**20}", f"sku_id={-(2**63)}", f"limit={10**20}"])
def test_api_flash_sale_list_with_huge_numbers_does_not_crash(operator, sale, query):
    response = client_for(operator).get(f"{API}/flash-sales?{query}")
    assert response.status_code in {200, 422}, response.content
    if response.status_code == 422:
        assert response.json()["code"] == "invalid_input"


@pytest.mark.parametrize("path", [f"flash-sales/{10**20}", f"flash-sales/{2**63}/purchases"])
def test_api_huge_flash_ids_are_a_404(operator, path):
    response = client_for(operator).get(f"{API}/{path}")
    assert (response.status_code, response.json()["code"]) == (404, "not_found")


@pytest.mark.parametrize("path", [f"flash-sales/{10**20}/buy", f"flash-purchases/{2**63}/release"])
def test_api_writes_to_huge_flash_ids_are_a_404(warehouse_user, path):
    response = post(client_for(warehouse_user), f"{API}/{path}", {"buyer_ref": "x", "quantity": 1})
    assert (response.status_code, response.json()["code"]) == (404, "not_found")
