"""JSON shapes of the stored-promotions API: a stored promotion carries its spec exactly as in
docs/pricing.md."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Field, Schema

from zhanggui.catalog.schemas import InputSchema
from zhanggui.promotions.schemas import AuditOut


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


class PromotionDetailOut(PromotionOut):
    needs_approval: bool = Field(..., description="Deeper than ZHANGGUI_APPROVAL_DISCOUNT_LIMIT: a manager approves")
    history: list[AuditOut]
