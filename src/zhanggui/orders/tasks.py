"""Background work of the orders (docs/adr/0002-background-work.md): Django's tasks framework, run by
`zhanggui worker`. Tasks take ids and return plain JSON, so any backend can carry them (the database one by
default; RQ or another distributed one without changing this file).

PERIODIC_TASKS are the cron schedule the worker enqueues them on (every installed app's `tasks.PERIODIC_TASKS`).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from zhanggui.orders import review, services
from zhanggui.orders.models import QUEUE_STATUSES, Order, OrderEvent, OrderStatus

#: Orders due within this are "due soon" on the board.
DUE_SOON = timedelta(hours=4)
#: Open orders: the queue and the held ones (a held order's deadline runs on).
OPEN_STATUSES = (*QUEUE_STATUSES, OrderStatus.ON_HOLD)
#: The untranslated start of an overdue note, so the note is written once per order in any language.
OVERDUE_MARK = "SLA:"


@task()
def auto_review_due() -> dict[str, int]:
    """The automatic review's sweep: paid orders past their shop's wait are held or pass (orders.review)."""
    return review.sweep()


@task()
def review_one_order(order_id: int) -> str:
    """Review one order now (it passes only once its wait is over; a hit holds it at once)."""
    return review.review_order(order_id).result


@task()
def sla_check() -> dict[str, int]:
    """发货时效: count the open orders due within 4 hours and the overdue ones; an overdue order gets one note
    on its timeline the first time it is seen overdue. The board reads the deadlines themselves (selectors)."""
    return note_overdue(now=timezone.now())


def note_overdue(*, now: datetime) -> dict[str, int]:
    open_orders = Order.objects.filter(status__in=OPEN_STATUSES, ship_by__isnull=False)
    due_soon = open_orders.filter(ship_by__gte=now, ship_by__lt=now + DUE_SOON).count()
    overdue = open_orders.filter(ship_by__lt=now)
    with transaction.atomic():
        new = list(overdue.exclude(events__reason__startswith=OVERDUE_MARK).only("id", "status", "ship_by"))
        OrderEvent.objects.bulk_create(
            OrderEvent(
                order=order,
                at=now,
                from_status=order.status,
                to_status=order.status,
                reason=services.clip_reason(f"{OVERDUE_MARK} {overdue_reason(order)}"),
            )
            for order in new
        )
    return {"due_soon": due_soon, "overdue": overdue.count(), "noted": len(new)}


def overdue_reason(order: Order) -> str:
    deadline = timezone.localtime(order.ship_by).strftime("%Y-%m-%d %H:%M") if order.ship_by else ""
    return _("overdue: it was to ship by %(deadline)s") % {"deadline": deadline}


def enqueue_review(order_id: int) -> None:
    """Review the order in the background once the caller's transaction has committed (a worker on another
    connection must see the order)."""
    transaction.on_commit(lambda: review_one_order.enqueue(order_id))


#: (cron expression, task) pairs `zhanggui worker` enqueues on; the crontab's fields, in the desk's time zone.
PERIODIC_TASKS = (
    ("* * * * *", auto_review_due),
    ("*/5 * * * *", sla_check),
)
