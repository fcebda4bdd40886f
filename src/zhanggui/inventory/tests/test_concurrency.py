"""Concurrent buyers never oversell: many PostgreSQL connections race for the last units of one SKU."""

from __future__ import annotations

import pytest
from django.db import connection

from zhanggui.catalog.tests.factories import SkuFactory
from zhanggui.core.services import system_user
from zhanggui.core.tests.races import race
from zhanggui.inventory import services
from zhanggui.inventory.errors import InsufficientStock
from zhanggui.inventory.models import MoveReason, Reservation, StockBalance
from zhanggui.inventory.tests.factories import WarehouseFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

CLIENTS = 24
LAST_UNITS = 7


def test_many_connections_reserving_the_last_units_never_oversell():
    assert connection.vendor == "postgresql"
    actor = system_user()
    wh = WarehouseFactory()
    sku = SkuFactory()
    services.book_move(actor=actor, sku=sku, warehouse=wh, quantity=LAST_UNITS, reason=MoveReason.PURCHASE_RECEIPT)

    results = race(CLIENTS, lambda i: services.reserve(actor=actor, reference=f"buyer-{i}", lines={sku.pk: 1}))

    won = [r for r in results if isinstance(r, list)]
    lost = [r for r in results if isinstance(r, InsufficientStock)]
    assert len(won) == LAST_UNITS
    assert len(lost) == CLIENTS - LAST_UNITS, [r for r in results if not isinstance(r, list | InsufficientStock)]
    assert all(e.code == "insufficient_stock" and e.available == 0 for e in lost)
    balance = StockBalance.objects.get(sku=sku, warehouse=wh)
    assert (balance.on_hand, balance.reserved) == (LAST_UNITS, LAST_UNITS)
    assert Reservation.objects.filter(sku=sku).count() == LAST_UNITS
    assert services.check_ledger() == []


def test_multi_line_requests_in_opposite_orders_do_not_deadlock_or_oversell():
    """Half the clients ask for (A, B), half for (B, A): fixed lock order means no deadlock, all-or-nothing."""
    actor = system_user()
    wh = WarehouseFactory()
    a, b = SkuFactory(), SkuFactory()
    services.book_move(actor=actor, sku=a, warehouse=wh, quantity=10, reason=MoveReason.PURCHASE_RECEIPT)
    services.book_move(actor=actor, sku=b, warehouse=wh, quantity=5, reason=MoveReason.PURCHASE_RECEIPT)

    def work(i: int):
        lines = [(a.pk, 1), (b.pk, 1)] if i % 2 else [(b.pk, 1), (a.pk, 1)]
        return services.reserve(actor=actor, reference=f"pair-{i}", lines=lines)

    results = race(16, work)
    won = [r for r in results if isinstance(r, list)]
    assert len(won) == 5
    assert all(isinstance(r, list | InsufficientStock) for r in results), results
    assert StockBalance.objects.get(sku=a).reserved == 5
    assert StockBalance.objects.get(sku=b).reserved == 5
    assert services.check_ledger() == []


def test_database_refuses_reserved_above_on_hand_even_outside_our_services():
    from django.db import IntegrityError

    actor = system_user()
    wh = WarehouseFactory()
    sku = SkuFactory()
    services.book_move(actor=actor, sku=sku, warehouse=wh, quantity=2, reason=MoveReason.PURCHASE_RECEIPT)
    with pytest.raises(IntegrityError):
        StockBalance.objects.filter(sku=sku).update(reserved=3)
