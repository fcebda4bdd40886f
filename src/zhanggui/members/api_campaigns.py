"""Campaigns and the points shop under /api/v1/members (docs/members.md): campaigns with their control groups,
test sends and per-day report; points-shop items, a redemption and a daily check-in for a member. Every role
reads; changes need members.manage_loyalty (店长, 运营), checked by the services."""

from __future__ import annotations

from dataclasses import asdict
from datetime import time
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from ninja import Router, Schema

from zhanggui.catalog.api import ERRORS, get_or_404
from zhanggui.members import campaigns, points_shop, services
from zhanggui.members.models import Campaign, Member, PointsShopItem, Segment
from zhanggui.promotions.models import Promotion

router = Router(tags=["members"])


class MemberCampaignIn(Schema):
    name: str
    segment: int
    kind: str = "coupon"
    channel: str = "platform"
    promotion: int | None = None
    template: str = ""
    control_share: Decimal = Decimal("0.10")
    quiet_start: time | None = None
    quiet_end: time | None = None
    cap_days: int = 7


class TestIn(Schema):
    member: int


class ItemIn(Schema):
    name: str
    kind: str = "gift"
    promotion: int | None = None
    points: int
    stock: int = 0
    per_member_limit: int | None = None
    active: bool = True


class RedeemIn(Schema):
    item: int
    key: str


def _campaign(campaign_id: int) -> Campaign:
    return get_or_404(Campaign.objects.select_related("segment", "promotion"), _("Campaign"), pk=campaign_id)


def _out(campaign: Campaign) -> dict[str, Any]:
    return {
        "id": campaign.pk,
        "name": campaign.name,
        "segment": campaign.segment_id,
        "kind": campaign.kind,
        "channel": campaign.channel,
        "promotion": campaign.promotion_id,
        "template": campaign.template,
        "control_share": str(campaign.control_share),
        "seed": campaign.seed,
        "quiet_start": campaign.quiet_start.isoformat() if campaign.quiet_start else None,
        "quiet_end": campaign.quiet_end.isoformat() if campaign.quiet_end else None,
        "cap_days": campaign.cap_days,
        "state": campaign.state,
        "sent_at": campaign.sent_at.isoformat() if campaign.sent_at else None,
    }


@router.get("/campaigns", response={200: list[dict[str, Any]], **ERRORS})
def campaign_list(request):
    return [_out(c) for c in Campaign.objects.all()[:500]]


@router.post("/campaigns", response={200: dict[str, Any], **ERRORS})
def campaign_create(request, payload: MemberCampaignIn):
    """A draft campaign; its seed is drawn now and kept (the control group it will draw is fixed by it)."""
    data = payload.dict()
    data["segment"] = get_or_404(Segment.objects.all(), _("Segment"), pk=data["segment"])
    if data["promotion"] is not None:
        data["promotion"] = get_or_404(Promotion.objects.all(), _("Coupon"), pk=data["promotion"])
    campaign = campaigns.save_campaign(actor=request.auth, campaign=Campaign(**data))
    return {**_out(campaign), "counts": campaigns.preview_counts(campaign)}


@router.get("/campaigns/{campaign_id}", response={200: dict[str, Any], **ERRORS})
def campaign_detail(request, campaign_id: int):
    """The campaign, its groups (live counts for a draft) and, once sent, the report per day since sending."""
    campaign = _campaign(campaign_id)
    sent = campaign.sent_at is not None
    return {
        **_out(campaign),
        "counts": campaigns.delivery_counts(campaign) if sent else campaigns.preview_counts(campaign),
        "report": [
            {"day": d.day.isoformat(), "orders": asdict(d.orders), "gmv": asdict(d.gmv), "margin": asdict(d.margin)}
            for d in campaigns.report(campaign)
        ],
    }


@router.post("/campaigns/{campaign_id}/test", response={200: dict[str, Any], **ERRORS})
def campaign_test(request, campaign_id: int, payload: TestIn):
    member = get_or_404(Member.objects.all(), _("Member"), pk=payload.member)
    sent = campaigns.send_test(actor=request.auth, campaign=_campaign(campaign_id), member=member)
    return {"member": member.pk, "text": sent.text}


@router.post("/campaigns/{campaign_id}/send", response={200: dict[str, int], **ERRORS})
def campaign_send(request, campaign_id: int):
    """Draw the groups and deliver to the treatment group (deferred in quiet hours); control gets nothing."""
    return campaigns.send(actor=request.auth, campaign=_campaign(campaign_id))


def _item_out(item: PointsShopItem) -> dict[str, Any]:
    return {
        "id": item.pk,
        "name": item.name,
        "kind": item.kind,
        "promotion": item.promotion_id,
        "points": item.points,
        "stock": item.stock,
        "per_member_limit": item.per_member_limit,
        "active": item.active,
    }


@router.get("/points-shop", response={200: list[dict[str, Any]], **ERRORS})
def item_list(request):
    return [_item_out(i) for i in PointsShopItem.objects.all()]


@router.post("/points-shop", response={200: dict[str, Any], **ERRORS})
def item_create(request, payload: ItemIn):
    data = payload.dict()
    if data["promotion"] is not None:
        data["promotion"] = get_or_404(Promotion.objects.all(), _("Coupon"), pk=data["promotion"])
    return _item_out(points_shop.save_item(actor=request.auth, item=PointsShopItem(**data)))


@router.post("/{member_id}/redeem", response={200: dict[str, Any], **ERRORS})
def redeem(request, member_id: int, payload: RedeemIn):
    """Take an item for the member's points; the same key twice takes once (409 out of stock, limit, points)."""
    member = get_or_404(Member.objects.all(), _("Member"), pk=member_id)
    item = get_or_404(PointsShopItem.objects.all(), _("Item"), pk=payload.item)
    done = points_shop.redeem(actor=request.auth, member=member, item=item, key=payload.key)
    return {"redemption": done.pk, "points": done.points, "person_balance": services.person_points(member)}


@router.post("/{member_id}/check-in", response={200: dict[str, Any], **ERRORS})
def check_in(request, member_id: int):
    """+5 points once per person and day; a second check-in the same day books nothing."""
    member = get_or_404(Member.objects.all(), _("Member"), pk=member_id)
    entry, new = points_shop.check_in(actor=request.auth, member=member)
    return {"day": entry.day.isoformat(), "new": new, "person_balance": services.person_points(member)}
