"""The activity calendar page (/planning/calendar/): a shop's year of platform events and own activities as bars
across their days, with each one's target, result and uplift. Every role reads; the 店长 edits (planning.calendar
checks it)."""

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
from django.utils.dates import MONTHS_AP
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from zhanggui.catalog.models import Shop
from zhanggui.core import edges, roles
from zhanggui.planning import calendar, services
from zhanggui.planning.breakdown import PlanError
from zhanggui.planning.models import ActivityKind, PlanActivity
from zhanggui.promotions.models import Promotion


class ActivityForm(forms.Form):
    """An activity: its name and days, its GMV target, a stored promotion it stands for, a note."""

    name = forms.CharField(label=gettext_lazy("Name"), max_length=128, required=False)
    starts_on = forms.DateField(label=gettext_lazy("First day"), required=False)
    ends_on = forms.DateField(label=gettext_lazy("Last day"), required=False)
    gmv_target = forms.DecimalField(
        label=gettext_lazy("GMV target (¥)"), min_value=Decimal(0), max_digits=14, decimal_places=2, required=False
    )
    promotion = forms.TypedChoiceField(
        label=gettext_lazy("Promotion (optional)"), coerce=int, empty_value=None, required=False
    )
    note = forms.CharField(label=gettext_lazy("Note"), max_length=255, required=False)

    def __init__(self, *args: Any, promotions: list[Promotion], platform: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["promotion"].choices = [("", "—")] + [  # type: ignore[attr-defined]
            (p.pk, f"{p.name or p.code} ({calendar.promotion_days(p)[0]} – {calendar.promotion_days(p)[1]})")
            for p in promotions
        ]
        for name in ("starts_on", "ends_on"):
            self.fields[name].widget = forms.DateInput(attrs={"type": "date"})
        if platform:  # a platform event keeps its name and stands for no promotion of ours
            del self.fields["name"], self.fields["promotion"]
            self.fields["starts_on"].required = self.fields["ends_on"].required = True

    def changes(self) -> dict[str, Any]:
        data = self.cleaned_data
        out = {k: data[k] for k in ("starts_on", "ends_on", "gmv_target", "note")}
        if "name" in self.fields:
            out |= {"name": data["name"], "promotion": data["promotion"]}
        return out


def _year(value: str | None, default: int) -> int:
    try:
        year = int(value or default)
    except ValueError:
        return default
    return year if 2000 <= year <= 2100 else default


def _url(shop: Shop, year: int) -> str:
    return f"{reverse('planning:calendar')}?{urlencode({'shop': shop.code, 'year': year})}"


def _page(
    request: HttpRequest,
    shop: Shop | None,
    year: int,
    status: int = 200,
    form: ActivityForm | None = None,
    editing: PlanActivity | None = None,
) -> HttpResponse:
    today = timezone.localdate()
    context: dict[str, Any] = {
        "shops": list(Shop.objects.order_by("code")),
        "shop": shop,
        "year": year,
        "years": sorted({*range(today.year - 2, today.year + 3), year}),
        "editing": editing,
    }
    if shop is not None:
        found = calendar.results(shop=shop, year=year, today=today)
        promotions = calendar.promotions_of(shop, year)
        if form is None:
            initial = {}
            if editing is not None:
                initial = {
                    "name": editing.name,
                    "starts_on": editing.starts_on,
                    "ends_on": editing.ends_on,
                    "gmv_target": editing.gmv_target,
                    "promotion": editing.promotion_id,
                    "note": editing.note,
                }
            form = ActivityForm(
                initial=initial,
                promotions=promotions,
                platform=editing is not None and editing.kind == ActivityKind.PLATFORM,
            )
        lanes = calendar.year_view(year, found)
        for lane in lanes:
            lane.label = MONTHS_AP[lane.month]  # type: ignore[attr-defined]
        context |= {
            "results": found,
            "lanes": lanes,
            "form": form,
            "may_edit": roles.holds(request.user, services.EDIT_PLANS),
            "has_platform": any(r.is_platform for r in found),
            "day_numbers": range(1, 32),
        }
    return edges.render_page(request, "planning/calendar.html", context, status=status)


@login_required
def calendar_page(request: HttpRequest) -> HttpResponse:
    shops = list(Shop.objects.order_by("code"))
    code = request.GET.get("shop")
    shop = next((s for s in shops if s.code == code), shops[0] if shops else None)
    year = _year(request.GET.get("year"), timezone.localdate().year)
    editing = None
    if shop is not None and request.GET.get("edit", "").isdigit():
        editing = PlanActivity.objects.filter(shop=shop, year=year, pk=int(request.GET["edit"])).first()
    return _page(request, shop, year, editing=editing)


def _shop_year(request: HttpRequest) -> tuple[Shop, int]:
    shop = Shop.objects.filter(code=request.POST.get("shop", "")).first()
    if shop is None:
        raise Http404
    return shop, _year(request.POST.get("year"), timezone.localdate().year)


@login_required
@edges.guarded
@require_POST
def seed_events(request: HttpRequest) -> HttpResponse:
    edges.require(request, services.EDIT_PLANS)
    shop, year = _shop_year(request)
    added = calendar.seed_platform_events(actor=request.user, shop=shop, year=year)
    messages.success(request, _("%(count)s platform events added.") % {"count": len(added)})
    return redirect(_url(shop, year))


@login_required
@edges.guarded
@require_POST
def activity_add(request: HttpRequest) -> HttpResponse:
    edges.require(request, services.EDIT_PLANS)
    shop, year = _shop_year(request)
    form = ActivityForm(request.POST, promotions=calendar.promotions_of(shop, year))
    if form.is_valid():
        try:
            calendar.add_activity(actor=request.user, shop=shop, year=year, **form.changes())
        except PlanError as exc:
            form.add_error(None, _calendar_error(exc))
        else:
            messages.success(request, _("The activity is added."))
            return redirect(_url(shop, year))
    return _page(request, shop, year, status=edges.FORM_ERROR, form=form)


@login_required
@edges.guarded
@require_POST
def activity_save(request: HttpRequest, pk: int) -> HttpResponse:
    edges.require(request, services.EDIT_PLANS)
    activity = get_object_or_404(PlanActivity.objects.select_related("shop"), pk=pk)
    form = ActivityForm(
        request.POST,
        promotions=calendar.promotions_of(activity.shop, activity.year),
        platform=activity.kind == ActivityKind.PLATFORM,
    )
    if form.is_valid():
        changes = form.changes()
        if activity.kind == ActivityKind.OWN and not changes["name"]:
            changes["name"] = activity.name
        try:
            calendar.update_activity(actor=request.user, activity=activity, **changes)
        except PlanError as exc:
            form.add_error(None, _calendar_error(exc))
        else:
            messages.success(request, _("The activity is saved."))
            return redirect(_url(activity.shop, activity.year))
    activity.refresh_from_db()
    return _page(request, activity.shop, activity.year, status=edges.FORM_ERROR, form=form, editing=activity)


@login_required
@edges.guarded
@require_POST
def activity_delete(request: HttpRequest, pk: int) -> HttpResponse:
    edges.require(request, services.EDIT_PLANS)
    activity = get_object_or_404(PlanActivity.objects.select_related("shop"), pk=pk)
    shop, year = activity.shop, activity.year
    calendar.delete_activity(actor=request.user, activity=activity)
    messages.success(request, _("The activity is deleted."))
    return redirect(_url(shop, year))


def _calendar_error(exc: PlanError) -> str:
    known = {
        "An activity needs a name.": _("An activity needs a name."),
        "An activity cannot end before it starts.": _("An activity cannot end before it starts."),
        "An activity lasts a year at most.": _("An activity lasts a year at most."),
        "The activity's days must fall in the calendar's year.": _(
            "The activity's days must fall in the calendar's year."
        ),
        "A target cannot be negative.": _("A target cannot be negative."),
        "That promotion is not the shop's or does not run in this year.": _(
            "That promotion is not the shop's or does not run in this year."
        ),
        "An activity needs its first and last day.": _("An activity needs its first and last day."),
        "A platform event keeps its name; change its dates, target or note.": _(
            "A platform event keeps its name; change its dates, target or note."
        ),
    }
    return known.get(str(exc), str(exc))
