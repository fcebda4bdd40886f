"""The store-health page (店铺健康): the shop's DSR / shop score by day, this year's violations with their points
and appeal deadlines, and the health-check findings being followed up. Everyone reads; the 店长 and 运营 type
(services.KEEP_HEALTH). A refused form comes back on the page with what was typed, status 422."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from zhanggui.analytics.health import selectors, services
from zhanggui.analytics.health.forms import AppealForm, FindingForm, FixForm, ScoresForm, ViolationForm
from zhanggui.analytics.models import HealthFinding, Violation
from zhanggui.analytics.pages import shop_asked
from zhanggui.catalog.models import Shop
from zhanggui.core import edges, roles
from zhanggui.core.listing import Column, ListSpec, export_response

SCORE_DAYS = 14
EXPORT_DAYS = 366

EXPORTS = {
    "scores": ListSpec(
        name="shop-scores",
        columns=(
            Column("day", gettext_lazy("Day"), value=lambda r: r.day),
            Column("description", gettext_lazy("描述相符 (as described)"), value=lambda r: r.description),
            Column("service", gettext_lazy("服务态度 (service)"), value=lambda r: r.service),
            Column("shipping", gettext_lazy("物流服务 (logistics)"), value=lambda r: r.shipping),
            Column("report", gettext_lazy("From"), value=lambda r: r.report),
        ),
        default_sort="day",
    ),
    "violations": ListSpec(
        name="violations",
        columns=(
            Column("noted_on", gettext_lazy("Notice date"), value=lambda v: v.noted_on),
            Column("kind", gettext_lazy("Kind"), value=lambda v: v.get_kind_display()),
            Column("rule", gettext_lazy("Rule broken"), value=lambda v: v.rule),
            Column("points", gettext_lazy("Points"), value=lambda v: v.points),
            Column("counts", gettext_lazy("Counts"), value=lambda v: v.counts),
            Column("order_no", gettext_lazy("Order number"), value=lambda v: v.order_no),
            Column("deadline", gettext_lazy("Appeal deadline"), value=lambda v: v.appeal_deadline),
            Column("appeal", gettext_lazy("Appeal"), value=lambda v: v.get_appeal_status_display()),
            Column("note", gettext_lazy("Note"), value=lambda v: v.note),
        ),
        default_sort="noted_on",
    ),
}


def _back(shop: Shop) -> HttpResponse:
    return redirect(f"{reverse('analytics:health')}?shop={shop.code}")


def _page(request: HttpRequest, shop: Shop | None, status: int = 200, **bound: forms.Form) -> HttpResponse:
    today = timezone.localdate()
    context: dict[str, Any] = {
        "shops": Shop.objects.order_by("code"),
        "shop": shop,
        "may_edit": roles.holds(request.user, services.KEEP_HEALTH),
        "scores_form": bound.get("scores") or ScoresForm(channel=shop.channel if shop else ""),
        "violation_form": bound.get("violation") or ViolationForm(),
        "finding_form": bound.get("finding") or FindingForm(),
        "appeal_form": AppealForm(),
        "fix_form": FixForm(),
        "year": today.year,
        "now": timezone.now(),
    }
    if shop is not None:
        days = selectors.scores(shop=shop, start=today - timedelta(days=SCORE_DAYS - 1), end=today)
        year_rows = list(selectors.violations(shop=shop, year=today.year))
        context.update(
            score_days=list(reversed(days)),
            score_trend=selectors.trend(days),
            score_top=services.SCORE_MAX.get(shop.channel, services.DSR_MAX),
            violations=year_rows,
            points=selectors.points(year_rows),
            appeals_due=selectors.appeals_due(shop=shop),
            appeals_missed=selectors.appeals_missed(shop=shop),
            findings=selectors.open_findings(shop=shop),
            fixed=selectors.fixed_findings(shop=shop, since=today - timedelta(days=30)),
        )
    return render(request, "analytics/health.html", context, status=status)


@login_required
@edges.guarded
def health(request: HttpRequest) -> HttpResponse:
    """The page; `?export=scores` (the last year's days) or `?export=violations` (all) as XLSX."""
    shop = shop_asked(request)
    kind = request.GET.get("export", "")
    if shop is not None and kind in EXPORTS:
        today = timezone.localdate()
        rows: list[Any] = (
            selectors.scores(shop=shop, start=today - timedelta(days=EXPORT_DAYS), end=today)
            if kind == "scores"
            else list(Violation.objects.filter(shop=shop).order_by("-noted_on", "-pk"))
        )
        return export_response(EXPORTS[kind], rows, "xlsx")  # type: ignore[return-value]
    return _page(request, shop)


def _post(request: HttpRequest, name: str, make_form: Any, call: Any) -> HttpResponse:
    """A form of the page posted: `make_form(shop)` binds it, `call(shop, data)` saves; refused, the page again."""
    edges.require(request, services.KEEP_HEALTH)
    shop = shop_asked(request)
    if shop is None:
        return redirect("analytics:health")
    form = make_form(shop)
    if form.is_valid():
        with edges.form_errors(form) as outcome:
            call(shop, form.cleaned_data)
        if outcome.ok:
            messages.success(request, _("Saved."))
            return _back(shop)
    return _page(request, shop, status=edges.FORM_ERROR, **{name: form})


@login_required
@edges.guarded
@require_POST
def scores_record(request: HttpRequest) -> HttpResponse:
    return _post(
        request,
        "scores",
        lambda shop: ScoresForm(request.POST, channel=shop.channel),
        lambda shop, data: services.record_scores(actor=request.user, shop=shop, **data),
    )


@login_required
@edges.guarded
@require_POST
def violation_add(request: HttpRequest) -> HttpResponse:
    return _post(
        request,
        "violation",
        lambda shop: ViolationForm(request.POST),
        lambda shop, data: services.note_violation(actor=request.user, shop=shop, **data),
    )


@login_required
@edges.guarded
@require_POST
def finding_add(request: HttpRequest) -> HttpResponse:
    return _post(
        request,
        "finding",
        lambda shop: FindingForm(request.POST),
        lambda shop, data: services.note_finding(actor=request.user, shop=shop, **data),
    )


@login_required
@edges.guarded
@require_POST
def violation_appeal(request: HttpRequest, pk: int) -> HttpResponse:
    edges.require(request, services.KEEP_HEALTH)
    violation = get_object_or_404(Violation, pk=pk)
    form = AppealForm(request.POST)
    if form.is_valid():
        with edges.message_errors(request) as outcome:
            services.set_appeal(actor=request.user, violation=violation, **form.cleaned_data)
        if outcome.ok:
            messages.success(request, _("Saved."))
    else:
        messages.error(request, _("Choose the appeal's status."))
    return _back(violation.shop)


@login_required
@edges.guarded
@require_POST
def finding_fix(request: HttpRequest, pk: int) -> HttpResponse:
    edges.require(request, services.KEEP_HEALTH)
    finding = get_object_or_404(HealthFinding, pk=pk)
    form = FixForm(request.POST)
    if form.is_valid():
        with edges.message_errors(request) as outcome:
            services.fix_finding(actor=request.user, finding=finding, result=form.cleaned_data["result"])
        if outcome.ok:
            messages.success(request, _("Saved."))
    else:
        messages.error(request, _("Say what was done about it."))
    return _back(finding.shop)
