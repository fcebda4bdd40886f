"""Warehouse pages: stock list, purchase orders with the receiving screen, stocktakes, safety-stock alerts.

Every role reads; receiving, returns, adjustments and stocktakes need inventory.book_stock, purchase orders
inventory.manage_purchasing. A refused POST answers 403 and books nothing; a refusal by the ledger's rules
comes back on the form with what the person typed.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from zhanggui.catalog.models import Sku
from zhanggui.core import edges, roles
from zhanggui.core.errors import DomainError
from zhanggui.core.listing import ListSpec, batch_message, list_response, run_batch
from zhanggui.core.selectors import audit_for
from zhanggui.inventory import forms as inv_forms
from zhanggui.inventory import imports, lists, selectors, services
from zhanggui.inventory.models import (
    PurchaseOrder,
    PurchaseStatus,
    StockMove,
    Stocktake,
    StocktakeLine,
    StocktakeStatus,
    Supplier,
    Warehouse,
)


def _batch(request: HttpRequest, spec: ListSpec, rows: QuerySet, back: str) -> HttpResponse:
    """A batch action on a list's ticked rows, then back to the list as it was (its filters kept)."""
    with edges.message_errors(request):
        action, result = run_batch(request, spec, rows)
        (messages.warning if result.refused else messages.success)(request, batch_message(action, result))
    return redirect(edges.safe_next(request, reverse(back)))


@login_required
def stock_list(request: HttpRequest) -> HttpResponse:
    """Filters, sort, page size in the URL; totals over every filtered row; ?export=xlsx|csv answers them all."""
    form = inv_forms.StockFilterForm(request.GET or None)
    listing, export = list_response(request, lists.STOCK, form.balances(lists.stock_rows()))
    if export is not None:
        return export
    return edges.render_page(
        request,
        "inventory/stock_list.html",
        {"form": form, "page": listing.page, "listing": listing},
        fragment="inventory/_stock_results.html",
    )


@login_required
@edges.guarded
@require_POST
def stock_batch(request: HttpRequest) -> HttpResponse:
    """Set safety stock or change prices of the ticked SKUs (once per SKU, whichever warehouses are ticked)."""
    return _batch(request, lists.STOCK, lists.stock_rows(), "inventory:stock-list")


@login_required
def document(request: HttpRequest, number: str) -> HttpResponse:
    """The page of the document a ledger move names (a purchase order or a stocktake)."""
    po = PurchaseOrder.objects.filter(number=number).values_list("pk", flat=True).first()
    if po:
        return redirect("inventory:purchase-detail", pk=po)
    take = Stocktake.objects.filter(number=number).values_list("pk", flat=True).first()
    if take:
        return redirect("inventory:stocktake-detail", pk=take)
    raise Http404(number)


# --------------------------------------------------------------------------------------------------------
# Purchasing
# --------------------------------------------------------------------------------------------------------


@login_required
def purchase_list(request: HttpRequest) -> HttpResponse:
    """Filters, sort, page size and the created date range in the URL; ?export=xlsx|csv answers every row."""
    form = inv_forms.PurchaseFilterForm(request.GET or None)
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
    return _batch(request, lists.PURCHASES, lists.purchase_rows(), "inventory:purchase-list")


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
        return _sku_label(inv_forms.resolve_sku(str(typed)))
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
        initial = {inv_forms.plan_name(pk): wanted[pk] for pk in sku_ids}
        form = inv_forms.ReorderPlanForm(initial=initial, sku_ids=sku_ids)
    context = {
        "form": form,
        "groups": [(group, [(line, form[inv_forms.plan_name(line.sku.pk)]) for line in group.lines]) for group in plan],
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
        form = inv_forms.PurchaseOrderForm(initial=initial)
        return _purchase_form_page(request, form, inv_forms.purchase_lines_formset(initial=_alert_lines(wanted)))
    form = inv_forms.PurchaseOrderForm(request.POST)
    lines = inv_forms.purchase_lines_formset(request.POST)
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
    form = inv_forms.ReorderPlanForm(request.POST, sku_ids=sku_ids)
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
    returns = forms.get("returns") or inv_forms.return_form(lines)
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
    form: inv_forms.LineQuantitiesForm,
    *,
    status: int = 200,
    scan_error: str = "",
    scanned: int | None = None,
) -> HttpResponse:
    context = {
        "po": po,
        "form": form,
        "receive_form": form,
        "rows": form.rows(),
        "receivable": _is_receivable(po),
        "scan_error": scan_error,
        "scanned": scanned,
    }
    return edges.render_page(request, "inventory/purchase_receive.html", context, status=status)


def _receipt_review(request: HttpRequest, po: PurchaseOrder, form: inv_forms.LineQuantitiesForm) -> HttpResponse:
    """The confirmation step: what will be booked (SKU, name, quantity, warehouse) before anything is."""
    quantities = form.quantities()
    rows = [(line, quantities[line.sku_id]) for line in form.lines if quantities[line.sku_id]]
    context = {
        "po": po,
        "form": form,
        "rows": rows,
        "units": sum(quantity for _line, quantity in rows),
        "hidden": [(form.add_prefix(form.field_name(line)), quantity) for line, quantity in rows],
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
        return _receiving_page(request, po, inv_forms.receive_form(lines))
    action = inv_forms.receive_action(request.POST)
    form = inv_forms.receive_form(lines, request.POST)
    if action == "scan":  # Enter in the scan box without JavaScript: the page comes back with one more unit
        code = request.POST.get("scan", "").strip()
        line = selectors.line_for_code(lines, code)
        if line is None:
            error = _("%(code)s is not on this purchase order.") % {"code": code} if code else ""
            return _receiving_page(request, po, form, scan_error=error, status=edges.FORM_ERROR if error else 200)
        data = inv_forms.receive_data(form, request.POST, add={line.sku_id: 1})
        if int(data[form.field_name(line)]) > line.open_quantity:
            error = _("%(code)s: all %(open)s open units are already counted.") % {
                "code": line.sku.code,
                "open": line.open_quantity,
            }
            return _receiving_page(request, po, form, scan_error=error, status=edges.FORM_ERROR)
        return _receiving_page(request, po, inv_forms.receive_form(lines, data), scanned=line.sku_id)
    if action == "all":
        return _receiving_page(
            request, po, inv_forms.receive_form(lines, inv_forms.receive_data(form, request.POST, fill=True))
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
    form = inv_forms.return_form(po.lines.select_related("sku__product").order_by("sku__code"), request.POST)
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


def _print_page(request: HttpRequest, template: str, context: dict[str, Any], *, sku_ids) -> HttpResponse:
    """A document on the shared print layout (core/print_base.html, docs/printing.md)."""
    context = {"shop_name": selectors.shop_name_for(sku_ids), "printed_at": timezone.now(), **context}
    return edges.render_page(request, template, context)


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
    return _print_page(request, "inventory/print_purchase.html", context, sku_ids=[line.sku_id for line in lines])


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
    return _print_page(request, "inventory/print_receipt.html", context, sku_ids=[m.sku_id for m in receipt.moves])


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


# --------------------------------------------------------------------------------------------------------
# Stocktake
# --------------------------------------------------------------------------------------------------------


def _stocktake_list_page(request: HttpRequest, form, *, status: int = 200) -> HttpResponse:
    """The list (filters, sort, dates, export from the URL) beside the form of a new count sheet."""
    filters = inv_forms.StocktakeFilterForm(request.GET or None)
    listing, export = list_response(request, lists.STOCKTAKES, filters.stocktakes(lists.stocktake_rows()))
    if export is not None:
        return export
    context = {"form": form, "filter_form": filters, "page": listing.page, "listing": listing}
    return edges.render_page(
        request, "inventory/stocktake_list.html", context, fragment="inventory/_stocktake_results.html", status=status
    )


@login_required
@edges.guarded
def stocktake_list(request: HttpRequest) -> HttpResponse:
    """The count sheets; a POST creates a new one (warehouse, optionally one category)."""
    if request.method != "POST":
        warehouse = Warehouse.objects.filter(is_active=True).values_list("pk", flat=True).first()
        return _stocktake_list_page(request, inv_forms.StocktakeForm(initial={"warehouse": warehouse}))
    edges.require(request, roles.BOOK_STOCK)
    form = inv_forms.StocktakeForm(request.POST)
    if form.is_valid():
        with edges.form_errors(form) as outcome:
            take = services.create_stocktake(actor=request.user, **form.cleaned_data)
        if outcome.ok:
            messages.success(
                request,
                _("Count sheet %(st)s created with %(n)s lines.") % {"st": take.number, "n": take.lines.count()},
            )
            return redirect("inventory:stocktake-detail", pk=take.pk)
    return _stocktake_list_page(request, form, status=edges.FORM_ERROR)


def _stocktake(pk: int) -> Stocktake:
    return get_object_or_404(
        Stocktake.objects.select_related("warehouse", "category", "created_by", "booked_by"), pk=pk
    )


def _sheet_lines(take: Stocktake) -> list[StocktakeLine]:
    return list(take.lines.select_related("sku__product").order_by("sku__code"))


def _sheet_row(line: StocktakeLine, typed=None) -> dict[str, Any]:
    """One line of the count sheet as shown: the value in the input is what the person typed, if anything."""
    name = inv_forms.count_name(line.sku_id)
    shown = "" if line.counted is None else line.counted
    if line.booked_difference is not None:
        difference = line.booked_difference
    else:
        difference = None if line.counted is None else line.counted - line.expected
    return {
        "line": line,
        "name": name,
        "value": typed.get(name, shown) if typed is not None else shown,
        "seen": shown,
        "difference": difference,
        "difference_shown": _signed_units(difference),
        # Signed like the difference: +¥ found, −¥ missing (the `yuan` filter writes it).
        "value_at_cost": None if difference is None else difference * line.unit_cost,
    }


def _signed_units(units: int | None) -> str:
    """+2 found, −3 missing (a real minus sign, as money is written)."""
    if not units:
        return "" if units is None else "0"
    return f"+{units}" if units > 0 else f"\u2212{-units}"


def _hides_books(take: Stocktake) -> bool:
    """A blind sheet shows no quantity on the books (nor a difference) while it is being counted."""
    return take.blind and take.status == StocktakeStatus.OPEN


def _stocktake_page(
    request: HttpRequest, take: Stocktake, *, status: int = 200, typed=None, fragment: str | None = None, **extra: Any
) -> HttpResponse:
    lines = _sheet_lines(take)
    context = {
        "take": take,
        "rows": [_sheet_row(line, typed) for line in lines],
        "line_count": len(lines),
        "counted_count": sum(1 for line in lines if line.counted is not None),
        "is_open": take.status == StocktakeStatus.OPEN,
        "blind": _hides_books(take),
        "report": services.stocktake_report(take),
        "counts_error": "",
        "add_form": inv_forms.AddCountForm(),
        "upload_form": inv_forms.CountsUploadForm(),
        "upload_report": None,
        "book_form": None,
    }
    context.update(extra)
    return edges.render_page(request, "inventory/stocktake_detail.html", context, fragment=fragment, status=status)


@login_required
def stocktake_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The count sheet; `?part=summary` is the figures block alone, refreshed by htmx after each count."""
    summary = "inventory/_stocktake_summary.html" if request.GET.get("part") == "summary" else None
    return _stocktake_page(request, _stocktake(pk), fragment=summary)


@login_required
@edges.guarded
@require_POST
def stocktake_counts(request: HttpRequest, pk: int) -> HttpResponse:
    """Save the whole sheet at once (the button at the bottom; works without JavaScript)."""
    edges.require(request, roles.BOOK_STOCK)
    take = _stocktake(pk)
    form = inv_forms.CountsForm(request.POST, lines=_sheet_lines(take))
    if form.is_valid():
        with edges.form_errors(form) as outcome:
            changed = services.enter_counts(actor=request.user, stocktake=take, counts=form.cleaned_data["counts"])
        if outcome.ok:
            messages.success(request, _("%(n)s counts saved.") % {"n": changed})
            return redirect("inventory:stocktake-detail", pk=take.pk)
    error = " ".join(form.non_field_errors())
    return _stocktake_page(request, take, counts_error=error, typed=request.POST, status=edges.FORM_ERROR)


@login_required
@edges.guarded
@require_POST
def stocktake_count_line(request: HttpRequest, pk: int, sku_id: int) -> HttpResponse:
    """Save one count as the person types it (htmx); answers with the line's row."""
    edges.require(request, roles.BOOK_STOCK)
    take = _stocktake(pk)
    # sku__pk, not sku_id: that lookup answers "no such row" for an id no column can hold (10**20) instead of
    # sending it to the database.
    line = get_object_or_404(take.lines.select_related("sku__product"), sku__pk=sku_id)
    typed = request.POST.get(inv_forms.count_name(sku_id), "")
    form = inv_forms.LineCountForm({"counted": typed})
    if form.is_valid():
        with edges.form_errors(form):
            services.enter_counts(actor=request.user, stocktake=take, counts={sku_id: form.cleaned_data["counted"]})
    error = " ".join(e for errors in form.errors.values() for e in errors)
    if not edges.wants_fragment(request):
        if error:
            messages.error(request, error)
        return redirect("inventory:stocktake-detail", pk=take.pk)
    line.refresh_from_db()
    context = {
        "take": take,
        "row": _sheet_row(line, {inv_forms.count_name(sku_id): typed} if error else None),
        "is_open": take.status == StocktakeStatus.OPEN,
        "blind": _hides_books(take),
        "line_error": error,
        "saved": not error,
    }
    response = edges.render_page(
        request, "inventory/_stocktake_line.html", context, status=edges.FORM_ERROR if error else 200
    )
    if not error:
        response["HX-Trigger"] = "counts-changed"  # the figures block reloads itself
    return response


def _scanned_sku(take: Stocktake, code: str) -> Sku:
    """The SKU a scan names: one on the sheet first (its barcode or code), else any SKU of the catalog."""
    lines = list(take.lines.select_related("sku"))
    for attribute in ("barcode", "code"):
        for line in lines:
            if getattr(line.sku, attribute) == code:
                return line.sku
    return inv_forms.resolve_sku(code)


@login_required
@edges.guarded
@require_POST
def stocktake_scan(request: HttpRequest, pk: int) -> HttpResponse:
    """Counting by scanning: each scan adds one to the SKU's count; htmx gets the status line and the row
    (highlighted), a SKU new to the sheet reloads the page to show its new line."""
    edges.require(request, roles.BOOK_STOCK)
    take = _stocktake(pk)
    form = inv_forms.ScanForm(request.POST)
    line = None
    if form.is_valid():
        code = form.cleaned_data["code"].strip()
        try:
            sku = _scanned_sku(take, code)
        except forms.ValidationError as exc:
            form.add_error("code", exc)
        else:
            new = not take.lines.filter(sku=sku).exists()
            with edges.form_errors(form, fields={DomainError: "code"}) as outcome:
                line = services.count_scanned(actor=request.user, stocktake=take, sku=sku)
            if outcome.ok and not edges.wants_fragment(request):
                messages.success(request, _("%(sku)s counted: %(n)s.") % {"sku": sku.code, "n": line.counted})
                return redirect(reverse("inventory:stocktake-detail", args=[take.pk]) + f"#line-{sku.pk}")
            if outcome.ok and new:
                response = HttpResponse(status=204)
                response["HX-Refresh"] = "true"  # the new line takes its place in the sheet
                messages.success(request, _("%(sku)s counted: %(n)s.") % {"sku": sku.code, "n": line.counted})
                return response
    error = " ".join(e for errors in form.errors.values() for e in errors)
    if not edges.wants_fragment(request):
        messages.error(request, error)
        return redirect("inventory:stocktake-detail", pk=take.pk)
    context = {
        "take": take,
        "scan_error": error,
        "row": _sheet_row(take.lines.select_related("sku__product").get(pk=line.pk)) if line else None,
        "is_open": True,
        "blind": _hides_books(take),
        "scanned": True,
    }
    response = edges.render_page(
        request, "inventory/_stocktake_scan.html", context, status=edges.FORM_ERROR if error else 200
    )
    if not error:
        response["HX-Trigger"] = "counts-changed"
    return response


@login_required
@edges.guarded
@require_POST
def stocktake_add_line(request: HttpRequest, pk: int) -> HttpResponse:
    edges.require(request, roles.BOOK_STOCK)
    take = _stocktake(pk)
    form = inv_forms.AddCountForm(request.POST)
    if form.is_valid():
        sku = form.cleaned_data["sku"]
        with edges.form_errors(form) as outcome:
            services.enter_counts(actor=request.user, stocktake=take, counts={sku.pk: form.cleaned_data["counted"]})
        if outcome.ok:
            messages.success(request, _("%(sku)s counted.") % {"sku": sku.code})
            return redirect("inventory:stocktake-detail", pk=take.pk)
    return _stocktake_page(request, take, add_form=form, status=edges.FORM_ERROR)


@login_required
@edges.guarded
@require_POST
def stocktake_upload(request: HttpRequest, pk: int) -> HttpResponse:
    """Counts from a spreadsheet (XLSX or CSV), all or nothing: a sheet with bad rows enters no count, and
    the page lists each bad row (line, column, reason) so it can be fixed and uploaded again."""
    edges.require(request, roles.BOOK_STOCK)
    take = _stocktake(pk)
    form = inv_forms.CountsUploadForm(request.POST, request.FILES)
    report = None
    if form.is_valid():
        upload = form.cleaned_data["file"]
        with edges.form_errors(form) as outcome:
            report = imports.import_counts(actor=request.user, stocktake=take, file=upload, filename=upload.name)
        if outcome.ok and report.ok:
            messages.success(request, report.summary()[0])
            return redirect("inventory:stocktake-detail", pk=take.pk)
    return _stocktake_page(request, take, upload_form=form, upload_report=report, status=edges.FORM_ERROR)


@login_required
@edges.guarded
@require_POST
def stocktake_book(request: HttpRequest, pk: int) -> HttpResponse:
    """Book counted − on hand for each counted line; the page then shows gains and losses at cost.

    The first press asks (the page comes back with the question): with lines nobody counted, whether they
    are "not counted" (left out) or "zero" (booked as zero) — never decided silently. `confirm` books.
    """
    edges.require(request, roles.BOOK_STOCK)
    take = _stocktake(pk)
    form = inv_forms.BookStocktakeForm(request.POST)
    form.is_valid()
    choice = form.cleaned_data.get("uncounted") or ""
    uncounted = take.lines.filter(counted__isnull=True).count()
    if take.status == StocktakeStatus.OPEN and ("confirm" not in request.POST or (uncounted and not choice)):
        status = 200
        if "confirm" in request.POST:
            form.add_error("uncounted", _("Choose what the lines nobody counted are."))
            status = edges.FORM_ERROR
        return _stocktake_page(request, take, book_form=form, uncounted_count=uncounted, status=status)
    with edges.message_errors(request) as outcome:
        report = services.book_stocktake(
            actor=request.user, stocktake=take, uncounted=choice or services.UNCOUNTED_LEAVE_OUT
        )
    if outcome.ok:
        messages.success(
            request,
            _("Stocktake %(st)s booked: %(gain)s units found, %(loss)s units missing.")
            % {"st": take.number, "gain": report.gain_units, "loss": report.loss_units},
        )
    return redirect("inventory:stocktake-detail", pk=take.pk)


@login_required
def stocktake_print(request: HttpRequest, pk: int) -> HttpResponse:
    """The count sheet on A4 (盘点表): to count on paper, or to file with the booking; a blind sheet prints
    without the quantities on the books."""
    take = _stocktake(pk)
    lines = _sheet_lines(take)
    context = {"take": take, "lines": lines, "blind": _hides_books(take)}
    return _print_page(request, "inventory/print_stocktake.html", context, sku_ids=[line.sku_id for line in lines])


@login_required
@edges.guarded
@require_POST
def stocktake_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    edges.require(request, roles.BOOK_STOCK)
    take = _stocktake(pk)
    with edges.message_errors(request) as outcome:
        services.cancel_stocktake(actor=request.user, stocktake=take)
    if outcome.ok:
        messages.success(request, _("Stocktake %(st)s cancelled; nothing was booked.") % {"st": take.number})
    return redirect("inventory:stocktake-detail", pk=take.pk)


@login_required
@edges.guarded
@require_POST
def stocktake_batch(request: HttpRequest) -> HttpResponse:
    """Cancel the ticked count sheets, one by one; a booked or cancelled one is named with the reason."""
    return _batch(request, lists.STOCKTAKES, lists.stocktake_rows(), "inventory:stocktake-list")


# --------------------------------------------------------------------------------------------------------
# Alerts
# --------------------------------------------------------------------------------------------------------


@login_required
def alert_list(request: HttpRequest) -> HttpResponse:
    """The alerts, computed in Python, sorted and paged as a list; "order all suggested" orders every alert
    of the filter, not only the page on screen."""
    form = inv_forms.AlertFilterForm(request.GET or None)
    alerts = selectors.safety_stock_alerts(shop_id=form.shop_id())
    listing, export = list_response(request, lists.ALERTS, alerts)
    if export is not None:
        return export
    to_order = [a for a in alerts if a.suggested_reorder > 0]
    context = {
        "form": form,
        "alerts": alerts,
        "page": listing.page,
        "listing": listing,
        "order_all": "&".join(f"line={a.sku.pk}:{a.suggested_reorder}" for a in to_order),
        "lead_time_days": selectors.DEFAULT_LEAD_TIME_DAYS,
        "window_days": selectors.DEMAND_WINDOW_DAYS,
    }
    return edges.render_page(request, "inventory/alert_list.html", context, fragment="inventory/_alert_results.html")
