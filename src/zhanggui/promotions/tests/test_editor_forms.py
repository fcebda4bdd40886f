"""The promotion editor as forms (issue #15): every kind's spec → the form → the same spec; what a person types
wrong comes back next to the field (a bad tier names its row); the scope count; the catalog search; the editor
posting its fields instead of JSON."""

from __future__ import annotations

import json
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.datastructures import MultiValueDict

from zhanggui.catalog.models import ProductRole
from zhanggui.catalog.tests.factories import CategoryFactory, ProductFactory, ShopFactory, SkuFactory
from zhanggui.core.models import AuditEntry
from zhanggui.core.tests.pages import login
from zhanggui.promotions.models import Promotion
from zhanggui.promotions.offers import selectors, services
from zhanggui.promotions.offers.editor import EditorForm, SampleCartForm, keep_unchanged, posted, spec_initial
from zhanggui.promotions.picking import search_skus
from zhanggui.promotions.spec import Kind, parse_promotion

WINDOW = {"starts_at": "2026-12-12T20:00:00+08:00", "ends_at": "2026-12-13T02:00:00+08:00"}


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


# One spec of each kind, written as the form writes it (amounts with two decimals, defaults left out).
SPECS: dict[Kind, dict] = {
    Kind.PRICE_CUT: {"amount": "10.00", "scope": {"skus": ["A1", "A2"]}},
    Kind.DISCOUNT: {"rate": "8.5", "scope": {"categories": ["毛巾"], "exclude_skus": ["A1"]}},
    Kind.SPECIAL_PRICE: {"price": "59.00", "scope": {"products": ["P1"]}},
    Kind.MEMBER_PRICE: {"prices": {"gold": "80.00"}, "rates": {"silver": "9.5"}},
    Kind.MEMBER_DISCOUNT: {"min_past_spend": "5000.00", "rate": "9"},
    Kind.FLASH_SALE: {
        "price": "9.90",
        "per_buyer_cap": 2,
        "stock_cap": 100,
        "scope": {"skus": ["A1"]},
        "exclusive": True,
    },
    Kind.GROUP_BUY: {"price": "39.00", "min_buyers": 3, "joined": 1, "scope": {"roles": ["traffic"]}},
    Kind.SPEND_SAVE: {
        "tiers": [["300.00", "30.00"], ["500.00", "60.00"]],
        "repeat": {"every": "100.00", "off": "10.00", "cap": "80.00"},
        "scope": {"exclude_categories": ["赠品"]},
    },
    Kind.SPEND_DISCOUNT: {"tiers": [["300.00", "9"]], "stackable": True},
    Kind.QUANTITY_DISCOUNT: {"tiers": [[2, "9"], [3, "8"]]},
    Kind.QUANTITY_SAVE: {"tiers": [[2, "10.00"], [3, "20.00"]]},
    Kind.MULTIBUY: {"buy": 2, "free": 1},
    Kind.ANY_N_FOR: {"n": 3, "price": "99.00", "scope": {"skus": ["A1", "A2", "A3"]}},
    Kind.BUNDLE: {"items": [{"sku": "A1", "quantity": 1}, {"sku": "A2", "quantity": 2}], "price": "199.00"},
    Kind.GIFT: {
        "threshold": "199.00",
        "min_items": 2,
        "gift_sku": "G1",
        "gift_quantity": 1,
        "gift_stock": 100,
        "gift_value": "15.00",
        "stackable": False,
    },
    Kind.COUPON: {
        "codes": ["Q1", "Q2"],
        "rate": "9",
        "max_amount": "50.00",
        "min_spend": "199.00",
        "per_buyer_limit": 2,
        "combinable": True,
    },
}
assert set(SPECS) == set(Kind)


def full(kind: Kind, **params) -> dict:
    return {"id": f"{kind}-1", "kind": str(kind), "name": f"名 {kind}", **params, **WINDOW}


def through_the_form(raw: dict) -> EditorForm:
    """What the page sends when a person opens the spec in the form and saves without changing anything."""
    return EditorForm(MultiValueDict(posted(spec_initial(raw))))


@pytest.mark.django_db
@pytest.mark.parametrize("kind", list(Kind))
def test_every_kind_goes_from_spec_to_form_and_back_unchanged(kind):
    raw = full(kind, **SPECS[kind])
    parse_promotion(raw)  # the table above is a valid spec
    form = through_the_form(raw)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["spec"] == raw


@pytest.mark.django_db
def test_multibuy_nth_and_a_coupon_with_an_amount_go_back_unchanged():
    for raw in (
        full(Kind.MULTIBUY, nth=2, rate="5"),
        full(Kind.COUPON, codes=["SHOP20"], amount="20.00", per_buyer_limit=1),
    ):
        form = through_the_form(raw)
        assert form.is_valid(), form.errors
        assert form.cleaned_data["spec"] == raw


@pytest.mark.django_db
def test_amounts_are_shown_with_two_decimals_and_an_untouched_save_keeps_how_the_spec_wrote_them():
    raw = full(Kind.SPEND_SAVE, tiers=[["300", "30"]], stackable=False)
    initial = spec_initial(raw)
    assert initial["tiers"] == [{"threshold": "300.00", "benefit": "30.00"}]
    form = EditorForm(MultiValueDict(posted(initial)))
    assert form.is_valid(), form.errors
    built = form.cleaned_data["spec"]
    assert built["tiers"] == [["300.00", "30.00"]] and "stackable" not in built
    assert keep_unchanged(built, raw) == raw  # same meaning: stored as it was, so no update is written
    changed = {**built, "tiers": [["300.00", "40.00"]]}
    assert keep_unchanged(changed, raw)["tiers"] == [["300.00", "40.00"]]
    assert keep_unchanged({**built, "name": "新"}, raw)["name"] == "新"


def post_of(kind: Kind, **change) -> dict:
    data = posted(spec_initial(full(kind, **SPECS[kind])))
    data.update({k: v if isinstance(v, list) else [v] for k, v in change.items()})
    return data


def errors_of(data: dict) -> dict:
    form = EditorForm(MultiValueDict(data))
    assert not form.is_valid()
    return form.errors


@pytest.mark.django_db
def test_a_bad_tier_says_which_row_and_keeps_what_was_typed():
    data = post_of(Kind.SPEND_SAVE, **{"tiers-threshold": ["300", "500"], "tiers-benefit": ["30", "6o"]})
    form = EditorForm(MultiValueDict(data))
    assert not form.is_valid()
    assert form.errors["tiers"] == ["Row 2: Off (¥): Enter an amount in yuan, such as 300 or 29.90."]
    table = form.table("tiers")
    assert [bad for _i, _cells, bad in table.rows] == [False, True]
    assert 'value="6o"' in str(table.rows[1][1][1])


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kind", "change", "field", "message"),
    [
        (
            Kind.DISCOUNT,
            {"rate": "12"},
            "rate",
            "Enter the tenths of the price paid, between 0 and 10, such as 8.5 (15% off).",
        ),
        (Kind.PRICE_CUT, {"amount": "-1"}, "amount", "Enter an amount in yuan, such as 300 or 29.90."),
        (Kind.PRICE_CUT, {"amount": "1.234"}, "amount", "Enter an amount in yuan, such as 300 or 29.90."),
        (
            Kind.SPEND_SAVE,
            {"tiers-threshold": [], "tiers-benefit": [], "repeat_every": "", "repeat_off": "", "repeat_cap": ""},
            "tiers",
            "Add a tier (满 X 减 Y), or fill 每满 X 减 Y below.",
        ),
        (Kind.SPEND_SAVE, {"repeat_off": ""}, "repeat_off", "This field is required."),
        (
            Kind.QUANTITY_DISCOUNT,
            {"tiers-threshold": ["2", "0"]},
            "tiers",
            "Row 2: Items: Ensure this value is greater than or equal to 1.",
        ),
        (Kind.MULTIBUY, {"multibuy_mode": "nth", "nth": "", "rate": "5"}, "nth", "This field is required."),
        (Kind.ANY_N_FOR, {"n": "1"}, "n", "Ensure this value is greater than or equal to 2."),
        (Kind.BUNDLE, {"items-sku": ["A1", "A1"]}, "items", "Each SKU once: for two of a SKU, set its quantity to 2."),
        (Kind.BUNDLE, {"items-sku": ["A1", ""], "items-quantity": ["1", ""]}, "items", "Fill at least 2 rows."),
        (
            Kind.GIFT,
            {"threshold": "", "min_items": ""},
            "threshold",
            "Enter a minimum spend or a minimum number of items.",
        ),
        (Kind.COUPON, {"codes": ""}, "codes", "This field is required."),
        (
            Kind.COUPON,
            {"coupon_mode": "amount", "amount": "20"},
            "max_amount",
            "Only a coupon with a rate has a maximum.",
        ),
        (
            Kind.MEMBER_PRICE,
            {"members-tier": ["gold"], "members-how": ["rate"], "members-value": ["80.00"]},
            "members",
            "Row 1: Enter the tenths of the price paid, between 0 and 10, such as 8.5 (15% off).",
        ),
        (
            Kind.PRICE_CUT,
            {"scope_mode": "skus", "scope_skus": []},
            "scope_mode",
            "Pick at least one item from the catalog, or choose the whole shop.",
        ),
        (
            Kind.PRICE_CUT,
            {"code": "bad\u200bcode"},
            "code",
            "'bad\\u200bcode' holds the invisible or control character U+200B ZERO WIDTH SPACE",
        ),
    ],
)
def test_invalid_input_comes_back_as_an_error_next_to_its_field(kind, change, field, message):
    assert errors_of(post_of(kind, **change)).get(field) == [message]


@pytest.mark.django_db
def test_the_window_is_asked_for_when_saving_but_not_for_the_preview():
    data = post_of(Kind.DISCOUNT, starts_at="", ends_at="")
    assert EditorForm(MultiValueDict(data)).errors == {
        "starts_at": ["Enter when the promotion starts."],
        "ends_at": ["Enter when the promotion ends."],
    }
    assert EditorForm(MultiValueDict(data), require_window=False).is_valid()


# --------------------------------------------------------------------------------------------------------
# Selectors: the scope count, the catalog search, the sample cart's lines
# --------------------------------------------------------------------------------------------------------


@pytest.fixture
def catalog():
    shop, other = ShopFactory(code="tm"), ShopFactory(code="jd")
    towels, cups = CategoryFactory(name="毛巾"), CategoryFactory(name="杯子")
    towel = ProductFactory(shop=shop, code="P-TW", title="纯棉毛巾", category=towels, role=ProductRole.TRAFFIC)
    cup = ProductFactory(shop=shop, code="P-CUP", title="马克杯", category=cups)
    SkuFactory(product=towel, code="TW-1", price=Decimal("29.90"))
    SkuFactory(product=towel, code="TW-2", price=Decimal("39.90"))
    SkuFactory(product=cup, code="CUP-1", price=Decimal("49.00"))
    SkuFactory(product=ProductFactory(shop=other, category=towels), code="TW-9")  # another shop's towel
    return shop


@pytest.mark.django_db
def test_scope_reach_counts_the_shops_skus_the_scope_reaches(catalog):
    shop = catalog
    assert selectors.scope_reach({}, shop) == 3
    assert selectors.scope_reach({}, None) == 4
    assert selectors.scope_reach({"categories": ["毛巾"]}, shop) == 2
    assert selectors.scope_reach({"categories": ["毛巾"]}, None) == 3
    assert selectors.scope_reach({"categories": ["毛巾"], "exclude_skus": ["TW-1"]}, shop) == 1
    assert selectors.scope_reach({"products": ["P-CUP"], "skus": ["TW-2"]}, shop) == 2
    assert selectors.scope_reach({"roles": ["traffic"]}, shop) == 2
    assert selectors.scope_reach({"skus": ["NOPE"]}, shop) == 0
    assert selectors.scope_reach({"exclude_categories": ["杯子"]}, shop) == 2
    assert selectors.scope_reach({"colours": ["red"]}, shop) is None


@pytest.mark.django_db
def test_catalog_search_finds_categories_products_and_skus_by_code_or_name(catalog):
    shop = catalog
    found = selectors.catalog_matches(shop=shop, query="毛巾")
    assert [(m.type, m.code) for m in found] == [
        ("categories", "毛巾"),
        ("products", "P-TW"),
        ("skus", "TW-1"),
        ("skus", "TW-2"),
    ]
    assert [m.code for m in selectors.catalog_matches(shop=shop, query="cup", types=("skus",))] == ["CUP-1"]
    assert selectors.catalog_matches(shop=shop, query="CUP-1", types=("skus",))[0].detail == "¥49.00"
    assert [m.code for m in selectors.catalog_matches(shop=shop, query="", types=("categories",))] == ["杯子", "毛巾"]
    assert [m.code for m in selectors.catalog_matches(shop=shop, query="traffic", types=("roles",))] == ["traffic"]
    assert len(selectors.catalog_matches(shop=shop, query="", limit=2)) == 2


@pytest.mark.django_db
def test_the_editors_sku_search_is_the_one_sku_search_of_the_promotion_pages(catalog):
    """catalog_matches finds SKUs through picking.search_skus: the same fields (code, spec, product code and
    title, the whole barcode) and the same catalog order (shop, product, code), so a product's SKUs stay
    together; an empty query lists no SKU."""
    shop = catalog
    bath = ProductFactory(shop=shop, code="P-A", title="浴巾")
    SkuFactory(product=bath, code="ZZ-1", spec="颜色:蓝", barcode="6901234567890", price=Decimal("59.00"))

    def both(query: str) -> list[str]:
        editor = [m.code for m in selectors.catalog_matches(shop=shop, query=query, types=("skus",))]
        assert editor == [s.code for s in search_skus(q=query, shop=shop)]
        return editor

    assert both("1") == ["ZZ-1", "CUP-1", "TW-1"]  # P-A, P-CUP, P-TW: catalog order, not code order
    assert both("P-TW") == ["TW-1", "TW-2"]  # by the product's code
    assert both("蓝") == ["ZZ-1"]  # by the spec
    assert both("6901234567890") == ["ZZ-1"]  # the whole barcode
    assert both("690123") == []  # never a part of one
    assert both("") == [] and both("   ") == []
    found = selectors.catalog_matches(shop=shop, query="浴巾", types=("skus",))
    assert [(m.code, m.label, m.detail) for m in found] == [("ZZ-1", "浴巾 颜色:蓝", "¥59.00")]
    assert [m.code for m in selectors.catalog_matches(shop=shop, query="1", types=("skus",), limit=1)] == ["ZZ-1"]
    # every shop's: jd's TW-9 before tm's towels
    assert [m.code for m in selectors.catalog_matches(shop=None, query="TW-", types=("skus",))] == [
        "TW-9",
        "TW-1",
        "TW-2",
    ]


@pytest.mark.django_db
def test_sku_titles_name_the_picked_codes_the_catalog_has(catalog):
    assert selectors.sku_titles(["TW-1", "NOPE", ""], catalog) == {"TW-1": "纯棉毛巾 颜色:白;尺码:M"}
    assert selectors.sku_titles(["TW-9"], catalog) == {}  # another shop's
    assert set(selectors.sku_titles(["TW-9", "CUP-1"], None)) == {"TW-9", "CUP-1"}
    assert selectors.sku_titles([], catalog) == {}


@pytest.mark.django_db
def test_sample_lines_take_price_product_and_category_from_the_catalog(catalog):
    found = selectors.sample_lines(shop=catalog, rows=[("TW-2", 2), ("TW-9", 1)])
    assert found.lines == [
        {
            "sku": "TW-2",
            "quantity": 2,
            "unit_price": "39.90",
            "product": "P-TW",
            "category": "毛巾",
            "role": "traffic",
        }
    ]
    assert found.problems == ["Row 2: no SKU TW-9 in this shop."]
    assert selectors.default_cart_skus({"categories": ["毛巾"]}, catalog) == ["TW-2", "TW-1"]


# --------------------------------------------------------------------------------------------------------
# Views: posting the fields, the catalog endpoint, the preview from the fields, loading JSON into the form
# --------------------------------------------------------------------------------------------------------


def editor_post(raw: dict, **change) -> dict:
    data = posted(spec_initial(raw))
    data["starts_at"], data["ends_at"] = ["2026-12-12T20:00"], ["2026-12-13T02:00"]
    data.update({k: v if isinstance(v, list) else [v] for k, v in change.items()})
    return data


@pytest.mark.django_db
def test_the_operator_saves_the_fields_and_the_stored_spec_is_the_one_they_build(client, users, catalog):
    login(client, users["operator"])
    raw = full(Kind.SPEND_SAVE, tiers=[["300.00", "30.00"]], scope={"categories": ["毛巾"]})
    data = editor_post(raw, shop=str(catalog.pk), **{"tiers-threshold": ["300", "500"], "tiers-benefit": ["30", "60"]})
    response = client.post(reverse("promotions:promotion-new"), data)
    assert response.status_code == 302, response.context["form"].errors
    promotion = Promotion.objects.get()
    assert promotion.shop == catalog
    assert promotion.spec == {
        **raw,
        "tiers": [["300.00", "30.00"], ["500.00", "60.00"]],
        "starts_at": "2026-12-12T20:00:00+08:00",
        "ends_at": "2026-12-13T02:00:00+08:00",
    }
    # reopened: the same values in the fields; saved untouched: nothing written
    page = client.get(reverse("promotions:promotion-detail", args=[promotion.pk]))
    editor = page.context["editor"]
    assert editor.initial["tiers"] == [
        {"threshold": "300.00", "benefit": "30.00"},
        {"threshold": "500.00", "benefit": "60.00"},
    ]
    assert editor.initial["scope_categories"] == ["毛巾"] and page.context["reach"] == 2
    again = editor_post(promotion.spec, shop=str(catalog.pk))
    assert client.post(reverse("promotions:promotion-detail", args=[promotion.pk]), again).status_code == 302
    assert not AuditEntry.objects.filter(action="promotion.update").exists()


@pytest.mark.django_db
def test_a_bad_row_comes_back_with_everything_typed_and_the_row_named(client, users):
    login(client, users["operator"])
    raw = full(Kind.SPEND_SAVE, tiers=[["300.00", "30.00"]])
    data = editor_post(raw, name="双11", **{"tiers-threshold": ["300", "500"], "tiers-benefit": ["30", "x"]})
    response = client.post(reverse("promotions:promotion-new"), data)
    assert response.status_code == 422
    html = response.content.decode()
    assert "Row 2: Off (¥): Enter an amount in yuan" in html
    assert 'value="x"' in html and 'value="双11"' in html and 'value="500"' in html
    assert not Promotion.objects.exists()


@pytest.mark.django_db
def test_a_taken_code_is_said_next_to_the_code(client, users):
    raw = full(Kind.DISCOUNT, rate="9")
    services.create_promotion(actor=users["operator"], shop=None, raw_spec=raw)
    login(client, users["operator"])
    response = client.post(reverse("promotions:promotion-new"), editor_post(raw))
    assert response.status_code == 422 and "already exists" in response.context["form"].errors["code"][0]


@pytest.mark.django_db
def test_a_role_without_the_right_cannot_save_the_fields(client, users):
    login(client, users["service"])
    response = client.post(reverse("promotions:promotion-new"), editor_post(full(Kind.DISCOUNT, rate="9")))
    assert response.status_code == 403 and not Promotion.objects.exists()


@pytest.mark.django_db
def test_the_catalog_endpoint_answers_chips_or_sku_options(client, users, catalog):
    login(client, users["designer"])
    url = reverse("promotions:editor-catalog")
    html = client.get(url, {"q": "毛巾", "for": "scope", "scope_mode": "categories", "shop": catalog.pk}).content
    html = html.decode()
    assert 'data-pick="scope_categories"' in html and 'data-value="毛巾"' in html and "P-TW" not in html
    html = client.get(url, {"q": "TW", "for": "exclude", "shop": catalog.pk}).content.decode()
    assert 'data-pick="exclude_skus"' in html and 'data-value="TW-1"' in html and "TW-9" not in html
    html = client.get(url, {"q": "TW", "for": "sku", "shop": catalog.pk}).content.decode()
    assert 'data-pick="sku"' in html and 'data-value="TW-1"' in html and 'data-title="纯棉毛巾 颜色:白;尺码:M"' in html
    assert "TW-9" not in html and 'data-pick="scope' not in html and "Category" not in html
    html = client.get(url, {"q": " ", "for": "sku", "shop": catalog.pk}).content.decode()
    assert "data-pick" not in html and "Type a code or a name to search the catalog." in html
    html = client.get(url, {"q": "NOPE", "for": "sku", "shop": catalog.pk}).content.decode()
    assert "Nothing in the catalog matches." in html


@pytest.mark.django_db
def test_the_preview_from_the_fields_prices_the_picked_cart_and_keeps_the_json_in_step(client, users, catalog):
    login(client, users["operator"])
    raw = full(Kind.ANY_N_FOR, n=2, price="50.00", scope={"categories": ["毛巾"]})
    data = editor_post(raw, shop=str(catalog.pk), **{"lines-sku": ["TW-1", "TW-2"], "lines-quantity": ["1", "1"]})
    response = client.post(reverse("promotions:preview"), data, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert response.context["preview"]["with"]["totals"]["payable"] == "50.00"  # 29.90 + 39.90 → 2 for 50
    assert response.context["reach"] == 2
    html = response.content.decode()
    assert 'id="scope-reach" hx-swap-oob="true"' in html
    shown = json.loads(response.context["spec_text"])
    assert shown == {k: v for k, v in raw.items() if k not in WINDOW}
    assert json.loads(response.context["cart_text"])["lines"][0]["sku"] == "TW-1"

    bad = {**data, "lines-sku": ["NOPE"], "lines-quantity": ["1"]}
    response = client.post(reverse("promotions:preview"), bad, HTTP_HX_REQUEST="true")
    assert "Row 1: no SKU NOPE in this shop." in response.content.decode()


@pytest.mark.django_db
def test_load_into_the_form_fills_the_fields_from_the_json(client, users):
    login(client, users["operator"])
    data = editor_post(full(Kind.SPEND_SAVE, tiers=[["300.00", "30.00"]]))
    coupon = {"id": "q9", "kind": "coupon", "codes": ["Q9"], "rate": "9", "max_amount": "30"}
    data.update({"action": ["load"], "spec": [json.dumps(coupon)]})
    response = client.post(reverse("promotions:promotion-new"), data)
    assert response.status_code == 200 and not Promotion.objects.exists()
    editor = response.context["editor"]
    assert editor.picked_kind == Kind.COUPON
    assert (editor.initial["coupon_mode"], editor.initial["rate"], editor.initial["max_amount"]) == (
        "rate",
        "9",
        "30.00",
    )
    assert editor.initial["starts_at"] is not None  # the window of the fields, the JSON having none

    data["spec"] = ["{not json"]
    response = client.post(reverse("promotions:promotion-new"), data)
    assert response.status_code == 422 and "Not valid JSON" in response.context["form"].errors["spec"][0]
    assert 'value="300.00"' in response.content.decode()  # the fields as they were


@pytest.mark.django_db
def test_switching_the_kind_gives_its_fields_and_keeps_the_rest(client, users):
    login(client, users["operator"])
    data = editor_post(full(Kind.SPEND_SAVE, tiers=[["300.00", "30.00"]]), name="我的活动")
    data.update({"action": ["kind"], "kind": ["any_n_for"]})
    response = client.post(reverse("promotions:promotion-new"), data, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200 and 'data-kind="any_n_for"' in html
    assert 'name="n"' in html and 'name="tiers-threshold"' not in html
    response = client.post(reverse("promotions:promotion-new"), data)
    assert 'value="我的活动"' in response.content.decode()
    data["kind"] = ["coupon"]  # filled as the kind's starter, so that it prices at once
    html = client.post(reverse("promotions:promotion-new"), data, HTTP_HX_REQUEST="true").content.decode()
    assert 'name="per_buyer_limit" value="1"' in html and "SHOP20</textarea>" in html


def test_the_sample_cart_form_leaves_empty_rows_out():
    form = SampleCartForm(MultiValueDict({"lines-sku": ["A", ""], "lines-quantity": ["2", ""]}))
    assert form.is_valid() and form.cleaned_data["lines"] == [{"sku": "A", "quantity": 2}]


# --------------------------------------------------------------------------------------------------------
# SKU fields picked from the catalog: bundle items, the gift, the sample cart
# --------------------------------------------------------------------------------------------------------


def picked(html: str, name: str) -> list[tuple[str, str]]:
    """The SKU chips of the SKU fields called `name` in the page: (code, title) in page order; the title of a
    code the catalog does not have is ""."""
    found = re.findall(
        rf'<input type="hidden" name="{re.escape(name)}" value="([^"]*)"[^>]*>(?:<span class="chip" data-value="[^"]*">'
        r'<code>[^<]*</code> (?:<span class="chip-title">([^<]*)</span>|<span class="muted">[^<]*</span>))?',
        html,
    )
    return [(code, title) for code, title in found if code]


@pytest.mark.django_db
def test_a_bundle_picked_from_the_catalog_is_saved_and_comes_back_as_chips_after_an_error(client, users, catalog):
    login(client, users["operator"])
    raw = full(Kind.BUNDLE, items=[{"sku": "TW-1", "quantity": 2}, {"sku": "CUP-1", "quantity": 1}], price="99.00")
    data = editor_post(raw, shop=str(catalog.pk), price="9x", **{"items-sku-find": ["", "马克"]})
    response = client.post(reverse("promotions:promotion-new"), data)
    assert response.status_code == 422 and not Promotion.objects.exists()
    html = response.content.decode()
    assert picked(html, "items-sku") == [("TW-1", "纯棉毛巾 颜色:白;尺码:M"), ("CUP-1", "马克杯 颜色:白;尺码:M")]
    assert 'name="items-sku-find" value="马克"' in html  # what was typed in a search box stays too
    assert 'name="price" value="9x"' in html

    data["price"] = ["99"]
    assert client.post(reverse("promotions:promotion-new"), data).status_code == 302
    promotion = Promotion.objects.get()
    assert promotion.spec["items"] == [{"sku": "TW-1", "quantity": 2}, {"sku": "CUP-1", "quantity": 1}]
    html = client.get(reverse("promotions:promotion-detail", args=[promotion.pk])).content.decode()
    assert picked(html, "items-sku") == [("TW-1", "纯棉毛巾 颜色:白;尺码:M"), ("CUP-1", "马克杯 颜色:白;尺码:M")]
    assert 'list="sku-options"' not in html and "<datalist" not in html


@pytest.mark.django_db
def test_an_item_row_without_a_picked_sku_is_named_and_keeps_its_search_text(client, users, catalog):
    login(client, users["operator"])
    raw = full(Kind.BUNDLE, items=[{"sku": "TW-1", "quantity": 1}, {"sku": "TW-2", "quantity": 1}], price="99.00")
    data = editor_post(raw, shop=str(catalog.pk), **{"items-sku": ["TW-1", ""], "items-sku-find": ["", "杯"]})
    response = client.post(reverse("promotions:promotion-new"), data)
    assert response.status_code == 422
    assert response.context["form"].errors["items"] == ["Row 2: SKU: This field is required."]
    html = response.content.decode()
    assert picked(html, "items-sku") == [("TW-1", "纯棉毛巾 颜色:白;尺码:M")]
    assert 'name="items-sku-find" value="杯"' in html


@pytest.mark.django_db
def test_the_gift_is_a_picked_sku_kept_through_an_error(client, users, catalog):
    login(client, users["operator"])
    raw = full(Kind.GIFT, threshold="199.00", gift_sku="CUP-1", gift_quantity=1)
    data = editor_post(raw, shop=str(catalog.pk), threshold="abc")
    response = client.post(reverse("promotions:promotion-new"), data)
    assert response.status_code == 422
    html = response.content.decode()
    assert picked(html, "gift_sku") == [("CUP-1", "马克杯 颜色:白;尺码:M")]
    # the field is not inside a <label>: a click on its chip would press the chip's remove button
    assert re.search(r'<div class="field sku-field[^"]*"[^>]*><span id="label-gift_sku">Gift SKU</span>', html)
    data["threshold"] = ["199"]
    assert client.post(reverse("promotions:promotion-new"), data).status_code == 302
    assert Promotion.objects.get().spec["gift_sku"] == "CUP-1"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "raw",
    [
        full(Kind.BUNDLE, items=[{"sku": "TW-2", "quantity": 1}, {"sku": "CUP-1", "quantity": 3}], price="88.00"),
        full(Kind.GIFT, min_items=2, gift_sku="TW-1", gift_quantity=2, gift_stock=5),
    ],
    ids=["bundle", "gift"],
)
def test_picked_skus_round_trip_through_the_json_view(client, users, catalog, raw):
    """The preview writes the fields' spec into the JSON view; "Load into the form" puts it back into the fields
    (SKUs as chips with their titles); saving then stores that spec."""
    login(client, users["operator"])
    data = editor_post(raw, shop=str(catalog.pk))
    response = client.post(reverse("promotions:preview"), data, HTTP_HX_REQUEST="true")
    shown = json.loads(response.context["spec_text"])
    assert shown == {k: v for k, v in raw.items() if k not in WINDOW}
    blank = editor_post(full(Kind.SPEND_SAVE, tiers=[["300.00", "30.00"]]), shop=str(catalog.pk))
    response = client.post(reverse("promotions:promotion-new"), {**blank, "action": "load", "spec": json.dumps(shown)})
    assert response.status_code == 200
    editor = response.context["editor"]
    assert editor.picked_kind == Kind(raw["kind"])
    html = response.content.decode()
    name, codes = ("items-sku", [i["sku"] for i in raw["items"]]) if "items" in raw else ("gift_sku", [raw["gift_sku"]])
    assert [code for code, _title in picked(html, name)] == codes
    assert all(title for _code, title in picked(html, name))
    again = {**posted(editor.initial), "starts_at": blank["starts_at"], "ends_at": blank["ends_at"]}
    assert client.post(reverse("promotions:promotion-new"), again).status_code == 302
    assert Promotion.objects.get().spec == {**raw, **WINDOW}


@pytest.mark.django_db
def test_a_code_the_catalog_does_not_have_shows_as_such(client, users, catalog):
    login(client, users["operator"])
    data = editor_post(full(Kind.SPEND_SAVE, tiers=[["300.00", "30.00"]]), shop=str(catalog.pk))
    bundle = {"kind": "bundle", "items": [{"sku": "TW-1", "quantity": 1}, {"sku": "GONE", "quantity": 1}]}
    response = client.post(
        reverse("promotions:promotion-new"), {**data, "action": "load", "spec": json.dumps({**bundle, "price": "9"})}
    )
    html = response.content.decode()
    assert picked(html, "items-sku") == [("TW-1", "纯棉毛巾 颜色:白;尺码:M"), ("GONE", "")]
    assert '<code>GONE</code> <span class="muted">not in the catalog</span>' in html


@pytest.mark.django_db
def test_json_that_does_not_load_stays_as_typed_and_the_fields_as_they_were(client, users, catalog):
    login(client, users["operator"])
    raw = full(Kind.BUNDLE, items=[{"sku": "TW-1", "quantity": 2}, {"sku": "CUP-1", "quantity": 1}], price="99.00")
    data = editor_post(raw, shop=str(catalog.pk), action="load", spec='{"kind": "bundle", oops')
    response = client.post(reverse("promotions:promotion-new"), data)
    assert response.status_code == 422 and not Promotion.objects.exists()
    assert "Not valid JSON" in response.context["form"].errors["spec"][0]
    html = response.content.decode()
    assert picked(html, "items-sku") == [("TW-1", "纯棉毛巾 颜色:白;尺码:M"), ("CUP-1", "马克杯 颜色:白;尺码:M")]
    # the box is marked as the person's, so the preview that follows does not write the form's JSON over it
    assert re.search(r'<textarea name="spec" id="id_spec"[^>]* data-edited="1">\{&quot;kind&quot;: &quot;bundle', html)
    assert '<small class="error" id="spec-edited">' in html
    # a page without such an error has the box in step with the form, the note hidden
    html = client.get(reverse("promotions:promotion-new")).content.decode()
    assert "data-edited" not in html and '<small class="error" id="spec-edited" hidden>' in html


@pytest.mark.django_db
def test_an_approved_promotion_opens_read_only_with_its_skus_as_chips(client, users, catalog):
    raw = full(Kind.BUNDLE, items=[{"sku": "TW-1", "quantity": 2}, {"sku": "CUP-1", "quantity": 1}], price="99.00")
    promotion = services.create_promotion(actor=users["operator"], shop=catalog, raw_spec=raw)
    promotion = services.submit_promotion(actor=users["operator"], promotion=promotion)
    if promotion.state != "approved":
        promotion = services.approve_promotion(actor=users["manager"], promotion=promotion)
    login(client, users["operator"])
    response = client.get(reverse("promotions:promotion-detail", args=[promotion.pk]))
    html = response.content.decode()
    assert response.context["fields_editable"] is False and response.context["can_edit"] is False
    body = html[html.index('<div id="editor-body">') : html.index('id="sample-cart"')]
    assert '<fieldset class="plain-set" disabled>' in body
    assert picked(body, "items-sku") == [("TW-1", "纯棉毛巾 颜色:白;尺码:M"), ("CUP-1", "马克杯 颜色:白;尺码:M")]
    for editing in ("data-sku-search", "data-remove", "data-remove-row", "data-add-row", 'class="picker"'):
        assert editing not in body, editing
    assert 'id="save-promotion"' not in html and 'id="load-json"' not in html
    # the sample cart is only for the preview: it stays open to other SKUs
    cart = html[html.index('id="sample-cart"') : html.index('id="advanced"')]
    assert "data-sku-search" in cart and 'data-add-row="lines"' in cart
