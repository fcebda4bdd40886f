"""JSON shapes of the catalog API.

Money leaves as a string with two decimals ("99.00") and arrives as a string parsed exactly by
core.money.parse_money: a JSON number is refused, because 0.1 as a float is not 0.1 and an API must not
quietly round a price someone typed.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any

from ninja import Field, Schema
from pydantic import AfterValidator, BeforeValidator, ConfigDict

from zhanggui.catalog.models import MAX_COUNT, DelistReason, ProductRole
from zhanggui.core.money import parse_money, to_fen


def _money_out(value: Any) -> Any:
    if isinstance(value, Decimal | int | str) and not isinstance(value, bool):
        return f"{to_fen(value):.2f}"
    return value


def _money_string(value: Any) -> Any:
    if not isinstance(value, str):
        raise ValueError('send an amount as a string such as "99.00", not a number')
    return value


def _money_in(value: str) -> Decimal:
    return parse_money(value)  # MoneyError is a ValueError: pydantic turns it into a 422


MoneyOut = Annotated[str, BeforeValidator(_money_out), Field(examples=["99.00"])]
MoneyIn = Annotated[str, BeforeValidator(_money_string), AfterValidator(_money_in), Field(examples=["99.00"])]


class ErrorOut(Schema):
    """Every error body of the API: a stable machine code and a message a person can act on."""

    code: str = Field(examples=["insufficient_stock"])
    message: str
    details: Any = None


class InputSchema(Schema):
    """Unknown fields are an error, so a misspelt `prise` is refused instead of silently ignored."""

    model_config = ConfigDict(extra="forbid")


class NoteIn(InputSchema):
    note: str = Field("", max_length=255)


class ShopOut(Schema):
    id: int
    code: str
    name: str
    channel: str
    warehouse_choice: str
    is_active: bool
    pricing_policy: str = Field(..., description="How its carts are priced: platform or best_for_buyer")


class ProductListItem(Schema):
    id: int
    shop: str = Field(..., alias="shop.code")
    code: str
    title: str
    category: str | None = Field(None, alias="category.name")
    role: str
    listing_status: str
    delist_reason: str
    sku_count: int
    price_min: MoneyOut | None
    price_max: MoneyOut | None
    on_hand: int
    available: int
    updated_at: datetime


class ProductPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[ProductListItem]


class SkuOut(Schema):
    id: int
    product_id: int
    shop: str = Field(..., alias="shop.code")
    code: str
    barcode: str
    spec: str
    price: MoneyOut
    cost: MoneyOut
    weight_g: int
    safety_stock: int
    listing_status: str
    delist_reason: str
    updated_at: datetime


class SkuWithStockOut(SkuOut):
    on_hand: int
    reserved: int
    available: int


class ProductOut(Schema):
    id: int
    shop: str = Field(..., alias="shop.code")
    code: str
    title: str
    category: str | None = Field(None, alias="category.name")
    role: str
    listing_status: str
    delist_reason: str
    description: str
    main_image_url: str
    created_at: datetime
    updated_at: datetime
    skus: list[SkuWithStockOut] = []

    @staticmethod
    def resolve_skus(obj: Any) -> list[Any]:
        return obj.sku_rows  # set by the handler with each SKU's stock, to avoid one query per SKU


class BalanceOut(Schema):
    warehouse_id: int
    warehouse: str = Field(..., alias="warehouse.code")
    on_hand: int
    reserved: int
    available: int


class MoveOut(Schema):
    id: int
    created_at: datetime
    sku_id: int
    warehouse: str = Field(..., alias="warehouse.code")
    quantity: int
    reason: str
    document: str
    on_hand_after: int
    unit_cost: MoneyOut | None
    actor: str | None = Field(None, alias="actor.username")
    note: str


class SkuDetailOut(SkuOut):
    product_code: str = Field(..., alias="product.code")
    product_title: str = Field(..., alias="product.title")
    on_hand: int
    available: int
    balances: list[BalanceOut]
    moves: list[MoveOut]

    # The handler attaches the rows it read with select_related; the related managers would query per row.
    @staticmethod
    def resolve_balances(obj: Any) -> list[Any]:
        return obj.balance_rows

    @staticmethod
    def resolve_moves(obj: Any) -> list[Any]:
        return obj.move_rows

    @staticmethod
    def resolve_on_hand(obj: Any) -> int:
        return sum(b.on_hand for b in obj.balance_rows)

    @staticmethod
    def resolve_available(obj: Any) -> int:
        return sum(b.available for b in obj.balance_rows)


class ProductIn(InputSchema):
    shop: str = Field(..., description="Shop code", max_length=32)
    code: str = Field(..., min_length=1, max_length=64)
    title: str = Field(..., max_length=200)
    category: str = Field("", description="Category name; created when new", max_length=100)
    role: ProductRole = ProductRole.PROFIT
    description: str = ""
    main_image_url: str = Field("", max_length=500)


class ProductPatch(InputSchema):
    title: str | None = Field(None, max_length=200)
    category: str | None = Field(None, description="Category name; empty clears it", max_length=100)
    role: ProductRole | None = None
    description: str | None = None
    main_image_url: str | None = Field(None, max_length=500)


class SkuIn(InputSchema):
    product_id: int
    code: str = Field(..., min_length=1, max_length=64)
    price: MoneyIn
    cost: MoneyIn | None = None
    barcode: str = Field("", max_length=64)
    spec: str = Field("", max_length=200)
    weight_g: int = Field(0, ge=0, le=MAX_COUNT)
    safety_stock: int = Field(0, ge=0, le=MAX_COUNT)


class SkuPatch(InputSchema):
    barcode: str | None = Field(None, max_length=64)
    spec: str | None = Field(None, max_length=200)
    weight_g: int | None = Field(None, ge=0, le=MAX_COUNT)
    safety_stock: int | None = Field(None, ge=0, le=MAX_COUNT)


class PriceIn(InputSchema):
    price: MoneyIn | None = None
    cost: MoneyIn | None = None
    note: str = Field("", max_length=255)


class DelistIn(InputSchema):
    reason: DelistReason = DelistReason.MANUAL
    note: str = Field("", max_length=255)


class TitleProblemOut(Schema):
    code: str
    message: str


class TitleCheckOut(Schema):
    product_id: int
    title: str
    channel: str
    length: int = Field(..., description="As the channel counts it: a Chinese character counts 2 on Taobao")
    limit: int
    problems: list[TitleProblemOut]
    duplicates: list[str] = Field(..., description="Codes of other products of the shop with this title")
