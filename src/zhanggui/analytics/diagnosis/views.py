"""The diagnosis page (店铺诊断): the findings in plain words with their numbers and a link to the evidence; the
rules with their thresholds, editable by the 店长 and 运营; the peers' averages the comparisons use."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from zhanggui.analytics.diagnosis import rules, selectors, services
from zhanggui.analytics.diagnosis.forms import RATES, PeerForm, RulesForm
from zhanggui.analytics.pages import shop_asked
from zhanggui.catalog.models import Shop
from zhanggui.core import edges, roles
from zhanggui.core.listing import Column, ListSpec, export_response

SEVERITY = {rules.SERIOUS: gettext_lazy("Serious"), rules.WARNING: gettext_lazy("Warning")}
FINDINGS = ListSpec(
    name="diagnosis",
    columns=(
        Column("severity", gettext_lazy("Severity"), value=lambda f: SEVERITY[f.severity]),
        Column("rule", gettext_lazy("Rule"), value=lambda f: rules.RULES[f.rule].label),
        Column("text", gettext_lazy("Finding"), value=lambda f: f.text),
        Column("figures", gettext_lazy("Figures"), value=lambda f: " · ".join(f"{k} {v}" for k, v in f.figures)),
    ),
    default_sort="severity",
)


def _page(request: HttpRequest, shop: Shop | None, status: int = 200, **bound: Any) -> HttpResponse:
    context: dict[str, Any] = {"shops": Shop.objects.order_by("code"), "shop": shop}
    if shop is not None:
        settings = selectors.settings_for(shop)
        last = selectors.last_day(shop)
        context.update(
            last=last,
            findings=services.store_findings(shop=shop, last=last),  # kept for the morning page too
            rules_form=bound.get("rules") or RulesForm(settings=settings),
            peer_form=bound.get("peer") or PeerForm(),
            peers=selectors.peers(shop),
            rates=RATES,
            may_edit=roles.holds(request.user, services.TUNE_DIAGNOSIS),
        )
    return render(request, "analytics/diagnosis.html", context, status=status)


def _back(shop: Shop, anchor: str = "") -> HttpResponse:
    return redirect(f"{reverse('analytics:diagnosis')}?shop={shop.code}{anchor}")


@login_required
@edges.guarded
def diagnosis(request: HttpRequest) -> HttpResponse:
    """The page; with `?export=xlsx` its findings as a spreadsheet."""
    shop = shop_asked(request)
    if shop is not None and request.GET.get("export") == "xlsx":
        response = export_response(FINDINGS, selectors.diagnose(shop=shop), "xlsx")
        return response  # type: ignore[return-value]
    return _page(request, shop)


@login_required
@edges.guarded
@require_POST
def rules_save(request: HttpRequest) -> HttpResponse:
    edges.require(request, services.TUNE_DIAGNOSIS)
    shop = shop_asked(request)
    if shop is None:
        return redirect("analytics:diagnosis")
    form = RulesForm(request.POST, settings=selectors.settings_for(shop))
    if form.is_valid():
        with edges.form_errors(form) as outcome:
            changed = services.set_rules(actor=request.user, shop=shop, settings=form.chosen())
        if outcome.ok:
            messages.success(request, _("Rules saved (%(n)s changed).") % {"n": changed})
            return _back(shop, "#rules")
    return _page(request, shop, status=edges.FORM_ERROR, rules=form)


@login_required
@edges.guarded
@require_POST
def peer_save(request: HttpRequest) -> HttpResponse:
    edges.require(request, services.TUNE_DIAGNOSIS)
    shop = shop_asked(request)
    if shop is None:
        return redirect("analytics:diagnosis")
    form = PeerForm(request.POST)
    if form.is_valid():
        with edges.form_errors(form) as outcome:
            services.record_peer(
                actor=request.user,
                shop=shop,
                month=form.cleaned_data["month"],
                metric=form.cleaned_data["metric"],
                value=form.stored_value(),
                source=form.cleaned_data["source"],
            )
        if outcome.ok:
            messages.success(request, _("Saved."))
            return _back(shop, "#peers")
    return _page(request, shop, status=edges.FORM_ERROR, peer=form)
