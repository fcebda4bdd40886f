"""Campaign pages (官方活动, docs/campaigns.md): the eligibility check of any SKUs against a preset or a spec,
and the stored campaigns: the list per shop, new and edit, archive and restore, and the check of the shop's
SKUs against a campaign's rules ("Stored campaigns").

Every logged-in person reads the campaigns and checks SKUs (a check stores nothing); creating, saving,
archiving and restoring need `manage_promotions`, checked before the form is read so a refused POST is a 403
that changes nothing. A refused spec comes back on the form with what was typed (422).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from zhanggui.catalog.models import Shop
from zhanggui.core import edges, roles
from zhanggui.promotions.campaigns import selectors, services
from zhanggui.promotions.campaigns.eligibility import Campaign, Offer, SkuFacts, check_many
from zhanggui.promotions.campaigns.errors import CampaignCodeTaken, CampaignSpecError, InvalidCampaign
from zhanggui.promotions.campaigns.facts import sku_facts
from zhanggui.promotions.campaigns.forms import (
    CampaignFilterForm,
    CampaignForm,
    CheckForm,
    EligibilityForm,
    OfferLine,
)
from zhanggui.promotions.campaigns.presets import NOTES, PRESETS
from zhanggui.promotions.forms import dumps
from zhanggui.promotions.models import OfficialCampaign

PHASE_LABELS = {
    selectors.OPEN: gettext_lazy("Registration open"),
    selectors.CLOSED: gettext_lazy("Registration closed"),
    selectors.RUNNING: gettext_lazy("Running"),
    selectors.ENDED: gettext_lazy("Ended"),
    selectors.UNDATED: gettext_lazy("No dates yet"),
}
SPEC_ERRORS = {CampaignSpecError: "spec", CampaignCodeTaken: "spec"}


def _campaign(pk: int) -> OfficialCampaign:
    return get_object_or_404(OfficialCampaign.objects.select_related("shop", "created_by"), pk=pk)


def _label(rows: Any, now: datetime) -> None:
    """The phase (it depends on the clock) and the preset's name, for display."""
    for c in rows:
        c.phase_now = selectors.phase(c, now)
        c.phase_label = PHASE_LABELS[c.phase_now]
        c.preset_name = PRESETS[c.preset]["name"] if c.preset in PRESETS else ""


def _shop_from(request: HttpRequest) -> Shop | None:
    value = request.GET.get("shop", "")
    return Shop.objects.filter(pk=value).first() if value.isdigit() else None


# --------------------------------------------------------------------------------------------------------
# The eligibility check against a preset or a spec
# --------------------------------------------------------------------------------------------------------


def _entries(skus: list[Any], lines: list[OfferLine], campaign: Campaign) -> list[tuple[SkuFacts, Offer]]:
    """Each line's SKU facts (reviews as typed: the desk has none) with its offer, in the order typed."""
    facts = sku_facts(set(skus), windows=campaign.windows())
    return [
        (replace(facts[sku.pk], reviews=line.reviews) if line.reviews is not None else facts[sku.pk], line.offer)
        for sku, line in zip(skus, lines, strict=True)
    ]


@login_required
def eligibility(request: HttpRequest) -> HttpResponse:
    """Check SKUs against a campaign preset or spec; per SKU, each rule passes, fails or is unknown."""
    results, problems, status = None, [], 200
    if request.method == "POST":
        form = EligibilityForm(request.POST)
        if form.is_valid():
            campaign = form.chosen_campaign()
            skus, problems = form.skus()
            if not problems:
                entries = _entries(skus, form.cleaned_data["lines"], campaign)
                results = {"campaign": campaign, "rows": check_many(campaign, entries)}
        if results is None:
            status = edges.FORM_ERROR
    else:
        form = EligibilityForm(initial={"preset": "tiantiantejia"})
    context = {
        "form": form,
        "results": results,
        "problems": problems,
        "presets": [(key, raw["name"], NOTES[key]) for key, raw in PRESETS.items()],
    }
    return edges.render_page(request, "promotions/eligibility.html", context, status=status)


# --------------------------------------------------------------------------------------------------------
# List
# --------------------------------------------------------------------------------------------------------


@login_required
def campaign_list(request: HttpRequest) -> HttpResponse:
    form = CampaignFilterForm(request.GET or None)
    shop, archived = form.values()
    rows = selectors.shop_campaigns(shop=shop, include_archived=archived)
    _label(rows, timezone.now())
    return edges.render_page(
        request,
        "promotions/campaign_list.html",
        {"form": form, "rows": rows, "shop": shop},
        fragment="promotions/_campaign_list_results.html",
    )


# --------------------------------------------------------------------------------------------------------
# New and edit
# --------------------------------------------------------------------------------------------------------


def _attempt(form: CampaignForm, call: Callable[[], OfficialCampaign]) -> OfficialCampaign | None:
    """Run one service call; a refusal becomes an error on the field it names, the typed text stays."""
    with edges.form_errors(form, fields=SPEC_ERRORS):
        try:
            return call()
        except InvalidCampaign as exc:
            name = str(exc.details.get("field", ""))
            form.add_error(name if name in form.fields else None, exc.message)
    return None


def _editor(
    request: HttpRequest, campaign: OfficialCampaign | None, form: CampaignForm, *, status: int = 200
) -> HttpResponse:
    can_manage = request.user.has_perm(roles.MANAGE_PROMOTIONS)
    if campaign is not None:
        _label([campaign], timezone.now())
    preset = campaign.preset if campaign else str(form["preset"].value() or "")
    context = {
        "campaign": campaign,
        "form": form,
        "can_edit": can_manage and not (campaign and campaign.is_archived),
        "can_manage": can_manage,
        "presets": [(key, raw["name"]) for key, raw in PRESETS.items()],
        "preset_note": NOTES.get(preset, ""),
        "audit": selectors.campaign_history(campaign) if campaign else [],
    }
    return edges.render_page(request, "promotions/campaign_form.html", context, status=status)


@login_required
@edges.guarded
def campaign_new(request: HttpRequest) -> HttpResponse:
    """GET: the form, the rules of ?preset= filled in; POST: create the campaign."""
    edges.require(request, roles.MANAGE_PROMOTIONS)
    if request.method == "POST":
        form = CampaignForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            campaign = _attempt(
                form,
                lambda: services.create_campaign(
                    actor=request.user,
                    shop=data["shop"],
                    raw_spec=data["spec"],
                    preset=data["preset"],
                    apply_by=data["apply_by"],
                    starts_at=data["starts_at"],
                    ends_at=data["ends_at"],
                    note=data["note"],
                ),
            )
            if campaign is not None:
                messages.success(request, _("Campaign saved. Check your SKUs against it."))
                return redirect("promotions:campaign-detail", pk=campaign.pk)
        return _editor(request, None, form, status=edges.FORM_ERROR)
    preset = request.GET.get("preset", "")
    preset = preset if preset in PRESETS else ""
    initial = {
        "shop": _shop_from(request),
        "preset": preset,
        "spec": dumps(services.preset_spec(preset)) if preset else "",
    }
    return _editor(request, None, CampaignForm(initial=initial))


@login_required
@edges.guarded
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the campaign in the form (read-only without the right or once archived); POST: save it."""
    campaign = _campaign(pk)
    if request.method == "POST":
        edges.require(request, roles.MANAGE_PROMOTIONS)
        form = CampaignForm(request.POST, editing=True)
        if form.is_valid():
            data = form.cleaned_data
            saved = _attempt(
                form,
                lambda: services.update_campaign(
                    actor=request.user,
                    campaign=campaign,
                    raw_spec=data["spec"],
                    apply_by=data["apply_by"],
                    starts_at=data["starts_at"],
                    ends_at=data["ends_at"],
                    note=data["note"],
                ),
            )
            if saved is not None:
                messages.success(request, _("Campaign saved."))
                return redirect("promotions:campaign-detail", pk=pk)
        return _editor(request, _campaign(pk), form, status=edges.FORM_ERROR)
    initial = {
        "spec": dumps(campaign.spec),
        "apply_by": campaign.apply_by,
        "starts_at": campaign.starts_at,
        "ends_at": campaign.ends_at,
        "note": campaign.note,
    }
    return _editor(request, campaign, CampaignForm(initial=initial, editing=True))


def _archiving(request: HttpRequest, pk: int, change: Any, done: str) -> HttpResponse:
    edges.require(request, roles.MANAGE_PROMOTIONS)
    campaign = _campaign(pk)
    with edges.message_errors(request) as outcome:
        change(actor=request.user, campaign=campaign, note=request.POST.get("note", "")[:255])
    if outcome.ok:
        messages.success(request, done)
    return redirect("promotions:campaign-detail", pk=pk)


@login_required
@edges.guarded
@require_POST
def campaign_archive(request: HttpRequest, pk: int) -> HttpResponse:
    return _archiving(request, pk, services.archive_campaign, _("Campaign archived: its rules are kept as they are."))


@login_required
@edges.guarded
@require_POST
def campaign_restore(request: HttpRequest, pk: int) -> HttpResponse:
    return _archiving(request, pk, services.restore_campaign, _("Campaign restored."))


# --------------------------------------------------------------------------------------------------------
# Check
# --------------------------------------------------------------------------------------------------------


@login_required
def campaign_check(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the lines filled with the shop's listed SKUs (of ?category=); POST: check them, each with its offer."""
    campaign = _campaign(pk)
    _label([campaign], timezone.now())
    results, problems, status = None, [], 200
    if request.method == "POST":
        form = CheckForm(request.POST, shop=campaign.shop)
        if form.is_valid():
            offers, problems = form.offers()
            if not problems:
                try:
                    results = services.check_campaign_skus(campaign=campaign, offers=offers)
                except InvalidCampaign as exc:
                    problems.append(exc.message)
        if results is None:
            status = edges.FORM_ERROR
    else:
        chosen = CheckForm(request.GET or None, shop=campaign.shop)
        category = chosen.cleaned_data.get("category") if chosen.is_bound and chosen.is_valid() else None
        codes = selectors.listed_skus(shop=campaign.shop, category=category).values_list("code", flat=True)
        form = CheckForm(initial={"category": category, "lines": "\n".join(codes)}, shop=campaign.shop)
    context = {
        "campaign": campaign,
        "form": form,
        "results": results,
        "problems": problems,
        "preset_note": NOTES.get(campaign.preset, ""),
    }
    return edges.render_page(request, "promotions/campaign_check.html", context, status=status)
