"""JSON shapes of the inventory API (money as "12.50" strings, like the catalog API).

Quantities are JSON integers (not strings, not true/false) within the limits of inventory.limits, written
here as bounds so the OpenAPI document shows them; the services check the same limits for every other caller.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from django.utils.translation import gettext as _
from ninja import Field, Schema
from pydantic import AfterValidator, StrictInt

from zhanggui.catalog.schemas import InputSchema, MoneyIn, MoneyOut, MoveOut
from zhanggui.inventory import limits
from zhanggui.inventory.models import MoveReason

# Units on one line: 1 … MAX_LINE_QUANTITY (signed for a move); a count: 0 … MAX_COUNT.
LineQuantity = Annotated[StrictInt, Field(ge=1, le=limits.MAX_LINE_QUANTITY)]
SignedQuantity = Annotated[StrictInt, Field(ge=-limits.MAX_LINE_QUANTITY, le=limits.MAX_LINE_QUANTITY)]
QuantityOrNone = Annotated[StrictInt, Field(ge=0, le=limits.MAX_LINE_QUANTITY)]
CountQuantity = Annotated[StrictInt, Field(ge=0, le=limits.MAX_COUNT)]


def _unit_cost_in_range(value: Decimal) -> Decimal:
    if value < 0 or value > limits.MAX_UNIT_COST:
        raise ValueError(_("a unit cost is between 0.00 and %(limit)s") % {"limit": limits.MAX_UNIT_COST})
    return value


UnitCostIn = Annotated[
    MoneyIn,
    AfterValidator(_unit_cost_in_range),
    Field(description=f"0.00 … {limits.MAX_UNIT_COST} yuan", examples=["12.50"]),
]
Reference = Annotated[
    str,
    Field(
        min_length=1,
        max_length=limits.REFERENCE_MAX_LENGTH,
        pattern=limits.REFERENCE_PATTERN,
        description="Order or cart number: ASCII letters, digits and - _ . : (starting with a letter or digit)",
    ),
]


class BookableReason(StrEnum):
    """Reasons a person may book directly. Sales go through reservations, transfers and stocktakes through
    their own endpoints, so that every such move carries its document."""

    ADJUSTMENT = MoveReason.ADJUSTMENT.value
    RETURN = MoveReason.RETURN.value
    PURCHASE_RECEIPT = MoveReason.PURCHASE_RECEIPT.value
    SUPPLIER_RETURN = MoveReason.SUPPLIER_RETURN.value


class WarehouseOut(Schema):
    id: int
    code: str
    name: str
    priority: int
    is_active: bool
    sellable: bool = Field(..., description="false: a defective/quarantine warehouse (次品仓), never sold from")


class BalanceRowOut(Schema):
    sku_id: int
    sku: str = Field(..., alias="sku.code")
    warehouse_id: int
    warehouse: str = Field(..., alias="warehouse.code")
    on_hand: int
    reserved: int
    available: int
    location: str | None = Field(None, alias="location_code", description="Bin location (库位) in the warehouse")


class BalancePage(Schema):
    count: int
    page: int
    page_size: int
    items: list[BalanceRowOut]


class MoveIn(InputSchema):
    sku_id: int
    warehouse: str = Field(..., description="Warehouse code")
    quantity: SignedQuantity = Field(
        ...,
        description="Signed: + into the warehouse, − out of it; not 0. A return or a purchase receipt is positive, "
        "a supplier return negative, an adjustment either",
    )
    reason: BookableReason
    document: str = Field("", max_length=64)
    note: str = Field("", max_length=255, description="Required for an adjustment: say why")
    unit_cost: UnitCostIn | None = None


class TransferIn(InputSchema):
    sku_id: int
    source: str = Field(..., description="Warehouse code")
    destination: str = Field(..., description="Warehouse code")
    quantity: LineQuantity
    note: str = Field("", max_length=255)


class ReservationLineIn(InputSchema):
    sku_id: int
    quantity: LineQuantity


class ReservationIn(InputSchema):
    reference: Reference
    lines: list[ReservationLineIn] = Field(..., min_length=1, max_length=200)
    shop: str | None = Field(None, description="Shop code: its warehouse choice rule picks the warehouse")
    warehouse: str | None = Field(None, description="Warehouse code: reserve only there")


class ReservationLineOut(Schema):
    sku_id: int
    warehouse_id: int
    quantity: int


class ReservationOut(Schema):
    reference: str
    status: str
    lines: list[ReservationLineOut]


class ReservationRowOut(ReservationLineOut):
    status: str
    created_at: datetime
    closed_at: datetime | None


class IssueIn(InputSchema):
    document: str = Field("", max_length=64, description="Shipping document; the reference when empty")


class SupplierOut(Schema):
    id: int
    code: str
    name: str
    contact: str
    phone: str
    lead_time_days: int


class SupplierIn(InputSchema):
    code: str = Field(..., min_length=1, max_length=32)
    name: str = Field(..., min_length=1, max_length=100)
    contact: str = Field("", max_length=100)
    phone: str = Field("", max_length=40)
    lead_time_days: int = Field(7, ge=0, le=365)


class PurchaseLineIn(InputSchema):
    sku_id: int
    quantity: LineQuantity
    unit_cost: UnitCostIn


class PurchaseOrderIn(InputSchema):
    supplier: str = Field(..., description="Supplier code")
    warehouse: str = Field(..., description="Warehouse code")
    lines: list[PurchaseLineIn] = Field(..., min_length=1, max_length=200)
    expected_on: date | None = None
    note: str = Field("", max_length=255)
    place: bool = Field(True, description="Place the order now; false keeps it as a draft")


class PurchaseLineOut(Schema):
    sku_id: int
    sku: str = Field(..., alias="sku.code")
    quantity: int
    unit_cost: MoneyOut
    received_quantity: int
    returned_quantity: int
    open_quantity: int


class PurchaseOrderListItem(Schema):
    id: int
    number: str
    supplier: str = Field(..., alias="supplier.code")
    warehouse: str = Field(..., alias="warehouse.code")
    status: str
    expected_on: date | None
    note: str
    created_at: datetime
    created_by: str | None = Field(None, alias="created_by.username")


class PurchaseOrderPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[PurchaseOrderListItem]


class PurchaseOrderOut(PurchaseOrderListItem):
    lines: list[PurchaseLineOut]


class QuantitiesIn(InputSchema):
    quantities: dict[int, QuantityOrNone] = Field(
        ..., description="SKU id → units (0 skips the line)", examples=[{"12": 60}]
    )
    note: str = Field("", max_length=255)


class ReceiptOut(Schema):
    purchase_order: PurchaseOrderOut
    moves: list[MoveOut]


class StocktakeIn(InputSchema):
    warehouse: str = Field(..., description="Warehouse code")
    category_id: int | None = Field(None, description="Count only this category (else every stocked SKU)")
    blind: bool = Field(False, description="A blind count: the quantities on the books stay hidden until booked")


class CountsIn(InputSchema):
    counts: dict[int, CountQuantity | None] = Field(
        ..., description="SKU id → units counted (null clears a count)", examples=[{"12": 58}]
    )


class StocktakeLineOut(Schema):
    sku_id: int
    sku: str = Field(..., alias="sku.code")
    expected: int | None = Field(..., description="On the books; null on a blind sheet until it is booked")
    counted: int | None
    booked_difference: int | None
    unit_cost: MoneyOut


class StocktakeReportOut(Schema):
    """Gains and losses at cost; before booking, counted − expected of the counted lines."""

    gain_units: int
    gain_value: MoneyOut
    loss_units: int
    loss_value: MoneyOut
    net_value: MoneyOut


class StocktakeListItem(Schema):
    id: int
    number: str
    warehouse: str = Field(..., alias="warehouse.code")
    category: str | None = Field(None, alias="category.name")
    status: str
    blind: bool
    created_at: datetime
    booked_at: datetime | None


class StocktakeOut(StocktakeListItem):
    lines: list[StocktakeLineOut]
    report: StocktakeReportOut | None = Field(..., description="null on a blind sheet until it is booked")


class AlertOut(Schema):
    sku_id: int = Field(..., alias="sku.pk")
    sku: str = Field(..., alias="sku.code")
    product_id: int = Field(..., alias="sku.product_id")
    product_title: str = Field(..., alias="sku.product.title")
    shop: str = Field(..., alias="sku.shop.code")
    safety_stock: int = Field(..., alias="sku.safety_stock")
    available: int
    on_order: int
    issued_30d: int
    days_of_cover: float | None = Field(..., description="null: nothing issued in 30 days")
    suggested_reorder: int


class DriftOut(Schema):
    sku_id: int
    warehouse_id: int
    what: str = Field(..., description="on_hand or reserved")
    cached: int
    ledger: int


class LedgerCheckOut(Schema):
    ok: bool
    drifts: list[DriftOut]
