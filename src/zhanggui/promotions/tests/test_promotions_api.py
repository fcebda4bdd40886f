"""The stored-promotion API: who may create, submit, approve and cancel; errors as {code, message}; the
calendar; and POST /api/v1/pricing/quote with the stored running promotions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from zhanggui.catalog.tests.factories import ShopFactory, SkuFactory
from zhanggui.core.models import AuditEntry
from zhanggui.promotions.models import Promotion
from zhanggui.promotions.offers import services

pytestmark = pytest.mark.django_db

API = "/api/v1/promotions"
ALL_ROLES = ["manager", "operator", "service", "warehouse", "designer", "copywriter"]


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def send(client: Client, method: str, url: str, data: dict | None = None):
    return getattr(client, method)(url, data=data or {}, content_type="application/json")


@pytest.fixture
def shop(db):
    return ShopFactory(code="tm")


def body(code: str = "mj300", **change) -> dict:
    now = timezone.now().replace(microsecond=0)
    if change.get("kind", "spend_save") != "spend_save":
        change.setdefault("tiers", None)
    raw = {
        "id": code,
        "kind": "spend_save",
        "name": "满300减30",
        "tiers": [["300", "30"]],
        "starts_at": (now - timedelta(hours=1)).isoformat(),
        "ends_at": (now + timedelta(days=1)).isoformat(),
        **change,
    }
    return {k: v for k, v in raw.items() if v is not None}


@pytest.mark.parametrize("role", ALL_ROLES)
def test_create_needs_manage_promotions(users, shop, role):
    response = send(client_for(users[role]), "post", API, {"shop": "tm", "spec": body()})
    if role in ("manager", "operator"):
        assert response.status_code == 201
        data = response.json()
        assert (data["code"], data["shop"], data["state"], data["status"], data["created_by"]) == (
            "mj300",
            "tm",
            "draft",
            "draft",
            role,
        )
        assert data["needs_approval"] is False
        assert [h["action"] for h in data["history"]] == ["promotion.create"]
    else:
        assert response.status_code == 403
        assert response.json()["code"] == "permission_denied"
        assert not Promotion.objects.exists()
        assert not AuditEntry.objects.exists()


def test_a_bad_spec_answers_422_naming_the_field(operator, shop):
    response = send(client_for(operator), "post", API, {"shop": "tm", "spec": body(tiers=[["300", "3O"]])})
    assert response.status_code == 422
    assert response.json() == {
        "code": "invalid_promotion_spec",
        "message": "promotion mj300.tiers[0][1]: not an amount: '3O'",
    }
    assert not Promotion.objects.exists()


def test_unknown_shop_and_promotion_answer_404(operator, shop):
    client = client_for(operator)
    assert send(client, "post", API, {"shop": "nowhere", "spec": body()}).json()["code"] == "not_found"
    assert client.get(f"{API}/999").status_code == 404


def test_the_whole_flow_submit_approve_cancel_with_its_history(users, shop):
    operator, manager = client_for(users["operator"]), client_for(users["manager"])
    created = send(operator, "post", API, {"shop": "tm", "spec": body("deep", kind="discount", rate="6")}).json()
    assert created["needs_approval"] is True
    url = f"{API}/{created['id']}"

    submitted = send(operator, "post", f"{url}/submit").json()
    assert (submitted["state"], submitted["status"]) == ("submitted", "pending_approval")

    refused = send(operator, "post", f"{url}/approve")
    assert refused.status_code == 403
    assert refused.json()["code"] == "permission_denied"
    assert Promotion.objects.get().state == "submitted"

    approved = send(manager, "post", f"{url}/approve", {"note": "同意"}).json()
    assert (approved["state"], approved["status"], approved["approved_by"]) == ("approved", "running", "manager")

    started = send(operator, "put", url, {"spec": {**approved["spec"], "rate": "5"}})
    assert started.status_code == 409
    assert started.json()["code"] == "promotion_started"

    cancelled = send(operator, "post", f"{url}/cancel", {"note": "提前结束"}).json()
    assert cancelled["status"] == "cancelled"
    assert [(h["action"], h["actor"]) for h in cancelled["history"]] == [
        ("promotion.create", "operator"),
        ("promotion.submit", "operator"),
        ("promotion.approve", "manager"),
        ("promotion.cancel", "operator"),
    ]
    assert cancelled["history"][2]["note"] == "同意"


def test_the_creator_of_a_deep_discount_cannot_approve_it(manager, shop):
    client = client_for(manager)
    created = send(client, "post", API, {"shop": "tm", "spec": body("deep", kind="discount", rate="6")}).json()
    send(client, "post", f"{API}/{created['id']}/submit")
    response = send(client, "post", f"{API}/{created['id']}/approve")
    assert response.status_code == 403
    assert response.json()["code"] == "self_approval_refused"
    assert Promotion.objects.get().state == "submitted"


def test_a_draft_is_updated_through_put(operator, shop):
    client = client_for(operator)
    created = send(client, "post", API, {"shop": "tm", "spec": body()}).json()
    updated = send(client, "put", f"{API}/{created['id']}", {"spec": {**created["spec"], "name": "新名字"}})
    assert updated.status_code == 200
    assert updated.json()["name"] == "新名字"
    assert updated.json()["history"][-1]["before"] == {"name": "满300减30"}


def test_list_filters_and_calendar(operator, shop):
    services.create_promotion(actor=operator, shop=shop, raw_spec=body("now"))
    services.submit_promotion(actor=operator, promotion=Promotion.objects.get(code="now"))
    services.create_promotion(
        actor=operator,
        shop=None,
        raw_spec=body(
            "d11", kind="discount", rate="8", starts_at="2030-11-11T00:00:00+08:00", ends_at="2030-11-12T00:00:00+08:00"
        ),
    )
    # The same window as "now" (calendar order: start, then code), not two readings of the clock that a second
    # boundary may fall between.
    same = Promotion.objects.get(code="now").starts_at.isoformat()
    services.create_promotion(actor=operator, shop=ShopFactory(code="jd"), raw_spec=body("jd", starts_at=same))
    client = client_for(operator)

    def codes(url: str) -> list[str]:
        response = client.get(url)
        assert response.status_code == 200, response.json()
        return [p["code"] for p in response.json()]

    assert codes(API) == ["jd", "now", "d11"]
    assert codes(f"{API}?status=running") == ["now"]
    assert codes(f"{API}?status=draft") == ["jd", "d11"]
    assert codes(f"{API}?kind=discount") == ["d11"]
    assert codes(f"{API}?shop=tm") == ["now", "d11"]
    assert codes(f"{API}?from=2030-11-11&to=2030-11-11") == ["d11"]
    assert codes(f"{API}/calendar?from=2030-11-10&to=2030-11-10") == []
    assert codes(f"{API}/calendar?from=2030-11-10&to=2030-11-11") == ["d11"]
    assert codes(f"{API}/calendar?from=2030-11-12&to=2030-11-30") == []
    assert client.get(f"{API}?kind=nope").json()["code"] == "validation_failed"
    assert client.get(f"{API}/calendar?from=2030-11-12&to=2030-11-10").status_code == 422
    assert client.get(f"{API}/calendar").json()["code"] == "invalid_input"


def test_the_flash_sale_list_still_answers(operator):
    assert client_for(operator).get(f"{API}/flash-sales").status_code == 200


# ----- the quote endpoint -----------------------------------------------------------------------------------

CART = {"lines": [{"sku": "A", "quantity": 2, "unit_price": "200.00"}]}


def test_quote_without_promotions_uses_the_stored_running_ones_of_the_shop(users, shop):
    operator = users["operator"]
    services.submit_promotion(
        actor=operator, promotion=services.create_promotion(actor=operator, shop=shop, raw_spec=body())
    )
    client = client_for(users["service"])  # every role may ask for a quote
    with_shop = send(client, "post", "/api/v1/pricing/quote", {"cart": CART, "shop": "tm"}).json()
    assert with_shop["totals"]["payable"] == "370.00"
    assert with_shop["applied"] == [{"promotion": "mj300", "discount": "30.00"}]
    without_shop = send(client, "post", "/api/v1/pricing/quote", {"cart": CART}).json()
    assert without_shop["totals"]["payable"] == "400.00"
    explicit = send(client, "post", "/api/v1/pricing/quote", {"cart": CART, "shop": "tm", "promotions": []}).json()
    assert explicit["totals"]["payable"] == "400.00"
    unknown = send(client, "post", "/api/v1/pricing/quote", {"cart": CART, "shop": "nowhere"})
    assert (unknown.status_code, unknown.json()["code"]) == (404, "not_found")


@pytest.mark.parametrize(
    "change",
    [
        {"kind": "special_price", "price": "1.00", "scope": {"categories": ["被子被芯"]}},  # the probe of issue 8
        {"kind": "price_cut", "amount": "500"},  # no scope: every SKU of the shop, today's and later ones
        {"kind": "spend_save", "tiers": [["100", "90"]]},  # 满100减90 = 1折
    ],
)
def test_a_deep_discount_by_category_shop_or_threshold_waits_for_a_manager(users, shop, change):
    """Issue 8: a deep cut that names no SKU used to be approved by the operator who submitted it."""
    SkuFactory(code="QUILT", price="669.00", product__shop=shop, product__category__name="被子被芯")
    operator = client_for(users["operator"])
    created = send(operator, "post", API, {"shop": "tm", "spec": body("x", **change)}).json()
    assert created["needs_approval"] is True
    submitted = send(operator, "post", f"{API}/{created['id']}/submit").json()
    assert (submitted["state"], submitted["approved_by"]) == ("submitted", None)
    cart = {"lines": [{"sku": "QUILT", "unit_price": "669.00", "category": "被子被芯"}]}
    quote = send(operator, "post", "/api/v1/pricing/quote", {"cart": cart, "shop": "tm"}).json()
    assert (quote["totals"]["payable"], quote["applied"]) == ("669.00", [])  # not running: no ¥1 quilt
    refused = send(operator, "post", f"{API}/{created['id']}/approve")
    assert (refused.status_code, Promotion.objects.get().state) == (403, "submitted")
