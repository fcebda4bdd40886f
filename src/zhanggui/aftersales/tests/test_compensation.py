"""Compensation by rule (aftersales.compensation): the role limits (客服 ¥20.00, 运营 ¥50.00, 店长 ¥200.00 as
seeded), approval at once within the limit and in the approvals queue above it, four eyes, a partial refund
going back through the refund service (capped by what was paid), the audit rows and the timeline; then the
pages (the case's card, the manager's rules and limits) with the Django client."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from zhanggui.aftersales import services
from zhanggui.aftersales.compensation import services as compensation
from zhanggui.aftersales.errors import (
    CaseRuleBroken,
    InvalidCaseTransition,
    InvalidCompensationState,
    SelfApprovalRefused,
)
from zhanggui.aftersales.models import (
    AfterSaleCase,
    CaseEvent,
    CaseLine,
    CaseStatus,
    Compensation,
    CompensationLimit,
    CompensationRule,
    CompensationStatus,
)
from zhanggui.aftersales.tests.conftest import lines_of
from zhanggui.conftest import make_user
from zhanggui.core import roles
from zhanggui.core.errors import PermissionDeniedError, ValidationFailed
from zhanggui.core.models import AuditEntry
from zhanggui.core.tests.pages import login

pytestmark = pytest.mark.django_db
CS = CompensationStatus


@pytest.fixture
def manager2(users):
    return make_user("manager2", roles.MANAGER)


def tee_case(actor, order, **extra) -> AfterSaleCase:
    """A quality case on one unit of the order's T-shirt (paid ¥198.00 for two)."""
    tee, _cap = lines_of(order)
    values = {"kind": "refund_shipped", "reason": "quality", "lines": [(tee.pk, 1)], **extra}
    return services.open_case(actor=actor, order=order, **values)


def audit(action: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=action).order_by("id"))


def refunded(order) -> dict[str, Decimal]:
    tee, cap = lines_of(order)
    found = {
        line: sum((cl.refund_amount for cl in CaseLine.objects.filter(order_line=line)), Decimal("0"))
        for line in (tee, cap)
    }
    return {"tee": found[tee], "cap": found[cap]}


# ----- limits --------------------------------------------------------------------------------------------


def test_the_seeded_limits_and_the_highest_of_a_persons_roles(users, service, manager):
    assert {row.role: row.limit for row in CompensationLimit.objects.all()} == {
        "service": Decimal("20.00"),
        "operator": Decimal("50.00"),
        "manager": Decimal("200.00"),
    }
    assert compensation.limit_of(service) == Decimal("20.00")
    assert compensation.limit_of(manager) == Decimal("200.00")
    assert compensation.limit_of(users["warehouse"]) == Decimal("0.00")  # no row: every offer would wait
    both = make_user("both", roles.SERVICE)
    both.groups.add(*users["operator"].groups.all())
    assert compensation.limit_of(both) == Decimal("50.00")


# ----- offering ------------------------------------------------------------------------------------------


def test_service_within_the_limit_is_approved_at_once_audited_and_on_the_timeline(service, order):
    case = tee_case(service, order)
    made = compensation.offer(actor=service, case=case, offer="coupon", amount="20.00", note="下次购物用")
    assert (made.status, made.amount, made.decided_by, made.offered_by) == (
        CS.APPROVED,
        Decimal("20.00"),
        None,
        service,
    )
    assert made.decided_at is not None
    [entry] = audit("compensation.offer")
    assert entry.actor == service and entry.object_id == str(made.pk)
    assert entry.after["status"] == "approved" and entry.after["amount"] == "20.00" and entry.after["limit"] == "20.00"
    assert entry.note.startswith("within the limit")
    event = CaseEvent.objects.filter(case=case).order_by("id").last()
    assert event.from_status == event.to_status == CaseStatus.OPEN
    assert "Coupon ¥20.00" in event.reason and "approved" in event.reason and "下次购物用" in event.reason
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN  # a coupon moves no money on the case


def test_service_above_the_limit_waits_in_the_approvals_queue(service, order):
    from zhanggui.approvals import selectors as approvals

    case = tee_case(service, order)
    made = compensation.offer(actor=service, case=case, offer="cash_back", amount="20.01")
    assert made.status == CS.PENDING and made.decided_at is None
    assert audit("compensation.offer")[0].note.startswith("above the limit")
    [item] = [item for item in approvals.pending() if item.kind == approvals.COMPENSATIONS]
    assert (item.pk, item.author) == (made.pk, service)
    assert "Cash back ¥20.01" in item.summary


def test_the_limit_is_per_case_so_offers_add_up(service, order):
    case = tee_case(service, order)
    first = compensation.offer(actor=service, case=case, offer="coupon", amount="15.00")
    second = compensation.offer(actor=service, case=case, offer="coupon", amount="5.01")
    assert (first.status, second.status) == (CS.APPROVED, CS.PENDING)
    compensation.cancel(actor=service, compensation=second)
    third = compensation.offer(actor=service, case=case, offer="coupon", amount="5.00")  # a cancelled one no more
    assert third.status == CS.APPROVED
    assert compensation.standing_total(case) == Decimal("20.00")


@pytest.mark.parametrize("amount", ["-1.00", "1.005", "abc"])
def test_a_bad_amount_is_refused_and_nothing_is_stored(service, order, amount):
    case = tee_case(service, order)
    with pytest.raises(CaseRuleBroken):
        compensation.offer(actor=service, case=case, offer="coupon", amount=amount)
    with pytest.raises(CaseRuleBroken):
        compensation.offer(actor=service, case=case, offer="coupon", amount=Decimal("1.005"))
    assert not Compensation.objects.exists() and not audit("compensation.offer")


def test_roles_without_handle_cases_cannot_offer_and_a_closed_case_takes_no_offer(users, service, order):
    case = tee_case(service, order)
    with pytest.raises(PermissionDeniedError):
        compensation.offer(actor=users["operator"], case=case, offer="coupon", amount="1.00")
    services.close(actor=service, case=case, reason="买家撤销")
    with pytest.raises(InvalidCaseTransition):
        compensation.offer(actor=service, case=case, offer="coupon", amount="1.00")
    assert not Compensation.objects.exists()


def test_a_rule_must_be_active_and_of_the_same_offer(service, order):
    case = tee_case(service, order)
    rule = CompensationRule.objects.get(reason="quality", responsibility="us", offer="partial_refund")
    with pytest.raises(CaseRuleBroken):
        compensation.offer(actor=service, case=case, offer="coupon", amount="10.00", rule=rule)
    CompensationRule.objects.filter(pk=rule.pk).update(is_active=False)
    with pytest.raises(CaseRuleBroken):
        compensation.offer(actor=service, case=case, offer="partial_refund", amount="10.00", rule=rule)
    assert not Compensation.objects.exists()


def test_the_rules_suggested_for_a_case_follow_its_reason_and_responsibility(service, order):
    case = tee_case(service, order)  # quality, responsibility not decided: every quality rule
    assert {(r.responsibility, r.offer) for r in compensation.suggested_rules(case)} == {
        ("us", "partial_refund"),
        ("supplier", "partial_refund"),
        ("", "reissue"),
    }
    AfterSaleCase.objects.filter(pk=case.pk).update(responsibility="us")
    case.refresh_from_db()
    assert [(r.responsibility, r.offer) for r in compensation.suggested_rules(case)] == [
        ("us", "partial_refund"),
        ("", "reissue"),
    ]


# ----- deciding ------------------------------------------------------------------------------------------


def test_a_manager_approves_another_persons_offer(service, manager, order):
    case = tee_case(service, order)
    made = compensation.offer(actor=service, case=case, offer="coupon", amount="30.00")
    decided = compensation.decide(actor=manager, compensation=made, approve=True, note="老客户")
    assert (decided.status, decided.decided_by, decided.decision_note) == (CS.APPROVED, manager, "老客户")
    [entry] = audit("compensation.approve")
    assert entry.actor == manager and entry.before == {"status": "pending"} and entry.after["status"] == "approved"
    assert CaseEvent.objects.filter(case=case, reason__startswith="approved Coupon ¥30.00 offered by service").exists()
    with pytest.raises(InvalidCompensationState):
        compensation.decide(actor=manager, compensation=made, approve=False, note="再想想")


def test_self_approval_is_refused_even_for_a_manager(manager, manager2, order):
    case = tee_case(manager, order)
    made = compensation.offer(actor=manager, case=case, offer="cash_back", amount="250.00")
    assert made.status == CS.PENDING
    for approve in (True, False):
        with pytest.raises(SelfApprovalRefused):
            compensation.decide(actor=manager, compensation=made, approve=approve, note="我自己")
    made.refresh_from_db()
    assert made.status == CS.PENDING and not audit("compensation.approve") and not audit("compensation.reject")
    assert compensation.decide(actor=manager2, compensation=made, approve=True).decided_by == manager2


def test_only_the_approver_role_decides_and_a_rejection_says_why(service, manager, order, users):
    case = tee_case(service, order)
    made = compensation.offer(actor=service, case=case, offer="coupon", amount="30.00")
    other_service = make_user("service2", roles.SERVICE)
    with pytest.raises(PermissionDeniedError):
        compensation.decide(actor=other_service, compensation=made, approve=True)
    with pytest.raises(ValidationFailed):
        compensation.decide(actor=manager, compensation=made, approve=False, note="  ")
    made.refresh_from_db()
    assert made.status == CS.PENDING
    compensation.decide(actor=manager, compensation=made, approve=False, note="超出标准")
    made.refresh_from_db()
    assert (made.status, made.decision_note) == (CS.REJECTED, "超出标准")
    assert audit("compensation.reject")[0].note == "超出标准"


def test_only_the_offerer_cancels_and_only_while_it_waits(service, manager, order):
    case = tee_case(service, order)
    made = compensation.offer(actor=service, case=case, offer="coupon", amount="30.00")
    with pytest.raises(PermissionDeniedError):
        compensation.cancel(actor=manager, compensation=made)
    compensation.cancel(actor=service, compensation=made, note="买家不要了")
    made.refresh_from_db()
    assert (made.status, made.decided_by) == (CS.CANCELLED, None)
    assert audit("compensation.cancel")[0].after == {"status": "cancelled"}
    with pytest.raises(InvalidCompensationState):
        compensation.cancel(actor=service, compensation=made)


# ----- a partial refund ----------------------------------------------------------------------------------


def test_a_partial_refund_within_the_limit_goes_through_the_refund_service(service, order):
    case = tee_case(service, order)
    made = compensation.offer(actor=service, case=case, offer="partial_refund", amount="12.34")
    assert made.status == CS.APPROVED
    assert refunded(order) == {"tee": Decimal("12.34"), "cap": Decimal("0")}
    case.refresh_from_db()
    assert case.status == CaseStatus.REFUNDED
    assert [e.action for e in AuditEntry.objects.order_by("id")][-2:] == ["compensation.offer", "aftersale_case.refund"]
    assert CaseEvent.objects.filter(case=case, to_status="refunded", reason__contains=f"C-{made.pk}").exists()


def test_a_partial_refund_spreads_over_the_cases_lines_by_what_is_left_to_the_fen(service, manager, order):
    tee, cap = lines_of(order)
    case = services.open_case(
        actor=service, order=order, kind="refund_shipped", reason="quality", lines=[(tee.pk, 2), (cap.pk, 1)]
    )
    made = compensation.offer(actor=service, case=case, offer="partial_refund", amount="20.00")
    assert made.status == CS.APPROVED
    # ¥198.00 and ¥49.90 left: 15.974… and 4.025…; the last fen goes to the larger remainder (the cap)
    assert refunded(order) == {"tee": Decimal("15.97"), "cap": Decimal("4.03")}


def test_a_partial_refund_above_what_is_left_is_refused_when_offered(service, order):
    _tee, cap = lines_of(order)
    case = services.open_case(actor=service, order=order, kind="refund_shipped", reason="quality", lines=[(cap.pk, 1)])
    services.refund(actor=service, case=case, amounts={cap.pk: "45.00"})
    with pytest.raises(CaseRuleBroken, match=r"¥4\.90"):
        compensation.offer(actor=service, case=case, offer="partial_refund", amount="5.00")
    assert not Compensation.objects.exists()
    assert refunded(order)["cap"] == Decimal("45.00")


def test_an_approval_never_refunds_more_than_is_left_then(service, manager, order):
    tee, _cap = lines_of(order)
    case = tee_case(service, order)
    made = compensation.offer(actor=service, case=case, offer="partial_refund", amount="30.00")
    assert made.status == CS.PENDING
    services.refund(actor=service, case=case, amounts={tee.pk: "180.00"})  # ¥18.00 left of the T-shirt
    with pytest.raises(CaseRuleBroken):
        compensation.decide(actor=manager, compensation=made, approve=True)
    made.refresh_from_db()
    assert made.status == CS.PENDING and not audit("compensation.approve")
    assert refunded(order)["tee"] == Decimal("180.00")
    compensation.cancel(actor=service, compensation=made)
    smaller = compensation.offer(actor=service, case=case, offer="partial_refund", amount="18.00")
    assert smaller.status == CS.APPROVED and refunded(order)["tee"] == Decimal("198.00")


def test_an_approved_partial_refund_by_the_manager_is_refunded_by_the_manager(service, manager, order):
    case = tee_case(service, order)
    made = compensation.offer(actor=service, case=case, offer="partial_refund", amount="25.00")
    compensation.decide(actor=manager, compensation=made, approve=True)
    assert refunded(order)["tee"] == Decimal("25.00")
    assert audit("aftersale_case.refund")[0].actor == manager


def test_a_reissue_is_recorded_and_moves_no_money(service, order):
    case = tee_case(service, order)
    made = compensation.offer(actor=service, case=case, offer="reissue", amount="0.00", note="补发配件")
    assert made.status == CS.APPROVED
    assert refunded(order) == {"tee": Decimal("0"), "cap": Decimal("0")}


# ----- the manager's rules and limits --------------------------------------------------------------------


def test_rules_and_limits_are_the_managers_and_audited(service, manager):
    with pytest.raises(PermissionDeniedError):
        compensation.save_limit(actor=service, role="service", limit="100.00")
    row = compensation.save_limit(actor=manager, role="service", limit="30")
    assert row.limit == Decimal("30.00") and row.updated_by == manager
    assert audit("compensation_limit.update")[0].before == {"limit": "20.00"}
    made = compensation.save_rule(actor=manager, reason="size", offer="coupon", amount="3", description="小礼物")
    assert (made.amount, made.responsibility) == (Decimal("3.00"), "")
    compensation.save_rule(
        actor=manager, rule=made, reason="size", offer="coupon", amount="3.00", description="小礼物", is_active=False
    )
    assert [
        e.action
        for e in AuditEntry.objects.filter(object_id=str(made.pk), action__startswith="compensation_rule").order_by(
            "id"
        )
    ] == [
        "compensation_rule.create",
        "compensation_rule.deactivate",
    ]
    with pytest.raises(CaseRuleBroken):
        compensation.save_limit(actor=manager, role="boss", limit="1.00")


# ----- pages ---------------------------------------------------------------------------------------------


def test_the_case_page_suggests_rules_and_shows_the_limit(client, service, order):
    case = tee_case(service, order)
    html = login(client, service).get(reverse("aftersales:case-detail", args=[case.pk])).content.decode()
    assert 'id="compensation"' in html and 'id="offer-form"' in html
    assert "Your limit is ¥20.00 per case" in html
    rule = CompensationRule.objects.get(reason="quality", responsibility="us")
    assert f'id="offer-rule-{rule.pk}"' in html


def test_offering_a_rule_from_the_case_page(client, service, order):
    case = tee_case(service, order)
    rule = CompensationRule.objects.get(reason="quality", responsibility="us", offer="partial_refund")
    login(client, service)
    response = client.post(reverse("aftersales:case-compensate", args=[case.pk]), {"offer-rule": rule.pk}, follow=True)
    assert "Partial refund ¥10.00 offered: within your limit, approved." in response.content.decode()
    made = Compensation.objects.get()
    assert (made.rule, made.amount, made.status) == (rule, Decimal("10.00"), CS.APPROVED)
    assert refunded(order)["tee"] == Decimal("10.00")


def test_a_refused_offer_comes_back_on_the_form_and_a_warehouse_user_gets_a_403(client, users, service, order):
    case = tee_case(service, order)
    url = reverse("aftersales:case-compensate", args=[case.pk])
    login(client, service)
    response = client.post(url, {"offer-offer": "partial_refund", "offer-amount": "500.00"})
    assert response.status_code == 422
    assert "more than is left to refund" in response.content.decode()
    login(client, users["warehouse"])
    assert client.post(url, {"offer-offer": "coupon", "offer-amount": "1.00"}).status_code == 403
    assert not Compensation.objects.exists()


def test_the_rules_page_edits_a_limit_and_a_rule_for_the_manager_only(client, service, manager):
    url = reverse("aftersales:compensation-rules")
    html = login(client, service).get(url).content.decode()
    assert 'id="limit-table"' in html and 'id="limit-form-service"' not in html
    limit_url = reverse("aftersales:compensation-limit-save", args=["service"])
    assert client.post(limit_url, {"limit-service-limit": "99.00"}).status_code == 403
    login(client, manager)
    assert 'id="limit-form-service"' in client.get(url).content.decode()
    assert client.post(limit_url, {"limit-service-limit": "25.50"}).status_code == 302
    assert CompensationLimit.objects.get(role="service").limit == Decimal("25.50")
    bad = client.post(limit_url, {"limit-service-limit": "-1"})
    assert bad.status_code == 422 and CompensationLimit.objects.get(role="service").limit == Decimal("25.50")
    new = {"new-reason": "size", "new-responsibility": "", "new-offer": "coupon", "new-amount": "8.00",
           "new-description": "换码送券", "new-is_active": "on"}  # fmt: skip
    assert client.post(reverse("aftersales:compensation-rule-new"), new).status_code == 302
    assert CompensationRule.objects.filter(reason="size", amount=Decimal("8.00"), description="换码送券").exists()
    rules_page = login(client, manager).get(reverse("aftersales:rule-list")).content.decode()
    assert 'id="link-compensation-rules"' in rules_page and 'id="link-set-answers"' in rules_page


def test_every_page_of_compensation_and_set_answers_reads_in_chinese(client, users, service, manager, order):
    case = tee_case(service, order)
    offer = compensation.offer(actor=service, case=case, offer="coupon", amount="50.00")
    login(client, manager, language="zh-hans")
    # Words the shared catalogue already holds, or the pages' own Chinese (this slice's strings are merged later).
    pages = {
        reverse("aftersales:case-detail", args=[case.pk]): ["快捷回复", "补偿", "待审批"],
        reverse("aftersales:answer-list"): ["快捷回复", "尺码不合适"],
        reverse("aftersales:answer-new"): ["售后", "{buyer}"],
        reverse("aftersales:compensation-rules"): ["补偿规则", "店长", 'value="200.00"'],
        reverse("approvals:compensation", args=[offer.pk]): ["¥20.00", "¥50.00"],
        reverse("approvals:list"): [reverse("approvals:compensation", args=[offer.pk])],
    }
    for url, words in pages.items():
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert '<html lang="zh-hans">' in html
        assert all(word in html for word in words), (url, [w for w in words if w not in html])
    html = login(client, users["warehouse"]).get(reverse("aftersales:case-detail", args=[case.pk])).content.decode()
    assert 'id="compensation"' in html and 'id="offer-form"' not in html and 'id="offer-rule-' not in html
    audit_page = client.get(reverse("aftersales:compensation", args=[offer.pk]))
    assert audit_page.status_code == 302 and audit_page.url.endswith(f"/aftersales/{case.pk}/#offer-{offer.pk}")
