"""Writes of after-sales: open a case, agree, reject, refund, close, open again, assign, note, and the deadline
rules. Every change of a case's status goes along AfterSaleCase.ALLOWED_TRANSITIONS, writes a CaseEvent (the
timeline) and an audit row (core.audit), in the transaction of the change.

Nothing here runs by itself: a case whose deadline passes is not refunded, agreed or closed by Zhanggui
("杜绝自动退款"); the queue shows it as overdue. Money goes back line by line and never more than what was
paid for a line minus what earlier refunds took, checked with the order's lines locked (aftersales.locks).
Orders are read through orders.selectors; no stock moves in this slice (returns receiving comes next).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from zhanggui.aftersales import locks, selectors
from zhanggui.aftersales.deadlines import apply_deadline
from zhanggui.aftersales.errors import CaseRuleBroken, InvalidCaseTransition, OverRefund
from zhanggui.aftersales.models import (
    ACTIVE_STATUSES,
    MAX_RULE_HOURS,
    AfterSaleCase,
    CaseEvent,
    CaseKind,
    CaseLine,
    CaseReason,
    CaseStatus,
    DeadlineRule,
    DeadlineSource,
    Outcome,
    Refund,
    Responsibility,
    RuleBasis,
)
from zhanggui.core import roles
from zhanggui.core.money import ZERO, MoneyError, fmt_money, parse_money, to_fen
from zhanggui.core.services import SYSTEM_USERNAME, record_audit
from zhanggui.core.text import clean_line, clean_text
from zhanggui.orders.models import Order, OrderLine, OrderStatus

S = CaseStatus
K = CaseKind
#: Kinds about units of the order: the case names its lines.
LINE_KINDS = (K.REFUND_UNSHIPPED, K.REFUND_SHIPPED, K.RETURN_REFUND, K.EXCHANGE, K.REISSUE)
REASON_LENGTH = CaseEvent._meta.get_field("reason").max_length or 255
REFUND_NO_LENGTH = AfterSaleCase._meta.get_field("platform_refund_no").max_length or 64
#: The fields a step writes on the case.
STEP_FIELDS = [
    "status",
    "responsibility",
    "platform_deadline",
    "deadline",
    "deadline_source",
    "deadline_rule",
    "clock_started_at",
    "assignee",
    "first_answer_at",
    "closed_at",
    "updated_at",
]


# --------------------------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------------------------


def clip(text: str, length: int = REASON_LENGTH) -> str:
    """One clean line, cut with … to the column."""
    text = clean_line(text).strip()
    return text if len(text) <= length else text[: length - 1] + "…"


def money(value: Decimal | int | str, what: str) -> Decimal:
    """An amount typed or sent ("12.5", "¥1,299.00", Decimal): to the fen; more decimals or words are refused."""
    try:
        amount = to_fen(value) if isinstance(value, Decimal | int) else parse_money(value)
    except MoneyError:
        raise CaseRuleBroken(_("%(what)s is not an amount: %(value)s") % {"what": what, "value": value}) from None
    if isinstance(value, Decimal) and amount != value:
        raise CaseRuleBroken(_("%(what)s has more than two decimals: %(value)s") % {"what": what, "value": value})
    if amount < 0:
        raise CaseRuleBroken(_("%(what)s cannot be negative.") % {"what": what})
    return amount


def _choice(value: str, choices: Any, what: str, *, blank: bool = False) -> str:
    if (blank and value == "") or value in choices.values:
        return value
    raise CaseRuleBroken(_("Unknown %(what)s: %(value)s") % {"what": what, "value": value})


def _label(status: str) -> str:
    return str(S(status).label) if status in S.values else status


def _check(case: AfterSaleCase, to: str) -> None:
    if to not in AfterSaleCase.ALLOWED_TRANSITIONS[case.status]:
        raise InvalidCaseTransition(
            _("Case %(no)s is %(status)s: it cannot become %(to)s.")
            % {"no": case.number, "status": _label(case.status).lower(), "to": _label(to).lower()},
            status=case.status,
            to=to,
        )


def _actor(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None


def line_name(line: OrderLine) -> str:
    """How an error names an order line: its sub-order and SKU code (or title)."""
    what = line.sku_code or line.title
    return f"{line.sub_order_id} ({what})" if what else line.sub_order_id


def _event(case: AfterSaleCase, to: str, *, actor: Any, reason: str, at: datetime) -> CaseEvent:
    """Move the case (in memory) and return its unsaved event. A new status starts its own clock: the platform's
    deadline given for the old stage no longer holds, and the deadline follows the rules from now."""
    event = CaseEvent(case=case, at=at, actor=_actor(actor), from_status=case.status, to_status=to, reason=clip(reason))
    if case.deadline is not None and at > case.deadline and case.status in ACTIVE_STATUSES:
        event.missed_deadline = case.deadline  # answered (or moved on) after the platform's clock ran out
    if to != case.status:
        case.status = to
        case.platform_deadline = None
        case.clock_started_at = at
        apply_deadline(case)
    return event


def _answered(case: AfterSaleCase, at: datetime) -> None:
    case.first_answer_at = case.first_answer_at or at


def _save(case: AfterSaleCase, events: Iterable[CaseEvent]) -> AfterSaleCase:
    case.updated_at = timezone.now()
    case.save(update_fields=STEP_FIELDS)
    CaseEvent.objects.bulk_create(list(events))
    return case


def _responsibility(case: AfterSaleCase, value: str) -> None:
    if value:
        case.responsibility = _choice(value, Responsibility, _("responsibility"))


def _require_reason(reason: str, text: str) -> str:
    reason = clip(reason)
    if not reason:
        raise CaseRuleBroken(text)
    return reason


def _aware(moment: datetime | None) -> datetime | None:
    if moment is not None and timezone.is_naive(moment):
        return timezone.make_aware(moment)
    return moment


# --------------------------------------------------------------------------------------------------------
# Opening a case
# --------------------------------------------------------------------------------------------------------


def _case_lines(order: Order, lines: Iterable[tuple[int, int]]) -> list[tuple[OrderLine, int]]:
    by_id = {line.pk: line for line in order.lines.all()}
    chosen: dict[int, int] = {}
    for line_id, quantity in lines:
        line = by_id.get(int(line_id))
        if line is None:
            raise CaseRuleBroken(
                _("Line %(id)s is not a line of order %(no)s.") % {"id": line_id, "no": order.platform_order_no}
            )
        if not 0 < int(quantity) <= line.quantity:
            raise CaseRuleBroken(
                _("Line %(line)s: %(n)s units asked, it has %(max)s.")
                % {"line": line_name(line), "n": quantity, "max": line.quantity}
            )
        chosen[line.pk] = int(quantity)
    return [(by_id[pk], quantity) for pk, quantity in chosen.items()]


@transaction.atomic
def open_case(
    *,
    actor: Any,
    order: Order,
    kind: str,
    reason: str,
    lines: Iterable[tuple[int, int]] = (),
    requested_amount: Decimal | str = ZERO,
    responsibility: str = "",
    platform_refund_no: str = "",
    platform_deadline: datetime | None = None,
    description: str = "",
    at: datetime | None = None,
) -> AfterSaleCase:
    """售后单 from an order: the lines it is about (order line id, units), what the buyer asks, and the platform's
    refund number and deadline when the agent has them. A part of a split order opens on the platform's order."""
    roles.require(actor, roles.HANDLE_CASES)
    kind = _choice(kind, CaseKind, _("kind"))
    reason = _choice(reason, CaseReason, _("reason"))
    responsibility = _choice(responsibility, Responsibility, _("responsibility"), blank=True)
    if order.split_from_id is not None:
        order = order.split_from  # type: ignore[assignment]
    order = selectors.order_for(order.pk)
    if order.status == OrderStatus.UNPAID:
        raise CaseRuleBroken(_("Order %(no)s is not paid: there is nothing to refund.") % {"no": order})
    chosen = _case_lines(order, lines)
    if kind in LINE_KINDS and not chosen:
        raise CaseRuleBroken(_("Tick the lines of the order the case is about."))
    amount = money(requested_amount, _("The amount asked"))
    refunded = sum(selectors.refunded_by_order([order.pk]).values(), ZERO)
    if amount > order.paid_total - refunded:
        raise CaseRuleBroken(
            _(
                "%(asked)s asked, but order %(no)s paid %(paid)s and earlier refunds took %(refunded)s: "
                "at most %(left)s."
            )
            % {
                "asked": fmt_money(amount),
                "no": order.platform_order_no,
                "paid": fmt_money(order.paid_total),
                "refunded": fmt_money(refunded),
                "left": fmt_money(order.paid_total - refunded),
            }
        )
    number = platform_refund_no.strip()
    if len(number) > REFUND_NO_LENGTH:
        raise CaseRuleBroken(_("A refund number is at most %(n)s characters.") % {"n": REFUND_NO_LENGTH})
    if number:
        taken = AfterSaleCase.objects.filter(shop=order.shop, platform_refund_no=number).first()
        if taken is not None:
            raise CaseRuleBroken(
                _("Refund number %(no)s is already a case of this shop (AS-%(case)s).")
                % {"no": number, "case": taken.pk},
                case=taken.pk,
            )
    at = at or timezone.now()
    case = AfterSaleCase(
        shop=order.shop,
        order=order,
        kind=kind,
        reason=reason,
        responsibility=responsibility,
        platform_refund_no=number,
        requested_amount=amount,
        description=clean_text(description).strip(),
        platform_deadline=_aware(platform_deadline),
        clock_started_at=at,
        assignee=_actor(actor) if getattr(actor, "username", "") != SYSTEM_USERNAME else None,
        created_by=_actor(actor),
        created_at=at,
        updated_at=at,
    )
    apply_deadline(case)
    case.full_clean()
    case.save()
    CaseLine.objects.bulk_create([CaseLine(case=case, order_line=line, quantity=n) for line, n in chosen])
    why = _("opened: %(kind)s, %(reason)s") % {"kind": case.get_kind_display(), "reason": case.get_reason_display()}
    CaseEvent.objects.create(case=case, at=at, actor=_actor(actor), from_status="", to_status=S.OPEN, reason=clip(why))
    record_audit(
        actor=actor,
        action="aftersale_case.create",
        obj=case,
        after={
            "order": order.platform_order_no,
            "kind": kind,
            "reason": reason,
            "requested_amount": amount,
            "platform_refund_no": number,
            "deadline": case.deadline,
        },
    )
    return case


# --------------------------------------------------------------------------------------------------------
# The steps of a case
# --------------------------------------------------------------------------------------------------------


def _step(
    *, actor: Any, case: AfterSaleCase, to: str, reason: str, action: str, responsibility: str = ""
) -> AfterSaleCase:
    roles.require(actor, roles.HANDLE_CASES)
    case = locks.lock_case(case.pk)
    _check(case, to)
    before = {"status": case.status, "responsibility": case.responsibility, "deadline": case.deadline}
    _responsibility(case, responsibility)
    at = timezone.now()
    event = _event(case, to, actor=actor, reason=reason, at=at)
    if to in (S.AGREED, S.REJECTED):
        _answered(case, at)
    if to == S.CLOSED:
        case.closed_at = at
    _save(case, [event])
    after = {"status": case.status, "responsibility": case.responsibility, "deadline": case.deadline}
    record_audit(actor=actor, action=action, obj=case, before=before, after=after, note=event.reason)
    return case


@transaction.atomic
def agree(*, actor: Any, case: AfterSaleCase, reason: str = "", responsibility: str = "") -> AfterSaleCase:
    """同意: a return starts the buyer's clock for the return's tracking number; a refund waits for `refund`."""
    return _step(
        actor=actor,
        case=case,
        to=S.AGREED,
        reason=clip(reason) or _("agreed"),
        action="aftersale_case.agree",
        responsibility=responsibility,
    )


@transaction.atomic
def reject(*, actor: Any, case: AfterSaleCase, reason: str, responsibility: str = "") -> AfterSaleCase:
    """拒绝, saying why (the buyer and the platform read it)."""
    why = _require_reason(reason, _("Say why the case is rejected."))
    return _step(
        actor=actor,
        case=case,
        to=S.REJECTED,
        reason=why,
        action="aftersale_case.reject",
        responsibility=responsibility,
    )


@transaction.atomic
def close(*, actor: Any, case: AfterSaleCase, reason: str, responsibility: str = "") -> AfterSaleCase:
    """关闭: the buyer withdrew, the platform closed it, or everything is done. The end of the case."""
    why = _require_reason(reason, _("Say why the case is closed."))
    return _step(
        actor=actor, case=case, to=S.CLOSED, reason=why, action="aftersale_case.close", responsibility=responsibility
    )


@transaction.atomic
def reopen(*, actor: Any, case: AfterSaleCase, reason: str, platform_deadline: datetime | None = None) -> AfterSaleCase:
    """A rejected case opens again (the buyer appealed, the platform stepped in): the answer clock starts again,
    or the platform's new deadline when given."""
    why = _require_reason(reason, _("Say why the case opens again."))
    case = _step(actor=actor, case=case, to=S.OPEN, reason=why, action="aftersale_case.reopen")
    if platform_deadline is not None:
        case.platform_deadline = _aware(platform_deadline)
        apply_deadline(case)
        case.save(update_fields=["platform_deadline", "deadline", "deadline_source", "deadline_rule"])
    return case


@transaction.atomic
def assign(*, actor: Any, case: AfterSaleCase, assignee: Any) -> AfterSaleCase:
    """Give the case to a person who may handle cases (None: to nobody)."""
    roles.require(actor, roles.HANDLE_CASES)
    if assignee is not None and not roles.holds(assignee, roles.HANDLE_CASES):
        raise CaseRuleBroken(_("%(who)s may not handle after-sales cases.") % {"who": assignee.get_username()})
    case = locks.lock_case(case.pk)
    if case.status == S.CLOSED:
        raise InvalidCaseTransition(_("Case %(no)s is closed.") % {"no": case.number}, status=case.status)
    if case.assignee_id == getattr(assignee, "pk", None):
        return case
    before = {"assignee": case.assignee.get_username() if case.assignee else ""}
    case.assignee = assignee
    who = assignee.get_username() if assignee is not None else ""
    text = _("assigned to %(who)s") % {"who": who} if who else _("assigned to nobody")
    _save(case, [_event(case, case.status, actor=actor, reason=text, at=timezone.now())])
    record_audit(actor=actor, action="aftersale_case.assign", obj=case, before=before, after={"assignee": who})
    return case


def timeline_note(case: AfterSaleCase, *, actor: Any, text: str, at: datetime | None = None) -> CaseEvent:
    """A line on the case's timeline that changes nothing (from == to): the status as stored now, not as the
    caller's copy of the case last saw it. For the other after-sales subjects (a return, a claim, an offer)."""
    status = AfterSaleCase.objects.filter(pk=case.pk).values_list("status", flat=True).get()
    return CaseEvent.objects.create(
        case_id=case.pk,
        at=at or timezone.now(),
        actor=_actor(actor),
        from_status=status,
        to_status=status,
        reason=clip(text),
    )


@transaction.atomic
def add_note(*, actor: Any, case: AfterSaleCase, text: str) -> CaseEvent:
    """A line on the timeline (what the buyer said on the phone, what was promised); it changes nothing else."""
    roles.require(actor, roles.HANDLE_CASES)
    note = _require_reason(text, _("Write the note first."))
    case = locks.lock_case(case.pk)
    event = _event(case, case.status, actor=actor, reason=note, at=timezone.now())
    event.save()
    return event


# --------------------------------------------------------------------------------------------------------
# Refunds
# --------------------------------------------------------------------------------------------------------


def _amounts(amounts: Mapping[int, Decimal | str]) -> dict[int, Decimal]:
    wanted: dict[int, Decimal] = {}
    for line_id, value in amounts.items():
        if value in ("", None):
            continue
        amount = money(value, _("The refund of line %(id)s") % {"id": line_id})
        if amount > 0:
            wanted[int(line_id)] = amount
    if not wanted:
        raise CaseRuleBroken(_("Give the amount to refund for at least one line."))
    return wanted


@transaction.atomic
def refund(*, actor: Any, case: AfterSaleCase, amounts: Mapping[int, Decimal | str], reason: str = "") -> AfterSaleCase:
    """退款: give back `amounts` (order line id → yuan) of the case's order. Each line's refunds, of every case
    together, stay within what was paid for it; one line over refuses the whole refund, naming the line, what
    was paid and what is left. The case's lock, then the order's lines (by id), make two agents refunding the
    same line at once wait for each other."""
    roles.require(actor, roles.HANDLE_CASES)
    wanted = _amounts(amounts)
    case = locks.lock_case(case.pk)
    _check(case, S.REFUNDED)
    lines = locks.lock_order_lines(case.order_id)
    for line_id in wanted:
        if line_id not in lines:
            raise CaseRuleBroken(
                _("Line %(id)s is not a line of order %(no)s.") % {"id": line_id, "no": case.order.platform_order_no}
            )
    earlier = selectors.refunded_by_line(wanted)  # read under the locks: counts every refund committed before
    for line_id in sorted(wanted):
        line, asked = lines[line_id], wanted[line_id]
        took = earlier.get(line_id, ZERO)
        if asked > line.paid - took:
            raise OverRefund(
                _(
                    "Line %(line)s: %(paid)s was paid and earlier refunds took %(took)s, so %(left)s is left; "
                    "%(asked)s cannot be refunded."
                )
                % {
                    "line": line_name(line),
                    "paid": fmt_money(line.paid),
                    "took": fmt_money(took),
                    "left": fmt_money(line.paid - took),
                    "asked": fmt_money(asked),
                },
                line=line_id,
                paid=str(line.paid),
                refunded=str(took),
                left=str(line.paid - took),
                asked=str(asked),
            )
    at = timezone.now()
    own = {cl.order_line_id: cl.pk for cl in CaseLine.objects.filter(case=case, order_line_id__in=list(wanted))}
    for line_id, asked in wanted.items():
        if line_id in own:
            CaseLine.objects.filter(pk=own[line_id]).update(refund_amount=F("refund_amount") + asked)
        else:
            own[line_id] = CaseLine.objects.create(case=case, order_line_id=line_id, quantity=0, refund_amount=asked).pk
    Refund.objects.bulk_create(
        Refund(case=case, case_line_id=own[i], order_line_id=i, amount=wanted[i], at=at, actor=_actor(actor))
        for i in sorted(wanted)
    )
    total = sum(wanted.values(), ZERO)
    parts = ", ".join(f"{line_name(lines[i])} {fmt_money(wanted[i])}" for i in sorted(wanted))
    text = _("refunded %(total)s: %(lines)s") % {"total": fmt_money(total), "lines": parts}
    if clip(reason):
        text = f"{text} · {clip(reason)}"
    before_status = case.status
    _answered(case, at)
    _save(case, [_event(case, S.REFUNDED, actor=actor, reason=text, at=at)])
    record_audit(
        actor=actor,
        action="aftersale_case.refund",
        obj=case,
        before={"status": before_status},
        after={"status": case.status, "amount": total},
        note=clip(parts),
    )
    return case


# --------------------------------------------------------------------------------------------------------
# Deadline rules
# --------------------------------------------------------------------------------------------------------


@transaction.atomic
def save_rule(*, actor: Any, rule: DeadlineRule, hours: int, on_expiry: str, basis: str, source: str) -> DeadlineRule:
    """Change one clock (店长 only). The active cases whose deadline came from this rule follow at once."""
    roles.require(actor, roles.MANAGE_AFTERSALES_RULES)
    if not 1 <= int(hours) <= MAX_RULE_HOURS:
        raise CaseRuleBroken(_("A rule's clock is 1 to %(max)s hours.") % {"max": MAX_RULE_HOURS})
    rule = DeadlineRule.objects.select_for_update().get(pk=rule.pk)
    fields = {
        "hours": int(hours),
        "on_expiry": _choice(on_expiry, Outcome, _("outcome")),
        "basis": _choice(basis, RuleBasis, _("basis")),
        "source": clean_line(source).strip(),
    }
    before = {name: getattr(rule, name) for name in fields if getattr(rule, name) != fields[name]}
    if not before:
        return rule
    for name, value in fields.items():
        setattr(rule, name, value)
    rule.updated_by, rule.updated_at = _actor(actor), timezone.now()
    rule.full_clean()
    rule.save()
    record_audit(
        actor=actor,
        action="deadline_rule.update",
        obj=rule,
        before=before,
        after={name: fields[name] for name in before},
    )
    if "hours" in before:
        _follow_rule(rule)
    return rule


def _follow_rule(rule: DeadlineRule) -> None:
    followers = list(
        AfterSaleCase.objects.select_related("shop").filter(
            deadline_rule=rule, deadline_source=DeadlineSource.RULE, status__in=(S.OPEN, S.AGREED)
        )
    )
    for case in followers:
        apply_deadline(case)
    AfterSaleCase.objects.bulk_update(followers, ["deadline", "deadline_source", "deadline_rule"])
