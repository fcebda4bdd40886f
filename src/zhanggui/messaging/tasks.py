"""Background work of the buyer messages (docs/adr/0002-background-work.md): a message queued and sent when
its order ships or is delivered (messaging.hooks), and the sweep that sends what is due and retries failures.

Tasks take ids and return plain JSON, so any backend carries them. PERIODIC_TASKS is collected by
`zhanggui worker` like every installed app's.
"""

from __future__ import annotations

from django_tasks import task

from zhanggui.messaging import services
from zhanggui.messaging.models import MessageStatus
from zhanggui.orders.models import Order


@task()
def queue_and_send(order_id: int, kind: str) -> str:
    """Queue the order's message of this kind (once, whatever runs it twice) and send it at once; returns
    the message's status, or "none" when there is nothing to say (template off, order not at that step)."""
    order = Order.objects.select_related("shop").filter(pk=order_id).first()
    if order is None:
        return "none"
    message = services.queue_for_order(order=order, kind=kind)
    if message is None:
        return "none"
    if message.status == MessageStatus.QUEUED:
        return services.send_message(message=message) or message.status
    return message.status


@task()
def send_pending() -> dict[str, int]:
    """Send the queued messages and retry the failed ones whose wait is over (services.send_pending)."""
    return services.send_pending()


#: (cron expression, task) pairs `zhanggui worker` enqueues on: the sweep every minute.
PERIODIC_TASKS = (("* * * * *", send_pending),)
