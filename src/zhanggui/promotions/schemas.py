"""JSON shapes of the promotions API (money as "12.50" strings, like the catalog API).

A date-time sent without a UTC offset is read in the desk's time zone (settings.TIME_ZONE, Beijing time by
default), because that is how a shop team writes "20:00 tonight".
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from django.utils import timezone
from ninja import Field, Schema
from pydantic import AfterValidator

from zhanggui.catalog.schemas import InputSchema, MoneyIn, MoneyOut


def _aware(value: datetime) -> datetime:
    return timezone.make_aware(value) if timezone.is_naive(value) else value


LocalDatetime = Annotated[datetime, AfterValidator(_aware), Field(examples=["2026-06-18T20:00:00+08:00"])]


class FlashSaleIn(InputSchema):
    sku_id: int
    name: str = Field("", max_length=100)
    price: MoneyIn = Field(..., description="The flash price; below the SKU's price")
    stock_cap: int = Field(..., description="Units for sale in this flash sale (活动库存)")
    per_buyer_cap: int = Field(..., description="Most units one buyer may take (限购)")
    starts_at: LocalDatetime
    ends_at: LocalDatetime
    is_active: bool = Field(True, description="false keeps it as a draft until switched on")


class FlashSaleOut(Schema):
    id: int
    shop: str = Field(..., alias="shop.code")
    sku_id: int
    sku: str = Field(..., alias="sku.code")
    sku_price: MoneyOut = Field(..., alias="sku.price")
    name: str
    price: MoneyOut
    stock_cap: int
    per_buyer_cap: int
    sold: int
    left: int
    starts_at: datetime
    ends_at: datetime
    is_active: bool
    status: str = Field(..., description="draft, scheduled, running or ended (from the window and is_active)")
    created_at: datetime


class BuyIn(InputSchema):
    buyer_ref: str = Field(..., min_length=1, max_length=64, description="Member id or platform buyer nick")
    quantity: int = Field(..., gt=0)


class FlashPurchaseOut(Schema):
    id: int
    flash_sale_id: int
    buyer_ref: str
    quantity: int
    reference: str = Field(..., description="The inventory reservation holding the units")
    status: str
    created_at: datetime
    closed_at: datetime | None


class FlashIssueIn(InputSchema):
    document: str = Field("", max_length=64, description="Shipping document; the reference when empty")
