"""Writes of stored official campaigns (官方活动): the campaigns a shop plans to enter, with their SKU rules, and
the check of a shop's SKUs against one (the reads are in selectors.py).

Rules (docs/campaigns.md, "Stored campaigns"):
- The spec is checked with `eligibility.parse_campaign` on every save and stored in its parsed form (amounts as
  "10000.00" strings), so a stored campaign always checks. A refused spec names the field and saves nothing.
- A campaign started from a preset gets a copy of the preset's rules: a later change of the presets does not
  change a campaign a shop has already planned. `preset` remembers where it started.
- Its code is the spec's id, unique in its shop, and never changes (the history and the API refer to it).
- Creating, editing, archiving and restoring need `promotions.manage_promotions`, like the promotions; every
  logged-in person reads the campaigns and checks SKUs against them (nothing is stored by a check).
- An archived campaign is hidden from the list by default and cannot be edited until it is restored.
- Every write leaves one audit row (`campaign.create`, `.update`, `.archive`, `.restore`) in its transaction.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import ROUND_DOWN, Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhanggui.catalog.models import Shop, Sku
from zhanggui.core import roles
from zhanggui.core.money import FEN
from zhanggui.core.services import record_audit
from zhanggui.promotions.campaigns.eligibility import (
    Campaign,
    EligibilityResult,
    Offer,
    SkuFacts,
    check_many,
    parse_campaign,
)
from zhanggui.promotions.campaigns.errors import CampaignArchived, CampaignCodeTaken, CampaignSpecError, InvalidCampaign
from zhanggui.promotions.campaigns.facts import sku_facts
from zhanggui.promotions.campaigns.presets import PRESETS, not_of_platform
from zhanggui.promotions.common import check_code_free, keep_code, locked
from zhanggui.promotions.models import OfficialCampaign

CODE_MAX = OfficialCampaign._meta.get_field("code").max_length or 64
NAME_MAX = OfficialCampaign._meta.get_field("name").max_length or 100
MAX_SKUS = 500  # SKUs in one check: the facts take three queries whatever the number, the page stays readable


# --------------------------------------------------------------------------------------------------------
# The spec as stored
# --------------------------------------------------------------------------------------------------------


def preset_spec(preset_id: str) -> dict[str, Any]:
    """A copy of a preset's spec (new dicts and lists all the way down), to store and change freely."""
    raw = PRESETS.get(preset_id)
    if raw is None:
        raise InvalidCampaign(
            _("preset: no preset %(id)s; known: %(known)s") % {"id": repr(preset_id), "known": ", ".join(PRESETS)},
            field="preset",
        )
    return parse_campaign(raw, f"preset {preset_id}").as_dict()


def normalize_campaign_spec(
    raw: Any, *, code: str | None = None, new_code: str = "", new_name: str = ""
) -> tuple[dict[str, Any], Campaign, str]:
    """Check a campaign's JSON (docs/campaigns.md) and return it as stored, its parsed form, and the note it
    carried (if any). (A promotion's spec is another format: offers.services.normalize_promotion_spec.)

    `code`: the stored campaign's code, which the spec's id may repeat but not change. `new_code`/`new_name`
    replace the spec's id and name (a preset copied under a code of the shop's own).
    """
    if not isinstance(raw, Mapping):
        raise CampaignSpecError(_("campaign: a JSON object with id, name and rules"))
    data = dict(raw)
    if new_code.strip():
        data["id"] = new_code.strip()
    if new_name.strip():
        data["name"] = new_name.strip()
    keep_code(
        data,
        code,
        lambda given: CampaignSpecError(
            _("campaign.id: the code of a stored campaign does not change (it is %(code)s, got %(given)s)")
            % {"code": code, "given": given}
        ),
    )
    note = data.get("note", "")
    if not isinstance(note, str):
        raise CampaignSpecError(_("campaign.note: a string"))
    parsed = parse_campaign(data)
    if len(parsed.id) > CODE_MAX:
        raise CampaignSpecError(_("campaign.id: at most %(max)s characters") % {"max": CODE_MAX})
    if not parsed.name:
        raise CampaignSpecError(_("campaign.name: a stored campaign needs a name"))
    if len(parsed.name) > NAME_MAX:
        raise CampaignSpecError(_("campaign.name: at most %(max)s characters") % {"max": NAME_MAX})
    return parsed.as_dict(), parsed, note.strip()


def _check_dates(*, apply_by: datetime | None, starts_at: datetime | None, ends_at: datetime | None) -> None:
    for name, value in (("apply_by", apply_by), ("starts_at", starts_at), ("ends_at", ends_at)):
        if value is not None and timezone.is_naive(value):
            raise InvalidCampaign(_("%(field)s: a date-time with a time zone") % {"field": name}, field=name)
    if starts_at is not None and ends_at is not None and ends_at <= starts_at:
        raise InvalidCampaign(_("ends_at: the event must end after it starts"), field="ends_at")


def _code_taken(shop: Shop, code: str) -> CampaignCodeTaken:
    return CampaignCodeTaken(
        _("The shop %(shop)s already has a campaign with the code %(code)s; give this one another id.")
        % {"shop": shop.code, "code": code},
        code=code,
    )


def _shown(values: Mapping[str, Any]) -> dict[str, Any]:
    """Values for the audit row, its times in the desk's zone (as people set them, not as stored in UTC)."""
    return {k: timezone.localtime(v) if isinstance(v, datetime) else v for k, v in values.items()}


# --------------------------------------------------------------------------------------------------------
# Writes
# --------------------------------------------------------------------------------------------------------


@transaction.atomic
def create_campaign(
    *,
    actor: Any,
    shop: Shop,
    raw_spec: Any = None,
    preset: str = "",
    code: str = "",
    name: str = "",
    apply_by: datetime | None = None,
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
    note: str = "",
) -> OfficialCampaign:
    """A shop's campaign from its spec, or from a copy of `preset` when no spec is given.

    With both, the spec is stored and `preset` records where it started. `code`/`name` replace the spec's.
    """
    roles.require(actor, roles.MANAGE_PROMOTIONS)
    if raw_spec is None and not preset:
        raise CampaignSpecError(_("campaign: give a spec or a preset"))
    why = not_of_platform(preset, shop)
    if why:
        raise CampaignSpecError(why)
    copied = preset_spec(preset) if preset else None
    data, parsed, spec_note = normalize_campaign_spec(
        raw_spec if raw_spec is not None else copied, new_code=code, new_name=name
    )
    _check_dates(apply_by=apply_by, starts_at=starts_at, ends_at=ends_at)
    check_code_free(
        OfficialCampaign, code=parsed.id, shop=shop, with_every_shop=False, taken=lambda: _code_taken(shop, parsed.id)
    )
    campaign = OfficialCampaign(
        shop=shop,
        code=parsed.id,
        name=parsed.name,
        preset=preset,
        spec=data,
        apply_by=apply_by,
        starts_at=starts_at,
        ends_at=ends_at,
        note=note.strip() or spec_note,
        created_by=actor,
    )
    campaign.full_clean(validate_unique=False, validate_constraints=False)  # both checked above, by us
    try:
        with transaction.atomic():
            campaign.save()
    except IntegrityError:  # another person saved the same code in between
        raise _code_taken(shop, parsed.id) from None
    record_audit(
        actor=actor,
        action="campaign.create",
        obj=campaign,
        after=_shown(
            {
                "shop": shop.code,
                "preset": preset,
                "spec": data,
                "apply_by": apply_by,
                "starts_at": starts_at,
                "ends_at": ends_at,
                "note": campaign.note,
            }
        ),
    )
    return campaign


EDITABLE = ("spec", "name", "apply_by", "starts_at", "ends_at", "note")


@transaction.atomic
def update_campaign(
    *,
    actor: Any,
    campaign: OfficialCampaign,
    raw_spec: Any,
    apply_by: datetime | None = None,
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
    note: str = "",
) -> OfficialCampaign:
    """Replace the rules, the dates and the note (a date left out is cleared); no change, no write."""
    roles.require(actor, roles.MANAGE_PROMOTIONS)
    campaign = locked(campaign)
    if campaign.is_archived:
        raise CampaignArchived(
            _("Campaign %(code)s is archived: restore it to change it.") % {"code": campaign.code}, code=campaign.code
        )
    data, parsed, spec_note = normalize_campaign_spec(raw_spec, code=campaign.code)
    _check_dates(apply_by=apply_by, starts_at=starts_at, ends_at=ends_at)
    wanted = {
        "spec": data,
        "name": parsed.name,
        "apply_by": apply_by,
        "starts_at": starts_at,
        "ends_at": ends_at,
        "note": note.strip() or spec_note,
    }
    changed = [key for key in EDITABLE if getattr(campaign, key) != wanted[key]]
    if not changed:
        return campaign
    before = {key: getattr(campaign, key) for key in changed}
    for key in changed:
        setattr(campaign, key, wanted[key])
    campaign.full_clean(validate_unique=False, validate_constraints=False)
    campaign.save(update_fields=[*changed, "updated_at"])
    record_audit(
        actor=actor,
        action="campaign.update",
        obj=campaign,
        before=_shown(before),
        after=_shown({k: wanted[k] for k in changed}),
    )
    return campaign


def _set_archived(*, actor: Any, campaign: OfficialCampaign, archived: bool, note: str) -> OfficialCampaign:
    roles.require(actor, roles.MANAGE_PROMOTIONS)
    campaign = locked(campaign)
    if campaign.is_archived == archived:
        return campaign  # pressed twice (two tabs): nothing to change, nothing to record
    campaign.is_archived = archived
    campaign.save(update_fields=["is_archived", "updated_at"])
    record_audit(
        actor=actor,
        action="campaign.archive" if archived else "campaign.restore",
        obj=campaign,
        before={"is_archived": not archived},
        after={"is_archived": archived},
        note=note,
    )
    return campaign


@transaction.atomic
def archive_campaign(*, actor: Any, campaign: OfficialCampaign, note: str = "") -> OfficialCampaign:
    """Put a campaign away (over, or not entered after all): hidden from the list, rules kept, not editable."""
    return _set_archived(actor=actor, campaign=campaign, archived=True, note=note)


@transaction.atomic
def restore_campaign(*, actor: Any, campaign: OfficialCampaign, note: str = "") -> OfficialCampaign:
    """Bring an archived campaign back to the list (to edit it, or to plan the same campaign again)."""
    return _set_archived(actor=actor, campaign=campaign, archived=False, note=note)


# --------------------------------------------------------------------------------------------------------
# Checking SKUs against a stored campaign
# --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SkuOffer:
    """One SKU with what the shop offers the campaign for it, and its review count if the person knows it."""

    sku: Sku
    offer: Offer
    reviews: int | None = None
    # facts the person gives instead of the desk's (the desk does not see another channel's sales, say):
    # days → units sold, days → average price, units available; None or a window left out: the desk's
    sales: Mapping[int, int] | None = None
    average_price: Mapping[int, Decimal] | None = None
    available: int | None = None


def with_overrides(facts: SkuFacts, line: SkuOffer) -> SkuFacts:
    """The desk's facts of a SKU with what the person gave in their place."""
    changes: dict[str, Any] = {}
    if line.reviews is not None:
        changes["reviews"] = line.reviews
    if line.sales:
        changes["sales"] = {**facts.sales, **line.sales}
    if line.average_price:
        changes["average_price"] = {**facts.average_price, **line.average_price}
    if line.available is not None:
        changes["available"] = line.available
    return replace(facts, **changes) if changes else facts


@dataclass(frozen=True)
class CampaignCheck:
    campaign: Campaign
    stored: OfficialCampaign
    at: datetime
    rows: list[EligibilityResult]

    @property
    def eligible(self) -> list[EligibilityResult]:
        return [r for r in self.rows if r.eligible]


def price_at_rate(price: Decimal, rate: Decimal) -> Decimal:
    """A campaign price as a 折 rate of the SKU's price (5 → half), rounded down to the fen, so that the
    price never ends up above the rate asked for (¥99.99 at 5折 is ¥49.99, not ¥50.00)."""
    return (price * rate / 10).quantize(FEN, rounding=ROUND_DOWN)


def check_campaign_skus(
    *, campaign: OfficialCampaign, offers: Sequence[SkuOffer], at: datetime | None = None
) -> CampaignCheck:
    """Every rule of the stored campaign against each SKU of its shop with its offer, in the order given.

    The facts come from the desk (facts.sku_facts: sales, price history, stock), except those the person
    gave in their place (`with_overrides`); reviews only as given.
    """
    if not offers:
        raise InvalidCampaign(_("skus: choose at least one SKU to check"), field="skus")
    if len(offers) > MAX_SKUS:
        raise InvalidCampaign(_("skus: at most %(max)s SKUs in one check") % {"max": MAX_SKUS}, field="skus")
    for index, line in enumerate(offers):
        if line.sku.shop_id != campaign.shop_id:
            raise InvalidCampaign(
                _("skus[%(index)s]: SKU %(sku)s is not in the campaign's shop %(shop)s")
                % {"index": index, "sku": line.sku.code, "shop": campaign.shop.code},
                field=f"skus[{index}]",
            )
    parsed = parse_campaign(campaign.spec)
    at = at or timezone.now()
    facts = sku_facts({line.sku for line in offers}, at=at, windows=parsed.windows())
    entries: list[tuple[SkuFacts, Offer]] = []
    for line in offers:
        entries.append((with_overrides(facts[line.sku.pk], line), line.offer))
    return CampaignCheck(campaign=parsed, stored=campaign, at=at, rows=check_many(parsed, entries))
