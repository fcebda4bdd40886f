"""Stock pages: the stock list and its batch, the page a ledger move's document number names, and the
safety-stock alerts. Purchasing pages are inventory.purchasing.views, stocktake pages inventory.stocktakes.views.

The alerts stay here although they lead to purchase orders: an alert is a read of the stock (available units
against the safety stock, demand from the ledger's sale issues; inventory.selectors.safety_stock_alerts, which
the desk and the demo read too), and the page reaches purchasing only through the links it writes
(`?line=<SKU id>:<quantity>` to the purchase-order form). Reading those links and turning them into orders is
purchasing's work and lives there, so this module imports nothing of purchasing.

Every role reads; the batch changes of SKUs check their own permissions in the services they call.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from zhanggui.core import edges
from zhanggui.core.listing import list_response
from zhanggui.inventory import forms as inv_forms
from zhanggui.inventory import lists, selectors
from zhanggui.inventory.models import PurchaseOrder, Stocktake
from zhanggui.inventory.pages import list_batch


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
    return list_batch(request, lists.STOCK, lists.stock_rows(), "inventory:stock-list")


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
