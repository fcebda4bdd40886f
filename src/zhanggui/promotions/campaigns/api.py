"""Campaign endpoints (官方活动), formats in docs/campaigns.md.

`router`, mounted at /api/v1/campaigns: the presets and the eligibility check of any SKUs against a preset or
a spec. Read-only: every role may check; nothing is stored. A bad spec or line answers 422
`invalid_campaign_spec` with the field named; an unknown preset or SKU 404 `not_found`.

`stored_router`, mounted at /api/v1/campaigns/stored: a shop's stored campaigns with their rules, and the
check of its SKUs against one of them ("Stored campaigns"). Writes need `promotions.manage_promotions` (the
services check it); every logged-in caller lists, reads and checks. Errors are the API's `{code, message}`:
422 `invalid_campaign_spec` (the field named) or `invalid_campaign`, 409 `campaign_code_taken` or
`campaign_archived`, 404 `not_found`, 403 `permission_denied`.

The operation ids are the ones first published, when the two routers lived in promotions/eligibility_api.py
and promotions/campaign_api.py: clients generated from the schema keep their names.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from ninja import Body, Query, Router

from zhanggui.catalog.api import ERRORS, get_or_404
from zhanggui.catalog.models import Shop, Sku
from zhanggui.core.errors import NotFoundError
from zhanggui.promotions.campaigns import selectors, services
from zhanggui.promotions.campaigns.eligibility import (
    Campaign,
    Offer,
    SkuFacts,
    check_many,
    parse_campaign,
    parse_offer,
    parse_reviews,
)
from zhanggui.promotions.campaigns.errors import CampaignSpecError, InvalidCampaign
from zhanggui.promotions.campaigns.facts import sku_facts
from zhanggui.promotions.campaigns.presets import NOTES, preset, presets
from zhanggui.promotions.campaigns.schemas import (
    CampaignDetailOut,
    CampaignIn,
    CampaignNoteIn,
    CampaignOut,
    CampaignUpdateIn,
)
from zhanggui.promotions.models import OfficialCampaign

router = Router(tags=["campaigns"])
stored_router = Router(tags=["campaigns"])
OPERATION = "zhanggui_promotions_eligibility_api_"  # + the handler's name: router's ids as first published
STORED_OPERATION = "zhanggui_promotions_campaign_api_"  # the same for stored_router


MAX_LINES = 500


@router.get("/presets", response={200: dict[str, Any], **ERRORS}, operation_id=OPERATION + "list_presets")
def list_presets(request):
    """The platforms' campaigns (天天特价, 淘金币, 超优汇, 爱购, 独畅团, 付邮试用) as specs to start from."""
    return {"presets": presets()}


def _campaign_or_preset(raw: Any) -> Campaign:
    if isinstance(raw, str):
        found = preset(raw)
        if found is None:
            raise NotFoundError(_("No campaign preset %(id)s.") % {"id": raw}, preset=raw)
        return found
    return parse_campaign(raw)


def _any_sku_key(raw: Mapping[str, Any], where: str) -> tuple[str, Any]:
    """A line's SKU: `sku_id`, or `shop` and `code`."""
    if "sku_id" in raw:
        sku_id = raw["sku_id"]
        if isinstance(sku_id, bool) or not isinstance(sku_id, int):
            raise CampaignSpecError(_("%(field)s.sku_id: a SKU id (a whole number)") % {"field": where})
        return "id", sku_id
    shop, code = raw.get("shop"), raw.get("code")
    if not isinstance(shop, str) or not isinstance(code, str) or not shop or not code:
        raise CampaignSpecError(_("%(field)s: give sku_id, or shop and code") % {"field": where})
    return "code", (shop, code)


def _load_skus(keys: list[tuple[str, Any]]) -> tuple[dict[int, Sku], dict[tuple[str, str], Sku]]:
    """The SKUs named by id or by shop + code, in one query."""
    ids = {v for k, v in keys if k == "id"}
    pairs = {v for k, v in keys if k == "code"}
    match = Q(pk__in=ids)
    for shop, code in pairs:
        match |= Q(shop__code=shop, code=code)
    found = list(Sku.objects.filter(match).select_related("shop")) if keys else []
    return {s.pk: s for s in found}, {(s.shop.code, s.code): s for s in found}


@router.post("/check", response={200: dict[str, Any], **ERRORS}, operation_id=OPERATION + "check")
def check(request, payload: dict[str, Any] = Body(...)):  # noqa: B008 - ninja's way to take a JSON body
    """Check SKUs against a campaign: `campaign` (a spec or a preset id), `skus` (each with sku_id or
    shop + code, price, quantity, free_shipping, reviews), optional `at` (ISO 8601). Each SKU answers
    `eligible` (every rule passed), `failed`/`unknown` (rule kinds) and each rule's outcome with its message.
    """
    if "campaign" not in payload:
        raise CampaignSpecError(_("campaign: required (a spec or a preset id)"))
    campaign = _campaign_or_preset(payload["campaign"])
    lines = payload.get("skus")
    if not isinstance(lines, list) or not lines:
        raise CampaignSpecError(_("skus: a non-empty list"))
    if len(lines) > MAX_LINES:
        raise CampaignSpecError(_("skus: at most %(max)s lines in one check") % {"max": MAX_LINES})
    at = timezone.now()
    if payload.get("at"):
        parsed = parse_datetime(str(payload["at"]))
        if parsed is None or parsed.tzinfo is None:
            raise CampaignSpecError(_("at: a date-time with time zone (ISO 8601)"))
        at = parsed

    keys, offers, reviews = [], [], []
    for i, line in enumerate(lines):
        where = f"skus[{i}]"
        if not isinstance(line, Mapping):
            raise CampaignSpecError(_("%(field)s: an object") % {"field": where})
        keys.append(_any_sku_key(line, where))
        offers.append(parse_offer(line, where))
        reviews.append(parse_reviews(line.get("reviews"), f"{where}.reviews"))

    by_id, by_code = _load_skus(keys)
    skus: list[Sku] = []
    for i, (kind, value) in enumerate(keys):
        sku = by_id.get(value) if kind == "id" else by_code.get(value)
        if sku is None:
            shown = value if kind == "id" else "/".join(value)
            raise NotFoundError(_("skus[%(index)s]: no SKU %(sku)s.") % {"index": i, "sku": shown}, field=f"skus[{i}]")
        skus.append(sku)

    facts = sku_facts(set(skus), at=at, windows=campaign.windows())
    entries: list[tuple[SkuFacts, Offer]] = []
    for sku, offer, given_reviews in zip(skus, offers, reviews, strict=True):
        known = facts[sku.pk]
        if given_reviews is not None:
            known = replace(known, reviews=given_reviews)
        entries.append((known, offer))
    results = check_many(campaign, entries)
    return {
        "campaign": campaign.as_dict(),
        "at": at.isoformat(),
        "results": [r.as_dict() for r in results],
    }


# --------------------------------------------------------------------------------------------------------
# Stored campaigns
# --------------------------------------------------------------------------------------------------------


def _stored(campaign_id: int) -> OfficialCampaign:
    return get_or_404(OfficialCampaign.objects.select_related("shop", "created_by"), _("Campaign"), pk=campaign_id)


def _phased(campaign: OfficialCampaign) -> OfficialCampaign:
    campaign.phase = selectors.phase(campaign, timezone.now())  # type: ignore[attr-defined]
    return campaign


def _detail(campaign_id: int) -> OfficialCampaign:
    campaign = _phased(_stored(campaign_id))
    campaign.preset_note = str(NOTES.get(campaign.preset, ""))  # type: ignore[attr-defined]
    campaign.history = list(selectors.campaign_history(campaign))  # type: ignore[attr-defined]
    return campaign


@stored_router.get("", response={200: list[CampaignOut], **ERRORS}, operation_id=STORED_OPERATION + "list_campaigns")
def list_campaigns(
    request,
    shop: str = Query("", description="Shop code; empty: every shop"),
    archived: bool = Query(False, description="true: archived campaigns too"),
):
    """Campaigns, upcoming first (the nearest deadline, start or end), then undated, then ended ones."""
    chosen = get_or_404(Shop.objects.all(), _("Shop"), code=shop) if shop else None
    return [_phased(c) for c in selectors.shop_campaigns(shop=chosen, include_archived=archived)]


@stored_router.post("", response={201: CampaignDetailOut, **ERRORS}, operation_id=STORED_OPERATION + "create_campaign")
def create_campaign(request, payload: CampaignIn):
    """A campaign from its spec, or from a copy of a preset's rules; 409 `campaign_code_taken` in the shop."""
    campaign = services.create_campaign(
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


@stored_router.get(
    "/{int:campaign_id}", response={200: CampaignDetailOut, **ERRORS}, operation_id=STORED_OPERATION + "get_campaign"
)
def get_campaign(request, campaign_id: int):
    return _detail(campaign_id)


@stored_router.put(
    "/{int:campaign_id}", response={200: CampaignDetailOut, **ERRORS}, operation_id=STORED_OPERATION + "update_campaign"
)
def update_campaign(request, campaign_id: int, payload: CampaignUpdateIn):
    """Replace the rules, dates and note (409 `campaign_archived` for an archived one: restore it first)."""
    services.update_campaign(
        actor=request.auth,
        campaign=_stored(campaign_id),
        raw_spec=payload.spec,
        apply_by=payload.apply_by,
        starts_at=payload.starts_at,
        ends_at=payload.ends_at,
        note=payload.note,
    )
    return _detail(campaign_id)


@stored_router.post(
    "/{int:campaign_id}/archive",
    response={200: CampaignDetailOut, **ERRORS},
    operation_id=STORED_OPERATION + "archive_campaign",
)
def archive_campaign(request, campaign_id: int, payload: CampaignNoteIn | None = None):
    """Hide it from the list and freeze its rules."""
    note = payload.note if payload else ""
    services.archive_campaign(actor=request.auth, campaign=_stored(campaign_id), note=note)
    return _detail(campaign_id)


@stored_router.post(
    "/{int:campaign_id}/restore",
    response={200: CampaignDetailOut, **ERRORS},
    operation_id=STORED_OPERATION + "restore_campaign",
)
def restore_campaign(request, campaign_id: int, payload: CampaignNoteIn | None = None):
    note = payload.note if payload else ""
    services.restore_campaign(actor=request.auth, campaign=_stored(campaign_id), note=note)
    return _detail(campaign_id)


def _shop_sku_key(raw: Mapping[str, Any], where: str, shop: Shop) -> tuple[str, Any]:
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
        raise InvalidCampaign(
            _("%(field)s.shop: the campaign is for the shop %(shop)s") % {"field": where, "shop": shop.code},
            field=f"{where}.shop",
        )
    return "code", code


@stored_router.post(
    "/{int:campaign_id}/check",
    response={200: dict[str, Any], **ERRORS},
    operation_id=STORED_OPERATION + "check_campaign",
)
def check_campaign(request, campaign_id: int, payload: dict[str, Any] = Body(...)):  # noqa: B008 - ninja's JSON body
    """Check SKUs of the campaign's shop against its stored rules. The body is that of `/campaigns/check`
    without `campaign`: `skus` (each with sku_id or code, price, quantity, free_shipping, reviews) and an
    optional `at` (ISO 8601). Nothing is stored.
    """
    campaign = _stored(campaign_id)
    unknown = set(payload) - {"skus", "at"}
    if unknown:
        raise CampaignSpecError(
            _("unknown keys %(keys)s: the campaign is the stored one") % {"keys": ", ".join(sorted(unknown))}
        )
    lines = payload.get("skus")
    if not isinstance(lines, list) or not lines:
        raise CampaignSpecError(_("skus: a non-empty list"))
    if len(lines) > services.MAX_SKUS:
        raise CampaignSpecError(_("skus: at most %(max)s lines in one check") % {"max": services.MAX_SKUS})
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
        keys.append(_shop_sku_key(line, where, campaign.shop))
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
        offers.append(services.SkuOffer(sku=sku, offer=offer, reviews=reviews))

    result = services.check_campaign_skus(campaign=campaign, offers=offers, at=at)
    return {
        "campaign_id": campaign.pk,
        "shop": campaign.shop.code,
        "campaign": result.campaign.as_dict(),
        "at": result.at.isoformat(),
        "results": [r.as_dict() for r in result.rows],
    }
