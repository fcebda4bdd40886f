"""JSON shapes of the promotions API (money as "12.50" strings, like the catalog API; a stored promotion
carries its spec exactly as in docs/pricing.md).

A date-time sent without a UTC offset is read in the desk's time zone (settings.TIME_ZONE, Beijing time by
default), because that is how a shop team writes "20:00 tonight".
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from django.utils import timezone
from ninja import Field, Schema
from pydantic import AfterValidator, StrictInt

from zhanggui.catalog.schemas import InputSchema, MoneyIn, MoneyOut
from zhanggui.inventory.limits import MAX_LINE_QUANTITY


def _aware(value: datetime) -> datetime:
    return timezone.make_aware(value) if timezone.is_naive(value) else value


LocalDatetime = Annotated[datetime, AfterValidator(_aware), Field(examples=["2026-06-18T20:00:00+08:00"])]
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


class PromotionIn(InputSchema):
    shop: str | None = Field(None, description="Shop code; empty for a promotion of every shop")
    spec: dict[str, Any] = Field(
        ...,
        description="The promotion as in docs/pricing.md, with id, kind, starts_at and ends_at",
        examples=[
            {
                "id": "mj300",
                "kind": "spend_save",
                "name": "满300减30",
                "tiers": [["300", "30"]],
                "starts_at": "2026-06-01T00:00:00+08:00",
                "ends_at": "2026-06-19T00:00:00+08:00",
            }
        ],
    )


class PromotionSpecIn(InputSchema):
    spec: dict[str, Any] = Field(..., description="The whole new spec (its id stays the promotion's code)")


class PromotionNoteIn(InputSchema):
    note: str = Field("", max_length=255)


class PromotionOut(Schema):
    id: int
    shop: str | None = Field(None, description="Shop code; null: every shop")
    code: str
    name: str
    kind: str
    spec: dict[str, Any]
    starts_at: datetime
    ends_at: datetime
    state: str = Field(..., description="draft, submitted, approved or cancelled (stored)")
    status: str = Field(
        ..., description="draft, pending_approval, scheduled, running, ended or cancelled (state and clock)"
    )
    created_by: str
    approved_by: str | None
    approved_at: datetime | None
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_shop(obj) -> str | None:
        return obj.shop.code if obj.shop_id else None

    @staticmethod
    def resolve_created_by(obj) -> str:
        return obj.created_by.username

    @staticmethod
    def resolve_approved_by(obj) -> str | None:
        return obj.approved_by.username if obj.approved_by_id else None


class AuditOut(Schema):
    at: datetime
    actor: str | None
    action: str
    before: dict[str, Any]
    after: dict[str, Any]
    note: str

    @staticmethod
    def resolve_actor(obj) -> str | None:
        return obj.actor.username if obj.actor_id else None


class PromotionDetailOut(PromotionOut):
    needs_approval: bool = Field(..., description="Deeper than ZHANGGUI_APPROVAL_DISCOUNT_LIMIT: a manager approves")
    history: list[AuditOut]
