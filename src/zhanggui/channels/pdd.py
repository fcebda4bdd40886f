"""Pinduoduo: the order export of 拼多多商家后台 (订单查询 → 导出), one row per order (one SKU, N pieces).

The address comes in separate columns (省, 市, 区, 街道), the platform's ship-by deadline in 承诺发货时间. This
version has no receiver name or phone; when a file has them they are read. docs/orders-import.md.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from zhanggui.channels.common import Cells, LineDraft, OrderFields, Seen, StatusWords, priced_lines
from zhanggui.channels.records import (
    CLOSED,
    COMPLETED,
    PAID,
    PDD,
    SHIPPED,
    UNPAID,
    ParsedOrder,
    ParseResult,
)
from zhanggui.core.money import FEN, fmt_money
from zhanggui.core.tabular import Column, FileSource, read_table

COLUMNS: tuple[Column, ...] = (
    Column("order_no", ("订单号",), required=True),
    Column("status", ("订单状态",), required=True),
    Column("title", ("商品", "商品名称")),
    Column("quantity", ("商品数量(件)", "商品数量"), required=True),
    Column("spec", ("商品规格",)),
    Column("sku_code", ("商家编码-规格维度",)),
    Column("product_code", ("商家编码-商品维度",)),
    Column("goods_total", ("商品总价(元)", "商品总价"), required=True),
    Column("shipping_fee", ("邮费(元)", "邮费")),
    Column("paid_total", ("用户实付金额(元)", "用户实付金额"), required=True),
    Column("created_at", ("订单成交时间",)),
    Column("paid_at", ("支付时间",)),
    Column("ship_by", ("承诺发货时间",)),
    Column("shipped_at", ("发货时间",)),
    Column("tracking_no", ("快递单号",)),
    Column("carrier", ("快递公司",)),
    Column("province", ("省",)),
    Column("city", ("市",)),
    Column("district", ("区",)),
    Column("street", ("街道/镇", "街道")),
    Column("detail", ("详细地址", "收货地址")),
    Column("receiver_name", ("收货人", "收货人姓名")),
    Column("receiver_phone", ("收货人手机号", "手机", "收货人电话", "联系电话")),
    Column("buyer_nick", ("买家昵称", "用户昵称")),
    Column("buyer_note", ("买家留言",)),
    Column("seller_note", ("商家备注",)),
    Column("refund_status", ("售后状态",)),
)
SIGNATURE: tuple[Column, ...] = (
    Column("order_no", ("订单号",), required=True),
    Column("paid_total", ("用户实付金额(元)", "用户实付金额"), required=True),
)

STATUS_WORDS = StatusWords(
    {
        "待支付": UNPAID,
        "待付款": UNPAID,
        "待发货": PAID,
        "已发货，待收货": SHIPPED,
        "已发货，待签收": SHIPPED,
        "已签收": COMPLETED,
        "已收货": COMPLETED,
        "交易成功": COMPLETED,
        "已取消": CLOSED,
        "未发货，退款成功": CLOSED,
        "已发货，退款成功": CLOSED,
    }
)


def read(*, file: FileSource, filename: str = "") -> ParseResult:
    """Every order of the file; every bad row in the result's errors.

    Raises core.tabular.TableError when the file cannot be read at all.
    """
    result = ParseResult(platform=PDD)
    table = read_table(file=file, filename=filename, columns=COLUMNS)
    seen = Seen()
    found: dict[str, ParsedOrder | None] = {}  # None: refused
    for row in table:
        cells = Cells(table, row, result.errors)
        order_no = cells.order_no("order_no")
        if order_no and not seen.check(order_no, cells, key="order_no", what=_("Order %(no)s") % {"no": order_no}):
            if not cells.ok:  # not a mere repeat: the order cannot be read either
                found[order_no] = None
            continue
        quantity = cells.quantity("quantity")
        goods_total = cells.money("goods_total", required=True)
        values = _order_fields(cells)
        # PDD writes the goods' total, not the unit price: a total that is not N whole-fen prices is refused.
        unit_price = (goods_total / quantity).quantize(FEN) if quantity else goods_total
        if quantity and unit_price * quantity != goods_total:
            cells.fail(
                "goods_total",
                _("%(total)s is not %(quantity)s times one price in whole fen.")
                % {"total": fmt_money(goods_total), "quantity": quantity},
            )
        draft = LineDraft(
            line=row.line,
            sub_order_id="",
            sku_code=cells.code("sku_code") or cells.code("product_code"),
            title=cells.text("title"),
            spec=cells.text("spec"),
            quantity=quantity,
            unit_price=unit_price,
            refund_status=cells.text("refund_status"),
        )
        if not cells.ok:
            found[order_no] = None
            continue
        priced = priced_lines(
            [draft], paid_total=values.paid_total, shipping_fee=values.shipping_fee, status=values.status
        )
        if isinstance(priced, str):
            cells.fail("paid_total", priced)
            found[order_no] = None
            continue
        found[order_no] = values.order(
            platform=PDD, order_no=order_no, lines=priced, file=table.filename, line=row.line
        )
    result.orders = [order for order in found.values() if order is not None]
    return result


def _order_fields(cells: Cells) -> OrderFields:
    status, status_text = cells.status("status", STATUS_WORDS)
    street, detail = cells.text("street"), cells.text("detail")
    return OrderFields(
        status=status,
        status_text=status_text,
        buyer_nick=cells.text("buyer_nick"),
        receiver_name=cells.text("receiver_name"),
        receiver_phone=cells.code("receiver_phone"),
        province=cells.text("province"),
        city=cells.text("city"),
        district=cells.text("district"),
        address=detail if detail.startswith(street) else street + detail,
        created_at=cells.moment("created_at"),
        paid_at=cells.moment("paid_at"),
        ship_by=cells.moment("ship_by"),
        shipped_at=cells.moment("shipped_at"),
        shipping_fee=cells.money("shipping_fee"),
        paid_total=cells.money("paid_total", required=True),
        buyer_note=cells.note("buyer_note"),
        seller_note=cells.note("seller_note"),
        carrier=cells.text("carrier"),
        tracking_no=cells.code("tracking_no"),
    )
