"""Allocations racing on PostgreSQL: many orders for the last units of one SKU never oversell, and the same
order allocated twice at once is reserved once."""

from __future__ import annotations

import pytest
from django.db import connection

from zhanggui.catalog.tests.factories import ProductFactory, ShopFactory, SkuFactory
from zhanggui.core.services import system_user
from zhanggui.core.tests.races import race
from zhanggui.inventory import services as stock
from zhanggui.inventory.models import Reservation, ReservationStatus, StockBalance
from zhanggui.inventory.tests.factories import WarehouseFactory
from zhanggui.orders import services
from zhanggui.orders.errors import InvalidTransition
from zhanggui.orders.models import HoldKind, Order, OrderStatus
from zhanggui.orders.tests.factories import OrderFactory, OrderLineFactory, receive

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

CLIENTS = 12
LAST_UNITS = 5


@pytest.fixture
def scarce():
    assert connection.vendor == "postgresql"
    shop = ShopFactory(code="tb01", channel="taobao")
    warehouse = WarehouseFactory(code="main", priority=1)
    sku = SkuFactory(product=ProductFactory(shop=shop), shop=shop, code="LAST")
    receive(sku, warehouse, LAST_UNITS)
    return shop, sku


def test_many_allocations_over_the_last_units_never_oversell(scarce):
    shop, sku = scarce
    actor = system_user()
    orders = []
    for _ in range(CLIENTS):
        order = OrderFactory(shop=shop)
        OrderLineFactory(order=order, sku=sku, quantity=1)
        orders.append(order)

    results = race(CLIENTS, lambda i: services.allocate(actor=actor, order=orders[i]))

    assert all(isinstance(result, Order) for result in results), [r for r in results if not isinstance(r, Order)]
    statuses = list(Order.objects.filter(shop=shop).values_list("status", "hold_kind"))
    assert statuses.count((OrderStatus.ALLOCATED, "")) == LAST_UNITS
    assert statuses.count((OrderStatus.ON_HOLD, HoldKind.OUT_OF_STOCK)) == CLIENTS - LAST_UNITS
    balance = StockBalance.objects.get(sku=sku)
    assert (balance.on_hand, balance.reserved) == (LAST_UNITS, LAST_UNITS)
    assert Reservation.objects.filter(sku=sku, status=ReservationStatus.ACTIVE).count() == LAST_UNITS
    assert stock.check_ledger() == []


def test_the_same_order_allocated_at_once_is_reserved_once(scarce):
    shop, sku = scarce
    actor = system_user()
    order = OrderFactory(shop=shop)
    OrderLineFactory(order=order, sku=sku, quantity=2)

    results = race(4, lambda i: services.allocate(actor=actor, order=order))

    assert sum(isinstance(result, Order) for result in results) == 1
    assert all(isinstance(result, Order | InvalidTransition) for result in results), results
    assert StockBalance.objects.get(sku=sku).reserved == 2
    assert Reservation.objects.filter(reference=f"order:{order.pk}", status=ReservationStatus.ACTIVE).count() == 1
    assert stock.check_ledger() == []


def test_two_waves_made_at_once_take_each_order_once(scarce):
    from zhanggui.inventory.models import Warehouse
    from zhanggui.orders import waves
    from zhanggui.orders.errors import OrderRuleBroken
    from zhanggui.orders.models import Wave, WaveOrder

    shop, sku = scarce
    actor = system_user()
    orders = []
    for _ in range(LAST_UNITS):
        order = OrderFactory(shop=shop)
        OrderLineFactory(order=order, sku=sku, quantity=1)
        orders.append(services.allocate(actor=actor, order=order))
    warehouse = Warehouse.objects.get(code="main")

    results = race(2, lambda i: waves.create_wave(actor=actor, warehouse=warehouse))

    assert all(isinstance(result, Wave | OrderRuleBroken) for result in results), results
    linked = list(WaveOrder.objects.values_list("order_id", flat=True))
    assert sorted(linked) == sorted(order.pk for order in orders)  # every order in one wave, none in two
    assert set(Order.objects.filter(shop=shop).values_list("status", flat=True)) == {OrderStatus.PICKING}
    assert StockBalance.objects.get(sku=sku).reserved == LAST_UNITS
    assert stock.check_ledger() == []


def test_the_same_file_imported_twice_at_once_gives_each_order_once(scarce):
    from zhanggui.channels import records
    from zhanggui.orders import imports
    from zhanggui.orders.models import OrderLine
    from zhanggui.orders.tests.factories import parse_result, parsed_line, parsed_order

    shop, sku = scarce
    result = parse_result(
        *(parsed_order(f"T{n}", parsed_line("LAST", 1), status=records.PAID) for n in range(20)),
        *(parsed_order(f"S{n}", parsed_line("LAST", 1), status=records.SHIPPED) for n in range(3)),
    )
    actor = system_user()

    reports = race(2, lambda i: imports.import_orders(actor=actor, shop=shop, result=result))

    assert all(isinstance(report, imports.ImportReport) for report in reports), reports
    assert sorted(report.orders_created for report in reports) == [0, 23]
    assert Order.objects.filter(shop=shop).count() == 23
    assert OrderLine.objects.filter(order__shop=shop).count() == 23
    assert StockBalance.objects.get(sku=sku).on_hand == LAST_UNITS - 3  # the shipped ones booked once
    assert stock.check_ledger() == []
