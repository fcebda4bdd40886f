"""Wave, packing and shipping pages (波次, 打包, 发货): the waves and each warehouse's cut-offs, a wave with its
pick list (printed or XLSX), the packing screen (scan by scan, htmx), the carrier's file, and the tracking
numbers in each platform's bulk-ship format.

Every role reads; making waves, packing and shipping need orders.fulfil_orders (仓管). The services
(orders.waves, orders.packing) check it too; refusals come back on the form or loudly on the packing screen.
"""

from __future__ import annotations

import io
import re
from datetime import time
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from zhanggui.catalog.models import Shop
from zhanggui.channels.shipping import BULK_SHIP_HEADERS, bulk_ship_csv
from zhanggui.core import edges, roles
from zhanggui.core.tabular import TableError
from zhanggui.inventory.models import Warehouse
from zhanggui.orders import packing, waves
from zhanggui.orders.models import Order, OrderStatus, Platform, Wave, WaveStatus

# --------------------------------------------------------------------------------------------------------
# Forms
# --------------------------------------------------------------------------------------------------------

_TIME_RE = re.compile(r"^([01]?[0-9]|2[0-3])[:：.]([0-5][0-9])$")


class CreateWaveForm(forms.Form):
    warehouse = forms.ModelChoiceField(
        # A 次品仓 (sellable=False) never holds an order's units: nothing to pick there.
        queryset=Warehouse.objects.filter(is_active=True, sellable=True),
        label=gettext_lazy("Warehouse"),
    )


class CutoffsForm(forms.Form):
    warehouse = forms.ModelChoiceField(queryset=Warehouse.objects.all(), label=gettext_lazy("Warehouse"))
    times = forms.CharField(
        label=gettext_lazy("Cut-offs"),
        required=False,
        max_length=200,
        help_text=gettext_lazy("Times of day, e.g. 11:00, 15:00; empty: the defaults."),
    )

    def clean_times(self) -> list[time]:
        found = []
        for part in re.split(r"[,，;；\s]+", self.cleaned_data["times"].strip()):
            if not part:
                continue
            match = _TIME_RE.match(part)
            if not match:
                raise forms.ValidationError(_("%(text)s is not a time of day like 11:00.") % {"text": part})
            found.append(time(int(match[1]), int(match[2])))
        return found


class ScanForm(forms.Form):
    code = forms.CharField(max_length=64, label=gettext_lazy("Scan"))


class ShipForm(forms.Form):
    carrier = forms.CharField(max_length=64, label=gettext_lazy("Carrier"))
    tracking_no = forms.CharField(max_length=64, label=gettext_lazy("Tracking number"))


class CarrierFileForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Carrier's file (CSV or XLSX)"))
    default_carrier = forms.CharField(
        max_length=64,
        required=False,
        label=gettext_lazy("Carrier"),
        help_text=gettext_lazy("For rows without a carrier column."),
    )


class TrackingExportForm(forms.Form):
    platform = forms.ChoiceField(
        label=gettext_lazy("Platform"), choices=[(p, Platform(p).label) for p in BULK_SHIP_HEADERS]
    )
    day = forms.DateField(label=gettext_lazy("Shipped on"), widget=forms.DateInput(attrs={"type": "date"}))
    shop = forms.ModelChoiceField(
        queryset=Shop.objects.all(), required=False, label=gettext_lazy("Shop"), empty_label=gettext_lazy("All shops")
    )


# --------------------------------------------------------------------------------------------------------
# Waves
# --------------------------------------------------------------------------------------------------------


def _wave_list_page(request: HttpRequest, *, form=None, cutoffs_form=None, status: int = 200) -> HttpResponse:
    warehouses = list(Warehouse.objects.filter(is_active=True, sellable=True))
    cutoffs = waves.cutoffs_by_warehouse(warehouses)
    waiting = waves.waiting_order_ids()
    now = timezone.now()
    rows = [
        {
            "warehouse": wh,
            "cutoffs": cutoffs[wh.pk],
            "cutoffs_text": ", ".join(f"{t:%H:%M}" for t in cutoffs[wh.pk]),
            "next_cutoff": waves.next_cutoff(wh, now, cutoffs[wh.pk]),
            "waiting": len(waiting.get(wh.pk, [])),
        }
        for wh in warehouses
    ]
    context = {
        "rows": rows,
        "waves": list(waves.waves()[:50]),
        "form": form,
        "cutoffs_form": cutoffs_form,
        "can_fulfil": roles.holds(request.user, roles.FULFIL_ORDERS),
    }
    return edges.render_page(request, "orders/waves/wave_list.html", context, status=status)


@login_required
@edges.guarded
def wave_list(request: HttpRequest) -> HttpResponse:
    """The waves, and per warehouse its cut-offs and the orders waiting; a POST makes a wave there."""
    if request.method != "POST":
        return _wave_list_page(request)
    edges.require(request, roles.FULFIL_ORDERS)
    form = CreateWaveForm(request.POST)
    if form.is_valid():
        with edges.form_errors(form) as outcome:
            wave = waves.create_wave(actor=request.user, warehouse=form.cleaned_data["warehouse"])
        if outcome.ok:
            messages.success(
                request,
                _("Wave %(wave)s made with %(n)s orders.") % {"wave": wave.number, "n": wave.wave_orders.count()},
            )
            return redirect("orders:wave-detail", pk=wave.pk)
    return _wave_list_page(request, form=form, status=edges.FORM_ERROR)


@login_required
@edges.guarded
@require_POST
def wave_cutoffs(request: HttpRequest) -> HttpResponse:
    edges.require(request, roles.FULFIL_ORDERS)
    form = CutoffsForm(request.POST)
    if form.is_valid():
        with edges.form_errors(form) as outcome:
            times = waves.set_cutoffs(
                actor=request.user, warehouse=form.cleaned_data["warehouse"], times=form.cleaned_data["times"]
            )
        if outcome.ok:
            messages.success(
                request,
                _("Cut-offs of %(wh)s: %(times)s.")
                % {"wh": form.cleaned_data["warehouse"], "times": ", ".join(f"{t:%H:%M}" for t in times)},
            )
            return redirect("orders:wave-list")
    return _wave_list_page(request, cutoffs_form=form, status=edges.FORM_ERROR)


def _wave(pk: int) -> Wave:
    return get_object_or_404(Wave.objects.select_related("warehouse", "created_by"), pk=pk)


@login_required
def wave_detail(request: HttpRequest, pk: int) -> HttpResponse:
    wave = _wave(pk)
    orders = waves.wave_orders(wave)
    context = {
        "wave": wave,
        "orders": orders,
        "open_count": sum(1 for o in orders if o.status in waves.OPEN_STATUSES),
        "pick_lines": waves.pick_list(wave),
        "is_open": wave.status == WaveStatus.OPEN,
        "can_fulfil": roles.holds(request.user, roles.FULFIL_ORDERS),
    }
    return edges.render_page(request, "orders/waves/wave_detail.html", context)


@login_required
@edges.guarded
@require_POST
def wave_start(request: HttpRequest, pk: int) -> HttpResponse:
    edges.require(request, roles.FULFIL_ORDERS)
    wave = _wave(pk)
    with edges.message_errors(request):
        waves.start_picking(actor=request.user, wave=wave)
    return redirect("orders:wave-detail", pk=wave.pk)


@login_required
def wave_pick_print(request: HttpRequest, pk: int) -> HttpResponse:
    """The pick list on A4 (拣货单), on the shared print layout."""
    wave = _wave(pk)
    lines = waves.pick_list(wave)
    context = {
        "wave": wave,
        "lines": lines,
        "total": sum(line.quantity for line in lines),
        "order_count": wave.wave_orders.count(),
        "shop_name": "",
        "printed_at": timezone.now(),
    }
    return edges.render_page(request, "orders/waves/print_pick_list.html", context)


@login_required
def wave_pick_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    wave = _wave(pk)
    out = io.BytesIO()
    waves.write_pick_list_xlsx(wave, out)
    response = HttpResponse(
        out.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="pick-list-{wave.number}.xlsx"'
    return response


# --------------------------------------------------------------------------------------------------------
# Packing
# --------------------------------------------------------------------------------------------------------


@login_required
def packing_find(request: HttpRequest) -> HttpResponse:
    """The packing screen's first box: scan or type the order number (the one on the picking slip)."""
    number = (request.GET.get("order") or "").strip()
    error = ""
    if number:
        found = list(Order.objects.filter(platform_order_no=number).order_by("-id")[:2])
        if len(found) == 1:
            return redirect("orders:packing", pk=found[0].pk)
        error = (
            _("No order %(no)s.") if not found else _("Order number %(no)s is in two shops: open it from its wave.")
        ) % {"no": number}
    context = {"number": number, "error": error}
    return edges.render_page(
        request, "orders/waves/packing_find.html", context, status=edges.FORM_ERROR if error else 200
    )


def _packing_context(request: HttpRequest, order: Order, **extra: Any) -> dict[str, Any]:
    state = packing.pack_state(order)
    carrier = request.session.get("last_carrier", "")
    context = {
        "order": order,
        "state": state,
        "wave": waves.wave_of(order),
        "can_fulfil": roles.holds(request.user, roles.FULFIL_ORDERS),
        "is_picking": order.status == OrderStatus.PICKING,
        "is_packed": order.status == OrderStatus.PACKED,
        "ship_form": ShipForm(initial={"carrier": carrier}),
        "refusal": "",
        "scanned": None,
    }
    context.update(extra)
    return context


def _order(pk: int) -> Order:
    return get_object_or_404(Order.objects.select_related("shop"), pk=pk)


@login_required
def packing_screen(request: HttpRequest, pk: int) -> HttpResponse:
    order = _order(pk)
    return edges.render_page(
        request,
        "orders/waves/packing.html",
        _packing_context(request, order),
        fragment="orders/waves/_packing_panel.html",
    )


@login_required
@edges.guarded
@require_POST
def packing_scan(request: HttpRequest, pk: int) -> HttpResponse:
    """One scan (htmx): the panel comes back with the lines ticking off, or a loud refusal (422)."""
    edges.require(request, roles.FULFIL_ORDERS)
    order = _order(pk)
    form = ScanForm(request.POST)
    refusal, scanned = "", None
    if not form.is_valid():
        refusal = _("Scan a barcode.")
    else:
        try:
            state = packing.pack_scan(actor=request.user, order=order, code=form.cleaned_data["code"])
        except packing.PackRefused as exc:
            refusal = exc.message
        else:
            scanned = state.last
            order = state.order
    if not edges.wants_fragment(request):
        if refusal:
            messages.error(request, refusal)
        return redirect("orders:packing", pk=order.pk)
    order.refresh_from_db()
    context = _packing_context(request, order, refusal=refusal, scanned=scanned)
    return edges.render_page(
        request, "orders/waves/_packing_panel.html", context, status=edges.FORM_ERROR if refusal else 200
    )


@login_required
@edges.guarded
@require_POST
def packing_reset(request: HttpRequest, pk: int) -> HttpResponse:
    edges.require(request, roles.FULFIL_ORDERS)
    order = _order(pk)
    with edges.message_errors(request) as outcome:
        packing.reset_scans(actor=request.user, order=order)
    if outcome.ok:
        messages.success(request, _("Scans cleared: pack order %(no)s again.") % {"no": order.platform_order_no})
    return redirect("orders:packing", pk=order.pk)


@login_required
@edges.guarded
@require_POST
def packing_ship(request: HttpRequest, pk: int) -> HttpResponse:
    """Ship the packed order with the carrier and tracking number typed or scanned; the carrier is kept for the
    next parcel."""
    edges.require(request, roles.FULFIL_ORDERS)
    order = _order(pk)
    form = ShipForm(request.POST)
    if form.is_valid():
        with edges.form_errors(form) as outcome:
            order = packing.ship_order(actor=request.user, order=order, **form.cleaned_data)
        if outcome.ok:
            request.session["last_carrier"] = order.carrier
            messages.success(
                request,
                _("Order %(no)s shipped: %(carrier)s %(tracking)s.")
                % {"no": order.platform_order_no, "carrier": order.carrier, "tracking": order.tracking_no},
            )
            return redirect("orders:packing", pk=order.pk)
    context = _packing_context(request, order, ship_form=form)
    return edges.render_page(request, "orders/waves/packing.html", context, status=edges.FORM_ERROR)


# --------------------------------------------------------------------------------------------------------
# Shipping files
# --------------------------------------------------------------------------------------------------------


@login_required
@edges.guarded
def ship_upload(request: HttpRequest) -> HttpResponse:
    """The carrier's file of tracking numbers: each listed order ships; refused rows are listed by line."""
    form, report, status = CarrierFileForm(), None, 200
    if request.method == "POST":
        edges.require(request, roles.FULFIL_ORDERS)
        form = CarrierFileForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                report = packing.ship_from_carrier_file(
                    actor=request.user,
                    file=upload,
                    filename=upload.name,
                    default_carrier=form.cleaned_data["default_carrier"],
                )
            except TableError as exc:
                form.add_error("file", exc.message)
        if not form.is_valid() or (report is not None and not report.ok):
            status = edges.FORM_ERROR
    context = {"form": form, "report": report}
    return edges.render_page(request, "orders/waves/ship_upload.html", context, status=status)


@login_required
def tracking_export(request: HttpRequest) -> HttpResponse:
    """Tracking numbers of a day's shipped orders in the platform's bulk-ship upload (CSV, UTF-8 with BOM)."""
    if "platform" not in request.GET:
        form = TrackingExportForm(initial={"day": timezone.localdate(), "platform": Platform.TAOBAO})
        return edges.render_page(request, "orders/waves/tracking_export.html", {"form": form})
    form = TrackingExportForm(request.GET)
    if not form.is_valid():
        return edges.render_page(request, "orders/waves/tracking_export.html", {"form": form}, status=edges.FORM_ERROR)
    platform, day, shop = form.cleaned_data["platform"], form.cleaned_data["day"], form.cleaned_data["shop"]
    shipments = packing.tracking_shipments(platform=platform, day=day, shop_id=shop.pk if shop else None)
    response = HttpResponse(bulk_ship_csv(platform, shipments), content_type="text/csv; charset=utf-8")
    name = f"bulk-ship-{platform}-{day:%Y%m%d}" + (f"-{shop.code}" if shop else "")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response
