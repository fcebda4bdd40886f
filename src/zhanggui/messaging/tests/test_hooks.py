"""The hooks: an order shipped or delivered through orders.services gets its message, queued by a task once
the step has committed, and only once however often the step or the task runs; the sweep is on the worker's
schedule."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone, translation

from zhanggui.inventory.errors import InsufficientStock
from zhanggui.messaging import tasks
from zhanggui.messaging.models import MessageKind, MessageStatus, OutboxMessage
from zhanggui.orders import services as orders
from zhanggui.orders.errors import InvalidTransition
from zhanggui.orders.management.commands import worker
from zhanggui.orders.models import Order, OrderStatus
from zhanggui.orders.tests.factories import OrderFactory, OrderLineFactory

pytestmark = pytest.mark.django_db

K, M = MessageKind, MessageStatus


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def paid(shop, tee):
    """A paid order of `units` T-shirts, not yet allocated."""

    def make(units: int = 1, **fields) -> Order:
        order = OrderFactory(shop=shop, **fields)
        OrderLineFactory(order=order, sku=tee, quantity=units)
        return order

    return make


def ship(actor, order: Order, **fields) -> Order:
    return orders.ship(actor=actor, order=order, carrier="中通快递", tracking_no="ZT778899", **fields)


def test_shipping_an_order_queues_its_notice_once_the_step_has_committed(
    warehouse_user, paid, django_capture_on_commit_callbacks
):
    order = paid(platform_order_no="T2001")
    with django_capture_on_commit_callbacks() as callbacks:
        ship(warehouse_user, order)
        assert not OutboxMessage.objects.exists()  # a worker could not see the shipped order yet
    assert len(callbacks) == 1
    callbacks[0]()
    message = OutboxMessage.objects.get()
    assert (message.order_id, message.kind, message.buyer_nick) == (order.pk, K.SHIPPED, "tb_lily")
    assert message.text == "亲，您的订单 T2001 已发货，中通快递 单号 ZT778899，请留意查收。"
    assert (message.status, message.attempts) == (M.STORED, 1)  # sent at once by the default sender: stored


def test_shipping_again_or_running_the_task_again_leaves_one_message(
    warehouse_user, paid, django_capture_on_commit_callbacks
):
    order = paid()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        ship(warehouse_user, order)
    with pytest.raises(InvalidTransition), django_capture_on_commit_callbacks(execute=True):
        ship(warehouse_user, Order.objects.get(pk=order.pk))
    for callback in callbacks:
        callback()  # a task delivered twice by its backend
    assert tasks.queue_and_send.enqueue(order.pk, K.SHIPPED).return_value == M.STORED
    assert OutboxMessage.objects.filter(order=order).count() == 1
    assert OutboxMessage.objects.get(order=order).attempts == 1


def test_a_refused_shipment_queues_nothing(warehouse_user, paid, django_capture_on_commit_callbacks):
    order = paid(units=99)  # 20 on hand
    with pytest.raises(InsufficientStock), django_capture_on_commit_callbacks(execute=True) as callbacks:
        ship(warehouse_user, order)
    assert callbacks == []
    assert not OutboxMessage.objects.exists()


def test_a_rolled_back_shipment_writes_to_nobody(warehouse_user, paid, django_capture_on_commit_callbacks):
    order = paid()
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        ship(warehouse_user, order)
        transaction.set_rollback(True)
    assert callbacks == []
    assert not OutboxMessage.objects.exists()


def test_a_shipment_recorded_days_later_gets_no_notice(warehouse_user, paid, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        ship(warehouse_user, paid(), at=timezone.now() - timedelta(days=3))
        ship(warehouse_user, paid(buyer_nick="tb_fresh"), at=timezone.now() - timedelta(hours=2))
    assert len(callbacks) == 1
    assert list(OutboxMessage.objects.values_list("buyer_nick", flat=True)) == ["tb_fresh"]


def test_marking_an_order_delivered_queues_its_reminder(warehouse_user, paid, django_capture_on_commit_callbacks):
    order = paid(platform_order_no="T3001")
    with django_capture_on_commit_callbacks(execute=True):
        ship(warehouse_user, order)
        orders.mark_delivered(actor=warehouse_user, order=Order.objects.get(pk=order.pk))
    reminder = OutboxMessage.objects.get(order=order, kind=K.DELIVERY_REMINDER)
    assert reminder.text == "亲，您的包裹（中通快递 ZT778899）已送达，请及时签收查看；如有任何问题请随时联系我们。"
    assert OutboxMessage.objects.filter(order=order).count() == 2


def test_the_task_says_when_there_is_nothing_to_say(paid):
    assert tasks.queue_and_send.enqueue(paid().pk, K.SHIPPED).return_value == "none"  # not shipped
    assert tasks.queue_and_send.enqueue(2**40, K.SHIPPED).return_value == "none"  # no such order
    assert not OutboxMessage.objects.exists()


def test_the_sweep_runs_every_minute_on_the_workers_schedule():
    assert ("* * * * *", tasks.send_pending) in worker.periodic_tasks()
    jobs = {job.id: job for job in worker.build_scheduler().get_jobs()}
    sweep = jobs["zhanggui.messaging.tasks.send_pending"]
    assert [str(f) for f in sweep.trigger.fields if f.name == "minute"] == ["*"]


def test_the_sweep_task_sends_what_is_queued(order_at):
    from zhanggui.messaging import services

    message = services.queue_for_order(order=order_at(OrderStatus.SHIPPED), kind=K.SHIPPED)
    result = tasks.send_pending.enqueue()
    assert result.return_value == {"stored": 1, "sent": 0, "failed": 0, "skipped": 0, "stuck": 0}
    message.refresh_from_db()
    assert message.status == M.STORED
