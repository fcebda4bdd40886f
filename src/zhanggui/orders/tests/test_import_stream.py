"""The import as a stream: batches store what one go would, a refusal found late still stores nothing, the
orders the platform shipped book their sales together exactly as services.follow_platform would, the reading
thread speaks the caller's language, and on PostgreSQL two imports of one file at once give each order once."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection, connections, transaction
from django.utils import translation

from zhanggui.catalog.models import Channel
from zhanggui.catalog.tests.factories import ProductFactory, ShopFactory, SkuFactory
from zhanggui.channels import records
from zhanggui.channels.records import ParseResult, RowError
from zhanggui.core.tests.rows import snapshot
from zhanggui.inventory import services as stock
from zhanggui.inventory.models import MoveReason, StockMove
from zhanggui.orders import import_store, imports, services
from zhanggui.orders.imports import import_orders
from zhanggui.orders.models import Order, OrderEvent
from zhanggui.orders.tests.factories import (
    PAID_AT,
    OrderFactory,
    OrderLineFactory,
    parse_result,
    parsed_line,
    parsed_order,
    receive,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def run(actor, shop, *orders, **kwargs):
    return import_orders(actor=actor, shop=shop, result=parse_result(*orders), **kwargs)


def state(shop) -> list[tuple]:
    rows = []
    for order in Order.objects.filter(shop=shop).order_by("platform_order_no"):
        lines = list(order.lines.order_by("position").values_list("sub_order_id", "sku__code", "quantity", "paid"))
        rows.append((order.platform_order_no, order.status, order.hold_kind, order.hold_reason, lines))
    return rows


def a_day(shop_code: str, wh):
    """A Taobao shop with TEE-M (10 units) and CAP (1 unit), and a day's orders of every kind for it."""
    shop = ShopFactory(code=shop_code, channel=Channel.TAOBAO)
    product = ProductFactory(shop=shop, code="P")
    for code, units in (("TEE-M", 10), ("CAP", 1)):
        receive(SkuFactory(product=product, shop=shop, code=code), wh, units)
    orders = [
        parsed_order("T1", parsed_line("TEE-M", 2)),
        parsed_order("T2", parsed_line("TEE-M", 1), parsed_line("CAP", 1), status=records.SHIPPED),
        parsed_order("T3", parsed_line("CAP", 1), status=records.SHIPPED),  # CAP is gone: held
        parsed_order("T4", status=records.CLOSED),
        parsed_order("T5", parsed_line("NEW", 1)),  # unknown 商家编码: held
        parsed_order("T6", status=records.UNPAID),
        parsed_order("T7", parsed_line("TEE-M", 3), status=records.COMPLETED),
    ]
    return shop, orders


# ----- batches ------------------------------------------------------------------------------------------------


def test_small_batches_store_what_one_batch_does(operator, wh, monkeypatch):
    whole_shop, orders = a_day("tb01", wh)
    whole = run(operator, whole_shop, *orders)
    monkeypatch.setattr(imports, "BATCH", 2)
    batched_shop, orders = a_day("tb02", wh)
    batched = run(operator, batched_shop, *orders)
    assert batched.as_dict() == whole.as_dict()
    assert (batched.orders_created, batched.held) == (7, 2)
    assert state(batched_shop) == state(whole_shop)
    assert stock.check_ledger() == []


def test_a_refused_order_after_stored_batches_stores_nothing(operator, wh, monkeypatch):
    monkeypatch.setattr(imports, "BATCH", 2)
    shop, orders = a_day("tb01", wh)
    before = snapshot()
    report = run(operator, shop, *orders, parsed_order("T8", parsed_line("TEE-M", 0), line=9))
    assert [(e.line, e.column, e.reason) for e in report.rejected] == [
        (9, "quantity", "0: a quantity is a whole number from 1 to 1000000")
    ]
    assert (report.orders_created, report.held, report.lines) == (0, 0, 9)
    assert snapshot() == before


def test_a_reader_refusal_found_after_stored_batches_stores_nothing(operator, wh, monkeypatch):
    monkeypatch.setattr(imports, "BATCH", 2)
    shop, orders = a_day("tb01", wh)
    late = RowError("ExportOrderDetailList.csv", 99, "购买数量", "abc is not a whole number.")

    def read(errors):
        yield from orders[:5]
        errors.append(late)  # the reader found it after giving five orders, two batches of them stored
        yield from orders[5:]

    before = snapshot()
    report = import_orders(actor=operator, shop=shop, result=ParseResult.streamed(records.TAOBAO, read))
    assert (report.rejected, report.orders_created) == ([late], 0)
    assert snapshot() == before


# ----- orders the platform shipped ------------------------------------------------------------------------------


def followed(operator, shop, parsed, skus) -> tuple:
    """What services.follow_platform makes of a new paid order holding `parsed`'s lines (rolled back)."""
    with transaction.atomic():
        order = OrderFactory(
            shop=shop, platform_order_no=parsed.order_no, platform_status=parsed.status, ship_by=PAID_AT
        )
        lines = [
            OrderLineFactory(order=order, sku=skus.get(line.sku_code), sku_code=line.sku_code, quantity=line.quantity)
            for line in parsed.lines
        ]
        events = services.follow_platform(actor=operator, order=order, lines=lines, at=PAID_AT + timedelta(hours=2))
        outcome = (
            order.status,
            order.hold_kind,
            order.hold_reason,
            order.release_to,
            order.stock_reserved,
            order.shipped_at is not None,
            [(event.from_status, event.to_status, event.reason) for event in events],
            sales(order.platform_order_no),
        )
        transaction.set_rollback(True)
    return outcome


def sales(document: str) -> list[tuple]:
    moves = StockMove.objects.filter(reason=MoveReason.SALE_ISSUE, document=document).order_by("sku__code")
    return list(moves.values_list("sku__code", "quantity", "on_hand_after", "actor"))


def imported(order_no: str) -> tuple:
    order = Order.objects.get(platform_order_no=order_no)
    events = OrderEvent.objects.filter(order=order).exclude(from_status="").order_by("id")
    return (
        order.status,
        order.hold_kind,
        order.hold_reason,
        order.release_to,
        order.stock_reserved,
        order.shipped_at is not None,
        list(events.values_list("from_status", "to_status", "reason")),
        sales(order_no),
    )


@pytest.mark.parametrize(
    "order",
    [
        parsed_order("T1", parsed_line("TEE-M", 2), status=records.SHIPPED),
        parsed_order("T2", parsed_line("TEE-M", 1), parsed_line("CAP", 1), status=records.COMPLETED),
        parsed_order("T3", parsed_line("CAP", 2), status=records.SHIPPED),  # 1 CAP: held, out of stock
        parsed_order("T4", parsed_line("TEE-M", 1), parsed_line("NEW", 1), status=records.SHIPPED),  # unknown
    ],
    ids=["shipped", "completed", "short", "unknown"],
)
def test_new_orders_shipped_on_the_platform_end_as_follow_platform_takes_them(operator, shop, stocked, order):
    skus = {"TEE-M": stocked("TEE-M", 10), "CAP": stocked("CAP", 1)}
    expected = followed(operator, shop, order, skus)
    run(operator, shop, order)
    assert imported(order.order_no) == expected
    assert stock.check_ledger() == []


def test_the_sales_of_a_files_shipped_orders_are_booked_in_file_order(operator, shop, stocked):
    cap = stocked("CAP", 3)
    orders = [parsed_order(f"T{i}", parsed_line("CAP", 2), status=records.SHIPPED) for i in range(1, 4)]
    report = run(operator, shop, *orders)
    assert (report.orders_created, report.held) == (3, 2)
    assert [status for _no, status, *_rest in state(shop)] == ["shipped", "on_hold", "on_hold"]
    assert sales("T1") == [("CAP", -2, 1, StockMove.objects.get(document="T1").actor_id)]
    assert cap.balances.get().on_hand == 1


# ----- the reading thread -------------------------------------------------------------------------------------


def taobao_pair(tmp_path, paid: str):
    orders = tmp_path / "ExportOrderList.csv"
    orders.write_text(f"订单编号,买家实际支付金额,订单状态\n1001,{paid},买家已付款，等待卖家发货\n", encoding="gbk")
    lines = tmp_path / "ExportOrderDetailList.csv"
    lines.write_text("订单编号,价格,购买数量,商家编码\n1001,50.00,1,TEE-M\n", encoding="gbk")
    return [(orders, orders.name), (lines, lines.name)]


@pytest.mark.parametrize(
    ("language", "reason"),
    [("en", "abc is not an amount in yuan with at most two decimals."), ("zh-hans", "abc 不是有效金额")],
)
def test_the_files_are_read_in_the_language_of_the_caller(operator, shop, tmp_path, language, reason):
    with translation.override(language):
        report = imports.import_files(actor=operator, shop=shop, files=taobao_pair(tmp_path, "abc"))
    assert [(e.line, e.column) for e in report.rejected] == [(2, "买家实际支付金额")]
    assert report.rejected[0].reason.startswith(reason)


def test_a_file_that_breaks_after_stored_batches_raises_stores_nothing_and_ends_its_reader(
    operator, shop, stocked, tmp_path, monkeypatch
):
    monkeypatch.setattr(imports, "BATCH", 100)
    stocked("TEE-M", 10)
    orders = tmp_path / "ExportOrderList.csv"
    rows = "".join(f"{1000 + n},50.00,买家已付款，等待卖家发货\n" for n in range(3000))  # > one block of 64 KiB
    orders.write_bytes(f"订单编号,买家实际支付金额,订单状态\n{rows}".encode("gbk") + b"9999,\xff\xfe,x\n")
    lines = tmp_path / "ExportOrderDetailList.csv"
    lines.write_text(
        "订单编号,价格,购买数量,商家编码\n" + "".join(f"{1000 + n},50.00,1,TEE-M\n" for n in range(3000)),
        encoding="gbk",
    )
    stored: list[int] = []
    store = import_store.Store.store
    monkeypatch.setattr(
        import_store.Store, "store", lambda self, batch: (stored.append(len(batch)), store(self, batch))
    )
    with pytest.raises(imports.channel_orders.TableError, match="not a text table in UTF-8 or GBK"):
        imports.import_files(actor=operator, shop=shop, files=[(orders, orders.name), (lines, lines.name)])
    assert stored[:2] == [100, 100]  # batches were stored before the bad bytes were read
    assert Order.objects.count() == 0
    assert not [thread for thread in threading.enumerate() if thread.name == "order-import-reader"]


# ----- two imports at once (PostgreSQL) ------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_same_file_imported_twice_at_once_gives_each_order_once(operator, shop, stocked):
    assert connection.vendor == "postgresql"
    stocked("TEE-M", 100)
    orders = [parsed_order(f"T{i}", parsed_line("TEE-M", 1), status=records.SHIPPED) for i in range(50)]
    barrier = threading.Barrier(2)
    reports: list[object] = [None, None]

    def work(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            reports[i] = run(operator, shop, *orders)
        except Exception as exc:
            reports[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted((r.orders_created, r.orders_unchanged) for r in reports) == [(0, 50), (50, 0)]
    assert Order.objects.filter(shop=shop).count() == 50
    assert -sum(StockMove.objects.filter(reason=MoveReason.SALE_ISSUE).values_list("quantity", flat=True)) == 50
    assert stock.check_ledger() == []
