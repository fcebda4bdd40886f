"""Orders for tests: rows made directly (OrderFactory, OrderLineFactory) and what a platform reader gives
(parsed_order, parsed_line, parse_result), so importer tests need no file and no reader."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import factory

from zhanggui.catalog.models import Sku
from zhanggui.catalog.tests.factories import ShopFactory
from zhanggui.channels import records
from zhanggui.channels.records import ParsedLine, ParsedOrder, ParseResult, RowError
from zhanggui.core.services import system_user
from zhanggui.inventory import services as stock
from zhanggui.inventory.models import MoveReason, StockBalance, Warehouse
from zhanggui.orders.models import Order, OrderLine, OrderStatus, PlatformStatus

SHANGHAI = ZoneInfo("Asia/Shanghai")
PAID_AT = datetime(2026, 6, 18, 10, 30, tzinfo=SHANGHAI)


def parsed_line(sku_code: str = "TEE-M", quantity: int = 1, unit_price: str = "99.00", **fields: Any) -> ParsedLine:
    price = Decimal(unit_price)
    discount = Decimal(fields.pop("discount", "0.00"))
    values: dict[str, Any] = {
        "sub_order_id": "",
        "sku_code": sku_code,
        "title": "纯棉短袖T恤",
        "spec": "颜色:白;尺码:M",
        "quantity": quantity,
        "unit_price": price,
        "discount": discount,
        "paid": (price * quantity - discount).quantize(Decimal("0.01")),
        **fields,
    }
    return ParsedLine(**values)


def parsed_order(
    order_no: str = "T1001",
    *lines: ParsedLine,
    status: str = records.PAID,
    platform: str = records.TAOBAO,
    **fields: Any,
) -> ParsedOrder:
    """A paid Taobao order of one T-shirt unless told otherwise; paid_total is its lines plus postage."""
    lines = lines or (parsed_line(),)
    shipping_fee = Decimal(fields.pop("shipping_fee", "0.00"))
    values: dict[str, Any] = {
        "platform": platform,
        "order_no": order_no,
        "status": status,
        "status_text": {
            records.UNPAID: "等待买家付款",
            records.PAID: "买家已付款，等待卖家发货",
            records.SHIPPED: "卖家已发货，等待买家确认",
            records.COMPLETED: "交易成功",
            records.CLOSED: "交易关闭",
        }.get(status, status),
        "buyer_nick": "tb_lily",
        "receiver_name": "李丽",
        "receiver_phone": "13812345678",
        "province": "浙江省",
        "city": "杭州市",
        "district": "西湖区",
        "address": "文三路 100 号",
        "created_at": PAID_AT - timedelta(minutes=2),
        "paid_at": None if status == records.UNPAID else PAID_AT,
        "ship_by": None,
        "shipped_at": None,
        "shipping_fee": shipping_fee,
        "paid_total": sum((line.paid for line in lines), Decimal("0.00")) + shipping_fee,
        "buyer_note": "",
        "seller_note": "",
        "carrier": "",
        "tracking_no": "",
        "lines": tuple(lines),
        "file": "ExportOrderList.csv",
        "line": 2,
        **fields,
    }
    return ParsedOrder(**values)


def later(order: ParsedOrder, **fields: Any) -> ParsedOrder:
    """The same order as a later export shows it (status words follow the status)."""
    if "status" in fields and "status_text" not in fields:
        fields["status_text"] = parsed_order(status=fields["status"]).status_text
    return replace(order, **fields)


def parse_result(
    *orders: ParsedOrder, platform: str = records.TAOBAO, errors: tuple[RowError, ...] = ()
) -> ParseResult:
    return ParseResult(platform=platform, orders=list(orders), errors=list(errors))


class OrderFactory(factory.django.DjangoModelFactory):
    """A paid Taobao order, without lines (add OrderLineFactory rows, or import a parsed_order)."""

    class Meta:
        model = Order

    shop = factory.SubFactory(ShopFactory)
    platform = records.TAOBAO
    platform_order_no = factory.Sequence(lambda n: f"T{n:08d}")
    buyer_nick = "tb_lily"
    receiver_name = "李丽"
    receiver_phone = "13812345678"
    province = "浙江省"
    city = "杭州市"
    district = "西湖区"
    address = "文三路 100 号"
    paid_at = PAID_AT
    ship_by = PAID_AT + timedelta(hours=24)
    paid_total = Decimal("99.00")
    platform_status = PlatformStatus.PAID
    status = OrderStatus.PAID


class OrderLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrderLine

    order = factory.SubFactory(OrderFactory)
    sub_order_id = factory.Sequence(lambda n: f"S{n:08d}")
    sku = None
    sku_code = factory.LazyAttribute(lambda line: line.sku.code if line.sku else "")
    title = "纯棉短袖T恤"
    quantity = 1
    unit_price = Decimal("99.00")
    paid = factory.LazyAttribute(lambda line: line.unit_price * line.quantity)


def receive(sku: Sku, warehouse: Warehouse, units: int) -> None:
    stock.book_move(
        actor=system_user(), sku=sku, warehouse=warehouse, quantity=units, reason=MoveReason.PURCHASE_RECEIPT
    )


def levels(sku: Sku) -> tuple[int, int]:
    """(on hand, reserved) of the SKU over every warehouse."""
    rows = StockBalance.objects.filter(sku=sku).values_list("on_hand", "reserved")
    return sum(r[0] for r in rows), sum(r[1] for r in rows)
