"""The approvals pages: the queue, one page per item showing what approving it changes, and the decision.

Every role reads them; deciding needs the item's right (`catalog.approve_prices`, `promotions.approve_promotions`,
`aftersales.approve_compensation`),
checked before the form is read. The services refuse the rest (the author approving their own request, an item
already decided) and the refusal comes back on the form.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhanggui.aftersales.compensation import services as aftersales_compensation
from zhanggui.aftersales.models import Compensation, CompensationStatus
from zhanggui.approvals import selectors, services
from zhanggui.approvals.forms import DecisionForm
from zhanggui.approvals.selectors import CAPABILITY, COMPENSATIONS, PRICES, PROMOTIONS
from zhanggui.catalog import price_changes
from zhanggui.catalog import selectors as catalog_selectors
from zhanggui.catalog.models import PriceChange, PriceChangeState
from zhanggui.core import edges
from zhanggui.core.errors import ValidationFailed
from zhanggui.core.money import rate_text
from zhanggui.core.selectors import audit_for
from zhanggui.promotions.models import Promotion, PromotionState
from zhanggui.promotions.offers import selectors as promotion_selectors
from zhanggui.promotions.offers import services as promotion_services
from zhanggui.promotions.offers.forms import kind_label


@login_required
def approval_list(request: HttpRequest) -> HttpResponse:
    context = {
        "items": selectors.pending(),
        "returned": selectors.returned_to(request.user),
        "may": selectors.may_approve(request.user),
        "limit": rate_text(Decimal(price_changes.zhe(price_changes.approval_limit()))),
    }
    return edges.render_page(request, "approvals/approval_list.html", context)


# --------------------------------------------------------------------------------------------------------
# One item
# --------------------------------------------------------------------------------------------------------


def _change(pk: int) -> PriceChange:
    try:
        return catalog_selectors.price_change(pk)
    except PriceChange.DoesNotExist:
        raise Http404(_("No such price change.")) from None


def _promotion(pk: int) -> Promotion:
    try:
        return selectors.promotion(pk)
    except Promotion.DoesNotExist:
        raise Http404(_("No such promotion.")) from None


def _decision_context(request: HttpRequest, kind: str, author: Any, waiting: bool, form: DecisionForm | None):
    may = selectors.may_approve(request.user)[kind]
    return {
        "form": form or DecisionForm(),
        "may_decide": may and waiting,
        "waiting": waiting,
        "own": author.pk == request.user.pk,
    }


def _price_page(request: HttpRequest, change: PriceChange, *, form: DecisionForm | None = None, status: int = 200):
    waiting = change.state == PriceChangeState.PENDING
    context = {
        "change": change,
        "sku": change.sku,
        # While it waits: against the SKU as it is now; once decided: as it was asked.
        "check": price_changes.change_check(change)
        if waiting
        else price_changes.check_price(price_before=change.price_before, price=change.price_asked, cost=change.cost),
        "audit": audit_for(change.sku)[:20],
        **_decision_context(request, PRICES, change.requested_by, waiting, form),
    }
    return edges.render_page(request, "approvals/price_change.html", context, status=status)


def _promotion_page(request: HttpRequest, promotion: Promotion, *, form: DecisionForm | None = None, status: int = 200):
    waiting = promotion.state == PromotionState.SUBMITTED
    check = promotion_services.approval_check(promotion.spec, shop=promotion.shop)
    context = {
        "promotion": promotion,
        "kind_label": kind_label(promotion.kind),
        "check": check,
        "depth": rate_text(Decimal(price_changes.zhe(check.depth))) if check.depth is not None else None,
        "limit": rate_text(Decimal(price_changes.zhe(price_changes.approval_limit()))),
        "impact": promotion_selectors.promotion_impact(promotion),
        "impact_limit": promotion_selectors.IMPACT_SKUS,
        "audit": promotion_selectors.promotion_history(promotion),
        "submit_note": promotion_selectors.submission_note(promotion),
        **_decision_context(request, PROMOTIONS, promotion.created_by, waiting, form),
    }
    return edges.render_page(request, "approvals/promotion.html", context, status=status)


def _compensation(pk: int) -> Compensation:
    try:
        return selectors.compensation(pk)
    except Compensation.DoesNotExist:
        raise Http404(_("No such compensation offer.")) from None


def _compensation_page(
    request: HttpRequest, offer: Compensation, *, form: DecisionForm | None = None, status: int = 200
):
    waiting = offer.status == CompensationStatus.PENDING
    context = {
        "offer": offer,
        "case": offer.case,
        "limit": aftersales_compensation.limit_of(offer.offered_by),
        "standing": aftersales_compensation.standing_total(offer.case),
        "others": [o for o in aftersales_compensation.of_case(offer.case) if o.pk != offer.pk],
        "audit": audit_for(offer)[:20],
        **_decision_context(request, COMPENSATIONS, offer.offered_by, waiting, form),
    }
    # The offerer cannot decide their own offer, not even to reject it: they cancel it on the case page.
    context["may_decide"] = context["may_decide"] and not context["own"]
    return edges.render_page(request, "approvals/compensation.html", context, status=status)


@login_required
def compensation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _compensation_page(request, _compensation(pk))


@login_required
def price_change_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _price_page(request, _change(pk))


@login_required
def promotion_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _promotion_page(request, _promotion(pk))


LOADERS: dict[str, Any] = {PRICES: _change, PROMOTIONS: _promotion, COMPENSATIONS: _compensation}
PAGES: dict[str, Any] = {PRICES: _price_page, PROMOTIONS: _promotion_page, COMPENSATIONS: _compensation_page}


@login_required
@edges.guarded
@require_POST
def decide(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    """Approve or reject; the banner says what the item is now. A refusal comes back on the item's page."""
    edges.require(request, CAPABILITY[kind])
    obj: Any = LOADERS[kind](pk)
    form = DecisionForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        with edges.form_errors(form, fields={ValidationFailed: "note"}) as outcome:
            decision = services.decide(
                actor=request.user, kind=kind, pk=pk, decision=data["decision"], note=data["note"]
            )
        if outcome.ok:
            messages.success(request, decision.message)
            return redirect("approvals:list")
        obj = LOADERS[kind](pk)
    page: Any = PAGES[kind]
    return page(request, obj, form=form, status=edges.FORM_ERROR)
