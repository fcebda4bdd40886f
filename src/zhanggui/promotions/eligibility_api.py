"""`/api/v1/campaigns`: campaign presets and the eligibility check (官方活动报名), formats in docs/campaigns.md.

Read-only: every role may check; nothing is stored. A bad spec or line answers 422 `invalid_campaign_spec`
with the field named; an unknown preset or SKU 404 `not_found`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from ninja import Body, Router

from zhanggui.catalog.api import ERRORS
from zhanggui.catalog.models import Sku
from zhanggui.core.errors import NotFoundError
from zhanggui.promotions.eligibility import (
    CampaignSpecError,
    Offer,
    SkuFacts,
    check_many,
    parse_campaign,
    parse_offer,
    parse_reviews,
)
from zhanggui.promotions.eligibility_facts import sku_facts
from zhanggui.promotions.eligibility_presets import preset, presets

router = Router(tags=["campaigns"])

MAX_LINES = 500


@router.get("/presets", response={200: dict[str, Any], **ERRORS})
def list_presets(request):
    """The platforms' campaigns (天天特价, 淘金币, 超优汇, 爱购, 独畅团, 付邮试用) as specs to start from."""
    return {"presets": presets()}


def _campaign(raw: Any):
    if isinstance(raw, str):
        found = preset(raw)
        if found is None:
            raise NotFoundError(_("No campaign preset %(id)s.") % {"id": raw}, preset=raw)
        return found
    return parse_campaign(raw)


def _sku_key(raw: Mapping[str, Any], where: str) -> tuple[str, Any]:
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


@router.post("/check", response={200: dict[str, Any], **ERRORS})
def check(request, payload: dict[str, Any] = Body(...)):  # noqa: B008 - ninja's way to take a JSON body
    """Check SKUs against a campaign: `campaign` (a spec or a preset id), `skus` (each with sku_id or
    shop + code, price, quantity, free_shipping, reviews), optional `at` (ISO 8601). Each SKU answers
    `eligible` (every rule passed), `failed`/`unknown` (rule kinds) and each rule's outcome with its message.
    """
    if "campaign" not in payload:
        raise CampaignSpecError(_("campaign: required (a spec or a preset id)"))
    campaign = _campaign(payload["campaign"])
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
        keys.append(_sku_key(line, where))
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
