"""Approvals endpoints, under /api/v1/approvals: what waits for a manager, and the decision on one item.

Deciding needs the item's right (`catalog.approve_prices` for a price change, `promotions.approve_promotions` for a
promotion: the manager); the services refuse the author approving their own request (403 `self_approval_refused`)
and an item no longer waiting (409). A rejection needs a reason (422 `validation_failed` without one).
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from zhanggui.aftersales.models import Compensation
from zhanggui.approvals import selectors, services
from zhanggui.approvals.selectors import COMPENSATIONS, PRICES, PROMOTIONS
from zhanggui.catalog.api import ERRORS, get_or_404
from zhanggui.catalog.models import PriceChange
from zhanggui.catalog.schemas import InputSchema
from zhanggui.promotions.models import Promotion

router = Router(tags=["approvals"])


class ApprovalOut(Schema):
    kind: Literal["price_change", "promotion", "compensation"]
    id: int = Field(..., description="The price change's, the promotion's or the compensation offer's id")
    title: str
    summary: str
    asked_by: str
    asked_at: datetime


class DecisionIn(InputSchema):
    note: str = Field("", max_length=255, description="Optional to approve; the reason, required to reject")


class DecisionOut(Schema):
    kind: Literal["price_change", "promotion"]
    id: int
    state: str = Field(..., description="approved or rejected")
    message: str


# A compensation is decided through POST /api/v1/aftersales/compensations/{id}/decide.
KIND_NAMES = {PRICES: "price_change", PROMOTIONS: "promotion", COMPENSATIONS: "compensation"}


@router.get("", response={200: list[ApprovalOut], **ERRORS})
def pending_approvals(request):
    """Everything waiting for a manager, the one waiting longest first: price changes, promotions and compensation
    offers above their offerer's limit."""
    return [
        {
            "kind": KIND_NAMES[item.kind],
            "id": item.pk,
            "title": item.title,
            "summary": item.summary,
            "asked_by": item.author.username,
            "asked_at": item.asked_at,
        }
        for item in selectors.pending()
    ]


def _decide(request, kind: str, pk: int, decision: str, payload: DecisionIn | None):
    if kind == PRICES:
        get_or_404(PriceChange.objects.all(), _("Price change"), pk=pk)
    else:
        get_or_404(Promotion.objects.all(), _("Promotion"), pk=pk)
    outcome = services.decide(
        actor=request.auth, kind=kind, pk=pk, decision=decision, note=payload.note if payload else ""
    )
    obj = outcome.obj
    state = obj.status if isinstance(obj, Compensation) else obj.state
    return {"kind": KIND_NAMES[kind], "id": pk, "state": state, "message": outcome.message}


@router.post("/price-changes/{int:change_id}/approve", response={200: DecisionOut, **ERRORS})
def approve_price_change(request, change_id: int, payload: DecisionIn | None = None):
    """The asked price applies now; 403 `self_approval_refused` for its author."""
    return _decide(request, PRICES, change_id, services.APPROVE, payload)


@router.post("/price-changes/{int:change_id}/reject", response={200: DecisionOut, **ERRORS})
def reject_price_change(request, change_id: int, payload: DecisionIn):
    """The SKU keeps its price; the author reads the reason."""
    return _decide(request, PRICES, change_id, services.REJECT, payload)


@router.post("/promotions/{int:promotion_id}/approve", response={200: DecisionOut, **ERRORS})
def approve_promotion(request, promotion_id: int, payload: DecisionIn | None = None):
    """It is priced in its window; 403 `self_approval_refused` for its creator."""
    return _decide(request, PROMOTIONS, promotion_id, services.APPROVE, payload)


@router.post("/promotions/{int:promotion_id}/reject", response={200: DecisionOut, **ERRORS})
def reject_promotion(request, promotion_id: int, payload: DecisionIn):
    """Back to its creator with the reason, to edit and submit again."""
    return _decide(request, PROMOTIONS, promotion_id, services.REJECT, payload)
