"""JSON shapes of the flash-sale API (money as "12.50" strings, like the catalog API)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from ninja import Field, Schema
from pydantic import StrictInt

from zhanggui.catalog.schemas import InputSchema, MoneyIn, MoneyOut
from zhanggui.inventory.limits import MAX_LINE_QUANTITY
from zhanggui.promotions.schemas import LocalDatetime

# Units of a flash sale (its stock, a buyer's cap, one buy): a JSON integer within the inventory's line limit.
# The caps' lower bound (1) is the service's to say (invalid_flash_sale), like its other rules of a sale.
FlashCap = Annotated[StrictInt, Field(le=MAX_LINE_QUANTITY)]
FlashUnits = Annotated[StrictInt, Field(ge=1, le=MAX_LINE_QUANTITY)]


class FlashSaleIn(InputSchema):
    sku_id: int
    name: str = Field("", max_length=100)
    price: MoneyIn = Field(..., description="The flash price; below the SKU's price")
    stock_cap: FlashCap = Field(..., description="Units for sale in this flash sale (活动库存), at least 1")
    per_buyer_cap: FlashCap = Field(..., description="Most units one buyer may take (限购), at least 1")
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
    promotion_id: int | None = Field(None, description="The stored flash_sale promotion that opened it, if any")
    promotion: str | None = Field(None, description="That promotion's code")
    created_at: datetime

    @staticmethod
    def resolve_promotion(obj: Any) -> str | None:
        return obj.promotion.code if obj.promotion_id else None


class BuyIn(InputSchema):
    buyer_ref: str = Field(..., min_length=1, max_length=64, description="Member id or platform buyer nick")
    quantity: FlashUnits


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
