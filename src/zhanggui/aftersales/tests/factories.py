"""After-sales cases for tests: rows made directly (pages, API, admin); the services are tested through
services.open_case and the steps themselves."""

from __future__ import annotations

from decimal import Decimal

import factory

from zhanggui.aftersales.models import AfterSaleCase, CaseKind, CaseLine, CaseReason, CaseStatus
from zhanggui.orders.tests.factories import OrderFactory, OrderLineFactory


class CaseFactory(factory.django.DjangoModelFactory):
    """An open refund-only case of a fresh shipped order, no deadline, nobody assigned."""

    class Meta:
        model = AfterSaleCase

    order = factory.SubFactory(OrderFactory, status="shipped", platform_status="shipped")
    shop = factory.SelfAttribute("order.shop")
    kind = CaseKind.REFUND_SHIPPED
    status = CaseStatus.OPEN
    reason = CaseReason.QUALITY
    requested_amount = Decimal("0.00")


class CaseLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CaseLine

    case = factory.SubFactory(CaseFactory)
    order_line = factory.SubFactory(OrderLineFactory, order=factory.SelfAttribute("..case.order"))
    quantity = 1
