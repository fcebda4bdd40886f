"""Buyer messages in the admin: every staff role reads; the outbox and opt-outs change only through the
services; templates are changed by 客服 and the manager through the service (audited, placeholders checked)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

from zhanggui.core.models import AuditEntry
from zhanggui.messaging.models import MessageKind, MessageStatus, MessageTemplate, OutboxMessage
from zhanggui.messaging.tests.factories import BuyerOptOutFactory, OutboxMessageFactory
from zhanggui.orders.tests.factories import OrderFactory

pytestmark = pytest.mark.django_db

K = MessageKind


def admin_client(user) -> Client:
    User.objects.filter(pk=user.pk).update(is_staff=True)
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("role", ["manager", "service", "warehouse", "designer"])
def test_every_staff_role_reads_the_outbox_opt_outs_and_templates(users, shop, role):
    message = OutboxMessageFactory(order=OrderFactory(shop=shop, platform_order_no="A1"))
    BuyerOptOutFactory(shop=shop, buyer_nick="tb_quiet")
    MessageTemplate.objects.create(shop=shop, kind=K.SHIPPED, body="{order_no} 已发货")
    client = admin_client(users[role])
    assert "A1" in client.get("/admin/messaging/outboxmessage/").content.decode()
    assert client.get(f"/admin/messaging/outboxmessage/{message.pk}/change/").status_code == 200
    assert "tb_quiet" in client.get("/admin/messaging/buyeroptout/").content.decode()
    assert "{order_no} 已发货" in client.get("/admin/messaging/messagetemplate/").content.decode()


def test_nobody_changes_the_outbox_or_adds_an_opt_out_in_the_admin(users, shop):
    message = OutboxMessageFactory(order=OrderFactory(shop=shop))
    client = admin_client(users["manager"])
    response = client.post(f"/admin/messaging/outboxmessage/{message.pk}/change/", {"status": "sent"})
    assert response.status_code == 403
    assert OutboxMessage.objects.get(pk=message.pk).status == MessageStatus.QUEUED
    assert client.get("/admin/messaging/buyeroptout/add/").status_code == 403


def test_service_changes_a_template_through_the_service(users, shop):
    template = MessageTemplate.objects.create(shop=shop, kind=K.SHIPPED, body="{order_no} 已发货")
    client = admin_client(users["service"])
    url = f"/admin/messaging/messagetemplate/{template.pk}/change/"
    refused = client.post(url, {"body": "{tracking} 已发货", "enabled": "on"})
    assert refused.status_code == 200  # the form shows the error
    assert "{tracking}" in str(refused.context["adminform"].form.errors["body"])
    assert client.post(url, {"body": "{tracking_no} 已发货", "enabled": "on"}).status_code == 302
    template.refresh_from_db()
    assert (template.body, template.updated_by) == ("{tracking_no} 已发货", users["service"])
    assert AuditEntry.objects.get(action="message_template.update").actor == users["service"]


@pytest.mark.parametrize("role", ["designer", "warehouse"])
def test_a_role_without_the_right_may_not_change_a_template(users, shop, role):
    template = MessageTemplate.objects.create(shop=shop, kind=K.SHIPPED, body="{order_no} 已发货")
    client = admin_client(users[role])
    url = f"/admin/messaging/messagetemplate/{template.pk}/change/"
    assert client.post(url, {"body": "{buyer}", "enabled": "on"}).status_code == 403
    assert (
        client.post(
            "/admin/messaging/messagetemplate/add/", {"shop": shop.pk, "kind": "delivery_reminder", "body": "x"}
        ).status_code
        == 403
    )
    assert list(MessageTemplate.objects.values_list("body", flat=True)) == ["{order_no} 已发货"]
