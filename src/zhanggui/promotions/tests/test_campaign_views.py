"""The stored-campaign pages: the list per shop (archived ones on request), new from a preset or typed rules
(what was typed comes back with the error), edit, archive, who may press which button, and the check page
naming the failing rule per SKU, in English and in Chinese."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from zhanggui.catalog.models import ListingStatus, Sku
from zhanggui.catalog.tests.factories import CategoryFactory, ShopFactory, SkuFactory
from zhanggui.core.models import AuditEntry
from zhanggui.core.tests.pages import login
from zhanggui.inventory import services as stock
from zhanggui.inventory.models import MoveReason
from zhanggui.inventory.tests.factories import WarehouseFactory
from zhanggui.promotions.campaigns import selectors, services
from zhanggui.promotions.campaigns.presets import PRESETS
from zhanggui.promotions.models import OfficialCampaign

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}
WITHOUT_THE_RIGHT = ["service", "warehouse", "designer", "copywriter"]
LISTED = {"listing_status": ListingStatus.LISTED, "product__listing_status": ListingStatus.LISTED}
MINE = {
    "id": "cyh-0618",
    "name": "超优汇 6月场",
    "rules": [
        {"kind": "min_sales", "days": 30, "units": 10},
        {"kind": "offer_quantity", "min": 50, "max": 300},
    ],
}


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def create(user, shop, raw=MINE, **kwargs) -> OfficialCampaign:
    return services.create_campaign(actor=user, shop=shop, raw_spec=raw, **kwargs)


@pytest.fixture
def shop_with_skus(system):
    """tmall-a with ¥100.00 SKUs on sale for 40 days: A sold 12 units in the last 30 days, B 7; C is a draft."""
    shop = ShopFactory(code="tmall-a", name="棉语天猫店")
    towels = CategoryFactory(name="毛巾")
    warehouse = WarehouseFactory()
    for code, sold, listed in (("A", 12, True), ("B", 7, True), ("C", 0, False)):
        sku = SkuFactory(
            product__shop=shop,
            product__category=towels,
            code=code,
            price=Decimal("100.00"),
            **(LISTED if listed else {}),
        )
        Sku.objects.filter(pk=sku.pk).update(created_at=timezone.now() - timedelta(days=40))
        stock.book_move(actor=system, sku=sku, warehouse=warehouse, quantity=300, reason=MoveReason.PURCHASE_RECEIPT)
        if sold:
            stock.book_move(actor=system, sku=sku, warehouse=warehouse, quantity=-sold, reason=MoveReason.SALE_ISSUE)
    return shop


# --------------------------------------------------------------------------------------------------------
# Who sees what
# --------------------------------------------------------------------------------------------------------


def test_every_role_sees_the_list_the_campaign_and_the_check_page(client, users):
    campaign = create(users["operator"], ShopFactory())
    for user in users.values():
        login(client, user)
        for url in (
            reverse("promotions:campaign-list"),
            reverse("promotions:campaign-detail", args=[campaign.pk]),
            reverse("promotions:campaign-check", args=[campaign.pk]),
        ):
            assert client.get(url).status_code == 200, (user.username, url)


def test_the_pages_ask_for_a_login(client):
    response = client.get(reverse("promotions:campaign-list"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_the_promotion_and_eligibility_pages_link_to_the_campaigns(client, users):
    login(client, users["service"])
    link = f'href="{reverse("promotions:campaign-list")}"'
    assert link in client.get(reverse("promotions:promotion-list")).content.decode()
    assert link in client.get(reverse("promotions:eligibility")).content.decode()


@pytest.mark.parametrize("role", WITHOUT_THE_RIGHT)
def test_roles_without_the_right_get_403_and_nothing_changes(client, users, role):
    shop = ShopFactory()
    campaign = create(users["operator"], shop)
    audit = AuditEntry.objects.count()
    login(client, users[role])
    page = client.get(reverse("promotions:campaign-detail", args=[campaign.pk])).content.decode()
    assert 'id="save-campaign"' not in page and 'id="archive-campaign"' not in page and "readonly" in page
    assert client.get(reverse("promotions:campaign-new")).status_code == 403
    responses = [
        client.post(reverse("promotions:campaign-new"), {"shop": shop.pk, "preset": "taojinbi"}),
        client.post(
            reverse("promotions:campaign-detail", args=[campaign.pk]), {"spec": json.dumps({**MINE, "name": "改"})}
        ),
        client.post(reverse("promotions:campaign-archive", args=[campaign.pk])),
    ]
    assert [r.status_code for r in responses] == [403, 403, 403]
    campaign.refresh_from_db()
    assert (campaign.name, campaign.is_archived) == ("超优汇 6月场", False)
    assert OfficialCampaign.objects.count() == 1 and AuditEntry.objects.count() == audit


# --------------------------------------------------------------------------------------------------------
# List
# --------------------------------------------------------------------------------------------------------


def test_list_shows_name_preset_dates_and_status_and_hides_archived_unless_asked(client, users):
    shop, other = ShopFactory(name="棉语天猫店"), ShopFactory(name="京东店")
    now = timezone.localtime().replace(second=0, microsecond=0)
    ttj = services.create_campaign(
        actor=users["operator"],
        shop=shop,
        preset="tiantiantejia",
        apply_by=now + timedelta(days=7),
        starts_at=now + timedelta(days=14),
        ends_at=now + timedelta(days=17),
    )
    old = create(users["operator"], shop, starts_at=now - timedelta(days=30), ends_at=now - timedelta(days=25))
    services.archive_campaign(actor=users["operator"], campaign=old)
    create(users["operator"], other, {**MINE, "id": "jd-only"})
    login(client, users["service"])

    response = client.get(reverse("promotions:campaign-list"), {"shop": shop.pk})
    assert [c.code for c in response.context["rows"]] == ["tiantiantejia"]
    html = response.content.decode()
    assert "天天特价" in html and "Registration open" in html
    assert (now + timedelta(days=7)).strftime("%Y-%m-%d %H:%M") in html
    row = html.split('data-code="tiantiantejia"')[1].split("</tr>")[0]  # the event's start and end, a column each
    assert f"{(now + timedelta(days=14)):%Y-%m-%d %H:%M}</td>" in row
    assert f"{(now + timedelta(days=17)):%Y-%m-%d %H:%M}</td>" in row

    response = client.get(reverse("promotions:campaign-list"), {"shop": shop.pk, "archived": "on"})
    assert [c.code for c in response.context["rows"]] == ["tiantiantejia", "cyh-0618"]
    assert "Archived" in response.content.decode() and "Ended" in response.content.decode()

    everything = client.get(reverse("promotions:campaign-list"))
    assert {c.code for c in everything.context["rows"]} == {"tiantiantejia", "jd-only"}
    assert ttj in everything.context["rows"]


def test_list_answers_htmx_with_the_table_only_and_its_queries_do_not_grow(client, users):
    shop = ShopFactory()
    login(client, users["service"])
    url = reverse("promotions:campaign-list")
    create(users["operator"], shop, {**MINE, "id": "c0"})
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(1, 6):
        create(users["operator"], ShopFactory(), {**MINE, "id": f"c{n}"})
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert len(response.context["rows"]) == 6 and len(many) == len(few)

    response = client.get(url, {"shop": shop.pk}, **HTMX)
    html = response.content.decode()
    assert '<table class="grid" id="campaign-table">' in html and "<html" not in html
    assert response.templates[0].name == "promotions/_campaign_list_results.html"


# --------------------------------------------------------------------------------------------------------
# New, edit, archive
# --------------------------------------------------------------------------------------------------------


def test_new_page_fills_in_the_rules_of_the_chosen_preset(client, users):
    login(client, users["operator"])
    response = client.get(reverse("promotions:campaign-new"), {"preset": "taojinbi"})
    assert response.status_code == 200
    assert json.loads(response.context["form"]["spec"].value()) == {
        "id": "taojinbi",
        "name": "淘金币",
        "rules": PRESETS["taojinbi"]["rules"],
    }
    assert "three diamonds" in response.content.decode()  # what the preset does not check


def test_operator_creates_from_a_preset_with_the_rules_left_empty(client, users):
    shop = ShopFactory()
    login(client, users["operator"])
    response = client.post(
        reverse("promotions:campaign-new"),
        {"shop": shop.pk, "preset": "tiantiantejia", "spec": "", "apply_by": "2026-06-10T18:00", "note": "第一次报"},
    )
    campaign = OfficialCampaign.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("promotions:campaign-detail", args=[campaign.pk])
    assert (campaign.code, campaign.preset, campaign.note) == ("tiantiantejia", "tiantiantejia", "第一次报")
    assert campaign.spec["rules"] == [
        {"kind": "min_sales", "days": 30, "units": 10},
        {"kind": "offer_quantity", "max": 300, "min": 50},
    ]
    assert timezone.localtime(campaign.apply_by).strftime("%Y-%m-%d %H:%M") == "2026-06-10 18:00"


def test_a_bad_spec_comes_back_on_the_form_with_the_typed_text_and_nothing_is_saved(client, users):
    shop = ShopFactory()
    login(client, users["operator"])
    typed = '{"id": "mine", "name": "我的活动", "rules": [{"kind": "max_price", "amount": 19.9}]}'
    response = client.post(
        reverse("promotions:campaign-new"),
        {"shop": shop.pk, "spec": typed, "note": "别丢了", "apply_by": "2026-06-10T18:00"},
    )
    assert response.status_code == 422
    assert "campaign.rules[0].amount" in response.context["form"].errors["spec"][0]
    html = response.content.decode()
    assert "&quot;amount&quot;: 19.9}]}" in html and "别丢了" in html and 'value="2026-06-10T18:00"' in html
    assert not OfficialCampaign.objects.exists()

    broken = '{"id": "mine", "rules": [}'
    response = client.post(reverse("promotions:campaign-new"), {"shop": shop.pk, "spec": broken})
    assert response.status_code == 422 and "Not valid JSON" in response.context["form"].errors["spec"][0]
    assert "{&quot;id&quot;: &quot;mine&quot;, &quot;rules&quot;: [}" in response.content.decode()

    response = client.post(reverse("promotions:campaign-new"), {"shop": shop.pk})
    assert response.status_code == 422 and response.context["form"].errors["spec"] == ["Add a rule or choose a preset."]

    ends_first = {
        "shop": shop.pk,
        "spec": json.dumps(MINE),
        "starts_at": "2026-06-20T00:00",
        "ends_at": "2026-06-19T00:00",
    }
    response = client.post(reverse("promotions:campaign-new"), ends_first)
    assert response.status_code == 422 and response.context["form"].errors["ends_at"] == [
        "ends_at: the event must end after it starts"
    ]
    assert not OfficialCampaign.objects.exists()


def test_a_taken_code_is_an_error_on_the_rules(client, users):
    shop = ShopFactory()
    create(users["operator"], shop)
    login(client, users["manager"])
    response = client.post(reverse("promotions:campaign-new"), {"shop": shop.pk, "spec": json.dumps(MINE)})
    assert response.status_code == 422 and "already has a campaign with the code cyh-0618" in str(
        response.context["form"].errors["spec"]
    )
    assert OfficialCampaign.objects.count() == 1


def test_operator_edits_and_archives_and_an_archived_campaign_is_read_only(client, users):
    campaign = create(users["operator"], ShopFactory())
    login(client, users["operator"])
    url = reverse("promotions:campaign-detail", args=[campaign.pk])
    changed = {**MINE, "rules": [{"kind": "min_sales", "days": 30, "units": 20}]}
    response = client.post(url, {"spec": json.dumps(changed), "starts_at": "2026-06-18T00:00", "note": "提高销量门槛"})
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert (
        campaign.spec["rules"] == [{"kind": "min_sales", "days": 30, "units": 20}] and campaign.note == "提高销量门槛"
    )
    page = client.get(url).content.decode()
    assert "· changed" in page.split('id="history"')[1] and 'value="2026-06-18T00:00"' in page

    response = client.post(url, {"spec": json.dumps({**MINE, "id": "other"})})
    assert response.status_code == 422 and "does not change" in response.context["form"].errors["spec"][0]

    response = client.post(reverse("promotions:campaign-archive", args=[campaign.pk]), {"note": "不报了"})
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert 'id="save-campaign"' not in page and 'id="restore-campaign"' in page
    response = client.post(url, {"spec": json.dumps(MINE)})
    assert response.status_code == 422 and "restore it" in str(response.context["form"].non_field_errors())
    client.post(reverse("promotions:campaign-restore", args=[campaign.pk]))
    campaign.refresh_from_db()
    assert not campaign.is_archived
    assert [e.action for e in selectors.campaign_history(campaign)] == [
        "campaign.create",
        "campaign.update",
        "campaign.archive",
        "campaign.restore",
    ]


def rows(*rules: dict) -> dict[str, object]:
    """The rule rows as the page posts them: each rule's kind and cells, then an empty row."""
    posted: dict[str, object] = {"rule-rows": len(rules) + 1}
    for i, rule in enumerate(rules):
        posted.update({f"rule-{i}-{key}": value for key, value in rule.items()})
    posted[f"rule-{len(rules)}-kind"] = ""
    return posted


def test_own_rules_typed_in_rows_make_the_campaign(client, users):
    shop = ShopFactory()
    login(client, users["operator"])
    typed = rows(
        {"kind": "min_sales", "days": "30", "units": "10"},
        {"kind": "price_rate_of_original", "min_rate": "1", "max_rate": "5.5"},
        {"kind": "min_offer_value", "amount": "10000.00", "days": "7"},  # a cell the rule does not take: ignored
    )
    url = reverse("promotions:campaign-new")
    response = client.post(url, {"shop": shop.pk, "code": " dct-0618 ", "name": "独畅团 6月", **typed})
    assert response.status_code == 302
    campaign = OfficialCampaign.objects.get()
    assert (campaign.code, campaign.name, campaign.preset) == ("dct-0618", "独畅团 6月", "")
    assert campaign.spec["rules"] == [
        {"kind": "min_sales", "days": 30, "units": 10},
        {"kind": "price_rate_of_original", "min_rate": "1", "max_rate": "5.5"},
        {"kind": "min_offer_value", "amount": "10000.00"},
    ]
    page = client.get(reverse("promotions:campaign-detail", args=[campaign.pk]))
    shown = page.context["rows"]
    assert [row["kind"].value() or "" for row in shown] == [
        "min_sales",
        "price_rate_of_original",
        "min_offer_value",
        "",
        "",
        "",
    ]

    # Edited in rows: the code stays, the name and rules change.
    edited = rows({"kind": "min_reviews", "count": "5"})
    response = client.post(page.wsgi_request.path, {"name": "独畅团 6月（改）", **edited})
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert (campaign.code, campaign.name) == ("dct-0618", "独畅团 6月（改）")
    assert campaign.spec["rules"] == [{"kind": "min_reviews", "count": 5}]


def test_a_row_missing_its_number_or_a_missing_code_comes_back_and_nothing_is_saved(client, users):
    shop = ShopFactory()
    login(client, users["operator"])
    url = reverse("promotions:campaign-new")
    response = client.post(url, {"shop": shop.pk, "code": "x", **rows({"kind": "min_sales", "days": "30"})})
    assert response.status_code == 422
    assert response.context["rows"][0].errors["units"] == ["A “Minimum sales” rule needs this."]
    assert response.context["rows"][0]["days"].value() == "30"  # what was typed stays

    response = client.post(url, {"shop": shop.pk, **rows({"kind": "min_reviews", "count": "5"})})
    assert response.status_code == 422 and response.context["form"].errors["code"] == ["Give the campaign a code."]

    response = client.post(
        url, {"shop": shop.pk, "code": "x", **rows({"kind": "min_sales", "days": "400", "units": "1"})}
    )
    assert response.status_code == 422 and response.context["rows"][0].errors["days"]
    assert not OfficialCampaign.objects.exists()


# --------------------------------------------------------------------------------------------------------
# Check
# --------------------------------------------------------------------------------------------------------


def test_check_page_fills_in_the_listed_skus_and_names_the_failing_rule_per_sku(client, users, shop_with_skus):
    """Rules: sales ≥ 10 in 30 days, 50 ≤ quantity ≤ 300. A: 12 sold, ¥50.00 (5折 of ¥100.00) × 100:
    eligible. B: 7 sold, so min_sales fails; its own 400 units fail offer_quantity too."""
    campaign = create(users["operator"], shop_with_skus)
    login(client, users["service"])
    url = reverse("promotions:campaign-check", args=[campaign.pk])
    assert client.get(url).context["rows"] == []  # the table starts empty: the person picks
    response = client.get(url, {"category": "all"})
    assert [row.sku.code for row in response.context["rows"]] == ["A", "B"]  # C is not on sale

    response = client.post(url, {"rate": "5", "quantity": "100", "lines": "A,,,,8\nB,,400"})
    assert response.status_code == 200
    first, second = response.context["results"].rows
    assert (first.facts.code, first.offer.price, first.offer.quantity, first.facts.reviews, first.eligible) == (
        "A",
        Decimal("50.00"),
        100,
        8,
        True,
    )
    assert (second.facts.code, second.offer.quantity, second.failed) == ("B", 400, ["min_sales", "offer_quantity"])
    assert second.outcomes[0].message == "Sales in the last 30 days: 7 units; required ≥ 10 units"
    assert second.outcomes[1].message == "Offered quantity: 400 units; required between 50 and 300 units"
    html = response.content.decode()
    assert "1 of 2 SKUs eligible" in html and 'data-rule="offer_quantity"' in html and "Not eligible" in html


def test_check_without_lines_takes_every_listed_sku_and_a_draft_sku_can_be_named(client, users, shop_with_skus):
    campaign = create(users["operator"], shop_with_skus)
    login(client, users["designer"])
    url = reverse("promotions:campaign-check", args=[campaign.pk])
    response = client.post(url, {"rate": "5.9", "quantity": "60", "free_shipping": "yes", "lines": ""})
    assert [(r.facts.code, r.offer.price, r.offer.free_shipping) for r in response.context["results"].rows] == [
        ("A", Decimal("59.00"), True),
        ("B", Decimal("59.00"), True),
    ]
    response = client.post(url, {"lines": "C,39.90,60,no"})  # chosen by code, on sale or not
    (row,) = response.context["results"].rows
    assert (row.facts.code, row.offer.price, row.offer.free_shipping, row.failed) == (
        "C",
        Decimal("39.90"),
        False,
        ["min_sales"],
    )


def test_check_lines_that_cannot_be_read_are_named_and_the_typed_text_stays(client, users, shop_with_skus):
    campaign = create(users["operator"], shop_with_skus)
    login(client, users["service"])
    url = reverse("promotions:campaign-check", args=[campaign.pk])
    typed = "A,59.00,60\nB,,77\nNOPE,1,1\nA,5.5.5,60\nA,1,1,maybe"
    response = client.post(url, {"lines": typed})
    assert response.status_code == 422 and response.context["results"] is None
    assert response.context["problems"] == [
        "Line 2: give a campaign price, or a rate for every SKU.",
        "Line 3: no SKU NOPE in this shop.",
        "Line 4: offer.price: not an amount: '5.5.5'",
        "Line 5: free shipping is yes or no.",
    ]
    assert "A,59.00,60\nB,,77\nNOPE,1,1" in response.content.decode()
    empty = create(users["operator"], ShopFactory())  # a shop with nothing on sale
    response = client.post(reverse("promotions:campaign-check", args=[empty.pk]), {"lines": "", "rate": "5"})
    assert response.status_code == 422 and response.context["problems"] == ["skus: choose at least one SKU to check"]


def test_check_page_fills_in_one_category(client, users, shop_with_skus):
    sheets = CategoryFactory(name="床单")
    SkuFactory(product__shop=shop_with_skus, product__category=sheets, code="S1", **LISTED)
    campaign = create(users["operator"], shop_with_skus)
    login(client, users["service"])
    url = reverse("promotions:campaign-check", args=[campaign.pk])
    assert [row.sku.code for row in client.get(url, {"category": "all"}).context["rows"]] == ["A", "B", "S1"]
    assert [row.sku.code for row in client.get(url, {"category": sheets.pk}).context["rows"]] == ["S1"]
    response = client.post(url, {"lines": "", "category": sheets.pk, "rate": "5", "quantity": "60"})
    assert [r.facts.code for r in response.context["results"].rows] == ["S1"]


def test_the_pages_in_chinese(client, users, shop_with_skus):
    campaign = create(users["operator"], shop_with_skus, preset="tiantiantejia")
    login(client, users["operator"], language="zh-hans")
    with translation.override("zh-hans"):
        for url in (
            reverse("promotions:campaign-list"),
            reverse("promotions:campaign-new"),
            reverse("promotions:campaign-detail", args=[campaign.pk]),
            reverse("promotions:campaign-check", args=[campaign.pk]),
        ):
            response = client.get(url)
            html = response.content.decode()
            assert response.status_code == 200 and '<html lang="zh-hans">' in html and "促销" in html, url
        response = client.post(
            reverse("promotions:campaign-check", args=[campaign.pk]), {"lines": "B,50", "quantity": "100"}
        )
        html = response.content.decode()
        assert "近30天销量 7 件，要求 ≥ 10 件" in html and "不符合条件" in html
