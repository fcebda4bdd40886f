"""JSON shapes of the stored-campaigns API (/api/v1/campaigns/stored); a campaign carries its spec as in
docs/campaigns.md."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Field, Schema

from zhanggui.catalog.schemas import InputSchema
from zhanggui.promotions.schemas import AuditOut, LocalDatetime

SPEC_EXAMPLE = {
    "id": "ttj-0618",
    "name": "天天特价 6月场",
    "rules": [
        {"kind": "min_sales", "days": 30, "units": 10},
        {"kind": "offer_quantity", "min": 50, "max": 300},
    ],
}


class CampaignIn(InputSchema):
    shop: str = Field(..., description="Shop code")
    spec: dict[str, Any] | None = Field(
        None, description="The campaign as in docs/campaigns.md (id, name, rules)", examples=[SPEC_EXAMPLE]
    )
    preset: str = Field("", description="A preset id: its rules are copied when no spec is given")
    code: str = Field("", max_length=64, description="Replaces the spec's id (e.g. a preset under a code of yours)")
    name: str = Field("", max_length=100, description="Replaces the spec's name")
    apply_by: LocalDatetime | None = Field(None, description="Registration deadline")
    starts_at: LocalDatetime | None = None
    ends_at: LocalDatetime | None = None
    note: str = Field("", max_length=2000)


class CampaignUpdateIn(InputSchema):
    spec: dict[str, Any] = Field(..., description="The whole spec; its id stays the campaign's code")
    apply_by: LocalDatetime | None = Field(None, description="Left out: cleared")
    starts_at: LocalDatetime | None = None
    ends_at: LocalDatetime | None = None
    note: str = Field("", max_length=2000)


class CampaignNoteIn(InputSchema):
    note: str = Field("", max_length=255)


class CampaignOut(Schema):
    id: int
    shop: str = Field(..., alias="shop.code")
    code: str
    name: str
    preset: str
    spec: dict[str, Any]
    apply_by: datetime | None
    starts_at: datetime | None
    ends_at: datetime | None
    phase: str = Field(..., description="open, closed (registration over), running, ended or undated")
    note: str
    is_archived: bool
    created_by: str = Field(..., alias="created_by.username")
    created_at: datetime
    updated_at: datetime


class CampaignDetailOut(CampaignOut):
    preset_note: str = Field("", description="What the preset does not check (shop requirements, paperwork)")
    history: list[AuditOut]
