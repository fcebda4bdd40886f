"""Compensation offers above their offerer's limit in the approvals queue: listed with the price changes and
promotions, counted in the header's badge, decided on their own page (dispatched to aftersales.compensation),
never by the person who offered them; and the API's list names them."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from zhanggui.aftersales import services
from zhanggui.aftersales.compensation import services as compensation
from zhanggui.aftersales.errors import SelfApprovalRefused
from zhanggui.aftersales.models import CaseLine, Compensation, CompensationStatus
from zhanggui.aftersales.tests.conftest import lines_of, two_line_order
from zhanggui.approvals import selectors
from zhanggui.approvals import services as approvals
from zhanggui.catalog.tests.factories import ShopFactory
from zhanggui.core.services import create_api_token
from zhanggui.core.tests.pages import login

pytestmark = pytest.mark.django_db


@pytest.fixture
def waiting(users):
    """客服 offers a ¥35.00 partial refund on one T-shirt of a shipped order: above the ¥20.00 limit, it waits."""
    service = users["service"]
    order = two_line_order(ShopFactory(code="tb01", channel="taobao"), "T9001")
    tee, _cap = lines_of(order)
    case = services.open_case(actor=service, order=order, kind="refund_shipped", reason="quality", lines=[(tee.pk, 1)])
    return compensation.offer(actor=service, case=case, offer="partial_refund", amount="35.00", note="有瑕疵")


def test_the_queue_lists_the_offer_and_the_badge_counts_it(client, users, waiting):
    [item] = [i for i in selectors.pending() if i.kind == selectors.COMPENSATIONS]
    assert (item.pk, item.author, item.obj) == (waiting.pk, users["service"], waiting)
    assert selectors.pending_count(users["manager"]) == 1
    assert selectors.pending_count(users["service"]) is None  # decides nothing: no badge
    html = login(client, users["manager"]).get(reverse("approvals:list")).content.decode()
    assert f'data-kind="compensations" data-pk="{waiting.pk}"' in html
    assert reverse("approvals:compensation", args=[waiting.pk]) in html and "Partial refund ¥35.00" in html


def test_approving_from_the_queue_refunds_through_the_case(client, users, waiting):
    page = login(client, users["manager"]).get(reverse("approvals:compensation", args=[waiting.pk]))
    assert page.status_code == 200 and 'id="approve"' in page.content.decode()
    response = client.post(
        reverse("approvals:compensation-decide", args=[waiting.pk]), {"decision": "approve", "note": ""}, follow=True
    )
    assert "Approved: Partial refund ¥35.00 on case AS-" in response.content.decode()
    waiting.refresh_from_db()
    assert (waiting.status, waiting.decided_by) == (CompensationStatus.APPROVED, users["manager"])
    assert CaseLine.objects.get(case=waiting.case).refund_amount == Decimal("35.00")
    assert not [i for i in selectors.pending() if i.kind == selectors.COMPENSATIONS]


def test_a_rejection_goes_back_to_the_offerer_with_the_reason(client, users, waiting):
    decision = approvals.decide(
        actor=users["manager"], kind=selectors.COMPENSATIONS, pk=waiting.pk, decision=approvals.REJECT, note="先补发"
    )
    number = waiting.case.number
    assert decision.message == f"Rejected: Partial refund ¥35.00 on case {number}; service sees your reason."
    [returned] = selectors.returned_to(users["service"])
    assert (returned.kind, returned.obj.decision_note) == (selectors.COMPENSATIONS, "先补发")
    html = login(client, users["service"]).get(reverse("approvals:list")).content.decode()
    assert 'id="returned-table"' in html and "先补发" in html
    assert CaseLine.objects.get(case=waiting.case).refund_amount == Decimal("0.00")


def test_the_offerer_cannot_decide_their_own_offer_even_as_a_manager(client, users, other_manager):
    manager = users["manager"]
    order = two_line_order(ShopFactory(code="tb02", channel="taobao"), "T9002")
    case = services.open_case(actor=manager, order=order, kind="complaint", reason="late")
    own = compensation.offer(actor=manager, case=case, offer="cash_back", amount="300.00")
    page = login(client, manager).get(reverse("approvals:compensation", args=[own.pk])).content.decode()
    assert 'id="approve"' not in page and 'id="reject"' not in page and 'id="own-offer"' in page
    refused = client.post(reverse("approvals:compensation-decide", args=[own.pk]), {"decision": "approve"})
    assert refused.status_code == 422 and "another manager decides it" in refused.content.decode()
    with pytest.raises(SelfApprovalRefused):
        approvals.decide(actor=manager, kind=selectors.COMPENSATIONS, pk=own.pk, decision=approvals.APPROVE)
    assert Compensation.objects.get(pk=own.pk).status == CompensationStatus.PENDING
    approvals.decide(actor=other_manager, kind=selectors.COMPENSATIONS, pk=own.pk, decision=approvals.APPROVE)
    assert Compensation.objects.get(pk=own.pk).decided_by == other_manager


def test_a_service_agent_may_not_decide_and_the_api_lists_the_offer(client, users, waiting):
    login(client, users["service"])
    decide = reverse("approvals:compensation-decide", args=[waiting.pk])
    assert client.post(decide, {"decision": "approve"}).status_code == 403
    waiting.refresh_from_db()
    assert waiting.status == CompensationStatus.PENDING
    _token, key = create_api_token(user=users["manager"], name="t")
    listed = client.get("/api/v1/approvals", headers={"Authorization": f"Bearer {key}"}).json()
    assert {"kind": "compensation", "id": waiting.pk, "asked_by": "service"}.items() <= listed[0].items()


def test_the_badge_adds_the_kinds_up_in_one_count(users, waiting, django_assert_num_queries):
    from zhanggui.approvals.tests.test_pages import ask
    from zhanggui.catalog.tests.factories import SkuFactory

    ask(users["manager"], SkuFactory(price=Decimal("59.00"), cost=Decimal("25.37")))  # below cost: it waits
    manager = users["manager"]
    manager.has_perm("catalog.approve_prices")  # the permission cache every page loads anyway
    with django_assert_num_queries(1):
        assert selectors.pending_count(manager) == 2  # the price change and the compensation offer
