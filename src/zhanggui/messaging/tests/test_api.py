"""The buyer-messages API: the outbox with its filters, opt-outs added and removed by 客服, refusals that
change nothing."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import translation

from zhanggui.catalog.tests.factories import ShopFactory
from zhanggui.core.models import AuditEntry
from zhanggui.core.services import create_api_token
from zhanggui.messaging.models import BuyerOptOut, MessageKind, MessageStatus, OutboxMessage
from zhanggui.messaging.tests.factories import BuyerOptOutFactory, OutboxMessageFactory
from zhanggui.orders.tests.factories import OrderFactory

pytestmark = pytest.mark.django_db

API = "/api/v1/messages"
K, M = MessageKind, MessageStatus


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def client_for(user) -> Client:
    return Client(headers={"Authorization": f"Bearer {create_api_token(user=user, name='test')[1]}"})


def test_the_outbox_lists_messages_with_their_status_and_text(users, shop):
    stored = OutboxMessageFactory(order=OrderFactory(shop=shop, platform_order_no="A1"), status=M.STORED)
    OutboxMessageFactory(order=OrderFactory(shop=ShopFactory(code="jd01"), platform_order_no="B2"))
    body = client_for(users["warehouse"]).get(f"{API}?shop=tb01&status=stored").json()
    assert body["count"] == 1
    item = body["items"][0]
    assert (item["id"], item["shop"], item["order_no"], item["status"]) == (stored.pk, "tb01", "A1", "stored")
    assert (item["kind"], item["text"], item["buyer_nick"]) == ("shipped", "亲，您的订单 A1 已发货。", "tb_lily")
    assert client_for(users["warehouse"]).get(f"{API}?kind=delivery_reminder").json()["count"] == 0
    assert client_for(users["warehouse"]).get(f"{API}?q=B2").json()["items"][0]["shop"] == "jd01"


def test_the_outbox_refuses_a_bad_filter_and_an_unknown_shop(users):
    client = client_for(users["service"])
    assert client.get(f"{API}?status=delivered").status_code == 422
    response = client.get(f"{API}?shop=nope")
    assert (response.status_code, response.json()["code"]) == (404, "not_found")


def test_service_adds_and_removes_an_opt_out(users, shop):
    waiting = OutboxMessageFactory(order=OrderFactory(shop=shop))
    client = client_for(users["service"])
    response = client.post(
        f"{API}/opt-outs",
        {"shop": "tb01", "buyer_nick": "tb_lily", "note": "不要再发"},
        content_type="application/json",
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["shop"], body["buyer_nick"], body["note"], body["created_by"]) == (
        "tb01",
        "tb_lily",
        "不要再发",
        "service",
    )
    assert OutboxMessage.objects.get(pk=waiting.pk).status == M.SKIPPED
    assert client.get(f"{API}/opt-outs?shop=tb01").json()["items"][0]["buyer_nick"] == "tb_lily"

    again = client.post(f"{API}/opt-outs", {"shop": "tb01", "buyer_nick": "tb_lily"}, content_type="application/json")
    assert (again.status_code, again.json()["code"]) == (409, "already_opted_out")

    assert client.delete(f"{API}/opt-outs/{body['id']}").status_code == 204
    assert not BuyerOptOut.objects.exists()
    assert client.delete(f"{API}/opt-outs/{body['id']}").status_code == 404
    assert client.delete(f"{API}/opt-outs/{2**63}").status_code in (404, 422)


@pytest.mark.parametrize("role", ["warehouse", "designer", "operator"])
def test_a_role_without_the_right_changes_no_opt_out(users, shop, role):
    row = BuyerOptOutFactory(shop=shop, buyer_nick="tb_lily")
    client = client_for(users[role])
    added = client.post(f"{API}/opt-outs", {"shop": "tb01", "buyer_nick": "tb_new"}, content_type="application/json")
    removed = client.delete(f"{API}/opt-outs/{row.pk}")
    assert (added.status_code, removed.status_code) == (403, 403)
    assert added.json()["code"] == "permission_denied"
    assert list(BuyerOptOut.objects.values_list("buyer_nick", flat=True)) == ["tb_lily"]
    assert not AuditEntry.objects.exists()


def test_an_opt_out_needs_a_nick_and_knows_no_other_field(users, shop):
    client = client_for(users["service"])
    blank = client.post(f"{API}/opt-outs", {"shop": "tb01", "buyer_nick": "\u200b"}, content_type="application/json")
    extra = client.post(
        f"{API}/opt-outs", {"shop": "tb01", "buyer_nick": "a", "buyer": "b"}, content_type="application/json"
    )
    assert (blank.status_code, extra.status_code) == (422, 422)
    assert not BuyerOptOut.objects.exists()
