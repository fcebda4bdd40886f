"""Defective stock (次品仓): units in a warehouse with sellable=False are in the ledger and on hand, but nothing
reserves, allocates or sells them, and they are never available (listing sync, order review, the catalog, the
stock list, purchasing's reorder plan)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import translation

from zhanggui.catalog import services as catalog
from zhanggui.catalog.models import ListingStatus
from zhanggui.catalog.tests.factories import ProductFactory, ShopFactory, SkuFactory
from zhanggui.core.services import create_api_token
from zhanggui.inventory import lists, selectors, services
from zhanggui.inventory.errors import InsufficientStock, StockRuleBroken
from zhanggui.inventory.models import MoveReason, Reservation, StockBalance, Warehouse
from zhanggui.inventory.purchasing import selectors as purchasing_selectors
from zhanggui.inventory.tests.factories import WarehouseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def main(db):
    return WarehouseFactory(code="main", name="主仓", priority=1)


@pytest.fixture
def defective(db):
    return services.defective_warehouse()


@pytest.fixture
def sku(db):
    return SkuFactory(code="TEE-M")


def book(system, sku, warehouse, units):
    return services.book_move(
        actor=system, sku=sku, warehouse=warehouse, quantity=units, reason=MoveReason.PURCHASE_RECEIPT
    )


def test_the_defective_warehouse_is_made_once_and_never_sells(defective):
    assert (defective.code, defective.name, defective.sellable) == ("defective", "次品仓 Defective", False)
    assert services.defective_warehouse().pk == defective.pk
    assert Warehouse.objects.filter(code="defective").count() == 1


def test_a_sellable_warehouse_named_defective_is_refused_not_used(db):
    WarehouseFactory(code="defective", sellable=True)
    with pytest.raises(StockRuleBroken, match="sellable"):
        services.defective_warehouse()


def test_defective_units_are_on_hand_but_not_available(system, main, defective, sku):
    book(system, sku, main, 2)
    book(system, sku, defective, 5)
    assert selectors.stock_totals([sku.pk])[sku.pk] == (7, 0)
    assert selectors.available_by_sku([sku.pk])[sku.pk] == 2
    balance = StockBalance.objects.select_related("warehouse").get(sku=sku, warehouse=defective)
    assert (balance.on_hand, balance.available) == (5, 0)
    rows = {row.warehouse.code: row.available_units for row in lists.stock_rows().filter(sku=sku)}
    assert rows == {"main": 2, "defective": 0}
    assert services.check_ledger() == []


def test_reserve_never_takes_from_the_defective_warehouse(system, main, defective, sku):
    book(system, sku, main, 1)
    book(system, sku, defective, 5)
    with pytest.raises(InsufficientStock) as refused:
        services.reserve(actor=system, reference="order:1", lines={sku.pk: 2})
    assert refused.value.available == 1  # only the sellable unit counts
    with pytest.raises(StockRuleBroken, match="defective"):
        services.reserve(actor=system, reference="order:2", lines={sku.pk: 1}, warehouse=defective)
    made = services.reserve(actor=system, reference="order:3", lines={sku.pk: 1})
    assert [(r.warehouse_id, r.quantity) for r in made] == [(main.pk, 1)]
    assert not Reservation.objects.filter(warehouse=defective).exists()
    assert services.check_ledger() == []


def test_book_sales_skips_the_defective_warehouse(system, main, defective, sku):
    book(system, sku, defective, 5)
    outcomes = services.book_sales(actor=system, sales=[services.Sale("order:9", ((sku.pk, 1),), "T9")])
    assert isinstance(outcomes[0], InsufficientStock) and outcomes[0].available == 0
    book(system, sku, main, 1)
    assert services.book_sales(actor=system, sales=[services.Sale("order:10", ((sku.pk, 1),), "T10")]) == [None]
    assert StockBalance.objects.get(sku=sku, warehouse=defective).on_hand == 5
    assert StockBalance.objects.get(sku=sku, warehouse=main).on_hand == 0
    assert services.check_ledger() == []


def test_moving_the_last_sellable_units_to_defective_delists_the_sku(system, manager, main, defective):
    product = ProductFactory(shop=ShopFactory())
    sku = SkuFactory(product=product, code="CAP-RED")
    book(system, sku, main, 3)
    catalog.list_product(actor=manager, product=product, note="")
    sku.refresh_from_db()
    assert sku.listing_status == ListingStatus.LISTED
    services.transfer_stock(actor=system, sku=sku, source=main, destination=defective, quantity=3)
    sku.refresh_from_db()
    assert sku.listing_status == ListingStatus.DELISTED  # 3 on hand, none for sale
    book(system, sku, main, 1)
    sku.refresh_from_db()
    assert sku.listing_status == ListingStatus.LISTED


def test_the_catalog_counts_defective_units_on_hand_only(system, main, defective):
    product = ProductFactory()
    sku = SkuFactory(product=product)
    book(system, sku, main, 2)
    book(system, sku, defective, 4)
    found = selectors.products_with_stock(type(product).objects.filter(pk=product.pk)).get()
    assert (found.on_hand, found.available) == (6, 2)


def test_purchasing_never_restocks_the_defective_warehouse(system, defective, sku):
    book(system, sku, defective, 1)
    assert purchasing_selectors.default_warehouse() is None  # only the 次品仓 exists
    main = WarehouseFactory(code="main", priority=5)
    assert purchasing_selectors.default_warehouse() == main
    assert purchasing_selectors.short_warehouses([sku.pk]) == {sku.pk: main}


def test_the_api_shows_the_sellable_flag(manager, main, defective):
    _token, key = create_api_token(user=manager, name="t")
    rows = Client(headers={"Authorization": f"Bearer {key}"}).get("/api/v1/inventory/warehouses").json()
    assert {row["code"]: row["sellable"] for row in rows} == {"main": True, "defective": False}


def test_the_admin_lists_the_sellable_flag():
    from django.contrib import admin

    warehouse_admin = admin.site._registry[Warehouse]
    assert "sellable" in warehouse_admin.list_display and "sellable" in warehouse_admin.list_filter
