"""Reads of the approvals queue: what waits for a manager, what came back to its author, the header's count."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from zhanggui.aftersales.compensation import services as aftersales_compensation
from zhanggui.aftersales.models import Compensation
from zhanggui.catalog import price_changes
from zhanggui.catalog import selectors as catalog_selectors
from zhanggui.catalog.models import PriceChange
from zhanggui.core import roles
from zhanggui.promotions.models import Promotion
from zhanggui.promotions.offers import selectors as promotion_selectors

PRICES, PROMOTIONS, COMPENSATIONS = "prices", "promotions", "compensations"  # the kinds of item, as the URLs name them
CAPABILITY = {
    PRICES: roles.APPROVE_PRICES,
    PROMOTIONS: roles.APPROVE_PROMOTIONS,
    COMPENSATIONS: roles.APPROVE_COMPENSATION,
}


@dataclass(frozen=True)
class Item:
    """One thing waiting for (or decided by) a manager, as the queue lists it."""

    kind: str  # PRICES, PROMOTIONS or COMPENSATIONS
    pk: int
    title: str
    summary: str
    author: Any
    asked_at: datetime
    obj: PriceChange | Promotion | Compensation


def may_approve(user: Any) -> dict[str, bool]:
    """Which kinds the user may decide on (a manager: all)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return dict.fromkeys(CAPABILITY, False)
    return {kind: user.has_perm(capability) for kind, capability in CAPABILITY.items()}


def _price_summary(change: PriceChange) -> str:
    """The change as it was asked: the figures it was judged on (the detail page shows today's)."""
    check = price_changes.check_price(price_before=change.price_before, price=change.price_asked, cost=change.cost)
    parts = [f"¥{check.price_before} → ¥{check.price}"]
    if price_changes.BELOW_COST in check.reasons:
        parts.append(_("below its cost of ¥%(cost)s") % {"cost": check.cost})
    if price_changes.TOO_DEEP in check.reasons:
        parts.append(_("%(share)s the current price") % {"share": check.share_text})
    return " · ".join(parts)


def _price_item(change: PriceChange) -> Item:
    sku = change.sku
    return Item(
        kind=PRICES,
        pk=change.pk,
        title=f"{sku.code} {sku.product.title}",
        summary=_price_summary(change),
        author=change.requested_by,
        asked_at=change.requested_at,
        obj=change,
    )


def _promotion_item(promotion: Promotion, at: datetime) -> Item:
    start, end = timezone.localtime(promotion.starts_at), timezone.localtime(promotion.ends_at)
    window = f"{start:%Y-%m-%d %H:%M} – {end:%Y-%m-%d %H:%M}"
    return Item(
        kind=PROMOTIONS,
        pk=promotion.pk,
        title=f"{promotion.code} {promotion.name}".strip(),
        summary=window,
        author=promotion.created_by,
        asked_at=at,
        obj=promotion,
    )


def _compensation_item(offer: Compensation, at: datetime) -> Item:
    """An offer above its offerer's limit: the case, and what is offered on it."""
    case = offer.case
    return Item(
        kind=COMPENSATIONS,
        pk=offer.pk,
        title=f"{case.number} · {case.order.platform_order_no}",
        summary=" · ".join(part for part in (aftersales_compensation.describe(offer), offer.note) if part),
        author=offer.offered_by,
        asked_at=at,
        obj=offer,
    )


def pending() -> list[Item]:
    """Everything waiting for a manager, the one waiting longest first: price changes, submitted promotions (a
    promotion is dated by its last change, which is its submission) and compensation offers above their limit."""
    items = [_price_item(c) for c in catalog_selectors.pending_price_changes()]
    items += [_promotion_item(p, p.updated_at) for p in promotion_selectors.pending_promotions()]
    items += [_compensation_item(c, c.offered_at) for c in aftersales_compensation.pending()]
    return sorted(items, key=lambda item: (item.asked_at, item.kind, item.pk))


def pending_count(user: Any) -> int | None:
    """How many items the user may decide on wait, in one query (a COUNT over the kinds' waiting rows, UNION ALL):
    every page's header asks. None for a user who decides none."""
    allowed = may_approve(user)
    if not any(allowed.values()):
        return None
    sources = {
        PRICES: catalog_selectors.pending_price_changes,
        PROMOTIONS: promotion_selectors.pending_promotions,
        COMPENSATIONS: aftersales_compensation.pending,
    }
    waiting = [rows().order_by().values_list("pk") for kind, rows in sources.items() if allowed[kind]]
    first, *rest = waiting
    return first.union(*rest, all=True).count() if rest else first.count()


def returned_to(user: Any) -> list[Item]:
    """The user's own requests a manager rejected lately (docs/approvals.md), newest first, with the reason."""
    if not getattr(user, "is_authenticated", False):
        return []
    items = [_price_item(c) for c in catalog_selectors.rejected_price_changes(requested_by=user)]
    items += [
        _promotion_item(p, p.rejected_at)
        for p in promotion_selectors.rejected_promotions(created_by=user)
        if p.rejected_at is not None
    ]
    items += [
        _compensation_item(c, c.decided_at)
        for c in aftersales_compensation.rejected(offered_by=user)
        if c.decided_at is not None
    ]
    return sorted(items, key=lambda item: item.asked_at, reverse=True)


def compensation(pk: int) -> Compensation:
    """One compensation offer with its case and people (Compensation.DoesNotExist when there is none)."""
    return aftersales_compensation.compensation(pk)


def promotion(pk: int) -> Promotion:
    """One promotion with its shop and people (Promotion.DoesNotExist when there is none)."""
    return Promotion.objects.select_related("shop", "created_by", "approved_by", "rejected_by").get(pk=pk)
