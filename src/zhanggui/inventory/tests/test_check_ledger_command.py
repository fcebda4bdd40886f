"""`zhanggui check-ledger`: silent success with a count, every drift named, exit status 1 on drift."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.utils import translation

from zhanggui.catalog.tests.factories import SkuFactory
from zhanggui.inventory import services
from zhanggui.inventory.models import MoveReason, StockBalance
from zhanggui.inventory.tests.factories import WarehouseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def run():
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("check_ledger", stdout=out, stderr=err)
    except SystemExit as exc:
        return exc.code, out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


@pytest.fixture
def stock(manager):
    wh1, wh2 = WarehouseFactory(code="hz"), WarehouseFactory(code="gz")
    a, b = SkuFactory(code="A-1"), SkuFactory(code="B-2")
    for sku, wh, qty in ((a, wh1, 4), (a, wh2, 2), (b, wh1, 7)):
        services.book_move(actor=manager, sku=sku, warehouse=wh, quantity=qty, reason=MoveReason.PURCHASE_RECEIPT)
    services.reserve(actor=manager, reference="o1", lines={b.pk: 3})
    return a, b, wh1, wh2


def test_a_consistent_ledger_exits_0_with_the_number_checked(stock):
    assert run() == (0, "ledger OK: 3 balances checked\n", "")


def test_an_empty_database_is_consistent(db):
    assert run() == (0, "ledger OK: 0 balances checked\n", "")


def test_every_drift_is_printed_and_the_exit_status_is_1(stock):
    a, b, wh1, wh2 = stock
    StockBalance.objects.filter(sku=a, warehouse=wh2).update(on_hand=5)  # edited behind the ledger's back
    StockBalance.objects.filter(sku=b, warehouse=wh1).update(reserved=1)
    code, out, err = run()
    assert (code, out) == (1, "")
    assert err.splitlines() == [
        "A-1 @ gz: on hand is 5, the ledger says 2",
        "B-2 @ hz: reserved is 1, the ledger says 3",
        "ledger drift: 2 differences found",
    ]


def test_the_check_changes_nothing(stock):
    a, _b, _wh1, wh2 = stock
    StockBalance.objects.filter(sku=a, warehouse=wh2).update(on_hand=5)
    run()
    assert StockBalance.objects.get(sku=a, warehouse=wh2).on_hand == 5
