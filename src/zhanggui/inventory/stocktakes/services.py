"""Writes of stocktakes (盘点): count sheets, counts typed, scanned or uploaded, booking, cancelling.

This module decides a count sheet's rules: which SKUs a new sheet lists (those with stock history in the
warehouse, or a category's), that only an open sheet takes counts, what booking does with the lines nobody
counted (the desk chooses: left out or zero), and that a difference is booked against on hand at booking
time, not when the sheet was made. The differences are booked through inventory.services.apply_moves.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhanggui.catalog.models import Category, Sku
from zhanggui.core import roles
from zhanggui.core.services import record_audit
from zhanggui.inventory import limits
from zhanggui.inventory.errors import InsufficientStock, InvalidState, OutOfLimits, StockRuleBroken
from zhanggui.inventory.models import (
    MoveReason,
    StockBalance,
    Stocktake,
    StocktakeLine,
    StocktakeStatus,
    Warehouse,
)
from zhanggui.inventory.services import MoveSpec, apply_moves, check_line_quantity, provisional_number, require_skus


@transaction.atomic
def create_stocktake(
    *, actor: Any, warehouse: Warehouse, category: Category | None = None, blind: bool = False
) -> Stocktake:
    """A count sheet: every SKU with stock history in the warehouse (or every SKU of a category).

    A blind sheet hides the quantities on the books from the counters' pages until it is booked, so what is
    written down is what is on the shelf, not what the screen expects.
    """
    roles.require(actor, roles.BOOK_STOCK)
    take = Stocktake.objects.create(
        number=provisional_number(), warehouse=warehouse, category=category, created_by=actor, blind=blind
    )
    take.number = f"ST{take.pk:06d}"
    take.save(update_fields=["number"])
    on_hand = dict(StockBalance.objects.filter(warehouse=warehouse).values_list("sku_id", "on_hand"))
    if category is not None:
        skus = Sku.objects.filter(product__category=category)
    else:
        skus = Sku.objects.filter(pk__in=list(on_hand))
    StocktakeLine.objects.bulk_create(
        [
            StocktakeLine(stocktake=take, sku_id=pk, expected=on_hand.get(pk, 0), unit_cost=cost)
            for pk, cost in skus.values_list("pk", "cost")
        ]
    )
    return take


@transaction.atomic
def enter_counts(*, actor: Any, stocktake: Stocktake, counts: Mapping[int, int | None]) -> int:
    """Record counts by SKU id (a SKU found but not on the sheet gets a line); returns the lines set."""
    roles.require(actor, roles.BOOK_STOCK)
    take = _open_stocktake(stocktake)
    lines = {line.sku_id: line for line in take.lines.all()}
    for sku_id, counted in counts.items():
        if counted is not None:
            check_line_quantity(counted, what=str(sku_id), maximum=limits.MAX_COUNT)
    require_skus(int(sku_id) for sku_id in counts if int(sku_id) not in lines)
    changed = 0
    for sku_id, counted in counts.items():
        if counted is not None and counted < 0:
            raise StockRuleBroken(_("A count cannot be negative."))
        line = lines.get(int(sku_id))
        if line is None:
            sku = Sku.objects.get(pk=sku_id)
            expected = (
                StockBalance.objects.filter(sku=sku, warehouse=take.warehouse).values_list("on_hand", flat=True).first()
                or 0
            )
            StocktakeLine.objects.create(
                stocktake=take, sku=sku, expected=expected, counted=counted, unit_cost=sku.cost
            )
            changed += 1
        elif line.counted != counted:
            line.counted = counted
            line.save(update_fields=["counted"])
            changed += 1
    return changed


def _open_stocktake(stocktake: Stocktake) -> Stocktake:
    """The sheet locked for a change; only an open (counting) sheet takes counts or is booked."""
    take = Stocktake.objects.select_for_update().get(pk=stocktake.pk)
    if take.status != StocktakeStatus.OPEN:
        raise InvalidState(
            _("Stocktake %(st)s is already %(status)s.") % {"st": take.number, "status": take.get_status_display()}
        )
    return take


def _on_hand(sku_id: int, warehouse_id: int) -> int:
    return (
        StockBalance.objects.filter(sku_id=sku_id, warehouse_id=warehouse_id).values_list("on_hand", flat=True).first()
        or 0
    )


@transaction.atomic
def count_scanned(*, actor: Any, stocktake: Stocktake, sku: Sku, units: int = 1) -> StocktakeLine:
    """Counting by scanning: one scan adds `units` to the SKU's count (a blank count starts at 0); a SKU not
    on the sheet gets a line. The increment happens under the sheet's lock, so two scanners never lose one."""
    roles.require(actor, roles.BOOK_STOCK)
    take = _open_stocktake(stocktake)
    if check_line_quantity(units, what=sku.code, maximum=limits.MAX_COUNT) <= 0:
        raise StockRuleBroken(_("A scan adds at least one unit."))
    line = take.lines.filter(sku=sku).first()
    if line is None:
        return StocktakeLine.objects.create(
            stocktake=take, sku=sku, expected=_on_hand(sku.pk, take.warehouse_id), counted=units, unit_cost=sku.cost
        )
    counted = (line.counted or 0) + units
    if counted > limits.MAX_COUNT:
        raise OutOfLimits(
            _("%(what)s: %(quantity)s units is beyond the limit of %(limit)s per line.")
            % {"what": sku.code, "quantity": counted, "limit": limits.MAX_COUNT},
            limit=limits.MAX_COUNT,
            quantity=counted,
        )
    line.counted = counted
    line.save(update_fields=["counted"])
    return line


# What booking does with the lines nobody counted; the desk always asks, never picks one silently.
UNCOUNTED_LEAVE_OUT = "leave_out"  # not counted: not booked, their stock stays as it is
UNCOUNTED_ZERO = "zero"  # counted as zero: their whole on hand is booked out
UNCOUNTED_CHOICES = (UNCOUNTED_LEAVE_OUT, UNCOUNTED_ZERO)


@dataclass(frozen=True)
class StocktakeReport:
    gain_units: int
    gain_value: Decimal
    loss_units: int
    loss_value: Decimal

    @property
    def net_value(self) -> Decimal:
        return self.gain_value - self.loss_value

    @property
    def loss_value_signed(self) -> Decimal:
        """The loss as the money it is: −¥80.00."""
        return -self.loss_value


@transaction.atomic
def book_stocktake(*, actor: Any, stocktake: Stocktake, uncounted: str = UNCOUNTED_LEAVE_OUT) -> StocktakeReport:
    """Book counted − on hand (at booking time) for each counted line as a stocktake move.

    The difference is taken against on hand now, not when the sheet was made, so moves booked while people
    were counting are not counted twice. Lines left uncounted are left out (UNCOUNTED_LEAVE_OUT) or counted
    as zero (UNCOUNTED_ZERO: their count becomes 0 and their on hand is booked out); the choice is in the
    audit trail.
    """
    roles.require(actor, roles.BOOK_STOCK)
    if uncounted not in UNCOUNTED_CHOICES:
        raise StockRuleBroken(_("Say what to do with the lines nobody counted: leave them out or book zero."))
    take = _open_stocktake(stocktake)
    lines = list(take.lines.select_related("sku"))
    left = [line for line in lines if line.counted is None]
    if uncounted == UNCOUNTED_ZERO:
        for line in left:
            line.counted = 0
    lines = [line for line in lines if line.counted is not None]
    on_hand = dict(
        StockBalance.objects.filter(warehouse=take.warehouse, sku_id__in=[ln.sku_id for ln in lines]).values_list(
            "sku_id", "on_hand"
        )
    )
    moves = []
    for line in lines:
        assert line.counted is not None  # only counted lines were selected
        line.booked_difference = line.counted - on_hand.get(line.sku_id, 0)
        if line.booked_difference:
            moves.append(MoveSpec(line.sku_id, take.warehouse_id, line.booked_difference, line.unit_cost))
    try:
        with transaction.atomic():
            apply_moves(moves, actor=actor, reason=MoveReason.STOCKTAKE, document=take.number)
    except (InsufficientStock, IntegrityError) as exc:
        raise StockRuleBroken(
            _("A count is below the units reserved for orders; release or ship them first. (%(error)s)")
            % {"error": getattr(exc, "message", exc)}
        ) from exc
    StocktakeLine.objects.bulk_update(lines, ["counted", "booked_difference"])
    take.status, take.booked_by, take.booked_at = StocktakeStatus.BOOKED, actor, timezone.now()
    take.save(update_fields=["status", "booked_by", "booked_at"])
    if left:
        record_audit(
            actor=actor,
            action="stocktake.book",
            obj=take,
            after={"uncounted": uncounted, "uncounted_lines": len(left)},
        )
    return stocktake_report(take)


def stocktake_report(take: Stocktake) -> StocktakeReport:
    gain_units = loss_units = 0
    gain_value = loss_value = Decimal("0.00")
    for line in take.lines.all():
        diff = (
            line.booked_difference
            if line.booked_difference is not None
            else ((line.counted - line.expected) if line.counted is not None else 0)
        )
        if diff > 0:
            gain_units += diff
            gain_value += diff * line.unit_cost
        elif diff < 0:
            loss_units += -diff
            loss_value += -diff * line.unit_cost
    return StocktakeReport(gain_units, gain_value, loss_units, loss_value)


@transaction.atomic
def cancel_stocktake(*, actor: Any, stocktake: Stocktake) -> Stocktake:
    roles.require(actor, roles.BOOK_STOCK)
    take = Stocktake.objects.select_for_update().get(pk=stocktake.pk)
    if take.status != StocktakeStatus.OPEN:
        raise InvalidState(_("Only an open stocktake can be cancelled."))
    take.status = StocktakeStatus.CANCELLED
    take.save(update_fields=["status"])
    return take
