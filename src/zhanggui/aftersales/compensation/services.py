"""Compensation by rule (补偿): what we offer a buyer on a case — a coupon, a partial refund, cash back, a
reissue — and who may offer how much.

The rules table (CompensationRule: reason and responsibility → offer and amount) is what the case page suggests;
the amount offered is the agent's to choose. What decides is the **limit**: the most a person may commit on one
case by themselves, the highest CompensationLimit among their roles (core.roles.roles_of; no row: nothing).
An offer counts together with the case's other offers still standing (approved or waiting), so five ¥20 coupons
are judged like one ¥100 offer. Within the limit the offer is approved at once (decided_by stays empty: nobody
decided, the limit did); above it, it waits in the approvals queue for a person with approve_compensation other
than the one who offered it (four eyes, even for a manager's own offer above the manager's limit).

A partial refund, once approved, goes back through aftersales.services.refund, line by line, so it never
exceeds what was paid: it is spread over the case's own lines (those it names with units; all the order's lines
when it names none) in proportion to what is left of each, to the fen. A coupon and cash back are costs we
record (the coupon is sent in the platform's back office, the cash through 红包/支付宝); a reissue is recorded
here and shipped by the reissue flow. Every step writes an audit row and a line on the case's timeline.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Max, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from zhanggui.aftersales import locks, selectors, services
from zhanggui.aftersales.errors import (
    CaseRuleBroken,
    InvalidCaseTransition,
    InvalidCompensationState,
    SelfApprovalRefused,
)
from zhanggui.aftersales.models import (
    AfterSaleCase,
    CaseLine,
    CaseReason,
    CaseStatus,
    Compensation,
    CompensationLimit,
    CompensationRule,
    CompensationStatus,
    OfferKind,
    Responsibility,
)
from zhanggui.core import roles
from zhanggui.core.errors import PermissionDeniedError, ValidationFailed
from zhanggui.core.money import ZERO, fmt_money, largest_remainder, to_fen
from zhanggui.core.services import record_audit
from zhanggui.core.text import clean_line
from zhanggui.orders.models import OrderLine

CS = CompensationStatus
#: The offers that count against a person's limit on the case: those still standing.
STANDING = (CS.PENDING, CS.APPROVED)
NOTE_LENGTH = Compensation._meta.get_field("note").max_length or 255
#: How long a rejected offer shows on its author's approvals page.
RETURNED_DAYS = 14


# --------------------------------------------------------------------------------------------------------
# Reads
# --------------------------------------------------------------------------------------------------------


def limit_of(user: Any) -> Decimal:
    """The most `user` may offer on one case by themselves: the highest limit among their roles, else nothing."""
    found = CompensationLimit.objects.filter(role__in=roles.roles_of(user)).aggregate(top=Max("limit"))["top"]
    return to_fen(found) if found is not None else ZERO


def standing_total(case: AfterSaleCase | int) -> Decimal:
    """What the case's offers still standing (approved or waiting) add up to."""
    case_id = case if isinstance(case, int) else case.pk
    total = Compensation.objects.filter(case_id=case_id, status__in=STANDING).aggregate(n=Sum("amount"))["n"]
    return to_fen(total) if total is not None else ZERO


def suggested_rules(case: AfterSaleCase) -> list[CompensationRule]:
    """The active rules of the case's reason: those of its responsibility first, then those for any; a case
    whose responsibility is not decided yet sees every rule of its reason."""
    rules = CompensationRule.objects.filter(is_active=True, reason=case.reason)
    if case.responsibility:
        rules = rules.filter(responsibility__in=(case.responsibility, ""))
    return sorted(rules, key=lambda rule: (rule.responsibility != case.responsibility, rule.amount, rule.pk))


def of_case(case: AfterSaleCase) -> list[Compensation]:
    return list(case.compensations.select_related("rule", "offered_by", "decided_by").order_by("offered_at", "id"))


def _with_people() -> QuerySet[Compensation]:
    return Compensation.objects.select_related(
        "case__shop", "case__order", "rule", "offered_by", "decided_by"
    ).order_by("offered_at", "id")


def pending() -> QuerySet[Compensation]:
    """The offers above their offerer's limit that wait for a manager, the one waiting longest first."""
    return _with_people().filter(status=CS.PENDING)


def pending_count() -> int:
    return Compensation.objects.filter(status=CS.PENDING).count()


def rejected(*, offered_by: Any, days: int = RETURNED_DAYS) -> QuerySet[Compensation]:
    """A person's offers a manager rejected in the last `days` days, newest first."""
    since = timezone.now() - timedelta(days=days)
    return (
        _with_people()
        .filter(status=CS.REJECTED, offered_by=offered_by, decided_at__gte=since)
        .order_by("-decided_at", "-id")
    )


def compensation(pk: int) -> Compensation:
    """One offer with its case and people (Compensation.DoesNotExist when there is none)."""
    return _with_people().get(pk=pk)


def describe(offer: Compensation) -> str:
    """An offer as the queue and the timeline say it: "Coupon ¥10.00"."""
    return f"{offer.get_offer_display()} {fmt_money(offer.amount)}"


@dataclass(frozen=True)
class Panel:
    """The compensation card of a case page for one person."""

    limit: Decimal
    standing: Decimal
    offers: list[Compensation]
    rules: list[CompensationRule]
    may_offer: bool
    may_decide: bool
    refund_left: Decimal = ZERO
    waiting: list[Compensation] = field(default_factory=list)

    @property
    def room(self) -> Decimal:
        """What the person may still offer on this case by themselves."""
        return max(self.limit - self.standing, ZERO)


def panel(case: AfterSaleCase, user: Any) -> Panel:
    offers = of_case(case)
    return Panel(
        limit=limit_of(user),
        standing=sum((o.amount for o in offers if o.status in STANDING), ZERO),
        offers=offers,
        rules=suggested_rules(case),
        may_offer=roles.holds(user, roles.HANDLE_CASES) and case.status != CaseStatus.CLOSED,
        may_decide=roles.holds(user, roles.APPROVE_COMPENSATION),
        refund_left=sum(_left(case, _order_lines(case)).values(), ZERO),
        waiting=[o for o in offers if o.status == CS.PENDING],
    )


# --------------------------------------------------------------------------------------------------------
# A partial refund's lines
# --------------------------------------------------------------------------------------------------------


def _order_lines(case: AfterSaleCase) -> dict[int, OrderLine]:
    return {line.pk: line for line in OrderLine.objects.filter(order_id=case.order_id).order_by("pk")}


def _left(case: AfterSaleCase, lines: Mapping[int, OrderLine]) -> dict[int, Decimal]:
    """What is left to refund of the lines a partial refund of the case spreads over: the case's own lines (those
    it names with units), or every line of the order when it names none."""
    own = set(CaseLine.objects.filter(case=case, quantity__gt=0).values_list("order_line_id", flat=True))
    chosen = [pk for pk in lines if pk in own] if own else list(lines)
    took = selectors.refunded_by_line(chosen)
    return {pk: lines[pk].paid - took.get(pk, ZERO) for pk in chosen}


def refund_split(case: AfterSaleCase, amount: Decimal, lines: Mapping[int, OrderLine]) -> dict[int, Decimal]:
    """`amount` over the case's lines in proportion to what is left of each, to the fen (largest remainder);
    refused when it is more than what is left of them together."""
    left = {pk: value for pk, value in _left(case, lines).items() if value > 0}
    total = sum(left.values(), ZERO)
    if amount > total:
        raise CaseRuleBroken(
            _("A partial refund of %(amount)s is more than is left to refund of the case's lines (%(left)s).")
            % {"amount": fmt_money(amount), "left": fmt_money(total)},
            amount=str(amount),
            left=str(total),
        )
    ids = sorted(left)
    shares = largest_remainder(int(amount * 100), [int(left[pk] * 100) for pk in ids])
    return {pk: Decimal(share) / 100 for pk, share in zip(ids, shares, strict=True) if share}


def _pay(*, actor: Any, offer: Compensation, case: AfterSaleCase) -> None:
    """An approved partial refund goes back through the refund service (which checks every line again)."""
    amounts = refund_split(case, offer.amount, locks.lock_order_lines(case.order_id))
    services.refund(actor=actor, case=case, amounts=amounts, reason=_("compensation C-%(id)s") % {"id": offer.pk})


# --------------------------------------------------------------------------------------------------------
# Offering and deciding
# --------------------------------------------------------------------------------------------------------


def _event(case: AfterSaleCase, actor: Any, text: str) -> None:
    """A line on the case's timeline that changes no status (from == to)."""
    services.timeline_note(case, actor=actor, text=text)


def _refundable(case: AfterSaleCase) -> None:
    if CaseStatus.REFUNDED not in AfterSaleCase.ALLOWED_TRANSITIONS[case.status]:
        raise InvalidCaseTransition(
            _("Case %(no)s is %(status)s: it cannot refund.")
            % {"no": case.number, "status": case.get_status_display().lower()},
            status=case.status,
        )


def _name(user: Any) -> str:
    return (user.get_full_name() or user.get_username()) if user is not None else ""


@transaction.atomic
def offer(
    *,
    actor: Any,
    case: AfterSaleCase,
    offer: str,
    amount: Decimal | str,
    rule: CompensationRule | None = None,
    note: str = "",
) -> Compensation:
    """Offer a compensation on a case (handle_cases). Within the offerer's limit (the case's standing offers
    counted with it) it is approved at once, and a partial refund is refunded; above it, it waits for a manager."""
    roles.require(actor, roles.HANDLE_CASES)
    if offer not in OfferKind.values:
        raise CaseRuleBroken(_("Unknown %(what)s: %(value)s") % {"what": _("offer"), "value": offer})
    value = services.money(amount, _("The amount"))
    note = services.clip(note, NOTE_LENGTH)
    case = locks.lock_case(case.pk)
    if case.status == CaseStatus.CLOSED:
        raise InvalidCaseTransition(_("Case %(no)s is closed.") % {"no": case.number}, status=case.status)
    if rule is not None:
        rule = CompensationRule.objects.filter(pk=rule.pk, is_active=True).first()
        if rule is None:
            raise CaseRuleBroken(_("That compensation rule is switched off."))
        if rule.offer != offer:
            raise CaseRuleBroken(
                _("The rule offers %(rule)s, not %(offer)s.")
                % {"rule": rule.get_offer_display(), "offer": OfferKind(offer).label}
            )
    if offer == OfferKind.PARTIAL_REFUND:
        if value <= 0:
            raise CaseRuleBroken(_("A partial refund needs an amount above zero."))
        _refundable(case)
        refund_split(case, value, _order_lines(case))  # refused now rather than when a manager approves it
    limit = limit_of(actor)
    before = standing_total(case)
    within = before + value <= limit
    now = timezone.now()
    made = Compensation(
        case=case,
        rule=rule,
        offer=offer,
        amount=value,
        status=CS.APPROVED if within else CS.PENDING,
        note=note,
        offered_by=actor,
        offered_at=now,
        decided_at=now if within else None,
    )
    made.full_clean()
    made.save()
    words = {"what": describe(made), "limit": fmt_money(limit), "total": fmt_money(before + value)}
    if within:
        how = _("within the limit")
        text = _("offered %(what)s: within the limit of %(limit)s, approved") % words
    else:
        how = _("above the limit")
        text = _("offered %(what)s: %(total)s on the case, above the limit of %(limit)s; waits for a manager") % words
    if note:
        text = f"{text} · {note}"
    _event(case, actor, text)
    record_audit(
        actor=actor,
        action="compensation.offer",
        obj=made,
        after={
            "case": case.number,
            "offer": offer,
            "amount": value,
            "status": made.status,
            "rule": rule.pk if rule is not None else None,
            "limit": limit,
            "standing_before": before,
        },
        note=services.clip(f"{how} · {note}" if note else how),
    )
    if within and offer == OfferKind.PARTIAL_REFUND:
        _pay(actor=actor, offer=made, case=case)
    return made


def _locked(offer: Compensation) -> tuple[Compensation, AfterSaleCase]:
    """The case first, then the offer: the order every write of this module takes its locks in."""
    case = locks.lock_case(offer.case_id)
    locked = Compensation.objects.select_for_update(of=("self",)).select_related("offered_by").get(pk=offer.pk)
    return locked, case


@transaction.atomic
def decide(*, actor: Any, compensation: Compensation, approve: bool, note: str = "") -> Compensation:
    """A manager approves or rejects an offer that waits (approve_compensation). Never the person who offered it;
    a rejection says why (the offerer reads it). An approved partial refund is refunded now."""
    roles.require(actor, roles.APPROVE_COMPENSATION)
    offer_row, case = _locked(compensation)
    if offer_row.status != CS.PENDING:
        raise InvalidCompensationState(
            _("This offer is %(status)s already.") % {"status": offer_row.get_status_display().lower()},
            status=offer_row.status,
        )
    if offer_row.offered_by_id == getattr(actor, "pk", None):
        raise SelfApprovalRefused(_("You offered this: another manager decides it. You may cancel it."))
    note = services.clip(note, NOTE_LENGTH)
    if not approve and not note:
        raise ValidationFailed(_("Say why you reject it: the person who offered it reads it."))
    offer_row.status = CS.APPROVED if approve else CS.REJECTED
    offer_row.decided_by, offer_row.decided_at, offer_row.decision_note = actor, timezone.now(), note
    offer_row.full_clean()
    offer_row.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    words = {"what": describe(offer_row), "who": _name(offer_row.offered_by)}
    text = (_("approved %(what)s offered by %(who)s") if approve else _("rejected %(what)s offered by %(who)s")) % words
    if note:
        text = f"{text} · {note}"
    _event(case, actor, text)
    record_audit(
        actor=actor,
        action="compensation.approve" if approve else "compensation.reject",
        obj=offer_row,
        before={"status": CS.PENDING},
        after={"status": offer_row.status, "amount": offer_row.amount, "offered_by": offer_row.offered_by.username},
        note=note,
    )
    if approve and offer_row.offer == OfferKind.PARTIAL_REFUND:
        _pay(actor=actor, offer=offer_row, case=case)
    return offer_row


@transaction.atomic
def cancel(*, actor: Any, compensation: Compensation, note: str = "") -> Compensation:
    """The person who offered it withdraws an offer that still waits."""
    roles.require(actor, roles.HANDLE_CASES)
    offer_row, case = _locked(compensation)
    if offer_row.offered_by_id != getattr(actor, "pk", None):
        raise PermissionDeniedError(
            _("Only %(who)s, who offered it, can cancel this offer.") % {"who": _name(offer_row.offered_by)},
            permission=roles.HANDLE_CASES,
        )
    if offer_row.status != CS.PENDING:
        raise InvalidCompensationState(
            _("This offer is %(status)s already.") % {"status": offer_row.get_status_display().lower()},
            status=offer_row.status,
        )
    note = services.clip(note, NOTE_LENGTH)
    offer_row.status, offer_row.decided_at, offer_row.decision_note = CS.CANCELLED, timezone.now(), note
    offer_row.save(update_fields=["status", "decided_at", "decision_note"])
    text = _("cancelled the offer of %(what)s") % {"what": describe(offer_row)}
    _event(case, actor, f"{text} · {note}" if note else text)
    record_audit(
        actor=actor,
        action="compensation.cancel",
        obj=offer_row,
        before={"status": CS.PENDING},
        after={"status": CS.CANCELLED},
        note=note,
    )
    return offer_row


# --------------------------------------------------------------------------------------------------------
# The manager's rules and limits
# --------------------------------------------------------------------------------------------------------

RULE_FIELDS = ("reason", "responsibility", "offer", "amount", "description", "is_active")


@transaction.atomic
def save_rule(
    *,
    actor: Any,
    rule: CompensationRule | None = None,
    reason: str,
    responsibility: str = "",
    offer: str,
    amount: Decimal | str,
    description: str = "",
    is_active: bool = True,
) -> CompensationRule:
    """Add a rule (rule=None) or change one (店长 only); a rule no longer wanted is switched off, not deleted,
    so the offers made under it keep naming it."""
    roles.require(actor, roles.MANAGE_AFTERSALES_RULES)
    if reason not in CaseReason.values:
        raise CaseRuleBroken(_("Unknown %(what)s: %(value)s") % {"what": _("reason"), "value": reason})
    if responsibility and responsibility not in Responsibility.values:
        raise CaseRuleBroken(_("Unknown %(what)s: %(value)s") % {"what": _("responsibility"), "value": responsibility})
    if offer not in OfferKind.values:
        raise CaseRuleBroken(_("Unknown %(what)s: %(value)s") % {"what": _("offer"), "value": offer})
    fields: dict[str, Any] = {
        "reason": reason,
        "responsibility": responsibility,
        "offer": offer,
        "amount": services.money(amount, _("The amount")),
        "description": clean_line(description).strip()[:255],
        "is_active": bool(is_active),
    }
    actor_row = actor if getattr(actor, "pk", None) else None
    if rule is None:
        rule = CompensationRule(**fields, updated_by=actor_row, updated_at=timezone.now())
        rule.full_clean()
        rule.save()
        record_audit(actor=actor, action="compensation_rule.create", obj=rule, after=fields)
        return rule
    rule = CompensationRule.objects.select_for_update().get(pk=rule.pk)
    before = {name: getattr(rule, name) for name in RULE_FIELDS if getattr(rule, name) != fields[name]}
    if not before:
        return rule
    for name, value in fields.items():
        setattr(rule, name, value)
    rule.updated_by, rule.updated_at = actor_row, timezone.now()
    rule.full_clean()
    rule.save()
    action = "compensation_rule.update"
    if set(before) == {"is_active"}:
        action = "compensation_rule.activate" if rule.is_active else "compensation_rule.deactivate"
    record_audit(actor=actor, action=action, obj=rule, before=before, after={k: fields[k] for k in before})
    return rule


@transaction.atomic
def save_limit(*, actor: Any, role: str, limit: Decimal | str) -> CompensationLimit:
    """Set the most a person of `role` may offer on one case by themselves (店长 only); 0: every offer waits."""
    roles.require(actor, roles.MANAGE_AFTERSALES_RULES)
    if role not in roles.ROLES:
        raise CaseRuleBroken(_("Unknown %(what)s: %(value)s") % {"what": _("role"), "value": role})
    value = services.money(limit, _("The limit"))
    row = CompensationLimit.objects.select_for_update().filter(role=role).first()
    actor_row = actor if getattr(actor, "pk", None) else None
    if row is not None and row.limit == value:
        return row
    before = {"limit": row.limit} if row is not None else {}
    if row is None:
        row = CompensationLimit(role=role, limit=value)
    row.limit, row.updated_by, row.updated_at = value, actor_row, timezone.now()
    row.full_clean()
    row.save()
    record_audit(
        actor=actor,
        action="compensation_limit.update" if before else "compensation_limit.create",
        obj=row,
        before=before,
        after={"role": role, "limit": value},
    )
    return row


def limits() -> list[tuple[str, Any, CompensationLimit | None]]:
    """Every role with its label and its limit row (None: no row, it may offer nothing by itself)."""
    rows = {row.role: row for row in CompensationLimit.objects.select_related("updated_by")}
    return [(role, roles.ROLE_LABELS[role], rows.get(role)) for role in roles.ROLES]
