"""Reads of the order pages: the queue's rows and filters, the promise badge, the SLA board and the desk card.

The services own every write (orders.services); these only read. Deadlines are compared with one `now` the view
passes in, so a page's badges, counts and links agree with each other (and tests can fix the moment).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from zhanggui.catalog.models import Shop
from zhanggui.core import roles
from zhanggui.orders import parcels, services
from zhanggui.orders.models import QUEUE_STATUSES, SHIPPED_STATUSES, Order, OrderLine, OrderStatus

S = OrderStatus
#: Orders that still have to leave: the queue and the held ones (a hold does not stop the platform's clock).
OPEN_STATUSES = (*QUEUE_STATUSES, S.ON_HOLD)
#: "Due soon" on the queue, the SLA board and the desk.
SOON = timedelta(hours=4)
#: The SLA board's late-shipment table covers this many days, today included.
LATE_DAYS = 14

DUE_OVERDUE, DUE_SOON, DUE_TODAY, DUE_LATE = "overdue", "soon", "today", "late"
STATUS_OPEN = "open"


# --------------------------------------------------------------------------------------------------------
# The queue
# --------------------------------------------------------------------------------------------------------


def _line_sum(field: str) -> Subquery:
    """A per-order sum over its lines as a subquery, so a filter on the lines never multiplies the rows."""
    return Subquery(
        OrderLine.objects.filter(order=OuterRef("pk")).order_by().values("order").annotate(n=Sum(field)).values("n"),
        output_field=IntegerField(),
    )


def with_units(rows: QuerySet[Order]) -> QuerySet[Order]:
    return rows.annotate(units=Coalesce(_line_sum("quantity"), 0))


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """A day of the shop's calendar as [start, end) moments."""
    start = timezone.make_aware(datetime.combine(day, time.min))
    return start, timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))


def due_filter(due: str, now: datetime) -> Q:
    """Overdue, due within 4 h or due today (the orders still to ship), or shipped late."""
    open_ = Q(status__in=OPEN_STATUSES, ship_by__isnull=False)
    if due == DUE_OVERDUE:
        return open_ & Q(ship_by__lt=now)
    if due == DUE_SOON:
        return open_ & Q(ship_by__gte=now, ship_by__lt=now + SOON)
    if due == DUE_TODAY:
        start, end = day_bounds(timezone.localdate(now))
        return open_ & Q(ship_by__gte=start, ship_by__lt=end)
    if due == DUE_LATE:
        return Q(status__in=SHIPPED_STATUSES, shipped_at__gt=F("ship_by"))
    return Q()


def queue_rows(
    *,
    q: str = "",
    shop: Shop | None = None,
    status: str = "",
    due: str = "",
    shipped_on: date | None = None,
    now: datetime | None = None,
) -> QuerySet[Order]:
    """The queue's rows, filtered: q matches the order number, buyer, receiver or a line's SKU code."""
    now = now or timezone.now()
    rows = with_units(Order.objects.select_related("shop"))
    if q:
        rows = rows.filter(
            Q(platform_order_no__icontains=q)
            | Q(buyer_nick__icontains=q)
            | Q(receiver_name__icontains=q)
            | Q(pk__in=OrderLine.objects.filter(sku_code__icontains=q).values("order_id"))
        )
    if shop is not None:
        rows = rows.filter(shop=shop)
    if status == STATUS_OPEN:
        rows = rows.filter(status__in=OPEN_STATUSES)
    elif status:
        rows = rows.filter(status=status)
    if due:
        rows = rows.filter(due_filter(due, now))
    if shipped_on is not None:
        start, end = day_bounds(shipped_on)
        rows = rows.filter(shipped_at__gte=start, shipped_at__lt=end)
    return rows


@dataclass(frozen=True)
class Promise:
    """The shipping promise as a badge: "due in 3 h" (warn under 4 h) or "overdue 2 h" (bad)."""

    text: str
    kind: str  # "bad", "warn" or ""


def _span(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    if minutes < 60:
        return _("%(n)s min") % {"n": minutes}
    if minutes < 48 * 60:
        return _("%(n)s h") % {"n": minutes // 60}
    return _("%(n)s d") % {"n": minutes // (24 * 60)}


def promise(order: Order, now: datetime) -> Promise | None:
    """Only for an order still to ship that has a deadline."""
    if order.ship_by is None or order.status not in OPEN_STATUSES:
        return None
    if order.ship_by < now:
        return Promise(_("overdue %(span)s") % {"span": _span(now - order.ship_by)}, "bad")
    left = order.ship_by - now
    return Promise(_("due in %(span)s") % {"span": _span(left)}, "warn" if left < SOON else "")


# --------------------------------------------------------------------------------------------------------
# One order
# --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Actions:
    """The steps the order page offers this person on this order (the services check both again)."""

    review: bool = False
    allocate: bool = False
    hold: bool = False
    release: bool = False
    cancel: bool = False
    ship: bool = False

    @property
    def any(self) -> bool:
        return any((self.review, self.allocate, self.hold, self.release, self.cancel, self.ship))


def actions_for(order: Order, user: Any) -> Actions:
    if carried_by(order) is not None:
        # a merged order moves with its main order; only cancelling takes it out of the parcel
        reviews = roles.holds(user, roles.REVIEW_ORDERS)
        return Actions(cancel=reviews and S.CANCELLED in Order.ALLOWED_TRANSITIONS[order.status])
    allowed = Order.ALLOWED_TRANSITIONS[order.status]
    held = order.status == S.ON_HOLD
    reviews = roles.holds(user, roles.REVIEW_ORDERS)
    fulfils = roles.holds(user, roles.FULFIL_ORDERS)
    return Actions(
        review=reviews and order.status == S.PAID,  # (allocated → reviewed is a merge's, not a button's)
        allocate=fulfils and not held and S.ALLOCATED in allowed,
        hold=reviews and not held and S.ON_HOLD in allowed,
        release=reviews and held,
        # a part joins back instead; a replacement part (补发/换货) is cancelled on its own
        cancel=reviews and S.CANCELLED in allowed and (order.split_from_id is None or order.is_replacement),
        ship=fulfils and not held and S.SHIPPED in allowed,
    )


def carried_by(order: Order) -> Order | None:
    """The open main order this order ships with, if it is merged into one."""
    main = order.merged_into
    if main is None or order.status in services.DONE_STATUSES or main.status in services.DONE_STATUSES:
        return None
    return main


@dataclass(frozen=True)
class Parcel:
    """合单 and 拆单 on the order page: the main order, the orders in its parcel, the orders that could join it;
    the parts of a split order, or the order a part ships lines of."""

    main: Order | None  # set when this order ships with another
    members: list[Order]  # the other orders of this order's parcel
    candidates: list[Order]  # the same buyer's orders that could be merged with it (may merge: REVIEW_ORDERS)
    can_merge: bool
    can_unmerge: bool
    parts: list[Order]  # the parts of this order (拆单)
    split_from: Order | None  # the order this part ships lines of
    can_split: bool
    can_join: bool


def parcel_for(order: Order, user: Any) -> Parcel:
    reviews = roles.holds(user, roles.REVIEW_ORDERS)
    main = carried_by(order)
    head = main or order
    members = [
        member
        for member in Order.objects.filter(merged_into=head).exclude(status__in=services.DONE_STATUSES)
        if member.pk != order.pk
    ]
    if main is not None:
        members.insert(0, main)
    open_steps = (*parcels.MERGEABLE_STATUSES, S.ON_HOLD)
    candidates = list(parcels.merge_candidates(order)[:10]) if order.status in open_steps else []
    split_from = order.split_from
    parts = list(order.parts.order_by("id")) if order.has_parts else []
    return Parcel(
        main=main,
        members=members,
        candidates=candidates,
        can_merge=reviews and bool(candidates) and parcels.mergeable(order),
        can_unmerge=reviews and bool(members) and all(m.status in open_steps for m in [order, *members]),
        parts=parts,
        split_from=split_from,
        can_split=reviews
        and split_from is None
        and main is None
        and not members
        and order.status in parcels.MERGEABLE_STATUSES
        and len(services.fulfilment_lines(order)) > 1,
        can_join=reviews
        and split_from is not None
        and not order.is_replacement
        and order.status in open_steps
        and split_from.status in open_steps,
    )


def page_lines(order: Order) -> list[OrderLine]:
    """The lines an order page lists: a part's are those it ships; an order's are all its lines (those shipping in
    a part say which, `ships_in`)."""
    if order.split_from_id is not None:
        return list(
            OrderLine.objects.filter(ships_in=order).select_related("sku", "ships_in").order_by("position", "id")
        )
    return list(order.lines.select_related("ships_in"))


def line_totals(order: Order) -> dict[str, Any]:
    lines = page_lines(order)
    return {
        "quantity": sum(line.quantity for line in lines),
        "list": sum((line.unit_price * line.quantity for line in lines), start=Decimal("0.00")),
        "discount": sum((line.discount for line in lines), start=Decimal("0.00")),
        "paid": sum((line.paid for line in lines), start=Decimal("0.00")),
    }


# --------------------------------------------------------------------------------------------------------
# The SLA board and the desk card
# --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LateDay:
    day: date
    shop: Shop
    shipped: int
    late: int

    @property
    def rate(self) -> float:
        return self.late / self.shipped if self.shipped else 0.0


def due_by_shop(now: datetime) -> list[dict[str, Any]]:
    """Per shop with any: orders overdue and due within 4 h (still to ship)."""
    counts = (
        Order.objects.filter(status__in=OPEN_STATUSES, ship_by__isnull=False, ship_by__lt=now + SOON)
        .values("shop")
        .annotate(
            overdue=Count("pk", filter=Q(ship_by__lt=now)),
            soon=Count("pk", filter=Q(ship_by__gte=now)),
        )
        .order_by()
    )
    shops = Shop.objects.in_bulk([row["shop"] for row in counts])
    rows = [{"shop": shops[row["shop"]], "overdue": row["overdue"], "soon": row["soon"]} for row in counts]
    return sorted(rows, key=lambda row: (-row["overdue"], -row["soon"], row["shop"].code))


def late_rates(now: datetime, days: int = LATE_DAYS) -> list[LateDay]:
    """Shipped after ship_by ÷ shipped, per day of shipping (the shop's calendar) and shop, the newest day first.
    Orders without a deadline count as shipped, never late."""
    start, _end = day_bounds(timezone.localdate(now) - timedelta(days=days - 1))
    found = (
        Order.objects.filter(status__in=SHIPPED_STATUSES, shipped_at__gte=start, shipped_at__lte=now)
        .annotate(day=TruncDate("shipped_at", tzinfo=timezone.get_current_timezone()))
        .values("day", "shop")
        .annotate(shipped=Count("pk"), late=Count("pk", filter=Q(shipped_at__gt=F("ship_by"))))
        .order_by()
    )
    shops = Shop.objects.in_bulk([row["shop"] for row in found])
    rows = [LateDay(row["day"], shops[row["shop"]], row["shipped"], row["late"]) for row in found]
    return sorted(rows, key=lambda row: (-row.day.toordinal(), row.shop.code))


def board(now: datetime, *, limit: int = 100) -> dict[str, Any]:
    due = Order.objects.select_related("shop").filter(status__in=OPEN_STATUSES).order_by("ship_by", "pk")
    return {
        "by_shop": due_by_shop(now),
        "overdue": list(due.filter(due_filter(DUE_OVERDUE, now))[:limit]),
        "soon": list(due.filter(due_filter(DUE_SOON, now))[:limit]),
        "late": late_rates(now),
        "days": LATE_DAYS,
    }


def desk_counts(now: datetime) -> dict[str, int]:
    """The desk card: orders to ship today, overdue, and on hold."""
    found = Order.objects.aggregate(
        today=Count("pk", filter=due_filter(DUE_TODAY, now)),
        overdue=Count("pk", filter=due_filter(DUE_OVERDUE, now)),
        held=Count("pk", filter=Q(status=S.ON_HOLD)),
    )
    return {key: found[key] or 0 for key in ("today", "overdue", "held")}
