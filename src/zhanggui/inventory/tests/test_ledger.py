"""The stock ledger: moves, reservations, the auto-delist rule and the drift check."""

from __future__ import annotations

import pytest

from zhanggui.catalog import services as catalog
from zhanggui.catalog.models import DelistReason, ListingStatus
from zhanggui.catalog.tests.factories import ShopFactory, SkuFactory
from zhanggui.core.errors import PermissionDeniedError
from zhanggui.core.models import AuditEntry
from zhanggui.inventory import services
from zhanggui.inventory.errors import InsufficientStock, StockRuleBroken
from zhanggui.inventory.models import MoveReason, Reservation, StockBalance, StockMove
from zhanggui.inventory.tests.factories import WarehouseFactory

pytestmark = pytest.mark.django_db


def balance(sku, wh):
    b = StockBalance.objects.get(sku=sku, warehouse=wh)
    return b.on_hand, b.reserved


def test_receipt_books_a_move_and_the_cached_on_hand(manager):
    sku, wh = SkuFactory(), WarehouseFactory()
    move = services.book_move(
        actor=manager, sku=sku, warehouse=wh, quantity=12, reason=MoveReason.PURCHASE_RECEIPT, document="PO1"
    )
    assert (move.quantity, move.on_hand_after, move.on_hand_before, move.actor) == (12, 12, 0, manager)
    assert balance(sku, wh) == (12, 0)
    assert services.check_ledger() == []


def test_taking_out_more_than_is_free_is_refused_and_changes_nothing(manager):
    sku, wh = SkuFactory(), WarehouseFactory()
    services.book_move(actor=manager, sku=sku, warehouse=wh, quantity=5, reason=MoveReason.PURCHASE_RECEIPT)
    services.reserve(actor=manager, reference="o1", lines={sku.pk: 3})
    with pytest.raises(InsufficientStock) as err:
        services.adjust_stock(actor=manager, sku=sku, warehouse=wh, quantity=-3, note="damaged")
    assert (err.value.wanted, err.value.available) == (3, 2)
    assert balance(sku, wh) == (5, 3)
    assert StockMove.objects.count() == 1


def test_adjustment_needs_a_reason(manager):
    sku, wh = SkuFactory(), WarehouseFactory()
    with pytest.raises(StockRuleBroken):
        services.adjust_stock(actor=manager, sku=sku, warehouse=wh, quantity=2, note="  ")


def test_reserve_is_all_or_nothing_across_lines(manager):
    wh = WarehouseFactory()
    a, b = SkuFactory(), SkuFactory()
    services.book_move(actor=manager, sku=a, warehouse=wh, quantity=10, reason=MoveReason.PURCHASE_RECEIPT)
    services.book_move(actor=manager, sku=b, warehouse=wh, quantity=1, reason=MoveReason.PURCHASE_RECEIPT)
    with pytest.raises(InsufficientStock) as err:
        services.reserve(actor=manager, reference="o1", lines={a.pk: 4, b.pk: 2})
    assert err.value.sku_code == b.code
    assert balance(a, wh) == (10, 0)
    assert not Reservation.objects.exists()


def test_reserve_release_and_issue(manager):
    wh = WarehouseFactory()
    sku = SkuFactory()
    services.book_move(actor=manager, sku=sku, warehouse=wh, quantity=10, reason=MoveReason.PURCHASE_RECEIPT)
    services.reserve(actor=manager, reference="o1", lines={sku.pk: 4})
    services.reserve(actor=manager, reference="o2", lines=[(sku.pk, 1), (sku.pk, 2)])
    assert balance(sku, wh) == (10, 7)
    services.release(actor=manager, reference="o1")
    assert balance(sku, wh) == (10, 3)
    services.issue_reserved(actor=manager, reference="o2", document="SO-2")
    assert balance(sku, wh) == (7, 0)
    issue = StockMove.objects.get(reason=MoveReason.SALE_ISSUE)
    assert (issue.quantity, issue.document, issue.on_hand_after) == (-3, "SO-2", 7)
    assert services.check_ledger() == []


def test_priority_warehouse_first_then_the_next(manager):
    first, second = WarehouseFactory(priority=1), WarehouseFactory(priority=2)
    sku = SkuFactory()
    services.book_move(actor=manager, sku=sku, warehouse=first, quantity=2, reason=MoveReason.PURCHASE_RECEIPT)
    services.book_move(actor=manager, sku=sku, warehouse=second, quantity=9, reason=MoveReason.PURCHASE_RECEIPT)
    made = services.reserve(actor=manager, reference="o1", lines={sku.pk: 2})
    assert made[0].warehouse_id == first.pk
    made = services.reserve(actor=manager, reference="o2", lines={sku.pk: 1})
    assert made[0].warehouse_id == second.pk


def test_most_stock_choice(manager):
    first, second = WarehouseFactory(priority=1), WarehouseFactory(priority=2)
    shop = ShopFactory(warehouse_choice="most_stock")
    sku = SkuFactory(product__shop=shop)
    services.book_move(actor=manager, sku=sku, warehouse=first, quantity=3, reason=MoveReason.PURCHASE_RECEIPT)
    services.book_move(actor=manager, sku=sku, warehouse=second, quantity=9, reason=MoveReason.PURCHASE_RECEIPT)
    made = services.reserve(actor=manager, reference="o1", lines={sku.pk: 1}, shop=shop)
    assert made[0].warehouse_id == second.pk


def test_sku_goes_off_sale_at_zero_and_back_on_when_stock_returns(manager):
    wh = WarehouseFactory()
    sku = SkuFactory()
    other = SkuFactory(product=sku.product)
    services.book_move(actor=manager, sku=sku, warehouse=wh, quantity=1, reason=MoveReason.PURCHASE_RECEIPT)
    services.book_move(actor=manager, sku=other, warehouse=wh, quantity=1, reason=MoveReason.PURCHASE_RECEIPT)
    catalog.list_product(actor=manager, product=sku.product)
    services.reserve(actor=manager, reference="o1", lines={sku.pk: 1})
    sku.refresh_from_db()
    assert (sku.listing_status, sku.delist_reason) == (ListingStatus.DELISTED, DelistReason.OUT_OF_STOCK)
    sku.product.refresh_from_db()
    assert sku.product.listing_status == ListingStatus.LISTED  # the other SKU still sells

    services.reserve(actor=manager, reference="o2", lines={other.pk: 1})
    sku.product.refresh_from_db()
    assert (sku.product.listing_status, sku.product.delist_reason) == (
        ListingStatus.DELISTED,
        DelistReason.OUT_OF_STOCK,
    )
    services.release(actor=manager, reference="o1")
    sku.refresh_from_db()
    sku.product.refresh_from_db()
    assert sku.listing_status == ListingStatus.LISTED
    assert sku.product.listing_status == ListingStatus.LISTED
    assert AuditEntry.objects.filter(action="sku.delist", object_id=str(sku.pk)).exists()


def test_manual_delist_is_not_undone_by_stock(manager):
    wh = WarehouseFactory()
    sku = SkuFactory()
    services.book_move(actor=manager, sku=sku, warehouse=wh, quantity=1, reason=MoveReason.PURCHASE_RECEIPT)
    catalog.list_product(actor=manager, product=sku.product)
    catalog.delist_sku(actor=manager, sku=sku, reason=DelistReason.MANUAL)
    services.book_move(actor=manager, sku=sku, warehouse=wh, quantity=5, reason=MoveReason.PURCHASE_RECEIPT)
    sku.refresh_from_db()
    assert (sku.listing_status, sku.delist_reason) == (ListingStatus.DELISTED, DelistReason.MANUAL)


def test_check_ledger_finds_drift(manager):
    wh = WarehouseFactory()
    sku = SkuFactory()
    services.book_move(actor=manager, sku=sku, warehouse=wh, quantity=4, reason=MoveReason.PURCHASE_RECEIPT)
    StockBalance.objects.filter(sku=sku).update(on_hand=5)  # someone edited the cache behind our back
    drift = services.check_ledger()
    assert [(d.what, d.cached, d.ledger) for d in drift] == [("on_hand", 5, 4)]


@pytest.mark.parametrize("role", ["operator", "service", "designer", "copywriter"])
def test_only_manager_and_warehouse_book_stock(users, role):
    sku, wh = SkuFactory(), WarehouseFactory()
    with pytest.raises(PermissionDeniedError):
        services.book_move(actor=users[role], sku=sku, warehouse=wh, quantity=1, reason=MoveReason.PURCHASE_RECEIPT)
    assert not StockMove.objects.exists()
    services.book_move(actor=users["warehouse"], sku=sku, warehouse=wh, quantity=1, reason=MoveReason.PURCHASE_RECEIPT)
    assert StockMove.objects.count() == 1
