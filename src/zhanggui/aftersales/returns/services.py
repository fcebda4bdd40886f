"""Returns (退货): the buyer's return parcel, and the warehouse receiving it (退货入库).

客服 records the return's carrier and tracking number once the buyer sent it (record_return_sent): the case's
clock moves from "the buyer sends the tracking number" to "we confirm the returned parcel". The warehouse scans
the parcel by that tracking number, the order number or the case number (expected_returns), grades each unit
resellable (良品) or defective (次品) and receives it (receive_return): resellable units go back to available
stock in the warehouse the order shipped from, defective ones to the quarantine warehouse (次品仓,
inventory.services.defective_warehouse), whose stock is counted but never sold. Stock moves only through
inventory.services (MoveReason.RETURN), one move per graded line, in the transaction that writes the receipt.

Which cases take a parcel: a return or an exchange that is agreed, and also one still open (the parcel may come
before anyone answered the case) or already refunded (a platform's quick refund, 极速退款, pays before the
parcel is back). Rejected and closed cases take none: a parcel for them is a person's question, not a booking.
Receiving never changes the case's status: 客服 refunds (or sends the exchange) on the case page.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from zhanggui.aftersales import locks, services
from zhanggui.aftersales.deadlines import RETURN_KINDS, apply_deadline
from zhanggui.aftersales.errors import CaseRuleBroken, ReturnRefused
from zhanggui.aftersales.models import (
    AfterSaleCase,
    CaseLine,
    CaseStatus,
    ReturnGrade,
    ReturnLine,
    ReturnReceipt,
)
from zhanggui.core import roles
from zhanggui.core.services import record_audit
from zhanggui.core.text import clean_line, code_error
from zhanggui.inventory import selectors as stock_selectors
from zhanggui.inventory import services as stock
from zhanggui.inventory.models import MoveReason, Warehouse

S = CaseStatus
#: The statuses in which a return or exchange case takes its parcel (see the module's docstring).
RECEIVABLE = (S.OPEN, S.AGREED, S.REFUNDED)
CARRIER_LENGTH = AfterSaleCase._meta.get_field("return_carrier").max_length or 64
TRACKING_LENGTH = AfterSaleCase._meta.get_field("return_tracking_no").max_length or 64
NOTE_LENGTH = ReturnReceipt._meta.get_field("note").max_length or 255


def _aware(moment: datetime | None) -> datetime:
    if moment is None:
        return timezone.now()
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def _tracking(value: str) -> str:
    number = clean_line(value or "").strip()
    if not number:
        raise CaseRuleBroken(_("Give the return's tracking number."))
    if len(number) > TRACKING_LENGTH:
        raise CaseRuleBroken(_("A tracking number is at most %(n)s characters.") % {"n": TRACKING_LENGTH})
    error = code_error(number, _("tracking number"))
    if error is not None:
        raise CaseRuleBroken(error.messages[0])
    return number


# --------------------------------------------------------------------------------------------------------
# The buyer's return parcel
# --------------------------------------------------------------------------------------------------------


@transaction.atomic
def record_return_sent(
    *, actor: Any, case: AfterSaleCase, carrier: str, tracking_no: str, at: datetime | None = None
) -> AfterSaleCase:
    """The buyer sent the return (退货物流) of an agreed return or exchange: its carrier and tracking number, and
    when. The clock moves to "we confirm the returned parcel", counted from the sending. Given again (the buyer
    typed a wrong number), the new parcel replaces the old one."""
    roles.require(actor, roles.HANDLE_CASES)
    carrier = clean_line(carrier or "").strip()
    if not carrier:
        raise CaseRuleBroken(_("Give the return's carrier."))
    if len(carrier) > CARRIER_LENGTH:
        raise CaseRuleBroken(_("A carrier is at most %(n)s characters.") % {"n": CARRIER_LENGTH})
    number = _tracking(tracking_no)
    case = locks.lock_case(case.pk)
    if case.kind not in RETURN_KINDS:
        raise CaseRuleBroken(
            _("Case %(no)s is a %(kind)s: no parcel comes back.") % {"no": case.number, "kind": case.get_kind_display()}
        )
    if case.status != S.AGREED:
        raise CaseRuleBroken(
            _("Case %(no)s is %(status)s: the buyer sends the return once the case is agreed.")
            % {"no": case.number, "status": case.get_status_display().lower()}
        )
    sent_at = _aware(at)
    before = {
        "return_carrier": case.return_carrier,
        "return_tracking_no": case.return_tracking_no,
        "return_sent_at": case.return_sent_at,
        "deadline": case.deadline,
    }
    case.return_carrier, case.return_tracking_no, case.return_sent_at = carrier, number, sent_at
    # A new stage: the platform's deadline given for the tracking number no longer holds.
    case.platform_deadline = None
    case.clock_started_at = sent_at
    apply_deadline(case)
    case.updated_at = timezone.now()
    case.save(
        update_fields=[
            "return_carrier",
            "return_tracking_no",
            "return_sent_at",
            "platform_deadline",
            "clock_started_at",
            "deadline",
            "deadline_source",
            "deadline_rule",
            "updated_at",
        ]
    )
    text = _("return sent: %(carrier)s %(tracking)s") % {"carrier": carrier, "tracking": number}
    services.timeline_note(case, actor=actor, text=text)
    after = {
        "return_carrier": carrier,
        "return_tracking_no": number,
        "return_sent_at": sent_at,
        "deadline": case.deadline,
    }
    record_audit(actor=actor, action="aftersale_case.return_sent", obj=case, before=before, after=after)
    return case


# --------------------------------------------------------------------------------------------------------
# What the warehouse scans: the cases that still expect units back
# --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExpectedLine:
    """A case line as the warehouse sees it: the SKU, the units the case asked back and those already received."""

    case_line: CaseLine
    asked: int
    received: int

    @property
    def left(self) -> int:
        return max(self.asked - self.received, 0)

    @property
    def sku_code(self) -> str:
        line = self.case_line.order_line
        return line.sku.code if line.sku is not None else line.sku_code

    @property
    def title(self) -> str:
        return self.case_line.order_line.title


@dataclass(frozen=True)
class ExpectedReturn:
    case: AfterSaleCase
    lines: list[ExpectedLine]

    @property
    def left(self) -> int:
        return sum(line.left for line in self.lines)


def received_by_line(case_line_ids: Iterable[int]) -> dict[int, int]:
    """Units received so far per case line (every receipt, both grades)."""
    rows = (
        ReturnLine.objects.filter(case_line_id__in=list(case_line_ids))
        .values("case_line_id")
        .annotate(n=Sum("quantity"))
        .order_by()
    )
    return {row["case_line_id"]: row["n"] for row in rows}


def _scan_filter(q: str) -> Q:
    """What a scanned or typed code can be: the return's tracking number, the order's number, the platform's
    refund number or AS-<id>."""
    found = Q(return_tracking_no__iexact=q) | Q(order__platform_order_no=q) | Q(platform_refund_no=q)
    number = q.upper().removeprefix("AS-")
    if q.upper().startswith("AS-") and number.isdigit() and len(number) <= 18:
        found |= Q(pk=int(number))
    return found


def expected_returns(q: str) -> list[ExpectedReturn]:
    """The return and exchange cases a scan names that may take a parcel (RECEIVABLE), newest first, each line
    with the units still expected; empty for an empty scan."""
    q = clean_line(q or "").strip()
    if not q or len(q) > TRACKING_LENGTH or code_error(q, "q") is not None:
        return []
    cases = list(
        AfterSaleCase.objects.filter(_scan_filter(q), kind__in=RETURN_KINDS, status__in=RECEIVABLE)
        .select_related("shop", "order")
        .order_by("-created_at", "-pk")[:20]
    )
    return [expected_return(case) for case in cases]


def expected_return(case: AfterSaleCase) -> ExpectedReturn:
    """One case with what each of its unit lines still expects back (money-only lines left out)."""
    lines = list(
        CaseLine.objects.filter(case=case, quantity__gt=0)
        .select_related("order_line__sku")
        .order_by("order_line__position", "order_line_id")
    )
    received = received_by_line(cl.pk for cl in lines)
    return ExpectedReturn(case, [ExpectedLine(cl, cl.quantity, received.get(cl.pk, 0)) for cl in lines])


def receipts_of(case: AfterSaleCase) -> list[ReturnReceipt]:
    """The case's receipts, newest first, with their graded lines, warehouses and who received them."""
    return list(
        ReturnReceipt.objects.filter(case=case)
        .select_related("received_by")
        .prefetch_related("lines__case_line__order_line__sku", "lines__warehouse")
        .order_by("-received_at", "-pk")
    )


# --------------------------------------------------------------------------------------------------------
# Receiving
# --------------------------------------------------------------------------------------------------------


def _items(items: Iterable[tuple[int, str, int]]) -> dict[tuple[int, str], int]:
    wanted: dict[tuple[int, str], int] = defaultdict(int)
    for line_id, grade, quantity in items:
        if grade not in ReturnGrade.values:
            raise ReturnRefused(_("Unknown grade: %(grade)s") % {"grade": grade})
        if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 0:
            raise ReturnRefused(_("A quantity is a whole number of units, not %(n)s.") % {"n": quantity})
        if quantity:
            wanted[(int(line_id), grade)] += quantity
    if not wanted:
        raise ReturnRefused(_("Nothing to receive: give the units that came back."))
    return dict(wanted)


def _line_name(case_line: CaseLine) -> str:
    line = case_line.order_line
    return (line.sku.code if line.sku is not None else line.sku_code) or line.title or line.sub_order_id


def _resellable_to(case: AfterSaleCase, case_line: CaseLine, chosen: Warehouse | None, shipped: dict) -> Warehouse:
    """The warehouse chosen, else the one that shipped the line's units, else the first sellable one."""
    if chosen is not None:
        return chosen
    line = case_line.order_line
    reference = f"order:{line.ships_in_id or case.order_id}"  # orders.Order.reservation_reference
    if reference not in shipped:
        shipped[reference] = stock_selectors.issued_from(reference)
    warehouse_id = shipped[reference].get(line.sku_id)
    warehouse = Warehouse.objects.filter(pk=warehouse_id, is_active=True, sellable=True).first()
    warehouse = warehouse or stock_selectors.first_sellable_warehouse()
    if warehouse is None:
        raise ReturnRefused(_("No active sellable warehouse takes the resellable units: create one first."))
    return warehouse


@transaction.atomic
def receive_return(
    *,
    actor: Any,
    case: AfterSaleCase,
    items: Iterable[tuple[int, str, int]],
    note: str = "",
    warehouse: Warehouse | None = None,
    tracking_no: str = "",
) -> ReturnReceipt:
    """退货入库: book the units of a return parcel, each case line's units graded (case line id, grade, units).

    Resellable units go back to the warehouse the order shipped them from (or `warehouse` when chosen),
    defective ones to the 次品仓; never more per line than the case still expects (asked − received), checked
    with the case locked, so two scans of the same parcel at once cannot receive the same units twice. One
    ReturnReceipt, a ReturnLine and a stock move per graded line, a line on the case's timeline, an audit row."""
    roles.require(actor, roles.BOOK_STOCK)
    wanted = _items(items)
    if warehouse is not None and not (warehouse.sellable and warehouse.is_active):
        raise ReturnRefused(
            _("%(warehouse)s does not sell its stock: resellable units go to a sellable warehouse.")
            % {"warehouse": warehouse}
        )
    case = locks.lock_case(case.pk)
    if case.kind not in RETURN_KINDS:
        raise ReturnRefused(
            _("Case %(no)s is a %(kind)s: no parcel comes back.") % {"no": case.number, "kind": case.get_kind_display()}
        )
    if case.status not in RECEIVABLE:
        raise ReturnRefused(
            _("Case %(no)s is %(status)s: it takes no returned parcel.")
            % {"no": case.number, "status": case.get_status_display().lower()}
        )
    lines = {cl.pk: cl for cl in CaseLine.objects.filter(case=case).select_related("order_line__sku")}
    received = received_by_line(lines)  # read under the case's lock: counts every receipt committed before
    per_line: dict[int, int] = defaultdict(int)
    for (line_id, _grade), quantity in wanted.items():
        if line_id not in lines:
            raise ReturnRefused(_("Line %(id)s is not a line of case %(no)s.") % {"id": line_id, "no": case.number})
        per_line[line_id] += quantity
    for line_id in sorted(per_line):
        case_line, now = lines[line_id], per_line[line_id]
        before = received.get(line_id, 0)
        if now > case_line.quantity - before:
            raise ReturnRefused(
                _(
                    "%(sku)s: %(now)s units received now, but case %(no)s asked %(asked)s back and %(before)s came "
                    "before: at most %(left)s."
                )
                % {
                    "sku": _line_name(case_line),
                    "now": now,
                    "no": case.number,
                    "asked": case_line.quantity,
                    "before": before,
                    "left": max(case_line.quantity - before, 0),
                },
                line=line_id,
                asked=case_line.quantity,
                received=before,
                now=now,
            )
        if case_line.order_line.sku_id is None:
            raise ReturnRefused(
                _("%(sku)s is not a SKU of the catalog: its units cannot be booked.") % {"sku": _line_name(case_line)}
            )
    receipt = ReturnReceipt(
        case=case,
        tracking_no=_tracking(tracking_no) if (tracking_no or "").strip() else case.return_tracking_no,
        received_by=actor,
        received_at=timezone.now(),
        note=clean_line(note or "").strip()[:NOTE_LENGTH],
    )
    receipt.full_clean()
    receipt.save()
    defective: Warehouse | None = None
    shipped: dict[str, dict[int, int]] = {}
    made: list[ReturnLine] = []
    for (line_id, grade), quantity in sorted(wanted.items()):
        case_line = lines[line_id]
        sku = case_line.order_line.sku
        if sku is None:  # refused above, before anything was written; kept for the type checker
            continue
        if grade == ReturnGrade.DEFECTIVE:
            defective = defective or stock.defective_warehouse()
            target = defective
        else:
            target = _resellable_to(case, case_line, warehouse, shipped)
        move = stock.book_move(
            actor=actor,
            sku=sku,
            warehouse=target,
            quantity=quantity,
            reason=MoveReason.RETURN,
            document=case.number,
            note=_("return %(receipt)s, %(grade)s") % {"receipt": receipt, "grade": ReturnGrade(grade).label},
        )
        made.append(
            ReturnLine(
                receipt=receipt, case_line=case_line, grade=grade, quantity=quantity, warehouse=target, move=move
            )
        )
    ReturnLine.objects.bulk_create(made)
    good = sum(r.quantity for r in made if r.grade == ReturnGrade.RESELLABLE)
    bad = sum(r.quantity for r in made if r.grade == ReturnGrade.DEFECTIVE)
    text = _("return received: %(good)s resellable, %(bad)s defective") % {"good": good, "bad": bad}
    if receipt.note:
        text = f"{text} · {receipt.note}"
    services.timeline_note(case, actor=actor, text=text, at=receipt.received_at)
    AfterSaleCase.objects.filter(pk=case.pk).update(updated_at=timezone.now())
    parts = ", ".join(f"{_line_name(r.case_line)} {r.quantity} {r.grade} → {r.warehouse.code}" for r in made)
    record_audit(
        actor=actor,
        action="aftersale_case.receive",
        obj=case,
        after={"receipt": str(receipt), "resellable": good, "defective": bad},
        note=parts,
    )
    return receipt
