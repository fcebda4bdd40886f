"""The catalog pages: list and filters, product page, SKU page; who may press which button."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from zhanggui.catalog.models import BannedWord, DelistReason, ListingStatus, ProductRole
from zhanggui.catalog.tests.factories import CategoryFactory, ProductFactory, ShopFactory, SkuFactory
from zhanggui.core.models import AuditEntry
from zhanggui.core.services import system_user
from zhanggui.inventory import services as stock
from zhanggui.inventory.models import MoveReason, StockBalance, StockMove
from zhanggui.inventory.tests.factories import WarehouseFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def login(client, user):
    client.force_login(user)
    return client


def receive(sku, warehouse, quantity):
    return stock.book_move(
        actor=system_user(), sku=sku, warehouse=warehouse, quantity=quantity, reason=MoveReason.PURCHASE_RECEIPT
    )


def codes_on(response) -> list[str]:
    return [p.code for p in response.context["page"]]


# --------------------------------------------------------------------------------------------------------
# Catalog list
# --------------------------------------------------------------------------------------------------------


def test_the_catalog_asks_for_a_login(client):
    response = client.get(reverse("catalog:product-list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_search_finds_products_by_title_code_sku_code_and_barcode(client, users):
    shirt = ProductFactory(code="TX-001", title="纯棉短袖T恤")
    SkuFactory(product=shirt, code="TX-001-W-M", barcode="6901234567890")
    ProductFactory(code="KZ-009", title="牛仔裤 直筒")
    login(client, users["service"])
    url = reverse("catalog:product-list")
    for query in ("短袖", "TX-001", "tx-001-w", "6901234567890"):
        assert codes_on(client.get(url, {"q": query})) == ["TX-001"], query
    assert codes_on(client.get(url, {"q": "690123"})) == []  # a barcode is matched whole, not in part


def test_filters_by_shop_category_role_and_listing_status(client, users):
    tmall, jd = ShopFactory(code="tm"), ShopFactory(code="jd", channel="jd")
    tees = CategoryFactory(name="T恤")
    ProductFactory(code="A", shop=tmall, category=tees, role=ProductRole.TRAFFIC, listing_status=ListingStatus.LISTED)
    ProductFactory(code="B", shop=tmall, role=ProductRole.PROFIT, listing_status=ListingStatus.DELISTED)
    ProductFactory(code="C", shop=jd, category=tees, role=ProductRole.PROFIT)
    login(client, users["designer"])
    url = reverse("catalog:product-list")
    assert codes_on(client.get(url, {"shop": tmall.pk})) == ["A", "B"]
    assert sorted(codes_on(client.get(url, {"category": tees.pk}))) == ["A", "C"]
    assert codes_on(client.get(url, {"role": "traffic"})) == ["A"]
    assert codes_on(client.get(url, {"status": "delisted"})) == ["B"]
    assert codes_on(client.get(url, {"shop": tmall.pk, "role": "profit"})) == ["B"]
    # a value that does not parse is ignored rather than answered with an error page
    assert sorted(codes_on(client.get(url, {"shop": "nope"}))) == ["A", "B", "C"]


def test_stock_filter_and_available_stock_per_product(client, users):
    wh = WarehouseFactory()
    plenty = SkuFactory(product__code="PLENTY", safety_stock=5)
    receive(plenty, wh, 40)
    SkuFactory(product=plenty.product)  # a second SKU without stock does not make the product low
    low = SkuFactory(product__code="LOW", safety_stock=10)
    receive(low, wh, 10)
    stock.reserve(actor=system_user(), reference="o1", lines={low.pk: 3})
    SkuFactory(product__code="OUT", safety_stock=2)
    login(client, users["warehouse"])
    url = reverse("catalog:product-list")

    response = client.get(url)
    available = {p.code: (p.on_hand, p.available, p.low, p.sku_count) for p in response.context["page"]}
    assert available == {
        "LOW": (10, 7, True, 1),
        "OUT": (0, 0, True, 1),
        "PLENTY": (40, 40, False, 2),
    }
    assert sorted(codes_on(client.get(url, {"stock": "in_stock"}))) == ["LOW", "PLENTY"]
    assert sorted(codes_on(client.get(url, {"stock": "low"}))) == ["LOW", "OUT"]
    assert codes_on(client.get(url, {"stock": "out"})) == ["OUT"]


def test_catalog_list_query_count_does_not_grow_with_the_rows(client, users, django_assert_max_num_queries):
    wh = WarehouseFactory()
    login(client, users["operator"])
    url = reverse("catalog:product-list")

    def queries_for_page() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url, {"q": "T恤"}).status_code == 200
        return len(ctx.captured_queries)

    for _ in range(2):
        receive(SkuFactory(), wh, 3)
    few = queries_for_page()
    for _ in range(30):
        sku = SkuFactory()
        SkuFactory(product=sku.product)
        receive(sku, wh, 3)
    assert queries_for_page() == few
    with django_assert_max_num_queries(10):
        client.get(url, {"q": "T恤", "stock": "low"})


def test_live_filtering_answers_htmx_with_the_results_only(client, users):
    ProductFactory(code="A1")
    login(client, users["copywriter"])
    response = client.get(reverse("catalog:product-list"), {"q": "A1"}, **HTMX)
    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="product-table"' in body
    assert "<html" not in body
    assert "HX-Request" in response["Vary"]


# --------------------------------------------------------------------------------------------------------
# Product page
# --------------------------------------------------------------------------------------------------------


def test_product_page_shows_skus_with_stock_and_the_title_check(client, users):
    wh = WarehouseFactory()
    shop = ShopFactory(channel="tmall")
    BannedWord.objects.create(word="最好")
    product = ProductFactory(shop=shop, code="P1", title="最好的纯棉T恤")
    ProductFactory(shop=shop, code="P2", title="最好的纯棉T恤")
    sku = SkuFactory(product=product, code="P1-M")
    receive(sku, wh, 8)
    stock.reserve(actor=system_user(), reference="o1", lines={sku.pk: 3})
    login(client, users["service"])

    response = client.get(reverse("catalog:product-detail", args=[product.pk]), {"lang": "en"})
    assert response.status_code == 200
    assert response.context["rows"] == [(sku, 8, 3, 5)]
    check = response.context["title_check"]
    assert (check["length"], check["limit"], check["duplicates"]) == (13, 60, ["P2"])
    assert [p.code for p in check["problems"]] == ["title_banned_word"]
    body = response.content.decode()
    assert "Length 13 of 60" in body
    assert "最好" in body


def test_designer_edits_a_product_and_the_change_is_audited(client, users):
    product = ProductFactory(title="旧标题")
    category = CategoryFactory(name="新类目")
    login(client, users["designer"])
    response = client.post(
        reverse("catalog:product-edit", args=[product.pk]),
        {
            "title": "新标题 纯棉",
            "category": category.pk,
            "role": "traffic",
            "description": "说明",
            "main_image_url": "",
        },
    )
    assert response.status_code == 302
    product.refresh_from_db()
    assert (product.title, product.category, product.role, product.description) == (
        "新标题 纯棉",
        category,
        "traffic",
        "说明",
    )
    assert AuditEntry.objects.get(action="product.update").after["title"] == "新标题 纯棉"


def test_a_rejected_title_comes_back_with_the_input_kept(client, users):
    BannedWord.objects.create(word="第一")
    product = ProductFactory(title="旧标题")
    login(client, users["copywriter"])
    response = client.post(
        reverse("catalog:product-edit", args=[product.pk]),
        {"title": "全网第一好穿", "role": "profit", "description": "我写了很久的描述"},
    )
    assert response.status_code == 422
    form = response.context["edit_form"]
    assert "第一" in form.errors["title"][0]
    body = response.content.decode()
    assert 'value="全网第一好穿"' in body
    assert "我写了很久的描述" in body
    product.refresh_from_db()
    assert product.title == "旧标题"


@pytest.mark.parametrize("role", ["service", "warehouse"])
def test_roles_without_catalog_rights_cannot_edit_a_product(client, users, role):
    product = ProductFactory(title="旧标题")
    login(client, users[role])
    page = client.get(reverse("catalog:product-detail", args=[product.pk])).content.decode()
    assert reverse("catalog:product-edit", args=[product.pk]) not in page
    response = client.post(reverse("catalog:product-edit", args=[product.pk]), {"title": "新标题", "role": "profit"})
    assert response.status_code == 403
    product.refresh_from_db()
    assert product.title == "旧标题"
    assert not AuditEntry.objects.exists()


def test_operator_takes_a_product_off_sale_with_a_reason(client, users):
    wh = WarehouseFactory()
    sku = SkuFactory()
    receive(sku, wh, 5)
    login(client, users["operator"])
    url = reverse("catalog:product-listing", args=[sku.product.pk])
    assert client.post(url, {"action": "list"}).status_code == 302
    sku.product.refresh_from_db()
    assert sku.product.listing_status == ListingStatus.LISTED

    response = client.post(url, {"action": "delist", "reason": "season", "note": "换季"})
    assert response.status_code == 302
    sku.product.refresh_from_db()
    sku.refresh_from_db()
    assert (sku.product.listing_status, sku.product.delist_reason) == (ListingStatus.DELISTED, DelistReason.SEASON)
    assert sku.listing_status == ListingStatus.DELISTED
    entry = AuditEntry.objects.filter(action="product.delist").get()
    assert (entry.actor, entry.after["delist_reason"], entry.note) == (users["operator"], "season", "换季")


def test_delisting_without_a_reason_keeps_the_note(client, users):
    product = SkuFactory(product__listing_status=ListingStatus.LISTED).product
    login(client, users["manager"])
    response = client.post(
        reverse("catalog:product-listing", args=[product.pk]), {"action": "delist", "reason": "", "note": "质检问题"}
    )
    assert response.status_code == 422
    assert "质检问题" in response.content.decode()
    product.refresh_from_db()
    assert product.listing_status == ListingStatus.LISTED


@pytest.mark.parametrize("role", ["service", "designer", "warehouse"])
def test_only_manager_and_operator_list_and_delist(client, users, role):
    product = SkuFactory(product__listing_status=ListingStatus.LISTED).product
    login(client, users[role])
    page = client.get(reverse("catalog:product-detail", args=[product.pk])).content.decode()
    assert 'id="delist-product"' not in page
    response = client.post(
        reverse("catalog:product-listing", args=[product.pk]), {"action": "delist", "reason": "manual"}
    )
    assert response.status_code == 403
    product.refresh_from_db()
    assert product.listing_status == ListingStatus.LISTED
    assert not AuditEntry.objects.exists()


# --------------------------------------------------------------------------------------------------------
# SKU page
# --------------------------------------------------------------------------------------------------------


def test_sku_page_shows_balances_per_warehouse_and_the_ledger(client, users):
    main, second = WarehouseFactory(name="主仓"), WarehouseFactory(name="备用仓")
    sku = SkuFactory()
    receive(sku, main, 10)
    receive(sku, second, 4)
    stock.adjust_stock(actor=users["warehouse"], sku=sku, warehouse=main, quantity=-2, note="破损")
    login(client, users["designer"])
    response = client.get(reverse("catalog:sku-detail", args=[sku.pk]))
    assert (response.context["on_hand"], response.context["available"]) == (12, 12)
    assert [(b.warehouse.name, b.on_hand) for b in response.context["balances"]] == [("主仓", 8), ("备用仓", 4)]
    moves = list(response.context["moves"])
    assert [(m.quantity, m.on_hand_after, m.reason) for m in moves] == [
        (-2, 8, MoveReason.ADJUSTMENT),
        (4, 4, MoveReason.PURCHASE_RECEIPT),
        (10, 10, MoveReason.PURCHASE_RECEIPT),
    ]
    body = response.content.decode()
    assert "破损" in body
    assert '<b id="on-hand">12</b>' in body


def test_operator_changes_the_price_in_place_with_htmx(client, users):
    sku = SkuFactory(price=Decimal("99.00"), cost=Decimal("40.00"))
    login(client, users["operator"])
    response = client.post(
        reverse("catalog:sku-price", args=[sku.pk]), {"price": "89.90", "cost": "40.00", "note": "双11"}, **HTMX
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="price-card"' in body and "<html" not in body
    assert 'id="sku-price" hx-swap-oob="true">¥89.90' in body
    sku.refresh_from_db()
    assert (sku.price, sku.cost) == (Decimal("89.90"), Decimal("40.00"))
    entry = AuditEntry.objects.get(action="sku.price")
    assert (entry.before, entry.after, entry.note) == ({"price": "99.00"}, {"price": "89.90"}, "双11")


def test_the_manager_changes_price_and_cost_together(client, users):
    sku = SkuFactory(price=Decimal("99.00"), cost=Decimal("40.00"))
    login(client, users["manager"])
    response = client.post(
        reverse("catalog:sku-price", args=[sku.pk]), {"price": "89.90", "cost": "41.50", "note": "双11"}, **HTMX
    )
    assert response.status_code == 200
    sku.refresh_from_db()
    assert (sku.price, sku.cost) == (Decimal("89.90"), Decimal("41.50"))
    entry = AuditEntry.objects.get(action="sku.price")
    assert (entry.before, entry.after, entry.note) == (
        {"price": "99.00", "cost": "40.00"},
        {"price": "89.90", "cost": "41.50"},
        "双11",
    )


def test_a_price_that_does_not_parse_comes_back_with_the_input(client, users):
    sku = SkuFactory(price=Decimal("99.00"))
    login(client, users["manager"])
    response = client.post(
        reverse("catalog:sku-price", args=[sku.pk]), {"price": "12.345", "cost": "-1", "note": "试试"}, **HTMX
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert 'value="12.345"' in body and 'value="试试"' in body
    assert set(response.context["price_form"].errors) == {"price", "cost"}
    sku.refresh_from_db()
    assert sku.price == Decimal("99.00")


@pytest.mark.parametrize("role", ["service", "warehouse", "designer", "copywriter"])
def test_only_manager_and_operator_change_prices(client, users, role):
    sku = SkuFactory(price=Decimal("99.00"), cost=Decimal("40.00"))
    login(client, users[role])
    page = client.get(reverse("catalog:sku-detail", args=[sku.pk])).content.decode()
    assert 'id="save-price"' not in page
    for extra in ({}, HTMX):
        response = client.post(reverse("catalog:sku-price", args=[sku.pk]), {"price": "1.00", "cost": "1.00"}, **extra)
        assert response.status_code == 403
    sku.refresh_from_db()
    assert (sku.price, sku.cost) == (Decimal("99.00"), Decimal("40.00"))
    assert not AuditEntry.objects.filter(action="sku.price").exists()


def test_a_refused_htmx_post_shows_its_reason_in_the_flash_area(client, users):
    sku = SkuFactory()
    login(client, users["service"])
    response = client.post(reverse("catalog:sku-price", args=[sku.pk]), {"price": "1", "cost": "1"}, **HTMX)
    assert response.status_code == 403
    assert response["HX-Retarget"] == "#flash"
    assert "你没有权限修改价格" in response.content.decode()


def test_sku_goes_off_sale_with_a_reason(client, users):
    wh = WarehouseFactory()
    sku = SkuFactory()
    receive(sku, wh, 2)
    login(client, users["operator"])
    url = reverse("catalog:sku-listing", args=[sku.pk])
    assert client.post(url, {"action": "list"}).status_code == 302
    sku.refresh_from_db()
    assert sku.listing_status == ListingStatus.LISTED
    assert client.post(url, {"action": "delist", "reason": "violation", "note": "主图违规"}).status_code == 302
    sku.refresh_from_db()
    assert (sku.listing_status, sku.delist_reason) == (ListingStatus.DELISTED, DelistReason.VIOLATION)


def test_designer_cannot_list_a_sku(client, users):
    sku = SkuFactory()
    login(client, users["designer"])
    assert client.post(reverse("catalog:sku-listing", args=[sku.pk]), {"action": "list"}).status_code == 403
    sku.refresh_from_db()
    assert sku.listing_status == ListingStatus.DRAFT


def test_safety_stock_is_edited_on_the_sku_page(client, users):
    sku = SkuFactory(safety_stock=0)
    login(client, users["operator"])  # the designer may not (core/tests/test_field_permissions.py)
    response = client.post(
        reverse("catalog:sku-edit", args=[sku.pk]),
        {"spec": "颜色:黑", "barcode": "", "weight_g": 250, "safety_stock": 12},
    )
    assert response.status_code == 302
    sku.refresh_from_db()
    assert (sku.spec, sku.weight_g, sku.safety_stock) == ("颜色:黑", 250, 12)


def test_warehouse_adjusts_stock_with_a_note(client, users):
    wh = WarehouseFactory()
    sku = SkuFactory()
    receive(sku, wh, 10)
    login(client, users["warehouse"])
    response = client.post(
        reverse("catalog:sku-adjust", args=[sku.pk]), {"warehouse": wh.pk, "quantity": "-3", "note": "3件破损"}
    )
    assert response.status_code == 302
    move = StockMove.objects.get(reason=MoveReason.ADJUSTMENT)
    assert (move.quantity, move.on_hand_after, move.note, move.actor) == (-3, 7, "3件破损", users["warehouse"])
    page = client.get(response["Location"]).content.decode()
    assert '<b id="on-hand">7</b>' in page


def test_an_adjustment_below_what_is_free_is_refused_with_the_input_kept(client, users):
    wh = WarehouseFactory()
    sku = SkuFactory()
    receive(sku, wh, 5)
    stock.reserve(actor=system_user(), reference="o1", lines={sku.pk: 4})
    login(client, users["manager"])
    response = client.post(
        reverse("catalog:sku-adjust", args=[sku.pk]) + "?lang=en",
        {"warehouse": wh.pk, "quantity": "-3", "note": "盘亏"},
    )
    assert response.status_code == 422
    form = response.context["adjust_form"]
    assert "only 1 are free" in form.non_field_errors()[0]
    body = response.content.decode()
    assert 'value="-3"' in body and 'value="盘亏"' in body
    assert StockBalance.objects.get(sku=sku).on_hand == 5
    assert StockMove.objects.filter(reason=MoveReason.ADJUSTMENT).count() == 0


def test_an_adjustment_needs_a_note(client, users):
    wh = WarehouseFactory()
    sku = SkuFactory()
    login(client, users["warehouse"])
    response = client.post(reverse("catalog:sku-adjust", args=[sku.pk]), {"warehouse": wh.pk, "quantity": "2"})
    assert response.status_code == 422
    assert "note" in response.context["adjust_form"].errors
    assert not StockMove.objects.exists()


@pytest.mark.parametrize("role", ["operator", "service", "designer"])
def test_only_manager_and_warehouse_adjust_stock(client, users, role):
    wh = WarehouseFactory()
    sku = SkuFactory()
    receive(sku, wh, 5)
    login(client, users[role])
    page = client.get(reverse("catalog:sku-detail", args=[sku.pk])).content.decode()
    assert 'id="book-adjustment"' not in page and 'id="book-transfer"' not in page
    response = client.post(
        reverse("catalog:sku-adjust", args=[sku.pk]), {"warehouse": wh.pk, "quantity": "-5", "note": "x"}
    )
    assert response.status_code == 403
    other = WarehouseFactory()
    response = client.post(
        reverse("catalog:sku-transfer", args=[sku.pk]), {"source": wh.pk, "destination": other.pk, "quantity": 2}
    )
    assert response.status_code == 403
    assert StockMove.objects.count() == 1
    assert StockBalance.objects.get(sku=sku, warehouse=wh).on_hand == 5


def test_transfer_between_warehouses(client, users):
    main, second = WarehouseFactory(), WarehouseFactory()
    sku = SkuFactory()
    receive(sku, main, 6)
    login(client, users["warehouse"])
    response = client.post(
        reverse("catalog:sku-transfer", args=[sku.pk]),
        {"source": main.pk, "destination": second.pk, "quantity": 4, "note": "调拨"},
    )
    assert response.status_code == 302
    on_hand = dict(StockBalance.objects.filter(sku=sku).values_list("warehouse_id", "on_hand"))
    assert on_hand == {main.pk: 2, second.pk: 4}


def test_a_transfer_to_the_same_warehouse_is_refused(client, users):
    main = WarehouseFactory()
    sku = SkuFactory()
    receive(sku, main, 6)
    login(client, users["warehouse"])
    response = client.post(
        reverse("catalog:sku-transfer", args=[sku.pk]), {"source": main.pk, "destination": main.pk, "quantity": 4}
    )
    assert response.status_code == 422
    assert response.context["transfer_form"].non_field_errors()
    assert StockMove.objects.count() == 1


def test_listing_card_offers_what_fits_the_status(client, users):
    sku = SkuFactory(product__listing_status=ListingStatus.LISTED, listing_status=ListingStatus.DRAFT)
    login(client, users["operator"])
    product_page = client.get(reverse("catalog:product-detail", args=[sku.product.pk])).content.decode()
    assert 'id="delist-product"' in product_page and 'id="list-product"' not in product_page
    sku_page = client.get(reverse("catalog:sku-detail", args=[sku.pk])).content.decode()
    assert 'id="list-sku"' in sku_page and 'id="delist-sku"' not in sku_page
    assert reverse("catalog:sku-listing", args=[sku.pk]) + "#listing" in sku_page
