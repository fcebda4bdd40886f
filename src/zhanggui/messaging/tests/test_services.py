"""The buyer messages' services: rendering, one message per order and kind, opt-outs, the sender (the default
stores, a plugged one sends, a failing one is retried up to MAX_ATTEMPTS), templates and retries."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings
from django.utils import timezone, translation

from zhanggui.core.errors import PermissionDeniedError, ValidationFailed
from zhanggui.core.models import AuditEntry
from zhanggui.messaging import checks, rendering, services
from zhanggui.messaging.errors import AlreadyOptedOut, InvalidMessageState, UnknownPlaceholder
from zhanggui.messaging.models import BuyerOptOut, MessageKind, MessageStatus, MessageTemplate, OutboxMessage
from zhanggui.messaging.senders import StoreOnlySender, get_sender
from zhanggui.orders.models import OrderStatus

pytestmark = pytest.mark.django_db

K, M = MessageKind, MessageStatus
HERE = "zhanggui.messaging.tests.test_services"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


class PlatformSender:
    """A sender that reaches the platform: remembers what it sent."""

    outcome = "sent"
    sent: list[int] = []

    def send(self, message):
        PlatformSender.sent.append(message.pk)


class DownSender:
    """The platform's API is down."""

    outcome = "sent"

    def send(self, message):
        raise ConnectionError("千牛 API timed out")


def status_of(message: OutboxMessage) -> tuple[str, int, str]:
    message.refresh_from_db()
    return message.status, message.attempts, message.reason


# ----- rendering ------------------------------------------------------------------------------------------


def test_the_default_shipped_notice_names_the_order_the_carrier_and_the_tracking_number(order_at):
    order = order_at(platform_order_no="T1001")
    message = services.queue_for_order(order=order, kind=K.SHIPPED)
    assert message.text == "亲，您的订单 T1001 已发货，顺丰速运 单号 SF1001，请留意查收。"
    assert (message.status, message.buyer_nick, message.shop_id) == (M.QUEUED, "tb_lily", order.shop_id)


def test_placeholders_are_filled_once_and_only_known_names_are_read():
    values = {**rendering.EXAMPLE_VALUES, "buyer": "{order_no}"}
    assert rendering.render("{buyer} / {order_no} / {receiver}", values) == "{order_no} / 1234567890123456 / 李丽"
    assert rendering.render("a { lone brace } and }{", values) == "a { lone brace } and }{"
    assert rendering.unknown_placeholders("{tracking} {order_no.__class__} {tracking} {buyer}") == [
        "{tracking}",
        "{order_no.__class__}",
    ]
    error = rendering.unknown_placeholder_error("单号 {tracking}")
    assert error.startswith("Unknown placeholder {tracking}: use {buyer}, {order_no}, {carrier}, {tracking_no}")


# ----- queuing --------------------------------------------------------------------------------------------


def test_queuing_creates_the_missing_default_templates_once(order_at, shop):
    services.queue_for_order(order=order_at(), kind=K.SHIPPED)
    services.queue_for_order(order=order_at(), kind=K.SHIPPED)
    stored = dict(MessageTemplate.objects.filter(shop=shop).values_list("kind", "enabled"))
    assert stored == {K.SHIPPED: True, K.DELIVERY_REMINDER: True}


def test_an_order_gets_each_kind_of_message_once(order_at):
    order = order_at(OrderStatus.DELIVERED)
    first = services.queue_for_order(order=order, kind=K.SHIPPED)
    again = services.queue_for_order(order=order, kind=K.SHIPPED)
    reminder = services.queue_for_order(order=order, kind=K.DELIVERY_REMINDER)
    assert again.pk == first.pk and reminder.pk != first.pk
    assert sorted(OutboxMessage.objects.values_list("kind", flat=True)) == [K.DELIVERY_REMINDER, K.SHIPPED]


def test_a_message_is_kept_as_written_when_the_template_changes_later(order_at, shop, manager):
    order = order_at(platform_order_no="T7")
    services.queue_for_order(order=order, kind=K.SHIPPED)
    services.save_template(actor=manager, shop=shop, kind=K.SHIPPED, body="新文案 {order_no}", enabled=True)
    assert services.queue_for_order(order=order, kind=K.SHIPPED).text.startswith("亲，您的订单 T7 已发货")
    assert services.queue_for_order(order=order_at(platform_order_no="T8"), kind=K.SHIPPED).text == "新文案 T8"


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        (OrderStatus.PACKED, K.SHIPPED),
        (OrderStatus.CANCELLED, K.SHIPPED),
        (OrderStatus.SHIPPED, K.DELIVERY_REMINDER),
    ],
)
def test_nothing_is_queued_for_an_order_not_at_the_step(order_at, status, kind):
    assert services.queue_for_order(order=order_at(status), kind=kind) is None
    assert not OutboxMessage.objects.exists()


def test_a_template_switched_off_queues_nothing(order_at, shop, service):
    services.save_template(actor=service, shop=shop, kind=K.SHIPPED, body="{order_no}", enabled=False)
    assert services.queue_for_order(order=order_at(), kind=K.SHIPPED) is None
    assert not OutboxMessage.objects.exists()


def test_a_buyer_who_opted_out_gets_the_message_skipped_with_the_reason(order_at, shop, service):
    services.opt_out(actor=service, shop=shop, buyer_nick=" tb_lily ", note="投诉过，不要再发")
    message = services.queue_for_order(order=order_at(), kind=K.SHIPPED)
    assert (message.status, message.reason) == (M.SKIPPED, "the buyer opted out: 投诉过，不要再发")
    assert services.send_pending() == {"stored": 0, "sent": 0, "failed": 0, "skipped": 0, "stuck": 0}
    assert status_of(message) == (M.SKIPPED, 0, "the buyer opted out: 投诉过，不要再发")


def test_an_opt_out_is_per_shop(order_at, service):
    from zhanggui.catalog.tests.factories import ShopFactory

    services.opt_out(actor=service, shop=ShopFactory(code="jd01"), buyer_nick="tb_lily")
    assert services.queue_for_order(order=order_at(), kind=K.SHIPPED).status == M.QUEUED


def test_an_order_without_a_buyer_is_skipped(order_at):
    message = services.queue_for_order(order=order_at(buyer_nick=""), kind=K.SHIPPED)
    assert (message.status, message.reason) == (M.SKIPPED, "the order names no buyer to write to")


# ----- sending --------------------------------------------------------------------------------------------


def test_the_default_sender_stores_the_message_and_says_it_was_not_sent(order_at):
    message = services.queue_for_order(order=order_at(), kind=K.SHIPPED)
    assert services.send_pending() == {"stored": 1, "sent": 0, "failed": 0, "skipped": 0, "stuck": 0}
    assert status_of(message) == (M.STORED, 1, "")
    assert message.sent_at is not None
    assert str(M.STORED.label) == "Stored, not sent"
    assert services.send_pending()["stored"] == 0  # done: never handed over twice


@override_settings(ZHANGGUI_MESSAGE_SENDER=f"{HERE}.PlatformSender")
def test_a_plugged_in_sender_sends(order_at):
    PlatformSender.sent = []
    message = services.queue_for_order(order=order_at(), kind=K.SHIPPED)
    assert services.send_pending()["sent"] == 1
    assert status_of(message) == (M.SENT, 1, "")
    assert PlatformSender.sent == [message.pk]


def test_a_failing_sender_fails_the_message_then_it_is_retried_until_its_tries_are_spent(order_at):
    message = services.queue_for_order(order=order_at(), kind=K.SHIPPED)
    now = timezone.now()
    with override_settings(ZHANGGUI_MESSAGE_SENDER=f"{HERE}.DownSender"):
        assert services.send_pending(now=now)["failed"] == 1
        assert status_of(message) == (M.FAILED, 1, "ConnectionError: 千牛 API timed out")
        assert services.send_pending(now=now + timedelta(minutes=1))["failed"] == 0  # waits RETRY_AFTER
        assert services.send_pending(now=now + timedelta(minutes=6))["failed"] == 1
        assert status_of(message)[:2] == (M.FAILED, 2)
    with override_settings(ZHANGGUI_MESSAGE_SENDER=f"{HERE}.PlatformSender"):
        assert services.send_pending(now=now + timedelta(minutes=12))["sent"] == 1
        assert status_of(message) == (M.SENT, 3, "")


@override_settings(ZHANGGUI_MESSAGE_SENDER=f"{HERE}.DownSender")
def test_after_its_last_try_a_failed_message_waits_for_a_person(order_at, service):
    message = services.queue_for_order(order=order_at(), kind=K.SHIPPED)
    now = timezone.now()
    for n in range(services.MAX_ATTEMPTS + 2):
        services.send_pending(now=now + n * timedelta(minutes=10))
    assert status_of(message)[:2] == (M.FAILED, services.MAX_ATTEMPTS)

    services.retry(actor=service, message=message)
    assert status_of(message) == (M.QUEUED, 0, "")
    assert AuditEntry.objects.get(action="outbox_message.retry").actor == service


def test_only_a_failed_message_can_be_tried_again(order_at, service):
    message = services.queue_for_order(order=order_at(), kind=K.SHIPPED)
    services.send_pending()
    with pytest.raises(InvalidMessageState, match="this one is stored, not sent"):
        services.retry(actor=service, message=message)
    assert status_of(message)[0] == M.STORED


def test_a_send_that_never_reported_back_is_failed_and_tried_again(order_at):
    message = services.queue_for_order(order=order_at(), kind=K.SHIPPED)
    started = timezone.now() - timedelta(minutes=20)
    OutboxMessage.objects.filter(pk=message.pk).update(status=M.SENDING, attempts=1, attempted_at=started)
    assert services.send_pending() == {"stored": 1, "sent": 0, "failed": 0, "skipped": 0, "stuck": 1}
    assert status_of(message) == (M.STORED, 2, "")


def test_a_message_being_sent_is_not_taken_by_a_second_worker(order_at):
    message = services.queue_for_order(order=order_at(), kind=K.SHIPPED)
    OutboxMessage.objects.filter(pk=message.pk).update(status=M.SENDING, attempted_at=timezone.now())
    assert services.send_message(message=message) == ""
    assert status_of(message)[0] == M.SENDING


def test_a_buyer_who_opts_out_after_queuing_gets_nothing(order_at, shop):
    message = services.queue_for_order(order=order_at(), kind=K.SHIPPED)
    BuyerOptOut.objects.create(shop=shop, buyer_nick="tb_lily")  # as if between queuing and sending
    assert services.send_pending()["skipped"] == 1
    assert status_of(message) == (M.SKIPPED, 0, "the buyer opted out")


def test_get_sender_names_a_bad_setting_and_the_check_reports_it():
    assert isinstance(get_sender(), StoreOnlySender)
    with override_settings(ZHANGGUI_MESSAGE_SENDER="zhanggui.messaging.senders.NoSuchSender"):
        with pytest.raises(ImproperlyConfigured, match="NoSuchSender"):
            get_sender()
        assert [e.id for e in checks.check_sender()] == ["zhanggui.E101"]
    with (
        override_settings(ZHANGGUI_MESSAGE_SENDER="zhanggui.core.errors.DomainError"),
        pytest.raises(ImproperlyConfigured, match="no send"),
    ):
        get_sender()
    with (
        override_settings(ZHANGGUI_MESSAGE_SENDER="zhanggui.messaging.models.MessageKind"),
        pytest.raises(ImproperlyConfigured, match="without arguments"),
    ):
        get_sender()
    assert checks.check_sender() == []


# ----- opt-outs ------------------------------------------------------------------------------------------


def test_opting_out_skips_the_buyers_waiting_messages_and_is_audited(order_at, shop, service):
    waiting = services.queue_for_order(order=order_at(), kind=K.SHIPPED)
    row = services.opt_out(actor=service, shop=shop, buyer_nick="tb_lily", note="电话要求")
    assert status_of(waiting) == (M.SKIPPED, 0, "the buyer opted out: 电话要求")
    assert (row.created_by, row.note) == (service, "电话要求")
    entry = AuditEntry.objects.get(action="buyer_opt_out.create")
    assert (entry.actor, entry.after) == (service, {"buyer_nick": "tb_lily", "note": "电话要求"})


def test_opting_out_twice_or_without_a_nick_is_refused(shop, service):
    services.opt_out(actor=service, shop=shop, buyer_nick="tb_lily")
    with pytest.raises(AlreadyOptedOut, match="tb_lily has opted out already"):
        services.opt_out(actor=service, shop=shop, buyer_nick="tb_lily")
    with pytest.raises(ValidationFailed):
        services.opt_out(actor=service, shop=shop, buyer_nick=" \u200b ")
    assert BuyerOptOut.objects.count() == 1


def test_opting_in_lets_later_messages_through(order_at, shop, service):
    row = services.opt_out(actor=service, shop=shop, buyer_nick="tb_lily")
    skipped = services.queue_for_order(order=order_at(), kind=K.SHIPPED)
    services.opt_in(actor=service, opt_out=row)
    assert not BuyerOptOut.objects.exists()
    assert services.queue_for_order(order=order_at(), kind=K.SHIPPED).status == M.QUEUED
    assert status_of(skipped)[0] == M.SKIPPED  # skipped meanwhile: stays so
    assert AuditEntry.objects.get(action="buyer_opt_out.cancel").before == {"buyer_nick": "tb_lily", "note": ""}


@pytest.mark.parametrize("role", ["warehouse", "designer", "operator"])
def test_only_service_and_the_manager_change_messages(users, order_at, shop, role):
    actor = users[role]
    message = services.queue_for_order(order=order_at(), kind=K.SHIPPED)
    OutboxMessage.objects.filter(pk=message.pk).update(status=M.FAILED, attempts=3)
    row = BuyerOptOut.objects.create(shop=shop, buyer_nick="tb_other")
    with pytest.raises(PermissionDeniedError):
        services.opt_out(actor=actor, shop=shop, buyer_nick="tb_lily")
    with pytest.raises(PermissionDeniedError):
        services.opt_in(actor=actor, opt_out=row)
    with pytest.raises(PermissionDeniedError):
        services.save_template(actor=actor, shop=shop, kind=K.SHIPPED, body="{order_no}", enabled=True)
    with pytest.raises(PermissionDeniedError):
        services.retry(actor=actor, message=message)
    assert list(BuyerOptOut.objects.values_list("buyer_nick", flat=True)) == ["tb_other"]
    assert status_of(message)[:2] == (M.FAILED, 3)
    assert MessageTemplate.objects.get(shop=shop, kind=K.SHIPPED).body.startswith("亲，您的订单 {order_no}")
    assert not AuditEntry.objects.exists()


# ----- templates -----------------------------------------------------------------------------------------


def test_a_template_with_an_unknown_placeholder_is_refused(shop, service):
    with pytest.raises(UnknownPlaceholder, match=r"Unknown placeholder \{tracking\}") as refused:
        services.save_template(actor=service, shop=shop, kind=K.SHIPPED, body="单号 {tracking}", enabled=True)
    assert refused.value.details == {"unknown": ["{tracking}"]}
    with pytest.raises(ValidationFailed):
        services.save_template(actor=service, shop=shop, kind=K.SHIPPED, body="  ", enabled=True)
    assert not MessageTemplate.objects.exists()


def test_saving_a_template_is_audited_with_its_text_before_and_after(shop, service):
    services.save_template(actor=service, shop=shop, kind=K.SHIPPED, body="已发货 {tracking_no}", enabled=True)
    template = services.save_template(
        actor=service, shop=shop, kind=K.SHIPPED, body=" 已发货：{carrier} {tracking_no} ", enabled=False
    )
    assert (template.body, template.enabled, template.updated_by) == ("已发货：{carrier} {tracking_no}", False, service)
    update = AuditEntry.objects.get(action="message_template.update")
    assert update.before == {"body": "已发货 {tracking_no}", "enabled": True}
    assert update.after == {"body": "已发货：{carrier} {tracking_no}", "enabled": False}
    assert AuditEntry.objects.filter(action="message_template.create").count() == 1
