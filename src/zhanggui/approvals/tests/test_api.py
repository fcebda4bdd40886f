"""/api/v1/approvals: the queue and the decisions, with the services' refusals as JSON errors."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client

from zhanggui.approvals.tests.conftest import deep
from zhanggui.catalog import selectors as catalog_selectors
from zhanggui.catalog import services as catalog_services
from zhanggui.core.services import create_api_token
from zhanggui.promotions.offers import services as promotion_services

pytestmark = pytest.mark.django_db
API = "/api/v1/approvals"


def client_for(user) -> Client:
    return Client(headers={"Authorization": f"Bearer {create_api_token(user=user, name='test')[1]}"})


def post(user, url: str, data: dict | None = None):
    """In English (?lang=en), so that messages can be compared."""
    return client_for(user).post(f"{url}?lang=en", data=data or {}, content_type="application/json")


def test_the_queue_lists_prices_and_promotions_oldest_first(users, shop, sku):
    catalog_services.set_price(actor=users["operator"], sku=sku, price="9.90")
    change = catalog_selectors.pending_price_change(sku)
    created = promotion_services.create_promotion(actor=users["operator"], shop=shop, raw_spec=deep())
    promotion = promotion_services.submit_promotion(actor=users["operator"], promotion=created)
    body = client_for(users["designer"]).get(f"{API}?lang=en").json()
    assert [(item["kind"], item["id"], item["asked_by"]) for item in body] == [
        ("price_change", change.pk, "operator"),
        ("promotion", promotion.pk, "operator"),
    ]
    assert body[0]["summary"] == "¥59.00 → ¥9.90 · below its cost of ¥25.37 · 83.3% off the current price"


def test_a_manager_approves_a_price_another_person_asked_for(users, sku):
    catalog_services.set_price(actor=users["operator"], sku=sku, price="9.90")
    change = catalog_selectors.pending_price_change(sku)
    response = post(users["manager"], f"{API}/price-changes/{change.pk}/approve", {"note": "OK"})
    assert response.status_code == 200, response.content
    assert response.json() == {
        "kind": "price_change",
        "id": change.pk,
        "state": "approved",
        "message": "Approved: TEE-M now sells at ¥9.90.",
    }
    sku.refresh_from_db()
    assert sku.price == Decimal("9.90")
    again = post(users["manager"], f"{API}/price-changes/{change.pk}/approve")
    assert (again.status_code, again.json()["code"]) == (409, "invalid_price_change_state")


def test_the_author_cannot_approve_and_a_rejection_needs_a_reason(users, sku):
    catalog_services.set_price(actor=users["manager"], sku=sku, price="9.90")
    change = catalog_selectors.pending_price_change(sku)
    own = post(users["manager"], f"{API}/price-changes/{change.pk}/approve")
    assert (own.status_code, own.json()["code"]) == (403, "self_approval_refused")
    bare = post(users["manager"], f"{API}/price-changes/{change.pk}/reject", {"note": ""})
    assert (bare.status_code, bare.json()["code"]) == (422, "validation_failed")
    denied = post(users["operator"], f"{API}/price-changes/{change.pk}/reject", {"note": "no"})
    assert (denied.status_code, denied.json()["code"]) == (403, "permission_denied")
    change.refresh_from_db()
    assert change.state == "pending"
    withdrawn = post(users["manager"], f"{API}/price-changes/{change.pk}/reject", {"note": "算了"})
    assert withdrawn.json()["state"] == "rejected"


def test_a_manager_rejects_a_promotion_with_a_reason(users, shop, sku):
    created = promotion_services.create_promotion(actor=users["operator"], shop=shop, raw_spec=deep())
    promotion = promotion_services.submit_promotion(actor=users["operator"], promotion=created)
    response = post(users["manager"], f"{API}/promotions/{promotion.pk}/reject", {"note": "最多7折"})
    assert response.status_code == 200, response.content
    assert (response.json()["state"], response.json()["message"]) == (
        "rejected",
        "Rejected: d6 goes back to operator with your reason.",
    )
    promotion.refresh_from_db()
    assert (promotion.state, promotion.rejection_note) == ("rejected", "最多7折")
    missing = post(users["manager"], f"{API}/promotions/999999/approve")
    assert (missing.status_code, missing.json()["code"]) == (404, "not_found")
