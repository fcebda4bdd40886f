"""Background work: the review and SLA tasks (run at once under the tests' backend), `zhanggui worker --once`
against the database backend, and the worker's cron schedule."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone, translation
from django_tasks import TaskResultStatus, task_backends
from django_tasks.backends.immediate import ImmediateBackend
from django_tasks_db.models import DBTaskResult

from zhanggui.orders import tasks
from zhanggui.orders.management.commands import worker
from zhanggui.orders.models import Order, OrderEvent, OrderStatus
from zhanggui.orders.tests.factories import OrderFactory, OrderLineFactory

S = OrderStatus
DATABASE_BACKEND = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def paid(shop, stocked):
    """paid(minutes_ago, **fields): a paid order of one stocked T-shirt that trips no review rule."""
    tee = stocked("TEE-M", 10)

    def make(minutes_ago: int, **fields) -> Order:
        now = timezone.now()
        fields.setdefault("ship_by", now + timedelta(hours=20))
        order = OrderFactory(shop=shop, paid_at=now - timedelta(minutes=minutes_ago), **fields)
        OrderLineFactory(order=order, sku=tee)
        return order

    return make


def status_of(order: Order) -> str:
    return Order.objects.values_list("status", flat=True).get(pk=order.pk)


def test_tests_run_tasks_at_once():
    assert isinstance(task_backends["default"], ImmediateBackend)


@pytest.mark.django_db
def test_the_review_sweep_task_reviews_orders_past_their_wait(paid):
    due, young = paid(31, buyer_nick="a"), paid(5, buyer_nick="b")
    result = tasks.auto_review_due.enqueue()
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value == {
        "held": 0,
        "passed": 1,
        "waiting": 0,
        "skipped": 0,
        "failed": 0,
        "presale_released": 0,
    }
    assert (status_of(due), status_of(young)) == (S.REVIEWED, S.PAID)


@pytest.mark.django_db
def test_enqueue_review_runs_after_the_transaction_commits(paid, django_capture_on_commit_callbacks):
    order = paid(0, buyer_note="请发顺丰")
    with django_capture_on_commit_callbacks() as callbacks:
        tasks.enqueue_review(order.pk)
        assert status_of(order) == S.PAID  # nothing yet: a worker could not see an uncommitted order
    for callback in callbacks:
        callback()
    assert status_of(order) == S.ON_HOLD
    assert Order.objects.get(pk=order.pk).hold_reason == "buyer's note: 请发顺丰"


@pytest.mark.django_db
def test_the_sla_check_notes_an_overdue_order_once(paid):
    now = timezone.now()
    overdue = paid(60 * 30, buyer_nick="a", ship_by=now - timedelta(hours=1))
    paid(60, buyer_nick="b", ship_by=now + timedelta(hours=3))  # due soon
    paid(60, buyer_nick="c", ship_by=now + timedelta(hours=5))  # not yet
    paid(60, buyer_nick="d", ship_by=now - timedelta(hours=2), status=S.SHIPPED)  # gone: not counted
    held = paid(60, buyer_nick="e", ship_by=now - timedelta(minutes=5), status=S.ON_HOLD)  # its deadline runs on

    result = tasks.sla_check.enqueue()
    assert result.return_value == {"due_soon": 1, "overdue": 2, "noted": 2}
    note = OrderEvent.objects.get(order=overdue)
    deadline = timezone.localtime(overdue.ship_by).strftime("%Y-%m-%d %H:%M")
    assert (note.from_status, note.to_status, note.actor) == (S.PAID, S.PAID, None)
    assert note.reason == f"SLA: overdue: it was to ship by {deadline}"
    assert OrderEvent.objects.get(order=held).to_status == S.ON_HOLD

    assert tasks.sla_check.enqueue().return_value == {"due_soon": 1, "overdue": 2, "noted": 0}
    assert OrderEvent.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_worker_once_runs_the_queue_of_the_database_backend(settings, paid):
    """The real path: a row in the task table, taken and run by the worker, outside any test transaction."""
    settings.TASKS = DATABASE_BACKEND
    order = paid(0, buyer_note="请发顺丰")  # trips a rule: the review holds it at once
    queued = tasks.review_one_order.enqueue(order.pk)
    assert DBTaskResult.objects.get(pk=queued.id).status == TaskResultStatus.READY
    assert status_of(order) == S.PAID

    out = io.StringIO()
    call_command("worker", "--once", stdout=out)
    assert out.getvalue().splitlines()[-1] == "queue empty"

    row = DBTaskResult.objects.get(pk=queued.id)
    assert row.status == TaskResultStatus.SUCCESSFUL
    assert row.return_value == "held"
    assert status_of(order) == S.ON_HOLD
    # --once also ran each periodic task once
    periodic = dict(DBTaskResult.objects.exclude(pk=queued.id).values_list("task_path", "status"))
    assert periodic == {
        "zhanggui.orders.tasks.auto_review_due": TaskResultStatus.SUCCESSFUL,
        "zhanggui.orders.tasks.sla_check": TaskResultStatus.SUCCESSFUL,
        "zhanggui.messaging.tasks.send_pending": TaskResultStatus.SUCCESSFUL,  # every app's schedule
        "zhanggui.analytics.tasks.diagnose_shops": TaskResultStatus.SUCCESSFUL,
        "zhanggui.members.tasks.members_nightly": TaskResultStatus.SUCCESSFUL,
        "zhanggui.members.tasks.members_forecast": TaskResultStatus.SUCCESSFUL,
        "zhanggui.members.tasks.campaigns_deliver_deferred": TaskResultStatus.SUCCESSFUL,
    }
    assert not DBTaskResult.objects.ready().exists()


def test_the_schedule_sweeps_the_review_every_minute_and_checks_the_sla_every_five():
    jobs = {job.id: job for job in worker.build_scheduler().get_jobs()}
    assert {"zhanggui.orders.tasks.auto_review_due", "zhanggui.orders.tasks.sla_check"} <= set(jobs)
    assert "zhanggui.messaging.tasks.send_pending" in set(jobs)  # the buyer messages' sweep: every app's schedule
    review, sla = jobs["zhanggui.orders.tasks.auto_review_due"], jobs["zhanggui.orders.tasks.sla_check"]
    assert [str(f) for f in review.trigger.fields if f.name == "minute"] == ["*"]
    assert [str(f) for f in sla.trigger.fields if f.name == "minute"] == ["*/5"]
    assert str(sla.trigger.timezone) == "Asia/Shanghai"
    assert review.args == (tasks.auto_review_due,)


def test_on_the_database_backend_the_schedule_also_prunes_old_results(settings):
    settings.TASKS = DATABASE_BACKEND
    jobs = {job.id: job for job in worker.build_scheduler().get_jobs()}
    prune = jobs["prune_db_task_results"]
    assert {f.name: str(f) for f in prune.trigger.fields if f.name in ("hour", "minute")} == {
        "hour": "4",
        "minute": "30",
    }


@pytest.mark.django_db
def test_a_fired_trigger_enqueues_its_task(paid):
    order = paid(45)
    worker.enqueue_periodic(tasks.auto_review_due)
    assert status_of(order) == S.REVIEWED
