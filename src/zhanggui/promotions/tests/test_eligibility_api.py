"""The eligibility check over HTTP: presets, a preset or inline campaign against SKUs by id or shop + code,
each rule's outcome; errors as {code, message}; every role may check, an anonymous caller may not.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone, translation

from zhanggui.catalog.models import Sku
from zhanggui.catalog.tests.factories import ShopFactory, SkuFactory
from zhanggui.core.middleware import SESSION_KEY
from zhanggui.core.models import AuditEntry
from zhanggui.core.services import record_audit
from zhanggui.inventory import services as stock
from zhanggui.inventory.models import MoveReason
from zhanggui.inventory.tests.factories import WarehouseFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/campaigns"
ALL_ROLES = ["manager", "operator", "service", "warehouse", "designer", "copywriter"]


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def client_for(user, language: str = "en") -> Client:
    client = Client()
    client.force_login(user)
    session = client.session
    session[SESSION_KEY] = language
    session.save()
    return client


def post(client: Client, body: dict):
    return client.post(f"{URL}/check", data=body, content_type="application/json")


@pytest.fixture
def sku(system):
    """¥100.00 for the last 40 days, 12 units sold in the last 30 days, 300 in stock."""
    shop = ShopFactory(code="tmall-a")
    sku = SkuFactory(product__shop=shop, code="MY-01", price=Decimal("100.00"))
    Sku.objects.filter(pk=sku.pk).update(created_at=timezone.now() - timedelta(days=40))
    warehouse = WarehouseFactory()
    stock.book_move(actor=system, sku=sku, warehouse=warehouse, quantity=312, reason=MoveReason.PURCHASE_RECEIPT)
    stock.book_move(actor=system, sku=sku, warehouse=warehouse, quantity=-12, reason=MoveReason.SALE_ISSUE)
    return sku


@pytest.mark.parametrize("role", ALL_ROLES)
def test_every_role_reads_the_presets(users, role):
    response = client_for(users[role]).get(f"{URL}/presets")
    assert response.status_code == 200, response.content
    presets = response.json()["presets"]
    assert [p["id"] for p in presets] == [
        "tiantiantejia",
        "taojinbi",
        "chaoyouhui",
        "aigou",
        "duchangtuan",
        "fuyoushiyong",
    ]
    assert presets[0]["name"] == "天天特价"
    assert presets[0]["rules"] == [
        {"kind": "min_sales", "days": 30, "units": 10},
        {"kind": "offer_quantity", "max": 300, "min": 50},
    ]


@pytest.mark.parametrize("role", ALL_ROLES)
def test_every_role_checks_and_nothing_is_written(users, sku, role):
    audit_rows = AuditEntry.objects.count()
    response = post(
        client_for(users[role]),
        {"campaign": "tiantiantejia", "skus": [{"sku_id": sku.pk, "price": "59.00", "quantity": 100}]},
    )
    assert response.status_code == 200, response.content
    assert response.json()["results"][0]["eligible"] is True
    assert AuditEntry.objects.count() == audit_rows


def test_anonymous_is_refused():
    response = Client().post(f"{URL}/check", data={}, content_type="application/json")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_preset_check_names_the_failing_and_unknown_rules(users, sku):
    """超优汇: sales 12 ≥ 10 pass; reviews unknown for the first line, 3 < 5 for the second; 100 × ¥99.00 =
    ¥9,900.00 < ¥10,000.00 fails; free shipping stated."""
    body = {
        "campaign": "chaoyouhui",
        "skus": [
            {"sku_id": sku.pk, "price": "99.00", "quantity": 100, "free_shipping": True},
            {
                "shop": "tmall-a",
                "code": "MY-01",
                "price": "100.00",
                "quantity": 100,
                "free_shipping": True,
                "reviews": 3,
            },
        ],
    }
    response = post(client_for(users["service"]), body)
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["campaign"]["id"] == "chaoyouhui"
    first, second = data["results"]
    assert first == {
        "campaign": "chaoyouhui",
        "sku_id": sku.pk,
        "shop": "tmall-a",
        "code": "MY-01",
        "offer": {"price": "99.00", "quantity": 100, "free_shipping": True},
        "eligible": False,
        "failed": ["min_offer_value"],
        "unknown": ["min_reviews"],
        "rules": [
            {
                "rule": "min_sales",
                "label": "Minimum sales",
                "status": "pass",
                "required": "≥ 10",
                "actual": "12",
                "message": "Sales in the last 30 days: 12 units; required ≥ 10 units",
            },
            {
                "rule": "min_reviews",
                "label": "Minimum reviews",
                "status": "unknown",
                "required": "≥ 5",
                "actual": None,
                "message": "Reviews: unknown (the desk has no review data; give the count); required ≥ 5",
            },
            {
                "rule": "min_offer_value",
                "label": "Minimum offer value",
                "status": "fail",
                "required": "≥ 10000.00",
                "actual": "9900.00",
                "message": "Offer value (quantity × campaign price): ¥9,900.00; required ≥ ¥10,000.00",
            },
            {
                "rule": "free_shipping",
                "label": "Free shipping",
                "status": "pass",
                "required": "true",
                "actual": "true",
                "message": "Free shipping: yes; required",
            },
        ],
    }
    assert (second["sku_id"], second["failed"], second["unknown"]) == (sku.pk, ["min_reviews"], [])
    assert second["rules"][1]["message"] == "Reviews: 3; required ≥ 5"
    assert second["rules"][2]["status"] == "pass"  # 100 × ¥100.00 = ¥10,000.00


def test_messages_follow_the_users_language(users, sku):
    response = post(
        client_for(users["operator"], "zh-hans"),
        {"campaign": "tiantiantejia", "skus": [{"sku_id": sku.pk, "price": "59.00", "quantity": 400}]},
    )
    rules = response.json()["results"][0]["rules"]
    assert [(r["label"], r["message"]) for r in rules] == [
        ("最低销量", "近30天销量 12 件，要求 ≥ 10 件"),
        ("报名数量", "报名数量 400 件，要求 50 ≤ 数量 ≤ 300 件"),
    ]


def test_inline_campaign_with_the_price_history(users, sku):
    """¥100.00 until 10 days ago, then ¥80.00: the 30-day average is (100 × 20 + 80 × 10) / 30 = ¥93.33."""
    entry = record_audit(
        actor=None, action="sku.price", obj=sku, before={"price": Decimal("100.00")}, after={"price": "80.00"}
    )
    at = timezone.now()
    AuditEntry.objects.filter(pk=entry.pk).update(at=at - timedelta(days=10))
    Sku.objects.filter(pk=sku.pk).update(price=Decimal("80.00"))
    body = {
        "campaign": {
            "id": "mine",
            "name": "我的活动",
            "rules": [
                {"kind": "price_not_above_recent_average", "days": 30},
                {"kind": "min_available", "units": 301},
            ],
        },
        "at": at.isoformat(),
        "skus": [{"sku_id": sku.pk, "price": "93.34", "quantity": 10}],
    }
    response = post(client_for(users["operator"]), body)
    assert response.status_code == 200, response.content
    rules = response.json()["results"][0]["rules"]
    assert [(r["rule"], r["status"], r["required"], r["actual"]) for r in rules] == [
        ("price_not_above_recent_average", "fail", "≤ 93.33", "93.34"),
        ("min_available", "fail", "≥ 301", "300"),
    ]


@pytest.mark.parametrize(
    ("body", "status", "code", "message"),
    [
        ({"skus": []}, 422, "invalid_campaign_spec", "campaign: required (a spec or a preset id)"),
        ({"campaign": "nope", "skus": []}, 404, "not_found", "No campaign preset nope."),
        ({"campaign": "tiantiantejia", "skus": []}, 422, "invalid_campaign_spec", "skus: a non-empty list"),
        (
            {"campaign": {"id": "x", "rules": [{"kind": "min_sales", "days": 30}]}, "skus": [{}]},
            422,
            "invalid_campaign_spec",
            "campaign.rules[0]: a min_sales rule needs units",
        ),
        (
            {"campaign": "tiantiantejia", "skus": [{"sku_id": 1, "price": 9.9, "quantity": 1}]},
            422,
            "invalid_campaign_spec",
            'skus[0].price: write amounts as strings such as "10000.00", not 9.9',
        ),
        (
            {"campaign": "tiantiantejia", "skus": [{"price": "9.90", "quantity": 1}]},
            422,
            "invalid_campaign_spec",
            "skus[0]: give sku_id, or shop and code",
        ),
        (
            {
                "campaign": "tiantiantejia",
                "skus": [{"shop": "tmall-a", "code": "NOPE", "price": "9.90", "quantity": 1}],
            },
            404,
            "not_found",
            "skus[0]: no SKU tmall-a/NOPE.",
        ),
        (
            {"campaign": "tiantiantejia", "at": "2026-06-30", "skus": [{"sku_id": 1, "price": "1", "quantity": 1}]},
            422,
            "invalid_campaign_spec",
            "at: a date-time with time zone (ISO 8601)",
        ),
    ],
    ids=["no-campaign", "unknown-preset", "no-skus", "bad-rule", "float-price", "no-sku-key", "unknown-sku", "bad-at"],
)
def test_errors_are_code_and_message(users, sku, body, status, code, message):
    response = post(client_for(users["manager"]), body)
    assert response.status_code == status, response.content
    data = response.json()
    assert (data["code"], data["message"]) == (code, message)


def test_check_queries_do_not_grow_with_the_lines(users, system, django_assert_num_queries):
    warehouse = WarehouseFactory()
    skus = []
    for _ in range(10):
        sku = SkuFactory()
        stock.book_move(actor=system, sku=sku, warehouse=warehouse, quantity=60, reason=MoveReason.PURCHASE_RECEIPT)
        skus.append(sku)
    client = client_for(users["designer"])

    def body(some: list[Sku]) -> dict:
        return {
            "campaign": "taojinbi",
            "skus": [{"sku_id": s.pk, "price": "9.90", "quantity": 50} for s in some[:-1]]
            + [{"shop": some[-1].shop.code, "code": some[-1].code, "price": "9.90", "quantity": 50}],
        }

    # session and user (2), the SKUs (1), price changes, sales and stock (3)
    with django_assert_num_queries(6):
        assert post(client, body(skus[:2])).status_code == 200
    with django_assert_num_queries(6):
        response = post(client, body(skus))
    assert response.status_code == 200
    assert len(response.json()["results"]) == 10


def test_user_without_role_may_check(db, sku):
    # reading is every logged-in person's right: the check changes nothing
    response = post(
        client_for(User.objects.create_user("newbie")),
        {"campaign": "fuyoushiyong", "skus": [{"sku_id": sku.pk, "price": "0.00", "quantity": 800}]},
    )
    assert response.status_code == 200
    result = response.json()["results"][0]
    assert (result["eligible"], result["failed"]) == (False, ["min_available"])
