"""JSON shapes of the set answers and compensation endpoints (money as "12.50" strings, like the other apps)."""

from __future__ import annotations

from datetime import datetime

from ninja import Field, Schema

from zhanggui.aftersales.models import OfferKind
from zhanggui.aftersales.schemas import MAX_ID
from zhanggui.catalog.schemas import InputSchema, MoneyIn, MoneyOut


class SetAnswerOut(Schema):
    """A set answer filled in for the case: `text` is ready to copy; `unknown` and `missing` name the variables
    left in braces (not a variable we know; no value on this case yet)."""

    id: int
    title: str
    reason: str = Field(..., description="The reason it is for, or empty: any")
    kind: str = Field(..., description="The kind of case it is for, or empty: any")
    text: str
    unknown: list[str]
    missing: list[str]


class CompensationOut(Schema):
    id: int
    case_id: int
    offer: str = Field(..., description="coupon, partial_refund, cash_back or reissue")
    amount: MoneyOut
    status: str = Field(..., description="approved, pending (waits for a manager), rejected or cancelled")
    rule_id: int | None = None
    note: str
    offered_by: str = Field(..., alias="offered_by.username")
    offered_at: datetime
    decided_by: str | None = Field(None, alias="decided_by.username", description="Empty when within the limit")
    decided_at: datetime | None
    decision_note: str


class OfferIn(InputSchema):
    offer: OfferKind
    amount: MoneyIn
    rule_id: int | None = Field(None, ge=1, le=MAX_ID, description="The compensation rule it follows, if any")
    note: str = Field("", max_length=255)


class DecideIn(InputSchema):
    approve: bool
    note: str = Field("", max_length=255, description="Optional to approve; the reason, required to reject")
