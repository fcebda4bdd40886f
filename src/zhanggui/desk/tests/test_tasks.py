"""Tasks: made by hand (to a person or a role), from a failed check in one click, from a safety-stock alert;
the lists (mine, my role's, everyone's) and the overdue state."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from zhanggui.catalog.tests.factories import ShopFactory, SkuFactory
from zhanggui.core import roles
from zhanggui.desk import services
from zhanggui.desk.models import CheckKey, DayCheck, Task, TaskSource, TaskStatus
from zhanggui.orders.tests.factories import OrderFactory

pytestmark = pytest.mark.django_db


def log_in(client, user) -> None:
    """Logged in, reading English (?lang=en is remembered in the session)."""
    client.force_login(user)
    client.get(reverse("desk-task-list") + "?lang=en")


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def rows_of(client, query=""):
    return client.get(reverse("desk-task-rows") + query).content.decode()


def test_a_task_made_by_hand_for_a_role_shows_in_that_roles_list(client, users):
    log_in(client, users["manager"])
    response = client.post(
        reverse("desk-task-new"),
        {"title": "核对 KV 价格", "role": roles.DESIGNER, "due_at": "2030-01-02T10:30", "checker": users["manager"].pk},
    )
    task = Task.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("desk-task-detail", args=[task.pk])
    assert (task.role, task.assignee, task.checker, task.source) == ("designer", None, users["manager"], "hand")
    assert timezone.localtime(task.due_at).strftime("%Y-%m-%d %H:%M") == "2030-01-02 10:30"
    log_in(client, users["designer"])
    assert "核对 KV 价格" in rows_of(client)
    log_in(client, users["warehouse"])
    assert "核对 KV 价格" not in rows_of(client)
    assert "核对 KV 价格" not in rows_of(client, "?scope=all")  # "all" is the manager's


def test_a_task_needs_a_person_or_a_role_and_keeps_the_typed_title(client, users):
    log_in(client, users["operator"])
    response = client.post(reverse("desk-task-new"), {"title": "上新文案"})
    assert response.status_code == 422
    body = response.content.decode()
    assert "Give the task to a person or to a role." in body and 'value="上新文案"' in body
    assert not Task.objects.exists()


def test_one_click_on_a_failed_check_makes_a_linked_task(client, users):
    shop = ShopFactory(code="tm")
    now = timezone.now()
    OrderFactory(shop=shop, paid_at=now - timedelta(days=3), ship_by=now - timedelta(days=2))
    services.run_checks(shop=shop)
    row = DayCheck.objects.get(item__shop=shop, item__check_key=CheckKey.ORDERS_SHIPPED)
    log_in(client, users["manager"])
    sheet = client.get(reverse("desk-sheet") + "?shop=tm").content.decode()
    assert f'id="task-from-{row.pk}"' in sheet
    response = client.post(reverse("desk-task-from-check", args=[row.pk]))
    task = Task.objects.get()
    assert response["Location"] == reverse("desk-task-detail", args=[task.pk])
    assert (task.day_check, task.source, task.role) == (row, TaskSource.CHECK, "warehouse")
    assert task.checker == users["manager"]
    assert task.title == f"Fix: 店铺订单发货情况检查 ({timezone.localdate().isoformat()})"
    assert task.note.startswith("1 orders paid before")
    client.post(reverse("desk-task-from-check", args=[row.pk]))
    assert Task.objects.count() == 1  # the open one is found again
    detail = client.get(reverse("desk-task-detail", args=[task.pk])).content.decode()
    assert 'id="task-check-link"' in detail


def test_a_safety_stock_alert_becomes_a_restock_task_for_the_warehouse(client, users):
    sku = SkuFactory(code="TS-M", safety_stock=5)
    log_in(client, users["operator"])
    client.post(reverse("desk-task-from-alert", args=[sku.pk]))
    client.post(reverse("desk-task-from-alert", args=[sku.pk]))
    task = Task.objects.get()
    assert (task.role, task.source, task.alert_key) == ("warehouse", "alert", f"safety_stock:{sku.pk}")
    assert task.title == "Restock TS-M (0 left, safety stock 5)"


def test_an_overdue_task_is_marked_and_shows_on_the_assignees_morning(client, users):
    now, manager, service = timezone.now(), users["manager"], users["service"]
    past = services.create_task(actor=manager, title="退款超时复盘", assignee=service, due_at=now - timedelta(hours=1))
    services.create_task(actor=manager, title="明天再做", assignee=service, due_at=now + timedelta(days=1))
    log_in(client, users["service"])
    rows = rows_of(client)
    assert rows.count("Overdue</span>") == 1 and "1 overdue" in rows
    mine = client.get(reverse("desk-card", args=["mine"])).content.decode()
    assert "退款超时复盘" in mine and "明天再做" not in mine
    # Closed with its result, it is no longer overdue.
    client.post(reverse("desk-task-detail", args=[past.pk]), {"result": "已复盘", "done": ""})
    past.refresh_from_db()
    assert (past.status, past.result, past.done_by) == (TaskStatus.DONE, "已复盘", users["service"])
    assert "退款超时复盘" not in client.get(reverse("desk-card", args=["mine"])).content.decode()


def test_someone_else_cannot_close_a_task(client, users):
    task = services.create_task(actor=users["manager"], title="盘点", role=roles.WAREHOUSE)
    log_in(client, users["service"])
    assert client.post(reverse("desk-task-detail", args=[task.pk]), {"result": "x", "done": ""}).status_code == 403
    task.refresh_from_db()
    assert task.status == TaskStatus.OPEN
