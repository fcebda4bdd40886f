"""The other after-sales writes racing on PostgreSQL (the refunds race in test_concurrency.py): two people doing
the same thing at the same instant, each on their own connection (core.tests.races), must end as if one came
after the other: a returned parcel received once, a waiting offer decided (and its partial refund paid) once,
carrier claims on one parcel never above its goods' value, a replacement sent once."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection

from zhanggui.aftersales import selectors, services
from zhanggui.aftersales.claims import services as claims
from zhanggui.aftersales.claims.services import ClaimRuleBroken
from zhanggui.aftersales.compensation import services as compensation
from zhanggui.aftersales.errors import CaseRuleBroken, InvalidCompensationState, ReturnRefused
from zhanggui.aftersales.models import (
    CarrierClaim,
    CaseEvent,
    CaseLine,
    CaseStatus,
    Compensation,
    CompensationLimit,
    CompensationStatus,
    ReturnGrade,
    ReturnLine,
    ReturnReceipt,
)
from zhanggui.aftersales.replacements import services as replacements
from zhanggui.aftersales.returns import services as returns
from zhanggui.aftersales.tests.conftest import lines_of, two_line_order
from zhanggui.aftersales.tests.returns_desk import build_desk, on_hand, open_return
from zhanggui.catalog.tests.factories import ShopFactory
from zhanggui.conftest import make_user
from zhanggui.core import roles
from zhanggui.core.models import AuditEntry
from zhanggui.core.tests.races import race
from zhanggui.inventory import services as stock
from zhanggui.inventory.models import MoveReason, StockMove
from zhanggui.orders.models import LineOrigin, Order, OrderLine

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

D = Decimal


@pytest.fixture(autouse=True)
def on_postgres():
    assert connection.vendor == "postgresql"


def kinds(results: list[object]) -> list[str]:
    return sorted(type(r).__name__ for r in results)


# ----- 1. two 仓管 receive the same parcel ----------------------------------------------------------------------


def test_two_warehouse_people_receiving_the_same_parcel_at_once_receive_it_once(users, system):
    desk = build_desk(system)
    case = open_return(users["service"], desk)  # agreed: TEE-M × 2 and CAP-RED × 1 expected back
    expected = returns.expected_return(case)
    items = [(line.case_line.pk, ReturnGrade.RESELLABLE, line.left) for line in expected.lines]
    assert [n for _id, _grade, n in items] == [2, 1]
    tee, cap, east = desk["tee"], desk["cap"], desk["east"]
    before = (on_hand(tee, east), on_hand(cap, east))  # 3 received − 2 and 1 shipped
    assert before == (1, 2)
    people = [users["warehouse"], make_user("warehouse2", roles.WAREHOUSE)]

    results = race(2, lambda i: returns.receive_return(actor=people[i], case=case, items=items))

    assert kinds(results) == ["ReturnReceipt", "ReturnRefused"], results
    refused = next(r for r in results if isinstance(r, ReturnRefused))
    # Judged after the first receipt committed (the threads speak zh-hans: the figures, not the words).
    assert refused.details == {"line": items[0][0], "asked": 2, "received": 2, "now": 2}
    assert ReturnReceipt.objects.filter(case=case).count() == 1
    assert sorted(ReturnLine.objects.filter(receipt__case=case).values_list("quantity", flat=True)) == [1, 2]
    assert (on_hand(tee, east), on_hand(cap, east)) == (before[0] + 2, before[1] + 1)  # went up once
    assert StockMove.objects.filter(reason=MoveReason.RETURN).count() == 2
    assert [line.left for line in returns.expected_return(case).lines] == [0, 0]
    assert AuditEntry.objects.filter(action="aftersale_case.receive").count() == 1
    assert stock.check_ledger() == []


# ----- 2. two managers approve the same waiting offer ------------------------------------------------------------


def test_two_managers_approving_the_same_partial_refund_at_once_refund_it_once(users):
    # The seeded limits are gone after an earlier transactional test's flush: set the two this test needs.
    for role, limit in ((roles.SERVICE, "20.00"), (roles.MANAGER, "200.00")):
        CompensationLimit.objects.update_or_create(role=role, defaults={"limit": D(limit)})
    order = two_line_order(ShopFactory(code="tb01", channel="taobao"), "T9002")
    tee, cap = lines_of(order)  # paid ¥198.00 and ¥49.90
    service = users["service"]
    case = services.open_case(
        actor=service, order=order, kind="refund_shipped", reason="quality", lines=[(tee.pk, 1), (cap.pk, 1)]
    )
    offer = compensation.offer(actor=service, case=case, offer="partial_refund", amount="50.00")
    assert offer.status == CompensationStatus.PENDING  # above 客服's ¥20.00
    managers = [users["manager"], make_user("manager2", roles.MANAGER)]

    results = race(2, lambda i: compensation.decide(actor=managers[i], compensation=offer, approve=True, note=f"m{i}"))

    assert kinds(results) == ["Compensation", "InvalidCompensationState"], results
    approved = next(r for r in results if isinstance(r, Compensation))
    refused = next(r for r in results if isinstance(r, InvalidCompensationState))
    assert refused.code == "invalid_compensation_state" and refused.details["status"] == CompensationStatus.APPROVED
    offer.refresh_from_db()
    assert (offer.status, offer.decided_by) == (CompensationStatus.APPROVED, approved.decided_by)
    # ¥50.00 over what is left of each line (¥198.00, ¥49.90), to the fen: refunded once, never twice.
    assert selectors.refunded_by_line([tee.pk, cap.pk]) == {tee.pk: D("39.94"), cap.pk: D("10.06")}
    assert sum(CaseLine.objects.filter(case=case).values_list("refund_amount", flat=True), D("0")) == D("50.00")
    assert CaseEvent.objects.filter(case=case, to_status=CaseStatus.REFUNDED).count() == 1
    assert AuditEntry.objects.filter(action="compensation.approve").count() == 1


# ----- 3. two agents claim from the carrier for the same parcel --------------------------------------------------


def test_two_claims_on_one_parcel_at_once_never_ask_more_than_its_goods_were_paid(users):
    order = two_line_order(ShopFactory(code="tb01", channel="taobao"), "T9003")  # goods paid ¥247.90
    Order.objects.filter(pk=order.pk).update(carrier="中通快递", tracking_no="ZT9003")
    agents = [users["service"], make_user("service2", roles.SERVICE)]

    def work(i: int) -> CarrierClaim:
        return claims.file_claim(
            actor=agents[i], order=order, value_claimed="200.00", evidence=f"网点确认丢件 ({agents[i].username})"
        )

    results = race(2, work)

    assert kinds(results) == ["CarrierClaim", "ClaimRuleBroken"], results
    refused = next(r for r in results if isinstance(r, ClaimRuleBroken))
    assert refused.details == {"paid": "247.90", "claimed_by_others": "200.00", "asked": "200.00"}
    assert claims.claimable(order) == (D("247.90"), D("200.00"))
    assert CarrierClaim.objects.filter(order=order).count() == 1
    assert AuditEntry.objects.filter(action="carrier_claim.file").count() == 1


# ----- 4. two agents send the same replacement ------------------------------------------------------------------


def test_two_agents_sending_the_same_reissue_at_once_send_one_part(users, system):
    desk = build_desk(system, order_no="T9004")
    order, tee_line = desk["order"], desk["tee_line"]
    service = users["service"]
    case = services.open_case(actor=service, order=order, kind="reissue", reason="quality", lines=[(tee_line.pk, 2)])
    case = services.agree(actor=service, case=case)
    agents = [service, make_user("service2", roles.SERVICE)]

    results = race(2, lambda i: replacements.send_replacement(actor=agents[i], case=case, reason=f"agent {i}"))

    assert kinds(results) == ["CaseRuleBroken", "Order"], results
    part = next(r for r in results if isinstance(r, Order))
    refused = next(r for r in results if isinstance(r, CaseRuleBroken))
    assert part.platform_order_no in str(refused)  # "sent already, as order T9004-2" (in zh-hans here)
    assert list(Order.objects.filter(split_from=order, is_replacement=True).values_list("pk", flat=True)) == [part.pk]
    [line] = OrderLine.objects.filter(order=order, origin=LineOrigin.REPLACEMENT)
    assert (line.sku_id, line.quantity, line.ships_in_id) == (desk["tee"].pk, 2, part.pk)
    assert CaseLine.objects.get(case=case, order_line=tee_line).replacement_line_id == line.pk
    assert AuditEntry.objects.filter(action="aftersale_case.replacement").count() == 1
