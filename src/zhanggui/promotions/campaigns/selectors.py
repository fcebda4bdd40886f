"""Reads of official campaigns: where a campaign stands, a shop's campaigns upcoming first, a campaign's history,
and the shop's listed SKUs and categories a check starts from."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db.models import QuerySet
from django.utils import timezone

from zhanggui.catalog.models import Category, ListingStatus, Shop, Sku
from zhanggui.core.models import AuditEntry
from zhanggui.promotions.models import OfficialCampaign

# What a campaign is about to do, for the list: registration open, registration closed, running, ended.
OPEN, CLOSED, RUNNING, ENDED, UNDATED = "open", "closed", "running", "ended", "undated"


def phase(campaign: OfficialCampaign, now: datetime) -> str:
    """Where the campaign stands: registration open or closed, the event running or ended; undated."""
    if campaign.ends_at is not None and campaign.ends_at <= now:
        return ENDED
    if campaign.starts_at is not None and campaign.starts_at <= now:
        return RUNNING
    if campaign.apply_by is not None:
        return OPEN if now < campaign.apply_by else CLOSED
    return OPEN if campaign.starts_at is not None else UNDATED


def _upcoming_first(campaign: OfficialCampaign, now: datetime) -> tuple[int, float]:
    """Sort key: the next date that matters (the deadline, the start, the end) soonest first, then the
    undated ones, then those that have ended, most recent first."""
    stamp = now.timestamp()
    if campaign.ends_at is not None and campaign.ends_at <= now:
        return (2, -campaign.ends_at.timestamp())
    ahead = [d for d in (campaign.apply_by, campaign.starts_at, campaign.ends_at) if d is not None and d > now]
    if ahead:
        return (0, min(ahead).timestamp() - stamp)
    return (1, 0.0)


def shop_campaigns(
    *, shop: Shop | None = None, include_archived: bool = False, now: datetime | None = None
) -> list[OfficialCampaign]:
    """A shop's campaigns (or every shop's), upcoming first; archived ones only when asked for. One query."""
    now = now or timezone.now()
    rows = OfficialCampaign.objects.select_related("shop", "created_by")
    if shop is not None:
        rows = rows.filter(shop=shop)
    if not include_archived:
        rows = rows.filter(is_archived=False)
    return sorted(rows, key=lambda c: (*_upcoming_first(c, now), c.shop.code, c.code))


def campaign_history(campaign: OfficialCampaign) -> QuerySet[AuditEntry]:
    """The audit rows of one campaign, oldest first."""
    return (
        AuditEntry.objects.filter(object_type=OfficialCampaign._meta.label_lower, object_id=str(campaign.pk))
        .select_related("actor")
        .order_by("at", "id")
    )


def listed_skus(*, shop: Shop, category: Category | None = None) -> QuerySet[Sku]:
    """The SKUs of the shop on sale now (the SKU and its product listed), optionally of one category."""
    rows = Sku.objects.filter(
        shop=shop, listing_status=ListingStatus.LISTED, product__listing_status=ListingStatus.LISTED
    ).select_related("shop", "product__category")
    if category is not None:
        rows = rows.filter(product__category=category)
    return rows.order_by("product__code", "code")


def listed_categories(*, shop: Shop) -> QuerySet[Category]:
    """The categories of the shop's listed SKUs, to narrow a check down to one."""
    return Category.objects.filter(
        products__shop=shop,
        products__listing_status=ListingStatus.LISTED,
        products__skus__listing_status=ListingStatus.LISTED,
    ).distinct()


def skus_of_shop(*, shop: Shop, ids: Iterable[int]) -> dict[int, Sku]:
    """The shop's SKUs with these ids (whatever their listing status), in one query."""
    return {s.pk: s for s in Sku.objects.filter(shop=shop, pk__in=set(ids)).select_related("shop")}
