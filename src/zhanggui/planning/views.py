"""The plan page (/planning/): a shop's year as a grid of months, with quarter and year totals. Every role reads;
the 店长 creates, edits and approves (planning.services checks it)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhanggui.catalog.models import Shop
from zhanggui.core import edges, roles
from zhanggui.planning import selectors, services
from zhanggui.planning.breakdown import MONTHS, PlanError
from zhanggui.planning.forms import MonthForm, PlanForm
from zhanggui.planning.models import Plan


def _url(shop: Shop, year: int) -> str:
    return f"{reverse('planning:plan')}?{urlencode({'shop': shop.code, 'year': year})}"


def _year(value: str | None, default: int) -> int:
    try:
        year = int(value or default)
    except ValueError:
        return default
    return year if 2000 <= year <= 2100 else default


def _month(value: str | None, default: int) -> int:
    try:
        month = int(value or default)
    except ValueError:
        return default
    return month if month in MONTHS else default


def _month_form(row: selectors.Row) -> MonthForm:
    return MonthForm(
        prefix=f"m{row.month}",
        initial={
            "gmv_target": row.target,
            "uv": row.uv,
            "conversion_percent": None if row.conversion is None else (row.conversion * 100).quantize(Decimal("0.01")),
            "aov": row.aov,
            "locked": row.locked,
            "mode": services.REBALANCE,
        },
    )


def _page(
    request: HttpRequest, shop: Shop | None, year: int, shops: list[Shop], status: int = 200, **bound: Any
) -> HttpResponse:
    today = timezone.localdate()
    context: dict[str, Any] = {
        "shops": shops,
        "shop": shop,
        "year": year,
        "years": sorted({*range(today.year - 2, today.year + 3), year}),
    }
    if shop is not None:
        found = selectors.grid(shop=shop, year=year, today=today)
        for row in found.rows:
            if row.kind == "month":
                row.form = bound.get(f"m{row.month}") or _month_form(row)  # type: ignore[attr-defined]
        picked = _month(bound.get("source_month"), today.month if year == today.year else 1)
        target = next((r.target for r in found.rows if r.month == picked), None)
        context |= {
            "sources": selectors.source_split(shop=shop, year=year, month=picked, target=target, today=today)
            if found.plan is not None and target is not None
            else None,
            "months": list(MONTHS),
            "g": found,
            "plan_form": bound.get("plan") or PlanForm(),
            "may_edit": roles.holds(request.user, services.EDIT_PLANS),
            "modes": MonthForm.base_fields["mode"].choices,  # type: ignore[attr-defined]
        }
    return edges.render_page(request, "planning/plan.html", context, status=status)


@login_required
def plan_page(request: HttpRequest) -> HttpResponse:
    shops = list(Shop.objects.order_by("code"))
    code = request.GET.get("shop")
    shop = next((s for s in shops if s.code == code), shops[0] if shops else None)
    year = _year(request.GET.get("year"), timezone.localdate().year)
    return _page(request, shop, year, shops, source_month=request.GET.get("source_month"))


def _shop_year(request: HttpRequest) -> tuple[Shop, int]:
    shop = Shop.objects.filter(code=request.POST.get("shop", "")).first()
    if shop is None:
        raise Http404
    return shop, _year(request.POST.get("year"), timezone.localdate().year)


@login_required
@edges.guarded
@require_POST
def plan_create(request: HttpRequest) -> HttpResponse:
    edges.require(request, services.EDIT_PLANS)
    shop, year = _shop_year(request)
    form = PlanForm(request.POST)
    if form.is_valid():
        try:
            services.create_plan(actor=request.user, shop=shop, year=year, gmv_target=form.cleaned_data["gmv_target"])
        except PlanError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The plan for %(year)s is made.") % {"year": year})
            return redirect(_url(shop, year))
    shops = list(Shop.objects.order_by("code"))
    return _page(request, shop, year, shops, status=edges.FORM_ERROR, plan=form)


@login_required
@edges.guarded
@require_POST
def month_save(request: HttpRequest, pk: int, month: int) -> HttpResponse:
    edges.require(request, services.EDIT_PLANS)
    plan = get_object_or_404(Plan.objects.select_related("shop"), pk=pk)
    if month not in MONTHS:
        raise Http404
    form = MonthForm(request.POST, prefix=f"m{month}")
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.set_month(
                actor=request.user,
                plan=plan,
                month=month,
                gmv_target=data["gmv_target"],
                mode=data["mode"],
                uv=data["uv"],
                conversion=form.conversion,
                aov=data["aov"],
                locked=data["locked"],
            )
        except PlanError as exc:
            form.add_error("gmv_target", _plan_error(exc))
        else:
            messages.success(request, _("Month %(month)s saved.") % {"month": f"{plan.year}-{month:02d}"})
            return redirect(_url(plan.shop, plan.year))
    shops = list(Shop.objects.order_by("code"))
    return _page(request, plan.shop, plan.year, shops, status=edges.FORM_ERROR, **{f"m{month}": form})


def _plan_error(exc: PlanError) -> str:
    known = {
        "Every other month is locked: nothing to rebalance onto.": _(
            "Every other month is locked: nothing to rebalance onto."
        ),
        "The other unlocked months cannot give up that much: the year would need negative months.": _(
            "The other unlocked months cannot give up that much: the year would need negative months."
        ),
        "Only the latest version of a plan can be changed.": _("Only the latest version of a plan can be changed."),
        "An amount must be whole fen.": _("An amount must be whole fen."),
    }
    return known.get(str(exc), str(exc))


@login_required
@edges.guarded
@require_POST
def plan_approve(request: HttpRequest, pk: int) -> HttpResponse:
    edges.require(request, services.EDIT_PLANS)
    plan = get_object_or_404(Plan.objects.select_related("shop"), pk=pk)
    try:
        services.approve(actor=request.user, plan=plan)
    except PlanError as exc:
        messages.error(request, _plan_error(exc))
    else:
        messages.success(request, _("Version %(version)s approved.") % {"version": plan.version})
    return redirect(_url(plan.shop, plan.year))
