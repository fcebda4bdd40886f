"""Flash sales (秒杀), the stock side: a purchase takes the sale's cap, the buyer's allowance and the SKU's stock
together or not at all; release gives all three back; issue ships the units. After every scenario the stock
ledger and the sale's counters add up."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from zhanggui.catalog.tests.factories import SkuFactory
from zhanggui.core.errors import PermissionDeniedError, ValidationFailed
from zhanggui.core.models import AuditEntry
from zhanggui.inventory import services as stock
from zhanggui.inventory.errors import InsufficientStock
from zhanggui.inventory.models import MoveReason, Reservation, ReservationStatus, StockBalance, StockMove
from zhanggui.inventory.tests.factories import WarehouseFactory
from zhanggui.promotions.flash import selectors
from zhanggui.promotions.flash import services as flash
from zhanggui.promotions.flash.errors import (
    BuyerLimitReached,
    FlashPurchaseNotHeld,
    FlashSaleClosed,
    FlashSaleSoldOut,
    InvalidFlashSale,
)
from zhanggui.promotions.models import (
    FlashSale,
    FlashSaleBuyer,
    FlashSalePurchase,
    FlashSaleStatus,
)
from zhanggui.promotions.tests.factories import FlashSaleFactory

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def wh():
    return WarehouseFactory(code="main", priority=1)


def stocked_sku(system, wh, units: int, price: str = "99.00"):
    sku = SkuFactory(price=Decimal(price))
    if units:
        stock.book_move(actor=system, sku=sku, warehouse=wh, quantity=units, reason=MoveReason.PURCHASE_RECEIPT)
    return sku


def state(sale: FlashSale) -> dict[str, object]:
    """Everything a purchase touches, read fresh from the database, and both consistency checks."""
    sale.refresh_from_db()
    balance = StockBalance.objects.filter(sku=sale.sku).first()
    return {
        "sold": sale.sold,
        "buyers": dict(FlashSaleBuyer.objects.filter(flash_sale=sale).values_list("buyer_ref", "quantity")),
        "purchases": sorted(
            FlashSalePurchase.objects.filter(flash_sale=sale).values_list("buyer_ref", "quantity", "status")
        ),
        "on_hand": balance.on_hand if balance else 0,
        "reserved": balance.reserved if balance else 0,
        "ledger_ok": stock.check_ledger() == [],
        "drift": selectors.flash_sale_drift(sale),
    }


def expected(sold: int, buyers: dict, purchases: list, on_hand: int, reserved: int) -> dict[str, object]:
    return {
        "sold": sold,
        "buyers": buyers,
        "purchases": sorted(purchases),
        "on_hand": on_hand,
        "reserved": reserved,
        "ledger_ok": True,
        "drift": [],
    }


# ----- creating ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["manager", "operator"])
def test_manager_and_operator_create_a_running_flash_sale(users, role):
    sku = SkuFactory(price=Decimal("99.00"))
    now = timezone.now()
    sale = flash.create_flash_sale(
        actor=users[role],
        sku=sku,
        name="618 零点秒杀",
        price="59.90",
        stock_cap=100,
        per_buyer_cap=2,
        starts_at=now - timedelta(minutes=1),
        ends_at=now + timedelta(hours=2),
    )
    sale.refresh_from_db()
    assert (sale.shop, sale.sku, sale.price, sale.stock_cap, sale.per_buyer_cap, sale.sold) == (
        sku.shop,
        sku,
        Decimal("59.90"),
        100,
        2,
        0,
    )
    assert (sale.status, sale.created_by) == (FlashSaleStatus.RUNNING, users[role])
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.object_id, entry.after["price"], entry.after["stock_cap"]) == (
        "flash_sale.create",
        str(sale.pk),
        "59.90",
        100,
    )


@pytest.mark.parametrize("role", ["service", "warehouse", "designer", "copywriter"])
def test_roles_without_manage_promotions_cannot_create_and_nothing_is_written(users, role):
    now = timezone.now()
    with pytest.raises(PermissionDeniedError) as refused:
        flash.create_flash_sale(
            actor=users[role],
            sku=SkuFactory(),
            price="59.00",
            stock_cap=10,
            per_buyer_cap=1,
            starts_at=now,
            ends_at=now + timedelta(hours=1),
        )
    assert (refused.value.code, refused.value.details) == (
        "permission_denied",
        {"permission": "promotions.manage_promotions"},
    )
    assert not FlashSale.objects.exists()
    assert not AuditEntry.objects.exists()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        pytest.param(lambda now: {"price": "99.00"}, "must be below the SKU's price 99.00", id="price-equal"),
        pytest.param(lambda now: {"price": "120.00"}, "must be below the SKU's price 99.00", id="price-above"),
        pytest.param(lambda now: {"price": "-1.00"}, "cannot be negative", id="price-negative"),
        pytest.param(lambda now: {"stock_cap": 0}, "at least one unit", id="no-stock"),
        pytest.param(lambda now: {"per_buyer_cap": 0}, "per-buyer cap must be at least 1", id="no-per-buyer"),
        pytest.param(lambda now: {"ends_at": now + timedelta(hours=1)}, "must end after it starts", id="empty"),
        pytest.param(lambda now: {"ends_at": now}, "must end after it starts", id="backwards"),
        pytest.param(
            lambda now: {"starts_at": now - timedelta(days=1), "ends_at": now - timedelta(hours=1)},
            "would already be over",
            id="past",
        ),
        pytest.param(
            lambda now: {"starts_at": datetime(2030, 1, 1, 20, 0)},  # noqa: DTZ001 — the naive value under test
            "time zone",
            id="naive",
        ),
    ],
)
def test_create_refuses_a_bad_price_cap_or_window(manager, change, message):
    now = timezone.now()
    args = {
        "price": "59.00",
        "stock_cap": 10,
        "per_buyer_cap": 1,
        "starts_at": now + timedelta(hours=1),
        "ends_at": now + timedelta(hours=3),
        **change(now),
    }
    with pytest.raises(InvalidFlashSale) as refused, translation.override("en"):
        flash.create_flash_sale(actor=manager, sku=SkuFactory(price=Decimal("99.00")), **args)
    assert refused.value.code == "invalid_flash_sale"
    assert message in refused.value.message
    assert not FlashSale.objects.exists()
    assert not AuditEntry.objects.exists()


# ----- status --------------------------------------------------------------------------------------------


def test_status_follows_the_window_and_the_switch():
    noon = datetime(2030, 6, 18, 12, 0, tzinfo=SHANGHAI)
    on = FlashSaleFactory(starts_at=noon, ends_at=noon + timedelta(hours=1), is_active=True)
    off = FlashSaleFactory(starts_at=noon, ends_at=noon + timedelta(hours=1), is_active=False)
    moments = {
        "before": noon - timedelta(seconds=1),
        "start": noon,
        "last second": noon + timedelta(minutes=59, seconds=59),
        "end": noon + timedelta(hours=1),
    }
    assert {name: on.status_at(at) for name, at in moments.items()} == {
        "before": "scheduled",
        "start": "running",
        "last second": "running",
        "end": "ended",
    }
    assert {name: off.status_at(at) for name, at in moments.items()} == {
        "before": "draft",
        "start": "draft",
        "last second": "draft",
        "end": "ended",
    }
    # The database filter of the list agrees with the model at every moment.
    for at in moments.values():
        for status in FlashSaleStatus.values:
            listed = set(selectors.flash_sales(status=status, at=at))
            assert listed == {s for s in (on, off) if s.status_at(at) == status}, (at, status)


def test_switching_a_sale_off_stops_buyers_and_is_audited(manager, system, wh):
    sale = FlashSaleFactory(sku=stocked_sku(system, wh, 10))
    flash.set_flash_sale_active(actor=manager, flash_sale=sale, is_active=False)
    with pytest.raises(FlashSaleClosed) as refused:
        flash.buy_flash_sale(actor=system, flash_sale=sale, buyer_ref="tb_lily", quantity=1)
    assert (refused.value.code, refused.value.details) == ("flash_sale_closed", {"status": "draft"})
    flash.set_flash_sale_active(actor=manager, flash_sale=sale, is_active=True)
    flash.buy_flash_sale(actor=system, flash_sale=sale, buyer_ref="tb_lily", quantity=1)
    assert list(AuditEntry.objects.order_by("id").values_list("action", flat=True)) == [
        "flash_sale.deactivate",
        "flash_sale.activate",
    ]
    assert state(sale) == expected(1, {"tb_lily": 1}, [("tb_lily", 1, "held")], on_hand=10, reserved=1)


def test_switching_needs_manage_promotions(users):
    sale = FlashSaleFactory()
    with pytest.raises(PermissionDeniedError):
        flash.set_flash_sale_active(actor=users["warehouse"], flash_sale=sale, is_active=False)
    sale.refresh_from_db()
    assert sale.is_active is True
    assert not AuditEntry.objects.exists()


# ----- buying --------------------------------------------------------------------------------------------


def test_a_purchase_takes_the_cap_the_allowance_and_the_stock(system, wh):
    sale = FlashSaleFactory(sku=stocked_sku(system, wh, 10), stock_cap=5, per_buyer_cap=3)
    purchase = flash.buy_flash_sale(actor=system, flash_sale=sale, buyer_ref="tb_lily", quantity=2)

    assert (purchase.buyer_ref, purchase.quantity, purchase.status, sale.sold) == ("tb_lily", 2, "held", 2)
    assert purchase.reference.startswith(f"FS{sale.pk}-")
    assert FlashSalePurchase.objects.get(pk=purchase.pk).reference == purchase.reference
    reservation = Reservation.objects.get(reference=purchase.reference)
    assert (reservation.sku_id, reservation.warehouse_id, reservation.quantity, reservation.status) == (
        sale.sku_id,
        wh.pk,
        2,
        ReservationStatus.ACTIVE,
    )
    assert state(sale) == expected(2, {"tb_lily": 2}, [("tb_lily", 2, "held")], on_hand=10, reserved=2)
    assert selectors.bought_by(sale, "tb_lily") == 2


@pytest.mark.parametrize(
    ("when", "is_active", "status"),
    [("before", True, "scheduled"), ("after", True, "ended"), ("inside", False, "draft")],
)
def test_outside_the_window_or_switched_off_nothing_is_taken(system, wh, when, is_active, status):
    noon = datetime(2030, 6, 18, 12, 0, tzinfo=SHANGHAI)
    sale = FlashSaleFactory(
        sku=stocked_sku(system, wh, 10), starts_at=noon, ends_at=noon + timedelta(hours=1), is_active=is_active
    )
    at = {"before": noon - timedelta(seconds=1), "after": noon + timedelta(hours=1), "inside": noon}[when]
    with pytest.raises(FlashSaleClosed) as refused:
        flash.buy_flash_sale(actor=system, flash_sale=sale, buyer_ref="tb_lily", quantity=1, at=at)
    assert (refused.value.code, refused.value.http_status, refused.value.details) == (
        "flash_sale_closed",
        409,
        {"status": status},
    )
    assert state(sale) == expected(0, {}, [], on_hand=10, reserved=0)
    # The same sale, inside its window and switched on, sells.
    FlashSale.objects.filter(pk=sale.pk).update(is_active=True)
    flash.buy_flash_sale(actor=system, flash_sale=sale, buyer_ref="tb_lily", quantity=1, at=noon)
    assert state(sale)["sold"] == 1


def test_the_stock_cap_is_never_exceeded(system, wh):
    sale = FlashSaleFactory(sku=stocked_sku(system, wh, 50), stock_cap=5, per_buyer_cap=5)
    flash.buy_flash_sale(actor=system, flash_sale=sale, buyer_ref="a", quantity=3)
    with pytest.raises(FlashSaleSoldOut) as refused:
        flash.buy_flash_sale(actor=system, flash_sale=sale, buyer_ref="b", quantity=3)
    assert (refused.value.code, refused.value.wanted, refused.value.left) == ("flash_sale_sold_out", 3, 2)
    assert state(sale) == expected(3, {"a": 3}, [("a", 3, "held")], on_hand=50, reserved=3)

    flash.buy_flash_sale(actor=system, flash_sale=sale, buyer_ref="b", quantity=2)
    with pytest.raises(FlashSaleSoldOut) as refused:
        flash.buy_flash_sale(actor=system, flash_sale=sale, buyer_ref="c", quantity=1)
    assert (refused.value.wanted, refused.value.left) == (1, 0)
    assert state(sale) == expected(5, {"a": 3, "b": 2}, [("a", 3, "held"), ("b", 2, "held")], on_hand=50, reserved=5)


def test_a_buyer_never_goes_over_the_per_buyer_cap(system, wh):
    sale = FlashSaleFactory(sku=stocked_sku(system, wh, 50), stock_cap=20, per_buyer_cap=2)
    flash.buy_flash_sale(actor=system, flash_sale=sale, buyer_ref="tb_lily", quantity=1)
    flash.buy_flash_sale(actor=system, flash_sale=sale, buyer_ref="tb_lily", quantity=1)
    with pytest.raises(BuyerLimitReached) as refused:
        flash.buy_flash_sale(actor=system, flash_sale=sale, buyer_ref="tb_lily", quantity=1)
    assert (refused.value.code, refused.value.bought, refused.value.cap, refused.value.wanted) == (
        "buyer_limit_reached",
        2,
        2,
        1,
    )
    # Asking for more than the cap at once leaves no counter row behind for a new buyer.
    with pytest.raises(BuyerLimitReached) as refused:
        flash.buy_flash_sale(actor=system, flash_sale=sale, buyer_ref="tb_max", quantity=3)
    assert (refused.value.bought, refused.value.wanted) == (0, 3)
    flash.buy_flash_sale(actor=system, flash_sale=sale, buyer_ref="tb_zoe", quantity=2)
    assert state(sale) == expected(
        4,
        {"tb_lily": 2, "tb_zoe": 2},
        [("tb_lily", 1, "held"), ("tb_lily", 1, "held"), ("tb_zoe", 2, "held")],
        on_hand=50,
        reserved=4,
    )


def test_a_stock_shortage_rolls_back_the_cap_and_the_allowance(system, wh):
    sale = FlashSaleFactory(sku=stocked_sku(system, wh, 3), stock_cap=10, per_buyer_cap=5)
    flash.buy_flash_sale(actor=system, flash_sale=sale, buyer_ref="tb_lily", quantity=2)
    with pytest.raises(InsufficientStock) as refused:
        flash.buy_flash_sale(actor=system, flash_sale=sale, buyer_ref="tb_lily", quantity=2)
    assert (refused.value.code, refused.value.wanted, refused.value.available) == ("insufficient_stock", 2, 1)
    with pytest.raises(InsufficientStock):
        flash.buy_flash_sale(actor=system, flash_sale=sale, buyer_ref="tb_new", quantity=2)
    assert state(sale) == expected(2, {"tb_lily": 2}, [("tb_lily", 2, "held")], on_hand=3, reserved=2)
    assert Reservation.objects.count() == 1


def test_buying_needs_book_stock_so_the_store_acts_as_the_system_user(users, system, wh):
    sale = FlashSaleFactory(sku=stocked_sku(system, wh, 10))
    with pytest.raises(PermissionDeniedError):
        flash.buy_flash_sale(actor=users["operator"], flash_sale=sale, buyer_ref="tb_lily", quantity=1)
    assert state(sale) == expected(0, {}, [], on_hand=10, reserved=0)


@pytest.mark.parametrize(("buyer_ref", "quantity"), [("tb_lily", 0), ("tb_lily", -1), ("  ", 1), ("x" * 65, 1)])
def test_a_purchase_needs_a_buyer_and_a_positive_quantity(system, wh, buyer_ref, quantity):
    sale = FlashSaleFactory(sku=stocked_sku(system, wh, 10))
    with pytest.raises(ValidationFailed):
        flash.buy_flash_sale(actor=system, flash_sale=sale, buyer_ref=buyer_ref, quantity=quantity)
    assert state(sale) == expected(0, {}, [], on_hand=10, reserved=0)


# ----- release and issue ---------------------------------------------------------------------------------


def test_release_gives_back_the_cap_the_allowance_and_the_stock(system, warehouse_user, wh):
    sale = FlashSaleFactory(sku=stocked_sku(system, wh, 10), stock_cap=2, per_buyer_cap=2)
    purchase = flash.buy_flash_sale(actor=system, flash_sale=sale, buyer_ref="tb_lily", quantity=2)

    released = flash.release_flash_purchase(actor=warehouse_user, purchase=purchase)

    assert (released.status, released.closed_at is not None) == ("released", True)
    assert Reservation.objects.get(reference=purchase.reference).status == ReservationStatus.RELEASED
    assert state(sale) == expected(0, {"tb_lily": 0}, [("tb_lily", 2, "released")], on_hand=10, reserved=0)
    # Everything is free again: the same buyer can take the whole cap once more.
    flash.buy_flash_sale(actor=system, flash_sale=sale, buyer_ref="tb_lily", quantity=2)
    assert state(sale) == expected(
        2, {"tb_lily": 2}, [("tb_lily", 2, "held"), ("tb_lily", 2, "released")], on_hand=10, reserved=2
    )


def test_a_purchase_is_released_only_once(system, wh):
    sale = FlashSaleFactory(sku=stocked_sku(system, wh, 10), stock_cap=5, per_buyer_cap=5)
    purchase = flash.buy_flash_sale(actor=system, flash_sale=sale, buyer_ref="tb_lily", quantity=2)
    flash.buy_flash_sale(actor=system, flash_sale=sale, buyer_ref="tb_lily", quantity=1)
    flash.release_flash_purchase(actor=system, purchase=purchase)
    with pytest.raises(FlashPurchaseNotHeld) as refused:
        flash.release_flash_purchase(actor=system, purchase=FlashSalePurchase.objects.get(pk=purchase.pk))
    assert (refused.value.code, refused.value.http_status) == ("flash_purchase_not_held", 409)
    assert state(sale) == expected(
        1, {"tb_lily": 1}, [("tb_lily", 1, "held"), ("tb_lily", 2, "released")], on_hand=10, reserved=1
    )


def test_issue_ships_the_units_with_a_sale_issue_move(system, warehouse_user, wh):
    sale = FlashSaleFactory(sku=stocked_sku(system, wh, 10), stock_cap=5, per_buyer_cap=2)
    purchase = flash.buy_flash_sale(actor=system, flash_sale=sale, buyer_ref="tb_lily", quantity=2)

    flash.issue_flash_purchase(actor=warehouse_user, purchase=purchase, document="SF1234567890")

    move = StockMove.objects.get(reason=MoveReason.SALE_ISSUE)
    assert (move.sku_id, move.warehouse_id, move.quantity, move.document, move.on_hand_after, move.actor) == (
        sale.sku_id,
        wh.pk,
        -2,
        "SF1234567890",
        8,
        warehouse_user,
    )
    assert Reservation.objects.get(reference=purchase.reference).status == ReservationStatus.ISSUED
    # Shipped units stay sold and stay counted against the buyer.
    assert state(sale) == expected(2, {"tb_lily": 2}, [("tb_lily", 2, "issued")], on_hand=8, reserved=0)
    with pytest.raises(FlashPurchaseNotHeld):
        flash.release_flash_purchase(actor=system, purchase=purchase)
    with pytest.raises(BuyerLimitReached):
        flash.buy_flash_sale(actor=system, flash_sale=sale, buyer_ref="tb_lily", quantity=1)
    assert state(sale) == expected(2, {"tb_lily": 2}, [("tb_lily", 2, "issued")], on_hand=8, reserved=0)


def test_issue_without_a_document_uses_the_reference(system, wh):
    sale = FlashSaleFactory(sku=stocked_sku(system, wh, 10))
    purchase = flash.buy_flash_sale(actor=system, flash_sale=sale, buyer_ref="tb_lily", quantity=1)
    flash.issue_flash_purchase(actor=system, purchase=purchase)
    assert StockMove.objects.get(reason=MoveReason.SALE_ISSUE).document == purchase.reference
    assert stock.check_ledger() == []


@pytest.mark.parametrize("action", ["release", "issue"])
@pytest.mark.parametrize("role", ["operator", "service"])
def test_release_and_issue_need_book_stock_and_change_nothing_when_refused(users, system, wh, action, role):
    sale = FlashSaleFactory(sku=stocked_sku(system, wh, 10))
    purchase = flash.buy_flash_sale(actor=system, flash_sale=sale, buyer_ref="tb_lily", quantity=1)
    service = flash.release_flash_purchase if action == "release" else flash.issue_flash_purchase
    with pytest.raises(PermissionDeniedError):
        service(actor=users[role], purchase=purchase)
    assert state(sale) == expected(1, {"tb_lily": 1}, [("tb_lily", 1, "held")], on_hand=10, reserved=1)


# ----- the database's own guard --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("model", "change"),
    [
        (FlashSale, {"sold": 11}),
        (FlashSale, {"per_buyer_cap": 0}),
        (FlashSale, {"price": Decimal("-0.01")}),
        (FlashSaleBuyer, {"quantity": -1}),
    ],
)
def test_the_database_refuses_counters_outside_their_bounds(system, wh, model, change):
    sale = FlashSaleFactory(sku=stocked_sku(system, wh, 10), stock_cap=10)
    flash.buy_flash_sale(actor=system, flash_sale=sale, buyer_ref="tb_lily", quantity=1)
    rows = FlashSale.objects.filter(pk=sale.pk) if model is FlashSale else FlashSaleBuyer.objects.all()
    with pytest.raises(IntegrityError), transaction.atomic():
        rows.update(**change)


def test_the_database_refuses_a_window_that_ends_before_it_starts():
    sale = FlashSaleFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        FlashSale.objects.filter(pk=sale.pk).update(ends_at=sale.starts_at)
