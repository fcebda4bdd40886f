"""The catalog API: product list and filters, detail with stock, writes through the services, money as strings."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client

from zhanggui.catalog.models import BannedWord, Category, Channel, DelistReason, ListingStatus, Product, Sku
from zhanggui.catalog.tests.factories import ProductFactory, ShopFactory, SkuFactory
from zhanggui.core.models import AuditEntry
from zhanggui.inventory import services as stock
from zhanggui.inventory.models import MoveReason
from zhanggui.inventory.tests.factories import WarehouseFactory

pytestmark = pytest.mark.django_db

API = "/api/v1/catalog"


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def post(client: Client, url: str, data: dict | None = None):
    return client.post(url, data=data or {}, content_type="application/json")


def patch(client: Client, url: str, data: dict):
    return client.patch(url, data=data, content_type="application/json")


def receive(actor, sku, warehouse, quantity):
    stock.book_move(actor=actor, sku=sku, warehouse=warehouse, quantity=quantity, reason=MoveReason.PURCHASE_RECEIPT)


@pytest.fixture
def shop():
    return ShopFactory(code="tm01", channel=Channel.TMALL)


# ----- list ----------------------------------------------------------------------------------------------


def test_product_list_shows_price_range_and_stock_with_money_as_strings(manager, shop):
    product = ProductFactory(shop=shop, code="P1", title="纯棉T恤")
    cheap = SkuFactory(product=product, price=Decimal("59.00"))
    SkuFactory(product=product, price=Decimal("79.90"))
    wh = WarehouseFactory()
    receive(manager, cheap, wh, 7)
    stock.reserve(actor=manager, reference="o1", lines={cheap.pk: 2})

    body = client_for(manager).get(f"{API}/products").json()

    assert (body["count"], body["page"], body["page_size"]) == (1, 1, 50)
    item = body["items"][0]
    assert item["code"] == "P1" and item["shop"] == "tm01"
    assert (item["sku_count"], item["price_min"], item["price_max"]) == (2, "59.00", "79.90")
    assert (item["on_hand"], item["available"]) == (7, 5)


def test_product_without_skus_lists_with_no_price_and_no_stock(manager, shop):
    ProductFactory(shop=shop)
    item = client_for(manager).get(f"{API}/products").json()["items"][0]
    assert (item["sku_count"], item["price_min"], item["price_max"], item["on_hand"]) == (0, None, None, 0)


def test_product_list_filters_by_search_shop_role_and_status(manager, shop):
    other_shop = ShopFactory(code="jd01", channel=Channel.JD)
    a = ProductFactory(shop=shop, code="A1", title="羊毛围巾", role="traffic")
    SkuFactory(product=a, code="SCARF-RED", barcode="6901234567890")
    ProductFactory(shop=shop, code="B1", title="帆布包", role="profit", listing_status=ListingStatus.LISTED)
    ProductFactory(shop=other_shop, code="C1", title="羊毛袜", role="traffic")
    client = client_for(manager)

    def codes(query: str) -> list[str]:
        response = client.get(f"{API}/products?{query}")
        assert response.status_code == 200, response.content
        return [item["code"] for item in response.json()["items"]]

    assert codes("q=羊毛") == ["C1", "A1"]  # by shop code, then product code
    assert codes("q=scarf-red") == ["A1"]
    assert codes("q=6901234567890") == ["A1"]
    assert codes("shop=jd01") == ["C1"]
    assert codes("role=traffic&shop=tm01") == ["A1"]
    assert codes("status=listed") == ["B1"]


def test_product_list_filters_by_stock(manager, shop):
    wh = WarehouseFactory()
    stocked = SkuFactory(product=ProductFactory(shop=shop, code="IN"), safety_stock=2)
    low = SkuFactory(product=ProductFactory(shop=shop, code="LOW"), safety_stock=5)
    SkuFactory(product=ProductFactory(shop=shop, code="OUT"))
    receive(manager, stocked, wh, 10)
    receive(manager, low, wh, 5)
    client = client_for(manager)

    def codes(stock_filter: str) -> list[str]:
        return [i["code"] for i in client.get(f"{API}/products?stock={stock_filter}").json()["items"]]

    assert codes("in_stock") == ["IN", "LOW"]
    assert codes("out") == ["OUT"]
    assert codes("low") == ["LOW"]


def test_product_list_pages(manager, shop):
    for n in range(5):
        ProductFactory(shop=shop, code=f"P{n}")
    body = client_for(manager).get(f"{API}/products?page=2&page_size=2").json()
    assert body["count"] == 5
    assert [i["code"] for i in body["items"]] == ["P2", "P3"]


def test_bad_filter_is_a_422_with_the_error_shape(manager):
    response = client_for(manager).get(f"{API}/products?stock=plenty")
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid_input" and body["message"]
    assert body["details"][0]["loc"][-1] == "stock"


def test_unknown_shop_filter_is_a_404(manager):
    response = client_for(manager).get(f"{API}/products?shop=nope")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_product_list_query_count_does_not_grow_with_products(manager, shop, django_assert_max_num_queries):
    wh = WarehouseFactory()
    client = client_for(manager)
    for n in range(3):
        receive(manager, SkuFactory(product=ProductFactory(shop=shop)), wh, n + 1)
    with django_assert_max_num_queries(6) as few:  # session, user, its profile, count, page
        assert client.get(f"{API}/products?stock=in_stock").status_code == 200
    for n in range(30):
        receive(manager, SkuFactory(product=ProductFactory(shop=shop)), wh, n + 1)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(f"{API}/products?stock=in_stock")
    assert response.json()["count"] == 33


# ----- detail --------------------------------------------------------------------------------------------


def test_product_detail_lists_skus_with_stock_over_all_warehouses(manager, shop):
    product = ProductFactory(shop=shop, code="P1")
    a, b = SkuFactory(product=product, code="A"), SkuFactory(product=product, code="B")
    receive(manager, a, WarehouseFactory(), 4)
    receive(manager, a, WarehouseFactory(), 6)
    stock.reserve(actor=manager, reference="o1", lines={a.pk: 3})

    body = client_for(manager).get(f"{API}/products/{product.pk}").json()

    assert body["code"] == "P1" and body["category"] == product.category.name
    rows = {s["code"]: (s["on_hand"], s["reserved"], s["available"], s["price"]) for s in body["skus"]}
    assert rows == {"A": (10, 3, 7, "99.00"), "B": (0, 0, 0, "99.00")}
    assert b.pk in {s["id"] for s in body["skus"]}


def test_missing_product_is_a_404_with_code_and_message(manager):
    response = client_for(manager).get(f"{API}/products/999999")
    assert response.status_code == 404
    body = response.json()
    assert body["code"] == "not_found"
    assert "999999" in body["message"]


def test_sku_detail_shows_balances_per_warehouse_and_recent_moves(manager):
    sku = SkuFactory()
    north, south = WarehouseFactory(code="north", priority=1), WarehouseFactory(code="south", priority=2)
    receive(manager, sku, north, 8)
    receive(manager, sku, south, 2)
    stock.adjust_stock(actor=manager, sku=sku, warehouse=north, quantity=-1, note="damaged")

    body = client_for(manager).get(f"{API}/skus/{sku.pk}?moves=2").json()

    assert (body["on_hand"], body["available"], body["price"], body["cost"]) == (9, 9, "99.00", "40.00")
    assert [(b["warehouse"], b["on_hand"]) for b in body["balances"]] == [("north", 7), ("south", 2)]
    assert [(m["quantity"], m["reason"], m["on_hand_after"]) for m in body["moves"]] == [
        (-1, "adjustment", 7),
        (2, "purchase_receipt", 2),
    ]
    assert body["moves"][0]["actor"] == "manager"


# ----- writes --------------------------------------------------------------------------------------------


def test_create_product_with_a_new_category(manager, shop):
    response = post(
        client_for(manager),
        f"{API}/products",
        {"shop": "tm01", "code": "NEW1", "title": "新款连衣裙", "category": "女装", "role": "campaign"},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["code"], body["category"], body["role"], body["listing_status"]) == (
        "NEW1",
        "女装",
        "campaign",
        "draft",
    )
    assert AuditEntry.objects.filter(action="product.create", object_id=str(body["id"])).exists()


def test_create_product_refused_for_service_leaves_no_product_and_no_category(users, shop):
    response = post(
        client_for(users["service"]),
        f"{API}/products",
        {"shop": "tm01", "code": "NEW1", "title": "新款", "category": "新类目"},
    )
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert not Product.objects.exists()
    assert not Category.objects.filter(name="新类目").exists()


def test_title_over_the_channel_limit_is_refused(manager, shop):
    response = post(client_for(manager), f"{API}/products", {"shop": "tm01", "code": "X", "title": "长" * 31})
    assert response.status_code == 422
    assert response.json()["code"] == "title_rejected"
    assert not Product.objects.exists()


def test_duplicate_product_code_is_a_409(manager, shop):
    ProductFactory(shop=shop, code="DUP")
    response = post(client_for(manager), f"{API}/products", {"shop": "tm01", "code": "DUP", "title": "标题"})
    assert response.status_code == 409
    assert response.json()["code"] == "duplicate_code"


def test_update_product_changes_only_the_fields_sent(users, shop):
    product = ProductFactory(shop=shop, title="旧标题", description="keep")
    response = patch(client_for(users["copywriter"]), f"{API}/products/{product.pk}", {"title": "新标题"})
    assert response.status_code == 200, response.content
    product.refresh_from_db()
    assert (product.title, product.description) == ("新标题", "keep")
    entry = AuditEntry.objects.get(action="product.update")
    assert (entry.before, entry.after) == ({"title": "旧标题"}, {"title": "新标题"})


def test_an_unknown_field_is_refused_not_ignored(manager):
    sku = SkuFactory()
    response = patch(client_for(manager), f"{API}/skus/{sku.pk}", {"price": "1.00"})
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_input"
    sku.refresh_from_db()
    assert sku.price == Decimal("99.00")


def test_create_sku_reads_money_exactly(manager, shop):
    product = ProductFactory(shop=shop)
    response = post(
        client_for(manager),
        f"{API}/skus",
        {"product_id": product.pk, "code": "S-1", "price": "¥1,299.50", "cost": "0.10", "spec": "颜色:红"},
    )
    assert response.status_code == 201, response.content
    assert (response.json()["price"], response.json()["cost"]) == ("1299.50", "0.10")
    sku = Sku.objects.get(code="S-1")
    assert (sku.price, sku.cost, sku.shop) == (Decimal("1299.50"), Decimal("0.10"), shop)


@pytest.mark.parametrize("price", [19.9, "19.999", "abc", ""])
def test_a_price_that_is_not_an_exact_amount_is_refused(manager, price):
    product = ProductFactory()
    response = post(client_for(manager), f"{API}/skus", {"product_id": product.pk, "code": "S-1", "price": price})
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_input"
    assert not Sku.objects.exists()


def test_set_price_records_before_and_after(operator):
    sku = SkuFactory(price=Decimal("99.00"), cost=Decimal("40.00"))
    response = post(client_for(operator), f"{API}/skus/{sku.pk}/price", {"price": "89.90", "note": "618"})
    assert response.status_code == 200, response.content
    assert (response.json()["price"], response.json()["cost"]) == ("89.90", "40.00")
    entry = AuditEntry.objects.get(action="sku.price")
    assert (entry.before, entry.after, entry.note, entry.actor) == (
        {"price": "99.00"},
        {"price": "89.90"},
        "618",
        operator,
    )


def test_set_price_needs_a_price_or_a_cost(operator):
    sku = SkuFactory()
    response = post(client_for(operator), f"{API}/skus/{sku.pk}/price", {"note": "nothing"})
    assert response.status_code == 422
    assert response.json()["code"] == "validation_failed"


def test_negative_price_is_refused(operator):
    sku = SkuFactory()
    response = post(client_for(operator), f"{API}/skus/{sku.pk}/price", {"price": "-1.00"})
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_price"
    sku.refresh_from_db()
    assert sku.price == Decimal("99.00")


def test_list_product_puts_skus_with_stock_on_sale(manager, shop):
    product = ProductFactory(shop=shop)
    stocked, empty = SkuFactory(product=product, code="A"), SkuFactory(product=product, code="B")
    receive(manager, stocked, WarehouseFactory(), 3)

    response = post(client_for(manager), f"{API}/products/{product.pk}/list")

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["listing_status"] == "listed"
    assert {s["code"]: (s["listing_status"], s["delist_reason"]) for s in body["skus"]} == {
        "A": ("listed", ""),
        "B": ("delisted", "out_of_stock"),
    }
    assert empty.pk in {s["id"] for s in body["skus"]}


def test_list_product_without_skus_is_a_409(manager):
    product = ProductFactory()
    response = post(client_for(manager), f"{API}/products/{product.pk}/list", {"note": "go"})
    assert response.status_code == 409
    assert response.json()["code"] == "listing_not_allowed"


def test_delist_product_with_a_reason(manager):
    product = ProductFactory(listing_status=ListingStatus.LISTED)
    sku = SkuFactory(product=product, listing_status=ListingStatus.LISTED)
    response = post(client_for(manager), f"{API}/products/{product.pk}/delist", {"reason": "season"})
    assert response.status_code == 200, response.content
    sku.refresh_from_db()
    assert (sku.listing_status, sku.delist_reason) == (ListingStatus.DELISTED, DelistReason.SEASON)
    assert response.json()["delist_reason"] == "season"


def test_list_and_delist_one_sku(manager):
    sku = SkuFactory()
    receive(manager, sku, WarehouseFactory(), 1)
    client = client_for(manager)
    assert post(client, f"{API}/skus/{sku.pk}/list").json()["listing_status"] == "listed"
    body = post(client, f"{API}/skus/{sku.pk}/delist", {"reason": "violation", "note": "图片侵权"}).json()
    assert (body["listing_status"], body["delist_reason"]) == ("delisted", "violation")


def test_title_check_counts_as_the_channel_does(users, shop):
    BannedWord.objects.create(word="最好")
    product = ProductFactory(shop=shop, title="最好的T恤")
    ProductFactory(shop=shop, code="TWIN", title="最好的T恤")

    body = client_for(users["designer"]).get(f"{API}/products/{product.pk}/title-check").json()

    assert (body["length"], body["limit"], body["channel"]) == (9, 60, "tmall")  # 4 Chinese × 2 + "T"
    assert [p["code"] for p in body["problems"]] == ["title_banned_word"]
    assert body["duplicates"] == ["TWIN"]


def test_shops_list(users, shop):
    body = client_for(users["designer"]).get(f"{API}/shops").json()
    assert [(s["code"], s["channel"]) for s in body] == [("tm01", "tmall")]


def test_a_price_sent_as_a_json_number_says_to_send_a_string(operator):
    sku = SkuFactory()
    response = post(client_for(operator), f"{API}/skus/{sku.pk}/price", {"price": 88})
    assert response.status_code == 422
    assert 'as a string such as "99.00"' in response.json()["details"][0]["msg"]
    sku.refresh_from_db()
    assert sku.price == Decimal("99.00")
