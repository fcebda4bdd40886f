"""Stored campaigns over HTTP: list, create from a spec or a preset, read, update, archive and restore, and the
check of the shop's SKUs against the stored rules; errors as {code, message}; who may write."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone, translation

from zhanggui.catalog.models import Sku
from zhanggui.catalog.tests.factories import ShopFactory, SkuFactory
from zhanggui.core.middleware import SESSION_KEY
from zhanggui.core.models import AuditEntry
from zhanggui.inventory import services as stock
from zhanggui.inventory.models import MoveReason
from zhanggui.inventory.tests.factories import WarehouseFactory
from zhanggui.promotions.campaigns import services as campaigns
from zhanggui.promotions.models import OfficialCampaign
from zhanggui.promotions.tests.test_campaigns import MINE, WITHOUT_THE_RIGHT

pytestmark = pytest.mark.django_db

URL = "/api/v1/campaigns/stored"
ALL_ROLES = ["manager", "operator", "service", "warehouse", "designer", "copywriter"]


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    session = client.session
    session[SESSION_KEY] = "en"
    session.save()
    return client


def post(client: Client, path: str, body: dict | None = None):
    return client.post(f"{URL}{path}", data=body or {}, content_type="application/json")


@pytest.fixture
def shop():
    return ShopFactory(code="tmall-a")


@pytest.fixture
def sku(shop, system):
    """¥100.00 for the last 40 days, 12 units sold in the last 30 days."""
    sku = SkuFactory(product__shop=shop, code="MY-01", price=Decimal("100.00"))
    Sku.objects.filter(pk=sku.pk).update(created_at=timezone.now() - timedelta(days=40))
    warehouse = WarehouseFactory()
    stock.book_move(actor=system, sku=sku, warehouse=warehouse, quantity=312, reason=MoveReason.PURCHASE_RECEIPT)
    stock.book_move(actor=system, sku=sku, warehouse=warehouse, quantity=-12, reason=MoveReason.SALE_ISSUE)
    return sku


def test_operator_creates_from_a_spec_reads_it_back_with_its_history(users, shop):
    client = client_for(users["operator"])
    response = post(
        client,
        "",
        {
            "shop": "tmall-a",
            "spec": MINE,
            "apply_by": "2026-06-10T18:00:00",  # no offset: the desk's time zone (Beijing)
            "starts_at": "2026-06-18T00:00:00+08:00",
            "ends_at": "2026-06-21T00:00:00+08:00",
            "note": "先报天猫",
        },
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["shop"] == "tmall-a" and data["code"] == "cyh-0618" and data["name"] == "超优汇 6月场"
    assert data["spec"] == MINE and data["preset"] == "" and data["is_archived"] is False
    assert data["apply_by"] == "2026-06-10T10:00:00Z"
    assert data["created_by"] == "operator"
    assert [h["action"] for h in data["history"]] == ["campaign.create"]

    fetched = client_for(users["service"]).get(f"{URL}/{data['id']}")
    assert fetched.status_code == 200 and fetched.json()["code"] == "cyh-0618"


def test_create_from_a_preset_copies_its_rules_and_says_what_it_does_not_check(users, shop):
    response = post(client_for(users["manager"]), "", {"shop": "tmall-a", "preset": "taojinbi", "code": "tjb-07"})
    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["code"], data["name"], data["preset"]) == ("tjb-07", "淘金币", "taojinbi")
    assert [r["kind"] for r in data["spec"]["rules"]] == [
        "min_sales",
        "min_reviews",
        "offer_quantity",
        "price_not_above_recent_average",
    ]
    assert "three diamonds" in data["preset_note"]


def test_errors_name_the_field_and_nothing_is_saved(users, shop):
    client = client_for(users["operator"])
    bad = {**MINE, "rules": [{"kind": "min_offer_value", "amount": 10000.5}]}
    response = post(client, "", {"shop": "tmall-a", "spec": bad})
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_campaign_spec"
    assert response.json()["message"].startswith("campaign.rules[0].amount:")

    response = post(client, "", {"shop": "tmall-a", "preset": "nope"})
    assert response.status_code == 422 and response.json()["code"] == "invalid_campaign"

    response = post(client, "", {"shop": "no-shop", "spec": MINE})
    assert response.status_code == 404 and response.json()["code"] == "not_found"

    response = post(client, "", {"shop": "tmall-a", "spec": MINE, "colour": "red"})
    assert response.status_code == 422 and response.json()["code"] == "invalid_input"
    assert not OfficialCampaign.objects.exists()

    assert post(client, "", {"shop": "tmall-a", "spec": MINE}).status_code == 201
    response = post(client, "", {"shop": "tmall-a", "spec": MINE})
    assert response.status_code == 409 and response.json()["code"] == "campaign_code_taken"
    assert OfficialCampaign.objects.count() == 1


@pytest.mark.parametrize("role", WITHOUT_THE_RIGHT)
def test_roles_without_the_right_read_but_cannot_write(users, shop, role):
    campaign = campaigns.create_campaign(actor=users["operator"], shop=shop, raw_spec=MINE)
    audit = AuditEntry.objects.count()
    client = client_for(users[role])
    assert client.get(URL).status_code == 200
    responses = [
        post(client, "", {"shop": "tmall-a", "preset": "taojinbi"}),
        client.put(f"{URL}/{campaign.pk}", data={"spec": {**MINE, "name": "改"}}, content_type="application/json"),
        post(client, f"/{campaign.pk}/archive"),
    ]
    assert [(r.status_code, r.json()["code"]) for r in responses] == [(403, "permission_denied")] * 3
    campaign.refresh_from_db()
    assert (campaign.name, campaign.is_archived) == ("超优汇 6月场", False)
    assert OfficialCampaign.objects.count() == 1 and AuditEntry.objects.count() == audit


def test_anonymous_is_refused():
    assert Client().get(URL).status_code == 401


def test_update_archive_restore_and_the_list(users, shop):
    client = client_for(users["operator"])
    campaign = campaigns.create_campaign(actor=users["operator"], shop=shop, raw_spec=MINE)
    other = campaigns.create_campaign(
        actor=users["operator"], shop=ShopFactory(code="jd-b"), preset="tiantiantejia", apply_by=timezone.now()
    )
    response = client.put(
        f"{URL}/{campaign.pk}",
        data={"spec": {**MINE, "name": "超优汇 改"}, "starts_at": "2026-06-18T00:00:00+08:00"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["name"] == "超优汇 改" and response.json()["starts_at"] == "2026-06-17T16:00:00Z"
    assert [h["action"] for h in response.json()["history"]] == ["campaign.create", "campaign.update"]

    response = post(client, f"/{campaign.pk}/archive", {"note": "不参加了"})
    assert response.status_code == 200 and response.json()["is_archived"] is True
    response = client.put(f"{URL}/{campaign.pk}", data={"spec": MINE}, content_type="application/json")
    assert response.status_code == 409 and response.json()["code"] == "campaign_archived"

    assert [c["code"] for c in client.get(URL).json()] == ["tiantiantejia"]
    assert [c["code"] for c in client.get(URL, {"shop": "tmall-a"}).json()] == []
    assert [c["code"] for c in client.get(URL, {"shop": "tmall-a", "archived": "true"}).json()] == ["cyh-0618"]
    assert client.get(URL, {"shop": "jd-b"}).json()[0]["id"] == other.pk

    response = post(client, f"/{campaign.pk}/restore")
    assert response.status_code == 200 and response.json()["is_archived"] is False
    assert client.get(f"{URL}/999999").status_code == 404


def test_check_uses_the_stored_rules_and_names_the_failing_one(users, shop, sku):
    """12 sold ≥ 10; reviews 8 ≥ 5; 100 × ¥99.00 = ¥9,900.00 < ¥10,000.00: min_offer_value fails.
    The same SKU by code with ¥100.00: ¥10,000.00 passes, reviews not given: unknown."""
    campaign = campaigns.create_campaign(actor=users["operator"], shop=shop, raw_spec=MINE)
    body = {
        "at": (timezone.now() + timedelta(seconds=1)).isoformat(),
        "skus": [
            {"sku_id": sku.pk, "price": "99.00", "quantity": 100, "reviews": 8},
            {"code": "MY-01", "price": "100.00", "quantity": 100},
        ],
    }
    response = post(client_for(users["warehouse"]), f"/{campaign.pk}/check", body)
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["campaign_id"] == campaign.pk and data["shop"] == "tmall-a" and data["campaign"]["id"] == "cyh-0618"
    first, second = data["results"]
    assert (first["eligible"], first["failed"], first["unknown"]) == (False, ["min_offer_value"], [])
    assert first["rules"][2] == {
        "rule": "min_offer_value",
        "label": "Minimum offer value",
        "status": "fail",
        "required": "≥ 10000.00",
        "actual": "9900.00",
        "message": "Offer value (quantity × campaign price): ¥9,900.00; required ≥ ¥10,000.00",
    }
    assert first["rules"][0]["actual"] == "12"
    assert (second["eligible"], second["failed"], second["unknown"]) == (False, [], ["min_reviews"])
    assert not AuditEntry.objects.filter(action__startswith="campaign.").exclude(action="campaign.create").exists()


def test_check_refuses_other_shops_skus_unknown_skus_and_a_campaign_in_the_body(users, shop, sku):
    campaign = campaigns.create_campaign(actor=users["operator"], shop=shop, raw_spec=MINE)
    stranger = SkuFactory(code="MY-01")  # the same code in another shop
    client = client_for(users["service"])
    line = {"price": "99.00", "quantity": 100}

    response = post(client, f"/{campaign.pk}/check", {"skus": [{"sku_id": stranger.pk, **line}]})
    assert (
        response.status_code == 404
        and response.json()["message"] == f"skus[0]: no SKU {stranger.pk} in the shop tmall-a."
    )
    response = post(client, f"/{campaign.pk}/check", {"skus": [{"shop": stranger.shop.code, "code": "MY-01", **line}]})
    assert response.status_code == 422 and response.json()["message"].startswith("skus[0].shop:")
    response = post(client, f"/{campaign.pk}/check", {"skus": [{"code": "NOPE", **line}]})
    assert response.status_code == 404 and response.json()["details"] == {"field": "skus[0]"}
    response = post(client, f"/{campaign.pk}/check", {"campaign": "chaoyouhui", "skus": [{"sku_id": sku.pk, **line}]})
    assert response.status_code == 422 and "campaign" in response.json()["message"]
    response = post(client, f"/{campaign.pk}/check", {"skus": [{"sku_id": sku.pk, "price": 99.5, "quantity": 1}]})
    assert response.status_code == 422 and response.json()["message"].startswith("skus[0].price:")
    response = post(client, f"/{campaign.pk}/check", {"skus": []})
    assert response.status_code == 422 and response.json()["code"] == "invalid_campaign_spec"


def test_the_existing_preset_and_check_paths_still_answer(users):
    client = client_for(users["service"])
    assert client.get("/api/v1/campaigns/presets").status_code == 200
    response = client.post("/api/v1/campaigns/check", data={}, content_type="application/json")
    assert response.status_code == 422 and response.json()["code"] == "invalid_campaign_spec"
