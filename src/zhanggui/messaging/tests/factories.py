"""Buyer messages for tests: rows made directly, for the pages, the API and the admin (the services are tested
through queue_for_order and send_pending themselves)."""

from __future__ import annotations

import factory

from zhanggui.messaging.models import BuyerOptOut, MessageKind, MessageStatus, OutboxMessage
from zhanggui.orders.tests.factories import OrderFactory


class OutboxMessageFactory(factory.django.DjangoModelFactory):
    """A shipped notice of a fresh order, still queued."""

    class Meta:
        model = OutboxMessage

    order = factory.SubFactory(OrderFactory)
    shop = factory.SelfAttribute("order.shop")
    buyer_nick = factory.SelfAttribute("order.buyer_nick")
    kind = MessageKind.SHIPPED
    text = factory.LazyAttribute(lambda m: f"亲，您的订单 {m.order.platform_order_no} 已发货。")
    status = MessageStatus.QUEUED


class BuyerOptOutFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BuyerOptOut

    buyer_nick = factory.Sequence(lambda n: f"tb_quiet{n}")
    note = "买家要求不再打扰"
