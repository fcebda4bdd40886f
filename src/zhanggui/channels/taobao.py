"""Taobao / Tmall: the two files 千牛 (已卖出的宝贝 → 批量导出) writes, read as one upload.

订单报表 (ExportOrderList*.csv) has one row per order: receiver, status, what the buyer paid, shipping.
宝贝报表 (ExportOrderDetailList*.csv) has one row per order line: price, quantity, 商家编码. They are joined on
订单编号. Line amounts are not in either file: the order's discount is spread over its lines
(common.priced_lines). Column mapping and rules: docs/orders-import.md.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
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
    RowError,
)
from zhanggui.core.tabular import Column, FileSource, Row, Table, read_table

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
    """Both files as one upload, read as the result is iterated; every bad row of either file is in the
    result's errors.

    The orders come in the orders file's order, each once all its lines are read: the order-lines file is
    counted first (lines per order number), then both files are read side by side, so two files in the same
    order of orders (as 千牛 writes them) stream through in little memory; lines of one order may be anywhere,
    at the cost of keeping what waits for them. Raises core.tabular.TableError when a file cannot be read at
    all (not a table, required columns missing).
    """
    order_table = read_table(file=orders[0], filename=orders[1], columns=ORDER_COLUMNS)
    counts = _lines_per_order(read_table(file=lines[0], filename=lines[1], columns=LINE_COLUMNS))
    line_table = read_table(file=lines[0], filename=lines[1], columns=LINE_COLUMNS)
    return ParseResult.streamed(
        TAOBAO, lambda errors: _Join(order_table, line_table, counts, errors).orders(), numbers_unique=True
    )


def _lines_per_order(table: Table) -> Counter[str]:
    """How many rows of the order-lines file each order number has (as the cell reads, valid or not)."""
    return Counter(order_no for _line, order_no in table.column("order_no"))


class _Join:
    """The two files read side by side: order rows wait in file order for their lines (counted beforehand), lines
    that come before their order row wait for it; an order is given once it and every order before it are
    complete."""

    def __init__(self, order_table: Table, line_table: Table, counts: Counter[str], errors: list[RowError]) -> None:
        self.order_table, self.line_table, self.errors = order_table, line_table, errors
        self.left = counts  # order number → its rows in the order-lines file not read yet
        self.waiting: dict[str, _Order] = {}  # order rows read, in file order, not given yet
        self.early: dict[str, list[tuple[Cells, LineDraft]]] = {}  # lines read before their order row
        self.seen = Seen()
        # A line's identity is its sub-order within its order, as for every platform; an order's lines are all
        # read before it is given, so each order's sub-orders are known only while it waits.
        self.seen_lines: dict[str, Seen] = {}
        self.line_rows = iter(line_table)

    def orders(self) -> Iterator[ParsedOrder]:
        for row in self.order_table:
            order_no = self._order_row(row)
            while order_no and self.left.get(order_no, 0) > 0 and self._next_line():
                pass
            yield from self._complete()
        while self._next_line():
            pass
        for order_no in list(self.waiting):
            yield from self._give(order_no)
        for order_no, early in self.early.items():
            if order_no in self.seen:
                continue  # a refused order row already has its error
            for cells, _draft in early:
                cells.fail(
                    "order_no",
                    _("Order %(order)s is not in the orders file %(file)s.")
                    % {"order": order_no, "file": self.order_table.filename},
                )
        rank = {self.order_table.filename: 0, self.line_table.filename: 1}
        self.errors.sort(key=lambda error: (rank.get(error.file, 2), error.line))

    def _order_row(self, row: Row) -> str:
        cells = Cells(self.order_table, row, self.errors)
        order_no = cells.order_no("order_no")
        if order_no and not self.seen.check(
            order_no, cells, key="order_no", what=lambda: _("Order %(no)s") % {"no": order_no}
        ):
            if not cells.ok and order_no in self.waiting:  # not a mere repeat: the order cannot be read either
                self.waiting[order_no].ok = False
            return ""
        values = _order_fields(cells)
        if not order_no:
            return ""
        order = self.waiting[order_no] = _Order(cells=cells, fields=values, ok=cells.ok)
        for line_cells, draft in self.early.pop(order_no, ()):
            order.lines.append(draft)
            order.ok = order.ok and line_cells.ok
        return order_no

    def _next_line(self) -> bool:
        """Read one row of the order-lines file onto its order; False at the end of the file."""
        row = next(self.line_rows, None)
        if row is None:
            return False
        raw = row.values.get("order_no", "")
        self.left[raw] -= 1
        cells = Cells(self.line_table, row, self.errors)
        order_no = cells.order_no("order_no")
        sub_order_id = cells.code("sub_order_id")
        if sub_order_id:
            seen = self.seen_lines.get(order_no)
            if seen is None:
                seen = self.seen_lines[order_no] = Seen()
            if not seen.check(
                sub_order_id, cells, key="sub_order_id", what=lambda: _("Sub-order %(no)s") % {"no": sub_order_id}
            ):
                if not cells.ok and order_no in self.waiting:
                    self.waiting[order_no].ok = False
                return True
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
            return True
        order = self.waiting.get(order_no)
        if order is None:
            self.early.setdefault(order_no, []).append((cells, draft))
        else:
            order.lines.append(draft)
            order.ok = order.ok and cells.ok
        return True

    def _complete(self) -> Iterator[ParsedOrder]:
        """The waiting orders, from the first, while each has all its lines."""
        while self.waiting:
            order_no = next(iter(self.waiting))
            if self.left.get(order_no, 0) > 0:
                return
            yield from self._give(order_no)

    def _give(self, order_no: str) -> Iterator[ParsedOrder]:
        built = _build(order_no, self.waiting.pop(order_no), lines_file=self.line_table.filename)
        self.left.pop(order_no, None)
        self.seen_lines.pop(order_no, None)
        if built is not None:
            yield built


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
