"""Our own order file (CSV or XLSX): one row per order line, the order's columns repeated on each of its lines.

It is what `export-orders` writes (rows() below), so an export reads back as the same orders. Headers are
written in English (the first name of each column) and read in English or Chinese; the columns, their rules and
an example are in docs/orders-import.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from zhanggui.channels.common import (
    Cells,
    OrderFields,
    Seen,
    StatusWords,
    merged,
    order_fields_agree,
)
from zhanggui.channels.records import (
    CLOSED,
    COMPLETED,
    PAID,
    PLATFORM_STATUSES,
    SHIPPED,
    UNPAID,
    ZHANGGUI,
    ParsedLine,
    ParsedOrder,
    ParseResult,
)
from zhanggui.core.money import fmt_money
from zhanggui.core.tabular import Column, FileSource, read_table

COLUMNS: tuple[Column, ...] = (
    Column("order_no", ("order_no", "订单号"), required=True),
    Column("sub_order_id", ("sub_order_id", "子订单号")),
    Column("status", ("status", "订单状态"), required=True),
    Column("created_at", ("created_at", "下单时间")),
    Column("paid_at", ("paid_at", "付款时间")),
    Column("ship_by", ("ship_by", "最晚发货时间")),
    Column("shipped_at", ("shipped_at", "发货时间")),
    Column("buyer", ("buyer", "买家", "buyer_nick")),
    Column("receiver_name", ("receiver_name", "收货人")),
    Column("receiver_phone", ("receiver_phone", "收货人电话")),
    Column("province", ("province", "省")),
    Column("city", ("city", "市")),
    Column("district", ("district", "区")),
    Column("address", ("address", "详细地址")),
    Column("sku_code", ("sku_code", "商家编码")),
    Column("title", ("title", "商品标题")),
    Column("spec", ("spec", "规格")),
    Column("quantity", ("quantity", "数量"), required=True),
    Column("unit_price", ("unit_price", "单价"), required=True),
    Column("discount", ("discount", "优惠")),
    Column("paid", ("paid", "实付")),
    Column("refund_status", ("refund_status", "退款状态")),
    Column("shipping_fee", ("shipping_fee", "运费")),
    Column("paid_total", ("paid_total", "订单实付")),
    Column("buyer_note", ("buyer_note", "买家留言")),
    Column("seller_note", ("seller_note", "卖家备注")),
    Column("carrier", ("carrier", "快递公司")),
    Column("tracking_no", ("tracking_no", "快递单号")),
)
LINE_KEYS = ("sub_order_id", "sku_code", "title", "spec", "quantity", "unit_price", "discount", "paid", "refund_status")
ORDER_KEYS = tuple(column.key for column in COLUMNS if column.key not in (*LINE_KEYS, "order_no"))
SIGNATURE: tuple[Column, ...] = tuple(
    Column(column.key, column.names, required=True)
    for column in COLUMNS
    if column.key in ("order_no", "quantity", "unit_price")
)

#: Written as the English word; the Chinese words are read too.
STATUS_WORDS = StatusWords(
    {
        **{status: status for status in PLATFORM_STATUSES},
        "待付款": UNPAID,
        "已付款": PAID,
        "待发货": PAID,
        "已发货": SHIPPED,
        "已完成": COMPLETED,
        "已关闭": CLOSED,
    }
)


@dataclass
class _Order:
    first: Cells
    rows: list[OrderFields] = field(default_factory=list)
    lines: list[ParsedLine] = field(default_factory=list)
    ok: bool = True
    paid_total_given: bool = False


def read(*, file: FileSource, filename: str = "") -> ParseResult:
    """Every order of the file with its lines; every bad row in the result's errors.

    Raises core.tabular.TableError when the file cannot be read at all.
    """
    result = ParseResult(platform=ZHANGGUI)
    table = read_table(file=file, filename=filename, columns=COLUMNS)
    found: dict[str, _Order] = {}
    seen = Seen()
    for row in table:
        cells = Cells(table, row, result.errors)
        order_no = cells.order_no("order_no")
        sub_id = cells.code("sub_order_id")
        what = _("Sub-order %(no)s") % {"no": sub_id}
        if order_no and sub_id and not seen.check((order_no, sub_id), cells, key="sub_order_id", what=what):
            if not cells.ok and order_no in found:  # not a mere repeat: the order cannot be read either
                found[order_no].ok = False
            continue
        line = _line(cells, sub_id)
        values = _order_fields(cells)
        if not order_no:
            continue
        order = found.get(order_no)
        if order is None:
            order = found[order_no] = _Order(first=cells)
        else:
            order_fields_agree(cells, order.first.row, ORDER_KEYS)
        order.rows.append(values)
        order.paid_total_given = order.paid_total_given or bool(cells.raw("paid_total"))
        if line is not None:
            order.lines.append(line)
        order.ok = order.ok and cells.ok

    for order_no, order in found.items():
        if not order.ok:
            continue
        values = merged(order.rows)
        if not values.status:
            order.first.fail("status", _("Required; fill it on at least the first line of each order."))
            continue
        if not order.paid_total_given:
            values.paid_total = sum((line.paid for line in order.lines), values.shipping_fee)
        result.orders.append(
            values.order(
                platform=ZHANGGUI, order_no=order_no, lines=order.lines, file=table.filename, line=order.first.line
            )
        )
    result.errors.sort(key=lambda error: error.line)
    return result


def _line(cells: Cells, sub_id: str) -> ParsedLine | None:
    quantity = cells.quantity("quantity")
    unit_price = cells.money("unit_price", required=True)
    discount = cells.money("discount")
    amount = unit_price * quantity
    if discount > amount:
        cells.fail(
            "discount",
            _("%(discount)s is more than the line's price × quantity (%(amount)s).")
            % {"discount": fmt_money(discount), "amount": fmt_money(amount)},
        )
    paid = amount - discount
    if cells.raw("paid"):
        errors = len(cells.errors)
        given = cells.money("paid")
        if len(cells.errors) == errors and given != paid:  # a cell that is no amount is reported once
            cells.fail(
                "paid",
                _("%(paid)s differs from unit price × quantity − discount (%(expected)s).")
                % {"paid": fmt_money(given), "expected": fmt_money(paid)},
            )
    if not cells.ok:
        return None
    return ParsedLine(
        sub_order_id=sub_id,
        sku_code=cells.code("sku_code"),
        title=cells.text("title"),
        spec=cells.text("spec"),
        quantity=quantity,
        unit_price=unit_price,
        discount=discount,
        paid=paid,
        refund_status=cells.text("refund_status"),
        line=cells.line,
    )


def _order_fields(cells: Cells) -> OrderFields:
    # Order columns may be left empty on an order's later lines (merged cells): required on one line only.
    status, status_text = cells.status("status", STATUS_WORDS, required=False)
    return OrderFields(
        status=status,
        status_text=status_text,
        buyer_nick=cells.text("buyer"),
        receiver_name=cells.text("receiver_name"),
        receiver_phone=cells.code("receiver_phone"),
        province=cells.text("province"),
        city=cells.text("city"),
        district=cells.text("district"),
        address=cells.text("address"),
        created_at=cells.moment("created_at"),
        paid_at=cells.moment("paid_at"),
        ship_by=cells.moment("ship_by"),
        shipped_at=cells.moment("shipped_at"),
        shipping_fee=cells.money("shipping_fee"),
        paid_total=cells.money("paid_total"),
        buyer_note=cells.note("buyer_note"),
        seller_note=cells.note("seller_note"),
        carrier=cells.text("carrier"),
        tracking_no=cells.code("tracking_no"),
    )


# --------------------------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------------------------

HEADER: tuple[str, ...] = tuple(column.header for column in COLUMNS)


def rows(order: ParsedOrder) -> list[list[str]]:
    """The order as rows of our file, one per line, in HEADER's order (export-orders writes these)."""
    order_values = {
        "order_no": order.order_no,
        "status": order.status,
        "created_at": _moment(order.created_at),
        "paid_at": _moment(order.paid_at),
        "ship_by": _moment(order.ship_by),
        "shipped_at": _moment(order.shipped_at),
        "buyer": order.buyer_nick,
        "receiver_name": order.receiver_name,
        "receiver_phone": order.receiver_phone,
        "province": order.province,
        "city": order.city,
        "district": order.district,
        "address": order.address,
        "shipping_fee": _money(order.shipping_fee),
        "paid_total": _money(order.paid_total),
        "buyer_note": order.buyer_note,
        "seller_note": order.seller_note,
        "carrier": order.carrier,
        "tracking_no": order.tracking_no,
    }
    written = []
    for line in order.lines:
        values = {
            **order_values,
            "sub_order_id": line.sub_order_id,
            "sku_code": line.sku_code,
            "title": line.title,
            "spec": line.spec,
            "quantity": str(line.quantity),
            "unit_price": _money(line.unit_price),
            "discount": _money(line.discount),
            "paid": _money(line.paid),
            "refund_status": line.refund_status,
        }
        written.append([values[column.key] for column in COLUMNS])
    return written


def _moment(value: datetime | None) -> str:
    if value is None:
        return ""
    return value.astimezone(timezone.get_default_timezone()).strftime("%Y-%m-%d %H:%M:%S")


def _money(amount: Decimal) -> str:
    return f"{amount:.2f}"
