"""The buyer-message pages with Django's test client, in English and in Chinese: the outbox (filters, export,
retry), the template editor (preview from a recent order, an unknown placeholder refused on the form), the
opt-outs (add, remove), the header's entry, and the refusals for roles that may not change messages."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import override_settings
from django.urls import reverse

from zhanggui.catalog.tests.factories import ShopFactory
from zhanggui.core.models import AuditEntry
from zhanggui.core.tests.pages import login
from zhanggui.messaging.models import BuyerOptOut, MessageKind, MessageStatus, MessageTemplate, OutboxMessage
from zhanggui.messaging.tests.factories import BuyerOptOutFactory, OutboxMessageFactory
from zhanggui.orders.models import OrderStatus
from zhanggui.orders.tests.factories import OrderFactory

pytestmark = pytest.mark.django_db

K, M = MessageKind, MessageStatus
OUTBOX, TEMPLATES, OPT_OUTS = "/messages/", "/messages/templates/", "/messages/opt-outs/"


def ids(response) -> list[int]:
    return [m.pk for m in response.context["page"]]


@pytest.fixture
def outbox(shop):
    """A stored notice, a failed reminder of tb_wang, and a queued notice of another shop."""
    other = ShopFactory(code="jd01", name="京东店")
    return {
        "stored": OutboxMessageFactory(order=OrderFactory(shop=shop, platform_order_no="A1"), status=M.STORED),
        "failed": OutboxMessageFactory(
            order=OrderFactory(shop=shop, platform_order_no="B2", buyer_nick="tb_wang"),
            kind=K.DELIVERY_REMINDER,
            status=M.FAILED,
            attempts=3,
            reason="ConnectionError: timed out",
        ),
        "other": OutboxMessageFactory(order=OrderFactory(shop=other, platform_order_no="C3")),
    }


# ----- the outbox ----------------------------------------------------------------------------------------


def test_the_outbox_lists_every_message_and_says_they_are_stored_not_sent(client, users, outbox):
    login(client, users["service"])
    response = client.get(OUTBOX)
    html = response.content.decode()
    assert response.status_code == 200
    assert ids(response) == [outbox["other"].pk, outbox["failed"].pk, outbox["stored"].pk]  # the newest first
    assert 'id="store-only"' in html and "Messages are stored here, not sent" in html
    assert "Stored, not sent" in html and "ConnectionError: timed out" in html
    assert 'data-nav="messages" class="active"' in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status=failed", ["failed"]),
        ("kind=shipped", ["other", "stored"]),
        ("q=tb_wang", ["failed"]),
        ("q=C3", ["other"]),
    ],
)
def test_the_outbox_filters(client, users, outbox, query, expected):
    login(client, users["designer"])  # every role reads
    assert ids(client.get(f"{OUTBOX}?{query}")) == [outbox[key].pk for key in expected]


def test_the_outbox_filters_by_shop_and_sorts(client, users, outbox, shop):
    login(client, users["manager"])
    assert ids(client.get(f"{OUTBOX}?shop={shop.pk}&sort=attempts")) == [outbox["stored"].pk, outbox["failed"].pk]


def test_the_outbox_exports_every_filtered_row_with_the_text(client, users, outbox):
    login(client, users["operator"])
    response = client.get(f"{OUTBOX}?status=stored&export=csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0][:6] == ["Created", "Shop", "Order number", "Buyer", "Kind", "Status"]
    assert [(r[2], r[5], r[7]) for r in rows[1:]] == [("A1", "Stored, not sent", "亲，您的订单 A1 已发货。")]


def test_service_tries_failed_messages_again_and_the_others_are_named(client, users, outbox):
    login(client, users["service"])
    picked = [outbox["failed"].pk, outbox["stored"].pk]
    response = client.post(
        reverse("messaging:outbox-batch"), {"action": "retry", "ids": picked, "next": f"{OUTBOX}?shop="}, follow=True
    )
    assert response.redirect_chain[-1][0] == f"{OUTBOX}?shop="
    text = " ".join(str(m) for m in response.context["messages"])
    assert "Try again: 1 done." in text and "A1 Shipped notice — Only a failed message" in text
    assert OutboxMessage.objects.get(pk=outbox["failed"].pk).status == M.QUEUED


@pytest.mark.parametrize("role", ["designer", "warehouse"])
def test_a_role_without_the_right_may_not_retry(client, users, outbox, role):
    login(client, users[role])
    html = client.get(OUTBOX).content.decode()
    assert 'id="batch-form"' not in html
    assert (
        client.post(reverse("messaging:outbox-batch"), {"action": "retry", "ids": [outbox["failed"].pk]}).status_code
        == 403
    )
    assert OutboxMessage.objects.get(pk=outbox["failed"].pk).status == M.FAILED


def test_the_outbox_in_chinese(client, users, outbox):
    login(client, users["manager"], language="zh-hans")
    html = client.get(OUTBOX).content.decode()
    assert '<html lang="zh-hans"' in html
    assert "亲，您的订单 A1 已发货。" in html and "店铺" in html  # the message as written; the desk's own words


def test_the_outbox_lists_a_page_in_a_fixed_number_of_queries(client, users, shop, django_assert_max_num_queries):
    for n in range(30):
        OutboxMessageFactory(order=OrderFactory(shop=shop, platform_order_no=f"N{n}"))
    login(client, users["service"])
    with django_assert_max_num_queries(16):
        assert client.get(OUTBOX).status_code == 200


# ----- templates -----------------------------------------------------------------------------------------


def test_the_editor_shows_the_defaults_previewed_for_the_last_shipped_order(client, users, shop, order_at):
    order_at(platform_order_no="OLD", shipped_at=None)
    order_at(platform_order_no="T9001", tracking_no="SF9001")
    login(client, users["service"])
    html = client.get(f"{TEMPLATES}?shop={shop.pk}").content.decode()
    assert "亲，您的订单 {order_no} 已发货，{carrier} 单号 {tracking_no}，请留意查收。" in html
    assert "The buyer of order T9001 would read:" in html
    assert "亲，您的订单 T9001 已发货，顺丰速运 单号 SF9001，请留意查收。" in html
    assert 'id="save-shipped"' in html and "{tracking_no}" in html
    assert not MessageTemplate.objects.exists()  # reading stores nothing


def test_the_preview_follows_the_text_typed_and_names_an_unknown_placeholder(client, users, shop):
    login(client, users["designer"])
    url = reverse("messaging:template-preview", args=[shop.pk, K.SHIPPED])
    ok = client.post(url, {"shipped-body": "{buyer}，{order_no} 已发出"}, HTTP_HX_REQUEST="true")
    assert "With example values, the buyer would read:" in ok.content.decode()
    assert "tb_lily，1234567890123456 已发出" in ok.content.decode()
    bad = client.post(url, {"shipped-body": "单号 {tracking}"}, HTTP_HX_REQUEST="true").content.decode()
    assert 'role="alert"' in bad and "Unknown placeholder {tracking}" in bad


def test_saving_a_template_with_an_unknown_placeholder_is_a_form_error(client, users, shop):
    login(client, users["service"])
    url = reverse("messaging:template-save", args=[shop.pk, K.SHIPPED])
    response = client.post(url, {"shipped-body": "已发货 {tracking}", "shipped-enabled": "on"})
    assert response.status_code == 422
    card = next(c for c in response.context["cards"] if c["template"].kind == K.SHIPPED)
    assert card["form"].errors["body"][0].startswith("Unknown placeholder {tracking}")
    assert "已发货 {tracking}" in response.content.decode()  # what was typed is kept
    assert not MessageTemplate.objects.exists()


def test_service_saves_a_template_in_place(client, users, shop):
    login(client, users["service"])
    url = reverse("messaging:template-save", args=[shop.pk, K.DELIVERY_REMINDER])
    response = client.post(url, {"delivery_reminder-body": "{receiver}，包裹已到"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "Saved" in response.content.decode() and 'id="template-delivery_reminder"' in response.content.decode()
    template = MessageTemplate.objects.get(shop=shop, kind=K.DELIVERY_REMINDER)
    assert (template.body, template.enabled) == ("{receiver}，包裹已到", False)  # the box was not ticked
    assert AuditEntry.objects.filter(action="message_template.create").count() == 1


def test_a_plain_post_goes_back_to_the_shops_templates(client, users, shop):
    login(client, users["manager"])
    url = reverse("messaging:template-save", args=[shop.pk, K.SHIPPED])
    response = client.post(url, {"shipped-body": "{order_no} 已发货", "shipped-enabled": "on"})
    assert response.status_code == 302 and response["Location"] == f"{TEMPLATES}?shop={shop.pk}"


@pytest.mark.parametrize("role", ["designer", "warehouse", "operator"])
def test_a_role_without_the_right_reads_templates_but_may_not_save(client, users, shop, role):
    login(client, users[role])
    html = client.get(TEMPLATES).content.decode()
    assert "亲，您的订单 {order_no}" in html and 'id="save-shipped"' not in html
    url = reverse("messaging:template-save", args=[shop.pk, K.SHIPPED])
    assert client.post(url, {"shipped-body": "{order_no}", "shipped-enabled": "on"}).status_code == 403
    assert not MessageTemplate.objects.exists()


def test_an_unknown_kind_is_a_404(client, users, shop):
    login(client, users["manager"])
    assert client.post(reverse("messaging:template-save", args=[shop.pk, "coupon"]), {}).status_code == 404


def test_the_template_editor_in_chinese(client, users, shop):
    login(client, users["service"], language="zh-hans")
    html = client.get(TEMPLATES).content.decode()
    assert '<html lang="zh-hans"' in html and "亲，您的包裹（{carrier} {tracking_no}）已送达" in html


# ----- opt-outs ------------------------------------------------------------------------------------------


def test_service_stops_messages_to_a_buyer_and_lets_them_through_again(client, users, shop, order_at):
    from zhanggui.messaging import services

    waiting = services.queue_for_order(order=order_at(OrderStatus.SHIPPED), kind=K.SHIPPED)
    login(client, users["service"])
    response = client.post(OPT_OUTS, {"shop": shop.pk, "buyer_nick": "tb_lily", "note": "电话里说的"}, follow=True)
    assert "tb_lily gets no more messages from 淘宝店." in " ".join(str(m) for m in response.context["messages"])
    row = BuyerOptOut.objects.get()
    assert (row.buyer_nick, row.note, row.created_by) == ("tb_lily", "电话里说的", users["service"])
    assert OutboxMessage.objects.get(pk=waiting.pk).status == M.SKIPPED

    html = client.get(OPT_OUTS).content.decode()
    assert 'data-buyer="tb_lily"' in html and "电话里说的" in html
    client.post(reverse("messaging:opt-out-remove", args=[row.pk]), {"next": OPT_OUTS})
    assert not BuyerOptOut.objects.exists()


def test_opting_out_twice_is_an_error_on_the_form(client, users, shop):
    BuyerOptOutFactory(shop=shop, buyer_nick="tb_lily")
    login(client, users["manager"])
    response = client.post(OPT_OUTS, {"shop": shop.pk, "buyer_nick": "tb_lily"})
    assert response.status_code == 422
    assert response.context["add_form"].errors["buyer_nick"][0].startswith("tb_lily has opted out already")
    assert BuyerOptOut.objects.count() == 1


@pytest.mark.parametrize("role", ["designer", "warehouse"])
def test_a_role_without_the_right_may_not_add_or_remove_opt_outs(client, users, shop, role):
    row = BuyerOptOutFactory(shop=shop, buyer_nick="tb_lily")
    login(client, users[role])
    html = client.get(OPT_OUTS).content.decode()
    assert 'data-buyer="tb_lily"' in html and 'id="opt-out-form"' not in html and 'data-action="remove"' not in html
    assert client.post(OPT_OUTS, {"shop": shop.pk, "buyer_nick": "tb_new"}).status_code == 403
    assert client.post(reverse("messaging:opt-out-remove", args=[row.pk])).status_code == 403
    assert list(BuyerOptOut.objects.values_list("buyer_nick", flat=True)) == ["tb_lily"]


def test_the_opt_outs_in_chinese(client, users, shop):
    BuyerOptOutFactory(shop=shop, buyer_nick="tb_lily", note="投诉")
    login(client, users["service"], language="zh-hans")
    html = client.get(OPT_OUTS).content.decode()
    assert '<html lang="zh-hans"' in html and "投诉" in html and "淘宝店" in html


# ----- the header ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "shown"), [("service", True), ("manager", True), ("warehouse", False), ("designer", False)]
)
def test_the_header_shows_buyer_messages_to_service_and_the_manager(client, users, role, shown):
    login(client, users[role])
    assert ('data-nav="messages"' in client.get(reverse("home")).content.decode()) is shown


@override_settings(ZHANGGUI_MESSAGE_SENDER="zhanggui.messaging.tests.test_services.PlatformSender")
def test_with_a_sender_for_the_platforms_the_outbox_does_not_warn(client, users, outbox):
    login(client, users["service"])
    assert 'id="store-only"' not in client.get(OUTBOX).content.decode()
