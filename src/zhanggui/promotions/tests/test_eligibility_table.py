"""The eligibility check's table: SKUs picked from the catalog (one SKU, a product, a category, every SKU on
sale) become rows with the desk's facts filled in; the activity price, quantity and free shipping are typed per
row, a fact can be given in place of the desk's; a row that cannot be read comes back as typed with its error."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone, translation

from zhanggui.catalog.models import ListingStatus, Sku
from zhanggui.catalog.tests.factories import CategoryFactory, ShopFactory, SkuFactory
from zhanggui.core.models import AuditEntry
from zhanggui.core.services import record_audit
from zhanggui.core.tests.pages import login
from zhanggui.inventory import services as stock
from zhanggui.inventory.models import MoveReason
from zhanggui.inventory.tests.factories import WarehouseFactory
from zhanggui.promotions.campaigns import services
from zhanggui.promotions.campaigns.eligibility import Offer, parse_campaign
from zhanggui.promotions.campaigns.table import new_rows, read_rows, windows_of
from zhanggui.promotions.picking import picked_skus, search_skus

pytestmark = pytest.mark.django_db
LISTED = {"listing_status": ListingStatus.LISTED, "product__listing_status": ListingStatus.LISTED}
HTMX = {"HTTP_HX_REQUEST": "true"}
RULES = {
    "id": "cyh-0618",
    "name": "超优汇 6月场",
    "rules": [
        {"kind": "min_sales", "days": 30, "units": 10},
        {"kind": "offer_quantity", "min": 50, "max": 300},
        {"kind": "price_not_above_recent_average", "days": 30},
        {"kind": "free_shipping"},
    ],
}


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def _price_change(sku: Sku, before: str, after: str, days_ago: int) -> None:
    entry = record_audit(
        actor=None, action="sku.price", obj=sku, before={"price": Decimal(before)}, after={"price": Decimal(after)}
    )
    AuditEntry.objects.filter(pk=entry.pk).update(at=timezone.now() - timedelta(days=days_ago))


@pytest.fixture
def shop(system):
    """tm, ¥100 SKUs on sale for 60 days: towels A (sold 12 in 30 days; ¥80 until 10 days ago, so its 30-day
    average is ¥86.66 and lowest ¥80) and B (sold 7); sheet S; C a draft towel; another shop's towel X."""
    shop = ShopFactory(code="tm", name="天猫店")
    towels, sheets = CategoryFactory(name="毛巾"), CategoryFactory(name="床单")
    warehouse = WarehouseFactory()
    for code, sold, category, listed in (
        ("A", 12, towels, True),
        ("B", 7, towels, True),
        ("S", 0, sheets, True),
        ("C", 0, towels, False),
    ):
        sku = SkuFactory(
            product__shop=shop,
            product__category=category,
            code=code,
            price=Decimal("100.00"),
            **(LISTED if listed else {}),
        )
        Sku.objects.filter(pk=sku.pk).update(created_at=timezone.now() - timedelta(days=60))
        stock.book_move(actor=system, sku=sku, warehouse=warehouse, quantity=300, reason=MoveReason.PURCHASE_RECEIPT)
        if sold:
            stock.book_move(actor=system, sku=sku, warehouse=warehouse, quantity=-sold, reason=MoveReason.SALE_ISSUE)
    _price_change(shop.skus.get(code="A"), "80.00", "100.00", 10)
    SkuFactory(product__shop=ShopFactory(code="jd"), product__category=towels, code="X", **LISTED)
    return shop


def codes(rows) -> list[str]:
    return [getattr(r, "sku", r).code for r in rows]


# --------------------------------------------------------------------------------------------------------
# Picking and the facts
# --------------------------------------------------------------------------------------------------------


def test_a_pick_adds_one_sku_a_product_a_category_or_every_sku_on_sale_leaving_out_those_in_the_table(shop):
    towels = shop.skus.get(code="A").product.category
    assert codes(picked_skus(shop=shop, category=towels)) == ["A", "B"]  # on sale only: not the draft C
    assert codes(picked_skus(shop=None, category=towels)) == ["X", "A", "B"]  # every shop: jd's X too
    assert codes(picked_skus(shop=shop, every=True)) == ["A", "B", "S"]
    c = shop.skus.get(code="C")
    assert codes(picked_skus(shop=shop, sku_ids=[c.pk])) == ["C"]  # named: on sale or not
    assert codes(picked_skus(shop=shop, product=c.product)) == ["C"]
    a = shop.skus.get(code="A")
    assert codes(picked_skus(shop=shop, every=True, leave_out=[a.pk])) == ["B", "S"]
    x = Sku.objects.get(code="X")
    assert picked_skus(shop=shop, sku_ids=[x.pk]) == []  # not the campaign shop's
    assert codes(search_skus(q="S", shop=shop)) == ["S"]


def test_rows_of_picked_skus_carry_the_facts_for_the_campaigns_windows(shop):
    windows = windows_of(
        parse_campaign({**RULES, "rules": [*RULES["rules"], {"kind": "min_sales", "days": 7, "units": 1}]})
    )
    assert windows == [7, 30]
    assert windows_of(None) == [30]
    a, b = new_rows(picked_skus(shop=shop, every=True)[:2], windows=windows)
    assert (a.sku.code, a.facts.sales, a.facts.available) == ("A", {7: 12, 30: 12}, 288)
    assert a.facts.average_price[30] == Decimal("86.66")  # ¥80 × 20 days + ¥100 × 10 days, rounded down
    assert (a.facts.lowest_price[30], a.facts.lowest_price[7]) == (Decimal("80.00"), Decimal("100.00"))
    assert (b.facts.sales[30], b.facts.lowest_price[30], b.facts.reviews) == (7, Decimal("100.00"), None)
    cells = a.known()
    assert [(c["days"], c["sales"], c["sales_input"]) for c in cells] == [
        (7, 12, f"sales-{a.sku.pk}-7"),
        (30, 12, f"sales-{a.sku.pk}-30"),
    ]


def table(rows: dict[str, str | list[str]]) -> QueryDict:
    query = QueryDict(mutable=True)
    for key, value in rows.items():
        query.setlist(key, value if isinstance(value, list) else [value])
    return query


def test_rows_read_back_with_what_was_typed_and_an_error_per_input(shop):
    a, b = (shop.skus.get(code=c) for c in "AB")
    rows, problems = read_rows(
        table(
            {
                "sku": [str(b.pk), str(a.pk), str(b.pk)],  # B twice: once
                f"price-{a.pk}": "79.00",
                f"quantity-{a.pk}": "100",
                f"free-{a.pk}": "1",
                f"reviews-{a.pk}": "8",
                f"sales-{a.pk}-30": "15",
                f"price-{b.pk}": "7.9x",
                f"quantity-{b.pk}": "",
                f"available-{b.pk}": "-1",
            }
        ),
        shop=shop,
        windows=[30],
    )
    assert problems == [] and codes(rows) == ["B", "A"]
    second, first = rows
    assert first.errors == [] and first.offer is not None
    assert (first.offer.offer.price, first.offer.offer.quantity, first.offer.offer.free_shipping) == (
        Decimal("79.00"),
        100,
        True,
    )
    assert (first.offer.reviews, first.offer.sales, first.offer.available) == (8, {30: 15}, None)
    assert (second.price, second.quantity, second.available, second.offer) == ("7.9x", "", "-1", None)
    assert second.errors == [
        "Activity price: not an amount: '7.9x'",
        "Quantity: type how many units you offer.",
        "Available stock: not a whole number: '-1'",
    ]
    x = Sku.objects.get(code="X")
    rows, problems = read_rows(table({"sku": [str(x.pk)]}), shop=shop, windows=[30])
    assert rows == [] and problems == ["A SKU of the table is not in this shop's catalog any more: pick it again."]


def test_a_fact_given_in_place_of_the_desks_is_the_one_checked(shop, campaign):
    """B sold 7 of the 10 units the rule asks; the person knows of 15 sold elsewhere."""
    b, stored = shop.skus.get(code="B"), campaign
    offer = Offer(price=Decimal("90.00"), quantity=100, free_shipping=True)
    plain = services.check_campaign_skus(campaign=stored, offers=[services.SkuOffer(b, offer)])
    assert plain.rows[0].failed == ["min_sales"]
    told = services.check_campaign_skus(
        campaign=stored, offers=[services.SkuOffer(b, offer, sales={30: 15}, average_price={30: Decimal("95.00")})]
    )
    assert told.rows[0].eligible and told.rows[0].facts.sales == {30: 15}


# --------------------------------------------------------------------------------------------------------
# The stored campaign's check page
# --------------------------------------------------------------------------------------------------------


@pytest.fixture
def campaign(shop, users):
    return services.create_campaign(actor=users["operator"], shop=shop, raw_spec=RULES)


def test_the_picker_adds_a_category_and_a_sku_as_rows_with_the_facts(client, users, shop, campaign):
    login(client, users["service"])
    url = reverse("promotions:campaign-check", args=[campaign.pk])
    page = client.get(url).content.decode()
    assert 'id="pick-rows"' in page and '<details id="paste-rows">' in page  # pasting is folded away
    towels = shop.skus.get(code="A").product.category
    response = client.get(url, {"part": "rows", "pick_category": towels.pk}, **HTMX)
    assert codes(response.context["rows"]) == ["A", "B"]
    html = response.content.decode()
    a = shop.skus.get(code="A")
    assert f'name="price-{a.pk}"' in html and f'name="quantity-{a.pk}"' in html and f'name="free-{a.pk}"' in html
    assert "average ¥86.66 · lowest ¥80.00" in html and '<b class="fact-sales">12</b>' in html
    b = shop.skus.get(code="B")
    again = client.get(url, {"part": "rows", "pick_category": "all", "sku": [a.pk, b.pk]}, **HTMX)
    assert codes(again.context["rows"]) == ["S"]  # those in the table are not added twice
    nothing = client.get(url, {"part": "rows", "add": a.pk, "sku": [a.pk]}, **HTMX)
    assert nothing["HX-Retarget"] == "#pick-status" and "in the table already" in nothing.content.decode()
    found = client.get(url, {"part": "search", "q": "C"}, **HTMX)
    assert codes(found.context["found"]) == ["C"]
    assert f'"add": "{shop.skus.get(code="C").pk}"' in found.content.decode()


def test_check_the_tables_rows_each_with_its_offer_and_see_the_failing_rule(client, users, shop, campaign):
    a, b = (shop.skus.get(code=c) for c in "AB")
    login(client, users["service"])
    url = reverse("promotions:campaign-check", args=[campaign.pk])
    response = client.post(
        url,
        {
            "sku": [a.pk, b.pk],
            f"price-{a.pk}": "79.00",
            f"quantity-{a.pk}": "100",
            f"free-{a.pk}": "1",
            f"price-{b.pk}": "90.00",
            f"quantity-{b.pk}": "400",
            "pick_category": "all",  # the picker's own inputs ride along and are ignored
            "q": "",
        },
    )
    assert response.status_code == 200
    first, second = response.context["results"].rows
    assert (first.facts.code, first.eligible) == ("A", True)
    assert second.failed == ["min_sales", "offer_quantity", "free_shipping"]  # ¥90 is under its ¥100 average
    assert [r.result for r in response.context["rows"]] == [first, second]
    html = response.content.decode()
    assert "1 of 2 SKUs eligible" in html and f'name="price-{b.pk}" value="90.00"' in html


def test_a_row_that_cannot_be_read_comes_back_with_everything_typed(client, users, shop, campaign):
    a, b = (shop.skus.get(code=c) for c in "AB")
    login(client, users["service"])
    url = reverse("promotions:campaign-check", args=[campaign.pk])
    response = client.post(
        url,
        {
            "sku": [a.pk, b.pk],
            f"price-{a.pk}": "79.00",
            f"quantity-{a.pk}": "100",
            f"free-{a.pk}": "1",
            f"reviews-{a.pk}": "9",
            f"sales-{a.pk}-30": "40",
            f"price-{b.pk}": "abc",
            f"quantity-{b.pk}": "60",
        },
    )
    assert response.status_code == 422 and response.context["results"] is None
    assert response.context["problems"] == ["Some rows cannot be checked: see the marked rows."]
    html = response.content.decode()
    assert f'name="price-{a.pk}" value="79.00"' in html and f'name="reviews-{a.pk}" value="9"' in html
    assert f'name="free-{a.pk}" value="1" checked' in html and f'name="sales-{a.pk}-30" value="40"' in html
    assert '<details class="override" open>' in html  # the figure given is shown, not hidden
    assert f'name="price-{b.pk}" value="abc"' in html and "Activity price: not an amount: &#x27;abc&#x27;" in html
    nothing = client.post(url, {"q": ""})
    assert nothing.status_code == 422 and nothing.context["problems"] == [
        "Pick SKUs into the table (or paste rows) first."
    ]


def test_table_rows_and_pasted_lines_are_checked_together(client, users, shop, campaign):
    a = shop.skus.get(code="A")
    login(client, users["service"])
    url = reverse("promotions:campaign-check", args=[campaign.pk])
    response = client.post(
        url, {"sku": [a.pk], f"price-{a.pk}": "79.00", f"quantity-{a.pk}": "100", "lines": "S,50.00,60,yes"}
    )
    assert [r.facts.code for r in response.context["results"].rows] == ["A", "S"]


# --------------------------------------------------------------------------------------------------------
# The standalone eligibility page
# --------------------------------------------------------------------------------------------------------


def test_the_eligibility_page_checks_picked_rows_against_a_preset(client, users, shop):
    a, s = (shop.skus.get(code=c) for c in "AS")
    login(client, users["copywriter"])
    url = reverse("promotions:eligibility")
    rows = client.get(url, {"part": "rows", "pick_category": "all", "shop": shop.pk, "preset": "taojinbi"}, **HTMX)
    assert codes(rows.context["rows"]) == ["A", "B", "S"]
    response = client.post(
        url,
        {
            "preset": "tiantiantejia",
            "sku": [a.pk, s.pk],
            f"price-{a.pk}": "50.00",
            f"quantity-{a.pk}": "100",
            f"price-{s.pk}": "50.00",
            f"quantity-{s.pk}": "100",
        },
    )
    assert response.status_code == 200
    first, second = response.context["results"]["rows"]
    assert (first.facts.code, first.eligible, second.facts.code, second.failed) == ("A", True, "S", ["min_sales"])
    custom = {"id": "mine", "rules": [{"kind": "min_sales", "days": 7, "units": 1}]}
    rows = client.get(url, {"part": "rows", "add": a.pk, "campaign": json.dumps(custom)}, **HTMX)
    assert rows.context["rows"][0].windows == [7]  # the facts of the pasted spec's own window


def test_the_pages_in_chinese_with_the_table(client, users, shop, campaign):
    a = shop.skus.get(code="A")
    login(client, users["operator"], language="zh-hans")
    with translation.override("zh-hans"):
        url = reverse("promotions:campaign-check", args=[campaign.pk])
        html = client.get(url, {"category": "all"}).content.decode()
        assert '<html lang="zh-hans">' in html and 'id="pick-rows"' in html
        html = client.post(url, {"sku": [a.pk], f"price-{a.pk}": "x"}).content.decode()
        assert 'value="x"' in html
