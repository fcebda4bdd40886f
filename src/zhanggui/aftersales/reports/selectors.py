"""After-sales reports: refund rates (the platform's 退款率), top reasons per SKU, the cost of after-sales, cases per
agent with the time to the first answer, overdue cases, and sales net of refunds (`net_sales`, which analytics
reads revenue net of refunds from).

Every report covers a period of whole days in the shop's time zone (both ends included; by default the last 30
days), for one shop or all. Figures are exact: money in Decimal to the fen, rates in Decimal percent to 0.01 %,
hours to 0.01 h. Definitions (docs/aftersales.md "Reports" says the same):

- **A successful refund** is a sub-order (an order line) with a refund (CaseLine.refund_amount > 0) in a case that is
  refunded or closed, whose first refund by that case (its first dated Refund row) fell inside the period. A line
  refunded by two cases counts once.
- **Money refunded** (the cost of after-sales, net sales) is every Refund row of the period on its own day: a case
  refunded in two steps counts each step on the day it was made.
- **Sub-orders paid**: the order lines of the orders paid (Order.paid_at) inside the period, our own replacement
  lines (补发/换货) left out.
- **退款率** = successful refunds ÷ sub-orders paid, each counted in the period by its own moment (the platform's
  definition over 30 days; per week, the week's refunds ÷ the week's sub-orders paid).

Orders are read here directly (OrderLine, Order): aggregations over a period, never a write.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from math import ceil
from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhanggui.aftersales.claims.services import RECOVERED_STATUSES
from zhanggui.aftersales.models import (
    ACTIVE_STATUSES,
    AfterSaleCase,
    CarrierClaim,
    CaseEvent,
    CaseLine,
    CaseReason,
    CaseStatus,
    Compensation,
    CompensationStatus,
    OfferKind,
    Refund,
)
from zhanggui.catalog.models import Shop
from zhanggui.core.listing import Column, ListSpec
from zhanggui.core.money import ZERO, to_fen
from zhanggui.orders.models import Order, OrderLine

#: The platform's 退款率 looks at 30 days: the default period.
DEFAULT_DAYS = 30
#: The longest period a report covers (a day row per day in net sales).
MAX_DAYS = 366
#: The earliest and latest days a period may name (before and after, a moment may not even fit the database).
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2099, 12, 31)
#: Cases whose refund counts as done: the platform's "successful refund" (退款成功).
REFUNDED_STATUSES = (CaseStatus.REFUNDED, CaseStatus.CLOSED)
#: How many reasons the "top reasons" table keeps per SKU.
TOP_REASONS = 3
HUNDRED = Decimal(100)
CENT = Decimal("0.01")


class PeriodError(ValueError):
    """A period a report cannot cover: reversed, too long, or outside the years a shop can have orders in."""


# --------------------------------------------------------------------------------------------------------
# The period
# --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """Whole days in the shop's time zone, both ends included."""

    first: date
    last: date

    @property
    def start(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.first, time.min))

    @property
    def end(self) -> datetime:
        """The moment after the last day (exclusive)."""
        return timezone.make_aware(datetime.combine(self.last + timedelta(days=1), time.min))

    @property
    def days(self) -> list[date]:
        return [self.first + timedelta(days=n) for n in range((self.last - self.first).days + 1)]


def period(date_from: date | None = None, date_to: date | None = None, *, today: date | None = None) -> Period:
    """The period asked for; a missing end is today, a missing start the 30 days up to the end."""
    last = date_to or today or timezone.localdate()
    first = date_from or last - timedelta(days=DEFAULT_DAYS - 1)
    if first > last:
        raise PeriodError(_("The period starts after it ends."))
    if first < FIRST_DAY or last > LAST_DAY:
        raise PeriodError(_("A period lies between %(first)s and %(last)s.") % {"first": FIRST_DAY, "last": LAST_DAY})
    if (last - first).days + 1 > MAX_DAYS:
        raise PeriodError(_("A report covers at most %(n)s days.") % {"n": MAX_DAYS})
    return Period(first, last)


def _day(moment: datetime) -> date:
    return timezone.localtime(moment).date()


def week_of(day: date) -> date:
    """The Monday that starts the day's week (ISO weeks)."""
    return day - timedelta(days=day.weekday())


def rate(part: int, whole: int) -> Decimal | None:
    """part ÷ whole in percent, to 0.01 % (half up); None when there is nothing to divide by."""
    if not whole:
        return None
    return (HUNDRED * part / whole).quantize(CENT, ROUND_HALF_UP)


def hours(seconds: Decimal | int) -> Decimal:
    return (Decimal(seconds) / 3600).quantize(CENT, ROUND_HALF_UP)


def median(values: list[int]) -> Decimal:
    """The middle value; for an even count, the mean of the two middle ones."""
    ordered = sorted(values)
    n = len(ordered)
    if n % 2:
        return Decimal(ordered[n // 2])
    return (Decimal(ordered[n // 2 - 1]) + Decimal(ordered[n // 2])) / 2


def p90(values: list[int]) -> Decimal:
    """The 90th percentile by nearest rank: the ⌈0.9·n⌉-th smallest value (no value is invented between two)."""
    ordered = sorted(values)
    return Decimal(ordered[ceil(Decimal("0.9") * len(ordered)) - 1])


def _person(user: Any) -> str:
    if user is None:
        return _("nobody")
    return user.get_full_name() or user.get_username()


# --------------------------------------------------------------------------------------------------------
# What the rates count
# --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RefundedLine:
    """One case line of a successful refund in the period."""

    order_line_id: int
    sku: str
    reason: str
    shop_id: int
    refunded_at: datetime
    amount: Decimal


@dataclass(frozen=True)
class PaidLine:
    """One sub-order paid in the period."""

    order_line_id: int
    sku: str
    paid_at: datetime


def _sku(code: str, title: str) -> str:
    return code or title or "—"


def first_refund_at() -> Subquery:
    """The moment a case line was first refunded: its first dated Refund row."""
    first = Refund.objects.filter(case_line=OuterRef("pk")).order_by("at", "pk")
    return Subquery(first.values("at")[:1])


def refund_money(p: Period, shop: Shop | None = None) -> list[tuple[datetime, int, Decimal]]:
    """(moment, shop id, amount) of every refund made in the period: the money that went back, day by day."""
    rows = Refund.objects.filter(at__gte=p.start, at__lt=p.end)
    if shop is not None:
        rows = rows.filter(case__shop=shop)
    return [(at, shop_id, to_fen(amount)) for at, shop_id, amount in rows.values_list("at", "case__shop_id", "amount")]


def refunds_between(start: datetime, end: datetime) -> QuerySet[CaseLine]:
    """The case lines of the successful refunds first refunded in [start, end), with `refunded_at`."""
    return (
        CaseLine.objects.filter(refund_amount__gt=0, case__status__in=REFUNDED_STATUSES)
        .annotate(refunded_at=first_refund_at())
        .filter(refunded_at__gte=start, refunded_at__lt=end)
    )


def refunded_lines(p: Period, shop: Shop | None = None) -> list[RefundedLine]:
    """The case lines of the successful refunds of the period (see the module's definition)."""
    rows = refunds_between(p.start, p.end)
    if shop is not None:
        rows = rows.filter(case__shop=shop)
    found = rows.values_list(  # type: ignore[misc]  # refunded_at: annotated by refunds_between
        "order_line_id",
        "order_line__sku_code",
        "order_line__title",
        "case__reason",
        "case__shop_id",
        "refunded_at",
        "refund_amount",
    )
    return [
        RefundedLine(line, _sku(code, title), reason, shop_id, at, to_fen(amount))
        for line, code, title, reason, shop_id, at, amount in sorted(found, key=lambda row: (row[5], row[0]))
    ]


def paid_lines(p: Period, shop: Shop | None = None) -> list[PaidLine]:
    """The sub-orders paid in the period: lines of orders paid in it, without our replacement lines."""
    rows = OrderLine.objects.filter(
        order__paid_at__gte=p.start, order__paid_at__lt=p.end, replaces__isnull=True
    ).order_by()
    if shop is not None:
        rows = rows.filter(order__shop=shop)
    found = rows.values_list("pk", "sku_code", "title", "order__paid_at")
    return [PaidLine(pk, _sku(code, title), at) for pk, code, title, at in found if at is not None]


# --------------------------------------------------------------------------------------------------------
# Tables
# --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Col:
    """A column of a report table: its heading, its cell, and how a cell is written (text, int, money, rate,
    hours, date)."""

    key: str
    label: Any  # a lazy translation
    value: Callable[[Any], Any]
    kind: str = "text"

    @property
    def numeric(self) -> bool:
        return self.kind != "text"


@dataclass
class Table:
    """A report table: its rows and its total row (None: no total makes sense), ready for the page, the API and
    an XLSX sheet (core.listing's export, the same as every list's)."""

    key: str
    title: Any
    columns: tuple[Col, ...]
    rows: list[Any]
    total: Any = None
    note: Any = ""

    def spec(self) -> ListSpec:
        return ListSpec(
            name=self.key,
            columns=tuple(Column(c.key, c.label, None, c.value, numeric=c.numeric) for c in self.columns),
            default_sort=self.columns[0].key,
        )

    def export_rows(self) -> list[Any]:
        return [*self.rows, *([self.total] if self.total is not None else [])]

    def as_dict(self) -> dict[str, Any]:
        """For the API: cells as JSON (money and rates as strings, "12.50"; dates as ISO days)."""

        def cells(row: Any) -> dict[str, Any]:
            return {c.key: _json(c.value(row)) for c in self.columns}

        return {
            "key": self.key,
            "title": str(self.title),
            "columns": [{"key": c.key, "label": str(c.label), "kind": c.kind} for c in self.columns],
            "rows": [cells(row) for row in self.rows],
            "total": cells(self.total) if self.total is not None else None,
        }


def _json(value: Any) -> Any:
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, date):
        return value.isoformat()
    if value is None or isinstance(value, int):
        return value
    return str(value)


TOTAL = gettext_lazy("Total")


# ----- refund rates -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RateRow:
    """One row of a refund-rate table: what it is about (a SKU, a reason, a week), the sub-orders paid, the
    successful refunds, the money they gave back, and the rate."""

    name: Any
    paid: int
    refunds: int
    refunded: Decimal
    rate: Decimal | None


def _rate_columns(name_label: Any, name_kind: str = "text") -> tuple[Col, ...]:
    return (
        Col("name", name_label, lambda r: r.name, name_kind),
        Col("paid", gettext_lazy("Sub-orders paid"), lambda r: r.paid, "int"),
        Col("refunds", gettext_lazy("Successful refunds"), lambda r: r.refunds, "int"),
        Col("refunded", gettext_lazy("Refunded (¥)"), lambda r: r.refunded, "money"),
        Col("rate", gettext_lazy("Refund rate (%)"), lambda r: r.rate, "rate"),
    )


def _rate_total(paid: list[PaidLine], refunded: list[RefundedLine]) -> RateRow:
    refunds = len({r.order_line_id for r in refunded})
    money = sum((r.amount for r in refunded), ZERO)
    return RateRow(TOTAL, len(paid), refunds, money, rate(refunds, len(paid)))


def _rate_rows(
    keys: Iterable[Any], paid: dict[Any, set[int]], refunded: dict[Any, list[RefundedLine]], *, whole: int | None
) -> list[RateRow]:
    rows = []
    for key in keys:
        refunds = len({r.order_line_id for r in refunded.get(key, [])})
        base = len(paid.get(key, set())) if whole is None else whole
        money = sum((r.amount for r in refunded.get(key, [])), ZERO)
        rows.append(RateRow(key, base, refunds, money, rate(refunds, base)))
    return rows


def refund_rate_by_sku(p: Period, shop: Shop | None = None) -> Table:
    """Per SKU code: its successful refunds ÷ its sub-orders paid; the highest rate first."""
    paid, refunded = paid_lines(p, shop), refunded_lines(p, shop)
    paid_by: dict[str, set[int]] = defaultdict(set)
    refunded_by: dict[str, list[RefundedLine]] = defaultdict(list)
    for line in paid:
        paid_by[line.sku].add(line.order_line_id)
    for r in refunded:
        refunded_by[r.sku].append(r)
    rows = _rate_rows(sorted(set(paid_by) | set(refunded_by)), paid_by, refunded_by, whole=None)
    rows.sort(key=lambda r: (r.rate is None, -(r.rate or 0), -r.refunds, str(r.name)))
    return Table(
        "refund_rate_sku",
        gettext_lazy("Refund rate by SKU"),
        _rate_columns(gettext_lazy("SKU code")),
        rows,
        _rate_total(paid, refunded),
    )


def refund_rate_by_reason(p: Period, shop: Shop | None = None) -> Table:
    """Per reason: its successful refunds ÷ every sub-order paid (the rates add up to the total's)."""
    paid, refunded = paid_lines(p, shop), refunded_lines(p, shop)
    refunded_by: dict[str, list[RefundedLine]] = defaultdict(list)
    for r in refunded:
        refunded_by[r.reason].append(r)
    keys = [reason for reason in CaseReason.values if reason in refunded_by]
    rows = _rate_rows(keys, {}, refunded_by, whole=len(paid))
    rows = [RateRow(CaseReason(r.name).label, r.paid, r.refunds, r.refunded, r.rate) for r in rows]
    rows.sort(key=lambda r: -r.refunds)
    return Table(
        "refund_rate_reason",
        gettext_lazy("Refund rate by reason"),
        _rate_columns(gettext_lazy("Reason")),
        rows,
        _rate_total(paid, refunded),
        note=gettext_lazy(
            "Each reason's refunds ÷ every sub-order paid: the reasons' rates add up to the total, unless a "
            "sub-order was refunded for two reasons."
        ),
    )


def refund_rate_by_week(p: Period, shop: Shop | None = None) -> Table:
    """Per week (Monday to Sunday, cut to the period): the week's refunds ÷ the week's sub-orders paid."""
    paid, refunded = paid_lines(p, shop), refunded_lines(p, shop)
    paid_by: dict[date, set[int]] = defaultdict(set)
    refunded_by: dict[date, list[RefundedLine]] = defaultdict(list)
    for line in paid:
        paid_by[week_of(_day(line.paid_at))].add(line.order_line_id)
    for r in refunded:
        refunded_by[week_of(_day(r.refunded_at))].append(r)
    weeks = sorted({week_of(day) for day in p.days})
    return Table(
        "refund_rate_week",
        gettext_lazy("Refund rate by week"),
        _rate_columns(gettext_lazy("Week of"), "date"),
        _rate_rows(weeks, paid_by, refunded_by, whole=None),
        _rate_total(paid, refunded),
        note=gettext_lazy("A week starts on Monday; the first and last weeks are cut to the period."),
    )


# ----- top reasons per SKU ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReasonRow:
    sku: Any
    rank: int | None
    reason: Any
    cases: int
    share: Decimal | None


def top_reasons(p: Period, shop: Shop | None = None, *, top: int = TOP_REASONS) -> Table:
    """Per SKU, its most frequent reasons among the cases opened in the period about its lines (every kind of
    case, not only refunds): cases with the reason ÷ the SKU's cases. SKUs with the most cases first."""
    rows = CaseLine.objects.filter(case__created_at__gte=p.start, case__created_at__lt=p.end)
    if shop is not None:
        rows = rows.filter(case__shop=shop)
    by_sku: dict[str, dict[str, set[int]]] = defaultdict(lambda: defaultdict(set))
    for code, title, reason, case_id in rows.values_list(
        "order_line__sku_code", "order_line__title", "case__reason", "case_id"
    ).order_by():
        by_sku[_sku(code, title)][reason].add(case_id)
    order = list(CaseReason.values)
    found: list[ReasonRow] = []
    all_cases: set[int] = set()
    ranked = []
    for sku, reasons in by_sku.items():
        cases = set().union(*reasons.values())
        all_cases |= cases
        ranked.append((sku, reasons, cases))
    ranked.sort(key=lambda item: (-len(item[2]), item[0]))
    for sku, reasons, cases in ranked:
        best = sorted(reasons.items(), key=lambda kv: (-len(kv[1]), order.index(kv[0])))[:top]
        for n, (reason, ids) in enumerate(best, start=1):
            found.append(ReasonRow(sku, n, CaseReason(reason).label, len(ids), rate(len(ids), len(cases))))
    return Table(
        "top_reasons",
        gettext_lazy("Top reasons per SKU"),
        (
            Col("sku", gettext_lazy("SKU code"), lambda r: r.sku),
            Col("rank", gettext_lazy("Rank"), lambda r: r.rank, "int"),
            Col("reason", gettext_lazy("Reason"), lambda r: r.reason),
            Col("cases", gettext_lazy("Cases"), lambda r: r.cases, "int"),
            Col("share", gettext_lazy("Share of the SKU's cases (%)"), lambda r: r.share, "rate"),
        ),
        found,
        ReasonRow(TOTAL, None, "", len(all_cases), None),
        note=gettext_lazy("Cases opened in the period, of every kind; a case about two SKUs counts for each."),
    )


# ----- the cost of after-sales ----------------------------------------------------------------------------------


@dataclass
class CostRow:
    week: Any
    shop: Any
    refunds: Decimal = ZERO
    compensation: Decimal = ZERO
    freight: Decimal = ZERO
    recovered: Decimal = ZERO

    @property
    def cost(self) -> Decimal:
        return self.refunds + self.compensation + self.freight - self.recovered


#: Compensation counted as cost: a partial refund is paid back through the case's lines, so it is already
#: among the refunds.
COST_OFFERS = (OfferKind.COUPON, OfferKind.CASH_BACK, OfferKind.REISSUE)


def cost(p: Period, shop: Shop | None = None) -> Table:
    """Per week and shop: refunds + compensation + return freight − recovered from carriers.

    Refunds: the money refunded in the period, each refund on its day. Compensation:
    approved coupons, cash back and reissues, on the day they were approved (offered, when approved at once).
    Return freight: what we paid for returns (AfterSaleCase.return_freight), on the day the return was sent
    (opened, when not known). Recovered: what carriers paid on claims, on the day the claim was settled."""
    found: dict[tuple[date, int], CostRow] = {}
    shops = {s.pk: s for s in Shop.objects.all()}

    def row(moment: datetime, shop_id: int) -> CostRow:
        key = (week_of(_day(moment)), shop_id)
        if key not in found:
            found[key] = CostRow(key[0], shops[shop_id].name)
        return found[key]

    for at, shop_id, amount in refund_money(p, shop):
        row(at, shop_id).refunds += amount
    offers = (
        Compensation.objects.filter(status=CompensationStatus.APPROVED, offer__in=COST_OFFERS)
        .annotate(on=Coalesce("decided_at", "offered_at"))
        .filter(on__gte=p.start, on__lt=p.end)
    )
    freight = (
        AfterSaleCase.objects.filter(return_freight__gt=0)
        .annotate(on=Coalesce("return_sent_at", "created_at"))
        .filter(on__gte=p.start, on__lt=p.end)
    )
    recovered = CarrierClaim.objects.filter(
        status__in=RECOVERED_STATUSES, amount_recovered__gt=0, settled_at__gte=p.start, settled_at__lt=p.end
    )
    if shop is not None:
        offers, freight = offers.filter(case__shop=shop), freight.filter(shop=shop)
        recovered = recovered.filter(order__shop=shop)
    for on, shop_id, amount in offers.values_list("on", "case__shop_id", "amount").order_by():
        row(on, shop_id).compensation += to_fen(amount)
    for on, shop_id, amount in freight.values_list("on", "shop_id", "return_freight").order_by():
        row(on, shop_id).freight += to_fen(amount)
    for settled, shop_id, amount in recovered.values_list(
        "settled_at", "order__shop_id", "amount_recovered"
    ).order_by():
        if settled is not None:
            row(settled, shop_id).recovered += to_fen(amount)
    rows = sorted(found.values(), key=lambda r: (r.week, str(r.shop)))
    total = CostRow(TOTAL, "")
    for each in rows:
        total.refunds += each.refunds
        total.compensation += each.compensation
        total.freight += each.freight
        total.recovered += each.recovered
    return Table(
        "cost",
        gettext_lazy("Cost of after-sales"),
        (
            Col("week", gettext_lazy("Week of"), lambda r: r.week, "date"),
            Col("shop", gettext_lazy("Shop"), lambda r: r.shop),
            Col("refunds", gettext_lazy("Refunds (¥)"), lambda r: r.refunds, "money"),
            Col("compensation", gettext_lazy("Compensation (¥)"), lambda r: r.compensation, "money"),
            Col("freight", gettext_lazy("Return freight (¥)"), lambda r: r.freight, "money"),
            Col("recovered", gettext_lazy("Recovered from carriers (¥)"), lambda r: r.recovered, "money"),
            Col("cost", gettext_lazy("Cost (¥)"), lambda r: r.cost, "money"),
        ),
        rows,
        total,
        note=gettext_lazy("Cost = refunds + compensation + return freight − what carriers paid back."),
    )


# ----- agents -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AgentRow:
    agent: Any
    cases: int
    answered: int
    median_hours: Decimal | None
    p90_hours: Decimal | None


def agents(p: Period, shop: Shop | None = None) -> Table:
    """Per assignee, the cases opened in the period and how long the first answer (agree, reject, refund) took:
    first_answer_at − created_at, median and 90th percentile (nearest rank) over the answered ones."""
    rows = AfterSaleCase.objects.filter(created_at__gte=p.start, created_at__lt=p.end).select_related("assignee")
    if shop is not None:
        rows = rows.filter(shop=shop)
    by_agent: dict[int | None, list[AfterSaleCase]] = defaultdict(list)
    people: dict[int | None, Any] = {None: None}
    for case in rows.order_by("pk"):
        by_agent[case.assignee_id].append(case)
        people[case.assignee_id] = case.assignee

    def line(name: Any, cases: list[AfterSaleCase]) -> AgentRow:
        waits = [
            int((c.first_answer_at - c.created_at).total_seconds()) for c in cases if c.first_answer_at is not None
        ]
        return AgentRow(
            name,
            len(cases),
            len(waits),
            hours(median(waits)) if waits else None,
            hours(p90(waits)) if waits else None,
        )

    found = [line(_person(people[key]), cases) for key, cases in by_agent.items()]
    found.sort(key=lambda r: (-r.cases, str(r.agent)))
    everyone = [case for cases in by_agent.values() for case in cases]
    return Table(
        "agents",
        gettext_lazy("Cases per agent and time to first answer"),
        (
            Col("agent", gettext_lazy("Agent"), lambda r: r.agent),
            Col("cases", gettext_lazy("Cases opened"), lambda r: r.cases, "int"),
            Col("answered", gettext_lazy("Answered"), lambda r: r.answered, "int"),
            Col("median", gettext_lazy("First answer, median (h)"), lambda r: r.median_hours, "hours"),
            Col("p90", gettext_lazy("First answer, 90th percentile (h)"), lambda r: r.p90_hours, "hours"),
        ),
        found,
        line(TOTAL, everyone),
        note=gettext_lazy(
            "The agent is the case's assignee. Time to first answer: from opening to the first agree, reject or "
            "refund; the 90th percentile is the ⌈0.9·n⌉-th shortest."
        ),
    )


@dataclass(frozen=True)
class OverdueRow:
    day: Any
    agent: Any
    cases: int


def overdue(p: Period, shop: Shop | None = None, *, now: datetime | None = None) -> Table:
    """Per day of the deadline (in the period) and assignee: the deadlines missed — a case answered (or moved on)
    after its deadline, whose step keeps the deadline it missed (CaseEvent.missed_deadline), and a case still
    past its deadline now. A case counts once a deadline it missed."""
    now = now or timezone.now()
    counts: dict[tuple[date, str], int] = defaultdict(int)
    seen: set[tuple[int, datetime]] = set()
    late = CaseEvent.objects.filter(missed_deadline__gte=p.start, missed_deadline__lt=p.end).select_related(
        "case__assignee"
    )
    still = AfterSaleCase.objects.filter(
        status__in=ACTIVE_STATUSES, deadline__lte=now, deadline__gte=p.start, deadline__lt=p.end
    ).select_related("assignee")
    if shop is not None:
        late, still = late.filter(case__shop=shop), still.filter(shop=shop)
    missed = [(e.case_id, e.missed_deadline, e.case.assignee) for e in late.order_by("missed_deadline", "pk")]
    missed += [(case.pk, case.deadline, case.assignee) for case in still.order_by("deadline", "pk")]
    for case_id, deadline, assignee in missed:
        assert deadline is not None
        if (case_id, deadline) not in seen:
            seen.add((case_id, deadline))
            counts[(_day(deadline), _person(assignee))] += 1
    found = [OverdueRow(day, agent, n) for (day, agent), n in counts.items()]
    found.sort(key=lambda r: (r.day, str(r.agent)))
    return Table(
        "overdue",
        gettext_lazy("Missed deadlines per day and agent"),
        (
            Col("day", gettext_lazy("Day of the deadline"), lambda r: r.day, "date"),
            Col("agent", gettext_lazy("Agent"), lambda r: r.agent),
            Col("cases", gettext_lazy("Cases"), lambda r: r.cases, "int"),
        ),
        found,
        OverdueRow(TOTAL, "", sum(r.cases for r in found)),
        note=gettext_lazy(
            "Cases answered after their deadline, and open, agreed or rejected cases past their deadline now, "
            "by the day of the deadline and the case's agent."
        ),
    )


# ----- sales net of refunds ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NetRow:
    day: Any
    paid: Decimal
    refunded: Decimal

    @property
    def net(self) -> Decimal:
        return self.paid - self.refunded


def net_sales(*, shop: Shop | None = None, date_from: date | None = None, date_to: date | None = None) -> list[NetRow]:
    """Per day of the period (every day, zeros included): paid (支付金额: what the orders paid that day, postage
    included), refunded (the money refunded that day, each refund on its own day) and net = paid − refunded.
    Revenue net of refunds, for analytics."""
    p = period(date_from, date_to)
    paid: dict[date, Decimal] = defaultdict(lambda: ZERO)
    refunded: dict[date, Decimal] = defaultdict(lambda: ZERO)
    orders = Order.objects.filter(paid_at__gte=p.start, paid_at__lt=p.end)
    if shop is not None:
        orders = orders.filter(shop=shop)
    for at, amount in orders.values_list("paid_at", "paid_total").order_by():
        if at is not None:
            paid[_day(at)] += to_fen(amount)
    for at, _shop_id, amount in refund_money(p, shop):
        refunded[_day(at)] += amount
    return [NetRow(day, paid[day], refunded[day]) for day in p.days]


def net_sales_table(p: Period, shop: Shop | None = None) -> Table:
    rows = net_sales(shop=shop, date_from=p.first, date_to=p.last)
    total = NetRow(TOTAL, sum((r.paid for r in rows), ZERO), sum((r.refunded for r in rows), ZERO))
    return Table(
        "net_sales",
        gettext_lazy("Sales net of refunds"),
        (
            Col("day", gettext_lazy("Day"), lambda r: r.day, "date"),
            Col("paid", gettext_lazy("Paid (¥)"), lambda r: r.paid, "money"),
            Col("refunded", gettext_lazy("Refunded (¥)"), lambda r: r.refunded, "money"),
            Col("net", gettext_lazy("Net (¥)"), lambda r: r.net, "money"),
        ),
        rows,
        total,
        note=gettext_lazy("Paid: the orders paid that day, postage included. Refunded: that day's successful refunds."),
    )


# --------------------------------------------------------------------------------------------------------
# All of them
# --------------------------------------------------------------------------------------------------------

#: Every table of the page, in its order: key → builder.
TABLES: dict[str, Callable[[Period, Shop | None], Table]] = {
    "refund_rate_sku": refund_rate_by_sku,
    "refund_rate_reason": refund_rate_by_reason,
    "refund_rate_week": refund_rate_by_week,
    "top_reasons": top_reasons,
    "cost": cost,
    "agents": agents,
    "overdue": overdue,
    "net_sales": net_sales_table,
}


@dataclass
class Report:
    period: Period
    shop: Shop | None
    tables: list[Table] = field(default_factory=list)

    def table(self, key: str) -> Table:
        return next(t for t in self.tables if t.key == key)


def report(p: Period, shop: Shop | None = None, *, only: Iterable[str] | None = None) -> Report:
    keys = list(only) if only is not None else list(TABLES)
    return Report(p, shop, [TABLES[key](p, shop) for key in keys])
