"""What every order reader gives, whatever the platform: orders with their lines, and the rows refused.

The readers (channels/<platform>.py, chosen by channels.orders.read_orders) fill these from the platform's own
columns (docs/orders-import.md maps each column); orders.imports stores them. Money is Decimal yuan to the fen,
moments are aware datetimes in the shop's time zone (Asia/Shanghai), texts are cleaned (core.text).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

TAOBAO, JD, PDD, ZHANGGUI = "taobao", "jd", "pdd", "zhanggui"
PLATFORMS = (TAOBAO, JD, PDD, ZHANGGUI)

# The platform's order status, in one vocabulary (each reader maps its platform's words onto it).
UNPAID = "unpaid"  # 等待买家付款: not an order to ship yet
PAID = "paid"  # 买家已付款，等待卖家发货 / 等待出库 / 待发货
SHIPPED = "shipped"  # 卖家已发货，等待买家确认 / 已发货
COMPLETED = "completed"  # 交易成功 / 完成 / 已签收
CLOSED = "closed"  # 交易关闭 / 已取消 / 退款成功 (the whole order)
PLATFORM_STATUSES = (UNPAID, PAID, SHIPPED, COMPLETED, CLOSED)


@dataclass(frozen=True)
class ParsedLine:
    """One line (sub-order) of an order as the platform wrote it."""

    sub_order_id: str  # the platform's sub-order identity; "" when its file has none (then order no. + SKU code)
    sku_code: str  # 商家编码 / 货号: how the line finds our SKU ("" when the seller left it empty)
    title: str
    spec: str  # 商品属性 / 商品规格, as written
    quantity: int  # ≥ 1
    unit_price: Decimal  # list price of one unit
    discount: Decimal  # what the line's discounts took off in all (≥ 0)
    paid: Decimal  # what the buyer paid for the line: unit_price × quantity − discount, when the file says
    refund_status: str = ""  # the platform's words, when the file has them
    line: int = 0  # the line number in its file that holds it (the sub-order row, or the order row)


@dataclass(frozen=True)
class ParsedOrder:
    """One order, its receiver and its lines, as the platform's export holds them."""

    platform: str  # PLATFORMS
    order_no: str  # 订单编号 / 订单号, as text (never a float)
    status: str  # PLATFORM_STATUSES
    status_text: str  # the platform's own words
    buyer_nick: str
    receiver_name: str
    receiver_phone: str  # as written (masked by the platform or not); the order app masks it on pages
    province: str
    city: str
    district: str
    address: str  # the rest of the address (street, building…); the whole address when it cannot be split
    created_at: datetime | None
    paid_at: datetime | None
    ship_by: datetime | None  # the platform's own deadline when the file has it (PDD 承诺发货时间, presale)
    shipped_at: datetime | None
    shipping_fee: Decimal
    paid_total: Decimal  # what the buyer paid for the whole order, shipping included
    buyer_note: str
    seller_note: str
    carrier: str
    tracking_no: str
    lines: tuple[ParsedLine, ...]
    file: str = ""  # the file and line number of its order row, for messages
    line: int = 0


@dataclass(frozen=True)
class RowError:
    """A refused row: where (file, line as a spreadsheet shows it, column header) and why, in words."""

    file: str
    line: int
    column: str
    reason: str

    def as_dict(self) -> dict[str, object]:
        return {"file": self.file, "line": self.line, "column": self.column, "reason": self.reason}


@dataclass
class ParseResult:
    """Everything read from one upload (one file, or Taobao's pair). With any error the import stores nothing."""

    platform: str
    orders: list[ParsedOrder] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
