"""Warehouse pages: stock list, purchase orders with the receiving screen, stocktakes, safety-stock alerts.

Every role reads; receiving, returns, adjustments and stocktakes need inventory.book_stock, purchase orders
inventory.manage_purchasing. A refused POST answers 403 and books nothing; a refusal by the ledger's rules
comes back on the form with what the person typed.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhanggui.catalog.models import Sku
from zhanggui.core import edges, roles
from zhanggui.core.selectors import audit_for
from zhanggui.inventory import forms as inv_forms
from zhanggui.inventory import imports, selectors, services
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

STOCK_PAGE_SIZE = 100
PURCHASE_PAGE_SIZE = 50


@login_required
def stock_list(request: HttpRequest) -> HttpResponse:
    form = inv_forms.StockFilterForm(request.GET or None)
    page = Paginator(form.balances(), STOCK_PAGE_SIZE).get_page(request.GET.get("page"))
    return edges.render_page(
        request,
        "inventory/stock_list.html",
        {"form": form, "page": page},
        fragment="inventory/_stock_results.html",
    )


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
    form = inv_forms.PurchaseFilterForm(request.GET or None)
    orders = (
        PurchaseOrder.objects.filter(**form.filters())
        .select_related("supplier", "warehouse")
        .annotate(line_count=Count("lines"), ordered=Sum("lines__quantity"), received=Sum("lines__received_quantity"))
        .order_by("-created_at", "-id")
    )
    page = Paginator(orders, PURCHASE_PAGE_SIZE).get_page(request.GET.get("page"))
    return edges.render_page(request, "inventory/purchase_list.html", {"form": form, "page": page})


# A SKU id or a quantity in a prefill link: plain ASCII digits, short enough for any id column ("²" is a digit
# to str.isdigit but not to int()). A quantity beyond the limits is prefilled as typed; the form refuses it.
_LINK_NUMBER = re.compile(r"[0-9]{1,18}")


def _alert_lines(request: HttpRequest) -> list[dict[str, Any]]:
    """Rows prefilled from `?line=<SKU id>:<quantity>` links on the alerts page."""
    wanted: dict[int, int] = {}
    for raw in request.GET.getlist("line"):
        sku_id, _sep, quantity = raw.partition(":")
        if _LINK_NUMBER.fullmatch(sku_id):
            wanted[int(sku_id)] = int(quantity) if _LINK_NUMBER.fullmatch(quantity) else 1
    skus = Sku.objects.select_related("shop").in_bulk(list(wanted))
    # A code used in several shops is written shop code/SKU code, the form the lines accept.
    shared = set(
        Sku.objects.filter(code__in=[s.code for s in skus.values()])
        .values("code")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .values_list("code", flat=True)
    )
    return [
        {
            "sku": f"{skus[pk].shop.code}/{skus[pk].code}" if skus[pk].code in shared else skus[pk].code,
            "quantity": wanted[pk] or 1,
            "unit_cost": skus[pk].cost,
        }
        for pk in wanted
        if pk in skus
    ]


def _purchase_form_page(request: HttpRequest, form, lines, *, status: int = 200) -> HttpResponse:
    context = {"form": form, "lines": lines, "has_suppliers": Supplier.objects.exists()}
    return edges.render_page(request, "inventory/purchase_form.html", context, status=status)


@login_required
@edges.guarded
def purchase_create(request: HttpRequest) -> HttpResponse:
    """A new purchase order: supplier, warehouse and lines typed as SKU code + quantity (+ unit cost)."""
    edges.require(request, roles.MANAGE_PURCHASING)
    if request.method != "POST":
        warehouse = Warehouse.objects.filter(is_active=True).values_list("pk", flat=True).first()
        form = inv_forms.PurchaseOrderForm(initial={"warehouse": warehouse})
        return _purchase_form_page(request, form, inv_forms.purchase_lines_formset(initial=_alert_lines(request)))
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


def _purchase(pk: int) -> PurchaseOrder:
    return get_object_or_404(PurchaseOrder.objects.select_related("supplier", "warehouse", "created_by"), pk=pk)


def _purchase_page(request: HttpRequest, po: PurchaseOrder, *, status: int = 200, **forms: Any) -> HttpResponse:
    lines = list(po.lines.select_related("sku__product").order_by("sku__code"))
    receive = forms.get("receive") or inv_forms.receive_form(lines)
    returns = forms.get("returns") or inv_forms.return_form(lines)
    context = {
        "po": po,
        "lines": lines,
        "receive_form": receive,
        "return_form": returns,
        "return_rows": [(line, field) for line, field in returns.rows() if line.received_quantity > 0],
        "receivable": po.status in {PurchaseStatus.ORDERED, PurchaseStatus.PARTIAL},
        "closable": PurchaseStatus.CLOSED in PurchaseOrder.ALLOWED_TRANSITIONS[po.status],
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


@login_required
@edges.guarded
@require_POST
def purchase_receive(request: HttpRequest, pk: int) -> HttpResponse:
    """Book what arrived now; the rest stays open (receive 60 of 100 today, 40 next week)."""
    edges.require(request, roles.BOOK_STOCK)
    po = _purchase(pk)
    form = inv_forms.receive_form(po.lines.select_related("sku__product").order_by("sku__code"), request.POST)
    if form.is_valid():
        with edges.form_errors(form) as outcome:
            moves = services.receive_purchase_order(
                actor=request.user, po=po, quantities=form.quantities(), note=form.cleaned_data["note"]
            )
        if outcome.ok:
            po.refresh_from_db()
            messages.success(
                request,
                _("Received %(units)s units on %(po)s; the order is now: %(status)s.")
                % {"units": sum(m.quantity for m in moves), "po": po.number, "status": po.get_status_display()},
            )
            return redirect("inventory:purchase-detail", pk=po.pk)
        po.refresh_from_db()
    return _purchase_page(request, po, receive=form, status=edges.FORM_ERROR)


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
    stocktakes = (
        Stocktake.objects.select_related("warehouse", "category", "created_by", "booked_by")
        .annotate(line_count=Count("lines"), counted_count=Count("lines__counted"))
        .order_by("-created_at", "-id")[:100]
    )
    context = {"form": form, "stocktakes": stocktakes}
    return edges.render_page(request, "inventory/stocktake_list.html", context, status=status)


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
        # Shown with the sign of the difference (+¥ found, −¥ missing).
        "value_at_cost": None if difference is None else abs(difference) * line.unit_cost,
    }


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
        "report": services.stocktake_report(take),
        "counts_error": "",
        "add_form": inv_forms.AddCountForm(),
        "upload_form": inv_forms.CountsUploadForm(),
        "upload_report": None,
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
        "line_error": error,
        "saved": not error,
    }
    response = edges.render_page(
        request, "inventory/_stocktake_line.html", context, status=edges.FORM_ERROR if error else 200
    )
    if not error:
        response["HX-Trigger"] = "counts-changed"  # the figures block reloads itself
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
    """Book counted − on hand for each counted line; the page then shows gains and losses at cost."""
    edges.require(request, roles.BOOK_STOCK)
    take = _stocktake(pk)
    with edges.message_errors(request) as outcome:
        report = services.book_stocktake(actor=request.user, stocktake=take)
    if outcome.ok:
        messages.success(
            request,
            _("Stocktake %(st)s booked: %(gain)s units found, %(loss)s units missing.")
            % {"st": take.number, "gain": report.gain_units, "loss": report.loss_units},
        )
    return redirect("inventory:stocktake-detail", pk=take.pk)


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


# --------------------------------------------------------------------------------------------------------
# Alerts
# --------------------------------------------------------------------------------------------------------


@login_required
def alert_list(request: HttpRequest) -> HttpResponse:
    form = inv_forms.AlertFilterForm(request.GET or None)
    alerts = selectors.safety_stock_alerts(shop_id=form.shop_id())
    to_order = [a for a in alerts if a.suggested_reorder > 0]
    context = {
        "form": form,
        "alerts": alerts,
        "order_all": "&".join(f"line={a.sku.pk}:{a.suggested_reorder}" for a in to_order),
        "lead_time_days": selectors.DEFAULT_LEAD_TIME_DAYS,
        "window_days": selectors.DEMAND_WINDOW_DAYS,
    }
    return edges.render_page(request, "inventory/alert_list.html", context)
