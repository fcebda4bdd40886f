"""What every order reader gives, whatever the platform: orders with their lines, and the rows refused.

The readers (channels/<platform>.py, chosen by channels.orders.read_orders) fill these from the platform's own
columns (docs/orders-import.md maps each column); orders.imports stores them. Money is Decimal yuan to the fen,
moments are aware datetimes in the shop's time zone (Asia/Shanghai), texts are cleaned (core.text).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
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


@dataclass(slots=True)
class ParsedLine:
    """One line (sub-order) of an order as the platform wrote it (read-only: not frozen only because a frozen
    dataclass takes three times as long to build, and a big file has a hundred thousand)."""

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


@dataclass(slots=True)
class ParsedOrder:
    """One order, its receiver and its lines, as the platform's export holds them (read-only, as ParsedLine)."""

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


class ParseResult:
    """Everything read from one upload (one file, or Taobao's pair). With any error the import stores nothing.

    Built whole (`ParseResult(platform, orders, errors)`), or over a reader that yields the orders as it reads
    them (`ParseResult.streamed`): iterating the result then reads each order once without keeping it, which
    is how the import goes through a big file in little memory, and `errors` grows as the files are read.
    `orders` and `errors` read the rest of the files first, so they always give everything.
    """

    def __init__(self, platform: str, orders: Iterable[ParsedOrder] = (), errors: Iterable[RowError] = ()) -> None:
        self.platform = platform
        self._orders = list(orders)
        self._errors = list(errors)
        self._rest: Iterator[ParsedOrder] | None = None
        #: The reader gives each order number once (it refused the rest): the import need not keep them all.
        self.numbers_unique = False

    @classmethod
    def streamed(
        cls, platform: str, read: Callable[[list[RowError]], Iterator[ParsedOrder]], *, numbers_unique: bool = False
    ) -> ParseResult:
        """A result whose orders `read(errors)` yields as it reads, appending every refused row to `errors`."""
        result = cls(platform)
        result._rest = read(result._errors)
        result.numbers_unique = numbers_unique
        return result

    @property
    def orders(self) -> list[ParsedOrder]:
        self._read_all()
        return self._orders

    @orders.setter
    def orders(self, orders: list[ParsedOrder]) -> None:
        self._orders, self._rest = orders, None

    @property
    def errors(self) -> list[RowError]:
        """Every refused row; the files are read to their end first."""
        self._read_all()
        return self._errors

    @errors.setter
    def errors(self, errors: list[RowError]) -> None:
        self._errors = errors

    @property
    def has_errors(self) -> bool:
        """Whether a row was refused in what has been read so far (reads nothing more)."""
        return bool(self._errors)

    def __iter__(self) -> Iterator[ParsedOrder]:
        """Each order once: the ones read already, then the rest as the files are read, none of them kept."""
        yield from self._orders
        rest, self._rest = self._rest, None
        if rest is not None:
            yield from rest

    def _read_all(self) -> None:
        if self._rest is not None:
            rest, self._rest = self._rest, None
            self._orders.extend(rest)
