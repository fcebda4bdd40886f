"""Waves (波次): the allocated orders of one warehouse, picked together before a cut-off, with one pick list.

"Due" is kept simple: a wave takes every allocated order whose reservation is in its warehouse. An allocated
order is by definition in no wave yet, because taking it into a wave moves it to picking; an order that comes
back to allocated (held, released, allocated again) joins the next wave afresh. The cut-off only names the
wave: the first of the warehouse's cut-offs (default 11:00 and 15:00, shop time) at or after its creation.

An order's warehouse is read from its active reservation rows in the inventory (reference `order:<pk>`): the
one holding most of its units (ties: the warehouse first by priority). An order split over two warehouses is
therefore picked whole in one of them; the pick list says so by its lines, not by a warning (rare: a shop's
warehouse choice serves each line from one warehouse).

The pick list is a walk through the warehouse: by bin location (inventory.selectors.locations_for, in natural
order: A-2 before A-10), then SKU code; SKUs without a location in the wave's warehouse come last.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import IO, Any

from django.db import transaction
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from zhanggui.catalog.models import Sku
from zhanggui.core import roles
from zhanggui.inventory import selectors as stock_selectors
from zhanggui.inventory.models import Warehouse
from zhanggui.orders import services
from zhanggui.orders.errors import OrderRuleBroken
from zhanggui.orders.models import (
    SHIPPED_STATUSES,
    Order,
    OrderLine,
    OrderStatus,
    PackScan,
    Wave,
    WaveCutoff,
    WaveOrder,
    WaveStatus,
)

S = OrderStatus
DEFAULT_CUTOFFS = (time(11, 0), time(15, 0))
#: Orders of a wave still to work on: while any is here, the wave is not done.
OPEN_STATUSES = (S.PICKING, S.PACKED)
#: Orders whose units are on the pick list: held and cancelled orders are left out.
PICK_STATUSES = (S.PICKING, S.PACKED, *SHIPPED_STATUSES)
ORDER_PREFIX = "order:"


# --------------------------------------------------------------------------------------------------------
# Cut-offs
# --------------------------------------------------------------------------------------------------------


def cutoff_times(warehouse: Warehouse) -> list[time]:
    """The warehouse's daily cut-offs, earliest first; the defaults when none is set."""
    times = list(WaveCutoff.objects.filter(warehouse=warehouse).order_by("time").values_list("time", flat=True))
    return times or list(DEFAULT_CUTOFFS)


def cutoffs_by_warehouse(warehouses: Iterable[Warehouse]) -> dict[int, list[time]]:
    """cutoff_times for several warehouses in one query."""
    found: dict[int, list[time]] = defaultdict(list)
    ids = [w.pk for w in warehouses]
    for wh_id, at in (
        WaveCutoff.objects.filter(warehouse_id__in=ids).order_by("time").values_list("warehouse_id", "time")
    ):
        found[wh_id].append(at)
    return {wh_id: found.get(wh_id) or list(DEFAULT_CUTOFFS) for wh_id in ids}


@transaction.atomic
def set_cutoffs(*, actor: Any, warehouse: Warehouse, times: Sequence[time]) -> list[time]:
    """Replace the warehouse's cut-offs (none given: back to the defaults)."""
    roles.require(actor, roles.FULFIL_ORDERS)
    clean = sorted({t.replace(second=0, microsecond=0) for t in times})
    WaveCutoff.objects.filter(warehouse=warehouse).delete()
    WaveCutoff.objects.bulk_create([WaveCutoff(warehouse=warehouse, time=t) for t in clean])
    return clean or list(DEFAULT_CUTOFFS)


def next_cutoff(warehouse: Warehouse, at: datetime, times: Sequence[time] | None = None) -> datetime:
    """The first cut-off at or after `at` (shop time); after the day's last one, tomorrow's first."""
    times = sorted(times if times is not None else cutoff_times(warehouse))
    local = timezone.localtime(at)
    for day in (local.date(), local.date() + timedelta(days=1)):
        for cut in times:
            moment = timezone.make_aware(datetime.combine(day, cut))
            if moment >= at:
                return moment
    raise AssertionError("unreachable: a warehouse always has a cut-off")  # pragma: no cover


# --------------------------------------------------------------------------------------------------------
# Selectors
# --------------------------------------------------------------------------------------------------------


def order_warehouses() -> dict[int, int]:
    """Order id → the warehouse holding most of its active reservation (ties: priority, then code), from the
    inventory's reservations under `order:<pk>`."""
    units: dict[int, dict[int, int]] = {}
    for reference, by_warehouse in stock_selectors.held_units_by_reference(ORDER_PREFIX).items():
        tail = reference[len(ORDER_PREFIX) :]
        if tail.isdigit():
            units[int(tail)] = by_warehouse
    if not units:
        return {}
    rank = stock_selectors.warehouse_rank()
    return {
        order_id: min(by_wh, key=lambda wh: (-by_wh[wh], rank.get(wh, len(rank)))) for order_id, by_wh in units.items()
    }


def waiting_order_ids(warehouse: Warehouse | None = None) -> dict[int, list[int]]:
    """Warehouse id → the allocated orders (ids) a wave there would take now."""
    where = order_warehouses()
    # A merged order (合单) goes with its main order: create_wave takes it along.
    alone = Q(merged_into__isnull=True) | Q(merged_into__status__in=services.DONE_STATUSES)
    allocated = Order.objects.filter(alone, status=S.ALLOCATED, pk__in=list(where)).values_list("pk", flat=True)
    found: dict[int, list[int]] = defaultdict(list)
    for pk in allocated:
        if warehouse is None or where[pk] == warehouse.pk:
            found[where[pk]].append(pk)
    return dict(found)


def waves(*, warehouse: Warehouse | None = None) -> QuerySet[Wave]:
    """Waves, the newest first, with their order counts (`order_count`, `open_count`)."""
    qs = Wave.objects.select_related("warehouse", "created_by").annotate(
        order_count=Count("wave_orders", distinct=True),
        open_count=Count("wave_orders", filter=Q(wave_orders__order__status__in=OPEN_STATUSES), distinct=True),
    )
    return qs.filter(warehouse=warehouse) if warehouse is not None else qs


def wave_orders(wave: Wave) -> list[Order]:
    """The wave's parcels, the most urgent first, each with `parcel_lines`: the lines it packs (its own, a part's,
    and those of the orders merged into it, which are packed and shipped with it and not listed on their own)."""
    orders = list(
        Order.objects.filter(wave_links__wave=wave)
        .exclude(merged_into__wave_links__wave=wave)
        .select_related("shop")
        .order_by("ship_by", "id")
    )
    carried = list(Order.objects.filter(merged_into__in=orders, wave_links__wave=wave).order_by("paid_at", "id"))
    members: dict[int, list[Order]] = defaultdict(list)
    for other in carried:
        members[other.merged_into_id].append(other)
    ids = [order.pk for order in (*orders, *carried)]
    own: dict[int, list[OrderLine]] = defaultdict(list)
    shipped_by_part: dict[int, list[OrderLine]] = defaultdict(list)
    for line in OrderLine.objects.filter(Q(order_id__in=ids, ships_in__isnull=True) | Q(ships_in_id__in=ids)):
        if line.ships_in_id is not None:
            shipped_by_part[line.ships_in_id].append(line)
        else:
            own[line.order_id].append(line)
    for order in orders:
        order.parcel_lines = []
        for member in (order, *members[order.pk]):
            lines = shipped_by_part[member.pk] if member.split_from_id else own[member.pk]
            for line in sorted(lines, key=lambda line: (line.position, line.pk)):
                line.parcel_of = "" if member is order else member.platform_order_no
                order.parcel_lines.append(line)
    return orders


def wave_of(order: Order) -> Wave | None:
    """The order's latest wave (it joins a new one only after being allocated again)."""
    link = WaveOrder.objects.filter(order=order).select_related("wave__warehouse").order_by("-id").first()
    return link.wave if link else None


@dataclass(frozen=True)
class PickLine:
    """One row of the pick list: a SKU, where it is shelved in the wave's warehouse ("" when nowhere yet), and
    how many units of it the wave's orders need."""

    sku: Sku
    quantity: int
    orders: int
    location: str = ""


def pick_list(wave: Wave) -> list[PickLine]:
    """Σ quantities of the wave's orders by SKU, in walk order: by location, then SKU code; SKUs without a
    location last, by SKU code (held and cancelled orders left out)."""
    # A line is picked by the order that ships it: its own order, or the part (拆单) it names.
    in_wave = WaveOrder.objects.filter(wave=wave, order__status__in=PICK_STATUSES).values("order_id")
    rows = (
        OrderLine.objects.filter(Q(ships_in__isnull=True, order_id__in=in_wave) | Q(ships_in_id__in=in_wave))
        .filter(sku__isnull=False)
        .values("sku_id")
        .annotate(quantity=Sum("quantity"), orders=Count("order_id", distinct=True))
    )
    totals = {row["sku_id"]: row for row in rows}
    skus = Sku.objects.filter(pk__in=list(totals)).select_related("product").order_by("code", "pk")
    places = stock_selectors.locations_for(wave.warehouse_id, list(totals))
    lines = [
        PickLine(
            sku=sku,
            quantity=totals[sku.pk]["quantity"],
            orders=totals[sku.pk]["orders"],
            location=places.get(sku.pk, ""),
        )
        for sku in skus
    ]
    # sorted() keeps the SKU-code order within one location and among the SKUs without one.
    return sorted(lines, key=lambda line: (not line.location, stock_selectors.location_sort_key(line.location)))


PICK_HEADER = ("Location", "SKU code", "Barcode", "Product", "Spec", "Quantity", "Orders")


def write_pick_list_xlsx(wave: Wave, out: IO[bytes]) -> int:
    """The pick list as an XLSX sheet in walk order (codes kept as text); returns the number of SKU rows."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=wave.number[:31])
    sheet.append([_("Location"), _("SKU code"), _("Barcode"), _("Product"), _("Spec"), _("Quantity"), _("Orders")])
    lines = pick_list(wave)
    nowhere = _("No location")
    for line in lines:
        texts = []
        for value in (line.location or nowhere, line.sku.code, line.sku.barcode, line.sku.product.title, line.sku.spec):
            cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", value))
            cell.data_type = "s"  # a barcode stays text (no 6.9E+12), a title starting with "=" no formula
            texts.append(cell)
        sheet.append([*texts, line.quantity, line.orders])
    sheet.append([])
    sheet.append([_("Total"), "", "", "", "", sum(line.quantity for line in lines), ""])
    book.save(out)
    return len(lines)


# --------------------------------------------------------------------------------------------------------
# Services
# --------------------------------------------------------------------------------------------------------


def _number(warehouse: Warehouse, cut_off: datetime) -> str:
    base = f"{warehouse.code}-{timezone.localtime(cut_off):%Y%m%d-%H%M}"
    taken = set(Wave.objects.filter(number__startswith=base).values_list("number", flat=True))
    number, n = base, 1
    while number in taken:
        n += 1
        number = f"{base}-{n}"
    return number


@transaction.atomic
def create_wave(*, actor: Any, warehouse: Warehouse, at: datetime | None = None) -> Wave:
    """Take every allocated order of the warehouse into a new wave and move them to picking (the wave stays
    open until its picking is started). Refuses when no order is waiting."""
    roles.require(actor, roles.FULFIL_ORDERS)
    at = at or timezone.now()
    ids = waiting_order_ids(warehouse).get(warehouse.pk, [])
    # Locked and read again: an order cancelled or taken by another wave meanwhile is left out.
    orders = list(Order.objects.select_for_update().filter(pk__in=ids, status=S.ALLOCATED).order_by("ship_by", "id"))
    carried = list(Order.objects.filter(merged_into__in=orders, status=S.ALLOCATED))  # they go with their main
    if not orders:
        raise OrderRuleBroken(
            _("No allocated order is waiting in warehouse %(wh)s: allocate orders first.") % {"wh": warehouse.name}
        )
    cut_off = next_cutoff(warehouse, at)
    wave = Wave(number=_number(warehouse, cut_off), warehouse=warehouse, cut_off=cut_off, created_by=actor)
    wave.full_clean()
    wave.save()
    WaveOrder.objects.bulk_create([WaveOrder(wave=wave, order=order) for order in [*orders, *carried]])
    # Scans of an earlier round (the order went back before it was packed) do not count for this one.
    # A part's lines are the platform order's, shipped in the part (ships_in): its scans are found through it.
    taken = [*orders, *carried]
    PackScan.objects.filter(
        Q(line__order__in=taken, line__ships_in__isnull=True) | Q(line__ships_in__in=taken)
    ).delete()
    reason = _("in wave %(wave)s") % {"wave": wave.number}
    for order in orders:
        services.transition(actor=actor, order=order, to=S.PICKING, reason=reason)
    return wave


@transaction.atomic
def start_picking(*, actor: Any, wave: Wave) -> Wave:
    """The pick list is in the pickers' hands: open → picking (nothing else changes)."""
    roles.require(actor, roles.FULFIL_ORDERS)
    wave = Wave.objects.select_for_update().get(pk=wave.pk)
    if wave.status == WaveStatus.OPEN:
        wave.status = WaveStatus.PICKING
        wave.save(update_fields=["status"])
    return wave


def finish_waves(waves_: Iterable[Wave]) -> list[Wave]:
    """Mark done the waves none of whose orders is still to pack or ship; returns those it marked."""
    done = []
    for wave in waves_:
        if wave.status == WaveStatus.DONE:
            continue
        if not Order.objects.filter(wave_links__wave=wave, status__in=OPEN_STATUSES).exists():
            Wave.objects.filter(pk=wave.pk).update(status=WaveStatus.DONE)
            wave.status = WaveStatus.DONE
            done.append(wave)
    return done


def finish_waves_of(order: Order) -> list[Wave]:
    return finish_waves(Wave.objects.filter(wave_orders__order=order).exclude(status=WaveStatus.DONE))
