"""Compensation pages: an offer from the case page, cancelling one's own waiting offer, and the manager's rules
and role limits. Deciding an offer above a limit happens in the approvals queue (approvals.views), which calls
aftersales.compensation.decide.

Each write checks its right first (edges.require), calls one function of aftersales.compensation (which checks
again) and shows the result; a refusal comes back on the form with what was typed kept.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhanggui.aftersales import views
from zhanggui.aftersales.compensation import services as compensation
from zhanggui.aftersales.compensation.forms import CancelOfferForm, CompensationRuleForm, LimitForm, OfferForm
from zhanggui.aftersales.models import AfterSaleCase, Compensation, CompensationRule, CompensationStatus
from zhanggui.core import edges, roles
from zhanggui.core.errors import DomainError
from zhanggui.core.money import fmt_money

# --------------------------------------------------------------------------------------------------------
# On the case page
# --------------------------------------------------------------------------------------------------------


@login_required
@edges.guarded
@require_POST
def case_offer(request: HttpRequest, pk: int) -> HttpResponse:
    """Offer a compensation: approved at once within the person's limit, else sent to the approvals queue."""
    edges.require(request, roles.HANDLE_CASES)
    case = get_object_or_404(AfterSaleCase, pk=pk)
    form = OfferForm(request.POST, prefix="offer", rules=compensation.suggested_rules(case))
    if form.is_valid():
        data = form.cleaned_data
        with edges.form_errors(form) as outcome:
            made = compensation.offer(
                actor=request.user,
                case=case,
                offer=data["offer"],
                amount=data["amount"],
                rule=data["rule"],
                note=data["note"],
            )
        if outcome.ok:
            words = {"what": compensation.describe(made)}
            if made.status == CompensationStatus.APPROVED:
                messages.success(request, _("%(what)s offered: within your limit, approved.") % words)
            else:
                messages.warning(request, _("%(what)s offered: above your limit, it waits for a manager.") % words)
            return redirect(f"{reverse('aftersales:case-detail', args=[case.pk])}#compensation")
    return views._case_page(request, views._case(pk), status=edges.FORM_ERROR, open_form="offer", offer_form=form)


@login_required
@edges.guarded
@require_POST
def offer_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """The person who offered it withdraws a waiting offer."""
    edges.require(request, roles.HANDLE_CASES)
    offer = get_object_or_404(Compensation, pk=pk)
    form = CancelOfferForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    with edges.message_errors(request) as outcome:
        compensation.cancel(actor=request.user, compensation=offer, note=note)
    if outcome.ok:
        messages.success(request, _("Offer cancelled: %(what)s.") % {"what": compensation.describe(offer)})
    return redirect(f"{reverse('aftersales:case-detail', args=[offer.case_id])}#compensation")


@login_required
def offer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Where the audit trail links an offer: its case's compensation card."""
    offer = get_object_or_404(Compensation, pk=pk)
    return redirect(f"{reverse('aftersales:case-detail', args=[offer.case_id])}#offer-{offer.pk}")


# --------------------------------------------------------------------------------------------------------
# The manager's rules and limits
# --------------------------------------------------------------------------------------------------------


def _rule_rows(changed: CompensationRuleForm | None = None) -> list[tuple[CompensationRule, CompensationRuleForm]]:
    rules = CompensationRule.objects.select_related("updated_by").order_by("reason", "responsibility", "id")
    return [
        (
            rule,
            changed
            if changed is not None and changed.instance.pk == rule.pk
            else CompensationRuleForm(instance=rule, prefix=f"rule-{rule.pk}", form_id=f"crule-form-{rule.pk}"),
        )
        for rule in rules
    ]


def _page(
    request: HttpRequest,
    *,
    changed: CompensationRuleForm | None = None,
    new_form: CompensationRuleForm | None = None,
    limit_forms: dict[str, LimitForm] | None = None,
    status: int = 200,
) -> HttpResponse:
    limit_forms = limit_forms or {}
    limit_rows = [
        (
            role,
            label,
            row,
            limit_forms.get(role)
            or LimitForm(prefix=f"limit-{role}", initial={"limit": f"{row.limit:.2f}" if row else "0.00"}),
        )
        for role, label, row in compensation.limits()
    ]
    context = {
        "rows": _rule_rows(changed),
        "new_form": new_form or CompensationRuleForm(prefix="new", form_id="crule-form-new"),
        "limit_rows": limit_rows,
        "may_edit": roles.holds(request.user, roles.MANAGE_AFTERSALES_RULES),
    }
    return render(request, "aftersales/compensation_rules.html", context, status=status)


@login_required
def rule_list(request: HttpRequest) -> HttpResponse:
    """The situation → offer table and the limit of each role; the manager edits each row on its own."""
    return _page(request)


@login_required
@edges.guarded
@require_POST
def rule_save(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Add a rule (no pk) or change one row."""
    edges.require(request, roles.MANAGE_AFTERSALES_RULES)
    rule = get_object_or_404(CompensationRule, pk=pk) if pk is not None else None
    prefix, form_id = (f"rule-{pk}", f"crule-form-{pk}") if pk is not None else ("new", "crule-form-new")
    form = CompensationRuleForm(request.POST, instance=rule, prefix=prefix, form_id=form_id)
    if form.is_valid():
        data = form.cleaned_data
        with edges.form_errors(form) as outcome:
            saved = compensation.save_rule(
                actor=request.user,
                rule=rule,
                reason=data["reason"],
                responsibility=data["responsibility"],
                offer=data["offer"],
                amount=data["amount"],
                description=data["description"],
                is_active=data["is_active"],
            )
        if outcome.ok:
            what = f"{saved.get_reason_display()} → {saved.get_offer_display()} {fmt_money(saved.amount)}"
            messages.success(request, _("Compensation rule saved: %(rule)s.") % {"rule": what})
            return redirect("aftersales:compensation-rules")
    if pk is None:
        return _page(request, new_form=form, status=edges.FORM_ERROR)
    return _page(request, changed=form, status=edges.FORM_ERROR)


@login_required
@edges.guarded
@require_POST
def limit_save(request: HttpRequest, role: str) -> HttpResponse:
    edges.require(request, roles.MANAGE_AFTERSALES_RULES)
    if role not in roles.ROLES:
        return redirect("aftersales:compensation-rules")
    form = LimitForm(request.POST, prefix=f"limit-{role}")
    if form.is_valid():
        with edges.form_errors(form, fields={DomainError: "limit"}) as outcome:
            row = compensation.save_limit(actor=request.user, role=role, limit=form.cleaned_data["limit"])
        if outcome.ok:
            messages.success(
                request,
                _("Limit saved: %(role)s may offer up to %(limit)s per case.")
                % {"role": roles.ROLE_LABELS[role], "limit": f"¥{row.limit:,.2f}"},
            )
            return redirect("aftersales:compensation-rules")
    return _page(request, limit_forms={role: form}, status=edges.FORM_ERROR)
