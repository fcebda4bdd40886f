"""What-if: a draft promotion replayed over carts, figures checked by hand."""

from __future__ import annotations

import io
import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.test import Client

from zhanggui.catalog.tests.factories import ShopFactory, SkuFactory
from zhanggui.core.services import create_api_token
from zhanggui.promotions.pricing.whatif import what_if
from zhanggui.promotions.spec import parse_cart, parse_promotion, parse_promotions

DRAFT = {"id": "mj", "kind": "spend_save", "tiers": [["300.00", "30.00"]]}
CARTS = [
    {"lines": [{"sku": "A", "quantity": 2, "unit_price": "160.00"}]},  # 320 → 290: touched
    {
        "lines": [
            {"sku": "A", "quantity": 1, "unit_price": "160.00"},
            {"sku": "B", "quantity": 1, "unit_price": "120.00"},
        ]
    },
    {"lines": [{"sku": "B", "quantity": 1, "unit_price": "120.00"}]},  # 120: misses by 180
]


def test_what_if_counts_touched_carts_revenue_margin_and_near_misses():
    report = what_if(parse_promotion(DRAFT), [parse_cart(c) for c in CARTS], costs={"A": 10000, "B": 8000}).as_dict()
    # cart 1: 320 → 290; cart 2: 280 (misses by 20); cart 3: 120 (misses by 180)
    assert report["carts"] == 3 and report["carts_touched"] == 1
    assert report["revenue_before"] == "720.00" and report["revenue_after"] == "690.00"
    assert report["revenue_change"] == "-30.00" and report["draft_discount"] == "30.00"
    assert report["near_miss_carts"] == 2 and report["near_miss_share"] == "66.7%"
    assert report["near_miss_average_missing"] == "100.00"  # (20 + 180) / 2
    a = next(s for s in report["skus"] if s["sku"] == "A")
    # A: 3 units, revenue 480 → 450, cost 3 × 100 = 300: margin 180 (37.5%) → 150 (33.3%)
    assert a["units"] == 3 and a["cost"] == "300.00"
    assert a["before"] == {"revenue": "480.00", "margin": "180.00", "margin_rate": "37.5%"}
    assert a["after"] == {"revenue": "450.00", "margin": "150.00", "margin_rate": "33.3%"}


def test_what_if_on_top_of_running_promotions_measures_only_the_difference():
    running = parse_promotions([{"id": "d9", "kind": "discount", "rate": "9"}])
    # with 9折 running: cart 1 = 288 (< 300), so the draft 满300减30 changes nothing unless the engine drops
    # the 9折: 320 − 30 = 290 > 288, so the buyer keeps 288 — the draft touches no cart
    report = what_if(parse_promotion(DRAFT), [parse_cart(CARTS[0])], running).as_dict()
    assert report["carts_touched"] == 0 and report["revenue_change"] == "0.00"


def test_unknown_cost_gives_no_margin():
    report = what_if(parse_promotion(DRAFT), [parse_cart(CARTS[0])], costs={}).as_dict()
    assert report["skus"][0]["cost"] is None and report["skus"][0]["after"]["margin"] is None


@pytest.mark.django_db
def test_whatif_command_takes_costs_from_the_catalog(tmp_path):
    shop = ShopFactory(code="tm")
    SkuFactory(product__shop=shop, code="A", cost=Decimal("100.00"))
    (tmp_path / "draft.json").write_text(json.dumps(DRAFT), encoding="utf-8")
    (tmp_path / "carts.json").write_text(json.dumps(CARTS[:1]), encoding="utf-8")
    out = io.StringIO()
    call_command(
        "whatif",
        "--draft",
        str(tmp_path / "draft.json"),
        "--carts",
        str(tmp_path / "carts.json"),
        "--shop",
        "tm",
        stdout=out,
    )
    report = json.loads(out.getvalue())
    assert report["skus"][0]["after"]["margin"] == "90.00"  # 290 − 2 × 100


@pytest.mark.django_db
def test_what_if_endpoint(client, users):
    _t, key = create_api_token(user=users["operator"], name="t")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    ok = client.post(
        "/api/v1/pricing/what-if", {"draft": DRAFT, "carts": CARTS}, content_type="application/json", **headers
    )
    assert ok.status_code == 200 and ok.json()["carts_touched"] == 1
    bad = client.post(
        "/api/v1/pricing/what-if", {"draft": DRAFT, "carts": []}, content_type="application/json", **headers
    )
    assert bad.status_code == 422 and bad.json()["code"] == "validation_failed"


MJ30 = {"id": "mj", "kind": "spend_save", "tiers": [["300.00", "30.00"]]}
Q50 = {"id": "q50", "kind": "coupon", "amount": "50.00", "min_spend": "300.00", "codes": ["Q50"]}


def carts_319(n: int = 2):
    buys = [{"lines": [{"sku": "A", "unit_price": "319.00"}], "coupons": ["Q50"]}] * n
    return [*map(parse_cart, buys), parse_cart({"lines": [{"sku": "A", "unit_price": "99.00"}]})]


def test_what_if_tells_the_share_of_carts_whose_coupon_the_draft_makes_unusable():
    """Issue 15: on the platforms a 满300减30 takes ¥319 under a coupon's ¥300 minimum; the seller sees it first."""
    report = what_if(parse_promotion(MJ30), carts_319(), parse_promotions([Q50]), stacking="platform").as_dict()
    assert (report["stacking"], report["coupon_lost_carts"], report["coupon_lost_share"]) == ("platform", 2, "66.7%")
    assert (report["revenue_before"], report["revenue_after"]) == ("637.00", "677.00")  # 2 × 269 + 99 → 2 × 289 + 99
    best = what_if(parse_promotion(MJ30), carts_319(), parse_promotions([Q50]), stacking="best_for_buyer").as_dict()
    assert (best["coupon_lost_carts"], best["revenue_after"]) == (0, "637.00")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("channel", "stacking", "body", "payable", "policy"),
    [
        ("tmall", "", {}, "289.00", "platform"),
        ("web", "", {}, "269.00", "best_for_buyer"),
        ("tmall", "best_for_buyer", {}, "269.00", "best_for_buyer"),
        ("web", "", {"stacking": "platform"}, "289.00", "platform"),
    ],
)
def test_the_quote_endpoint_prices_with_the_shops_policy_unless_told(users, channel, stacking, body, payable, policy):
    ShopFactory(code="s1", channel=channel, stacking=stacking)
    _token, key = create_api_token(user=users["service"], name="t")
    cart = {"lines": [{"sku": "A", "unit_price": "319.00"}], "coupons": ["Q50"]}
    response = Client().post(
        "/api/v1/pricing/quote",
        {"cart": cart, "shop": "s1", "promotions": [MJ30, Q50], **body},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )
    assert (response.json()["totals"]["payable"], response.json()["stacking"]) == (payable, policy)


@pytest.mark.django_db
def test_a_bad_stacking_policy_is_a_422_naming_it(users):
    _token, key = create_api_token(user=users["service"], name="t")
    response = Client().post(
        "/api/v1/pricing/quote",
        {"cart": {"lines": [{"sku": "A", "unit_price": "1.00"}]}, "promotions": [], "stacking": "cheapest"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )
    assert response.status_code == 422
    assert response.json()["message"] == "stacking: one of platform, best_for_buyer, not 'cheapest'"


def test_the_quote_command_takes_stacking(tmp_path):
    spec, cart = tmp_path / "spec.json", tmp_path / "cart.json"
    spec.write_text(json.dumps([MJ30, Q50]), encoding="utf-8")
    cart.write_text(json.dumps({"lines": [{"sku": "A", "unit_price": "319.00"}], "coupons": ["Q50"]}), encoding="utf-8")
    results = {}
    for policy in ("platform", "best_for_buyer"):
        out = io.StringIO()
        call_command("quote", "--promotions", str(spec), "--cart", str(cart), "--stacking", policy, stdout=out)
        results[policy] = json.loads(out.getvalue())["totals"]["payable"]
    assert results == {"platform": "289.00", "best_for_buyer": "269.00"}
