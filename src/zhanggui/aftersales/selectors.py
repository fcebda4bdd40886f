"""Reads of after-sales: the queue by time left, one case with its order, what was refunded per order line (the
figure revenue and profit read net of), who may handle cases, the deadline rules, and the overdue board.

Orders are read through orders.selectors; the only tables read directly are this app's own.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db.models import Count, DecimalField, F, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from zhanggui.aftersales.deadlines import AMBER, RED
from zhanggui.aftersales.models import (
    ACTIVE_STATUSES,
    TO_HANDLE,
    AfterSaleCase,
    CaseEvent,
    CaseLine,
    CaseStatus,
    DeadlineRule,
)
from zhanggui.catalog.models import Channel, Shop
from zhanggui.core import roles
from zhanggui.core.money import ZERO, to_fen
from zhanggui.core.services import SYSTEM_USERNAME
from zhanggui.orders import selectors as order_selectors
from zhanggui.orders.models import Order, OrderLine

DUE_OVERDUE, DUE_RED, DUE_AMBER = "overdue", "red", "amber"
STATUS_TO_HANDLE, STATUS_ACTIVE = "to_handle", "active"
ASSIGNED_MINE, ASSIGNED_NOBODY = "mine", "nobody"


# --------------------------------------------------------------------------------------------------------
# Money refunded
# --------------------------------------------------------------------------------------------------------


def refunded_by_line(line_ids: Iterable[int]) -> dict[int, Decimal]:
    """What every case together refunded of each order line (lines without a refund are left out)."""
    rows = (
        CaseLine.objects.filter(order_line_id__in=list(line_ids), refund_amount__gt=0)
        .values("order_line_id")
        .annotate(total=Sum("refund_amount"))
        .order_by()
    )
    return {row["order_line_id"]: to_fen(row["total"]) for row in rows}


def refunded_by_order(order_ids: Iterable[int]) -> dict[int, Decimal]:
    """What every case together refunded of each order (its lines' refunds summed)."""
    rows = (
        CaseLine.objects.filter(order_line__order_id__in=list(order_ids), refund_amount__gt=0)
        .values("order_line__order_id")
        .annotate(total=Sum("refund_amount"))
        .order_by()
    )
    return {row["order_line__order_id"]: to_fen(row["total"]) for row in rows}


def _refunded_subquery() -> Coalesce:
    money: Any = DecimalField(max_digits=14, decimal_places=2)
    total = Subquery(
        CaseLine.objects.filter(case=OuterRef("pk"))
        .order_by()
        .values("case")
        .annotate(n=Sum("refund_amount"))
        .values("n"),
        output_field=money,
    )
    return Coalesce(total, Value(ZERO), output_field=money)


# --------------------------------------------------------------------------------------------------------
# The queue
# --------------------------------------------------------------------------------------------------------


def due_filter(due: str, now: datetime) -> Q:
    """Overdue, under 2 h left, or under 12 h left (the active cases with a deadline)."""
    active = Q(status__in=ACTIVE_STATUSES, deadline__isnull=False)
    if due == DUE_OVERDUE:
        return active & Q(deadline__lte=now)
    if due == DUE_RED:
        return active & Q(deadline__gt=now, deadline__lt=now + RED)
    if due == DUE_AMBER:
        return active & Q(deadline__gt=now, deadline__lt=now + AMBER)
    return Q()


def cases(
    *,
    q: str = "",
    shop: Shop | None = None,
    status: str = "",
    due: str = "",
    assigned: str = "",
    user: Any = None,
    now: datetime | None = None,
) -> QuerySet[AfterSaleCase]:
    """The cases, least time left first (no deadline last), with what each refunded (`refunded`). q matches the
    refund number, the order number or the buyer; status is a CaseStatus, to_handle (open, agreed) or active
    (open, agreed, rejected); assigned is mine or nobody."""
    now = now or timezone.now()
    rows = (
        AfterSaleCase.objects.select_related("shop", "order", "assignee")
        .annotate(refunded=_refunded_subquery())
        .order_by(F("deadline").asc(nulls_last=True), "pk")
    )
    if q:
        by_number = Q(platform_refund_no__icontains=q) | Q(order__platform_order_no__icontains=q)
        number = q.upper().removeprefix("AS-")
        if number.isdigit():
            by_number |= Q(pk=int(number))
        rows = rows.filter(by_number | Q(order__buyer_nick__icontains=q))
    if shop is not None:
        rows = rows.filter(shop=shop)
    if status == STATUS_TO_HANDLE:
        rows = rows.filter(status__in=TO_HANDLE)
    elif status == STATUS_ACTIVE:
        rows = rows.filter(status__in=ACTIVE_STATUSES)
    elif status:
        rows = rows.filter(status=status)
    if due:
        rows = rows.filter(due_filter(due, now))
    if assigned == ASSIGNED_MINE and user is not None:
        rows = rows.filter(assignee=user)
    elif assigned == ASSIGNED_NOBODY:
        rows = rows.filter(assignee__isnull=True)
    return rows


def case_detail(case_id: int) -> AfterSaleCase:
    """One case with its lines (and their order lines), timeline and assignee; raises DoesNotExist."""
    return (
        AfterSaleCase.objects.select_related("shop", "order", "assignee", "created_by", "deadline_rule")
        .prefetch_related(
            Prefetch("lines", queryset=CaseLine.objects.select_related("order_line")),
            Prefetch("events", queryset=CaseEvent.objects.select_related("actor").order_by("at", "id")),
        )
        .get(pk=case_id)
    )


def cases_of_order(order: Order) -> list[AfterSaleCase]:
    return list(AfterSaleCase.objects.filter(order=order).order_by("-created_at", "-pk"))


@dataclass(frozen=True)
class Steps:
    """The steps the case page offers this person on this case (the services check both again)."""

    agree: bool = False
    reject: bool = False
    refund: bool = False
    close: bool = False
    reopen: bool = False
    assign: bool = False
    note: bool = False

    @property
    def any(self) -> bool:
        return any((self.agree, self.reject, self.refund, self.close, self.reopen, self.assign, self.note))


def steps_for(case: AfterSaleCase, user: Any) -> Steps:
    if not roles.holds(user, roles.HANDLE_CASES):
        return Steps()
    allowed = AfterSaleCase.ALLOWED_TRANSITIONS[case.status]
    return Steps(
        agree=CaseStatus.AGREED in allowed,
        reject=CaseStatus.REJECTED in allowed,
        refund=CaseStatus.REFUNDED in allowed,
        close=CaseStatus.CLOSED in allowed,
        reopen=CaseStatus.OPEN in allowed,
        assign=case.status != CaseStatus.CLOSED,
        note=True,
    )


# --------------------------------------------------------------------------------------------------------
# An order's lines as a case sees them
# --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LineMoney:
    """An order line with what was paid, refunded (by every case) and is left; `in_case` for one case's own."""

    line: OrderLine
    paid: Decimal
    refunded: Decimal
    in_case: Decimal = ZERO
    quantity_in_case: int = 0

    @property
    def left(self) -> Decimal:
        return self.paid - self.refunded


def order_for(order_id: int) -> Order:
    """The order with its lines and timeline, through orders.selectors; raises Order.DoesNotExist."""
    return order_selectors.order_detail(order_id)


def line_money(order: Order, case: AfterSaleCase | None = None) -> list[LineMoney]:
    """Every line of the order (the platform's order: a part's lines stay on it) with its refunds."""
    lines = list(order.lines.all())
    refunded = refunded_by_line(line.pk for line in lines)
    own: dict[int, CaseLine] = {cl.order_line_id: cl for cl in case.lines.all()} if case is not None else {}
    return [
        LineMoney(
            line=line,
            paid=line.paid,
            refunded=refunded.get(line.pk, ZERO),
            in_case=own[line.pk].refund_amount if line.pk in own else ZERO,
            quantity_in_case=own[line.pk].quantity if line.pk in own else 0,
        )
        for line in lines
    ]


def money_totals(rows: list[LineMoney]) -> dict[str, Decimal]:
    return {
        "paid": sum((r.paid for r in rows), ZERO),
        "refunded": sum((r.refunded for r in rows), ZERO),
        "in_case": sum((r.in_case for r in rows), ZERO),
        "left": sum((r.left for r in rows), ZERO),
    }


# --------------------------------------------------------------------------------------------------------
# People, rules, the board
# --------------------------------------------------------------------------------------------------------


def handlers() -> QuerySet[Any]:
    """The active people who may handle cases (through a role, their own permission, or superuser)."""
    perm = Permission.objects.filter(content_type__app_label="aftersales", codename="handle_cases").first()
    holds = Q(is_superuser=True)
    if perm is not None:
        holds |= Q(groups__permissions=perm) | Q(user_permissions=perm)
    return (
        get_user_model()
        .objects.filter(holds, is_active=True)
        .exclude(username=SYSTEM_USERNAME)
        .distinct()
        .order_by("username")
    )


def rules() -> list[DeadlineRule]:
    """Every deadline rule, channel by channel as the channels are listed (Taobao first), situations in order."""
    order = {channel: n for n, channel in enumerate(Channel.values)}
    found = DeadlineRule.objects.select_related("updated_by").order_by("id")
    return sorted(found, key=lambda rule: (order.get(rule.channel, len(order)), rule.pk))


@dataclass(frozen=True)
class OverdueRow:
    day: date
    assignee: Any  # a user, or None: nobody
    cases: int


def board(now: datetime) -> dict[str, Any]:
    """Counts of the active cases by time left, and the overdue ones per day of their deadline and assignee."""
    found = AfterSaleCase.objects.aggregate(
        overdue=Count("pk", filter=due_filter(DUE_OVERDUE, now)),
        red=Count("pk", filter=due_filter(DUE_RED, now)),
        amber=Count("pk", filter=due_filter(DUE_AMBER, now) & ~due_filter(DUE_RED, now)),
    )
    per_day = (
        AfterSaleCase.objects.filter(due_filter(DUE_OVERDUE, now))
        .annotate(day=TruncDate("deadline", tzinfo=timezone.get_current_timezone()))
        .values("day", "assignee")
        .annotate(n=Count("pk"))
        .order_by()
    )
    people = get_user_model().objects.in_bulk([row["assignee"] for row in per_day if row["assignee"]])
    overdue = [OverdueRow(row["day"], people.get(row["assignee"]), row["n"]) for row in per_day]
    overdue.sort(key=lambda row: (-row.day.toordinal(), row.assignee.username if row.assignee else ""))
    return {**{key: found[key] or 0 for key in ("overdue", "red", "amber")}, "overdue_rows": overdue}
