"""Where the what-if page takes its carts from: the shop's sample carts (the same for the same seed, from the
SKUs on sale, best sellers more often, half with a running coupon), carts built on the page from the catalog,
and the JSON list kept for the advanced; what was built comes back with its errors."""

from __future__ import annotations

import json
from collections import Counter
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from zhanggui.catalog.models import ListingStatus
from zhanggui.catalog.tests.factories import CategoryFactory, ShopFactory, SkuFactory
from zhanggui.core.tests.pages import login
from zhanggui.inventory import services as stock
from zhanggui.inventory.models import MoveReason
from zhanggui.inventory.tests.factories import WarehouseFactory
from zhanggui.promotions.offers import services as offers
from zhanggui.promotions.pricing.forms import built_carts
from zhanggui.promotions.pricing.selectors import sample_carts
from zhanggui.promotions.spec import parse_cart

pytestmark = pytest.mark.django_db
LISTED = {"listing_status": ListingStatus.LISTED, "product__listing_status": ListingStatus.LISTED}
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def window() -> dict[str, str]:
    now = timezone.now().replace(microsecond=0)
    return {"starts_at": (now - timedelta(hours=1)).isoformat(), "ends_at": (now + timedelta(days=1)).isoformat()}


def mj(code: str = "mj300") -> dict:
    return {"id": code, "kind": "spend_save", "name": "满300减30", "tiers": [["300", "30"]], **window()}


@pytest.fixture
def shop(system):
    """tm: towels T1 (¥100, sold 40 in 30 days) and T2 (¥60, sold nothing), sheet S1 (¥200); D1 is a draft."""
    shop = ShopFactory(code="tm", name="天猫店")
    towels, sheets = CategoryFactory(name="毛巾"), CategoryFactory(name="床单")
    warehouse = WarehouseFactory()
    for code, price, category, sold in (
        ("T1", "100.00", towels, 40),
        ("T2", "60.00", towels, 0),
        ("S1", "200.00", sheets, 0),
    ):
        sku = SkuFactory(
            product__shop=shop,
            product__category=category,
            code=code,
            price=Decimal(price),
            cost=Decimal("30.00"),
            **LISTED,
        )
        stock.book_move(actor=system, sku=sku, warehouse=warehouse, quantity=100, reason=MoveReason.PURCHASE_RECEIPT)
        if sold:
            stock.book_move(actor=system, sku=sku, warehouse=warehouse, quantity=-sold, reason=MoveReason.SALE_ISSUE)
    SkuFactory(product__shop=shop, code="D1", price=Decimal("10.00"))
    return shop


# --------------------------------------------------------------------------------------------------------
# Sample carts
# --------------------------------------------------------------------------------------------------------


def test_sample_carts_are_the_same_for_the_same_seed_and_others_for_another(shop):
    first = sample_carts(shop=shop, count=50, seed=7)
    assert first == sample_carts(shop=shop, count=50, seed=7)
    assert first != sample_carts(shop=shop, count=50, seed=8)
    assert len(first) == 50 and len(sample_carts(shop=shop, count=3, seed=7)) == 3


def test_sample_carts_take_the_skus_on_sale_at_their_price_best_sellers_more_often(shop):
    carts = sample_carts(shop=shop, count=300, seed=1)
    for cart in carts:
        parse_cart(cart)  # each is a cart the engine reads
        codes = [line["sku"] for line in cart["lines"]]
        assert 1 <= len(codes) <= 3 and len(set(codes)) == len(codes)  # three SKUs on sale, each once
        assert all(1 <= line["quantity"] <= 3 for line in cart["lines"])
    lines = [line for cart in carts for line in cart["lines"]]
    assert {line["sku"] for line in lines} == {"T1", "T2", "S1"}  # never the draft D1
    t1 = next(line for line in lines if line["sku"] == "T1")
    assert (t1["unit_price"], t1["category"], t1["role"]) == ("100.00", "毛巾", "profit")
    seen = Counter(line["sku"] for line in lines)
    assert seen["T1"] > 2 * seen["T2"]  # 41 : 1 in weight; T2 still comes up
    assert seen["T2"] > 0
    assert not any("coupons" in cart for cart in carts)  # no coupon running: none brought


def test_half_of_the_sample_carts_bring_a_running_coupon(shop):
    carts = sample_carts(shop=shop, count=400, seed=3, coupons=["Q20", "Q50"])
    brought = [cart["coupons"] for cart in carts if "coupons" in cart]
    assert 150 < len(brought) < 250
    assert {code for codes in brought for code in codes} == {"Q20", "Q50"}


def test_no_sample_carts_without_skus_on_sale(db):
    assert sample_carts(shop=ShopFactory(code="empty"), count=10) == []


# --------------------------------------------------------------------------------------------------------
# Carts built on the page
# --------------------------------------------------------------------------------------------------------


def post_built(data: dict) -> object:
    from django.http import QueryDict

    query = QueryDict(mutable=True)
    for key, value in data.items():
        query.setlist(key, value if isinstance(value, list) else [value])
    return query


def test_built_carts_read_in_the_page_order_with_errors_per_line(shop):
    t1, s1 = (shop.skus.get(code=c) for c in ("T1", "S1"))
    carts = built_carts(
        post_built(
            {
                "bc": ["k2", "k1", "bad key!"],
                "bc-k1-sku": [str(t1.pk), "999999"],
                "bc-k1-qty": ["2", "1"],
                "bc-k2-sku": [str(s1.pk)],
                "bc-k2-qty": ["x"],
                "bc-k2-coupon": "Q50",
            }
        )
    )
    assert [c.key for c in carts] == ["k2", "k1"]
    assert (carts[0].coupon, carts[0].lines[0].sku, carts[0].lines[0].error) == (
        "Q50",
        s1,
        "Quantity: a whole number from 1 to 99999.",
    )
    assert carts[1].lines[0].error == "" and carts[1].lines[0].sku == t1
    assert carts[1].lines[1].error == "This SKU is not in the catalog any more: remove the line."


# --------------------------------------------------------------------------------------------------------
# The page
# --------------------------------------------------------------------------------------------------------


def test_what_if_page_offers_the_sample_carts_and_keeps_the_json_for_the_advanced(client, users, shop):
    promotion = offers.create_promotion(actor=users["operator"], shop=shop, raw_spec=mj())
    login(client, users["service"])
    html = client.get(reverse("promotions:promotion-what-if", args=[promotion.pk])).content.decode()
    assert 'value="sample" id="source-sample" checked' in html
    assert '<details id="carts-json">' in html  # collapsed
    assert 'name="count"' in html and 'value="200"' in html
    assert 'value="orders" id="source-orders"' in html  # the orders app's source (orders/tests/test_carts.py)


def test_what_if_over_the_shops_sample_carts(client, users, shop):
    promotion = offers.create_promotion(actor=users["operator"], shop=shop, raw_spec=mj())
    login(client, users["service"])
    url = reverse("promotions:promotion-what-if", args=[promotion.pk])
    data = {"shop": shop.pk, "spec": json.dumps(promotion.spec), "source": "sample", "count": "40", "seed": "5"}
    response = client.post(url, data)
    assert response.status_code == 200
    report = response.context["report"]
    assert report["carts"] == 40 and report["stacking"] == "platform"
    assert response.context["used"] == "40 sample carts from the SKUs on sale of 天猫店 (seed 5)"
    again = client.post(url, data).context["report"]
    assert again == report  # the same seed, the same figures
    assert 'id="coupon-lost-share"' in response.content.decode()


def test_sample_carts_of_a_shop_with_nothing_on_sale_is_an_error_on_the_page(client, users):
    login(client, users["operator"])
    empty = ShopFactory(code="empty")
    response = client.post(
        reverse("promotions:what-if"), {"shop": empty.pk, "spec": json.dumps(mj()), "source": "sample"}
    )
    assert response.status_code == 422
    assert (
        response.context["error"] == "There are no SKUs on sale to make sample carts from: choose a shop that has some."
    )


def test_what_if_over_carts_built_on_the_page(client, users, shop):
    t1, s1 = (shop.skus.get(code=c) for c in ("T1", "S1"))
    login(client, users["operator"])
    response = client.post(
        reverse("promotions:what-if"),
        {
            "shop": shop.pk,
            "spec": json.dumps(mj()),
            "source": "built",
            "bc": ["a1", "b2", "c3"],
            "bc-a1-sku": [str(t1.pk), str(s1.pk)],  # 100 + 200 = 300: 满300减30
            "bc-a1-qty": ["1", "1"],
            "bc-b2-sku": [str(t1.pk)],  # 200: 100 short
            "bc-b2-qty": ["2"],
            # c3: an empty cart is left out
        },
    )
    assert response.status_code == 200
    report = response.context["report"]
    assert (report["carts"], report["carts_touched"]) == (2, 1)
    assert (report["revenue_before"], report["revenue_after"]) == ("500.00", "470.00")
    assert report["near_miss_share"] == "50.0%"
    assert response.context["used"] == "2 carts built on the page"
    html = response.content.decode()
    assert f'name="bc-a1-sku" value="{s1.pk}"' in html  # the built carts stay on the page for the next run


def test_a_built_cart_that_cannot_be_read_comes_back_as_typed(client, users, shop):
    t1 = shop.skus.get(code="T1")
    login(client, users["operator"])
    response = client.post(
        reverse("promotions:what-if"),
        {
            "spec": json.dumps(mj()),
            "source": "built",
            "bc": ["a1"],
            "bc-a1-sku": [str(t1.pk)],
            "bc-a1-qty": ["zwei"],
            "bc-a1-coupon": "Q50",
        },
    )
    assert response.status_code == 422 and response.context["report"] is None
    html = response.content.decode()
    assert "Some lines of the carts cannot be priced: see the marked lines." in html
    assert 'name="bc-a1-qty" value="zwei"' in html and 'value="Q50"' in html
    assert "Quantity: a whole number from 1 to 99999." in html
    assert 'value="built" id="source-built" checked' in html
    response = client.post(reverse("promotions:what-if"), {"spec": json.dumps(mj()), "source": "built", "bc": ["a1"]})
    assert response.status_code == 422 and "Pick at least one SKU into a cart." in response.content.decode()


def test_the_json_list_still_works_from_the_page(client, users, shop):
    login(client, users["operator"])
    carts = [{"lines": [{"sku": "T1", "quantity": 3, "unit_price": "100.00"}]}]
    response = client.post(
        reverse("promotions:what-if"), {"spec": json.dumps(mj()), "source": "json", "carts": json.dumps(carts)}
    )
    assert response.context["report"]["revenue_after"] == "270.00"
    assert '<details id="carts-json" open>' in response.content.decode()


def test_the_cart_builder_searches_the_shops_catalog_and_adds_lines_and_carts(client, users, shop):
    other = ShopFactory(code="jd")
    SkuFactory(product__shop=other, code="T9", product__title="毛巾 京东")
    login(client, users["designer"])
    url = reverse("promotions:what-if")
    found = client.get(url, {"part": "search", "cart": "a1", "q": "t", "shop": shop.pk}, **HTMX)
    assert [s.code for s in found.context["found"]] == ["T1", "T2", "S1", "D1"]  # the shop's, drafts too, by product
    assert "?part=line&amp;cart=a1&amp;sku=" in found.content.decode()
    everywhere = client.get(url, {"part": "search", "cart": "a1", "q": "T9"}, **HTMX)
    assert [s.code for s in everywhere.context["found"]] == ["T9"]
    t1 = shop.skus.get(code="T1")
    line = client.get(url, {"part": "line", "cart": "a1", "sku": t1.pk}, **HTMX).content.decode()
    assert f'name="bc-a1-sku" value="{t1.pk}"' in line and 'name="bc-a1-qty" value="1"' in line
    cart = client.get(url, {"part": "cart"}, **HTMX)
    key = cart.context["cart"].key
    assert f'name="bc" value="{key}"' in cart.content.decode()
    assert client.get(url, {"part": "line", "cart": "a1", "sku": 999999}, **HTMX).status_code == 404
    assert client.get(url, {"part": "search", "cart": "<x>", "q": "T"}, **HTMX).status_code == 400


def test_the_standalone_page_picks_a_stored_promotion_instead_of_json(client, users, shop):
    promotion = offers.create_promotion(actor=users["operator"], shop=shop, raw_spec=mj("mj-pick"))
    login(client, users["operator"])
    page = client.get(reverse("promotions:what-if"))
    assert page.status_code == 200 and [p.pk for p in page.context["promotions"]] == [promotion.pk]
    assert f'<option value="{promotion.pk}">' in page.content.decode()

    picked = client.get(reverse("promotions:what-if"), {"promotion": promotion.pk})
    assert picked.status_code == 302
    assert picked["Location"] == reverse("promotions:promotion-what-if", args=[promotion.pk])
    opened = client.get(picked["Location"])
    assert opened.context["promotion"] == promotion and opened.context["promotions"] == []
    assert json.loads(opened.context["form"]["spec"].value())["id"] == "mj-pick"

    for bad in ("abc", str(promotion.pk + 100)):  # not a number, or no such promotion: the page as it was
        assert client.get(reverse("promotions:what-if"), {"promotion": bad}).status_code == 200
