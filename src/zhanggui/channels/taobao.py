"""Taobao / Tmall: the two files 千牛 (已卖出的宝贝 → 批量导出) writes, read as one upload.

订单报表 (ExportOrderList*.csv) has one row per order: receiver, status, what the buyer paid, shipping.
宝贝报表 (ExportOrderDetailList*.csv) has one row per order line: price, quantity, 商家编码. They are joined on
订单编号. Line amounts are not in either file: the order's discount is spread over its lines
(common.priced_lines). Column mapping and rules: docs/orders-import.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from zhanggui.channels.common import (
    Cells,
    LineDraft,
    OrderFields,
    Seen,
    StatusWords,
    notes,
    priced_lines,
    split_address,
)
from zhanggui.channels.records import (
    CLOSED,
    COMPLETED,
    PAID,
    SHIPPED,
    TAOBAO,
    UNPAID,
    ParsedOrder,
    ParseResult,
)
from zhanggui.core.tabular import Column, FileSource, read_table

ORDER_COLUMNS: tuple[Column, ...] = (
    Column("order_no", ("订单编号",), required=True),
    Column("buyer_nick", ("买家会员名", "买家昵称")),
    Column("shipping_fee", ("买家应付邮费",)),
    Column("paid_total", ("买家实际支付金额",), required=True),
    Column("status", ("订单状态",), required=True),
    Column("buyer_note", ("买家留言",)),
    Column("receiver_name", ("收货人姓名",)),
    Column("address", ("收货地址",)),
    Column("changed_address", ("修改后的收货地址",)),
    Column("phone", ("联系电话",)),
    Column("mobile", ("联系手机",)),
    Column("created_at", ("订单创建时间",)),
    Column("paid_at", ("订单付款时间",)),
    Column("ship_by", ("预售发货时间", "承诺发货时间", "最晚发货时间")),
    Column("shipped_at", ("发货时间",)),
    Column("tracking_no", ("物流单号",)),
    Column("carrier", ("物流公司",)),
    Column("seller_note", ("订单备注",)),
    Column("seller_memo", ("商家备忘",)),
)
LINE_COLUMNS: tuple[Column, ...] = (
    Column("order_no", ("订单编号", "主订单编号"), required=True),
    Column("sub_order_id", ("子订单编号",)),
    Column("title", ("标题", "商品标题", "宝贝标题")),
    Column("unit_price", ("价格", "商品价格"), required=True),
    Column("quantity", ("购买数量",), required=True),
    Column("sku_code", ("商家编码",)),
    Column("spec", ("商品属性", "商品规格")),
    Column("refund_status", ("退款状态",)),
)
#: The columns that tell each file apart when the platform is guessed (channels.orders).
ORDERS_SIGNATURE: tuple[Column, ...] = (
    Column("order_no", ("订单编号",), required=True),
    Column("paid_total", ("买家实际支付金额",), required=True),
)
LINES_SIGNATURE: tuple[Column, ...] = (
    Column("order_no", ("订单编号", "主订单编号"), required=True),
    Column("quantity", ("购买数量",), required=True),
)

STATUS_WORDS = StatusWords(
    {
        "等待买家付款": UNPAID,
        "买家已付款，等待卖家发货": PAID,
        "卖家已发货，等待买家确认": SHIPPED,
        "交易成功": COMPLETED,
        "交易关闭": CLOSED,
    }
)


@dataclass
class _Order:
    cells: Cells
    fields: OrderFields
    lines: list[LineDraft] = field(default_factory=list)
    ok: bool = True


def read(*, orders: tuple[FileSource, str], lines: tuple[FileSource, str]) -> ParseResult:
    """Both files as one upload; every bad row of either file is in the result's errors.

    Raises core.tabular.TableError when a file cannot be read at all (not a table, required columns missing).
    """
    result = ParseResult(platform=TAOBAO)
    order_table = read_table(file=orders[0], filename=orders[1], columns=ORDER_COLUMNS)
    line_table = read_table(file=lines[0], filename=lines[1], columns=LINE_COLUMNS)

    found: dict[str, _Order] = {}
    seen = Seen()
    for row in order_table:
        cells = Cells(order_table, row, result.errors)
        order_no = cells.order_no("order_no")
        if order_no and not seen.check(order_no, cells, key="order_no", what=_("Order %(no)s") % {"no": order_no}):
            if not cells.ok:  # not a mere repeat: the order cannot be read either
                found[order_no].ok = False
            continue
        values = _order_fields(cells)
        if order_no:
            found[order_no] = _Order(cells=cells, fields=values, ok=cells.ok)

    seen_lines = Seen()
    for row in line_table:
        cells = Cells(line_table, row, result.errors)
        order_no = cells.order_no("order_no")
        sub_order_id = cells.code("sub_order_id")
        if sub_order_id and not seen_lines.check(
            sub_order_id, cells, key="sub_order_id", what=_("Sub-order %(no)s") % {"no": sub_order_id}
        ):
            if not cells.ok and order_no in found:
                found[order_no].ok = False
            continue
        draft = LineDraft(
            line=row.line,
            sub_order_id=sub_order_id,
            sku_code=cells.code("sku_code"),
            title=cells.text("title"),
            spec=cells.text("spec"),
            quantity=cells.quantity("quantity"),
            unit_price=cells.money("unit_price", required=True),
            refund_status=cells.text("refund_status"),
        )
        if not order_no:
            continue
        order = found.get(order_no)
        if order is None:
            if order_no not in seen.rows:  # a refused order row already has its error
                cells.fail(
                    "order_no",
                    _("Order %(order)s is not in the orders file %(file)s.")
                    % {"order": order_no, "file": order_table.filename},
                )
            continue
        order.lines.append(draft)
        order.ok = order.ok and cells.ok

    for order_no, order in found.items():
        built = _build(order_no, order, lines_file=line_table.filename)
        if built is not None:
            result.orders.append(built)
    rank = {order_table.filename: 0, line_table.filename: 1}
    result.errors.sort(key=lambda error: (rank.get(error.file, 2), error.line))
    return result


def _order_fields(cells: Cells) -> OrderFields:
    status, status_text = cells.status("status", STATUS_WORDS)
    address = split_address(cells.text("changed_address") or cells.text("address"))
    return OrderFields(
        status=status,
        status_text=status_text,
        buyer_nick=cells.text("buyer_nick"),
        receiver_name=cells.text("receiver_name"),
        receiver_phone=cells.code("mobile") or cells.code("phone"),
        province=address.province,
        city=address.city,
        district=address.district,
        address=address.detail,
        created_at=cells.moment("created_at"),
        paid_at=cells.moment("paid_at"),
        ship_by=cells.moment("ship_by"),
        shipped_at=cells.moment("shipped_at"),
        shipping_fee=cells.money("shipping_fee"),
        paid_total=cells.money("paid_total", required=True),
        buyer_note=cells.note("buyer_note"),
        seller_note=notes(cells.note("seller_note"), cells.note("seller_memo")),
        carrier=cells.text("carrier"),
        tracking_no=cells.code("tracking_no"),
    )


def _build(order_no: str, order: _Order, *, lines_file: str) -> ParsedOrder | None:
    cells, values = order.cells, order.fields
    if not order.lines:
        cells.fail("order_no", _("Order %(order)s has no lines in %(file)s.") % {"order": order_no, "file": lines_file})
        return None
    if not order.ok:
        return None
    priced = priced_lines(
        order.lines, paid_total=values.paid_total, shipping_fee=values.shipping_fee, status=values.status
    )
    if isinstance(priced, str):
        cells.fail("paid_total", priced)
        return None
    return values.order(platform=TAOBAO, order_no=order_no, lines=priced, file=cells.table.filename, line=cells.line)
