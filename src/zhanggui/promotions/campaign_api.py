"""`/api/v1/campaigns/stored`: a shop's official campaigns (官方活动) with their rules, and the check of its SKUs
against one of them (docs/campaigns.md, "Stored campaigns").

Writes need `promotions.manage_promotions` (the services check it); every logged-in caller lists, reads and
checks. Errors are the API's `{code, message}`: 422 `invalid_campaign_spec` (the field named) or
`invalid_campaign`, 409 `campaign_code_taken` or `campaign_archived`, 404 `not_found`, 403 `permission_denied`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from ninja import Body, Field, Query, Router, Schema

from zhanggui.catalog.api import ERRORS, get_or_404
from zhanggui.catalog.models import Shop, Sku
from zhanggui.catalog.schemas import InputSchema
from zhanggui.core.errors import NotFoundError
from zhanggui.promotions import campaigns
from zhanggui.promotions.eligibility import CampaignSpecError, parse_offer, parse_reviews
from zhanggui.promotions.eligibility_presets import NOTES
from zhanggui.promotions.models import OfficialCampaign
from zhanggui.promotions.schemas import AuditOut, LocalDatetime

router = Router(tags=["campaigns"])

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


def _campaign(campaign_id: int) -> OfficialCampaign:
    return get_or_404(OfficialCampaign.objects.select_related("shop", "created_by"), _("Campaign"), pk=campaign_id)


def _phased(campaign: OfficialCampaign) -> OfficialCampaign:
    campaign.phase = campaigns.phase(campaign, timezone.now())  # type: ignore[attr-defined]
    return campaign


def _detail(campaign_id: int) -> OfficialCampaign:
    campaign = _phased(_campaign(campaign_id))
    campaign.preset_note = str(NOTES.get(campaign.preset, ""))  # type: ignore[attr-defined]
    campaign.history = list(campaigns.campaign_history(campaign))  # type: ignore[attr-defined]
    return campaign


@router.get("", response={200: list[CampaignOut], **ERRORS})
def list_campaigns(
    request,
    shop: str = Query("", description="Shop code; empty: every shop"),
    archived: bool = Query(False, description="true: archived campaigns too"),
):
    """Campaigns, upcoming first (the nearest deadline, start or end), then undated, then ended ones."""
    chosen = get_or_404(Shop.objects.all(), _("Shop"), code=shop) if shop else None
    return [_phased(c) for c in campaigns.shop_campaigns(shop=chosen, include_archived=archived)]


@router.post("", response={201: CampaignDetailOut, **ERRORS})
def create_campaign(request, payload: CampaignIn):
    """A campaign from its spec, or from a copy of a preset's rules; 409 `campaign_code_taken` in the shop."""
    campaign = campaigns.create_campaign(
        actor=request.auth,
        shop=get_or_404(Shop.objects.all(), _("Shop"), code=payload.shop),
        raw_spec=payload.spec,
        preset=payload.preset,
        code=payload.code,
        name=payload.name,
        apply_by=payload.apply_by,
        starts_at=payload.starts_at,
        ends_at=payload.ends_at,
        note=payload.note,
    )
    return 201, _detail(campaign.pk)


@router.get("/{int:campaign_id}", response={200: CampaignDetailOut, **ERRORS})
def get_campaign(request, campaign_id: int):
    return _detail(campaign_id)


@router.put("/{int:campaign_id}", response={200: CampaignDetailOut, **ERRORS})
def update_campaign(request, campaign_id: int, payload: CampaignUpdateIn):
    """Replace the rules, dates and note (409 `campaign_archived` for an archived one: restore it first)."""
    campaigns.update_campaign(
        actor=request.auth,
        campaign=_campaign(campaign_id),
        raw_spec=payload.spec,
        apply_by=payload.apply_by,
        starts_at=payload.starts_at,
        ends_at=payload.ends_at,
        note=payload.note,
    )
    return _detail(campaign_id)


@router.post("/{int:campaign_id}/archive", response={200: CampaignDetailOut, **ERRORS})
def archive_campaign(request, campaign_id: int, payload: CampaignNoteIn | None = None):
    """Hide it from the list and freeze its rules."""
    note = payload.note if payload else ""
    campaigns.archive_campaign(actor=request.auth, campaign=_campaign(campaign_id), note=note)
    return _detail(campaign_id)


@router.post("/{int:campaign_id}/restore", response={200: CampaignDetailOut, **ERRORS})
def restore_campaign(request, campaign_id: int, payload: CampaignNoteIn | None = None):
    note = payload.note if payload else ""
    campaigns.restore_campaign(actor=request.auth, campaign=_campaign(campaign_id), note=note)
    return _detail(campaign_id)


def _sku_key(raw: Mapping[str, Any], where: str, shop: Shop) -> tuple[str, Any]:
    """A line's SKU: `sku_id`, or `code` in the campaign's shop (a `shop` given must be that shop)."""
    if "sku_id" in raw:
        sku_id = raw["sku_id"]
        if isinstance(sku_id, bool) or not isinstance(sku_id, int):
            raise CampaignSpecError(_("%(field)s.sku_id: a SKU id (a whole number)") % {"field": where})
        return "id", sku_id
    code, given_shop = raw.get("code"), raw.get("shop", shop.code)
    if not isinstance(code, str) or not code:
        raise CampaignSpecError(_("%(field)s: give sku_id, or the SKU's code") % {"field": where})
    if given_shop != shop.code:
        raise campaigns.InvalidCampaign(
            _("%(field)s.shop: the campaign is for the shop %(shop)s") % {"field": where, "shop": shop.code},
            field=f"{where}.shop",
        )
    return "code", code


@router.post("/{int:campaign_id}/check", response={200: dict[str, Any], **ERRORS})
def check_campaign(request, campaign_id: int, payload: dict[str, Any] = Body(...)):  # noqa: B008 - ninja's JSON body
    """Check SKUs of the campaign's shop against its stored rules. The body is that of `/campaigns/check`
    without `campaign`: `skus` (each with sku_id or code, price, quantity, free_shipping, reviews) and an
    optional `at` (ISO 8601). Nothing is stored.
    """
    campaign = _campaign(campaign_id)
    unknown = set(payload) - {"skus", "at"}
    if unknown:
        raise CampaignSpecError(
            _("unknown keys %(keys)s: the campaign is the stored one") % {"keys": ", ".join(sorted(unknown))}
        )
    lines = payload.get("skus")
    if not isinstance(lines, list) or not lines:
        raise CampaignSpecError(_("skus: a non-empty list"))
    if len(lines) > campaigns.MAX_SKUS:
        raise CampaignSpecError(_("skus: at most %(max)s lines in one check") % {"max": campaigns.MAX_SKUS})
    at = None
    if payload.get("at"):
        at = parse_datetime(str(payload["at"]))
        if at is None or at.tzinfo is None:
            raise CampaignSpecError(_("at: a date-time with time zone (ISO 8601)"))

    keys, parsed = [], []
    for i, line in enumerate(lines):
        where = f"skus[{i}]"
        if not isinstance(line, Mapping):
            raise CampaignSpecError(_("%(field)s: an object") % {"field": where})
        keys.append(_sku_key(line, where, campaign.shop))
        parsed.append((parse_offer(line, where), parse_reviews(line.get("reviews"), f"{where}.reviews")))

    ids, codes = {v for k, v in keys if k == "id"}, {v for k, v in keys if k == "code"}
    found = list(Sku.objects.filter(Q(pk__in=ids) | Q(code__in=codes), shop=campaign.shop))
    by_id, by_code = {s.pk: s for s in found}, {s.code: s for s in found}
    offers = []
    for i, ((kind, value), (offer, reviews)) in enumerate(zip(keys, parsed, strict=True)):
        sku = by_id.get(value) if kind == "id" else by_code.get(value)
        if sku is None:
            raise NotFoundError(
                _("skus[%(index)s]: no SKU %(sku)s in the shop %(shop)s.")
                % {"index": i, "sku": value, "shop": campaign.shop.code},
                field=f"skus[{i}]",
            )
        sku.shop = campaign.shop  # the facts name the shop; no query per SKU
        offers.append(campaigns.SkuOffer(sku=sku, offer=offer, reviews=reviews))

    result = campaigns.check_campaign_skus(campaign=campaign, offers=offers, at=at)
    return {
        "campaign_id": campaign.pk,
        "shop": campaign.shop.code,
        "campaign": result.campaign.as_dict(),
        "at": result.at.isoformat(),
        "results": [r.as_dict() for r in result.rows],
    }
