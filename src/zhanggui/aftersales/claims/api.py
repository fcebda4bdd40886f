"""Endpoints of the carrier claims (/api/v1/aftersales/claims). Writes call aftersales.claims, which checks
handle_cases like the pages; every role reads. Claims and orders by their ids, money as "12.50" strings."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from zhanggui.aftersales.claims import services as claims
from zhanggui.aftersales.models import AfterSaleCase, CarrierClaim, ClaimStatus
from zhanggui.aftersales.schemas import MAX_ID
from zhanggui.catalog.api import ERRORS, get_or_404
from zhanggui.catalog.models import Shop
from zhanggui.catalog.schemas import InputSchema, MoneyIn, MoneyOut
from zhanggui.core import roles
from zhanggui.core.errors import NotFoundError, ValidationFailed
from zhanggui.orders.models import Order

router = Router(tags=["aftersales"])

MAX_PAGE_SIZE = 200
MAX_PAGE = 1_000_000


class ClaimOut(Schema):
    id: int
    number: str = Field(..., description="CL-<id>")
    order_id: int
    order_no: str = Field(..., alias="order.platform_order_no")
    shop: str = Field(..., alias="order.shop.code")
    case_id: int | None
    carrier: str
    tracking_no: str
    value_claimed: MoneyOut
    evidence: str
    status: str = Field(..., description="filed, paid, partly_paid, refused or withdrawn")
    amount_recovered: MoneyOut
    deadline: datetime | None = Field(None, description="Filed + the claim window (ZHANGGUI_CLAIM_WINDOW_DAYS)")
    filed_by: str = Field(..., alias="filed_by.username")
    filed_at: datetime
    settled_at: datetime | None

    @staticmethod
    def resolve_number(claim: Any) -> str:
        return str(claim)


class ClaimPage(Schema):
    count: int
    page: int
    page_size: int
    value_claimed: MoneyOut = Field(..., description="Over every claim of the filter")
    amount_recovered: MoneyOut = Field(..., description="Over every claim of the filter")
    items: list[ClaimOut]


class FileClaimIn(InputSchema):
    order_id: int | None = Field(None, ge=1, le=MAX_ID, description="The parcel's order; the case's when omitted")
    case_id: int | None = Field(None, ge=1, le=MAX_ID)
    carrier: str | None = Field(None, max_length=64, description="The order's carrier when omitted")
    tracking_no: str | None = Field(None, max_length=64, description="The order's tracking number when omitted")
    value_claimed: MoneyIn
    evidence: str = Field(..., min_length=1, max_length=4000)


class SettleClaimIn(InputSchema):
    status: ClaimStatus = Field(..., description="paid, partly_paid, refused or withdrawn")
    amount_recovered: MoneyIn | None = Field(None, description="Paid: the value claimed when omitted; else 0")
    note: str = Field("", max_length=255, description="Why: required when refused or withdrawn")


def _claim(claim_id: int) -> CarrierClaim:
    if not 0 < claim_id <= MAX_ID:
        raise NotFoundError(_("%(what)s not found (%(key)s).") % {"what": _("Carrier claim"), "key": claim_id})
    return get_or_404(
        CarrierClaim.objects.select_related("order", "order__shop", "filed_by"), _("Carrier claim"), pk=claim_id
    )


@router.get("", response={200: ClaimPage, **ERRORS})
def list_claims(
    request,
    shop: str = Query("", description="Shop code"),
    status: Annotated[ClaimStatus | None, Query(description="A status")] = None,
    carrier: str = Query("", max_length=64),
    page: int = Query(1, ge=1, le=MAX_PAGE),
    page_size: int = Query(50, ge=1, le=MAX_PAGE_SIZE),
):
    """Claims by deadline, the nearest first (filter on status=filed for the ones still waiting), with the totals
    of the value claimed and the amount recovered over every claim of the filter."""
    rows = claims.claims(
        status=status.value if status else "",
        carrier=carrier,
        shop=get_or_404(Shop.objects.all(), _("Shop"), code=shop) if shop else None,
    ).order_by("deadline", "pk")
    found = claims.totals(rows)
    start = (page - 1) * page_size
    return {
        "count": rows.count(),
        "page": page,
        "page_size": page_size,
        "value_claimed": found.claimed,
        "amount_recovered": found.recovered,
        "items": list(rows[start : start + page_size]),
    }


@router.post("", response={201: ClaimOut, **ERRORS})
def file_claim(request, payload: FileClaimIn):
    """File a claim for a shipped order's parcel (and its case, when given). 409 `claim_rule_broken` names what
    the order's goods were paid and what other claims ask when the value claimed is above it."""
    roles.require(request.auth, roles.HANDLE_CASES)  # before looking rows up: a refused role learns nothing
    case = None
    if payload.case_id is not None:
        case = get_or_404(AfterSaleCase.objects.select_related("order"), _("After-sales case"), pk=payload.case_id)
    if payload.order_id is not None:
        order = get_or_404(Order.objects.all(), _("Order"), pk=payload.order_id)
    elif case is not None:
        order = case.order
    else:
        raise ValidationFailed(_("Give the order or the case the claim is for."))
    claim = claims.file_claim(
        actor=request.auth,
        order=order,
        case=case,
        carrier=payload.carrier,
        tracking_no=payload.tracking_no,
        value_claimed=payload.value_claimed,
        evidence=payload.evidence,
    )
    return 201, _claim(claim.pk)


@router.post("/{claim_id}/settle", response={200: ClaimOut, **ERRORS})
def settle_claim(request, claim_id: int, payload: SettleClaimIn):
    """The carrier's answer. Paid recovers all that was claimed; partly paid less; refused and withdrawn nothing
    (and say why). 409 `invalid_claim_transition` once settled (a partly paid claim may still be paid)."""
    roles.require(request.auth, roles.HANDLE_CASES)
    claim = claims.settle_claim(
        actor=request.auth,
        claim=_claim(claim_id),
        status=payload.status.value,
        amount_recovered=payload.amount_recovered,
        note=payload.note,
    )
    return _claim(claim.pk)
