"""Claims against the carrier (快递理赔): what we ask a carrier to pay for a parcel it lost or damaged, and what it
paid. A claim names its order (and, when it came from one, its after-sales case), the carrier and tracking number
(the order's own by default), the value claimed, the evidence, and its own deadline: filed + the claim window
(setting ZHANGGUI_CLAIM_WINDOW_DAYS, 30 days unless set; docs/aftersales.md "Carrier claims" says why).

Every change writes an audit row and, when the claim has a case, a line on the case's timeline (the case's status
does not change). A claim never asks more than the goods of its order were paid (its lines, less what the other
live claims on the order already ask), and never recovers more than it claimed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.db.models import Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from zhanggui.aftersales import services
from zhanggui.aftersales.deadlines import TimeLeft, span
from zhanggui.aftersales.models import AfterSaleCase, CarrierClaim, ClaimStatus
from zhanggui.aftersales.services import clip, money
from zhanggui.catalog.models import Shop
from zhanggui.core import roles
from zhanggui.core.errors import DomainError
from zhanggui.core.money import ZERO, fmt_money, to_fen
from zhanggui.core.services import record_audit
from zhanggui.core.text import clean_line, clean_text
from zhanggui.orders.models import SHIPPED_STATUSES, Order, PlatformStatus

C = ClaimStatus
#: When nothing is set: a month. The national standard for express services (GB/T 27917) lets a sender claim
#: within a year of sending, but the carriers' own terms and their outlets ask for a claim far sooner; a month is
#: our assumption (docs/aftersales.md), to be set to the contract's figure.
DEFAULT_WINDOW_DAYS = 30
#: The steps a claim may take: a claim partly paid may be paid the rest later (the carrier reconsidered).
ALLOWED_TRANSITIONS: dict[str, set[str]] = {
    C.FILED: {C.PAID, C.PARTLY_PAID, C.REFUSED, C.WITHDRAWN},
    C.PARTLY_PAID: {C.PAID, C.PARTLY_PAID},
    C.PAID: set(),
    C.REFUSED: set(),
    C.WITHDRAWN: set(),
}
#: Claims that still ask for money: they count against what the order's goods were paid.
LIVE_STATUSES = (C.FILED, C.PAID, C.PARTLY_PAID)
#: Settled claims that brought money back (the reports' "recovered").
RECOVERED_STATUSES = (C.PAID, C.PARTLY_PAID)
#: The platform says the parcel left (the order import's reading of "shipped").
SHIPPED_PLATFORM = (PlatformStatus.SHIPPED, PlatformStatus.COMPLETED)
#: The badges of a claim: its window is counted in days, so amber under 3 days left and red under 1.
AMBER = timedelta(days=3)
RED = timedelta(days=1)
CARRIER_LENGTH = CarrierClaim._meta.get_field("carrier").max_length or 64
TRACKING_LENGTH = CarrierClaim._meta.get_field("tracking_no").max_length or 64


class ClaimRuleBroken(DomainError):
    """A claim the order or the claim forbids: not shipped, too much claimed or recovered, no evidence."""

    code = "claim_rule_broken"
    http_status = 409


class InvalidClaimTransition(DomainError):
    """The claim's status does not allow this settlement (claims.ALLOWED_TRANSITIONS)."""

    code = "invalid_claim_transition"
    http_status = 409


def window_days() -> int:
    """The claim window from the settings; a bad value stops the call instead of being guessed."""
    value = getattr(settings, "ZHANGGUI_CLAIM_WINDOW_DAYS", DEFAULT_WINDOW_DAYS)
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 3650:
        raise ImproperlyConfigured(f"ZHANGGUI_CLAIM_WINDOW_DAYS must be a whole number of days (1-3650), got {value!r}")
    return value


def _label(status: str) -> str:
    return str(C(status).label) if status in C.values else status


def _goods_lines(order: Order) -> QuerySet[Any]:
    """The lines whose goods travel in this order's parcel: a part (拆单) carries some of its order's lines."""
    if order.split_from_id is not None:
        return order.carried_lines.all()
    return order.lines.filter(Q(ships_in__isnull=True) | Q(ships_in=order))


def claimable(order: Order, *, excluding: int | None = None) -> tuple[Decimal, Decimal]:
    """(what the parcel's goods were paid, what the other live claims on the order already ask)."""
    paid = to_fen(_goods_lines(order).aggregate(total=Sum("paid"))["total"] or ZERO)
    others = CarrierClaim.objects.filter(order=order, status__in=LIVE_STATUSES)
    if excluding is not None:
        others = others.exclude(pk=excluding)
    taken = to_fen(others.aggregate(total=Sum("value_claimed"))["total"] or ZERO)
    return paid, taken


def _timeline(case: AfterSaleCase | None, *, actor: Any, text: str, at: datetime) -> None:
    if case is not None:
        services.timeline_note(case, actor=actor, text=text, at=at)


def _is_shipped(order: Order) -> bool:
    return order.status in SHIPPED_STATUSES or order.platform_status in SHIPPED_PLATFORM


@transaction.atomic
def file_claim(
    *,
    actor: Any,
    order: Order,
    case: AfterSaleCase | None = None,
    carrier: str | None = None,
    tracking_no: str | None = None,
    value_claimed: Decimal | str,
    evidence: str,
    at: datetime | None = None,
) -> CarrierClaim:
    """理赔 for a lost or damaged parcel of a shipped order. The carrier and tracking number are the order's own
    unless given (a return parcel, a part shipped apart). The value claimed is at most what the parcel's goods
    were paid less what the order's other live claims ask; the deadline is filed + the claim window."""
    roles.require(actor, roles.HANDLE_CASES)
    order = Order.objects.select_for_update().get(pk=order.pk)  # two claims on one parcel: one after the other
    if case is not None and case.order_id not in (order.pk, order.split_from_id):
        raise ClaimRuleBroken(
            _("Case %(case)s is about order %(other)s, not %(no)s.")
            % {"case": case.number, "other": case.order.platform_order_no, "no": order.platform_order_no}
        )
    if not _is_shipped(order):
        raise ClaimRuleBroken(
            _("Order %(no)s has not been shipped: there is no parcel to claim for.") % {"no": order.platform_order_no}
        )
    carrier = clean_line(carrier or "").strip() or order.carrier  # empty: the order's own
    tracking_no = clean_line(tracking_no or "").strip() or order.tracking_no
    if not carrier or not tracking_no:
        raise ClaimRuleBroken(
            _("Order %(no)s has no carrier or tracking number: give the parcel's.") % {"no": order.platform_order_no}
        )
    if len(carrier) > CARRIER_LENGTH or len(tracking_no) > TRACKING_LENGTH:
        raise ClaimRuleBroken(
            _("A carrier is at most %(c)s characters, a tracking number %(t)s.")
            % {"c": CARRIER_LENGTH, "t": TRACKING_LENGTH}
        )
    value = money(value_claimed, _("The value claimed"))
    if value <= 0:
        raise ClaimRuleBroken(_("Give the value claimed."))
    evidence = clean_text(evidence).strip()
    if not evidence:
        raise ClaimRuleBroken(_("Write the evidence: photos, the signing record, the weight at handover…"))
    paid, taken = claimable(order)
    if value > paid - taken:
        raise ClaimRuleBroken(
            _(
                "%(asked)s claimed, but the goods of order %(no)s were paid %(paid)s and other claims on it ask "
                "%(taken)s: a carrier pays at most the goods' value, so at most %(left)s."
            )
            % {
                "asked": fmt_money(value),
                "no": order.platform_order_no,
                "paid": fmt_money(paid),
                "taken": fmt_money(taken),
                "left": fmt_money(max(paid - taken, ZERO)),
            },
            paid=str(paid),
            claimed_by_others=str(taken),
            asked=str(value),
        )
    at = at or timezone.now()
    claim = CarrierClaim(
        case=case,
        order=order,
        carrier=carrier,
        tracking_no=tracking_no,
        value_claimed=value,
        evidence=evidence,
        deadline=at + timedelta(days=window_days()),
        filed_by=actor,
        filed_at=at,
    )
    claim.full_clean()
    claim.save()
    text = _("carrier claim %(claim)s filed: %(carrier)s %(tracking)s, %(value)s claimed") % {
        "claim": claim,
        "carrier": carrier,
        "tracking": tracking_no,
        "value": fmt_money(value),
    }
    _timeline(case, actor=actor, text=text, at=at)
    record_audit(
        actor=actor,
        action="carrier_claim.file",
        obj=claim,
        after={
            "order": order.platform_order_no,
            "case": case.number if case is not None else "",
            "carrier": carrier,
            "tracking_no": tracking_no,
            "value_claimed": value,
            "deadline": claim.deadline,
        },
    )
    return claim


@transaction.atomic
def settle_claim(
    *,
    actor: Any,
    claim: CarrierClaim,
    status: str,
    amount_recovered: Decimal | str | None = None,
    note: str = "",
) -> CarrierClaim:
    """The carrier's answer: paid (all that was claimed), partly paid (less), refused, or we withdrew. A refusal or
    a withdrawal says why; neither recovers anything. Paid without an amount recovers the value claimed."""
    roles.require(actor, roles.HANDLE_CASES)
    claim = CarrierClaim.objects.select_for_update(of=("self",)).select_related("case", "order").get(pk=claim.pk)
    if status not in C.values or status == C.FILED:
        raise ClaimRuleBroken(_("Unknown settlement: %(value)s") % {"value": status})
    if status not in ALLOWED_TRANSITIONS[claim.status]:
        raise InvalidClaimTransition(
            _("Claim %(claim)s is %(status)s: it cannot become %(to)s.")
            % {"claim": claim, "status": _label(claim.status).lower(), "to": _label(status).lower()},
            status=claim.status,
            to=status,
        )
    if amount_recovered in (None, ""):
        recovered = claim.value_claimed if status == C.PAID else ZERO
    else:
        recovered = money(amount_recovered, _("The amount recovered"))  # type: ignore[arg-type]
    note = clip(note)
    figures = {"recovered": fmt_money(recovered), "claimed": fmt_money(claim.value_claimed)}
    if recovered > claim.value_claimed:
        raise ClaimRuleBroken(_("%(recovered)s recovered is more than the %(claimed)s claimed.") % figures)
    if status == C.PAID and recovered != claim.value_claimed:
        raise ClaimRuleBroken(
            _("Paid means all that was claimed (%(claimed)s) came back; %(recovered)s is partly paid.") % figures
        )
    if status == C.PARTLY_PAID and not ZERO < recovered < claim.value_claimed:
        raise ClaimRuleBroken(
            _("Partly paid is more than nothing and less than the %(claimed)s claimed; %(recovered)s is not.") % figures
        )
    if status == C.PARTLY_PAID and recovered < claim.amount_recovered:
        raise ClaimRuleBroken(
            _("%(recovered)s is less than the %(before)s already recovered.")
            % {**figures, "before": fmt_money(claim.amount_recovered)}
        )
    if status in (C.REFUSED, C.WITHDRAWN):
        if recovered != ZERO:
            raise ClaimRuleBroken(_("A refused or withdrawn claim recovers nothing."))
        if not note:
            raise ClaimRuleBroken(_("Say why the claim was refused or withdrawn."))
    before = {"status": claim.status, "amount_recovered": claim.amount_recovered}
    at = timezone.now()
    claim.status, claim.amount_recovered, claim.settled_at = status, recovered, at
    claim.save(update_fields=["status", "amount_recovered", "settled_at"])
    text = _("carrier claim %(claim)s %(status)s: %(recovered)s of %(claimed)s recovered") % {
        "claim": claim,
        "status": _label(status).lower(),
        **figures,
    }
    if note:
        text = f"{text} · {note}"
    case = claim.case
    _timeline(case, actor=actor, text=text, at=at)
    record_audit(
        actor=actor,
        action="carrier_claim.settle",
        obj=claim,
        before=before,
        after={"status": status, "amount_recovered": recovered},
        note=note,
    )
    return claim


# --------------------------------------------------------------------------------------------------------
# Reads
# --------------------------------------------------------------------------------------------------------


def claims(
    *, status: str = "", carrier: str = "", shop: Shop | None = None, case: AfterSaleCase | None = None
) -> QuerySet[CarrierClaim]:
    """Claims of a status, a carrier, a shop or a case (the list sorts them; newest first by default)."""
    rows = CarrierClaim.objects.select_related("order", "order__shop", "case", "filed_by")
    if status:
        rows = rows.filter(status=status)
    if carrier:
        rows = rows.filter(carrier=carrier)
    if shop is not None:
        rows = rows.filter(order__shop=shop)
    if case is not None:
        rows = rows.filter(case=case)
    return rows


def carriers() -> list[str]:
    """The carriers named by claims so far, for the list's filter."""
    return list(CarrierClaim.objects.order_by("carrier").values_list("carrier", flat=True).distinct())


@dataclass(frozen=True)
class ClaimTotals:
    claimed: Decimal
    recovered: Decimal


def totals(rows: QuerySet[CarrierClaim]) -> ClaimTotals:
    found = rows.order_by().aggregate(claimed=Sum("value_claimed"), recovered=Sum("amount_recovered"))
    return ClaimTotals(to_fen(found["claimed"] or ZERO), to_fen(found["recovered"] or ZERO))


def time_left(claim: CarrierClaim, now: datetime) -> TimeLeft | None:
    """A filed claim's deadline as the queue's badge (aftersales.deadlines.TimeLeft), in days: amber under 3 days,
    red under 1, overdue once past. A settled claim has nothing left to wait for."""
    if claim.deadline is None or claim.status != C.FILED:
        return None
    if claim.deadline <= now:
        return TimeLeft(_("overdue %(span)s") % {"span": span(now - claim.deadline)}, "overdue")
    left = claim.deadline - now
    kind = "red" if left < RED else "amber" if left < AMBER else ""
    return TimeLeft(_("%(span)s left") % {"span": span(left)}, kind)


def may_settle(claim: CarrierClaim, user: Any) -> bool:
    return bool(ALLOWED_TRANSITIONS[claim.status]) and roles.holds(user, roles.HANDLE_CASES)
