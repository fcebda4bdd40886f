"""Order pages: the queue, one order with its steps, the import page, the SLA board and the desk card.

Every role reads; each step checks its right first (edges.require), calls one service (orders.services, which
checks again) and shows the result. A refused step answers 403 and changes nothing; a rule the service enforces
comes back as an error on the page, with what was typed kept.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhanggui.channels import orders as channel_orders
from zhanggui.core import edges, roles
from zhanggui.core.listing import batch_message, list_response, run_batch
from zhanggui.orders import imports, lists, pages, parcels, selectors, services
from zhanggui.orders.errors import OrderRuleBroken
from zhanggui.orders.forms import ImportForm, OrderFilterForm, ReasonForm, ShipForm
from zhanggui.orders.models import Order, OrderStatus

# --------------------------------------------------------------------------------------------------------
# The queue
# --------------------------------------------------------------------------------------------------------


@login_required
def order_list(request: HttpRequest) -> HttpResponse:
    """Filters, sort, page size and the paid-at range in the URL; ?export=xlsx|csv answers every filtered row."""
    now = timezone.now()
    # Opened without filters, the queue shows what is still to ship, most urgent first (the day's work).
    form = OrderFilterForm(request.GET or {"status": pages.STATUS_OPEN})
    listing, export = list_response(request, lists.ORDERS, form.orders(now))
    if export is not None:
        return export
    for order in listing.page:
        order.promise = pages.promise(order, now)
    return edges.render_page(
        request,
        "orders/order_list.html",
        {"form": form, "page": listing.page, "listing": listing},
        fragment="orders/_order_results.html",
    )


@login_required
@edges.guarded
@require_POST
def order_batch(request: HttpRequest) -> HttpResponse:
    """A batch action on the ticked orders, then back to the queue as it was (its filters kept)."""
    with edges.message_errors(request):
        action, result = run_batch(request, lists.ORDERS, Order.objects.select_related("shop"))
        (messages.warning if result.refused or result.notes else messages.success)(
            request, batch_message(action, result)
        )
    return redirect(edges.safe_next(request, reverse("orders:order-list")))


# --------------------------------------------------------------------------------------------------------
# One order
# --------------------------------------------------------------------------------------------------------


def _order(pk: int) -> Order:
    try:
        return selectors.order_detail(pk)
    except Order.DoesNotExist:
        return get_object_or_404(Order, pk=pk)  # raises 404


def _order_page(request: HttpRequest, order: Order, *, status: int = 200, **forms: Any) -> HttpResponse:
    context = {
        "order": order,
        "phone": selectors.phone_for(order, request.user),
        "promise": pages.promise(order, timezone.now()),
        "lines": pages.page_lines(order),
        "totals": pages.line_totals(order),
        "events": list(order.events.all()),
        "actions": pages.actions_for(order, request.user),
        "parcel": pages.parcel_for(order, request.user),
        "hold_form": forms.get("hold_form") or ReasonForm(prefix="hold"),
        "cancel_form": forms.get("cancel_form") or ReasonForm(prefix="cancel"),
        "ship_form": forms.get("ship_form") or ShipForm(prefix="ship"),
        "open_form": forms.get("open_form", ""),
    }
    return edges.render_page(request, "orders/order_detail.html", context, status=status)


@login_required
def order_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _order_page(request, _order(pk))


def _done(request: HttpRequest, order: Order, text: str) -> HttpResponse:
    if order.status == OrderStatus.ON_HOLD:
        messages.warning(request, _("Order %(no)s is on hold: %(reason)s") % {"no": order, "reason": order.hold_reason})
    else:
        messages.success(request, text % {"no": order.platform_order_no, "status": order.get_status_display()})
    return redirect("orders:order-detail", pk=order.pk)


def _button_step(request: HttpRequest, pk: int, capability: str, step: Any, text: str) -> HttpResponse:
    """A step without input (review, allocate, release): a refusal becomes a message on the order page."""
    edges.require(request, capability)
    order = _order(pk)
    with edges.message_errors(request) as outcome:
        order = step(actor=request.user, order=order)
    if outcome.ok:
        return _done(request, order, text)
    return redirect("orders:order-detail", pk=pk)


@login_required
@edges.guarded
@require_POST
def order_review(request: HttpRequest, pk: int) -> HttpResponse:
    return _button_step(request, pk, roles.REVIEW_ORDERS, services.review, _("Order %(no)s reviewed."))


@login_required
@edges.guarded
@require_POST
def order_allocate(request: HttpRequest, pk: int) -> HttpResponse:
    return _button_step(request, pk, roles.FULFIL_ORDERS, services.allocate, _("Order %(no)s allocated."))


@login_required
@edges.guarded
@require_POST
def order_release(request: HttpRequest, pk: int) -> HttpResponse:
    return _button_step(
        request, pk, roles.REVIEW_ORDERS, services.release_hold, _("Order %(no)s released: %(status)s.")
    )


def _reason_step(request: HttpRequest, pk: int, name: str, step: Any, text: str) -> HttpResponse:
    """Hold or cancel: the reason typed is kept on the page when the service refuses."""
    edges.require(request, roles.REVIEW_ORDERS)
    order = _order(pk)
    form = ReasonForm(request.POST, prefix=name)
    if form.is_valid():
        with edges.form_errors(form) as outcome:
            order = step(actor=request.user, order=order, reason=form.cleaned_data["reason"])
        if outcome.ok:
            return _done(request, order, text)
    return _order_page(request, _order(pk), status=edges.FORM_ERROR, open_form=name, **{f"{name}_form": form})


@login_required
@edges.guarded
@require_POST
def order_merge(request: HttpRequest, pk: int) -> HttpResponse:
    """合单 from the order page: this order and the ticked orders of the same buyer into one parcel."""
    edges.require(request, roles.REVIEW_ORDERS)
    order = _order(pk)
    ids = [int(v) for v in request.POST.getlist("with") if v.isdigit()]
    others = list(Order.objects.filter(pk__in=ids).exclude(pk=order.pk))
    with edges.message_errors(request) as outcome:
        if not others:
            raise OrderRuleBroken(_("Tick the orders to merge with this one."))
        main = parcels.merge_orders(actor=request.user, orders=[order, *others])
    if outcome.ok:
        messages.success(
            request,
            _("Orders %(orders)s ship in one parcel under order %(no)s.")
            % {"orders": ", ".join(o.platform_order_no for o in [order, *others]), "no": main.platform_order_no},
        )
        return redirect("orders:order-detail", pk=main.pk)
    return redirect("orders:order-detail", pk=pk)


@login_required
@edges.guarded
@require_POST
def order_split(request: HttpRequest, pk: int) -> HttpResponse:
    """拆单 from the order page: the ticked lines ship later, as a part of the order."""
    edges.require(request, roles.REVIEW_ORDERS)
    order = _order(pk)
    ids = [int(v) for v in request.POST.getlist("line") if v.isdigit()]
    with edges.message_errors(request) as outcome:
        part = parcels.split_order(actor=request.user, order=order, line_ids=ids)
    if outcome.ok:
        messages.success(
            request,
            _("The ticked lines ship later as %(part)s; order %(no)s ships the rest.")
            % {"part": part.platform_order_no, "no": order.platform_order_no},
        )
    return redirect("orders:order-detail", pk=pk)


@login_required
@edges.guarded
@require_POST
def order_join(request: HttpRequest, pk: int) -> HttpResponse:
    edges.require(request, roles.REVIEW_ORDERS)
    part = _order(pk)
    with edges.message_errors(request) as outcome:
        order = parcels.join_part(actor=request.user, part=part)
    if outcome.ok:
        return _done(request, order, _("The lines of the part ship with order %(no)s again: %(status)s."))
    return redirect("orders:order-detail", pk=pk)


@login_required
@edges.guarded
@require_POST
def order_unmerge(request: HttpRequest, pk: int) -> HttpResponse:
    return _button_step(
        request, pk, roles.REVIEW_ORDERS, parcels.unmerge, _("Order %(no)s ships on its own again: %(status)s.")
    )


@login_required
@edges.guarded
@require_POST
def order_hold(request: HttpRequest, pk: int) -> HttpResponse:
    return _reason_step(request, pk, "hold", services.hold, _("Order %(no)s held."))


@login_required
@edges.guarded
@require_POST
def order_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    return _reason_step(request, pk, "cancel", services.cancel, _("Order %(no)s cancelled."))


@login_required
@edges.guarded
@require_POST
def order_ship(request: HttpRequest, pk: int) -> HttpResponse:
    edges.require(request, roles.FULFIL_ORDERS)
    order = _order(pk)
    form = ShipForm(request.POST, prefix="ship")
    if form.is_valid():
        with edges.form_errors(form) as outcome:
            order = services.ship(
                actor=request.user,
                order=order,
                carrier=form.cleaned_data["carrier"],
                tracking_no=form.cleaned_data["tracking_no"],
            )
        if outcome.ok:
            return _done(request, order, _("Order %(no)s shipped."))
    return _order_page(request, _order(pk), status=edges.FORM_ERROR, open_form="ship", ship_form=form)


# --------------------------------------------------------------------------------------------------------
# Import
# --------------------------------------------------------------------------------------------------------


@login_required
@edges.guarded
def order_import(request: HttpRequest) -> HttpResponse:
    """Upload a platform's export: the report, or every refused row (file, line, column, reason); the shop and
    platform chosen stay chosen (a browser never keeps a chosen file)."""
    report = None
    status = 200
    if request.method == "POST":
        edges.require(request, roles.IMPORT_ORDERS)
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            with edges.form_errors(form) as outcome:
                result = channel_orders.read_orders(form.files_given(), form.platform_given())
                report = imports.import_orders(
                    actor=request.user,
                    shop=form.cleaned_data["shop"],
                    result=result,
                    dry_run=form.cleaned_data["dry_run"],
                )
            if not outcome.ok or not report.ok:
                status = edges.FORM_ERROR
        else:
            status = edges.FORM_ERROR
    else:
        form = ImportForm(initial={"shop": request.GET.get("shop") or None})
    context = {"form": form, "report": report, "may_import": roles.holds(request.user, roles.IMPORT_ORDERS)}
    return render(request, "orders/order_import.html", context, status=status)


# --------------------------------------------------------------------------------------------------------
# The SLA board and the desk card
# --------------------------------------------------------------------------------------------------------


@login_required
def sla_board(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    context = pages.board(now)
    for order in (*context["overdue"], *context["soon"]):
        order.promise = pages.promise(order, now)
    return render(request, "orders/sla_board.html", {**context, "now": now})


@login_required
def desk_card(request: HttpRequest) -> HttpResponse:
    """The orders card of the desk's home page, loaded by htmx (core imports no domain app)."""
    return render(request, "orders/_desk_card.html", pages.desk_counts(timezone.now()))
