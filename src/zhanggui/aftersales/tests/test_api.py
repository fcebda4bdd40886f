"""The after-sales API: the list by deadline, one case with its order's line money, opening a case, each step,
the over-refund refusal as JSON with its figures, and 401/403 refusals that change nothing."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone, translation

from zhanggui.aftersales import services
from zhanggui.aftersales.models import AfterSaleCase, CaseEvent, CaseLine, CaseStatus
from zhanggui.aftersales.tests.conftest import lines_of, two_line_order
from zhanggui.core.models import AuditEntry
from zhanggui.core.services import create_api_token

pytestmark = pytest.mark.django_db

API = "/api/v1/aftersales"
S = CaseStatus


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def client_for(user) -> Client:
    return Client(headers={"Authorization": f"Bearer {create_api_token(user=user, name='test')[1]}"})


def post(client: Client, url: str, data: dict | None = None):
    return client.post(url, data=data or {}, content_type="application/json")


def open_body(order, **extra) -> dict:
    tee, _cap = lines_of(order)
    return {
        "order_id": order.pk,
        "kind": "return_refund",
        "reason": "size",
        "lines": [{"order_line_id": tee.pk, "quantity": 1}],
        **extra,
    }


def test_open_then_get_a_case(service, order):
    api = client_for(service)
    deadline = (timezone.now() + timedelta(hours=5)).replace(microsecond=0)
    response = post(
        api,
        API,
        open_body(order, requested_amount="99.00", platform_refund_no="R77", platform_deadline=deadline.isoformat()),
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["number"], body["status"], body["kind"], body["order_no"], body["shop"]) == (
        "R77",
        "open",
        "return_refund",
        "T2001",
        "tb01",
    )
    assert (body["requested_amount"], body["refunded"], body["deadline_source"], body["assignee"]) == (
        "99.00",
        "0.00",
        "platform",
        "service",
    )
    assert [(line["sub_order_id"], line["quantity"]) for line in body["lines"]] == [("T2001-1", 1)]
    assert [(o["sub_order_id"], o["paid"], o["left"]) for o in body["order_lines"]] == [
        ("T2001-1", "198.00", "198.00"),
        ("T2001-2", "49.90", "49.90"),
    ]
    got = api.get(f"{API}/{body['id']}").json()
    assert got["events"][0]["to_status"] == "open" and got["events"][0]["actor"] == "service"


def test_the_list_orders_by_deadline_and_filters(service, shop, jd_order):
    api = client_for(service)
    later = services.open_case(actor=service, order=two_line_order(shop, "A1"), kind="complaint", reason="late")
    sooner = services.open_case(
        actor=service,
        order=two_line_order(shop, "A2"),
        kind="complaint",
        reason="late",
        platform_deadline=timezone.now() + timedelta(hours=1),
    )
    services.close(actor=service, case=later, reason="已解决")
    jd = services.open_case(actor=service, order=jd_order, kind="complaint", reason="late")
    body = api.get(API).json()
    assert body["count"] == 3 and body["items"][0]["id"] == sooner.pk
    assert [c["id"] for c in api.get(API, {"shop": "jd01"}).json()["items"]] == [jd.pk]
    assert [c["id"] for c in api.get(API, {"status": ["closed"]}).json()["items"]] == [later.pk]
    assert api.get(API, {"shop": "nope"}).status_code == 404


def test_agree_refund_and_close_through_the_api(service, order):
    tee, cap = lines_of(order)
    api = client_for(service)
    case_id = post(api, API, open_body(order)).json()["id"]
    assert post(api, f"{API}/{case_id}/agree", {"responsibility": "us"}).json()["status"] == "agreed"
    refunded = post(
        api,
        f"{API}/{case_id}/refund",
        {"lines": [{"order_line_id": tee.pk, "amount": "99.00"}, {"order_line_id": cap.pk, "amount": "9.90"}]},
    ).json()
    assert (refunded["status"], refunded["refunded"]) == ("refunded", "108.90")
    assert [o["left"] for o in refunded["order_lines"]] == ["99.00", "40.00"]
    closed = post(api, f"{API}/{case_id}/close", {"reason": "完成"})
    assert closed.json()["status"] == "closed"


def test_an_over_refund_is_a_409_with_the_figures(service, order):
    _tee, cap = lines_of(order)
    api = client_for(service)
    case_id = post(api, API, open_body(order)).json()["id"]
    response = post(api, f"{API}/{case_id}/refund?lang=en", {"lines": [{"order_line_id": cap.pk, "amount": "50.00"}]})
    assert response.status_code == 409
    assert response.json() == {
        "code": "over_refund",
        "message": "Line T2001-2 (CAP-RED): ¥49.90 was paid and earlier refunds took ¥0.00, so ¥49.90 is left; "
        "¥50.00 cannot be refunded.",
        "details": {"line": cap.pk, "paid": "49.90", "refunded": "0.00", "left": "49.90", "asked": "50.00"},
    }
    assert not CaseLine.objects.filter(refund_amount__gt=0).exists()


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"lines": [{"order_line_id": 1, "amount": 10}]}, 422, "invalid_input"),  # a number, not a string
        ({"lines": []}, 422, "invalid_input"),
        ({"lines": [{"order_line_id": 1, "amount": "1.00", "x": 1}]}, 422, "invalid_input"),
    ],
)
def test_a_refund_body_that_does_not_validate(service, order, body, status, code):
    api = client_for(service)
    case_id = post(api, API, open_body(order)).json()["id"]
    response = post(api, f"{API}/{case_id}/refund", body)
    assert (response.status_code, response.json()["code"]) == (status, code)


def test_a_line_given_twice_and_a_step_out_of_turn_are_refused(service, order):
    tee, _cap = lines_of(order)
    api = client_for(service)
    case_id = post(api, API, open_body(order)).json()["id"]
    twice = {"lines": [{"order_line_id": tee.pk, "amount": "1.00"}, {"order_line_id": tee.pk, "amount": "2.00"}]}
    assert post(api, f"{API}/{case_id}/refund", twice).json()["code"] == "case_rule_broken"
    post(api, f"{API}/{case_id}/reject", {"reason": "不符合"})
    response = post(api, f"{API}/{case_id}/agree")
    assert (response.status_code, response.json()["code"]) == (409, "invalid_case_transition")


def test_assign_by_username(users, service, manager, order):
    api = client_for(service)
    case_id = post(api, API, open_body(order)).json()["id"]
    assert post(api, f"{API}/{case_id}/assign", {"assignee": "manager"}).json()["assignee"] == "manager"
    assert post(api, f"{API}/{case_id}/assign", {"assignee": None}).json()["assignee"] is None
    assert post(api, f"{API}/{case_id}/assign", {"assignee": "nobody-here"}).status_code == 422
    assert post(api, f"{API}/{case_id}/assign", {"assignee": "warehouse"}).json()["code"] == "case_rule_broken"


def test_unknown_ids_are_404(service, order):
    api = client_for(service)
    assert api.get(f"{API}/999999").json()["code"] == "not_found"
    assert api.get(f"{API}/{2**63}").status_code in (404, 422)
    assert post(api, API, {**open_body(order), "order_id": 999999}).status_code == 404


@pytest.mark.parametrize("role", ["operator", "warehouse", "designer"])
def test_a_role_without_the_right_gets_403_and_nothing_changes(users, service, order, role):
    tee, _cap = lines_of(order)
    case = services.open_case(actor=service, order=order, kind="refund_shipped", reason="quality", lines=[(tee.pk, 1)])
    api = client_for(users[role])
    before = (AfterSaleCase.objects.count(), CaseEvent.objects.count(), AuditEntry.objects.count())
    calls = [
        (API, open_body(order)),
        (f"{API}/{case.pk}/agree", {}),
        (f"{API}/{case.pk}/reject", {"reason": "x"}),
        (f"{API}/{case.pk}/refund", {"lines": [{"order_line_id": tee.pk, "amount": "1.00"}]}),
        (f"{API}/{case.pk}/close", {"reason": "x"}),
        (f"{API}/{case.pk}/assign", {"assignee": None}),
    ]
    for url, body in calls:
        response = post(api, url, body)
        assert (response.status_code, response.json()["code"]) == (403, "permission_denied"), url
    assert (AfterSaleCase.objects.count(), CaseEvent.objects.count(), AuditEntry.objects.count()) == before
    assert AfterSaleCase.objects.get(pk=case.pk).status == S.OPEN
    assert api.get(f"{API}/{case.pk}").status_code == 200  # every role reads


def test_without_a_token_it_is_a_401(order):
    response = Client().get(API)
    assert (response.status_code, response.json()["code"]) == (401, "not_authenticated")
    assert Decimal("0") == sum((c.refund_amount for c in CaseLine.objects.all()), Decimal("0"))
