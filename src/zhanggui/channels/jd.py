"""JD: the order export of 商家后台 (订单管理 → 订单导出), one row per order line.

The order's own columns (status, amounts, receiver) repeat on each of its rows; rows of one order need not be
next to each other. JD splits orders itself and its export can hold a row twice, or the order it split beside
the orders it became: lines are told apart by JD's sub-order identity (订单号 + 商品ID, or 商家SKUID), an exact
repeat is dropped, and a split order whose parts are in the file is left out. docs/orders-import.md.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from zhanggui.channels.common import (
    Cells,
    LineDraft,
    OrderFields,
    Seen,
    StatusWords,
    merged,
    order_fields_agree,
    priced_lines,
    split_address,
)
from zhanggui.channels.records import (
    CLOSED,
    COMPLETED,
    JD,
    PAID,
    SHIPPED,
    UNPAID,
    ParseResult,
)
from zhanggui.core.tabular import Column, FileSource, read_table

COLUMNS: tuple[Column, ...] = (
    Column("order_no", ("订单号",), required=True),
    Column("product_id", ("商品ID", "商品编号")),
    Column("merchant_sku_id", ("商家SKUID", "商家SKU ID")),
    Column("sku_code", ("商家编码",)),
    Column("item_no", ("货号",)),
    Column("title", ("商品名称",)),
    Column("quantity", ("订购数量",), required=True),
    Column("unit_price", ("京东价",), required=True),
    Column("created_at", ("下单时间",)),
    Column("paid_at", ("付款确认时间",)),
    Column("shipped_at", ("出库时间",)),
    Column("ship_by", ("承诺发货时间", "最晚出库时间")),
    Column("balance", ("余额支付",)),
    Column("payable", ("应付金额",), required=True),
    Column("shipping_fee", ("运费金额",)),
    Column("status", ("订单状态",), required=True),
    Column("buyer_nick", ("下单帐号", "下单账号")),
    Column("receiver_name", ("客户姓名",)),
    Column("address", ("客户地址",)),
    Column("phone", ("联系电话",)),
    Column("buyer_note", ("订单备注",)),
    Column("seller_note", ("商家备注",)),
    Column("carrier", ("快递公司", "承运商")),
    Column("tracking_no", ("运单号", "快递单号")),
)
SIGNATURE: tuple[Column, ...] = (
    Column("order_no", ("订单号",), required=True),
    Column("quantity", ("订购数量",), required=True),
)
#: Order columns that must say the same on every row of an order (others: the first filled one counts).
ORDER_KEYS = ("status", "payable", "balance", "shipping_fee", "created_at", "paid_at")

STATUS_WORDS = StatusWords(
    {
        "等待付款": UNPAID,
        "待付款": UNPAID,
        "等待出库": PAID,
        "等待发货": PAID,
        "待出库": PAID,
        "等待确认收货": SHIPPED,
        "已出库": SHIPPED,
        "完成": COMPLETED,
        "已完成": COMPLETED,
        "已取消": CLOSED,
        "取消": CLOSED,
    }
)
# "订单拆分为 3002, 3003" (JD writes it in 商家备注 of the order it split).
_SPLIT_RE = re.compile(r"拆分为\s*[:：]?\s*((?:[0-9]+[\s,，、;；]*)+)")


@dataclass
class _Order:
    first: Cells
    rows: list[OrderFields] = field(default_factory=list)
    lines: list[LineDraft] = field(default_factory=list)
    ok: bool = True


def read(*, file: FileSource, filename: str = "") -> ParseResult:
    """Every order of the file with its lines; every bad row in the result's errors.

    Raises core.tabular.TableError when the file cannot be read at all.
    """
    result = ParseResult(platform=JD)
    table = read_table(file=file, filename=filename, columns=COLUMNS)
    found: dict[str, _Order] = {}
    seen = Seen()
    for row in table:
        cells = Cells(table, row, result.errors)
        order_no = cells.order_no("order_no")
        sub_id = cells.code("product_id") or cells.code("merchant_sku_id")
        # Without JD's identity only an exact repeat of a row can be known as one.
        identity = (order_no, sub_id) if sub_id else (order_no, tuple(sorted(row.values.items())))
        what = _("Line %(sub)s of order %(order)s") % {"sub": sub_id, "order": order_no}
        key = "product_id" if cells.raw("product_id") else "merchant_sku_id"
        if order_no and not seen.check(identity, cells, key=key, what=what):
            _refuse_on_conflict(cells, found.get(order_no))
            continue
        draft = LineDraft(
            line=row.line,
            sub_order_id=sub_id,
            sku_code=cells.code("sku_code") or cells.code("merchant_sku_id") or cells.code("item_no"),
            title=cells.text("title"),
            spec="",
            quantity=cells.quantity("quantity"),
            unit_price=cells.money("unit_price", required=True),
        )
        values = _order_fields(cells)  # on every row, so a bad cell on an order's later row is reported too
        if not order_no:
            continue
        order = found.get(order_no)
        if order is None:
            order = found[order_no] = _Order(first=cells)
        else:
            order_fields_agree(cells, order.first.row, ORDER_KEYS)
        order.rows.append(values)
        order.lines.append(draft)
        order.ok = order.ok and cells.ok

    for order_no, order in found.items():
        if not order.ok or _split_into(order) & found.keys():
            continue  # a split order's lines are in the orders it became
        values = merged(order.rows)
        priced = priced_lines(
            order.lines, paid_total=values.paid_total, shipping_fee=values.shipping_fee, status=values.status
        )
        if isinstance(priced, str):
            order.first.fail("payable", priced)
            continue
        result.orders.append(
            values.order(platform=JD, order_no=order_no, lines=priced, file=table.filename, line=order.first.line)
        )
    result.errors.sort(key=lambda error: error.line)
    return result


def _refuse_on_conflict(cells: Cells, order: _Order | None) -> None:
    if not cells.ok and order is not None:  # not a mere repeat: the order cannot be read either
        order.ok = False


def _split_into(order: _Order) -> set[str]:
    """The order numbers JD says it split this order into (商家备注 "订单拆分为 …"), if any."""
    match = _SPLIT_RE.search(" ".join(values.seller_note for values in order.rows))
    return set(re.findall(r"[0-9]+", match.group(1))) if match else set()


def _order_fields(cells: Cells) -> OrderFields:
    status, status_text = cells.status("status", STATUS_WORDS)
    address = split_address(cells.text("address"))
    # 余额支付 is paid from the buyer's JD balance, 应付金额 the rest: both are what the buyer paid.
    paid_total = cells.money("payable", required=True) + cells.money("balance")
    return OrderFields(
        status=status,
        status_text=status_text,
        buyer_nick=cells.text("buyer_nick"),
        receiver_name=cells.text("receiver_name"),
        receiver_phone=cells.code("phone"),
        province=address.province,
        city=address.city,
        district=address.district,
        address=address.detail,
        created_at=cells.moment("created_at"),
        paid_at=cells.moment("paid_at"),
        ship_by=cells.moment("ship_by"),
        shipped_at=cells.moment("shipped_at"),
        shipping_fee=cells.money("shipping_fee"),
        paid_total=paid_total,
        buyer_note=cells.note("buyer_note"),
        seller_note=cells.note("seller_note"),
        carrier=cells.text("carrier"),
        tracking_no=cells.code("tracking_no"),
    )
