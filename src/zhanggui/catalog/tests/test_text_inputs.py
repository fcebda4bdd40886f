"""Control and invisible characters on every way into the catalog (docs/text.md): codes refused, text cleaned.

Written for both databases: on PostgreSQL a NUL that reached the database would be a 500 (it refuses NUL in
text), on SQLite it would be stored; after the rule neither happens.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import translation

from zhanggui.catalog import services
from zhanggui.catalog.imports import import_catalog
from zhanggui.catalog.models import BannedWord, Category, Channel, Product, Shop, Sku
from zhanggui.catalog.tests.factories import ProductFactory, ShopFactory, SkuFactory
from zhanggui.core.middleware import SESSION_KEY
from zhanggui.core.models import AuditEntry
from zhanggui.inventory.models import StockMove
from zhanggui.inventory.tests.factories import WarehouseFactory

pytestmark = pytest.mark.django_db

API = "/api/v1/catalog"
RLO = "\u202e"  # RIGHT-TO-LEFT OVERRIDE: "AB\u202eCD" shows as "ABDC"
ZWSP = "\u200b"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def shop():
    return ShopFactory(code="tm01", channel=Channel.TMALL)


def api(user) -> Client:
    """A logged-in client whose pages and API answer in English (the messages below are the msgids)."""
    client = Client()
    client.force_login(user)
    session = client.session
    session[SESSION_KEY] = "en"
    session.save()
    return client


def post(client: Client, url: str, data: dict):
    return client.post(url, data=data, content_type="application/json")


def patch(client: Client, url: str, data: dict):
    return client.patch(url, data=data, content_type="application/json")


def written() -> dict:
    """Everything a catalog write could touch, to show that a refusal wrote nothing."""
    return {
        "products": list(Product.objects.order_by("pk").values()),
        "skus": list(Sku.objects.order_by("pk").values()),
        "categories": list(Category.objects.order_by("pk").values_list("name", flat=True)),
        "audit": AuditEntry.objects.count(),
    }


# --------------------------------------------------------------------------------------------------------
# The API
# --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "shown"),
    [
        ("P\x001", "U+0000 at position 2"),
        (f"AB{RLO}CD", "U+202E RIGHT-TO-LEFT OVERRIDE at position 3"),
        ("P\t1", "U+0009 at position 2"),
        (f"P{ZWSP}1", "U+200B ZERO WIDTH SPACE at position 2"),
    ],
)
def test_a_product_code_with_a_control_character_is_refused_by_the_api(manager, shop, code, shown):
    before = written()

    response = post(api(manager), f"{API}/products", {"shop": "tm01", "code": code, "title": "纯棉T恤"})

    assert response.status_code == 422, response.content
    body = response.json()
    assert body["code"] == "invalid_input"
    assert body["message"] == (
        f"Product code (货号) must not contain invisible or control characters: {shown}. "
        "Type the code again without it."
    )
    assert list(body["details"]) == ["code"]
    assert written() == before


def test_a_category_name_with_a_bidi_override_is_refused_and_nothing_is_written(manager, shop):
    before = written()

    response = post(
        api(manager), f"{API}/products", {"shop": "tm01", "code": "P1", "title": "纯棉T恤", "category": f"T{RLO}恤"}
    )

    assert response.status_code == 422
    assert response.json()["code"] == "invalid_input"
    assert list(response.json()["details"]) == ["category"]
    assert response.json()["message"].startswith("Category must not contain invisible or control characters")
    assert written() == before


def test_free_text_on_a_new_product_is_stored_without_control_characters(manager, shop):
    response = post(
        api(manager),
        f"{API}/products",
        {
            "shop": "tm01",
            "code": "P1",
            "title": f"纯棉\x00T恤{RLO}男款",
            "description": "第一行\r\n第二行\x00\t完\u2066",
        },
    )

    assert response.status_code == 201, response.content
    product = Product.objects.get()
    assert (product.title, product.description) == ("纯棉T恤男款", "第一行\n第二行\t完")
    assert response.json()["title"] == "纯棉T恤男款"
    assert AuditEntry.objects.get(action="product.create").after == {"title": "纯棉T恤男款"}


def test_a_zero_width_space_does_not_hide_a_banned_word(manager, shop):
    BannedWord.objects.create(word="第一")

    response = post(api(manager), f"{API}/products", {"shop": "tm01", "code": "P1", "title": f"全网第{ZWSP}一"})

    assert response.status_code == 422
    assert response.json()["code"] == "title_rejected"
    assert not Product.objects.exists()


def test_updating_a_title_stores_and_audits_it_cleaned(manager, shop):
    product = ProductFactory(shop=shop, title="旧标题")

    response = patch(api(manager), f"{API}/products/{product.pk}", {"title": "新\x00标题", "description": "说\x00明"})

    assert response.status_code == 200
    product.refresh_from_db()
    assert (product.title, product.description) == ("新标题", "说明")
    assert AuditEntry.objects.get(action="product.update").after == {"title": "新标题", "description": "说明"}


def test_a_nul_added_to_the_same_title_is_no_change(manager, shop):
    product = ProductFactory(shop=shop, title="纯棉T恤")

    response = patch(api(manager), f"{API}/products/{product.pk}", {"title": "纯棉\x00T恤"})

    assert response.status_code == 200
    assert not AuditEntry.objects.filter(action="product.update").exists()


@pytest.mark.parametrize(
    ("field", "value", "label"),
    [
        ("code", "SKU\x00-1", "SKU code (商家编码)"),
        ("barcode", f"690{RLO}123", "Barcode"),
        ("code", "A\nB", "SKU code (商家编码)"),
    ],
)
def test_a_sku_code_or_barcode_with_a_control_character_is_refused(manager, shop, field, value, label):
    product = ProductFactory(shop=shop)
    before = written()
    payload = {"product_id": product.pk, "code": "SKU-1", "price": "99.00", field: value}

    response = post(api(manager), f"{API}/skus", payload)

    assert response.status_code == 422
    assert response.json()["code"] == "invalid_input"
    assert list(response.json()["details"]) == [field]
    assert response.json()["message"].startswith(f"{label} must not contain invisible or control characters")
    assert written() == before


def test_a_spec_is_stored_without_control_characters(manager, shop):
    product = ProductFactory(shop=shop)

    response = post(
        api(manager),
        f"{API}/skus",
        {"product_id": product.pk, "code": "SKU-1", "price": "99.00", "spec": "颜色:红\x00;\n尺码:M"},
    )

    assert response.status_code == 201
    assert Sku.objects.get().spec == "颜色:红; 尺码:M"


def test_patching_a_barcode_with_a_bidi_override_is_refused_and_the_sku_unchanged(manager, shop):
    sku = SkuFactory(product=ProductFactory(shop=shop), barcode="6901234567890", spec="红")
    before = written()

    response = patch(api(manager), f"{API}/skus/{sku.pk}", {"barcode": f"69012{RLO}34567890", "spec": "蓝"})

    assert response.status_code == 422
    assert response.json()["code"] == "invalid_input"
    assert written() == before


def test_patching_a_spec_with_nul_stores_it_cleaned(manager, shop):
    sku = SkuFactory(product=ProductFactory(shop=shop), spec="红")

    response = patch(api(manager), f"{API}/skus/{sku.pk}", {"spec": "蓝\x00"})

    assert response.status_code == 200
    assert response.json()["spec"] == "蓝"
    sku.refresh_from_db()
    assert sku.spec == "蓝"
    assert AuditEntry.objects.get(action="sku.update").after == {"spec": "蓝"}


def test_a_search_or_a_shop_with_nul_answers_normally(manager, shop):
    ProductFactory(shop=shop, code="P1", title="纯棉T恤")
    client = api(manager)

    found = client.get(f"{API}/products", {"q": "纯棉\x00"})
    shop_nul = client.get(f"{API}/products", {"shop": "tm01\x00"})  # the query string loses its NUL
    page = client.get(reverse("catalog:product-list"), {"q": "纯棉\x00"})

    assert (found.status_code, found.json()["count"]) == (200, 1)
    assert (shop_nul.status_code, shop_nul.json()["count"]) == (200, 1)
    assert page.status_code == 200 and [p.code for p in page.context["page"]] == ["P1"]


def test_a_stock_move_note_and_document_through_the_api(manager, shop):
    sku = SkuFactory(product=ProductFactory(shop=shop))
    warehouse = WarehouseFactory(code="wh1")
    client = api(manager)
    move = {"sku_id": sku.pk, "warehouse": "wh1", "quantity": 5, "reason": "purchase_receipt"}

    noted = post(client, "/api/v1/inventory/moves", {**move, "note": "到货\x00 第一批\u202e", "document": "PO-1"})
    refused = post(client, "/api/v1/inventory/moves", {**move, "document": "PO\x00-2"})

    assert noted.status_code == 201, noted.content
    assert noted.json()["note"] == "到货 第一批"
    assert StockMove.objects.get().note == "到货 第一批"
    assert refused.status_code == 422 and refused.json()["code"] == "invalid_input"
    assert list(refused.json()["details"]) == ["document"]
    assert StockMove.objects.count() == 1
    assert warehouse.balances.get().on_hand == 5


# --------------------------------------------------------------------------------------------------------
# Services, the last line: writes that skip full_clean() and lookups
# --------------------------------------------------------------------------------------------------------


def test_a_write_that_skips_full_clean_is_refused_too(manager, shop):
    sku = SkuFactory(product=ProductFactory(shop=shop), code="SKU-1")

    with pytest.raises(ValidationError) as refused, transaction.atomic():
        Sku.objects.filter(pk=sku.pk).update(code=f"SKU{RLO}-1")
    with pytest.raises(ValidationError), transaction.atomic():
        services.add_banned_words(actor=manager, words=["最\x00好"])
    with pytest.raises(ValidationError), transaction.atomic():
        Shop.objects.create(code="bad\x00", name="x", channel=Channel.WEB)

    assert list(refused.value.message_dict) == ["code"]
    assert Sku.objects.get().code == "SKU-1"
    assert not BannedWord.objects.exists()


def test_free_text_is_cleaned_even_by_bulk_create_and_update(shop):
    product = ProductFactory(shop=shop, title="T")
    Product.objects.filter(pk=product.pk).update(title="A\x00B", description="x\x00y")
    [created] = Product.objects.bulk_create([Product(shop=shop, code="P9", title="C\x00D")])

    stored = Product.objects.get(pk=product.pk)
    assert (stored.title, stored.description) == ("AB", "xy")
    assert Product.objects.get(pk=created.pk).title == "CD"
    assert created.title == "CD"


def test_a_lone_surrogate_is_refused_by_the_api_not_a_server_error(manager, shop):
    """Such a string cannot be encoded for any database; the schema refuses it before a service sees it."""
    before = written()

    response = post(api(manager), f"{API}/products", {"shop": "tm01", "code": "P\ud8001", "title": "T\udfff"})

    assert response.status_code == 422
    assert response.json()["code"] == "invalid_input"
    assert written() == before


def test_a_lookup_with_nul_finds_nothing_instead_of_failing(shop):
    SkuFactory(product=ProductFactory(shop=shop), code="SKU-1")

    assert not Sku.objects.filter(code="SKU-1\x00").exists()
    assert not Sku.objects.filter(code__in=["SKU\x00-1", "\ud800"]).exists()


# --------------------------------------------------------------------------------------------------------
# The import
# --------------------------------------------------------------------------------------------------------

HEADERS = ["货号", "商品标题", "类目", "商家编码", "条码", "规格", "价格", "描述"]


def write_csv(path, rows):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADERS)
    writer.writerows(rows)
    path.write_bytes(buffer.getvalue().encode("utf-8"))
    return path


def test_an_import_refuses_codes_with_control_characters_by_line_and_column(manager, shop, tmp_path):
    rows = [
        ["P001", "纯棉T恤", "T恤", "P001-M", "6901234567890", "M", "59.00", ""],
        [f"P0{RLO}02", "外套", "外套", "P002-S", "", "S", "99.00", ""],
        ["P003", "衬衫", f"衬{ZWSP}衫", "P003\n-S", f"69{RLO}0", "S", "99.00", ""],
    ]
    before = written()

    report = import_catalog(actor=manager, shop=shop, file=write_csv(tmp_path / "c.csv", rows))

    assert [(e.line, e.column, e.code) for e in report.errors] == [
        (3, "货号", "bad_characters"),
        (4, "商家编码", "bad_characters"),
        (4, "类目", "bad_characters"),
        (4, "条码", "bad_characters"),
    ]
    assert report.errors[0].message == (
        "Invisible or control character U+202E RIGHT-TO-LEFT OVERRIDE at position 3; type the code again without it."
    )
    assert written() == before


def test_an_import_stores_free_text_cleaned_and_is_idempotent(manager, shop, tmp_path):
    rows = [["P001", f"纯棉{ZWSP}T恤{RLO}", "T恤", "P001-M", "", "颜色:白\t尺码:M", "59.00", "第一行\r\n第二行\u2066"]]
    path = write_csv(tmp_path / "c.csv", rows)

    first = import_catalog(actor=manager, shop=shop, file=path)
    after_first = written()
    again = import_catalog(actor=manager, shop=shop, file=path)

    assert first.errors == [] and again.errors == []
    product = Product.objects.get()
    assert (product.title, product.description) == ("纯棉T恤", "第一行\n第二行")
    assert Sku.objects.get().spec == "颜色:白 尺码:M"
    assert (again.products_unchanged, again.skus_unchanged) == (1, 1)
    assert written() == after_first


# --------------------------------------------------------------------------------------------------------
# The pages and the admin
# --------------------------------------------------------------------------------------------------------


def test_the_product_page_saves_a_title_cleaned(manager):
    product = ProductFactory(title="旧标题")
    client = api(manager)

    response = client.post(
        reverse("catalog:product-edit", args=[product.pk]),
        {"title": f"新{RLO}标题{ZWSP}", "role": "profit", "description": "一\u202a二"},
    )

    assert response.status_code == 302
    product.refresh_from_db()
    assert (product.title, product.description) == ("新标题", "一二")


def test_the_product_page_refuses_nul_with_the_input_kept(manager):
    product = ProductFactory(title="旧标题")
    client = api(manager)

    response = client.post(
        reverse("catalog:product-edit", args=[product.pk]),
        {"title": "新\x00标题", "role": "profit", "description": "我写了很久的描述"},
    )

    assert response.status_code == 422
    assert response.context["edit_form"].errors["title"] == ["Null characters are not allowed."]
    assert "我写了很久的描述" in response.content.decode()
    product.refresh_from_db()
    assert product.title == "旧标题"


def test_the_sku_page_refuses_a_barcode_with_a_bidi_override_with_the_input_kept(manager):
    sku = SkuFactory(barcode="6901234567890", spec="红")
    client = api(manager)

    response = client.post(
        reverse("catalog:sku-edit", args=[sku.pk]),
        {"barcode": f"69012{RLO}34567890", "spec": "蓝", "weight_g": 100, "safety_stock": 2},
    )

    assert response.status_code == 422
    [error] = response.context["sku_form"].errors["barcode"]
    assert error.startswith("Barcode must not contain invisible or control characters: U+202E")
    assert f'value="69012{RLO}34567890"' in response.content.decode()
    sku.refresh_from_db()
    assert (sku.barcode, sku.spec, sku.weight_g) == ("6901234567890", "红", 0)


def test_the_admin_refuses_a_product_code_with_a_bidi_override(manager, shop):
    User.objects.filter(pk=manager.pk).update(is_staff=True)
    client = api(manager)
    before = written()

    response = client.post(
        "/admin/catalog/product/add/",
        {"shop": shop.pk, "code": f"P{RLO}1", "title": "纯棉T恤", "role": "profit", "listing_status": "draft"},
    )

    assert response.status_code == 200
    assert (
        response.context["adminform"]
        .form.errors["code"][0]
        .startswith("Product code (货号) must not contain invisible or control characters")
    )
    assert written() == before


# --------------------------------------------------------------------------------------------------------
# Prices typed on the pages: plain digits, as in the API and the imports
# --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["1e3", "1E3", "NaN", "Infinity", "1_000"])
def test_the_price_form_refuses_an_exponent_with_the_input_kept(manager, typed):
    sku = SkuFactory(price=Decimal("99.00"), cost=Decimal("40.00"))
    client = api(manager)

    response = client.post(reverse("catalog:sku-price", args=[sku.pk]), {"price": typed, "cost": "40.00"})

    assert response.status_code == 422
    assert response.context["price_form"].errors["price"] == [
        "Enter an amount in yuan with at most two decimals, such as 99.00."
    ]
    assert f'value="{typed}"' in response.content.decode()
    sku.refresh_from_db()
    assert (sku.price, sku.cost) == (Decimal("99.00"), Decimal("40.00"))
    assert not AuditEntry.objects.filter(action="sku.price").exists()


def test_the_price_form_reads_amounts_as_people_write_them(manager):
    sku = SkuFactory(price=Decimal("99.00"), cost=Decimal("40.00"))
    client = api(manager)

    response = client.post(reverse("catalog:sku-price", args=[sku.pk]), {"price": "¥1,299.00", "cost": "１２．５"})

    assert response.status_code == 302
    sku.refresh_from_db()
    assert (sku.price, sku.cost) == (Decimal("1299.00"), Decimal("12.50"))


def test_an_import_refuses_a_code_with_a_c0_control_character_instead_of_dropping_it(manager, shop, tmp_path):
    """The sheet reader used to strip \\x01 and ESC from every cell, so "P001-\\x01M" became the SKU "P001-M"."""
    rows = [["P001", "纯棉T恤", "T恤", "P001-\x01M", "", "M", "59.00", "第一行\x1b"]]
    before = written()

    report = import_catalog(actor=manager, shop=shop, file=write_csv(tmp_path / "c.csv", rows))

    assert [(e.line, e.column, e.code) for e in report.errors] == [(2, "商家编码", "bad_characters")]
    assert written() == before
