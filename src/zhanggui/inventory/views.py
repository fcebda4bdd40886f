"""Stock pages: the stock list and its batch, bin locations (typed in the list or uploaded), the page a ledger
move's document number names, and the safety-stock alerts. Purchasing pages are inventory.purchasing.views,
stocktake pages inventory.stocktakes.views.

The alerts stay here although they lead to purchase orders: an alert is a read of the stock (available units
against the safety stock, demand from the ledger's sale issues; inventory.selectors.safety_stock_alerts, which
the desk and the demo read too), and the page reaches purchasing only through the links it writes
(`?line=<SKU id>:<quantity>` to the purchase-order form). Reading those links and turning them into orders is
purchasing's work and lives there, so this module imports nothing of purchasing.

Every role reads; the batch changes of SKUs check their own permissions in the services they call. The adjust
and transfer forms of the catalog's SKU page (its stock panel, inventory.sku_panel) post here, under the
catalog's URLs, and a refused one shows the SKU page again with its errors.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhanggui.catalog import views as catalog_views
from zhanggui.catalog.models import Sku
from zhanggui.core import edges, roles
from zhanggui.core.listing import list_response
from zhanggui.inventory import forms as inv_forms
from zhanggui.inventory import lists, locations, selectors, services
from zhanggui.inventory.models import PurchaseOrder, Stocktake
from zhanggui.inventory.pages import list_batch


def _stock_page(request: HttpRequest, *, upload_form=None, upload_report=None, status: int = 200) -> HttpResponse:
    form = inv_forms.StockFilterForm(request.GET or None)
    listing, export = list_response(request, lists.STOCK, form.balances(lists.stock_rows()))
    if export is not None:
        return export
    context = {
        "form": form,
        "page": listing.page,
        "listing": listing,
        "upload_form": upload_form or inv_forms.LocationUploadForm(),
        "upload_report": upload_report,
    }
    return edges.render_page(
        request, "inventory/stock_list.html", context, fragment="inventory/_stock_results.html", status=status
    )


@login_required
def stock_list(request: HttpRequest) -> HttpResponse:
    """Filters, sort, page size in the URL; totals over every filtered row; ?export=xlsx|csv answers them all."""
    return _stock_page(request)


@login_required
@edges.guarded
@require_POST
def stock_batch(request: HttpRequest) -> HttpResponse:
    """Set safety stock or change prices of the ticked SKUs (once per SKU, whichever warehouses are ticked)."""
    return list_batch(request, lists.STOCK, lists.stock_rows(), "inventory:stock-list")


# --------------------------------------------------------------------------------------------------------
# Bin locations
# --------------------------------------------------------------------------------------------------------


@login_required
@edges.guarded
@require_POST
def stock_location(request: HttpRequest, pk: int) -> HttpResponse:
    """Set (or, left empty, clear) the location of a balance's SKU in its warehouse, typed in the stock list;
    htmx gets the cell back, with the refusal under what was typed."""
    edges.require(request, roles.EDIT_SKU_LOGISTICS)
    balance = get_object_or_404(lists.stock_rows(), pk=pk)
    form = inv_forms.LocationForm(request.POST)
    if form.is_valid():
        typed = form.cleaned_data["code"]
        with edges.form_errors(form):
            if typed:
                locations.set_location(actor=request.user, warehouse=balance.warehouse, sku=balance.sku, code=typed)
            else:
                locations.clear_location(actor=request.user, warehouse=balance.warehouse, sku=balance.sku)
    error = " ".join(e for errors in form.errors.values() for e in errors)
    if not edges.wants_fragment(request):
        if error:
            messages.error(request, error)
        return redirect(edges.safe_next(request, reverse("inventory:stock-list")))
    balance = lists.stock_rows().get(pk=pk)
    context = {
        "b": balance,
        "typed": request.POST.get("code", "") if error else None,
        "error": error,
        "saved": not error,
    }
    return edges.render_page(
        request, "inventory/_stock_location.html", context, status=edges.FORM_ERROR if error else 200
    )


@login_required
@edges.guarded
@require_POST
def location_import(request: HttpRequest) -> HttpResponse:
    """Locations from a sheet, all or nothing: a sheet with bad rows changes no location, and the stock page
    lists each bad row (line, column, reason) so it can be fixed and uploaded again."""
    edges.require(request, roles.EDIT_SKU_LOGISTICS)
    form = inv_forms.LocationUploadForm(request.POST, request.FILES)
    report = None
    if form.is_valid():
        upload = form.cleaned_data["file"]
        with edges.form_errors(form) as outcome:
            report = locations.import_locations(
                actor=request.user, file=upload, filename=upload.name, warehouse=form.cleaned_data["warehouse"]
            )
        if outcome.ok and report is not None and report.ok:
            messages.success(request, report.summary()[0])
            return redirect("inventory:stock-list")
    return _stock_page(request, upload_form=form, upload_report=report, status=edges.FORM_ERROR)


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


# --------------------------------------------------------------------------------------------------------
# The catalog SKU page's stock forms (inventory.sku_panel): booked here, the page is the catalog's
# --------------------------------------------------------------------------------------------------------


def _sku(pk: int) -> Sku:
    return get_object_or_404(Sku.objects.select_related("product", "shop"), pk=pk)


@login_required
@edges.guarded
@require_POST
def sku_adjust(request: HttpRequest, pk: int) -> HttpResponse:
    """Book a correction found outside a stocktake (damaged, found); the note saying why is required."""
    edges.require(request, roles.BOOK_STOCK)
    sku = _sku(pk)
    form = inv_forms.AdjustForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        with edges.form_errors(form) as outcome:
            move = services.adjust_stock(
                actor=request.user,
                sku=sku,
                warehouse=data["warehouse"],
                quantity=data["quantity"],
                note=data["note"],
            )
        if outcome.ok:
            messages.success(
                request,
                _("Adjustment booked: %(qty)+d in %(warehouse)s, on hand now %(on_hand)s.")
                % {"qty": move.quantity, "warehouse": data["warehouse"], "on_hand": move.on_hand_after},
            )
            return catalog_views.back_to_sku(sku, "ledger")
    return catalog_views.sku_page(request, _sku(pk), adjust_form=form, status=edges.FORM_ERROR)


@login_required
@edges.guarded
@require_POST
def sku_transfer(request: HttpRequest, pk: int) -> HttpResponse:
    edges.require(request, roles.BOOK_STOCK)
    sku = _sku(pk)
    form = inv_forms.TransferForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        with edges.form_errors(form) as outcome:
            services.transfer_stock(
                actor=request.user,
                sku=sku,
                source=data["source"],
                destination=data["destination"],
                quantity=data["quantity"],
                note=data["note"],
            )
        if outcome.ok:
            messages.success(
                request,
                _("Moved %(qty)s from %(source)s to %(destination)s.")
                % {"qty": data["quantity"], "source": data["source"], "destination": data["destination"]},
            )
            return catalog_views.back_to_sku(sku, "ledger")
    return catalog_views.sku_page(request, _sku(pk), transfer_form=form, status=edges.FORM_ERROR)
