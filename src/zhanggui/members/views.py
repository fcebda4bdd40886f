"""Members' pages for the shop staff: the list, a member's page (orders, points ledger, tier history, consent,
merge), segments with a live count and XLSX export, the cohort table and the tier rules. Every role reads;
changes need members.manage_members (店长, 客服) or members.manage_loyalty (店长, 运营), checked before the
form is read (edges.require) and again by the service."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhanggui.core import edges, roles
from zhanggui.core.errors import DomainError
from zhanggui.members import cohorts, crypto, segments, selectors, services
from zhanggui.members.forms import ConsentForm, MemberFilterForm, MergeForm, PointsForm, SegmentForm, TierForm
from zhanggui.members.models import Member, MemberMerge, MemberTier, Segment

PAGE_SIZE = 50


@login_required
def member_list(request: HttpRequest) -> HttpResponse:
    form = MemberFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    rows = selectors.members(q=data.get("q", ""), tier=data.get("tier", ""), outlook=data.get("outlook", ""))
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    for member in page:
        member.masked = crypto.masked_phone(member.phone_cipher)
    context = {"form": form, "page": page, "may_sync": roles.holds(request.user, roles.MANAGE_LOYALTY)}
    return edges.render_page(request, "members/member_list.html", context, fragment="members/_member_rows.html")


@login_required
@edges.guarded
@require_POST
def sync(request: HttpRequest) -> HttpResponse:
    """Bring every member up to date with the orders now (what the worker does after imports and nightly)."""
    edges.require(request, roles.MANAGE_LOYALTY)
    result = services.sync_members()
    messages.success(request, _("%(n)s members brought up to date.") % {"n": result["members"]})
    return redirect("members:list")


def _member_page(request: HttpRequest, member: Member, status: int = 200, **forms_: Any) -> HttpResponse:
    root_id = selectors.roots_of([member.pk])[member.pk]
    group = selectors.group_of(root_id)
    context = {
        "member": member,
        "root": Member.objects.get(pk=root_id) if root_id != member.pk else None,
        "absorbed": Member.objects.filter(merged_into=member),
        "identities": member.identities.select_related("shop").all(),
        "group_identities": selectors.MemberIdentity.objects.filter(member_id__in=group).exclude(member=member),
        "masked": crypto.masked_phone(member.phone_cipher),
        "person_points": services.person_points(member),
        "orders": selectors.person_orders_rows(member)[:50],
        "moves": member.points_moves.select_related("actor").order_by("-at", "-id")[:200],
        "tier_changes": member.tier_changes.select_related("from_tier", "to_tier")[:100],
        "consents": [
            (label, selectors.consent_state(member)[code]) for code, label in ConsentForm().fields["channel"].choices
        ],
        "merges": MemberMerge.objects.filter(survivor=member) | MemberMerge.objects.filter(absorbed=member),
        "duplicates": selectors.duplicates_of(member),
        "consent_form": forms_.get("consent_form") or ConsentForm(),
        "merge_form": forms_.get("merge_form") or MergeForm(),
        "points_form": forms_.get("points_form") or PointsForm(),
        "may_members": roles.holds(request.user, roles.MANAGE_MEMBERS),
        "may_loyalty": roles.holds(request.user, roles.MANAGE_LOYALTY),
    }
    return render(request, "members/member_detail.html", context, status=status)


@login_required
def member_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _member_page(request, get_object_or_404(Member, pk=pk))


@login_required
@edges.guarded
@require_POST
def member_consent(request: HttpRequest, pk: int) -> HttpResponse:
    edges.require(request, roles.MANAGE_MEMBERS)
    member = get_object_or_404(Member, pk=pk)
    form = ConsentForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        with edges.form_errors(form) as outcome:
            services.record_consent(
                actor=request.user, member=member, channel=data["channel"], granted=data["granted"], note=data["note"]
            )
        if outcome.ok:
            messages.success(request, _("Consent recorded."))
            return redirect("members:detail", pk=pk)
    return _member_page(request, member, status=edges.FORM_ERROR, consent_form=form)


@login_required
@edges.guarded
@require_POST
def member_merge(request: HttpRequest, pk: int) -> HttpResponse:
    edges.require(request, roles.MANAGE_MEMBERS)
    member = get_object_or_404(Member, pk=pk)
    form = MergeForm(request.POST)
    if form.is_valid():
        other = Member.objects.filter(pk=form.cleaned_data["other"]).first()
        if other is None:
            form.add_error("other", _("No member with this number."))
        else:
            with edges.form_errors(form, fields={DomainError: "other"}) as outcome:
                services.merge(actor=request.user, survivor=member, absorbed=other, reason=form.cleaned_data["reason"])
            if outcome.ok:
                messages.success(request, _("Member #%(n)s merged into this one.") % {"n": other.pk})
                return redirect("members:detail", pk=pk)
    return _member_page(request, member, status=edges.FORM_ERROR, merge_form=form)


@login_required
@edges.guarded
@require_POST
def member_unmerge(request: HttpRequest, pk: int) -> HttpResponse:
    edges.require(request, roles.MANAGE_MEMBERS)
    member = get_object_or_404(Member, pk=pk)
    with edges.message_errors(request) as outcome:
        services.unmerge(actor=request.user, member=member)
    if outcome.ok:
        messages.success(request, _("The merge is undone: this member is on their own again."))
    return redirect("members:detail", pk=pk)


@login_required
@edges.guarded
@require_POST
def member_points(request: HttpRequest, pk: int) -> HttpResponse:
    edges.require(request, roles.MANAGE_LOYALTY)
    member = get_object_or_404(Member, pk=pk)
    form = PointsForm(request.POST)
    if form.is_valid():
        with edges.form_errors(form, fields={DomainError: "points"}) as outcome:
            services.adjust_points(
                actor=request.user,
                member=member,
                points_change=form.cleaned_data["points"],
                note=form.cleaned_data["note"],
                key=f"adjust:{member.pk}:{request.POST.get('once', '')}" if request.POST.get("once") else "",
            )
        if outcome.ok:
            messages.success(request, _("Points adjusted."))
            return redirect("members:detail", pk=pk)
    return _member_page(request, member, status=edges.FORM_ERROR, points_form=form)


# --------------------------------------------------------------------------------------------------------
# Segments, cohorts, tiers
# --------------------------------------------------------------------------------------------------------


def _segments_page(request: HttpRequest, form: SegmentForm, status: int = 200) -> HttpResponse:
    filters = form.filters()
    now = timezone.now()
    scores = segments.scored(now)
    matched = filters.mask(scores).nonzero()[0]
    if request.GET.get("export") == "xlsx":
        rows = segments.with_members(scores.rows(matched))
        response = HttpResponse(
            segments.xlsx(rows), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        response["Content-Disposition"] = 'attachment; filename="members-segment.xlsx"'
        return response
    saved = [
        (s, int(segments.SegmentFilters.from_dict(s.filters).mask(scores).sum()))
        for s in Segment.objects.order_by("name")
    ]
    context = {
        "form": form,
        "count": len(matched),
        "rows": segments.with_members(scores.rows(matched[:100])),
        "saved": saved,
        "query": _query(filters),
        "filter_pairs": _pairs(filters),
        "may_save": roles.holds(request.user, roles.MANAGE_LOYALTY),
    }
    return edges.render_page(
        request, "members/segments.html", context, fragment="members/_segment_result.html", status=status
    )


def _pairs(filters: segments.SegmentFilters) -> list[tuple[str, Any]]:
    """The filters as form fields (name, value), the defaults left out: the save form's hidden inputs."""
    default = segments.SegmentFilters().as_dict()
    pairs: list[tuple[str, Any]] = []
    for key, value in filters.as_dict().items():
        if key == "tiers":
            pairs += [("tiers", code) for code in value]
        elif value != default[key]:
            pairs.append((key, "on" if value is True else value))
    return pairs


def _query(filters: segments.SegmentFilters) -> str:
    from urllib.parse import urlencode

    return urlencode(_pairs(filters))


@login_required
@edges.guarded
def segment_builder(request: HttpRequest) -> HttpResponse:
    """GET: the segment the fields describe, counted live (htmx swaps the count and the first rows); POST with a
    name saves it."""
    if request.method != "POST":
        return _segments_page(request, SegmentForm(request.GET or None))
    edges.require(request, roles.MANAGE_LOYALTY)
    form = SegmentForm(request.POST)
    if form.is_valid() and not form.cleaned_data["name"].strip():
        form.add_error("name", _("Give the segment a name."))
    if form.is_valid():
        with edges.form_errors(form, fields={DomainError: "name"}) as outcome:
            services.save_segment(
                actor=request.user, name=form.cleaned_data["name"].strip(), filters=form.filters().as_dict()
            )
        if outcome.ok:
            messages.success(request, _("Segment saved."))
            return redirect("members:segments")
    return _segments_page(request, form, status=edges.FORM_ERROR)


@login_required
@edges.guarded
@require_POST
def segment_delete(request: HttpRequest, pk: int) -> HttpResponse:
    edges.require(request, roles.MANAGE_LOYALTY)
    services.delete_segment(actor=request.user, segment=get_object_or_404(Segment, pk=pk))
    messages.success(request, _("Segment deleted."))
    return redirect("members:segments")


@login_required
def segment_open(request: HttpRequest, pk: int) -> HttpResponse:
    """A saved segment's filters in the builder (its live count, its export)."""
    segment = get_object_or_404(Segment, pk=pk)
    return redirect(f"{reverse('members:segments')}?{_query(segments.SegmentFilters.from_dict(segment.filters))}")


@login_required
def cohort_table(request: HttpRequest) -> HttpResponse:
    table, total = cohorts.cohort_table()
    return render(request, "members/cohorts.html", {"table": table, "total": total, "windows": cohorts.WINDOWS})


@login_required
@edges.guarded
def tiers(request: HttpRequest) -> HttpResponse:
    """The tier rules; a POST adds or changes one (by code) and every member's tier is evaluated again."""
    form = TierForm(request.POST or None)
    if request.method == "POST":
        edges.require(request, roles.MANAGE_LOYALTY)
        if form.is_valid():
            data = form.cleaned_data
            with edges.form_errors(form) as outcome:
                services.save_tier(actor=request.user, **data)
            if outcome.ok:
                messages.success(request, _("Tier saved; every member's tier was evaluated again."))
                return redirect("members:tiers")
    context = {
        "form": form,
        "tiers": MemberTier.objects.order_by("-rank"),
        "may_edit": roles.holds(request.user, roles.MANAGE_LOYALTY),
    }
    return render(request, "members/tiers.html", context, status=edges.FORM_ERROR if form.errors else 200)
