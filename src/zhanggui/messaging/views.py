"""Buyer-message pages: the outbox, each shop's templates with a live preview, and the opt-outs.

Every role reads them; a change needs `messaging.manage_messages` (客服 and the manager), checked before the
form is read (edges.require) and again by the service. A refusal is a 403 that changed nothing; a rule the
service enforces (an unknown placeholder, a buyer who opted out already) comes back on the form.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhanggui.catalog.models import Shop
from zhanggui.core import edges, roles
from zhanggui.core.listing import batch_message, list_response, run_batch
from zhanggui.messaging import lists, rendering, selectors, services
from zhanggui.messaging.errors import AlreadyOptedOut, UnknownPlaceholder
from zhanggui.messaging.forms import OptOutFilterForm, OptOutForm, OutboxFilterForm, TemplateForm
from zhanggui.messaging.models import BuyerOptOut, MessageKind, MessageTemplate, OutboxMessage
from zhanggui.messaging.senders import sender_path

# --------------------------------------------------------------------------------------------------------
# The outbox
# --------------------------------------------------------------------------------------------------------


@login_required
def outbox(request: HttpRequest) -> HttpResponse:
    """Filters, sort, page size and the created-at range in the URL; ?export=xlsx|csv answers every row."""
    form = OutboxFilterForm(request.GET or None)
    listing, export = list_response(request, lists.OUTBOX, form.messages())
    if export is not None:
        return export
    context = {
        "form": form,
        "page": listing.page,
        "listing": listing,
        "delivers": selectors.sender_delivers(),
        "sender": sender_path(),
    }
    return edges.render_page(request, "messaging/outbox_list.html", context, fragment="messaging/_outbox_results.html")


@login_required
@edges.guarded
@require_POST
def outbox_batch(request: HttpRequest) -> HttpResponse:
    """Try the ticked failed messages again, then back to the outbox as it was (its filters kept)."""
    with edges.message_errors(request):
        action, result = run_batch(request, lists.OUTBOX, OutboxMessage.objects.select_related("order"))
        (messages.warning if result.refused else messages.success)(request, batch_message(action, result))
    return redirect(edges.safe_next(request, reverse("messaging:outbox")))


# --------------------------------------------------------------------------------------------------------
# Templates
# --------------------------------------------------------------------------------------------------------


def _kind(kind: str) -> str:
    if kind not in MessageKind.values:
        raise Http404(_("No such kind of message."))
    return kind


def _preview(shop: Shop, body: str) -> dict[str, Any]:
    """The text as the buyer would read it, written for the shop's last shipped order (or examples)."""
    values, order = selectors.preview_values(shop)
    error = rendering.unknown_placeholder_error(body)
    return {"preview": "" if error else rendering.render(body, values), "preview_error": error, "preview_order": order}


def _card(
    request: HttpRequest, template: MessageTemplate, form: TemplateForm | None = None, **extra: Any
) -> dict[str, Any]:
    form = form or TemplateForm(initial={"body": template.body, "enabled": template.enabled}, prefix=template.kind)
    body = form.data.get(form.add_prefix("body"), template.body) if form.is_bound else template.body
    return {
        "template": template,
        "shop": template.shop,
        "form": form,
        "may_edit": roles.holds(request.user, roles.MANAGE_MESSAGES),
        **_preview(template.shop, body),
        **extra,
    }


def _editor_page(
    request: HttpRequest, shop: Shop | None, *, form: TemplateForm | None = None, status: int = 200
) -> HttpResponse:
    """The shop's cards, one per kind; `form` (its prefix is its kind) replaces that kind's card's form."""
    cards = []
    for template in selectors.templates_for(shop) if shop else []:
        cards.append(_card(request, template, form if form is not None and form.prefix == template.kind else None))
    context = {
        "shops": list(Shop.objects.order_by("code")),
        "shop": shop,
        "cards": cards,
        "placeholders": [(f"{{{name}}}", what) for name, what in rendering.PLACEHOLDERS.items()],
    }
    return render(request, "messaging/template_editor.html", context, status=status)


@login_required
def template_editor(request: HttpRequest) -> HttpResponse:
    """One shop's templates (?shop=<id>; the first shop by default), each with its preview."""
    shops = Shop.objects.order_by("code")
    chosen = request.GET.get("shop", "")
    shop = (shops.filter(pk=int(chosen)).first() if chosen.isdigit() and len(chosen) < 19 else None) or shops.first()
    return _editor_page(request, shop)


@login_required
@edges.guarded
@require_POST
def template_save(request: HttpRequest, shop_id: int, kind: str) -> HttpResponse:
    """Save one template: the card swaps itself (htmx), or back to the page (a plain post)."""
    edges.require(request, roles.MANAGE_MESSAGES)
    shop = get_object_or_404(Shop, pk=shop_id)
    template = selectors.template_for(shop, _kind(kind))
    form = TemplateForm(request.POST, prefix=kind)
    if form.is_valid():
        with edges.form_errors(form, fields={UnknownPlaceholder: "body"}) as outcome:
            template = services.save_template(
                actor=request.user,
                shop=shop,
                kind=kind,
                body=form.cleaned_data["body"],
                enabled=form.cleaned_data["enabled"],
            )
        if outcome.ok:
            if edges.wants_fragment(request):
                return render(request, "messaging/_template_card.html", _card(request, template, saved=True))
            messages.success(request, _("Template saved: %(kind)s.") % {"kind": template.get_kind_display()})
            return redirect(f"{reverse('messaging:templates')}?shop={shop.pk}")
    if edges.wants_fragment(request):
        card = _card(request, template, form)
        return render(request, "messaging/_template_card.html", card, status=edges.FORM_ERROR)
    return _editor_page(request, shop, form=form, status=edges.FORM_ERROR)


@login_required
@require_POST
def template_preview(request: HttpRequest, shop_id: int, kind: str) -> HttpResponse:
    """The preview of the text being typed (nothing is saved): htmx asks for it as the person types."""
    shop = get_object_or_404(Shop, pk=shop_id)
    body = request.POST.get(f"{_kind(kind)}-body", "")
    return render(request, "messaging/_preview.html", {"kind": kind, **_preview(shop, body)})


# --------------------------------------------------------------------------------------------------------
# Opt-outs
# --------------------------------------------------------------------------------------------------------


def _opt_out_page(request: HttpRequest, add_form: OptOutForm | None = None, status: int = 200) -> HttpResponse:
    form = OptOutFilterForm(request.GET or None)
    listing, export = list_response(request, lists.OPT_OUTS, form.opt_outs())
    if export is not None:
        return export
    context = {
        "form": form,
        "add_form": add_form or OptOutForm(),
        "page": listing.page,
        "listing": listing,
        "may_edit": roles.holds(request.user, roles.MANAGE_MESSAGES),
    }
    return edges.render_page(
        request, "messaging/optout_list.html", context, fragment="messaging/_optout_results.html", status=status
    )


@login_required
@edges.guarded
def opt_out_list(request: HttpRequest) -> HttpResponse:
    """The buyers who asked for no messages; a POST adds one (the buyer's queued messages are skipped)."""
    if request.method != "POST":
        return _opt_out_page(request)
    edges.require(request, roles.MANAGE_MESSAGES)
    form = OptOutForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        with edges.form_errors(form, fields={AlreadyOptedOut: "buyer_nick"}) as outcome:
            row = services.opt_out(
                actor=request.user, shop=data["shop"], buyer_nick=data["buyer_nick"], note=data["note"]
            )
        if outcome.ok:
            messages.success(
                request, _("%(buyer)s gets no more messages from %(shop)s.") % {"buyer": row, "shop": row.shop.name}
            )
            return redirect("messaging:opt-outs")
    return _opt_out_page(request, form, status=edges.FORM_ERROR)


@login_required
@edges.guarded
@require_POST
def opt_out_remove(request: HttpRequest, pk: int) -> HttpResponse:
    edges.require(request, roles.MANAGE_MESSAGES)
    row = get_object_or_404(BuyerOptOut.objects.select_related("shop"), pk=pk)
    services.opt_in(actor=request.user, opt_out=row)
    messages.success(
        request, _("%(buyer)s may get messages from %(shop)s again.") % {"buyer": row, "shop": row.shop.name}
    )
    return redirect(edges.safe_next(request, reverse("messaging:opt-outs")))
