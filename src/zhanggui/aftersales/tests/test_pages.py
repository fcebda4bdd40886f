"""The after-sales pages with Django's test client, in English and Chinese: the queue (least time left first,
the badges, filters, export, "assign to me"), one case (its order's line money, timeline, steps by role, the
refund form and its refusal), opening a case from the order page, and the deadline rules page."""

from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from zhanggui.aftersales import services
from zhanggui.aftersales.models import AfterSaleCase, CaseEvent, CaseLine, CaseStatus, DeadlineRule
from zhanggui.aftersales.tests.conftest import lines_of, two_line_order
from zhanggui.core.models import AuditEntry
from zhanggui.core.tests.pages import login

pytestmark = pytest.mark.django_db
S = CaseStatus
LIST = "/aftersales/"


def open_case(actor, order, *, left: timedelta | None = None, **extra) -> AfterSaleCase:
    """A return case on the order's T-shirt; `left`: its platform deadline that far from now."""
    tee, _cap = lines_of(order)
    if left is not None:
        extra["platform_deadline"] = timezone.now() + left
    values = {"kind": "return_refund", "reason": "size", "lines": [(tee.pk, 1)], **extra}
    return services.open_case(actor=actor, order=order, **values)


def numbers(response) -> list[str]:
    return [c.number for c in response.context["page"]]


@pytest.fixture
def queue(service, manager, shop):
    """Five cases: overdue, red, amber, plenty of time, and a rejected one (not to handle)."""
    orders = [two_line_order(shop, f"T{n}") for n in range(5)]
    return {
        "late": open_case(
            service,
            orders[0],
            left=-timedelta(hours=3, minutes=5),
            platform_refund_no="R-LATE",
            requested_amount="10.00",
        ),
        "red": open_case(
            manager,
            orders[1],
            left=timedelta(hours=1, minutes=30),
            platform_refund_no="R-RED",
            requested_amount="50.00",
        ),
        "amber": open_case(
            service,
            orders[2],
            left=timedelta(hours=5, minutes=30),
            platform_refund_no="R-AMBER",
            requested_amount="30.00",
        ),
        "calm": open_case(
            service, orders[3], left=timedelta(days=3, hours=1), platform_refund_no="R-CALM", requested_amount="99.00"
        ),
        "rejected": services.reject(
            actor=service, case=open_case(service, orders[4], platform_refund_no="R-NO"), reason="不符合"
        ),
    }


# ----- the queue ---------------------------------------------------------------------------------------------


def test_the_queue_puts_the_least_time_left_first_with_amber_red_and_overdue_badges(client, service, queue):
    response = login(client, service).get(LIST)
    assert numbers(response) == ["R-LATE", "R-RED", "R-AMBER", "R-CALM"]  # rejected waits for the buyer
    html = response.content.decode()
    assert 'data-left="overdue">overdue 3 h</span>' in html
    assert 'data-left="red">1 h left</span>' in html
    assert 'data-left="amber">5 h left</span>' in html
    assert 'data-left="">3 d left</span>' in html
    assert 'id="board-overdue"><b>1</b>' in html and 'id="board-red"><b>1</b>' in html
    assert 'id="board-amber"><b>1</b>' in html
    assert "Overdue, by day of the deadline and assignee" in html


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"status": "active"}, ["R-LATE", "R-RED", "R-AMBER", "R-CALM", "R-NO"]),
        ({"status": "rejected"}, ["R-NO"]),
        ({"status": "active", "due": "overdue"}, ["R-LATE"]),
        ({"status": "active", "due": "red"}, ["R-RED"]),
        ({"status": "active", "due": "amber"}, ["R-RED", "R-AMBER"]),
        ({"status": "active", "assigned": "mine"}, ["R-LATE", "R-AMBER", "R-CALM", "R-NO"]),
        ({"q": "r-cal"}, ["R-CALM"]),
        ({"q": "T2"}, ["R-AMBER"]),
        ({"status": "active", "sort": "-requested"}, ["R-CALM", "R-RED", "R-AMBER", "R-LATE", "R-NO"]),
    ],
)
def test_the_queue_filters(client, service, queue, params, expected):
    assert numbers(login(client, service).get(LIST, params)) == expected


def test_the_queue_exports_every_filtered_case(client, service, queue):
    response = login(client, service).get(LIST, {"status": "active", "export": "xlsx"})
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][:3] == ("Case", "Order number", "Shop")
    assert [r[0] for r in rows[1:]] == ["R-LATE", "R-RED", "R-AMBER", "R-CALM", "R-NO"]


def test_the_queue_reads_in_chinese(client, service, queue):
    html = login(client, service, language="zh-hans").get(LIST).content.decode()
    assert '<html lang="zh-hans">' in html
    assert "R-LATE" in html and "订单" in html  # the header's words come from the shared catalogue


def test_the_queue_costs_the_same_queries_for_more_cases(client, service, shop, queue):
    login(client, service)
    with CaptureQueriesContext(connection) as few:
        client.get(LIST)
    for n in range(6):
        open_case(service, two_line_order(shop, f"M{n}"), left=timedelta(hours=n + 1))
    with CaptureQueriesContext(connection) as many:
        client.get(LIST)
    assert len(many) == len(few)


def test_assign_to_me_takes_the_ticked_cases_and_is_offered_to_handlers_only(client, users, service, queue):
    html = login(client, users["warehouse"]).get(LIST).content.decode()
    assert 'id="batch-form"' not in html
    refused = client.post(reverse("aftersales:case-batch"), {"action": "take", "ids": [queue["red"].pk]})
    assert refused.status_code == 403
    login(client, service)
    assert 'id="batch-form"' in client.get(LIST).content.decode()
    client.post(reverse("aftersales:case-batch"), {"action": "take", "ids": [queue["red"].pk, queue["calm"].pk]})
    assert AfterSaleCase.objects.get(pk=queue["red"].pk).assignee == service


# ----- one case ----------------------------------------------------------------------------------------------


def test_the_case_page_shows_the_order_lines_money_timeline_and_steps(client, service, order):
    tee, cap = lines_of(order)
    case = open_case(service, order)
    services.refund(actor=service, case=case, amounts={tee.pk: "30.00"})
    response = login(client, service).get(reverse("aftersales:case-detail", args=[case.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert [(r.line.pk, r.left) for r in response.context["rows"]] == [
        (tee.pk, Decimal("168.00")),
        (cap.pk, Decimal("49.90")),
    ]
    assert response.context["totals"]["left"] == Decimal("217.90")
    assert "¥168.00" in html and "¥217.90" in html
    assert "refunded ¥30.00: T2001-1 (TEE-M) ¥30.00" in html
    for marker in ('id="refund-form"', 'id="close-form"', 'id="assign-form"', 'id="note-form"'):
        assert marker in html, marker
    assert 'id="agree-form"' not in html  # refunded: agreeing is behind it


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_every_role_reads_a_case_but_only_handlers_see_steps(client, users, service, order, language):
    case = open_case(service, order)
    for role in ("manager", "service", "operator", "warehouse", "designer"):
        html = login(client, users[role], language=language).get(reverse("aftersales:case-detail", args=[case.pk]))
        assert html.status_code == 200
        body = html.content.decode()
        assert ('id="steps"' in body) == (role in ("manager", "service")), role
        assert "T2001-1" in body


def test_a_refund_from_the_page_reverses_the_lines_typed(client, service, order):
    tee, cap = lines_of(order)
    case = open_case(service, order)
    url = reverse("aftersales:case-refund", args=[case.pk])
    response = login(client, service).post(
        url, {f"refund-amount_{tee.pk}": "¥99.00", f"refund-amount_{cap.pk}": "", "refund-reason": "尺码不合"}
    )
    assert response.status_code == 302
    assert CaseLine.objects.get(case=case, order_line=tee).refund_amount == Decimal("99.00")
    assert AfterSaleCase.objects.get(pk=case.pk).status == S.REFUNDED


def test_an_over_refund_on_the_page_says_the_figures_and_keeps_what_was_typed(client, service, order):
    _tee, cap = lines_of(order)
    case = open_case(service, order)
    url = reverse("aftersales:case-refund", args=[case.pk])
    response = login(client, service).post(url, {f"refund-amount_{cap.pk}": "49.91"})
    assert response.status_code == 422
    html = response.content.decode()
    assert (
        "Line T2001-2 (CAP-RED): ¥49.90 was paid and earlier refunds took ¥0.00, so ¥49.90 is left; "
        "¥49.91 cannot be refunded."
    ) in html
    assert 'value="49.91"' in html and 'id="refund-step" open' in html
    assert not CaseLine.objects.filter(refund_amount__gt=0).exists()


def test_agree_reject_and_close_from_the_page(client, service, shop):
    login(client, service)
    first = open_case(service, two_line_order(shop, "A1"))
    client.post(reverse("aftersales:case-agree", args=[first.pk]), {"agree-reason": "", "agree-responsibility": "us"})
    first.refresh_from_db()
    assert (first.status, first.responsibility) == (S.AGREED, "us")
    second = open_case(service, two_line_order(shop, "A2"))
    refused = client.post(reverse("aftersales:case-reject", args=[second.pk]), {"reject-reason": ""})
    assert refused.status_code == 422 and "Say why the case is rejected." in refused.content.decode()
    client.post(reverse("aftersales:case-reject", args=[second.pk]), {"reject-reason": "已超过7天"})
    client.post(reverse("aftersales:case-close", args=[second.pk]), {"close-reason": "买家未申诉"})
    assert AfterSaleCase.objects.get(pk=second.pk).status == S.CLOSED
    client.post(reverse("aftersales:case-note", args=[first.pk]), {"note-text": "已电话沟通"})
    assert CaseEvent.objects.filter(case=first, reason="已电话沟通").exists()


@pytest.mark.parametrize("step", ["agree", "reject", "refund", "close", "assign", "note"])
def test_a_role_without_the_right_is_refused_every_step_and_nothing_changes(client, users, service, order, step):
    tee, _cap = lines_of(order)
    case = open_case(service, order)
    before = (CaseEvent.objects.count(), AuditEntry.objects.count())
    data = {
        f"{step}-reason": "x",
        f"{step}-text": "x",
        f"refund-amount_{tee.pk}": "1.00",
        "assign-assignee": str(users["warehouse"].pk),
    }
    response = login(client, users["operator"]).post(reverse(f"aftersales:case-{step}", args=[case.pk]), data)
    assert response.status_code == 403
    assert (CaseEvent.objects.count(), AuditEntry.objects.count()) == before
    assert AfterSaleCase.objects.get(pk=case.pk).status == S.OPEN


# ----- opening a case from the order page --------------------------------------------------------------------


def test_the_order_page_links_to_opening_a_case_for_handlers(client, users, order):
    url = reverse("orders:order-detail", args=[order.pk])
    assert 'id="open-case-link"' in login(client, users["service"]).get(url).content.decode()
    assert 'id="open-case-link"' not in login(client, users["warehouse"]).get(url).content.decode()


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_opening_a_case_from_its_form(client, service, order, language):
    tee, cap = lines_of(order)
    url = reverse("aftersales:case-open", args=[order.pk])
    login(client, service, language=language)
    page = client.get(url)
    assert page.status_code == 200 and page.context["form"].initial["kind"] == "return_refund"
    response = client.post(
        url,
        {
            "kind": "return_refund",
            "reason": "size",
            "responsibility": "",
            f"qty_{tee.pk}": "2",
            f"qty_{cap.pk}": "0",
            "requested_amount": "198.00",
            "platform_refund_no": "R123",
            "platform_deadline": "2026-06-20T10:00",
            "description": "偏小",
        },
    )
    case = AfterSaleCase.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("aftersales:case-detail", args=[case.pk])
    assert (case.platform_refund_no, case.requested_amount, case.deadline_source) == (
        "R123",
        Decimal("198.00"),
        "platform",
    )
    assert list(case.lines.values_list("order_line", "quantity")) == [(tee.pk, 2)]


def test_the_open_form_keeps_what_was_typed_when_refused(client, service, order):
    url = reverse("aftersales:case-open", args=[order.pk])
    response = login(client, service).post(
        url, {"kind": "return_refund", "reason": "size", "requested_amount": "500.00", "platform_refund_no": "R9"}
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "Tick the lines of the order the case is about." in html
    assert 'value="R9"' in html and not AfterSaleCase.objects.exists()


def test_the_open_form_is_refused_to_a_role_without_the_right(client, users, order):
    url = reverse("aftersales:case-open", args=[order.pk])
    assert login(client, users["warehouse"]).get(url).status_code == 403
    assert client.post(url, {"kind": "complaint", "reason": "late"}).status_code == 403
    assert not AfterSaleCase.objects.exists()


# ----- deadline rules --------------------------------------------------------------------------------------------


def test_the_manager_edits_a_rule_row_and_the_open_cases_follow(client, manager, service, order):
    case = open_case(service, order)  # return and refund on Taobao: 120 h from its opening
    rule = DeadlineRule.objects.get(channel="taobao", situation="return_refund")
    login(client, manager)
    page = client.get(reverse("aftersales:rule-list")).content.decode()
    assert f'id="rule-form-{rule.pk}"' in page and 'form="rule-form-' in page
    response = client.post(
        reverse("aftersales:rule-save", args=[rule.pk]),
        {f"rule-{rule.pk}-hours": "72", f"rule-{rule.pk}-on_expiry": "auto_agree",
         f"rule-{rule.pk}-basis": "platform", f"rule-{rule.pk}-source": "淘宝规则 2026"},
        headers={"HX-Request": "true"},
    )  # fmt: skip
    assert response.status_code == 200 and 'role="status"' in response.content.decode()
    rule.refresh_from_db()
    assert (rule.hours, rule.source, rule.updated_by) == (72, "淘宝规则 2026", manager)
    case.refresh_from_db()
    assert case.deadline == case.clock_started_at + timedelta(hours=72)
    seeded = "淘宝/天猫 退款超时规则, PLATFORMS.md (Rules: refund timers)"
    assert AuditEntry.objects.get(action="deadline_rule.update").before == {"hours": 120, "source": seeded}


def test_a_bad_rule_comes_back_with_its_error(client, manager):
    rule = DeadlineRule.objects.get(channel="jd", situation="refund_shipped")
    response = login(client, manager).post(
        reverse("aftersales:rule-save", args=[rule.pk]),
        {f"rule-{rule.pk}-hours": "0", f"rule-{rule.pk}-on_expiry": "auto_agree", f"rule-{rule.pk}-basis": "platform"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 422
    assert DeadlineRule.objects.get(pk=rule.pk).hours == 120


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_service_reads_the_rules_but_may_not_change_them(client, service, language):
    rule = DeadlineRule.objects.get(channel="taobao", situation="refund_unshipped")
    login(client, service, language=language)
    html = client.get(reverse("aftersales:rule-list")).content.decode()
    assert "rule-form-" not in html and 'data-rule="taobao-refund_unshipped"' in html
    response = client.post(reverse("aftersales:rule-save", args=[rule.pk]), {f"rule-{rule.pk}-hours": "1"})
    assert response.status_code == 403
    assert DeadlineRule.objects.get(pk=rule.pk).hours == 48
