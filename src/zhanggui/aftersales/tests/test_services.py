"""The after-sales services: opening a case from an order, each step along the table with its timeline and
audit row, refunds that never exceed what was paid for a line (exact figures in the refusal), assigning, and
the refusals of a role without the right (nothing changed)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import translation

from zhanggui.aftersales import selectors, services
from zhanggui.aftersales.errors import CaseRuleBroken, InvalidCaseTransition, OverRefund
from zhanggui.aftersales.models import AfterSaleCase, CaseEvent, CaseLine, CaseStatus
from zhanggui.aftersales.tests.conftest import lines_of
from zhanggui.core.errors import PermissionDeniedError
from zhanggui.core.models import AuditEntry
from zhanggui.orders.models import OrderStatus
from zhanggui.orders.tests.factories import OrderFactory

pytestmark = pytest.mark.django_db
S = CaseStatus


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def open_refund(actor, order, **extra) -> AfterSaleCase:
    tee, cap = lines_of(order)
    values = {"kind": "return_refund", "reason": "size", "lines": [(tee.pk, 1), (cap.pk, 1)], **extra}
    return services.open_case(actor=actor, order=order, **values)


def timeline(case) -> list[tuple[str, str, str]]:
    return [(e.from_status, e.to_status, e.reason) for e in CaseEvent.objects.filter(case=case).order_by("id")]


# ----- opening -------------------------------------------------------------------------------------------------


def test_opening_a_case_keeps_its_lines_timeline_audit_and_assigns_the_opener(service, order):
    tee, cap = lines_of(order)
    case = open_refund(service, order, requested_amount="148.90", responsibility="us", description="  偏小  ")
    assert (case.status, case.kind, case.reason, case.responsibility) == (S.OPEN, "return_refund", "size", "us")
    assert (case.requested_amount, case.description, case.assignee, case.created_by) == (
        Decimal("148.90"),
        "偏小",
        service,
        service,
    )
    assert list(case.lines.values_list("order_line", "quantity", "refund_amount")) == [
        (tee.pk, 1, Decimal("0.00")),
        (cap.pk, 1, Decimal("0.00")),
    ]
    assert timeline(case) == [("", S.OPEN, "opened: Return and refund, Size does not fit")]
    entry = AuditEntry.objects.get(action="aftersale_case.create")
    assert (entry.actor, entry.object_id, entry.after["requested_amount"]) == (service, str(case.pk), "148.90")


def test_a_part_of_a_split_order_opens_the_case_on_the_platforms_order(service, order):
    part = OrderFactory(shop=order.shop, platform_order_no="T2001-P1", split_from=order, status=OrderStatus.PAID)
    tee, _cap = lines_of(order)
    case = services.open_case(actor=service, order=part, kind="return_refund", reason="size", lines=[(tee.pk, 1)])
    assert case.order == order


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"lines": []}, "Tick the lines of the order the case is about."),
        ({"kind": "exchange", "lines": [(999999, 1)]}, "Line 999999 is not a line of order T2001."),
        ({"requested_amount": "247.91"}, "¥247.91 asked, but order T2001 paid ¥247.90 and earlier refunds took"),
        ({"requested_amount": "1.005"}, "The amount asked is not an amount: 1.005"),
        ({"requested_amount": "-1"}, "The amount asked cannot be negative."),
        ({"kind": "refund"}, "Unknown kind: refund"),
        ({"reason": "bored"}, "Unknown reason: bored"),
        ({"responsibility": "god"}, "Unknown responsibility: god"),
    ],
)
def test_opening_refuses_what_does_not_fit_the_order(service, order, extra, message):
    with pytest.raises(CaseRuleBroken) as refused:
        open_refund(service, order, **extra)
    assert refused.value.message.startswith(message)
    assert not AfterSaleCase.objects.exists() and not AuditEntry.objects.exists()


def test_a_line_cannot_bring_back_more_units_than_it_has(service, order):
    tee, _cap = lines_of(order)
    with pytest.raises(CaseRuleBroken, match=r"Line T2001-1 \(TEE-M\): 3 units asked, it has 2."):
        services.open_case(actor=service, order=order, kind="return_refund", reason="size", lines=[(tee.pk, 3)])


def test_a_complaint_needs_no_line_but_an_unpaid_order_has_no_case(service, order):
    case = services.open_case(actor=service, order=order, kind="complaint", reason="late")
    assert case.lines.count() == 0
    unpaid = OrderFactory(shop=order.shop, status=OrderStatus.UNPAID)
    with pytest.raises(CaseRuleBroken, match="is not paid"):
        services.open_case(actor=service, order=unpaid, kind="complaint", reason="late")


def test_a_refund_number_is_one_case_per_shop(service, order, jd_order):
    first = open_refund(service, order, platform_refund_no="R88")
    with pytest.raises(CaseRuleBroken, match=f"Refund number R88 is already a case of this shop \\(AS-{first.pk}\\)"):
        open_refund(service, order, platform_refund_no="R88")
    assert open_refund(service, jd_order, platform_refund_no="R88").shop == jd_order.shop


# ----- the steps ---------------------------------------------------------------------------------------------


def test_agree_reject_reopen_close_each_write_the_timeline_and_the_audit(service, order):
    case = open_refund(service, order)
    case = services.reject(actor=service, case=case, reason="吊牌已剪", responsibility="buyer")
    assert (case.status, case.responsibility) == (S.REJECTED, "buyer")
    first = case.first_answer_at
    assert first is not None
    case = services.reopen(actor=service, case=case, reason="平台介入")
    case = services.agree(actor=service, case=case)
    case = services.close(actor=service, case=case, reason="买家撤销")
    assert case.status == S.CLOSED and case.closed_at is not None and case.first_answer_at == first
    assert timeline(case)[1:] == [
        (S.OPEN, S.REJECTED, "吊牌已剪"),
        (S.REJECTED, S.OPEN, "平台介入"),
        (S.OPEN, S.AGREED, "agreed"),
        (S.AGREED, S.CLOSED, "买家撤销"),
    ]
    actions = list(AuditEntry.objects.order_by("id").values_list("action", flat=True))
    assert actions == [
        "aftersale_case.create",
        "aftersale_case.reject",
        "aftersale_case.reopen",
        "aftersale_case.agree",
        "aftersale_case.close",
    ]
    reject = AuditEntry.objects.get(action="aftersale_case.reject")
    assert (reject.before["status"], reject.after["status"], reject.after["responsibility"]) == (
        S.OPEN,
        S.REJECTED,
        "buyer",
    )


@pytest.mark.parametrize(
    ("start", "step"),
    [
        (S.REJECTED, "agree"),
        (S.AGREED, "reject"),
        (S.CLOSED, "close"),
        (S.REFUNDED, "agree"),
        (S.OPEN, "reopen"),
    ],
)
def test_a_step_the_table_does_not_allow_is_refused_and_changes_nothing(service, order, start, step):
    case = open_refund(service, order)
    AfterSaleCase.objects.filter(pk=case.pk).update(status=start)
    events = CaseEvent.objects.count()
    with pytest.raises(InvalidCaseTransition):
        getattr(services, step)(actor=service, case=case, reason="x")
    assert AfterSaleCase.objects.get(pk=case.pk).status == start
    assert CaseEvent.objects.count() == events


def test_reject_and_close_need_a_reason(service, order):
    case = open_refund(service, order)
    with pytest.raises(CaseRuleBroken, match=r"Say why the case is rejected\."):
        services.reject(actor=service, case=case, reason="   ")
    with pytest.raises(CaseRuleBroken, match=r"Say why the case is closed\."):
        services.close(actor=service, case=case, reason="")
    assert AfterSaleCase.objects.get(pk=case.pk).status == S.OPEN


@pytest.mark.parametrize("role", ["operator", "warehouse", "designer", "copywriter"])
def test_roles_without_the_right_cannot_open_or_step_and_nothing_changes(users, service, order, role):
    case = open_refund(service, order)
    tee, _cap = lines_of(order)
    before = (AfterSaleCase.objects.count(), CaseEvent.objects.count(), AuditEntry.objects.count())
    who = users[role]
    for call in (
        lambda: open_refund(who, order),
        lambda: services.agree(actor=who, case=case),
        lambda: services.reject(actor=who, case=case, reason="不"),
        lambda: services.refund(actor=who, case=case, amounts={tee.pk: "1.00"}),
        lambda: services.close(actor=who, case=case, reason="关"),
        lambda: services.assign(actor=who, case=case, assignee=None),
        lambda: services.add_note(actor=who, case=case, text="记"),
    ):
        with pytest.raises(PermissionDeniedError):
            call()
    assert (AfterSaleCase.objects.count(), CaseEvent.objects.count(), AuditEntry.objects.count()) == before
    assert not CaseLine.objects.filter(refund_amount__gt=0).exists()


def test_assign_gives_the_case_to_someone_who_may_handle_cases(users, service, manager, order):
    case = open_refund(service, order)
    case = services.assign(actor=service, case=case, assignee=manager)
    assert case.assignee == manager
    assert timeline(case)[-1] == (S.OPEN, S.OPEN, "assigned to manager")
    with pytest.raises(CaseRuleBroken, match=r"warehouse may not handle after-sales cases\."):
        services.assign(actor=service, case=case, assignee=users["warehouse"])
    case = services.assign(actor=manager, case=case, assignee=None)
    assert case.assignee is None
    assert AuditEntry.objects.filter(action="aftersale_case.assign").count() == 2
    assert set(selectors.handlers()) == {service, manager}


def test_a_note_goes_on_the_timeline_only(service, order):
    case = open_refund(service, order)
    services.add_note(actor=service, case=case, text="电话联系买家，约定明天寄回")
    assert timeline(case)[-1] == (S.OPEN, S.OPEN, "电话联系买家，约定明天寄回")
    assert AfterSaleCase.objects.get(pk=case.pk).first_answer_at is None


# ----- refunds -------------------------------------------------------------------------------------------------


def test_a_refund_reverses_the_lines_given_and_records_it(service, order):
    tee, cap = lines_of(order)
    case = open_refund(service, order)
    case = services.refund(actor=service, case=case, amounts={tee.pk: "99.00", cap.pk: Decimal("49.90")})
    assert case.status == S.REFUNDED and case.deadline is None and case.first_answer_at is not None
    assert selectors.refunded_by_line([tee.pk, cap.pk]) == {tee.pk: Decimal("99.00"), cap.pk: Decimal("49.90")}
    assert selectors.refunded_by_order([order.pk]) == {order.pk: Decimal("148.90")}
    assert timeline(case)[-1] == (
        S.OPEN,
        S.REFUNDED,
        "refunded ¥148.90: T2001-1 (TEE-M) ¥99.00, T2001-2 (CAP-RED) ¥49.90",
    )
    entry = AuditEntry.objects.get(action="aftersale_case.refund")
    assert (entry.before, entry.after) == ({"status": S.OPEN}, {"status": S.REFUNDED, "amount": "148.90"})


def test_a_second_refund_adds_to_the_first_up_to_what_was_paid(service, order):
    tee, _cap = lines_of(order)
    case = open_refund(service, order)
    services.refund(actor=service, case=case, amounts={tee.pk: "120.00"})
    case = services.refund(actor=service, case=case, amounts={tee.pk: "78.00"}, reason="补退运费险外差额")
    assert CaseLine.objects.get(case=case, order_line=tee).refund_amount == Decimal("198.00")
    assert timeline(case)[-1][:2] == (S.REFUNDED, S.REFUNDED)
    assert timeline(case)[-1][2].endswith("· 补退运费险外差额")


def test_an_over_refund_is_refused_naming_the_line_the_paid_amount_and_what_is_left(service, order):
    tee, cap = lines_of(order)
    first = open_refund(service, order)
    services.refund(actor=service, case=first, amounts={cap.pk: "30.00"})
    second = services.open_case(
        actor=service, order=order, kind="refund_shipped", reason="quality", lines=[(cap.pk, 1)]
    )
    with pytest.raises(OverRefund) as refused:
        services.refund(actor=service, case=second, amounts={tee.pk: "10.00", cap.pk: "19.91"})
    assert refused.value.message == (
        "Line T2001-2 (CAP-RED): ¥49.90 was paid and earlier refunds took ¥30.00, so ¥19.90 is left; "
        "¥19.91 cannot be refunded."
    )
    assert refused.value.details == {
        "line": cap.pk,
        "paid": "49.90",
        "refunded": "30.00",
        "left": "19.90",
        "asked": "19.91",
    }
    assert refused.value.http_status == 409 and refused.value.code == "over_refund"
    # nothing of the refused refund was kept, not even the T-shirt's ¥10.00
    assert selectors.refunded_by_line([tee.pk, cap.pk]) == {cap.pk: Decimal("30.00")}
    assert AfterSaleCase.objects.get(pk=second.pk).status == S.OPEN
    services.refund(actor=service, case=second, amounts={cap.pk: "19.90"})  # exactly what is left: accepted
    assert selectors.refunded_by_line([cap.pk]) == {cap.pk: Decimal("49.90")}


@pytest.mark.parametrize(
    ("amounts", "message"),
    [
        ({}, "Give the amount to refund for at least one line."),
        ({"tee": "0", "cap": ""}, "Give the amount to refund for at least one line."),
        ({"tee": "-5"}, "The refund of line"),
        ({"tee": "12.345"}, "The refund of line"),
        ({"other": "1.00"}, "is not a line of order T2001."),
    ],
)
def test_a_refund_must_name_lines_of_the_order_with_amounts_to_the_fen(service, order, amounts, message):
    tee, cap = lines_of(order)
    other = OrderFactory(shop=order.shop)
    from zhanggui.orders.tests.factories import OrderLineFactory

    foreign = OrderLineFactory(order=other)
    ids = {"tee": tee.pk, "cap": cap.pk, "other": foreign.pk}
    case = open_refund(service, order)
    with pytest.raises(CaseRuleBroken) as refused:
        services.refund(actor=service, case=case, amounts={ids[k]: v for k, v in amounts.items()})
    assert message in refused.value.message
    assert not CaseLine.objects.filter(refund_amount__gt=0).exists()


def test_a_closed_or_rejected_case_refunds_nothing(service, order):
    tee, _cap = lines_of(order)
    case = services.reject(actor=service, case=open_refund(service, order), reason="不符合")
    with pytest.raises(InvalidCaseTransition, match="is rejected: it cannot become refunded"):
        services.refund(actor=service, case=case, amounts={tee.pk: "1.00"})


def test_the_line_money_of_a_case_page(service, order):
    tee, cap = lines_of(order)
    other = open_refund(service, order)
    services.refund(actor=service, case=other, amounts={tee.pk: "50.00"})
    case = open_refund(service, order)
    services.refund(actor=service, case=case, amounts={tee.pk: "10.00"})
    rows = selectors.line_money(selectors.order_for(order.pk), selectors.case_detail(case.pk))
    assert [(r.line.pk, r.paid, r.refunded, r.in_case, r.left) for r in rows] == [
        (tee.pk, Decimal("198.00"), Decimal("60.00"), Decimal("10.00"), Decimal("138.00")),
        (cap.pk, Decimal("49.90"), Decimal("0.00"), Decimal("0.00"), Decimal("49.90")),
    ]
    assert selectors.money_totals(rows) == {
        "paid": Decimal("247.90"),
        "refunded": Decimal("60.00"),
        "in_case": Decimal("10.00"),
        "left": Decimal("187.90"),
    }
