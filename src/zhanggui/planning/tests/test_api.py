"""The planning API: a plan made, a month changed, approved and revised, the quarters split and a slice
changed, and the progress read, as a script with a token would."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from zhanggui.core.services import create_api_token

D = Decimal
pytestmark = pytest.mark.django_db
YEAR = (timezone.localdate() - timedelta(days=1)).year


def _client(user) -> Client:
    return Client(headers={"Authorization": f"Bearer {create_api_token(user=user, name='test')[1]}"})


def test_a_plan_made_changed_approved_and_revised(shop, manager):
    api = _client(manager)
    made = api.post(
        "/api/v1/planning/plan",
        {"shop": "tb01", "year": YEAR, "gmv_target": "1000000.00"},
        content_type="application/json",
    ).json()
    assert made["version"] == 1 and made["basis"] == "template" and len(made["months"]) == 12
    assert made["months"][10]["gmv_target"] == "140000.00" and made["year_total"]["gmv_target"] == "1000000.00"
    assert [q["gmv_target"] for q in made["quarters"]] == ["230000.00", "240000.00", "210000.00", "320000.00"]
    changed = api.put(
        "/api/v1/planning/plan/months/11",
        {"shop": "tb01", "year": YEAR, "gmv_target": "150000.00", "conversion": "0.025", "aov": "150"},
        content_type="application/json",
    ).json()
    november = changed["months"][10]
    assert november["gmv_target"] == "150000.00" and november["uv"] == 40000 and november["locked"]
    assert changed["year_total"]["gmv_target"] == "1000000.00"
    approved = api.post(
        "/api/v1/planning/plan/approve", {"shop": "tb01", "year": YEAR}, content_type="application/json"
    ).json()
    assert approved["approved"] and approved["approved_version"] == 1
    revised = api.put(
        "/api/v1/planning/plan/months/1",
        {"shop": "tb01", "year": YEAR, "gmv_target": "100000.00", "mode": "keep"},
        content_type="application/json",
    ).json()
    assert revised["version"] == 2 and not revised["approved"] and revised["approved_version"] == 1
    # November's +¥10,000 came from the other 11 months (¥860,000) in proportion: January gave 90/860 of it,
    # ¥1,046.51, leaving ¥88,953.49 as approved; keeping the others, the year grows by ¥11,046.51.
    assert revised["months"][0]["approved"] == "88953.49" and revised["year_total"]["gmv_target"] == "1011046.51"


def test_errors_come_back_in_the_shared_shape(shop, manager, users):
    api = _client(manager)
    missing = api.get(f"/api/v1/planning/plan?shop=tb01&year={YEAR}")
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"
    refused = _client(users["service"]).post(
        "/api/v1/planning/plan", {"shop": "tb01", "year": YEAR, "gmv_target": "1.00"}, content_type="application/json"
    )
    assert refused.status_code == 403 and refused.json()["code"] == "permission_denied"
    api.post(
        "/api/v1/planning/plan",
        {"shop": "tb01", "year": YEAR, "gmv_target": "1200.00"},
        content_type="application/json",
    )
    too_much = api.put(
        "/api/v1/planning/plan/months/1",
        {"shop": "tb01", "year": YEAR, "gmv_target": "5000.00"},
        content_type="application/json",
    )
    assert too_much.status_code in (400, 409, 422) and "negative" in too_much.json()["message"]


def test_the_quarters_by_role_and_the_progress(shop, manager):
    api = _client(manager)
    api.post(
        "/api/v1/planning/plan",
        {"shop": "tb01", "year": YEAR, "gmv_target": "1000000.00"},
        content_type="application/json",
    )
    split = api.post("/api/v1/planning/shares/split", {"shop": "tb01", "year": YEAR}, content_type="application/json")
    assert split.status_code == 200
    roles = api.get(f"/api/v1/planning/shares?shop=tb01&year={YEAR}&dimension=role").json()
    # No SKU on sale and no sales last year: each quarter in four equal parts (Q1: ¥230,000 ÷ 4).
    traffic = next(r for r in roles["rows"] if r["key"] == "traffic")
    assert traffic["quarters"][0]["amount"] == "57500.00" and roles["totals"][0]["difference"] == "0.00"
    kept = api.put(
        "/api/v1/planning/shares",
        {
            "shop": "tb01",
            "year": YEAR,
            "dimension": "role",
            "key": "traffic",
            "mode": "keep",
            "quarters": [{"quarter": 1, "amount": "60000.00", "quantity": 600, "sku_count": 5}],
        },
        content_type="application/json",
    ).json()
    assert kept["totals"][0]["difference"] == "2500.00"
    found = api.get("/api/v1/planning/progress?shop=tb01").json()
    assert [p["kind"] for p in found["periods"]] == ["day", "month", "quarter", "year"]
    year = found["periods"][3]
    assert year["target"] == "1000000.00" and year["actual"] == "0.00" and year["pace"] == "0.0000"
