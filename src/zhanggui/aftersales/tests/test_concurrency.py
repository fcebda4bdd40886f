"""Refunds racing on PostgreSQL: agents refunding the same order line at once, through one case or several,
never give back more than was paid for it; the refused ones get over_refund and leave nothing behind."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection

from zhanggui.aftersales import selectors, services
from zhanggui.aftersales.errors import InvalidCaseTransition, OverRefund
from zhanggui.aftersales.models import AfterSaleCase, CaseEvent, CaseLine, CaseStatus
from zhanggui.aftersales.tests.conftest import lines_of, two_line_order
from zhanggui.catalog.tests.factories import ShopFactory
from zhanggui.core.services import system_user
from zhanggui.core.tests.races import race

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

CLIENTS = 12


@pytest.fixture
def order():
    assert connection.vendor == "postgresql"
    return two_line_order(ShopFactory(code="tb01", channel="taobao"), "T9001")


def open_cases(order, n: int) -> list[AfterSaleCase]:
    tee, _cap = lines_of(order)
    actor = system_user()
    return [
        services.open_case(actor=actor, order=order, kind="refund_shipped", reason="quality", lines=[(tee.pk, 1)])
        for _ in range(n)
    ]


def test_agents_refunding_one_line_through_several_cases_never_exceed_what_was_paid(order):
    tee, _cap = lines_of(order)  # paid ¥198.00: six refunds of ¥30.00 fit (¥180.00), a seventh would not
    cases = open_cases(order, CLIENTS)  # a case each: only the line's lock stands between them
    actor = system_user()

    results = race(CLIENTS, lambda i: services.refund(actor=actor, case=cases[i], amounts={tee.pk: Decimal("30.00")}))

    done = [r for r in results if isinstance(r, AfterSaleCase)]
    refused = [r for r in results if isinstance(r, OverRefund)]
    assert (len(done), len(refused)) == (6, CLIENTS - 6), results
    assert selectors.refunded_by_line([tee.pk]) == {tee.pk: Decimal("180.00")}
    assert all(r.details["left"] == "18.00" for r in refused)
    assert CaseEvent.objects.filter(to_status=CaseStatus.REFUNDED).count() == 6


def test_two_agents_refunding_the_whole_line_at_once_refund_it_once(order):
    tee, _cap = lines_of(order)
    cases = open_cases(order, 2)
    actor = system_user()

    results = race(2, lambda i: services.refund(actor=actor, case=cases[i], amounts={tee.pk: "198.00"}))

    assert sorted(type(r).__name__ for r in results) == ["AfterSaleCase", "OverRefund"], results
    refused = next(r for r in results if isinstance(r, OverRefund))
    assert (refused.details["paid"], refused.details["refunded"], refused.details["left"]) == (
        "198.00",
        "198.00",
        "0.00",
    )
    assert CaseLine.objects.filter(order_line=tee).values_list("refund_amount", flat=True).order_by(
        "refund_amount"
    ).last() == Decimal("198.00")
    assert selectors.refunded_by_line([tee.pk]) == {tee.pk: Decimal("198.00")}


def test_the_same_case_refunded_at_once_by_several_agents_stays_within_the_line(order):
    _tee, cap = lines_of(order)  # paid ¥49.90
    (case,) = open_cases(order, 1)
    actor = system_user()

    results = race(6, lambda i: services.refund(actor=actor, case=case, amounts={cap.pk: "20.00"}))

    assert sum(isinstance(r, AfterSaleCase) for r in results) == 2, results
    assert all(isinstance(r, AfterSaleCase | OverRefund | InvalidCaseTransition) for r in results), results
    assert CaseLine.objects.get(case=case, order_line=cap).refund_amount == Decimal("40.00")
