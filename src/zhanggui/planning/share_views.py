"""The categories and product roles page (/planning/shares/): each quarter of the plan by category or by role,
by amount, units and SKU count. Every role reads; the 店长 splits and edits (planning.shares checks it)."""

from __future__ import annotations

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
from zhanggui.planning import services, shares
from zhanggui.planning.breakdown import PlanError
from zhanggui.planning.forms import ShareRowForm
from zhanggui.planning.models import Dimension, Plan
from zhanggui.planning.views import _year


def _error(exc: PlanError) -> str:
    """The rule broken, in the user's language (the messages are worded in planning.shares)."""
    known = {
        "Every other slice of the quarter is locked: nothing to rebalance onto.": _(
            "Every other slice of the quarter is locked: nothing to rebalance onto."
        ),
        "The other unlocked slices of the quarter cannot give up that much.": _(
            "The other unlocked slices of the quarter cannot give up that much."
        ),
        "Only the latest version of a plan can be changed.": _("Only the latest version of a plan can be changed."),
    }
    return known.get(str(exc), str(exc))


def _url(shop: Shop, year: int, dimension: str) -> str:
    query = urlencode({"shop": shop.code, "year": year, "dimension": dimension})
    return f"{reverse('planning:shares')}?{query}"


def _dimension(value: str | None) -> str:
    return value if value in Dimension.values else Dimension.CATEGORY


def _row_form(row: shares.GridRow) -> ShareRowForm:
    initial: dict[str, Any] = {"mode": shares.REBALANCE}
    for q, cell in row.cells.items():
        initial |= {f"q{q}_amount": cell.amount, f"q{q}_units": cell.quantity, f"q{q}_skus": cell.sku_count}
    return ShareRowForm(prefix=f"s-{row.key}", initial=initial)


def _page(
    request: HttpRequest,
    shop: Shop | None,
    year: int,
    dimension: str,
    status: int = 200,
    bound: tuple[str, ShareRowForm] | None = None,
) -> HttpResponse:
    today = timezone.localdate()
    context: dict[str, Any] = {
        "shops": list(Shop.objects.order_by("code")),
        "shop": shop,
        "year": year,
        "years": sorted({*range(today.year - 2, today.year + 3), year}),
        "dimension": dimension,
        "dimensions": Dimension.choices,
        "may_edit": roles.holds(request.user, services.EDIT_PLANS),
        "quarters": shares.QUARTERS,
    }
    plan = services.current(shop, year) if shop else None
    if plan is not None:
        found = shares.grid(plan, dimension)
        for row in found.rows:
            row.form = bound[1] if bound and bound[0] == row.key else _row_form(row)  # type: ignore[attr-defined]
            row.quarter_fields = [  # type: ignore[attr-defined]
                (q, row.form[f"q{q}_amount"], row.form[f"q{q}_units"], row.form[f"q{q}_skus"])  # type: ignore[attr-defined]
                for q in shares.QUARTERS
            ]
        context |= {"plan": plan, "g": found}
    return edges.render_page(request, "planning/shares.html", context, status=status)


@login_required
def shares_page(request: HttpRequest) -> HttpResponse:
    shops = list(Shop.objects.order_by("code"))
    code = request.GET.get("shop")
    shop = next((s for s in shops if s.code == code), shops[0] if shops else None)
    year = _year(request.GET.get("year"), timezone.localdate().year)
    return _page(request, shop, year, _dimension(request.GET.get("dimension")))


@login_required
@edges.guarded
@require_POST
def shares_build(request: HttpRequest, pk: int) -> HttpResponse:
    edges.require(request, services.EDIT_PLANS)
    plan = get_object_or_404(Plan.objects.select_related("shop"), pk=pk)
    dimension = _dimension(request.POST.get("dimension"))
    try:
        plan = shares.build(actor=request.user, plan=plan)
    except PlanError as exc:
        messages.error(request, _error(exc))
    else:
        messages.success(request, _("Each quarter is split by category and by product role."))
    return redirect(_url(plan.shop, plan.year, dimension))


@login_required
@edges.guarded
@require_POST
def share_row_save(request: HttpRequest, pk: int, dimension: str, key: str) -> HttpResponse:
    edges.require(request, services.EDIT_PLANS)
    plan = get_object_or_404(Plan.objects.select_related("shop"), pk=pk)
    if dimension not in Dimension.values:
        raise Http404
    form = ShareRowForm(request.POST, prefix=f"s-{key}")
    if form.is_valid():
        data = form.cleaned_data
        cells = {q: shares.Cell(data[f"q{q}_amount"], data[f"q{q}_units"], data[f"q{q}_skus"]) for q in shares.QUARTERS}
        try:
            plan = shares.set_row(
                actor=request.user, plan=plan, dimension=dimension, key=key, cells=cells, mode=data["mode"]
            )
        except PlanError as exc:
            form.add_error(None, _error(exc))
        else:
            messages.success(request, _("Saved."))
            return redirect(_url(plan.shop, plan.year, dimension))
    return _page(request, plan.shop, plan.year, dimension, status=edges.FORM_ERROR, bound=(key, form))
