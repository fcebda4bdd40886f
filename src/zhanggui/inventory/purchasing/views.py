"""Purchasing pages: the purchase-order list and its batch, a new order (typed, or prefilled from the alerts:
one SKU's link, or "order all suggested" as one order per supplier), the order's page, the receiving screen
(scan, review, book), returns to the supplier, and the printed order and receiving notes.

Every role reads; receiving and returns need inventory.book_stock, creating, placing and closing orders
inventory.manage_purchasing. A refused POST answers 403 and books nothing; a refusal by the purchase order's
rules (inventory.purchasing.services) comes back on the form with what the person typed.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from zhanggui.catalog.models import Sku
from zhanggui.core import edges, roles
from zhanggui.core.listing import list_response
from zhanggui.core.selectors import audit_for
from zhanggui.inventory import lists
from zhanggui.inventory import selectors as stock_selectors
from zhanggui.inventory.forms import resolve_sku
from zhanggui.inventory.models import PurchaseOrder, PurchaseStatus, StockMove, Supplier
from zhanggui.inventory.pages import list_batch, print_page
from zhanggui.inventory.purchasing import forms as purchase_forms
from zhanggui.inventory.purchasing import selectors, services


@login_required
def purchase_list(request: HttpRequest) -> HttpResponse:
    """Filters, sort, page size and the created date range in the URL; ?export=xlsx|csv answers every row."""
    form = purchase_forms.PurchaseFilterForm(request.GET or None)
    listing, export = list_response(request, lists.PURCHASES, form.orders(lists.purchase_rows()))
    if export is not None:
        return export
    return edges.render_page(
        request,
        "inventory/purchase_list.html",
        {"form": form, "page": listing.page, "listing": listing},
        fragment="inventory/_purchase_results.html",
    )


@login_required
@edges.guarded
@require_POST
def purchase_batch(request: HttpRequest) -> HttpResponse:
    """Close the ticked purchase orders, one by one; those the service refuses are named with its reason."""
    return list_batch(request, lists.PURCHASES, lists.purchase_rows(), "inventory:purchase-list")


# A SKU id or a quantity in a prefill link: plain ASCII digits, short enough for any id column ("²" is a digit
# to str.isdigit but not to int()). A quantity beyond the limits is prefilled as typed; the form refuses it.
_LINK_NUMBER = re.compile(r"[0-9]{1,18}")


def _alert_quantities(request: HttpRequest) -> dict[int, int]:
    """SKU id → units from `?line=<SKU id>:<quantity>` links on the alerts page (in the link's order)."""
    wanted: dict[int, int] = {}
    for raw in request.GET.getlist("line"):
        sku_id, _sep, quantity = raw.partition(":")
        if _LINK_NUMBER.fullmatch(sku_id):
            wanted[int(sku_id)] = (int(quantity) if _LINK_NUMBER.fullmatch(quantity) else 1) or 1
    return wanted


def _line_code(sku: Sku, shared: set[str]) -> str:
    """How a line names its SKU: the code, or shop code/SKU code when several shops use the code."""
    return f"{sku.shop.code}/{sku.code}" if sku.code in shared else sku.code


def _sku_label(sku: Sku) -> str:
    return f"{sku.product.title} {sku.spec}".strip()


def _alert_lines(wanted: dict[int, int]) -> list[dict[str, Any]]:
    """Rows prefilled from the alerts page's links."""
    skus = Sku.objects.select_related("shop").in_bulk(list(wanted))
    shared = selectors.codes_in_several_shops(s.code for s in skus.values())
    return [
        {"sku": _line_code(skus[pk], shared), "quantity": wanted[pk], "unit_cost": skus[pk].cost}
        for pk in wanted
        if pk in skus
    ]


def _typed_label(form: forms.Form) -> str:
    """The product a purchase line names, shown beside the code (a code alone tells a person little)."""
    data = getattr(form, "cleaned_data", None) or {}
    if isinstance(data.get("sku"), Sku):
        return _sku_label(data["sku"])
    typed = form.data.get(form.add_prefix("sku")) if form.is_bound else form.initial.get("sku")
    if not typed or not str(typed).strip():
        return ""
    try:
        return _sku_label(resolve_sku(str(typed)))
    except forms.ValidationError:
        return ""


def _purchase_form_page(request: HttpRequest, form, lines, *, status: int = 200) -> HttpResponse:
    context = {
        "form": form,
        "lines": lines,
        "rows": [(line, _typed_label(line)) for line in lines],
        "has_suppliers": Supplier.objects.exists(),
    }
    return edges.render_page(request, "inventory/purchase_form.html", context, status=status)


def _plan_page(request: HttpRequest, wanted: dict[int, int], form=None, *, status: int = 200) -> HttpResponse:
    """ "Order all suggested": the purchase orders the alerts become, one per supplier and warehouse."""
    plan = selectors.reorder_plan(wanted)
    sku_ids = [line.sku.pk for group in plan for line in group.lines]
    if form is None:
        initial = {purchase_forms.plan_name(pk): wanted[pk] for pk in sku_ids}
        form = purchase_forms.ReorderPlanForm(initial=initial, sku_ids=sku_ids)
    context = {
        "form": form,
        "groups": [
            (group, [(line, form[purchase_forms.plan_name(line.sku.pk)]) for line in group.lines]) for group in plan
        ],
        "order_count": len(plan),
        "needs_supplier": any(group.supplier is None for group in plan),
    }
    return edges.render_page(request, "inventory/purchase_plan.html", context, status=status)


@login_required
@edges.guarded
def purchase_create(request: HttpRequest) -> HttpResponse:
    """A new purchase order: supplier, warehouse and lines typed as SKU code + quantity (+ unit cost).

    From the alerts page: one SKU's link opens this form with its usual supplier and the warehouse where it
    is short; "order all suggested" (several SKUs) shows the plan of one order per supplier instead.
    """
    edges.require(request, roles.MANAGE_PURCHASING)
    if request.method != "POST":
        wanted = _alert_quantities(request)
        if len(wanted) > 1:
            return _plan_page(request, wanted)
        warehouse = selectors.default_warehouse()
        initial: dict[str, Any] = {"warehouse": warehouse.pk if warehouse else None}
        for sku_id in wanted:
            supplier = selectors.usual_suppliers([sku_id]).get(sku_id)
            short = selectors.short_warehouses([sku_id]).get(sku_id)
            initial.update(
                {
                    "supplier": supplier.pk if supplier else None,
                    "warehouse": short.pk if short else initial["warehouse"],
                }
            )
        form = purchase_forms.PurchaseOrderForm(initial=initial)
        return _purchase_form_page(request, form, purchase_forms.purchase_lines_formset(initial=_alert_lines(wanted)))
    form = purchase_forms.PurchaseOrderForm(request.POST)
    lines = purchase_forms.purchase_lines_formset(request.POST)
    header_ok, lines_ok = form.is_valid(), lines.is_valid()  # both, so every error shows at once
    if header_ok and lines_ok:
        data = form.cleaned_data
        with edges.form_errors(form) as outcome:
            po = services.create_purchase_order(
                actor=request.user,
                supplier=data["supplier"],
                warehouse=data["warehouse"],
                lines=lines.lines(),
                expected_on=data["expected_on"],
                note=data["note"],
                place=request.POST.get("draft") is None,
            )
        if outcome.ok:
            messages.success(request, _("Purchase order %(po)s created.") % {"po": po.number})
            return redirect("inventory:purchase-detail", pk=po.pk)
    return _purchase_form_page(request, form, lines, status=edges.FORM_ERROR)


@login_required
@edges.guarded
@require_POST
def purchase_from_alerts(request: HttpRequest) -> HttpResponse:
    """Create the planned orders, one per supplier and warehouse, and say how many were made."""
    edges.require(request, roles.MANAGE_PURCHASING)
    sku_ids = list(dict.fromkeys(int(raw) for raw in request.POST.getlist("sku") if _LINK_NUMBER.fullmatch(raw)))
    form = purchase_forms.ReorderPlanForm(request.POST, sku_ids=sku_ids)
    if form.is_valid():
        with edges.form_errors(form) as outcome:
            orders = services.create_purchase_orders_by_supplier(
                actor=request.user,
                quantities=form.quantities(),
                fallback_supplier=form.cleaned_data["supplier"],
                place=request.POST.get("draft") is None,
                note=form.cleaned_data["note"],
            )
        if outcome.ok:
            messages.success(
                request,
                ngettext(
                    "%(n)s purchase order created: %(numbers)s.",
                    "%(n)s purchase orders created: %(numbers)s.",
                    len(orders),
                )
                % {"n": len(orders), "numbers": ", ".join(po.number for po in orders)},
            )
            return redirect("inventory:purchase-list")
    return _plan_page(request, dict.fromkeys(sku_ids, 0), form, status=edges.FORM_ERROR)


@login_required
def purchase_sku_search(request: HttpRequest) -> HttpResponse:
    """The SKU picker of the purchase-order form: SKUs found by code, barcode or product name (htmx)."""
    found = selectors.search_skus(q=request.GET.get("q", ""))
    shared = selectors.codes_in_several_shops(sku.code for sku in found)
    context = {
        "found": [(sku, _line_code(sku, shared), _sku_label(sku)) for sku in found],
        "q": request.GET.get("q", "").strip(),
    }
    return edges.render_page(request, "inventory/_sku_found.html", context)


def _purchase(pk: int) -> PurchaseOrder:
    return get_object_or_404(PurchaseOrder.objects.select_related("supplier", "warehouse", "created_by"), pk=pk)


def _po_lines(po: PurchaseOrder) -> list:
    return list(po.lines.select_related("sku__product").order_by("sku__code"))


def _is_receivable(po: PurchaseOrder) -> bool:
    return po.status in {PurchaseStatus.ORDERED, PurchaseStatus.PARTIAL}


def _purchase_page(request: HttpRequest, po: PurchaseOrder, *, status: int = 200, **forms: Any) -> HttpResponse:
    lines = _po_lines(po)
    returns = forms.get("returns") or purchase_forms.return_form(lines)
    context = {
        "po": po,
        "lines": lines,
        "return_form": returns,
        "return_rows": [(line, field) for line, field in returns.rows() if line.received_quantity > 0],
        "receivable": _is_receivable(po),
        # Closing stops waiting for what is still open: nothing to offer once every unit came in.
        "closable": _is_receivable(po),
        "receipts": selectors.purchase_receipts(po),
        "totals": {
            "ordered": sum(line.quantity for line in lines),
            "received": sum(line.received_quantity for line in lines),
            "returned": sum(line.returned_quantity for line in lines),
            "open": sum(line.open_quantity for line in lines),
            "value": sum((line.quantity * line.unit_cost for line in lines), start=Decimal("0.00")),
        },
        "moves": StockMove.objects.filter(document=po.number).select_related("sku", "warehouse", "actor"),
        "audit": audit_for(po)[:50],
    }
    return edges.render_page(request, "inventory/purchase_detail.html", context, status=status)


@login_required
def purchase_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _purchase_page(request, _purchase(pk))


def _receiving_page(
    request: HttpRequest,
    po: PurchaseOrder,
    form: purchase_forms.LineQuantitiesForm,
    *,
    status: int = 200,
    scan_error: str = "",
    scanned: int | None = None,
) -> HttpResponse:
    # Put-away: each line shows where its SKU is shelved in the order's warehouse (set on the stock page).
    places = stock_selectors.locations_for(po.warehouse_id, [line.sku_id for line in form.lines])
    context = {
        "po": po,
        "form": form,
        "receive_form": form,
        "rows": [(line, field, places.get(line.sku_id, "")) for line, field in form.rows()],
        "receivable": _is_receivable(po),
        "scan_error": scan_error,
        "scanned": scanned,
    }
    return edges.render_page(request, "inventory/purchase_receive.html", context, status=status)


def _receipt_review(request: HttpRequest, po: PurchaseOrder, form: purchase_forms.LineQuantitiesForm) -> HttpResponse:
    """The confirmation step: what will be booked (SKU, name, quantity, warehouse and the SKU's location there)
    before anything is."""
    quantities = form.quantities()
    places = stock_selectors.locations_for(po.warehouse_id, list(quantities))
    rows = [
        (line, quantities[line.sku_id], places.get(line.sku_id, "")) for line in form.lines if quantities[line.sku_id]
    ]
    context = {
        "po": po,
        "form": form,
        "rows": rows,
        "units": sum(quantity for _line, quantity, _place in rows),
        "hidden": [(form.add_prefix(form.field_name(line)), quantity) for line, quantity, _place in rows],
    }
    return edges.render_page(request, "inventory/purchase_receive_confirm.html", context)


@login_required
@edges.guarded
def purchase_receive(request: HttpRequest, pk: int) -> HttpResponse:
    """The receiving screen: scan or type what arrived, review it, then book it; the rest stays open
    (receive 60 of 100 today, 40 next week). Lines start blank: nothing is booked that nobody counted."""
    edges.require(request, roles.BOOK_STOCK)
    po = _purchase(pk)
    lines = _po_lines(po)
    if request.method != "POST":
        return _receiving_page(request, po, purchase_forms.receive_form(lines))
    action = purchase_forms.receive_action(request.POST)
    form = purchase_forms.receive_form(lines, request.POST)
    if action == "scan":  # Enter in the scan box without JavaScript: the page comes back with one more unit
        code = request.POST.get("scan", "").strip()
        line = selectors.line_for_code(lines, code)
        if line is None:
            error = _("%(code)s is not on this purchase order.") % {"code": code} if code else ""
            return _receiving_page(request, po, form, scan_error=error, status=edges.FORM_ERROR if error else 200)
        data = purchase_forms.receive_data(form, request.POST, add={line.sku_id: 1})
        if int(data[form.field_name(line)]) > line.open_quantity:
            error = _("%(code)s: all %(open)s open units are already counted.") % {
                "code": line.sku.code,
                "open": line.open_quantity,
            }
            return _receiving_page(request, po, form, scan_error=error, status=edges.FORM_ERROR)
        return _receiving_page(request, po, purchase_forms.receive_form(lines, data), scanned=line.sku_id)
    if action == "all":
        return _receiving_page(
            request, po, purchase_forms.receive_form(lines, purchase_forms.receive_data(form, request.POST, fill=True))
        )
    if action == "edit" or not form.is_valid():
        return _receiving_page(request, po, form, status=200 if action == "edit" else edges.FORM_ERROR)
    quantities = {sku_id: quantity for sku_id, quantity in form.quantities().items() if quantity}
    if action == "review":
        with edges.form_errors(form) as outcome:
            services.check_receipt(po=po, quantities=quantities)
        if outcome.ok:
            return _receipt_review(request, po, form)
        return _receiving_page(request, po, form, status=edges.FORM_ERROR)
    with edges.form_errors(form) as outcome:
        moves = services.receive_purchase_order(
            actor=request.user, po=po, quantities=quantities, note=form.cleaned_data["note"]
        )
    if outcome.ok:
        po.refresh_from_db()
        receipt = selectors.purchase_receipts(po)[-1]
        messages.success(
            request,
            _("Received %(units)s units on %(po)s (receiving note %(receipt)s); the order is now: %(status)s.")
            % {
                "units": sum(m.quantity for m in moves),
                "po": po.number,
                "receipt": receipt.number,
                "status": po.get_status_display(),
            },
        )
        return redirect(reverse("inventory:purchase-detail", args=[po.pk]) + "#receipts")
    po.refresh_from_db()
    return _receiving_page(request, po, form, status=edges.FORM_ERROR)


@login_required
@edges.guarded
@require_POST
def purchase_return(request: HttpRequest, pk: int) -> HttpResponse:
    edges.require(request, roles.BOOK_STOCK)
    po = _purchase(pk)
    form = purchase_forms.return_form(po.lines.select_related("sku__product").order_by("sku__code"), request.POST)
    if form.is_valid():
        with edges.form_errors(form) as outcome:
            moves = services.return_to_supplier(
                actor=request.user, po=po, quantities=form.quantities(), note=form.cleaned_data["note"]
            )
        if outcome.ok:
            messages.success(
                request,
                _("Returned %(units)s units to %(supplier)s.")
                % {"units": -sum(m.quantity for m in moves), "supplier": po.supplier},
            )
            return redirect("inventory:purchase-detail", pk=po.pk)
        po.refresh_from_db()
    return _purchase_page(request, po, returns=form, status=edges.FORM_ERROR)


@login_required
def purchase_print(request: HttpRequest, pk: int) -> HttpResponse:
    """The purchase order (采购单) on A4, to send to the supplier or file."""
    po = _purchase(pk)
    lines = _po_lines(po)
    context = {
        "po": po,
        "rows": [(line, line.quantity * line.unit_cost) for line in lines],
        "units": sum(line.quantity for line in lines),
        "value": sum((line.quantity * line.unit_cost for line in lines), start=Decimal("0.00")),
    }
    return print_page(request, "inventory/print_purchase.html", context, sku_ids=[line.sku_id for line in lines])


@login_required
def purchase_receipt_print(request: HttpRequest, pk: int, index: int) -> HttpResponse:
    """The receiving note (入库单) of one delivery of a purchase order."""
    po = _purchase(pk)
    receipts = selectors.purchase_receipts(po)
    if not 1 <= index <= len(receipts):
        raise Http404(f"{po.number}-{index}")
    receipt = receipts[index - 1]
    context = {
        "po": po,
        "receipt": receipt,
        "rows": [(move, move.quantity * (move.unit_cost or 0)) for move in receipt.moves],
    }
    return print_page(request, "inventory/print_receipt.html", context, sku_ids=[m.sku_id for m in receipt.moves])


@login_required
@edges.guarded
@require_POST
def purchase_close(request: HttpRequest, pk: int) -> HttpResponse:
    edges.require(request, roles.MANAGE_PURCHASING)
    po = _purchase(pk)
    with edges.message_errors(request) as outcome:
        services.close_purchase_order(actor=request.user, po=po)
    if outcome.ok:
        messages.success(request, _("Purchase order %(po)s closed.") % {"po": po.number})
    return redirect("inventory:purchase-detail", pk=po.pk)


@login_required
@edges.guarded
@require_POST
def purchase_place(request: HttpRequest, pk: int) -> HttpResponse:
    edges.require(request, roles.MANAGE_PURCHASING)
    po = _purchase(pk)
    with edges.message_errors(request) as outcome:
        services.place_purchase_order(actor=request.user, po=po)
    if outcome.ok:
        messages.success(request, _("Purchase order %(po)s placed with the supplier.") % {"po": po.number})
    return redirect("inventory:purchase-detail", pk=po.pk)
