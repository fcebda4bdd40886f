"""Where the orders tell the buyer messages that something happened to an order.

orders.services.ship and orders.services.mark_delivered call these through orders.listeners, where this app
registers them from its ready() (messaging sits above orders, which must not depend on it). Each queues the
order's message through a task once the caller's transaction has committed, so a worker on another connection
finds the order shipped, and a rolled-back step writes to nobody. A failure to enqueue is logged and never undoes
the step itself.
"""

from __future__ import annotations

from datetime import timedelta
from functools import partial

from django.db import transaction
from django.utils import timezone

from zhanggui.messaging.models import MessageKind
from zhanggui.orders.models import Order

#: A parcel that left longer ago than this (a shipment recorded after the fact, the demo's history) gets no
#: shipped notice: the platform told the buyer long since.
TOO_LATE_TO_TELL = timedelta(days=1)


def order_shipped(order: Order) -> None:
    if order.shipped_at is not None and order.shipped_at < timezone.now() - TOO_LATE_TO_TELL:
        return
    _queue_after_commit(order.pk, MessageKind.SHIPPED)


def order_delivered(order: Order) -> None:
    _queue_after_commit(order.pk, MessageKind.DELIVERY_REMINDER)


def _queue_after_commit(order_id: int, kind: str) -> None:
    from zhanggui.messaging import tasks

    transaction.on_commit(partial(tasks.queue_and_send.enqueue, order_id, str(kind)), robust=True)
