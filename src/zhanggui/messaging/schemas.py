"""JSON shapes of the buyer-messages API."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from ninja import Field, Schema

from zhanggui.catalog.schemas import InputSchema
from zhanggui.messaging.models import MessageKind, MessageStatus


class StatusIn(StrEnum):
    QUEUED = MessageStatus.QUEUED.value
    SENDING = MessageStatus.SENDING.value
    STORED = MessageStatus.STORED.value
    SENT = MessageStatus.SENT.value
    SKIPPED = MessageStatus.SKIPPED.value
    FAILED = MessageStatus.FAILED.value


class KindIn(StrEnum):
    SHIPPED = MessageKind.SHIPPED.value
    DELIVERY_REMINDER = MessageKind.DELIVERY_REMINDER.value


class MessageOut(Schema):
    id: int
    shop: str = Field(..., alias="shop.code")
    order_id: int
    order_no: str = Field(..., alias="order.platform_order_no")
    buyer_nick: str
    kind: str = Field(..., description="shipped or delivery_reminder")
    status: str = Field(
        ...,
        description="queued, sending, stored (kept in Zhanggui, not delivered: the default sender), sent, "
        "skipped (the buyer opted out, or no buyer), failed",
    )
    reason: str
    text: str
    attempts: int
    created_at: datetime
    attempted_at: datetime | None
    sent_at: datetime | None


class MessagePage(Schema):
    count: int
    page: int
    page_size: int
    items: list[MessageOut]


class OptOutOut(Schema):
    id: int
    shop: str = Field(..., alias="shop.code")
    buyer_nick: str
    note: str
    created_by: str | None = Field(None, alias="created_by.username")
    created_at: datetime


class OptOutPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[OptOutOut]


class OptOutIn(InputSchema):
    shop: str = Field(..., min_length=1, max_length=32, description="Shop code")
    buyer_nick: str = Field(..., min_length=1, max_length=100, examples=["tb_lily"])
    note: str = Field("", max_length=255)
