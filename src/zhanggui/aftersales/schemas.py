"""JSON shapes of the after-sales API (money as "12.50" strings, like the other apps; sent as strings too)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Field, Schema

from zhanggui.aftersales.models import CaseKind, CaseReason, Responsibility, ReturnGrade
from zhanggui.catalog.schemas import InputSchema, MoneyIn, MoneyOut
from zhanggui.orders.schemas import Moment

MAX_ID = 2**63 - 1


class CaseOut(Schema):
    id: int
    number: str = Field(..., description="The platform's refund number, or AS-<id> for a case of our own")
    shop: str = Field(..., alias="shop.code")
    order_id: int
    order_no: str = Field(..., alias="order.platform_order_no")
    kind: str = Field(..., description="refund_unshipped, refund_shipped, return_refund, exchange, reissue, …")
    status: str = Field(..., description="open, agreed, rejected, refunded or closed")
    reason: str
    responsibility: str = Field(..., description="us, carrier, supplier, buyer, or empty: not decided")
    platform_refund_no: str
    requested_amount: MoneyOut
    refunded: MoneyOut = Field(..., description="What this case gave back, over all its lines")
    platform_deadline: datetime | None
    deadline: datetime | None = Field(None, description="When the platform acts by itself if nobody answers")
    deadline_source: str = Field(..., description="platform (its own deadline), rule, or empty: none")
    assignee: str | None = Field(None, alias="assignee.username")
    first_answer_at: datetime | None
    closed_at: datetime | None
    created_at: datetime
    updated_at: datetime


class CasePage(Schema):
    count: int
    page: int
    page_size: int
    items: list[CaseOut]


class CaseLineOut(Schema):
    order_line_id: int
    sub_order_id: str = Field(..., alias="order_line.sub_order_id")
    quantity: int = Field(..., description="Units the case is about (0: money only)")
    refund_amount: MoneyOut = Field(..., description="What this case refunded of the line")


class OrderLineMoneyOut(Schema):
    """An order line with what was paid, what every case together refunded, and what is left to refund."""

    order_line_id: int = Field(..., alias="line.pk")
    sub_order_id: str = Field(..., alias="line.sub_order_id")
    sku_code: str = Field(..., alias="line.sku_code")
    title: str = Field(..., alias="line.title")
    quantity: int = Field(..., alias="line.quantity")
    paid: MoneyOut
    refunded: MoneyOut
    left: MoneyOut


class CaseEventOut(Schema):
    at: datetime
    actor: str | None = Field(None, alias="actor.username")
    from_status: str
    to_status: str
    reason: str


class CaseDetailOut(CaseOut):
    description: str
    clock_started_at: datetime
    deadline_rule: str | None = Field(None, description="The rule's situation, when the deadline came from a rule")
    lines: list[CaseLineOut]
    events: list[CaseEventOut]
    order_lines: list[OrderLineMoneyOut] = Field(..., description="Every line of the order, with its refunds")

    @staticmethod
    def resolve_deadline_rule(case: Any) -> str | None:
        return case.deadline_rule.situation if case.deadline_rule is not None else None

    @staticmethod
    def resolve_lines(case: Any) -> list[Any]:
        return list(case.lines.all())

    @staticmethod
    def resolve_events(case: Any) -> list[Any]:
        return list(case.events.all())

    @staticmethod
    def resolve_order_lines(case: Any) -> list[Any]:
        return case.order_line_rows  # set by the handler (selectors.line_money)


class CaseLineIn(InputSchema):
    order_line_id: int = Field(..., ge=1, le=MAX_ID)
    quantity: int = Field(..., ge=1, le=1_000_000)


class OpenCaseIn(InputSchema):
    order_id: int = Field(..., ge=1, le=MAX_ID)
    kind: CaseKind
    reason: CaseReason
    lines: list[CaseLineIn] = Field([], max_length=500, description="The order's lines the case is about")
    requested_amount: MoneyIn = "0.00"
    responsibility: Responsibility | None = None
    platform_refund_no: str = Field("", max_length=64, description="退款编号; empty for a case of our own")
    platform_deadline: Moment | None = Field(None, description="超时时间: the platform's deadline, wins over the rules")
    description: str = Field("", max_length=4000)


class StepIn(InputSchema):
    reason: str = Field("", max_length=255)
    responsibility: Responsibility | None = None


class ReasonStepIn(InputSchema):
    reason: str = Field(..., min_length=1, max_length=255)
    responsibility: Responsibility | None = None


class RefundLineIn(InputSchema):
    order_line_id: int = Field(..., ge=1, le=MAX_ID)
    amount: MoneyIn


class RefundIn(InputSchema):
    lines: list[RefundLineIn] = Field(..., min_length=1, max_length=500)
    reason: str = Field("", max_length=200)


class AssignIn(InputSchema):
    assignee: str | None = Field(..., max_length=150, description="A username, or null: nobody")


class RefundImportReportOut(Schema):
    """What a refund import did (aftersales.imports.RefundImportReport.as_dict)."""

    cases_created: int
    cases_updated: int
    cases_unchanged: int
    refunded_total: str = Field(..., examples=["49.90"])
    rejected: list[dict[str, Any]]


class ReplacementLineIn(InputSchema):
    case_line_id: int = Field(..., ge=1, le=MAX_ID)
    sku_id: int = Field(
        ...,
        ge=1,
        le=MAX_ID,
        description="The SKU to send: the line's own, or (an exchange) another SKU of the same product",
    )


class ReplacementIn(InputSchema):
    lines: list[ReplacementLineIn] = Field(
        [], max_length=500, description="The SKU per case line (not named: the one chosen before, else the line's own)"
    )
    reason: str = Field("", max_length=200)


class ReplacementLineOut(Schema):
    case_line_id: int = Field(..., alias="pk")
    order_line_id: int
    replacement_line_id: int | None
    sku_code: str = Field(..., alias="replacement_line.sku_code")
    quantity: int = Field(..., alias="replacement_line.quantity")


class ReplacementOut(Schema):
    """The replacement part of the order (补发/换货), which ships through the fulfilment like any order."""

    case_id: int
    part_id: int = Field(..., alias="part.pk")
    part_no: str = Field(..., alias="part.platform_order_no")
    status: str = Field(..., alias="part.status", description="The part's status: paid, reviewed, … shipped")
    lines: list[ReplacementLineOut]


# ----- returns receiving (aftersales.returns)


class ReturnSentIn(InputSchema):
    carrier: str = Field(..., min_length=1, max_length=64, examples=["顺丰"])
    tracking_no: str = Field(..., min_length=1, max_length=64, description="The buyer's return tracking number")
    sent_at: Moment | None = Field(None, description="When the buyer sent it; empty: now")


class ReceiveLineIn(InputSchema):
    case_line_id: int = Field(..., ge=1, le=MAX_ID)
    grade: ReturnGrade = Field(..., description="resellable (back to sale) or defective (to the 次品仓)")
    quantity: int = Field(..., ge=1, le=1_000_000)


class ReceiveIn(InputSchema):
    lines: list[ReceiveLineIn] = Field(..., min_length=1, max_length=500)
    warehouse: str | None = Field(
        None, max_length=32, description="Warehouse code for the resellable units; empty: where the order shipped from"
    )
    tracking_no: str = Field("", max_length=64, description="The parcel scanned; empty: the case's return parcel")
    note: str = Field("", max_length=255)


class ExpectedLineOut(Schema):
    case_line_id: int = Field(..., alias="case_line.pk")
    order_line_id: int = Field(..., alias="case_line.order_line_id")
    sku_code: str
    title: str
    asked: int = Field(..., description="Units the case asked back")
    received: int = Field(..., description="Units received before")
    expected: int = Field(..., alias="left", description="Units still expected: asked − received")


class ExpectedReturnOut(Schema):
    case_id: int = Field(..., alias="case.pk")
    number: str = Field(..., alias="case.number")
    kind: str = Field(..., alias="case.kind")
    status: str = Field(..., alias="case.status")
    order_no: str = Field(..., alias="case.order.platform_order_no")
    return_carrier: str = Field(..., alias="case.return_carrier")
    return_tracking_no: str = Field(..., alias="case.return_tracking_no")
    return_sent_at: datetime | None = Field(None, alias="case.return_sent_at")
    expected: int = Field(..., alias="left", description="Units still expected over all lines")
    lines: list[ExpectedLineOut]


class ReturnLineOut(Schema):
    case_line_id: int
    grade: str
    quantity: int
    warehouse: str = Field(..., alias="warehouse.code")
    move_id: int | None


class ReturnReceiptOut(Schema):
    id: int
    number: str = Field(..., description="RR-<id>")
    case_id: int
    tracking_no: str
    received_by: str = Field(..., alias="received_by.username")
    received_at: datetime
    note: str
    lines: list[ReturnLineOut]

    @staticmethod
    def resolve_number(receipt: Any) -> str:
        return str(receipt)

    @staticmethod
    def resolve_lines(receipt: Any) -> list[Any]:
        return list(receipt.lines.all())
