"""Stored-promotion endpoints, under /api/v1/promotions: list, calendar, detail with history, create, update,
submit, approve, cancel.

Writes need `promotions.manage_promotions`, approving needs `promotions.approve_promotions` (manager); the
rules are the services' (promotions.offers.services), so the API refuses what the CLI refuses. The operation
ids are the ones first published, when these endpoints lived in promotions/api.py.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router

from zhanggui.catalog.api import ERRORS, get_or_404
from zhanggui.catalog.models import Shop
from zhanggui.core.errors import ValidationFailed
from zhanggui.promotions import spec
from zhanggui.promotions.models import Promotion, PromotionStatus
from zhanggui.promotions.offers import selectors, services
from zhanggui.promotions.offers.schemas import (
    PromotionDetailOut,
    PromotionIn,
    PromotionNoteIn,
    PromotionOut,
    PromotionSpecIn,
)
from zhanggui.promotions.spec import KINDS

router = Router(tags=["promotions"])
OPERATION = "zhanggui_promotions_api_"  # + the handler's name: the ids as first published


def _shop_or_none(code: str | None) -> Shop | None:
    return get_or_404(Shop.objects.all(), _("Shop"), code=code) if code else None


def _promotion(promotion_id: int) -> Promotion:
    return get_or_404(
        Promotion.objects.select_related("shop", "created_by", "approved_by"), _("Promotion"), pk=promotion_id
    )


def _detail(promotion_id: int) -> Promotion:
    """The promotion with what the detail adds: whether it needs a manager, and its audit history."""
    promotion = _promotion(promotion_id)
    promotion.needs_approval = services.needs_approval(promotion.spec, shop=promotion.shop)  # type: ignore[attr-defined]
    promotion.history = list(selectors.promotion_history(promotion))  # type: ignore[attr-defined]
    return promotion


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())


def _range(start: date | None, end: date | None) -> tuple[datetime | None, datetime | None]:
    """Whole days in the desk's time zone, both included: from=2026-11-11&to=2026-11-11 is that one day."""
    if start and end and end < start:
        raise ValidationFailed(_("'to' must not be before 'from'."))
    first, last = spec.YEARS
    if any(day is not None and not first <= day.year <= last for day in (start, end)):
        raise ValidationFailed(_("Dates run from the year %(first)s to %(last)s.") % {"first": first, "last": last})
    return (_day_start(start) if start else None, _day_start(end + timedelta(days=1)) if end else None)


@router.get("", response={200: list[PromotionOut], **ERRORS}, operation_id=OPERATION + "list_promotions")
def list_promotions(
    request,
    status: PromotionStatus | None = None,
    kind: str = Query("", description="One of the kinds of docs/pricing.md"),
    shop: str = Query("", description="Shop code: its promotions and those of every shop"),
    date_from: date | None = Query(None, alias="from", description="On at or after this day"),  # noqa: B008 - "from" is a keyword
    date_to: date | None = Query(None, alias="to", description="Starting on or before this day"),  # noqa: B008 - "from" is a keyword
    limit: int = Query(200, ge=1, le=1000),
):
    """Stored promotions in calendar order; `status` is derived from the state and the clock."""
    if kind and kind not in KINDS:
        raise ValidationFailed(_("Unknown kind %(kind)s; one of %(kinds)s") % {"kind": kind, "kinds": ", ".join(KINDS)})
    start, end = _range(date_from, date_to)
    return selectors.promotions(
        shop=_shop_or_none(shop),
        status=status.value if status else None,
        kind=kind or None,
        starts_before=end,
        ends_after=start,
    )[:limit]


@router.get("/calendar", response={200: list[PromotionOut], **ERRORS}, operation_id=OPERATION + "promotion_calendar")
def promotion_calendar(
    request,
    date_from: date = Query(..., alias="from"),  # noqa: B008 - "from" is a keyword
    date_to: date = Query(..., alias="to"),  # noqa: B008 - "from" is a keyword
    shop: str = Query("", description="Shop code: its promotions and those of every shop"),
):
    """Promotions on at any moment between the two days (both included), cancelled ones left out."""
    start, end = _range(date_from, date_to)
    assert start is not None and end is not None  # both are required query parameters
    return selectors.calendar(start=start, end=end, shop=_shop_or_none(shop))


@router.post("", response={201: PromotionDetailOut, **ERRORS}, operation_id=OPERATION + "create_promotion")
def create_promotion(request, payload: PromotionIn):
    """A draft from its spec; 422 `invalid_promotion_spec` names the field, 409 `promotion_code_taken`."""
    promotion = services.create_promotion(actor=request.auth, shop=_shop_or_none(payload.shop), raw_spec=payload.spec)
    return 201, _detail(promotion.pk)


@router.get(
    "/{int:promotion_id}", response={200: PromotionDetailOut, **ERRORS}, operation_id=OPERATION + "get_promotion"
)
def get_promotion(request, promotion_id: int):
    return _detail(promotion_id)


@router.put(
    "/{int:promotion_id}", response={200: PromotionDetailOut, **ERRORS}, operation_id=OPERATION + "update_promotion"
)
def update_promotion(request, promotion_id: int, payload: PromotionSpecIn):
    """Replace the spec of a draft or a submitted promotion (409 `promotion_started` once approved and begun)."""
    services.update_promotion(actor=request.auth, promotion=_promotion(promotion_id), raw_spec=payload.spec)
    return _detail(promotion_id)


@router.post(
    "/{int:promotion_id}/submit",
    response={200: PromotionDetailOut, **ERRORS},
    operation_id=OPERATION + "submit_promotion",
)
def submit_promotion(request, promotion_id: int, payload: PromotionNoteIn | None = None):
    """Within the approval limit: approved at once. Deeper: pending_approval until a manager approves. The note
    (optional) is what the approving manager reads."""
    note = payload.note if payload else ""
    services.submit_promotion(actor=request.auth, promotion=_promotion(promotion_id), note=note)
    return _detail(promotion_id)


@router.post(
    "/{int:promotion_id}/approve",
    response={200: PromotionDetailOut, **ERRORS},
    operation_id=OPERATION + "approve_promotion",
)
def approve_promotion(request, promotion_id: int, payload: PromotionNoteIn | None = None):
    """A manager approves; 403 `self_approval_refused` for the creator of a deep discount."""
    note = payload.note if payload else ""
    services.approve_promotion(actor=request.auth, promotion=_promotion(promotion_id), note=note)
    return _detail(promotion_id)


@router.post(
    "/{int:promotion_id}/cancel",
    response={200: PromotionDetailOut, **ERRORS},
    operation_id=OPERATION + "cancel_promotion",
)
def cancel_promotion(request, promotion_id: int, payload: PromotionNoteIn | None = None):
    """Stop it now (no longer priced) or drop a draft."""
    note = payload.note if payload else ""
    services.cancel_promotion(actor=request.auth, promotion=_promotion(promotion_id), note=note)
    return _detail(promotion_id)
