"""JSON shapes of the orders API (money as "12.50" strings, like the other apps).

A receiver's phone leaves masked (138****5678) in lists, and in one order's detail to the roles that do not
need it; 客服, 运营 and the manager see it whole there (selectors.phone_for), the warehouse masked.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated

from django.utils import timezone
from ninja import Field, Schema
from pydantic import AfterValidator

from zhanggui.catalog.schemas import InputSchema, MoneyOut
from zhanggui.channels import records
from zhanggui.orders.models import Order, OrderLine, OrderStatus


class PlatformIn(StrEnum):
    TAOBAO = records.TAOBAO
    JD = records.JD
    PDD = records.PDD
    ZHANGGUI = records.ZHANGGUI


class StatusIn(StrEnum):
    """Our statuses (OrderStatus), for the list's filter."""

    UNPAID = OrderStatus.UNPAID.value
    PAID = OrderStatus.PAID.value
    REVIEWED = OrderStatus.REVIEWED.value
    ALLOCATED = OrderStatus.ALLOCATED.value
    PICKING = OrderStatus.PICKING.value
    PACKED = OrderStatus.PACKED.value
    SHIPPED = OrderStatus.SHIPPED.value
    DELIVERED = OrderStatus.DELIVERED.value
    COMPLETED = OrderStatus.COMPLETED.value
    ON_HOLD = OrderStatus.ON_HOLD.value
    CANCELLED = OrderStatus.CANCELLED.value


def _moment_in_range(value: datetime) -> datetime:
    """An aware moment the database can compare (a naive one is read in the shop's time zone)."""
    try:
        if timezone.is_naive(value):
            value = timezone.make_aware(value)
        value.astimezone(UTC)
    except (OverflowError, ValueError):
        raise ValueError("a moment between the years 1900 and 9999") from None
    if not 1900 <= value.year <= 9999:
        raise ValueError("a moment between the years 1900 and 9999")
    return value


Moment = Annotated[datetime, AfterValidator(_moment_in_range)]


class OrderOut(Schema):
    id: int
    shop: str = Field(..., alias="shop.code")
    platform: str
    platform_order_no: str
    status: str = Field(..., description="Ours: unpaid, paid, reviewed, allocated, picking, packed, shipped, …")
    platform_status: str = Field(..., description="The platform's, as last imported: unpaid, paid, shipped, …")
    hold_kind: str
    hold_reason: str
    buyer_nick: str
    receiver_name: str
    receiver_phone: str = Field(..., alias="masked_phone", description="Masked: 138****5678")
    province: str
    city: str
    district: str
    paid_at: datetime | None
    ship_by: datetime | None
    shipped_at: datetime | None
    shipping_fee: MoneyOut
    paid_total: MoneyOut
    carrier: str
    tracking_no: str
    merged_into_id: int | None = Field(None, description="合单: the id of the order this one ships in one parcel with")
    hold_until: datetime | None = Field(None, description="A presale order is held until then, then reviewed")
    split_from_id: int | None = Field(None, description="拆单: the id of the order this part ships lines of")
    is_replacement: bool = Field(False, description="A part that ships replacements (补发/换货) of after-sales")
    updated_at: datetime


class OrderPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[OrderOut]


class OrderLineOut(Schema):
    id: int
    sub_order_id: str
    sku_id: int | None
    sku_code: str
    title: str
    spec: str
    quantity: int
    unit_price: MoneyOut
    discount: MoneyOut
    paid: MoneyOut
    refund_status: str
    ships_in_id: int | None = Field(None, description="拆单: the id of the part that ships this line")
    origin: str = Field("platform", description="platform, or replacement (补发/换货: ours, priced 0)")


class OrderEventOut(Schema):
    at: datetime
    actor: str | None = Field(None, alias="actor.username")
    from_status: str
    to_status: str
    reason: str


class OrderDetailOut(OrderOut):
    receiver_phone: str = Field(
        ..., alias="phone_shown", description="Whole for 客服, the warehouse and the manager; masked otherwise"
    )
    address: str
    created_at_platform: datetime | None
    platform_status_text: str
    buyer_note: str
    seller_note: str
    release_to: str
    stock_reserved: bool
    imported_at: datetime
    lines: list[OrderLineOut] = Field(..., description="All its lines; a part's: the lines it ships")
    events: list[OrderEventOut]

    @staticmethod
    def resolve_lines(order: Order) -> list[OrderLine]:
        if order.split_from_id is not None:
            return list(OrderLine.objects.filter(ships_in=order).order_by("position", "id"))
        return list(order.lines.all())


class MergeIn(InputSchema):
    orders: list[int] = Field(..., max_length=50, description="Ids of the orders to ship in one parcel (two or more)")
    reason: str = Field("", max_length=255)


class SplitIn(InputSchema):
    lines: list[int] = Field(..., max_length=500, description="Ids of the order's lines to ship later, as a part")
    reason: str = Field("", max_length=255)


class RejectedRowOut(Schema):
    file: str
    line: int
    column: str
    reason: str


class ImportReportOut(Schema):
    orders_created: int
    orders_updated: int
    orders_unchanged: int
    lines: int
    units: int
    paid_total: str = Field(..., examples=["1299.00"])
    held: int
    rejected: list[RejectedRowOut]


class ReasonIn(InputSchema):
    reason: str = Field(..., min_length=1, max_length=255)


class ReleaseIn(InputSchema):
    reason: str = Field("", max_length=255)


class ShipIn(InputSchema):
    carrier: str = Field(..., min_length=1, max_length=64, examples=["顺丰"])
    tracking_no: str = Field(..., min_length=1, max_length=64, examples=["SF1234567890"])
