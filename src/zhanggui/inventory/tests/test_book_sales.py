"""book_sales: many sales booked at once leave the ledger exactly as reserve + issue_reserved sale by sale."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from zhanggui.catalog.models import ListingStatus, Sku, WarehouseChoice
from zhanggui.catalog.tests.factories import ShopFactory, SkuFactory
from zhanggui.core.errors import PermissionDeniedError
from zhanggui.inventory import services
from zhanggui.inventory.errors import InsufficientStock, InvalidReference, OutOfLimits
from zhanggui.inventory.models import MoveReason, Reservation, StockBalance, StockMove
from zhanggui.inventory.tests.factories import WarehouseFactory

pytestmark = pytest.mark.django_db

Sale = services.Sale


class _Undo(Exception):
    pass


def ledger() -> tuple[list, ...]:
    """What a booking may change, without ids and times."""
    return (
        list(
            StockBalance.objects.order_by("sku_id", "warehouse_id").values_list(
                "sku_id", "warehouse_id", "on_hand", "reserved"
            )
        ),
        list(
            StockMove.objects.filter(reason=MoveReason.SALE_ISSUE)
            .order_by("id")
            .values_list("sku_id", "warehouse_id", "quantity", "document", "on_hand_after", "actor_id")
        ),
        sorted(
            Reservation.objects.values_list("reference", "sku_id", "warehouse_id", "quantity", "status", "actor_id")
        ),
        list(Sku.objects.order_by("pk").values_list("pk", "listing_status")),
    )


def one_by_one(actor, sales, shop) -> tuple[list, tuple]:
    """The outcomes and the ledger of reserve + issue_reserved for each sale in turn, then undone."""
    outcomes: list = []
    try:
        with transaction.atomic():
            for sale in sales:
                try:
                    with transaction.atomic():
                        services.reserve(actor=actor, reference=sale.reference, lines=list(sale.lines), shop=shop)
                        services.issue_reserved(actor=actor, reference=sale.reference, document=sale.document)
                    outcomes.append(None)
                except InsufficientStock as exc:
                    outcomes.append((exc.sku_code, exc.wanted, exc.available, exc.message))
            after = ledger()
            raise _Undo
    except _Undo:
        pass
    return outcomes, after


@pytest.fixture
def stock(manager):
    """Two SKUs in two active warehouses and a closed one; a third SKU in one warehouse only."""
    shop = ShopFactory()
    first, second = WarehouseFactory(code="a", priority=1), WarehouseFactory(code="b", priority=2)
    closed = WarehouseFactory(code="z", priority=0, is_active=False)
    tee, cap, sock = (
        SkuFactory(shop=shop, code=code, listing_status=ListingStatus.LISTED) for code in ("TEE", "CAP", "SOCK")
    )
    for sku, warehouse, units in [
        (tee, first, 3), (tee, second, 5), (tee, closed, 9), (cap, first, 2), (cap, second, 2), (sock, second, 4),
    ]:  # fmt: skip
        services.book_move(
            actor=manager, sku=sku, warehouse=warehouse, quantity=units, reason=MoveReason.PURCHASE_RECEIPT
        )
    return shop, tee, cap, sock


@pytest.mark.parametrize("choice", [WarehouseChoice.PRIORITY, WarehouseChoice.MOST_STOCK])
def test_many_sales_at_once_book_what_one_by_one_would(manager, stock, choice):
    shop, tee, cap, sock = stock
    shop.warehouse_choice = choice
    shop.save()
    sales = [
        Sale("order:1", ((tee.pk, 2), (cap.pk, 1)), "T1"),
        Sale("order:2", ((tee.pk, 2), (tee.pk, 2)), "T2"),  # one SKU twice: one line of 4
        Sale("order:3", ((cap.pk, 3), (sock.pk, 1)), "T3"),  # no warehouse has 3 CAP: nothing booked
        Sale("order:4", ((sock.pk, 4),)),  # empties SOCK: taken off sale; the moves name the reference
        Sale("order:5", ((tee.pk, 5),), "T5"),  # 3 + 9 left, but not 5 in an active warehouse
        Sale("order:6", ((cap.pk, 2), (tee.pk, 1)), "T6"),
    ]
    expected_outcomes, expected = one_by_one(manager, sales, shop)

    outcomes = services.book_sales(actor=manager, sales=sales, shop=shop)

    assert [None if o is None else (o.sku_code, o.wanted, o.available, o.message) for o in outcomes] == (
        expected_outcomes
    )
    # By priority the second sale finds 4 TEE in warehouse b; by most stock the first took them from there.
    booked = (
        [True, True, False, True, False, True]
        if choice == WarehouseChoice.PRIORITY
        else [True, False, False, True, False, True]
    )
    assert [o is None for o in outcomes] == booked
    assert ledger() == expected
    assert Sku.objects.get(pk=sock.pk).listing_status == ListingStatus.DELISTED
    assert services.check_ledger() == []


def test_a_short_sku_is_named_once_however_many_sales_it_refuses(manager, stock, django_assert_num_queries):
    shop, tee, _cap, _sock = stock
    few = [Sale(f"order:{n}", ((tee.pk, 9),)) for n in range(2)]
    many = [Sale(f"order:{n}", ((tee.pk, 9),)) for n in range(40)]
    with CaptureQueriesContext(connection) as counted:
        outcomes = services.book_sales(actor=manager, sales=few, shop=shop)
    assert [(o.sku_code, o.wanted) for o in outcomes] == [("TEE", 9)] * 2
    with django_assert_num_queries(len(counted)):
        outcomes = services.book_sales(actor=manager, sales=many, shop=shop)
    assert [(o.sku_code, o.wanted) for o in outcomes] == [("TEE", 9)] * 40


def test_a_bad_request_books_nothing(manager, users, stock):
    _shop, tee, _cap, _sock = stock
    before = ledger()
    with pytest.raises(InvalidReference):
        services.book_sales(actor=manager, sales=[Sale("order:1", ((tee.pk, 1),)), Sale("bad ref", ((tee.pk, 1),))])
    with pytest.raises(OutOfLimits):
        services.book_sales(actor=manager, sales=[Sale("order:1", ((tee.pk, 10**9),))])
    with pytest.raises(PermissionDeniedError):
        services.book_sales(actor=users["operator"], sales=[Sale("order:1", ((tee.pk, 1),))])
    assert ledger() == before
