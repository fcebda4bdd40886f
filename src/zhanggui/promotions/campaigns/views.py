"""Campaign pages (官方活动, docs/campaigns.md): the eligibility check of any SKUs against a preset or a spec,
and the stored campaigns: the list per shop, new and edit, archive and restore, and the check of the shop's
SKUs against a campaign's rules ("Stored campaigns").

Every logged-in person reads the campaigns and checks SKUs (a check stores nothing); creating, saving,
archiving and restoring need `manage_promotions`, checked before the form is read so a refused POST is a 403
that changes nothing. A refused spec comes back on the form with what was typed (422).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import datetime
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

from zhanggui.catalog.models import Category, Product, Shop
from zhanggui.core import edges, roles
from zhanggui.core.listing import list_response
from zhanggui.promotions.campaigns import lists, rule_rows, selectors, services
from zhanggui.promotions.campaigns.eligibility import Campaign, Offer, SkuFacts, check_many, parse_campaign
from zhanggui.promotions.campaigns.errors import CampaignCodeTaken, CampaignSpecError, InvalidCampaign
from zhanggui.promotions.campaigns.facts import sku_facts
from zhanggui.promotions.campaigns.forms import (
    CampaignFilterForm,
    CampaignForm,
    CheckForm,
    EligibilityForm,
    OfferLine,
    preset_choices,
)
from zhanggui.promotions.campaigns.lists import PHASE_LABELS, preset_name
from zhanggui.promotions.campaigns.presets import NOTES, preset, preset_ids_for
from zhanggui.promotions.campaigns.table import Row, new_rows, picked_ids, read_rows, windows_of
from zhanggui.promotions.forms import dumps
from zhanggui.promotions.models import OfficialCampaign
from zhanggui.promotions.picking import categories_on_sale, picked_skus, search_skus

SPEC_ERRORS = {CampaignSpecError: "spec", CampaignCodeTaken: "spec"}


def _campaign(pk: int) -> OfficialCampaign:
    return get_object_or_404(OfficialCampaign.objects.select_related("shop", "created_by"), pk=pk)


def _label(rows: Any, now: datetime) -> None:
    """The phase (it depends on the clock) and the preset's name, for display."""
    for c in rows:
        c.phase_now = selectors.phase(c, now)
        c.phase_label = PHASE_LABELS[c.phase_now]
        c.preset_name = preset_name(c)


def _shop_from(request: HttpRequest) -> Shop | None:
    value = request.GET.get("shop", "")
    return Shop.objects.filter(pk=value).first() if value.isdigit() else None


# --------------------------------------------------------------------------------------------------------
# The eligibility check against a preset or a spec
# --------------------------------------------------------------------------------------------------------


def _entries(skus: list[Any], lines: list[OfferLine], campaign: Campaign) -> list[tuple[SkuFacts, Offer]]:
    """Each pasted line's SKU facts (reviews as typed: the desk has none) with its offer, in the order typed."""
    facts = sku_facts(set(skus), windows=campaign.windows())
    return [
        (services.with_overrides(facts[sku.pk], services.SkuOffer(sku, line.offer, line.reviews)), line.offer)
        for sku, line in zip(skus, lines, strict=True)
    ]


# --------------------------------------------------------------------------------------------------------
# The picker both check pages share: search the catalog, add SKUs, a product or a category as rows
# --------------------------------------------------------------------------------------------------------


def _pick_rows(request: HttpRequest, *, shop: Shop | None, windows: Sequence[int]) -> list[Row]:
    """The rows one pick adds (?add=<SKU id>, ?product=<id>, ?pick_category= or ?category=: an id, or "all"),
    leaving out the SKUs already in the table (?sku=…)."""
    query = request.GET
    have = picked_ids(query)
    value = query.get("pick_category") or query.get("category", "")
    category = Category.objects.filter(pk=value).first() if value.isdigit() else None
    product_id = query.get("product", "")
    product = Product.objects.filter(pk=product_id).first() if product_id.isdigit() else None
    added = query.get("add", "")
    if not (category or product or value == "all" or added.isdigit()):
        return []
    skus = picked_skus(
        shop=shop,
        sku_ids=[int(added)] if added.isdigit() else [],
        product=product,
        category=category,
        every=value == "all",
        leave_out=have,
    )
    return new_rows(skus, windows=windows)


def _picker(
    request: HttpRequest, *, shop: Shop | None, windows: Sequence[int], page_url: str, include: str
) -> dict[str, Any]:
    """What the picker shows: the categories to add, and what a search (?q=) found (without htmx too)."""
    q = request.GET.get("q", "").strip() if request.method == "GET" else ""
    return {
        "page_url": page_url,
        "include": include,
        "categories": categories_on_sale(shop=shop),
        "q": q,
        "found": search_skus(q=q, shop=shop) if q else [],
        "windows": windows,
    }


def _picker_part(request: HttpRequest, *, shop: Shop | None, windows: Sequence[int], picker: dict) -> HttpResponse:
    """?part=search: the SKUs found, each with "add" (and "add the product"); ?part=rows: the rows to add."""
    if request.GET.get("part") == "search":
        return render(request, "promotions/_pick_found.html", picker)
    rows = _pick_rows(request, shop=shop, windows=windows)
    if not rows:
        response = render(
            request,
            "promotions/_pick_status.html",
            {"message": _("Nothing to add: those SKUs are in the table already, or none is on sale.")},
        )
        response["HX-Retarget"] = "#pick-status"
        response["HX-Reswap"] = "innerHTML"
        return response
    return render(request, "promotions/_pick_rows.html", {"rows": rows, "windows": windows})


def _windows_asked(data: Any) -> list[int]:
    """The windows of the campaign the standalone page names (a pasted spec, else a preset); 30 days when
    neither reads: the rows show the facts, the check itself re-reads the campaign."""
    campaign = None
    text = str(data.get("campaign", "") or "").strip()
    if text:
        try:
            campaign = parse_campaign(json.loads(text))
        except (ValueError, CampaignSpecError):
            campaign = None
    if campaign is None:
        campaign = preset(str(data.get("preset", "") or ""))
    return windows_of(campaign)


def _shop_asked(data: Any) -> Shop | None:
    value = str(data.get("shop", "") or "")
    return Shop.objects.filter(pk=value).first() if value.isdigit() else None


ROWS_UNREAD = gettext_lazy("Some rows cannot be checked: see the marked rows.")
NOTHING_PICKED = gettext_lazy("Pick SKUs into the table (or paste rows) first.")


@login_required
def eligibility(request: HttpRequest) -> HttpResponse:
    """Check SKUs against a campaign preset or spec; per SKU, each rule passes, fails or is unknown.

    The SKUs come from the table (picked from the catalog, the facts filled in) and from pasted lines."""
    data = request.POST if request.method == "POST" else request.GET
    shop, windows = _shop_asked(data), _windows_asked(data)
    picker = _picker(
        request,
        shop=shop,
        windows=windows,
        page_url=reverse("promotions:eligibility"),
        include="#id_shop, #id_preset, #id_campaign",
    )
    if request.method == "GET" and request.GET.get("part"):
        return _picker_part(request, shop=shop, windows=windows, picker=picker)
    results, status = None, 200
    problems: list[str] = []
    rows: list[Row] = []
    if request.method == "POST":
        form = EligibilityForm(request.POST)
        rows, problems = read_rows(request.POST, shop=None, windows=windows)
        if form.is_valid():
            campaign = form.chosen_campaign()
            skus, pasted_problems = form.skus()
            problems += pasted_problems
            if any(row.errors for row in rows):
                problems.append(str(ROWS_UNREAD))
            if not rows and not skus and not problems:
                problems.append(str(NOTHING_PICKED))
            if not problems:
                entries = _row_entries(rows, campaign) + _entries(skus, form.cleaned_data["lines"], campaign)
                checked = check_many(campaign, entries)
                for row, result in zip(rows, checked, strict=False):
                    row.result = result
                results = {"campaign": campaign, "rows": checked}
        if results is None:
            status = edges.FORM_ERROR
    else:
        offered = preset_ids_for(shop.channel if shop else None)  # the shop's platform's presets only
        form = EligibilityForm(initial={"preset": offered[0] if offered else "", "shop": shop})
        rows = _pick_rows(request, shop=shop, windows=windows)
    context = {
        "form": form,
        "results": results,
        "problems": problems,
        "rows": rows,
        "presets": [(key, name, NOTES[key]) for key, name in preset_choices(shop)],
        **picker,
    }
    return edges.render_page(request, "promotions/eligibility.html", context, status=status)


def _row_entries(rows: list[Row], campaign: Campaign) -> list[tuple[SkuFacts, Offer]]:
    """The table's rows as (facts, offer): the facts the rows show, unless the campaign looks at a window
    they were not gathered for."""
    if not rows:
        return []
    shown = all(campaign.windows() <= set(row.windows) for row in rows)
    facts = {r.sku.pk: r.facts for r in rows} if shown else sku_facts([r.sku for r in rows], windows=campaign.windows())
    entries = []
    for row in rows:
        assert row.offer is not None  # rows with errors stopped the check
        entries.append((services.with_overrides(facts[row.sku.pk], row.offer), row.offer.offer))
    return entries


# --------------------------------------------------------------------------------------------------------
# List
# --------------------------------------------------------------------------------------------------------


@login_required
def campaign_list(request: HttpRequest) -> HttpResponse:
    """A shop's campaigns (or every shop's), upcoming first unless sorted otherwise; the event-start range, page
    size and sort in the URL; ?export=xlsx|csv answers every filtered row."""
    form = CampaignFilterForm(request.GET or None)
    shop, archived = form.values()
    listing, export = list_response(request, lists.CAMPAIGNS, lists.campaign_rows(shop=shop, include_archived=archived))
    if export is not None:
        return export
    assert listing.page is not None
    _label(listing.page, timezone.now())
    return edges.render_page(
        request,
        "promotions/campaign_list.html",
        {"form": form, "rows": listing.page, "page": listing.page, "listing": listing, "shop": shop},
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
    request: HttpRequest,
    campaign: OfficialCampaign | None,
    form: CampaignForm,
    rows: list[rule_rows.RuleRow],
    *,
    status: int = 200,
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
        "presets": preset_choices(campaign.shop if campaign else form.chosen_shop()),
        "preset_note": NOTES.get(preset, ""),
        "rows": rows,
        "row_params": [(name, rule_rows.RuleRow.base_fields[name].label) for name in rule_rows.PARAMS],
        "kind_params": {kind: rule_rows.uses(kind) for kind in rule_rows.RULE_KINDS},
        "audit": selectors.campaign_history(campaign) if campaign else [],
    }
    return edges.render_page(request, "promotions/campaign_form.html", context, status=status)


@login_required
@edges.guarded
def campaign_new(request: HttpRequest) -> HttpResponse:
    """GET: the form, the rules of ?preset= filled in; POST: create the campaign."""
    edges.require(request, roles.MANAGE_PROMOTIONS)
    if request.method == "POST":
        rows, rules = _posted_rules(request)
        form = CampaignForm(request.POST, has_rules=rules is not None)
        if form.is_valid() and not _row_errors(rows):
            data = form.cleaned_data
            raw_spec = data["spec"]
            if rules is not None:
                base = services.preset_spec(data["preset"]) if data["preset"] else {}
                raw_spec = _spec_of(base, data["code"].strip(), data["name"], rules)
            campaign = _attempt(
                form,
                lambda: services.create_campaign(
                    actor=request.user,
                    shop=data["shop"],
                    raw_spec=raw_spec,
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
        return _editor(request, None, form, rows, status=edges.FORM_ERROR)
    shop = _shop_from(request)
    preset = request.GET.get("preset", "")
    preset = preset if preset in preset_ids_for(shop.channel if shop else None) else ""
    spec = services.preset_spec(preset) if preset else {}
    initial = {
        "shop": shop,
        "preset": preset,
        "code": spec.get("id", ""),
        "name": spec.get("name", ""),
        "spec": dumps(spec) if preset else "",
    }
    return _editor(request, None, CampaignForm(initial=initial), rule_rows.unbound(spec.get("rules", [])))


@login_required
@edges.guarded
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the campaign in the form (read-only without the right or once archived); POST: save it."""
    campaign = _campaign(pk)
    if request.method == "POST":
        edges.require(request, roles.MANAGE_PROMOTIONS)
        rows, rules = _posted_rules(request)
        form = CampaignForm(request.POST, editing=True, has_rules=rules is not None)
        if form.is_valid() and not _row_errors(rows):
            data = form.cleaned_data
            raw_spec = data["spec"]
            if rules is not None:
                raw_spec = _spec_of(campaign.spec, campaign.code, data["name"] or campaign.name, rules)
            saved = _attempt(
                form,
                lambda: services.update_campaign(
                    actor=request.user,
                    campaign=campaign,
                    raw_spec=raw_spec,
                    apply_by=data["apply_by"],
                    starts_at=data["starts_at"],
                    ends_at=data["ends_at"],
                    note=data["note"],
                ),
            )
            if saved is not None:
                messages.success(request, _("Campaign saved."))
                return redirect("promotions:campaign-detail", pk=pk)
        return _editor(request, _campaign(pk), form, rows, status=edges.FORM_ERROR)
    initial = {
        "name": campaign.name,
        "spec": dumps(campaign.spec),
        "apply_by": campaign.apply_by,
        "starts_at": campaign.starts_at,
        "ends_at": campaign.ends_at,
        "note": campaign.note,
    }
    rows = rule_rows.unbound(campaign.spec.get("rules", []))
    return _editor(request, campaign, CampaignForm(initial=initial, editing=True), rows)


def _posted_rules(request: HttpRequest) -> tuple[list[rule_rows.RuleRow], list[dict[str, Any]] | None]:
    """The rule rows posted and the rules they make (None: no row filled, or a row that does not read)."""
    rows = rule_rows.bound(request.POST)
    if not all([row.is_valid() for row in rows]):  # every row checked, so each shows its own errors
        return rows, [] if any(row.data.get(f"{row.prefix}-kind") for row in rows) else None
    return rows, rule_rows.rules_of(rows)


def _row_errors(rows: list[rule_rows.RuleRow]) -> bool:
    return any(row.errors for row in rows)


def _spec_of(base: dict[str, Any], code: str, name: str, rules: list[dict[str, Any]]) -> dict[str, Any]:
    """The spec the rows make: the code, the name and the rules typed; a preset's or the stored spec's note kept."""
    spec: dict[str, Any] = {"id": code, "name": name, "rules": rules}
    if base.get("note"):
        spec["note"] = base["note"]
    return spec


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
    """GET: the table, with the rows of ?category= (an id, or "all": every SKU on sale) or ?add=<SKU id>;
    `?part=` answers the picker. POST: check the table's rows and the pasted lines, each with its offer."""
    campaign = _campaign(pk)
    windows = windows_of(parse_campaign(campaign.spec))  # a stored spec always parses
    page_url = reverse("promotions:campaign-check", args=[pk])
    picker = _picker(request, shop=campaign.shop, windows=windows, page_url=page_url, include="")
    if request.method == "GET" and request.GET.get("part"):
        return _picker_part(request, shop=campaign.shop, windows=windows, picker=picker)
    _label([campaign], timezone.now())
    results, status = None, 200
    problems: list[str] = []
    rows: list[Row] = []
    if request.method == "POST":
        form = CheckForm(request.POST, shop=campaign.shop)
        rows, problems = read_rows(request.POST, shop=campaign.shop, windows=windows)
        if form.is_valid():
            results = _check(campaign, form, rows, problems)
        if results is None:
            status = edges.FORM_ERROR
    else:
        form = CheckForm(shop=campaign.shop)
        rows = _pick_rows(request, shop=campaign.shop, windows=windows)
    context = {
        "campaign": campaign,
        "form": form,
        "results": results,
        "problems": problems,
        "rows": rows,
        "preset_note": NOTES.get(campaign.preset, ""),
        **picker,
    }
    return edges.render_page(request, "promotions/campaign_check.html", context, status=status)


def _check(
    campaign: OfficialCampaign, form: CheckForm, rows: list[Row], problems: list[str]
) -> services.CampaignCheck | None:
    """The table's rows, then the pasted lines (or, with neither, every SKU on sale at the defaults typed),
    through the service; None with the problems added when something cannot be read."""
    data = form.cleaned_data
    defaults = data.get("rate") is not None or data.get("quantity") or data.get("free_shipping")
    use_form = bool((data.get("lines") or "").strip()) or (not rows and bool(defaults))
    pasted: list[services.SkuOffer] = []
    if use_form:
        pasted, unread = form.offers()
        problems += unread
    if any(row.errors for row in rows):
        problems.append(str(ROWS_UNREAD))
    if not rows and not use_form:
        problems.append(str(NOTHING_PICKED))
    if problems:
        return None
    offers = [row.offer for row in rows if row.offer is not None] + pasted
    try:
        results = services.check_campaign_skus(campaign=campaign, offers=offers)
    except InvalidCampaign as exc:
        problems.append(exc.message)
        return None
    for row, result in zip(rows, results.rows, strict=False):
        row.result = result
    return results
