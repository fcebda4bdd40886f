"""Decisions of the approvals queue: approve or reject one item, through the service of the app that owns it
(catalog.price_changes, promotions.offers.services, aftersales.compensation), which checks the right, the four
eyes and the state and writes the audit row. This module only dispatches and words the outcome for the banner."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from zhanggui.aftersales.compensation import services as aftersales_compensation
from zhanggui.aftersales.models import Compensation
from zhanggui.approvals import selectors
from zhanggui.approvals.selectors import COMPENSATIONS, PRICES, PROMOTIONS
from zhanggui.catalog import price_changes
from zhanggui.catalog import selectors as catalog_selectors
from zhanggui.catalog.models import PriceChange
from zhanggui.promotions.models import Promotion, PromotionStatus
from zhanggui.promotions.offers import services as promotion_services

APPROVE, REJECT = "approve", "reject"


@dataclass(frozen=True)
class Decision:
    kind: str
    obj: PriceChange | Promotion | Compensation
    approved: bool
    message: str  # what the banner says: the state the item is in now


def approved_message(promotion: Promotion, at: datetime | None = None) -> str:
    """Where an approved promotion stands: running now, or from when."""
    status = promotion.status_at(at or timezone.now())
    if status == PromotionStatus.RUNNING:
        return _("Approved: running now.")
    if status == PromotionStatus.SCHEDULED:
        start = timezone.localtime(promotion.starts_at)
        return _("Approved: starts %(start)s.") % {"start": f"{start:%m-%d %H:%M}"}
    return _("Approved, but its window is over: it is never priced.")


def decide(*, actor: Any, kind: str, pk: int, decision: str, note: str = "") -> Decision:
    """Approve or reject the item `kind`/`pk` (DoesNotExist when there is none). A rejection needs `note`, the
    reason its author reads."""
    approve = decision == APPROVE
    if kind == PRICES:
        change = catalog_selectors.price_change(pk)
        if approve:
            change = price_changes.approve_price_change(actor=actor, change=change, note=note)
            sku = change.sku
            message = _("Approved: %(sku)s now sells at ¥%(price)s.") % {"sku": sku.code, "price": change.price_asked}
        else:
            change = price_changes.reject_price_change(actor=actor, change=change, note=note)
            message = _("Rejected: %(sku)s keeps ¥%(price)s; %(author)s sees your reason.") % {
                "sku": change.sku.code,
                "price": change.price_before,
                "author": change.requested_by.get_full_name() or change.requested_by.username,
            }
        return Decision(PRICES, change, approve, message)
    if kind == COMPENSATIONS:
        return _decide_compensation(actor=actor, pk=pk, approve=approve, note=note)
    if kind != PROMOTIONS:
        raise ValueError(f"unknown kind of approval: {kind!r}")
    promotion = selectors.promotion(pk)
    if approve:
        promotion = promotion_services.approve_promotion(actor=actor, promotion=promotion, note=note)
        message = approved_message(promotion)
    else:
        promotion = promotion_services.reject_promotion(actor=actor, promotion=promotion, note=note)
        author = promotion.created_by.get_full_name() or promotion.created_by.username
        message = _("Rejected: %(code)s goes back to %(author)s with your reason.") % {
            "code": promotion.code,
            "author": author,
        }
    return Decision(PROMOTIONS, promotion, approve, message)


def _decide_compensation(*, actor: Any, pk: int, approve: bool, note: str) -> Decision:
    """An offer above its offerer's limit: aftersales.compensation.decide refunds an approved partial refund."""
    offer = aftersales_compensation.decide(
        actor=actor, compensation=selectors.compensation(pk), approve=approve, note=note
    )
    words = {
        "what": aftersales_compensation.describe(offer),
        "case": offer.case.number,
        "author": offer.offered_by.get_full_name() or offer.offered_by.username,
    }
    if approve:
        message = _("Approved: %(what)s on case %(case)s.") % words
    else:
        message = _("Rejected: %(what)s on case %(case)s; %(author)s sees your reason.") % words
    return Decision(COMPENSATIONS, offer, approve, message)
