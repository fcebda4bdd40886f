"""The case model: the transition table, the refund number unique per shop, the names a person reads."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from zhanggui.aftersales.models import AfterSaleCase, CaseLine, CaseStatus
from zhanggui.aftersales.tests.factories import CaseFactory, CaseLineFactory
from zhanggui.catalog.tests.factories import ShopFactory
from zhanggui.orders.tests.factories import OrderFactory

pytestmark = pytest.mark.django_db
S = CaseStatus


def test_the_transition_table_names_every_status_and_ends_in_closed():
    table = AfterSaleCase.ALLOWED_TRANSITIONS
    assert set(table) == set(S.values)
    assert all(targets <= set(S.values) for targets in table.values())
    assert table[S.CLOSED] == set()
    assert all(S.CLOSED in table[status] for status in S.values if status != S.CLOSED)
    assert table[S.OPEN] == {S.AGREED, S.REJECTED, S.REFUNDED, S.CLOSED}
    assert table[S.REJECTED] == {S.OPEN, S.CLOSED}  # opened again on appeal, never refunded from a rejection
    assert S.REFUNDED in table[S.REFUNDED]  # a partial refund may be followed by another


def test_a_platform_refund_number_is_unique_per_shop_and_desk_cases_have_none():
    shop = ShopFactory(code="tb01")
    CaseFactory(order=OrderFactory(shop=shop), platform_refund_no="R100")
    CaseFactory(order=OrderFactory(shop=ShopFactory(code="jd01")), platform_refund_no="R100")  # another shop
    CaseFactory(order=OrderFactory(shop=shop))
    CaseFactory(order=OrderFactory(shop=shop))  # two desk cases, both without a number
    with pytest.raises(IntegrityError), transaction.atomic():
        CaseFactory(order=OrderFactory(shop=shop), platform_refund_no="R100")


def test_a_case_is_named_by_its_refund_number_or_as_a_desk_case():
    assert str(CaseFactory(platform_refund_no="R7")) == "R7"
    desk = CaseFactory()
    assert desk.number == f"AS-{desk.pk}"


def test_a_line_cannot_hold_a_negative_refund_nor_appear_twice_in_a_case():
    line = CaseLineFactory(refund_amount=Decimal("1.00"))
    with pytest.raises(IntegrityError), transaction.atomic():
        CaseLine.objects.filter(pk=line.pk).update(refund_amount=Decimal("-0.01"))
    with pytest.raises(IntegrityError), transaction.atomic():
        CaseLine.objects.create(case=line.case, order_line=line.order_line)
