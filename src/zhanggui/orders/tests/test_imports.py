"""Storing what the readers give: all or nothing, idempotent, following later exports (closed, shipped), unknown
商家编码 held, unpaid orders outside the queue, totals to the fen, bulk queries."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import translation

from zhanggui.catalog.models import Channel
from zhanggui.catalog.tests.factories import ShopFactory
from zhanggui.channels import records
from zhanggui.channels.records import RowError
from zhanggui.core.errors import PermissionDeniedError
from zhanggui.core.models import AuditEntry
from zhanggui.core.tests.rows import snapshot
from zhanggui.inventory import services as stock
from zhanggui.inventory.models import MoveReason, Reservation, ReservationStatus, StockMove
from zhanggui.orders import selectors, services
from zhanggui.orders.imports import import_orders
from zhanggui.orders.models import HoldKind, Order, OrderEvent, OrderLine, OrderSettings, OrderStatus
from zhanggui.orders.tests.factories import PAID_AT, later, levels, parse_result, parsed_line, parsed_order, receive

pytestmark = pytest.mark.django_db

S = OrderStatus


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def run(actor, shop, *orders, **kwargs):
    return import_orders(actor=actor, shop=shop, result=parse_result(*orders), **kwargs)


def state(shop) -> list[tuple]:
    """Every order of the shop with its lines: what an import may change."""
    rows = []
    for order in Order.objects.filter(shop=shop).order_by("platform_order_no"):
        lines = list(order.lines.order_by("position").values_list("sub_order_id", "sku__code", "quantity", "paid"))
        rows.append((order.platform_order_no, order.status, order.platform_status, order.hold_reason, lines))
    return rows


def sale_units(sku) -> int:
    return -sum(StockMove.objects.filter(sku=sku, reason=MoveReason.SALE_ISSUE).values_list("quantity", flat=True))


# ----- a first import -----------------------------------------------------------------------------------


def test_a_first_import_stores_orders_lines_and_the_promise(operator, shop, stocked):
    tee, cap = stocked("TEE-M", 10), stocked("CAP", 10)
    first = parsed_order("T1001", parsed_line("TEE-M", 2), parsed_line("CAP", 1, "39.90"), shipping_fee="8.00")
    second = parsed_order("T1002", parsed_line("TEE-M", 1, sub_order_id="S-9"))

    report = run(operator, shop, first, second)

    assert report.as_dict() == {
        "orders_created": 2,
        "orders_updated": 0,
        "orders_unchanged": 0,
        "lines": 3,
        "units": 4,
        "paid_total": "344.90",
        "held": 0,
        "rejected": [],
    }
    order = Order.objects.get(platform_order_no="T1001")
    assert (order.shop, order.platform, order.status, order.platform_status) == (shop, "taobao", S.PAID, "paid")
    assert (order.paid_total, order.shipping_fee) == (Decimal("245.90"), Decimal("8.00"))
    assert order.ship_by == PAID_AT + timedelta(hours=24)
    assert (order.receiver_phone, order.masked_phone) == ("13812345678", "138****5678")
    assert list(order.lines.values_list("sub_order_id", "sku", "quantity", "unit_price", "paid")) == [
        ("T1001:TEE-M", tee.pk, 2, Decimal("99.00"), Decimal("198.00")),
        ("T1001:CAP", cap.pk, 1, Decimal("39.90"), Decimal("39.90")),
    ]
    assert Order.objects.get(platform_order_no="T1002").lines.get().sub_order_id == "S-9"
    assert list(OrderEvent.objects.filter(order=order).values_list("from_status", "to_status", "reason", "actor")) == [
        ("", S.PAID, "imported from ExportOrderList.csv:2", operator.pk)
    ]
    assert levels(tee) == (10, 0)  # an import reserves nothing: allocation does
    assert AuditEntry.objects.get(action="orders.import").note == "ExportOrderList.csv"


def test_the_shops_promise_and_the_platforms_own_deadline(operator, shop, stocked):
    stocked("TEE-M")
    OrderSettings.objects.create(shop=shop, promise_hours=12)
    deadline = PAID_AT + timedelta(hours=30)
    run(operator, shop, parsed_order("A"), parsed_order("B", ship_by=deadline))
    assert Order.objects.get(platform_order_no="A").ship_by == PAID_AT + timedelta(hours=12)
    assert Order.objects.get(platform_order_no="B").ship_by == deadline


def test_lines_without_a_sub_order_id_are_named_by_order_and_code_numbered_when_a_code_repeats(operator, shop):
    order = parsed_order(
        "T7", parsed_line("X"), parsed_line("X", 2), parsed_line(""), parsed_line("Y", sub_order_id="77")
    )
    run(operator, shop, order)
    assert list(OrderLine.objects.order_by("position").values_list("sub_order_id", flat=True)) == [
        "T7:X",
        "T7:X#2",
        "T7:3",
        "77",
    ]


def test_totals_are_exact_to_the_fen(operator, shop):
    orders = [parsed_order(f"T{i}", parsed_line("A", 1, "0.10"), parsed_line("B", 1, "0.20")) for i in range(10)]
    report = run(operator, shop, *orders)
    assert report.paid_total == Decimal("3.00")
    assert sum(Order.objects.values_list("paid_total", flat=True)) == Decimal("3.00")
    assert report.as_dict()["paid_total"] == "3.00"


# ----- idempotent --------------------------------------------------------------------------------------------


def test_the_same_file_twice_changes_nothing(operator, shop, stocked):
    stocked("TEE-M", 5)
    orders = [
        parsed_order("T1", parsed_line("TEE-M", 2), buyer_note="请尽快发货\n谢谢", address="文三路\u200b100号"),
        parsed_order("T2", parsed_line("GONE", 1)),
        parsed_order("T3", status=records.UNPAID),
        parsed_order("T4", status=records.SHIPPED, carrier="中通", tracking_no="ZT1"),
        parsed_order("T5", status=records.CLOSED),
        parsed_order("T6", parsed_line("TEE-M", 1, title="x" * 400)),
    ]
    first = run(operator, shop, *orders)
    before, events, moves = state(shop), OrderEvent.objects.count(), StockMove.objects.count()
    updated = list(Order.objects.order_by("pk").values_list("updated_at", flat=True))

    again = run(operator, shop, *orders)

    assert (first.orders_created, again.orders_created, again.orders_updated, again.orders_unchanged) == (6, 0, 0, 6)
    assert (again.held, first.held) == (1, 1)
    assert state(shop) == before
    assert (OrderEvent.objects.count(), StockMove.objects.count()) == (events, moves)
    assert list(Order.objects.order_by("pk").values_list("updated_at", flat=True)) == updated
    assert AuditEntry.objects.filter(action="orders.import").count() == 1


def test_a_later_export_updates_what_changed(operator, shop, stocked):
    stocked("TEE-M", 5)
    order = parsed_order("T1", seller_note="")
    run(operator, shop, order)
    report = run(operator, shop, later(order, seller_note="送小样", address="文一路 8 号"))
    assert (report.orders_updated, report.orders_unchanged) == (1, 0)
    stored = Order.objects.get()
    assert (stored.seller_note, stored.address, stored.status) == ("送小样", "文一路 8 号", S.PAID)
    assert OrderEvent.objects.filter(order=stored).last().reason == (
        "updated from ExportOrderList.csv:2: address, seller_note"
    )


# ----- following the platform --------------------------------------------------------------------------------


def test_closed_on_the_platform_cancels_and_releases_the_reservation(operator, warehouse_user, shop, stocked):
    tee = stocked("TEE-M", 5)
    order = parsed_order("T1", parsed_line("TEE-M", 2))
    run(operator, shop, order)
    stored = Order.objects.get()
    services.allocate(actor=warehouse_user, order=stored)
    assert levels(tee) == (5, 2)

    report = run(operator, shop, later(order, status=records.CLOSED))

    stored.refresh_from_db()
    assert (report.orders_updated, stored.status, stored.stock_reserved) == (1, S.CANCELLED, False)
    assert levels(tee) == (5, 0)
    assert OrderEvent.objects.filter(order=stored).last().reason == "closed on the platform: 交易关闭"
    assert stock.check_ledger() == []


def test_shipped_on_the_platform_issues_the_reservation_of_an_allocated_order(
    operator, warehouse_user, system, shop, stocked
):
    tee = stocked("TEE-M", 5)
    order = parsed_order("T1", parsed_line("TEE-M", 2))
    run(operator, shop, order)
    services.allocate(actor=warehouse_user, order=Order.objects.get())

    run(operator, shop, later(order, status=records.SHIPPED, carrier="中通", tracking_no="ZT9", shipped_at=PAID_AT))

    stored = Order.objects.get()
    assert (stored.status, stored.carrier, stored.tracking_no, stored.shipped_at) == (S.SHIPPED, "中通", "ZT9", PAID_AT)
    assert levels(tee) == (3, 0)
    assert Reservation.objects.get(reference=f"order:{stored.pk}").status == ReservationStatus.ISSUED
    # The operator does not book stock: the ledger names the system user, the timeline the operator.
    assert StockMove.objects.get(reason=MoveReason.SALE_ISSUE).actor == system
    assert OrderEvent.objects.filter(order=stored).last().actor == operator
    assert stock.check_ledger() == []


def test_shipped_on_the_platform_without_allocation_reserves_and_issues(operator, shop, stocked):
    tee = stocked("TEE-M", 5)
    order = parsed_order("T1", parsed_line("TEE-M", 2))
    run(operator, shop, order)
    run(operator, shop, later(order, status=records.COMPLETED))
    stored = Order.objects.get()
    assert stored.status == S.COMPLETED
    assert [(a, b) for a, b in OrderEvent.objects.filter(order=stored).values_list("from_status", "to_status")] == [
        ("", S.PAID),
        (S.PAID, S.PAID),
        (S.PAID, S.SHIPPED),
        (S.SHIPPED, S.COMPLETED),
    ]
    assert (levels(tee), sale_units(tee)) == ((3, 0), 2)
    assert stock.check_ledger() == []


def test_shipped_on_the_platform_while_short_holds_the_order_instead_of_failing(operator, users, shop, stocked, wh):
    tee, cap = stocked("TEE-M", 5), stocked("CAP", 1)
    order = parsed_order("T1", parsed_line("TEE-M", 2), parsed_line("CAP", 3))
    other = parsed_order("T2", parsed_line("TEE-M", 1))
    run(operator, shop, order, other)

    report = run(operator, shop, later(order, status=records.SHIPPED), later(other, status=records.SHIPPED))

    assert (report.orders_updated, report.held) == (2, 1)
    held = Order.objects.get(platform_order_no="T1")
    assert (held.status, held.hold_kind, held.release_to) == (S.ON_HOLD, HoldKind.OUT_OF_STOCK, S.SHIPPED)
    assert held.hold_reason == (
        "shipped on the platform, but its sale cannot be booked: out of stock: SKU CAP: 3 wanted, 1 available"
    )
    assert Order.objects.get(platform_order_no="T2").status == S.SHIPPED
    assert (levels(tee), levels(cap)) == ((4, 0), (1, 0))

    receive(cap, wh, 2)  # the stock that really left is found: release books the sale
    services.release_hold(actor=users["service"], order=held)
    held.refresh_from_db()
    assert held.status == S.SHIPPED
    assert (levels(tee), levels(cap)) == ((2, 0), (0, 0))
    assert stock.check_ledger() == []


def test_an_order_first_seen_shipped_books_its_sale(operator, shop, stocked):
    tee = stocked("TEE-M", 5)
    report = run(operator, shop, parsed_order("T1", parsed_line("TEE-M", 2), status=records.SHIPPED))
    assert (report.orders_created, Order.objects.get().status) == (1, S.SHIPPED)
    assert sale_units(tee) == 2


def test_an_order_first_seen_closed_is_stored_cancelled_without_stock(operator, shop, stocked):
    tee = stocked("TEE-M", 5)
    run(operator, shop, parsed_order("T1", parsed_line("TEE-M", 2), status=records.CLOSED))
    assert Order.objects.get().status == S.CANCELLED
    assert (levels(tee), sale_units(tee)) == ((5, 0), 0)


def test_the_platform_shipping_an_order_we_shipped_issues_nothing_more(operator, warehouse_user, shop, stocked):
    tee = stocked("TEE-M", 5)
    order = parsed_order("T1", parsed_line("TEE-M", 2))
    run(operator, shop, order)
    services.ship(actor=warehouse_user, order=Order.objects.get(), carrier="顺丰", tracking_no="SF1")
    run(operator, shop, later(order, status=records.SHIPPED, carrier="顺丰", tracking_no="SF1"))
    run(operator, shop, later(order, status=records.COMPLETED, carrier="顺丰", tracking_no="SF1"))
    assert Order.objects.get().status == S.COMPLETED
    assert sale_units(tee) == 2


def test_closed_after_shipping_is_after_sales_not_a_cancellation(operator, warehouse_user, shop, stocked):
    tee = stocked("TEE-M", 5)
    order = parsed_order("T1", parsed_line("TEE-M", 2))
    run(operator, shop, order)
    services.ship(actor=warehouse_user, order=Order.objects.get(), carrier="顺丰", tracking_no="SF1")
    run(operator, shop, later(order, status=records.CLOSED))
    stored = Order.objects.get()
    assert (stored.status, stored.platform_status) == (S.SHIPPED, "closed")
    assert sale_units(tee) == 2


def test_the_platform_changing_an_allocated_orders_lines_releases_and_holds_it(operator, warehouse_user, shop, stocked):
    tee = stocked("TEE-M", 5)
    order = parsed_order("T1", parsed_line("TEE-M", 2))
    run(operator, shop, order)
    services.allocate(actor=warehouse_user, order=Order.objects.get())
    run(operator, shop, later(order, lines=(parsed_line("TEE-M", 3),)))
    stored = Order.objects.get()
    assert (stored.status, stored.hold_kind, stored.release_to, stored.stock_reserved) == (
        S.ON_HOLD,
        HoldKind.LINES_CHANGED,
        S.REVIEWED,
        False,
    )
    assert levels(tee) == (5, 0)
    assert stored.lines.get().quantity == 3


# ----- unknown SKUs, unpaid orders -------------------------------------------------------------------------


def test_an_unknown_code_holds_the_order_with_a_reason_and_a_later_import_resumes_it(operator, shop, stocked):
    stocked("TEE-M", 5)
    order = parsed_order("T1", parsed_line("TEE-M", 1), parsed_line("NEW-RED", 1))
    report = run(operator, shop, order)
    stored = Order.objects.get()
    assert (report.orders_created, report.held, report.rejected) == (1, 1, [])
    assert (stored.status, stored.hold_kind, stored.release_to) == (S.ON_HOLD, HoldKind.UNKNOWN_SKU, S.PAID)
    assert stored.hold_reason == "商家编码 NEW-RED is not in the catalog"
    assert list(stored.lines.values_list("sku_code", "sku__code")) == [("TEE-M", "TEE-M"), ("NEW-RED", None)]

    stocked("NEW-RED", 2)
    again = run(operator, shop, order)
    stored.refresh_from_db()
    assert (again.orders_updated, again.held, stored.status, stored.hold_reason) == (1, 0, S.PAID, "")
    assert OrderEvent.objects.filter(order=stored).last().reason == "every 商家编码 is in the catalog now"


def test_unpaid_orders_are_stored_outside_the_queue_until_paid(operator, shop, stocked):
    stocked("TEE-M", 5)
    order = parsed_order("T1", status=records.UNPAID)
    run(operator, shop, order)
    stored = Order.objects.get()
    assert (stored.status, stored.paid_at, stored.ship_by) == (S.UNPAID, None, None)
    assert list(selectors.queue(shop=shop)) == []

    run(operator, shop, later(order, status=records.PAID, paid_at=PAID_AT))
    stored.refresh_from_db()
    assert (stored.status, stored.ship_by) == (S.PAID, PAID_AT + timedelta(hours=24))
    assert list(selectors.queue(shop=shop)) == [stored]


# ----- all or nothing -----------------------------------------------------------------------------------------


def test_any_row_error_from_the_reader_stores_nothing(operator, shop, stocked):
    stocked("TEE-M", 5)
    error = RowError("ExportOrderDetailList.csv", 7, "购买数量", "购买数量 is not a whole number")
    before = snapshot()
    report = import_orders(
        actor=operator, shop=shop, result=parse_result(parsed_order("T1"), parsed_order("T2"), errors=(error,))
    )
    assert not report.ok
    assert report.as_dict()["rejected"] == [
        {
            "file": "ExportOrderDetailList.csv",
            "line": 7,
            "column": "购买数量",
            "reason": "购买数量 is not a whole number",
        }
    ]
    assert (report.orders_created, Order.objects.count()) == (0, 0)
    assert snapshot() == before


@pytest.mark.parametrize(
    ("order", "column", "reason"),
    [
        (
            parsed_order("T\u202e1"),
            "order_no",
            "invisible or control character U+202E RIGHT-TO-LEFT OVERRIDE at position 2",
        ),
        (parsed_order(""), "order_no", "no order number"),
        (parsed_order("T1", parsed_line("A", 0)), "quantity", "0: a quantity is a whole number from 1 to 1000000"),
        (parsed_order("T1", parsed_line("A", 1, "1.005")), "unit_price", "1.005 has more than two decimals"),
        (parsed_order("T1", shipping_fee="-1.00"), "shipping_fee", "-1.00: an amount must not be negative"),
        (parsed_order("T1", lines=()), "lines", "order T1 has no lines"),
        (parsed_order("T1", status="lost"), "status", "unknown status lost"),
        (parsed_order("T1", platform=records.JD), "platform", "a jd order in a taobao upload"),
        (
            parsed_order("T1", parsed_line("A", sub_order_id="S1"), parsed_line("B", sub_order_id="S1", line=9)),
            "sub_order_id",
            "sub-order S1 is also on line 2",
        ),
    ],
)
def test_our_own_refusals_store_nothing(operator, shop, order, column, reason):
    good = parsed_order("T0")
    report = run(operator, shop, good, order)
    assert [(e.column, e.reason) for e in report.rejected] == [(column, reason)]
    assert Order.objects.count() == 0


def test_the_same_order_twice_in_an_upload_is_refused(operator, shop):
    report = run(operator, shop, parsed_order("T1", line=2), parsed_order("T1", line=5))
    assert [(e.line, e.column, e.reason) for e in report.rejected] == [(5, "order_no", "order T1 is also on line 2")]


def test_a_platforms_file_goes_only_into_a_shop_of_that_platform(operator):
    jd_shop = ShopFactory(code="jd01", channel=Channel.JD)
    report = run(operator, jd_shop, parsed_order("T1"))
    assert [e.reason for e in report.rejected] == ["A Taobao / Tmall export cannot go into shop jd01, a JD shop."]
    assert Order.objects.count() == 0
    ok = import_orders(
        actor=operator,
        shop=jd_shop,
        result=parse_result(parsed_order("T1", platform=records.ZHANGGUI), platform=records.ZHANGGUI),
    )
    assert (ok.ok, ok.orders_created) == (True, 1)


def test_a_dry_run_reports_exactly_and_stores_nothing(operator, shop, stocked):
    stocked("TEE-M", 1)
    orders = [parsed_order("T1", parsed_line("TEE-M", 3), status=records.SHIPPED), parsed_order("T2")]
    before = snapshot()
    dry = run(operator, shop, *orders, dry_run=True)
    assert snapshot() == before and Order.objects.count() == 0
    real = run(operator, shop, *orders)
    assert {**dry.as_dict()} == real.as_dict()
    assert (dry.dry_run, dry.orders_created, dry.held) == (True, 2, 1)


@pytest.mark.parametrize("role", ["service", "warehouse", "designer", "copywriter"])
def test_importing_needs_the_import_capability(users, shop, role):
    with pytest.raises(PermissionDeniedError):
        run(users[role], shop, parsed_order("T1"))
    assert Order.objects.count() == 0


# ----- bulk ---------------------------------------------------------------------------------------------------


def test_the_number_of_queries_does_not_grow_with_the_orders(operator, shop, stocked, django_assert_max_num_queries):
    for code in ("A", "B", "C"):
        stocked(code, 1000)

    def orders(n: int, start: int = 0):
        return [
            parsed_order(f"T{i}", parsed_line("A", 1), parsed_line("B", 2), parsed_line("C" if i % 2 else "D", 1))
            for i in range(start, start + n)
        ]

    run(operator, shop, *orders(5))  # the system user, the settings: made once
    with django_assert_max_num_queries(15):
        run(operator, shop, *orders(20, 100))
    # 200 orders, 600 lines: a few batched statements per table (SQLite binds at most 999 values a statement)
    with django_assert_max_num_queries(40):
        run(operator, shop, *orders(200, 1000))
    with django_assert_max_num_queries(10):
        report = run(operator, shop, *orders(200, 1000))
    assert report.orders_unchanged == 200
