"""Carrier-claim pages: the claims list (time left to each claim's deadline, filters by status, carrier and shop,
totals of claimed and recovered), filing a claim from a case page, and settling a claim.

Everyone reads; filing and settling check handle_cases first (edges.require), call aftersales.claims (which checks
again) and go back where the person came from. A refusal comes back as an error on the form, with what was typed.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from zhanggui.aftersales.claims import services as claims
from zhanggui.aftersales.claims.forms import ClaimFilterForm, ClaimForm, SettleForm
from zhanggui.aftersales.models import AfterSaleCase, CarrierClaim
from zhanggui.core import edges, roles
from zhanggui.core.listing import Column, ListSpec, list_response


def _person(user: Any) -> str:
    return (user.get_full_name() or user.get_username()) if user is not None else ""


CLAIMS = ListSpec(
    name="carrier-claims",
    columns=(
        Column("number", gettext_lazy("Claim"), "pk", lambda c: str(c)),
        Column(
            "order_no", gettext_lazy("Order number"), "order__platform_order_no", lambda c: c.order.platform_order_no
        ),
        Column("case", gettext_lazy("Case"), "case_id", lambda c: c.case.number if c.case else ""),
        Column("shop", gettext_lazy("Shop"), "order__shop__name", lambda c: c.order.shop.name),
        Column("carrier", gettext_lazy("Carrier"), "carrier", lambda c: c.carrier),
        Column("tracking_no", gettext_lazy("Tracking number"), "tracking_no", lambda c: c.tracking_no),
        Column("status", gettext_lazy("Status"), "status", lambda c: c.get_status_display()),
        Column(
            "claimed",
            gettext_lazy("Value claimed"),
            "value_claimed",
            lambda c: c.value_claimed,
            total="value_claimed",
            numeric=True,
            money=True,
        ),
        Column(
            "recovered",
            gettext_lazy("Amount recovered"),
            "amount_recovered",
            lambda c: c.amount_recovered,
            total="amount_recovered",
            numeric=True,
            money=True,
        ),
        Column("deadline", gettext_lazy("Deadline"), "deadline", lambda c: c.deadline, numeric=True),
        Column("filed", gettext_lazy("Filed"), "filed_at", lambda c: c.filed_at, numeric=True),
        Column("filed_by", gettext_lazy("Filed by"), "filed_by__username", lambda c: _person(c.filed_by)),
    ),
    default_sort="deadline",
    date_field="filed_at",
    date_label=gettext_lazy("Filed"),
)


@login_required
def claim_list(request: HttpRequest) -> HttpResponse:
    """Filters, sort, page size and the filed-on range in the URL; ?export=xlsx|csv answers every filtered row."""
    form = ClaimFilterForm(request.GET or None)
    listing, export = list_response(request, CLAIMS, form.rows())
    if export is not None:
        return export
    now = timezone.now()
    may = roles.holds(request.user, roles.HANDLE_CASES)
    for claim in listing.page:
        claim.time_left = claims.time_left(claim, now)
        claim.settle_form = (
            SettleForm(prefix=f"settle-{claim.pk}") if may and claims.may_settle(claim, request.user) else None
        )
    context = {"form": form, "page": listing.page, "listing": listing}
    return edges.render_page(request, "aftersales/claim_list.html", context, fragment="aftersales/_claim_results.html")


@login_required
@edges.guarded
def claim_file(request: HttpRequest, pk: int) -> HttpResponse:
    """File a claim for a case's parcel: posted from the case page; shown again here with its errors."""
    edges.require(request, roles.HANDLE_CASES)
    case = get_object_or_404(AfterSaleCase.objects.select_related("order", "shop"), pk=pk)
    status = 200
    if request.method == "POST":
        form = ClaimForm(request.POST, prefix="claim", case=case)
        if form.is_valid():
            data = form.cleaned_data
            with edges.form_errors(form) as outcome:
                claim = claims.file_claim(
                    actor=request.user,
                    order=form.order(),
                    case=case,
                    carrier=form.given("carrier"),
                    tracking_no=form.given("tracking_no"),
                    value_claimed=data["value_claimed"],
                    evidence=data["evidence"],
                )
            if outcome.ok:
                messages.success(request, _("Claim %(claim)s filed.") % {"claim": claim})
                return redirect(reverse("aftersales:case-detail", args=[case.pk]) + "#claims")
        status = edges.FORM_ERROR
    else:
        form = ClaimForm(prefix="claim", case=case)
    return render(request, "aftersales/claim_file.html", {"case": case, "form": form}, status=status)


@login_required
@edges.guarded
@require_POST
def claim_settle(request: HttpRequest, pk: int) -> HttpResponse:
    """Record the carrier's answer; back to where the form was (the case page or the list)."""
    edges.require(request, roles.HANDLE_CASES)
    claim = get_object_or_404(CarrierClaim.objects.select_related("case", "order"), pk=pk)
    form = SettleForm(request.POST, prefix=f"settle-{pk}")
    if form.is_valid():
        data = form.cleaned_data
        with edges.form_errors(form) as outcome:
            claims.settle_claim(
                actor=request.user,
                claim=claim,
                status=data["status"],
                amount_recovered=data["amount_recovered"],
                note=data["note"],
            )
        if outcome.ok:
            messages.success(request, _("Claim %(claim)s settled.") % {"claim": claim})
            return redirect(edges.safe_next(request, reverse("aftersales:claim-list")))
    context = {"claim": claim, "form": form, "next": request.POST.get("next", "")}
    return render(request, "aftersales/claim_settle.html", context, status=edges.FORM_ERROR)


def case_panel(case: AfterSaleCase, user: Any) -> dict[str, Any]:
    """What the case page's claims section shows (aftersales/_claims.html): the case's claims with their time
    left and, for those who handle cases, the settle forms and the form to file one."""
    now = timezone.now()
    may = roles.holds(user, roles.HANDLE_CASES)
    rows = []
    for claim in claims.claims(case=case).order_by("filed_at", "pk"):
        settle = SettleForm(prefix=f"settle-{claim.pk}") if may and claims.may_settle(claim, user) else None
        rows.append({"claim": claim, "time_left": claims.time_left(claim, now), "settle_form": settle})
    return {
        "rows": rows,
        "totals": claims.totals(claims.claims(case=case)),
        "form": ClaimForm(prefix="claim", case=case) if may else None,
    }
