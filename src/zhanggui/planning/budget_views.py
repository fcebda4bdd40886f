"""The ad budget page (/planning/budget/): a shop's year of monthly ad budgets, each split into lines by ad tool
and goal, against the spend of the imported ad reports. Every role reads; the 店长 edits (planning.budget checks
it)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from zhanggui.analytics.models import AdChannel
from zhanggui.catalog.models import Shop
from zhanggui.core import edges, roles
from zhanggui.planning import budget, services
from zhanggui.planning.breakdown import MONTHS, PlanError
from zhanggui.planning.models import AdGoal, BudgetMode, Plan

HUNDRED = Decimal(100)


class BudgetForm(forms.Form):
    """A month's budget: a share of its GMV target (in percent) or an amount."""

    mode = forms.ChoiceField(
        label=gettext_lazy("Set as"),
        choices=[(BudgetMode.SHARE, gettext_lazy("share of the target")), (BudgetMode.AMOUNT, gettext_lazy("amount"))],
        initial=BudgetMode.SHARE,
    )
    share_percent = forms.DecimalField(
        label=gettext_lazy("Share of the GMV target (%)"),
        min_value=Decimal(0),
        max_value=HUNDRED,
        decimal_places=2,
        required=False,
    )
    amount = forms.DecimalField(
        label=gettext_lazy("Budget (¥)"), min_value=Decimal(0), max_digits=14, decimal_places=2, required=False
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("mode") == BudgetMode.SHARE and data.get("share_percent") is None:
            self.add_error("share_percent", _("Type the share of the month's GMV target."))
        if data.get("mode") == BudgetMode.AMOUNT and data.get("amount") is None:
            self.add_error("amount", _("Type the month's budget."))
        return data


class LineForm(forms.Form):
    """A line: an ad tool, a goal, its share of the month's budget (in percent), the ROI expected of it."""

    channel = forms.ChoiceField(label=gettext_lazy("Ad tool"), choices=[("", "—"), *AdChannel.choices])
    goal = forms.ChoiceField(label=gettext_lazy("Goal"), choices=AdGoal.choices, initial=AdGoal.SALES)
    share_percent = forms.DecimalField(
        label=gettext_lazy("Share of the budget (%)"), min_value=Decimal(0), max_value=HUNDRED, decimal_places=2
    )
    expected_roi = forms.DecimalField(
        label=gettext_lazy("Expected ROI"), min_value=Decimal(0), max_digits=8, decimal_places=2, required=False
    )


LineFormSet = forms.formset_factory(LineForm, extra=1, can_delete=True)


def _year(value: str | None, default: int) -> int:
    try:
        year = int(value or default)
    except ValueError:
        return default
    return year if 2000 <= year <= 2100 else default


def _url(shop: Shop, year: int) -> str:
    return f"{reverse('planning:budget')}?{urlencode({'shop': shop.code, 'year': year})}"


def _forms(row: budget.MonthRow) -> tuple[BudgetForm, Any]:
    found = row.budget
    initial = {"mode": BudgetMode.SHARE}
    if found is not None:
        initial = {
            "mode": found.mode,
            "share_percent": None if found.share is None else (found.share * HUNDRED).quantize(Decimal("0.01")),
            "amount": found.amount,
        }
    lines = [
        {
            "channel": r.line.channel,
            "goal": r.line.goal,
            "share_percent": (r.line.share * HUNDRED).quantize(Decimal("0.01")),
            "expected_roi": r.line.expected_roi,
        }
        for r in row.lines
    ]
    formset = LineFormSet(initial=lines, prefix=f"m{row.month}-l")
    return BudgetForm(initial=initial, prefix=f"m{row.month}"), formset


def _page(request: HttpRequest, shop: Shop | None, year: int, status: int = 200, **bound: Any) -> HttpResponse:
    today = timezone.localdate()
    context: dict[str, Any] = {
        "shops": list(Shop.objects.order_by("code")),
        "shop": shop,
        "year": year,
        "years": sorted({*range(today.year - 2, today.year + 3), year}),
        "tolerance": budget.percent(budget.OVERSPEND_TOLERANCE),
    }
    if shop is not None:
        found = budget.report(shop=shop, year=year, today=today)
        for row in found.months:
            form, lines = _forms(row)
            row.form, row.line_forms = bound.get(f"m{row.month}") or (form, lines)  # type: ignore[attr-defined]
            # Each stored line's figures beside its row (a form sent back with errors shows what was typed only).
            shown = [] if f"m{row.month}" in bound else row.lines
            for i, line_form in enumerate(row.line_forms.forms):  # type: ignore[attr-defined]
                line_form.lr = shown[i] if i < len(shown) else None
        context |= {"r": found, "may_edit": roles.holds(request.user, services.EDIT_PLANS)}
    return edges.render_page(request, "planning/budget.html", context, status=status)


@login_required
def budget_page(request: HttpRequest) -> HttpResponse:
    shops = list(Shop.objects.order_by("code"))
    code = request.GET.get("shop")
    shop = next((s for s in shops if s.code == code), shops[0] if shops else None)
    return _page(request, shop, _year(request.GET.get("year"), timezone.localdate().year))


@login_required
@edges.guarded
@require_POST
def budget_save(request: HttpRequest, pk: int, month: int) -> HttpResponse:
    edges.require(request, services.EDIT_PLANS)
    plan = get_object_or_404(Plan.objects.select_related("shop"), pk=pk)
    if month not in MONTHS:
        raise Http404
    form = BudgetForm(request.POST, prefix=f"m{month}")
    lines = LineFormSet(request.POST, prefix=f"m{month}-l")
    if form.is_valid() and lines.is_valid():
        data = form.cleaned_data
        typed = [
            budget.LineIn(
                channel=line["channel"],
                goal=line["goal"],
                share=(line["share_percent"] / HUNDRED).quantize(Decimal("0.0001")),
                expected_roi=line.get("expected_roi"),
            )
            for line in lines.cleaned_data
            if line and not line.get("DELETE") and line.get("channel")
        ]
        share = data.get("share_percent")
        try:
            budget.set_budget(
                actor=request.user,
                plan=plan,
                month=month,
                mode=data["mode"],
                share=None if share is None else (share / HUNDRED).quantize(Decimal("0.0001")),
                amount=data.get("amount"),
                lines=typed,
            )
        except PlanError as exc:
            form.add_error(None, _budget_error(exc))
        else:
            messages.success(request, _("The ad budget of %(month)s is saved.") % {"month": f"{plan.year}-{month:02d}"})
            return redirect(f"{_url(plan.shop, plan.year)}#budget-{month}")
    return _page(request, plan.shop, plan.year, status=edges.FORM_ERROR, **{f"m{month}": (form, lines)})


def _budget_error(exc: PlanError) -> str:
    known = {
        "Unknown ad tool.": _("Unknown ad tool."),
        "Unknown goal.": _("Unknown goal."),
        "An ad tool has one line per goal.": _("An ad tool has one line per goal."),
        "A line's share must be above 0 % and at most 100 %.": _("A line's share must be above 0 % and at most 100 %."),
        "An expected ROI cannot be negative.": _("An expected ROI cannot be negative."),
        "The lines' shares must add up to 100 %.": _("The lines' shares must add up to 100 %."),
        "A share of the GMV target must be between 0 % and 100 %.": _(
            "A share of the GMV target must be between 0 % and 100 %."
        ),
        "A budget cannot be negative.": _("A budget cannot be negative."),
        "An amount must be whole fen.": _("An amount must be whole fen."),
        "Only the latest version of a plan can be changed.": _("Only the latest version of a plan can be changed."),
    }
    return known.get(str(exc), str(exc))
