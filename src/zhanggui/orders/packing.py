"""Packing and shipping (打包, 发货): each unit put in the parcel is scanned against the order, a wrong item or an
extra unit is refused, and the order is packed once every unit is in; then it ships with a carrier and a
tracking number, typed or scanned on the packing screen or read from the carrier's file.

A scan matches a line by its SKU's barcode, or its SKU code (商家编码, for goods without a barcode). Scans are
rows (PackScan), so the count survives a reload and two people on one order never count a unit twice (the
order row is locked while a scan is counted).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from zhanggui.catalog.models import Sku
from zhanggui.channels.shipping import Shipment, read_carrier_file
from zhanggui.core import roles
from zhanggui.core.errors import DomainError, PermissionDeniedError
from zhanggui.core.tabular import FileSource, RowError
from zhanggui.orders import services, waves
from zhanggui.orders.models import SHIPPED_STATUSES, Order, OrderLine, OrderStatus, PackScan

S = OrderStatus


class PackRefused(DomainError):
    """A scan the parcel must not take; the message says what to do with the item in hand."""

    code = "pack_refused"
    http_status = 409


class WrongItem(PackRefused):
    code = "wrong_item"


class ExtraUnit(PackRefused):
    code = "extra_unit"


@dataclass
class PackLine:
    line: OrderLine
    scanned: int

    @property
    def wanted(self) -> int:
        return self.line.quantity

    @property
    def complete(self) -> bool:
        return self.scanned >= self.line.quantity


@dataclass
class PackState:
    order: Order
    lines: list[PackLine]
    last: PackLine | None = None  # the line the latest scan counted

    @property
    def scanned(self) -> int:
        return sum(pl.scanned for pl in self.lines)

    @property
    def wanted(self) -> int:
        return sum(pl.wanted for pl in self.lines)

    @property
    def complete(self) -> bool:
        return all(pl.complete for pl in self.lines)


def parcel_lines(order: Order) -> list[OrderLine]:
    """The lines in the order's parcel: its own (a part's: the lines it ships) and those of the orders merged
    into it that are still to ship, the main order's first."""
    carried = Order.objects.filter(merged_into=order).exclude(status__in=services.DONE_STATUSES)
    lines: list[OrderLine] = []
    for member in [order, *carried.order_by("paid_at", "id")]:
        lines += services.fulfilment_lines(member)
    return lines


def pack_state(order: Order) -> PackState:
    """The parcel's lines with how many units of each are scanned into it."""
    ids = [line.pk for line in parcel_lines(order)]
    lines = sorted(
        OrderLine.objects.filter(pk__in=ids).select_related("sku__product", "order"),
        key=lambda line: ids.index(line.pk),
    )
    counts = Counter(PackScan.objects.filter(line_id__in=ids).values_list("line_id", flat=True))
    return PackState(order=order, lines=[PackLine(line=line, scanned=counts[line.pk]) for line in lines])


def _matches(line: OrderLine, code: str) -> bool:
    sku = line.sku
    if sku is None:
        return False
    return (bool(sku.barcode) and sku.barcode == code) or sku.code.casefold() == code.casefold()


def _what_is(order: Order, code: str) -> str:
    sku = (
        Sku.objects.filter(shop_id=order.shop_id)
        .filter(Q(barcode=code) | Q(code__iexact=code))
        .select_related("product")
        .first()
    )
    if sku is None:
        return _("WRONG ITEM: %(code)s is not in order %(no)s. Keep it out of the parcel.") % {
            "code": code,
            "no": order.platform_order_no,
        }
    return _(
        "WRONG ITEM: %(code)s is %(sku)s %(title)s, which order %(no)s does not have. Keep it out of the parcel."
    ) % {
        "code": code,
        "sku": sku.code,
        "title": sku.product.title,
        "no": order.platform_order_no,
    }


@transaction.atomic
def pack_scan(*, actor: Any, order: Order, code: str) -> PackState:
    """Count one scanned unit into the parcel; the last unit makes the order packed.

    Raises WrongItem (the code is not in the order), ExtraUnit (all its units are in already), PackRefused
    (the order is not being picked); a refusal counts nothing."""
    roles.require(actor, roles.FULFIL_ORDERS)
    code = code.strip()
    if not code:
        raise PackRefused(_("Scan a barcode."))
    order = Order.objects.select_for_update(of=("self",)).select_related("merged_into").get(pk=order.pk)
    services.refuse_carried(order)
    if order.status != S.PICKING:
        raise PackRefused(
            _("Order %(no)s is %(status)s: only an order being picked is packed.")
            % {"no": order.platform_order_no, "status": order.get_status_display().lower()}
        )
    state = pack_state(order)
    matching = [pl for pl in state.lines if _matches(pl.line, code)]
    if not matching:
        raise WrongItem(_what_is(order, code), scanned=code)
    open_line = next((pl for pl in matching if not pl.complete), None)
    if open_line is None:
        wanted = sum(pl.wanted for pl in matching)
        raise ExtraUnit(
            _("EXTRA UNIT: all %(n)s of %(sku)s are in the parcel already. Keep this one out.")
            % {"n": wanted, "sku": matching[0].line.sku.code},
            scanned=code,
        )
    PackScan.objects.create(line=open_line.line, code=code, actor=actor if getattr(actor, "pk", None) else None)
    open_line.scanned += 1
    state.last = open_line
    if state.complete:
        state.order = services.transition(actor=actor, order=order, to=S.PACKED, reason=_("packed: every unit scanned"))
    return state


@transaction.atomic
def reset_scans(*, actor: Any, order: Order) -> int:
    """Start the parcel again (everything taken out): forget the order's scans while it is being picked."""
    roles.require(actor, roles.FULFIL_ORDERS)
    order = Order.objects.select_for_update().get(pk=order.pk)
    if order.status != S.PICKING:
        raise PackRefused(_("Order %(no)s is packed already; its scans stay.") % {"no": order.platform_order_no})
    deleted, _rows = PackScan.objects.filter(line__in=parcel_lines(order)).delete()
    return deleted


@transaction.atomic
def ship_order(*, actor: Any, order: Order, carrier: str, tracking_no: str) -> Order:
    """发货 through orders.services.ship (stock issued there), then close the order's wave if it was its last."""
    order = services.ship(actor=actor, order=order, carrier=carrier, tracking_no=tracking_no)
    waves.finish_waves_of(order)
    return order


# --------------------------------------------------------------------------------------------------------
# The carrier's file
# --------------------------------------------------------------------------------------------------------


@dataclass
class ShipReport:
    shipped: list[Shipment] = field(default_factory=list)
    already: list[Shipment] = field(default_factory=list)  # shipped before under the same tracking number
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _order_for(shipment: Shipment) -> Order:
    found = list(Order.objects.filter(platform_order_no=shipment.order_no).select_related("shop", "merged_into")[:2])
    if not found:
        raise PackRefused(_("no order %(no)s") % {"no": shipment.order_no})
    if len(found) > 1:
        raise PackRefused(_("order number %(no)s is in two shops; ship it from its page") % {"no": shipment.order_no})
    order = found[0]
    main = order.merged_into
    if main is not None and order.status not in SHIPPED_STATUSES and main.status not in services.DONE_STATUSES:
        return main  # a merged order's row ships its whole parcel (one tracking number)
    return order


def ship_from_carrier_file(
    *, actor: Any, file: FileSource, filename: str = "", default_carrier: str = ""
) -> ShipReport:
    """Ship each order the carrier's file lists, each on its own: a refused row (unknown order, cancelled,
    short stock) is reported with its line and the others ship. A row for an order already shipped under
    the same tracking number is counted as already shipped, so uploading a file twice changes nothing."""
    roles.require(actor, roles.FULFIL_ORDERS)
    parsed = read_carrier_file(file=file, filename=filename, default_carrier=default_carrier)
    report = ShipReport(errors=list(parsed.errors))
    for shipment in parsed.shipments:
        try:
            order = _order_for(shipment)
            if order.status in SHIPPED_STATUSES and order.tracking_no == shipment.tracking_no:
                report.already.append(shipment)
                continue
            ship_order(actor=actor, order=order, carrier=shipment.carrier, tracking_no=shipment.tracking_no)
        except PermissionDeniedError:
            raise
        except DomainError as exc:
            report.errors.append(RowError(shipment.line, "", exc.message))
        else:
            report.shipped.append(shipment)
    report.errors.sort(key=lambda e: e.line)
    return report


# --------------------------------------------------------------------------------------------------------
# Tracking numbers for the platforms' bulk-ship uploads
# --------------------------------------------------------------------------------------------------------


def shipped_orders(*, platform: str, day: date, shop_id: int | None = None) -> QuerySet[Order]:
    """Orders of the platform we shipped on `day` (shop time) with a tracking number, in shipping order. A
    replacement parcel (补发/换货) is left out: the platform's order it ships for was shipped (and written) before,
    and the platform's bulk-ship upload takes no second, free parcel of it."""
    start = timezone.make_aware(datetime.combine(day, time.min))
    qs = Order.objects.filter(
        platform=platform,
        status__in=SHIPPED_STATUSES,
        shipped_at__gte=start,
        shipped_at__lt=start + timedelta(days=1),
        is_replacement=False,
    ).exclude(tracking_no="")
    if shop_id is not None:
        qs = qs.filter(shop_id=shop_id)
    return qs.order_by("shipped_at", "id")


def tracking_shipments(*, platform: str, day: date, shop_id: int | None = None) -> list[Shipment]:
    """The day's tracking numbers by platform order number; a part (拆单) is written under its order's number,
    as the platform's second tracking number of that order."""
    return [
        Shipment(
            order_no=o.split_from.platform_order_no if o.split_from else o.platform_order_no,
            carrier=o.carrier,
            tracking_no=o.tracking_no,
        )
        for o in shipped_orders(platform=platform, day=day, shop_id=shop_id).select_related("split_from")
    ]
