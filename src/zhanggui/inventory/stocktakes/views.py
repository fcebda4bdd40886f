"""Stocktake pages (盘点): the count sheets and a new one, the sheet (counts typed line by line or all at once,
scanned, added, uploaded), booking with the question about uncounted lines, cancelling, the printed sheet.

Every role reads; anything that changes a sheet needs inventory.book_stock. A blind sheet shows no quantity on
the books until it is booked. A refusal by the sheet's rules (inventory.stocktakes.services) comes back on the
form with what the person typed.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhanggui.catalog.models import Sku
from zhanggui.core import edges, roles
from zhanggui.core.errors import DomainError
from zhanggui.core.listing import list_response
from zhanggui.inventory import imports, lists
from zhanggui.inventory.forms import resolve_sku
from zhanggui.inventory.models import Stocktake, StocktakeLine, StocktakeStatus, Warehouse
from zhanggui.inventory.pages import list_batch, print_page
from zhanggui.inventory.stocktakes import forms as stocktake_forms
from zhanggui.inventory.stocktakes import services


def _stocktake_list_page(request: HttpRequest, form, *, status: int = 200) -> HttpResponse:
    """The list (filters, sort, dates, export from the URL) beside the form of a new count sheet."""
    filters = stocktake_forms.StocktakeFilterForm(request.GET or None)
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
        return _stocktake_list_page(request, stocktake_forms.StocktakeForm(initial={"warehouse": warehouse}))
    edges.require(request, roles.BOOK_STOCK)
    form = stocktake_forms.StocktakeForm(request.POST)
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
    name = stocktake_forms.count_name(line.sku_id)
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
        "add_form": stocktake_forms.AddCountForm(),
        "upload_form": stocktake_forms.CountsUploadForm(),
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
    form = stocktake_forms.CountsForm(request.POST, lines=_sheet_lines(take))
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
    typed = request.POST.get(stocktake_forms.count_name(sku_id), "")
    form = stocktake_forms.LineCountForm({"counted": typed})
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
        "row": _sheet_row(line, {stocktake_forms.count_name(sku_id): typed} if error else None),
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
    return resolve_sku(code)


@login_required
@edges.guarded
@require_POST
def stocktake_scan(request: HttpRequest, pk: int) -> HttpResponse:
    """Counting by scanning: each scan adds one to the SKU's count; htmx gets the status line and the row
    (highlighted), a SKU new to the sheet reloads the page to show its new line."""
    edges.require(request, roles.BOOK_STOCK)
    take = _stocktake(pk)
    form = stocktake_forms.ScanForm(request.POST)
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
    form = stocktake_forms.AddCountForm(request.POST)
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
    form = stocktake_forms.CountsUploadForm(request.POST, request.FILES)
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
    form = stocktake_forms.BookStocktakeForm(request.POST)
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
    return print_page(request, "inventory/print_stocktake.html", context, sku_ids=[line.sku_id for line in lines])


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
    return list_batch(request, lists.STOCKTAKES, lists.stocktake_rows(), "inventory:stocktake-list")
