"""Pages of the campaigns (list, builder with live group counts and a text preview, test send, send, the report
with its per-day table and chart) and the points shop (items; redeem and check in on a member's behalf: the
shop has no buyer-facing site yet). Every role reads; changes need members.manage_loyalty (店长, 运营)."""

from __future__ import annotations

import uuid
from decimal import Decimal

import plotly.graph_objects as go
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhanggui.analytics import charts
from zhanggui.core import edges, roles
from zhanggui.core.errors import DomainError
from zhanggui.members import campaigns, points_shop
from zhanggui.members.forms_campaigns import CampaignForm, ItemForm, OnBehalfForm, TestSendForm, coupons
from zhanggui.members.models import Campaign, CampaignState, Member, PointsShopItem, Segment


@login_required
def campaign_list(request: HttpRequest) -> HttpResponse:
    rows = Campaign.objects.select_related("segment", "promotion")[:200]
    return render(
        request,
        "members/campaigns.html",
        {"campaigns": rows, "may_edit": roles.holds(request.user, roles.MANAGE_LOYALTY)},
    )


def _preview(form: CampaignForm) -> dict:
    """Live counts and the text for the first member of the segment, from the form as it stands."""
    data = form.data
    try:
        share = Decimal(str(data.get("control_percent") or "10")) / 100
        segment = Segment.objects.get(pk=int(data.get("segment") or 0))
    except (ValueError, ArithmeticError, Segment.DoesNotExist):
        return {}
    probe = Campaign(
        segment=segment,
        control_share=share,
        seed=form.instance.seed or 0,
        template=data.get("template", ""),
        kind=data.get("kind", "coupon"),
    )
    promotion = coupons().filter(pk=data.get("promotion") or 0).first()
    probe.promotion = promotion
    people = campaigns.segment_people(probe)
    treatment, control = campaigns.draw(people, share, probe.seed)
    text = ""
    if people and probe.template:
        try:
            campaigns.check_template(probe.template)
            text = campaigns.render(probe, Member.objects.get(pk=people[0]))
        except DomainError as exc:
            text = str(exc)
    return {"people": len(people), "treatment": len(treatment), "control": len(control), "text": text}


@login_required
@edges.guarded
def campaign_builder(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """GET: the fields (htmx asks again on each change for the counts and the preview); POST saves the draft."""
    campaign = get_object_or_404(Campaign, pk=pk) if pk else Campaign()
    if campaign.pk and campaign.state != CampaignState.DRAFT:
        return redirect("members:campaign", campaign.pk)
    if request.method == "POST":
        edges.require(request, roles.MANAGE_LOYALTY)
        form = CampaignForm(request.POST, instance=campaign)
        if form.is_valid():
            draft = form.save(commit=False)
            draft.control_share = form.cleaned_data["control_percent"] / 100
            with edges.form_errors(form, fields={DomainError: "template"}) as outcome:  # type: ignore[arg-type]
                campaigns.save_campaign(actor=request.user, campaign=draft)
            if outcome.ok:
                messages.success(request, _("Campaign saved as a draft."))
                return redirect("members:campaign", draft.pk)
        return render(request, "members/campaign_builder.html", {"form": form, "preview": _preview(form)}, status=400)
    form = CampaignForm(request.GET or None, instance=campaign) if request.GET else CampaignForm(instance=campaign)
    preview = _preview(form) if request.GET else {}
    if request.headers.get("HX-Request"):
        return render(request, "members/_campaign_preview.html", {"preview": preview})
    return render(request, "members/campaign_builder.html", {"form": form, "preview": preview})


def _chart(days: list[campaigns.ReportDay]) -> str:
    fig = go.Figure()
    x = [d.day.isoformat() for d in days]
    fig.add_scatter(
        x=x, y=[float(d.gmv.diff) for d in days], name=_("Incremental GMV per member (¥)"), mode="lines+markers"
    )
    fig.add_scatter(
        x=x + x[::-1],
        y=[float(d.gmv.high or d.gmv.diff) for d in days] + [float(d.gmv.low or d.gmv.diff) for d in days][::-1],
        fill="toself",
        line={"width": 0},
        name=_("interval (95 %)"),
        opacity=0.2,
    )
    fig.update_xaxes(type="category")
    return charts.html(charts._layout(fig), "campaign-chart")


@login_required
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_object_or_404(Campaign.objects.select_related("segment", "promotion"), pk=pk)
    sent = campaign.sent_at is not None
    days = campaigns.report(campaign) if sent else []
    context = {
        "campaign": campaign,
        "sent": sent,
        "counts": campaigns.delivery_counts(campaign) if sent else campaigns.preview_counts(campaign),
        "days": days,
        "chart": _chart(days) if days else "",
        "test_form": TestSendForm(),
        "tests": campaign.test_sends.select_related("member")[:20],
        "rows": campaign.members.select_related("member").order_by("group", "member_id")[:300],
        "may_edit": roles.holds(request.user, roles.MANAGE_LOYALTY),
    }
    return render(request, "members/campaign_detail.html", context)


@login_required
@edges.guarded
@require_POST
def campaign_test(request: HttpRequest, pk: int) -> HttpResponse:
    edges.require(request, roles.MANAGE_LOYALTY)
    campaign = get_object_or_404(Campaign, pk=pk)
    form = TestSendForm(request.POST)
    member = Member.objects.filter(pk=form.data.get("member") or 0).first() if form.is_valid() else None
    if member is None:
        messages.error(request, _("No member with that number."))
    else:
        sent = campaigns.send_test(actor=request.user, campaign=campaign, member=member)
        messages.success(request, _("Test stored for %(name)s: %(text)s") % {"name": member, "text": sent.text})
    return redirect("members:campaign", pk)


@login_required
@edges.guarded
@require_POST
def campaign_send(request: HttpRequest, pk: int) -> HttpResponse:
    edges.require(request, roles.MANAGE_LOYALTY)
    campaign = get_object_or_404(Campaign, pk=pk)
    try:
        result = campaigns.send(actor=request.user, campaign=campaign)
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("Sent: %(t)s in treatment (%(s)s received now), %(c)s held back as control.")
            % {"t": result["treatment"], "s": result["sent"], "c": result["control"]},
        )
    return redirect("members:campaign", pk)


@login_required
@edges.guarded
def points_shop_page(request: HttpRequest) -> HttpResponse:
    """The items; a form to add one, and one to redeem or check in for a member (staff on the buyer's behalf)."""
    item_form, behalf = ItemForm(), OnBehalfForm()
    status = 200
    if request.method == "POST":
        edges.require(request, roles.MANAGE_LOYALTY)
        action = request.POST.get("action")
        if action == "item":
            item_form = ItemForm(request.POST)
            if item_form.is_valid():
                with edges.form_errors(item_form, fields={DomainError: "points"}) as outcome:  # type: ignore[arg-type]
                    points_shop.save_item(actor=request.user, item=item_form.save(commit=False))
                if outcome.ok:
                    messages.success(request, _("Item saved."))
                    return redirect("members:points-shop")
        else:
            behalf = OnBehalfForm(request.POST)
            if behalf.is_valid():
                member = Member.objects.filter(pk=behalf.cleaned_data["member"]).first()
                item = behalf.cleaned_data["item"]
                if member is None:
                    behalf.add_error("member", _("No member with that number."))
                elif action == "checkin":
                    _entry, new = points_shop.check_in(actor=request.user, member=member)
                    messages.success(
                        request,
                        _("Checked in: +%(n)s points.") % {"n": points_shop.CHECKIN_POINTS}
                        if new
                        else _("Already checked in today."),
                    )
                    return redirect("members:points-shop")
                elif item is None:
                    behalf.add_error("item", _("Choose an item."))
                else:
                    with edges.form_errors(behalf, fields={DomainError: "item"}) as outcome:
                        points_shop.redeem(
                            actor=request.user,
                            member=member,
                            item=item,
                            key=request.POST.get("key") or uuid.uuid4().hex,
                        )
                    if outcome.ok:
                        messages.success(
                            request, _("%(item)s redeemed for %(member)s.") % {"item": item, "member": member}
                        )
                        return redirect("members:points-shop")
        status = edges.FORM_ERROR
    context = {
        "items": PointsShopItem.objects.select_related("promotion"),
        "item_form": item_form,
        "behalf": behalf,
        "key": uuid.uuid4().hex,
        "may_edit": roles.holds(request.user, roles.MANAGE_LOYALTY),
    }
    return render(request, "members/points_shop.html", context, status=status)
