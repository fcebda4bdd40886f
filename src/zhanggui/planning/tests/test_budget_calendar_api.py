"""/api/v1/planning/budgets and /api/v1/planning/activities: the budget of a year with its warnings, a month's
budget set with its lines, the activities with their results, an own activity added, changed and deleted."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from zhanggui.analytics.models import AdDay
from zhanggui.core.services import create_api_token
from zhanggui.planning import services
from zhanggui.planning.models import AdBudget, PlanActivity

D = Decimal
pytestmark = pytest.mark.django_db
YEAR = timezone.localdate().year - 1  # a year gone: every month's spend is counted whole
B = "/api/v1/planning/budgets"
A = "/api/v1/planning/activities"


def client_for(user) -> Client:
    return Client(headers={"Authorization": f"Bearer {create_api_token(user=user, name='test')[1]}"})


@pytest.fixture
def plan(shop, manager):
    made = services.create_plan(actor=manager, shop=shop, year=YEAR, gmv_target=D("1200000.00"))
    return services.set_month(actor=manager, plan=made, month=6, gmv_target=D("100000.00"), mode=services.KEEP_OTHERS)


JUNE = {
    "shop": "tb01",
    "year": YEAR,
    "month": 6,
    "mode": "share",
    "share": "0.08",
    "lines": [
        {"channel": "ztc", "goal": "sales", "share": "0.5", "expected_roi": "3.00"},
        {"channel": "display", "goal": "exposure", "share": "0.3"},
        {"channel": "affiliate", "goal": "sales", "share": "0.2", "expected_roi": "4.00"},
    ],
}


def test_put_a_month_and_get_the_year_with_spend_and_warnings(plan, shop, manager):
    api = client_for(manager)
    response = api.put(B, JUNE, content_type="application/json")
    assert response.status_code == 200, response.content
    month = response.json()
    assert month["amount"] == "8000.00"
    assert [(x["channel"], x["amount"]) for x in month["lines"]] == [
        ("affiliate", "1600.00"),
        ("display", "2400.00"),
        ("ztc", "4000.00"),
    ]
    assert (month["daily_low"], month["daily_high"]) == ("266.66", "266.67")
    # June's spend: 直通车 5,000.00 for 12,500.00 (ROI 2.50, below 3.00), 淘宝客 1,000.00 for 4,000.00.
    AdDay.objects.create(
        shop=shop, day=date(YEAR, 6, 3), report="ztc", channel="ztc", cost=D("5000.00"), gmv=D("12500")
    )
    AdDay.objects.create(
        shop=shop, day=date(YEAR, 6, 4), report="affiliate", channel="affiliate", cost=D("1000.00"), gmv=D("4000")
    )
    body = api.get(B, {"shop": "tb01", "year": YEAR}).json()
    june = body["months"][5]
    assert june["actual"] == {"spend": "6000.00", "ad_gmv": "16500.00", "roi": "2.75"}
    assert june["warnings"] == []  # 6,000 of 8,000: within the budget
    lines = {x["channel"]: x for x in june["lines"]}
    assert lines["ztc"]["actual"]["roi"] == "2.50" and lines["ztc"]["warnings"] == ["roi_low"]
    assert lines["affiliate"]["warnings"] == []  # 4.00 as expected
    assert body["total"]["amount"] == "8000.00" and body["quarters"][1]["actual"]["spend"] == "6000.00"
    assert body["tolerance"] == "0.10"

    # Over by more than 10 %: 9,000 against 8,000.
    AdDay.objects.create(shop=shop, day=date(YEAR, 6, 5), report="ztc", channel="ztc", plan="P2", cost=D("3000.00"))
    june = api.get(B, {"shop": "tb01", "year": YEAR}).json()["months"][5]
    assert june["warnings"] == ["overspend"]


def test_a_put_that_does_not_add_up_is_refused_with_the_error_shape(plan, manager):
    bad = {**JUNE, "lines": [{"channel": "ztc", "goal": "sales", "share": "0.5"}]}
    response = client_for(manager).put(B, bad, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "plan_error" and "100 %" in response.json()["message"]
    number = client_for(manager).put(B, {**JUNE, "share": 0.08}, content_type="application/json")
    assert number.status_code == 422
    assert not AdBudget.objects.exists()


def test_budgets_of_a_year_without_a_plan_are_a_404(shop, manager):
    response = client_for(manager).get(B, {"shop": "tb01", "year": YEAR})
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert client_for(manager).get(B, {"shop": "nope", "year": YEAR}).status_code == 404


def test_customer_service_cannot_put_a_budget(plan, users):
    response = client_for(users["service"]).put(B, JUNE, content_type="application/json")
    assert response.status_code == 403 and response.json()["code"] == "permission_denied"
    assert not AdBudget.objects.exists()


def test_activities_seeded_added_changed_and_deleted(shop, manager):
    api = client_for(manager)
    seeded = api.post(f"{A}/platform-events", {"shop": "tb01", "year": YEAR}, content_type="application/json")
    assert seeded.status_code == 200 and len(seeded.json()) == 6
    again = api.post(f"{A}/platform-events", {"shop": "tb01", "year": YEAR}, content_type="application/json")
    assert again.json() == []
    made = api.post(
        A,
        {"shop": "tb01", "year": YEAR, "name": "店庆", "starts_on": f"{YEAR}-08-08", "ends_on": f"{YEAR}-08-10",
         "gmv_target": "20000.00"},
        content_type="application/json",
    )  # fmt: skip
    assert made.status_code == 201, made.content
    own = made.json()
    assert own["kind"] == "own" and own["status"] == "done" and own["gmv"] == "0.00"
    changed = api.patch(f"{A}/{own['id']}", {"ends_on": f"{YEAR}-08-12"}, content_type="application/json")
    assert changed.status_code == 200 and changed.json()["ends_on"] == f"{YEAR}-08-12"
    listed = api.get(A, {"shop": "tb01", "year": YEAR}).json()
    assert [x["name"] for x in listed][:3] == ["年货节", "38 女王节", "618"] and len(listed) == 7
    event = next(x for x in listed if x["name"] == "99")
    refused = api.patch(f"{A}/{event['id']}", {"name": "九九"}, content_type="application/json")
    assert refused.status_code == 400 and refused.json()["code"] == "plan_error"
    assert api.delete(f"{A}/{own['id']}").status_code == 204
    assert PlanActivity.objects.count() == 6


def test_customer_service_reads_activities_but_cannot_add(shop, users):
    api = client_for(users["service"])
    assert api.get(A, {"shop": "tb01", "year": YEAR}).status_code == 200
    body = {"shop": "tb01", "year": YEAR, "name": "x", "starts_on": f"{YEAR}-01-01", "ends_on": f"{YEAR}-01-02"}
    response = api.post(A, body, content_type="application/json")
    assert response.status_code == 403 and not PlanActivity.objects.exists()
