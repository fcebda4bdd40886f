"""The promotion pages: list and calendar, the editor (save, submit, approve, cancel) and who may press which
button, the live preview's numbers, the what-if report and the campaign eligibility check."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from zhanggui.catalog.tests.factories import ShopFactory, SkuFactory
from zhanggui.core import roles
from zhanggui.core.models import AuditEntry
from zhanggui.core.tests.pages import login
from zhanggui.promotions.models import Promotion, PromotionState
from zhanggui.promotions.offers import services
from zhanggui.promotions.offers.forms import FALLBACK_CART, STARTERS, starter_spec

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def window(start_hours: float = -1, end_hours: float = 24) -> dict[str, str]:
    now = timezone.now().replace(microsecond=0)
    return {
        "starts_at": (now + timedelta(hours=start_hours)).isoformat(),
        "ends_at": (now + timedelta(hours=end_hours)).isoformat(),
    }


def mj(code: str = "mj300", **change) -> dict:
    """满300减30: within the approval limit."""
    return {"id": code, "kind": "spend_save", "name": "满300减30", "tiers": [["300", "30"]], **window(), **change}


def deep(code: str = "d6", **change) -> dict:
    """6折: deeper than the default 7折 limit, so it waits for a manager."""
    return {"id": code, "kind": "discount", "name": "6折清仓", "rate": "6", **window(), **change}


def create(user, raw, shop=None) -> Promotion:
    return services.create_promotion(actor=user, shop=shop, raw_spec=raw)


def codes_on(response) -> list[str]:
    return [p.code for p in response.context["page"]]


# --------------------------------------------------------------------------------------------------------
# List and calendar
# --------------------------------------------------------------------------------------------------------


def test_every_role_sees_the_list_calendar_editor_what_if_and_eligibility_pages(client, users):
    promotion = create(users["operator"], mj())
    for user in users.values():
        login(client, user)
        for url in (
            reverse("promotions:promotion-list"),
            reverse("promotions:calendar"),
            reverse("promotions:promotion-new"),
            reverse("promotions:promotion-detail", args=[promotion.pk]),
            reverse("promotions:promotion-what-if", args=[promotion.pk]),
            reverse("promotions:eligibility"),
        ):
            assert client.get(url).status_code == 200, (user.username, url)


def test_the_pages_ask_for_a_login(client):
    response = client.get(reverse("promotions:promotion-list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_list_filters_by_status_kind_and_shop_and_names_the_kind_and_people(client, users):
    operator, manager = users["operator"], users["manager"]
    tmall, jd = ShopFactory(code="tm"), ShopFactory(code="jd", channel="jd")
    create(operator, mj("draft-mj"), tmall)
    running = services.submit_promotion(actor=operator, promotion=create(operator, mj("run-mj"), jd))
    pending = services.submit_promotion(actor=operator, promotion=create(operator, deep("pend-d6"), tmall))
    later = create(operator, {**deep("late-d6"), **window(48, 72)}, tmall)
    services.approve_promotion(actor=manager, promotion=services.submit_promotion(actor=operator, promotion=later))
    cancelled = create(operator, mj("gone"))
    services.cancel_promotion(actor=operator, promotion=cancelled)
    login(client, users["service"])
    url = reverse("promotions:promotion-list")

    assert codes_on(client.get(url, {"status": "draft"})) == ["draft-mj"]
    assert codes_on(client.get(url, {"status": "pending_approval"})) == [pending.code]
    assert codes_on(client.get(url, {"status": "running"})) == [running.code]
    assert codes_on(client.get(url, {"status": "scheduled"})) == ["late-d6"]
    assert codes_on(client.get(url, {"status": "cancelled"})) == ["gone"]
    assert sorted(codes_on(client.get(url, {"kind": "discount"}))) == ["late-d6", "pend-d6"]
    # a shop sees its own promotions and the every-shop ones
    assert sorted(codes_on(client.get(url, {"shop": jd.pk}))) == ["gone", "run-mj"]
    assert len(codes_on(client.get(url, {"shop": "nope"}))) == 5  # a bad value is ignored

    page = client.get(url, {"status": "scheduled"}).content.decode()
    assert "Discount" in page and "Scheduled" in page
    assert "manager" in page and "operator" in page  # approved by, created by
    zh = client.get(url, {"kind": "spend_save", "lang": "zh-hans"}).content.decode()
    assert "满减" in zh


def test_list_answers_htmx_with_the_results_only(client, users):
    create(users["operator"], mj())
    login(client, users["designer"])
    response = client.get(reverse("promotions:promotion-list"), {"kind": "spend_save"}, **HTMX)
    assert response.templates[0].name == "promotions/_promotion_results.html"
    assert b"mj300" in response.content


def test_list_page_queries_do_not_grow_with_the_number_of_promotions(client, users):
    operator = users["operator"]
    login(client, users["manager"])
    url = reverse("promotions:promotion-list")
    create(operator, mj("a1"), ShopFactory())
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for i in range(8):
        promotion = create(operator, deep(f"b{i}"), ShopFactory())
        services.approve_promotion(
            actor=users["manager"], promotion=services.submit_promotion(actor=operator, promotion=promotion)
        )
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few)


# --------------------------------------------------------------------------------------------------------
# Editor: create, edit, submit, approve, cancel
# --------------------------------------------------------------------------------------------------------


def test_every_starter_spec_parses_and_the_new_page_prefills_the_chosen_kind(client, users):
    for kind in STARTERS:
        services.normalize_promotion_spec(starter_spec(kind, FALLBACK_CART))
    login(client, users["operator"])
    response = client.get(reverse("promotions:promotion-new"), {"kind": "spend_save"})
    spec = json.loads(response.context["form"]["spec"].value())
    assert spec["kind"] == "spend_save" and spec["tiers"] == [["300", "30"]]
    assert json.loads(response.context["form"]["cart"].value()) == FALLBACK_CART


def test_sample_cart_comes_from_the_catalog_when_it_has_skus(client, users):
    SkuFactory(code="MY-01", price=Decimal("299.00"))
    login(client, users["operator"])
    response = client.get(reverse("promotions:promotion-new"))
    cart = json.loads(response.context["form"]["cart"].value())
    assert cart["lines"][0]["sku"] == "MY-01" and cart["lines"][0]["unit_price"] == "299.00"


def test_operator_creates_a_draft_and_edits_it(client, users):
    shop = ShopFactory(code="tm")
    login(client, users["operator"])
    response = client.post(
        reverse("promotions:promotion-new"), {"shop": shop.pk, "spec": json.dumps(mj()), "cart": "{}"}
    )
    promotion = Promotion.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "promotions:promotion-detail", args=[promotion.pk]
    )
    assert (promotion.code, promotion.shop, promotion.state) == ("mj300", shop, PromotionState.DRAFT)

    changed = {**promotion.spec, "tiers": [["300", "40"]]}
    response = client.post(
        reverse("promotions:promotion-detail", args=[promotion.pk]), {"shop": shop.pk, "spec": json.dumps(changed)}
    )
    assert response.status_code == 302
    promotion.refresh_from_db()
    assert promotion.spec["tiers"] == [["300", "40"]]
    page = client.get(reverse("promotions:promotion-detail", args=[promotion.pk])).content.decode()
    history = page.split('id="history"')[1]  # the audit history, in words
    assert "· created" in history and "· changed" in history


def test_a_bad_spec_comes_back_on_the_form_with_the_input_kept(client, users):
    login(client, users["operator"])
    bad = json.dumps({**mj(), "tiers": [["300", 30.5]]})
    response = client.post(reverse("promotions:promotion-new"), {"shop": "", "spec": bad})
    assert response.status_code == 422
    assert response.context["form"].errors["spec"] == [
        "promotion mj300.tiers[0][1]: write amounts as strings or integers, not 30.5"
    ]
    assert bad in response.content.decode().replace("&quot;", '"')
    assert not Promotion.objects.exists()

    response = client.post(reverse("promotions:promotion-new"), {"spec": "{not json"})
    assert response.status_code == 422 and "Not valid JSON" in response.context["form"].errors["spec"][0]

    create(users["operator"], mj())
    response = client.post(reverse("promotions:promotion-new"), {"spec": json.dumps(mj())})
    assert response.status_code == 422 and "already exists" in response.context["form"].errors["spec"][0]
    assert Promotion.objects.count() == 1


def test_submit_within_the_limit_approves_at_once(client, users):
    promotion = create(users["operator"], mj())
    login(client, users["operator"])
    response = client.post(reverse("promotions:promotion-submit", args=[promotion.pk]))
    assert response.status_code == 302
    promotion.refresh_from_db()
    assert promotion.state == PromotionState.APPROVED
    assert (promotion.approved_by, promotion.auto_approved) == (None, True)  # the desk approved it, not its author


def test_a_deep_discount_says_why_it_needs_approval_and_a_manager_approves_it(client, users):
    operator, manager = users["operator"], users["manager"]
    promotion = create(operator, deep())
    login(client, operator)
    page = client.get(reverse("promotions:promotion-detail", args=[promotion.pk]))
    assert page.context["approval"] == {
        "needed": True,
        "limit": "30% off",  # 7折 and 6折 as an English reader counts them
        "depth": "40% off",
        "unknown_depth": False,
        "coupon_without_minimum": False,
    }
    assert "it cuts as deep as 40% off, beyond the limit (30% off)." in page.content.decode()
    assert b"approve-promotion" not in page.content  # the operator has no approve button
    client.post(reverse("promotions:promotion-submit", args=[promotion.pk]))
    promotion.refresh_from_db()
    assert promotion.state == PromotionState.SUBMITTED

    login(client, manager)
    assert b"approve-promotion" in client.get(reverse("promotions:promotion-detail", args=[promotion.pk])).content
    client.post(reverse("promotions:promotion-approve", args=[promotion.pk]), {"note": "同意"})
    promotion.refresh_from_db()
    assert promotion.state == PromotionState.APPROVED and promotion.approved_by == manager
    assert AuditEntry.objects.filter(action="promotion.approve", note="同意").count() == 1


def test_a_price_cut_on_a_category_says_it_reaches_skus_added_later(client, users):
    cut = {"id": "cut5", "kind": "price_cut", "amount": "5", "scope": {"categories": ["毛巾"]}, **window()}
    promotion = create(users["operator"], cut)
    login(client, users["operator"])
    page = client.get(reverse("promotions:promotion-detail", args=[promotion.pk]))
    assert (page.context["approval"]["needed"], page.context["approval"]["unknown_depth"]) == (True, True)
    assert "reaches SKUs whose price the desk cannot know yet" in page.content.decode()


def test_a_manager_cannot_approve_their_own_deep_discount_and_is_told_why(client, users):
    manager = users["manager"]
    promotion = services.submit_promotion(actor=manager, promotion=create(manager, deep()))
    login(client, manager)
    response = client.post(reverse("promotions:promotion-approve", args=[promotion.pk]), follow=True)
    assert "another manager has to approve" in response.content.decode()
    promotion.refresh_from_db()
    assert promotion.state == PromotionState.SUBMITTED


def test_cancel_stops_a_promotion(client, users):
    promotion = services.submit_promotion(actor=users["operator"], promotion=create(users["operator"], mj()))
    login(client, users["operator"])
    client.post(reverse("promotions:promotion-cancel", args=[promotion.pk]), {"note": "提前结束"})
    promotion.refresh_from_db()
    assert promotion.state == PromotionState.CANCELLED


@pytest.mark.parametrize("role", [roles.SERVICE, roles.DESIGNER, roles.WAREHOUSE, roles.COPYWRITER])
def test_roles_without_the_right_get_403_and_nothing_changes(client, users, role):
    operator = users["operator"]
    draft = create(operator, mj("draft1"))
    pending = services.submit_promotion(actor=operator, promotion=create(operator, deep()))
    audit_rows = AuditEntry.objects.count()
    login(client, users[role])
    posts = [
        (reverse("promotions:promotion-new"), {"spec": json.dumps(mj("new1"))}),
        (reverse("promotions:promotion-detail", args=[draft.pk]), {"spec": json.dumps({**draft.spec, "name": "x"})}),
        (reverse("promotions:promotion-submit", args=[draft.pk]), {}),
        (reverse("promotions:promotion-approve", args=[pending.pk]), {}),
        (reverse("promotions:promotion-cancel", args=[draft.pk]), {}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 403, url
    assert AuditEntry.objects.count() == audit_rows
    assert sorted(Promotion.objects.values_list("code", "state")) == [
        ("d6", PromotionState.SUBMITTED),
        ("draft1", PromotionState.DRAFT),
    ]
    page = client.get(reverse("promotions:promotion-detail", args=[draft.pk])).content
    assert b"save-promotion" not in page and b"submit-promotion" not in page


def test_an_operator_cannot_approve(client, users):
    pending = services.submit_promotion(actor=users["operator"], promotion=create(users["operator"], deep()))
    login(client, users["operator"])
    assert client.post(reverse("promotions:promotion-approve", args=[pending.pk])).status_code == 403
    pending.refresh_from_db()
    assert pending.state == PromotionState.SUBMITTED


def test_a_started_promotion_is_not_editable_and_its_change_is_refused(client, users):
    running = services.submit_promotion(actor=users["operator"], promotion=create(users["operator"], mj()))
    login(client, users["operator"])
    page = client.get(reverse("promotions:promotion-detail", args=[running.pk]))
    assert page.context["can_edit"] is False and b"save-promotion" not in page.content
    response = client.post(
        reverse("promotions:promotion-detail", args=[running.pk]),
        {"spec": json.dumps({**running.spec, "tiers": [["300", "50"]]})},
    )
    assert response.status_code == 422
    assert "cannot change" in response.context["form"].non_field_errors()[0]
    running.refresh_from_db()
    assert running.spec["tiers"] == [["300", "30"]]


# --------------------------------------------------------------------------------------------------------
# Live preview
# --------------------------------------------------------------------------------------------------------


def preview(client, spec, cart=FALLBACK_CART, shop=""):
    return client.post(
        reverse("promotions:preview"), {"spec": json.dumps(spec), "cart": json.dumps(cart), "shop": shop}, **HTMX
    )


def test_preview_prices_the_sample_cart_with_the_draft_and_without_it(client, users):
    """¥317 (2 × 129 + 59) with 满300减30: the ¥30 is shared 24.42 / 5.58 by largest remainder → ¥287.00."""
    login(client, users["service"])
    response = preview(client, mj())
    assert response.status_code == 200
    p = response.context["preview"]
    assert [(r.line["sku"], r.line["discounts"][0]["amount"], r.line["paid"], r.paid_without) for r in p["rows"]] == [
        ("SAMPLE-A", "24.42", "233.58", "258.00"),
        ("SAMPLE-B", "5.58", "53.42", "59.00"),
    ]
    assert p["with"]["totals"]["payable"] == "287.00"
    assert p["without"]["totals"]["payable"] == "317.00"
    assert p["saving"] == "30.00"
    html = response.content.decode()
    assert 'id="payable-with">¥287.00' in html and 'id="payable-without">¥317.00' in html


def test_preview_adds_the_draft_to_the_running_promotions_and_shows_near_misses(client, users):
    operator = users["operator"]
    services.submit_promotion(
        actor=operator, promotion=create(operator, {"id": "d9", "kind": "discount", "rate": "9", **window()})
    )
    login(client, operator)
    cart = {"lines": [{"sku": "A", "quantity": 1, "unit_price": "300.00"}]}
    # 9折 first: ¥270 no longer reaches 满300, so 满300减30 is a near miss of ¥30
    p = preview(client, mj(), cart).context["preview"]
    assert [x.id for x in p["running"]] == ["d9"]
    assert p["with"]["totals"]["payable"] == "270.00" and p["without"]["totals"]["payable"] == "270.00"
    assert [m["message"] for m in p["with"]["near_misses"]] == ["Spend ¥30.00 more to save ¥30.00"]


@pytest.mark.parametrize(
    ("channel", "payable", "says"),
    [("tmall", "289.00", "Priced as the platforms price"), ("web", "269.00", "Priced best for the buyer")],
)
def test_preview_prices_with_the_shops_stacking_policy_and_says_which(client, users, channel, payable, says):
    shop = ShopFactory(code="s1", channel=channel)
    login(client, users["operator"])
    draft = {"id": "q50", "kind": "coupon", "amount": "50.00", "min_spend": "300.00", "codes": ["Q50"], **window()}
    mj30 = {"id": "mj", "kind": "spend_save", "tiers": [["300", "30"]], **window()}
    services.submit_promotion(actor=users["operator"], promotion=create(users["operator"], mj30, shop=shop))
    cart = {"lines": [{"sku": "A", "quantity": 1, "unit_price": "319.00"}], "coupons": ["Q50"]}
    response = preview(client, draft, cart, shop=shop.pk)
    assert response.context["preview"]["with"]["totals"]["payable"] == payable
    assert says in response.content.decode()


def test_preview_shows_spec_and_cart_errors_in_the_partial(client, users):
    login(client, users["operator"])
    response = preview(client, {**mj(), "kind": "nope"})
    assert response.status_code == 200 and "unknown kind &#x27;nope&#x27;" in response.content.decode()
    response = client.post(reverse("promotions:preview"), {"spec": "{", "cart": "[]"}, **HTMX)
    assert response.status_code == 200 and "Not valid JSON" in response.content.decode()
    response = preview(client, mj(), {"lines": []})
    assert "non-empty &#x27;lines&#x27; list" in response.content.decode()


# --------------------------------------------------------------------------------------------------------
# What-if
# --------------------------------------------------------------------------------------------------------


def test_what_if_report_for_a_saved_promotion(client, users):
    shop = ShopFactory(code="tm")
    SkuFactory(shop=shop, code="A", price=Decimal("200.00"), cost=Decimal("120.00"))
    promotion = create(users["operator"], mj(), shop)
    login(client, users["service"])
    url = reverse("promotions:promotion-what-if", args=[promotion.pk])
    assert json.loads(client.get(url).context["form"]["spec"].value())["id"] == "mj300"
    carts = [
        {"lines": [{"sku": "A", "quantity": 2, "unit_price": "200.00"}]},  # 400 → 370
        {"lines": [{"sku": "A", "quantity": 1, "unit_price": "200.00"}]},  # 100 short of 满300
    ]
    response = client.post(url, {"shop": shop.pk, "spec": json.dumps(promotion.spec), "carts": json.dumps(carts)})
    report = response.context["report"]
    assert (report["carts"], report["carts_touched"]) == (2, 1)
    assert (report["revenue_before"], report["revenue_after"], report["draft_discount"]) == (
        "600.00",
        "570.00",
        "30.00",
    )
    assert (report["near_miss_share"], report["near_miss_average_missing"]) == ("50.0%", "100.00")
    assert report["skus"] == [
        {
            "sku": "A",
            "units": 3,
            "cost": "360.00",
            "before": {"revenue": "600.00", "margin": "240.00", "margin_rate": "40.0%"},
            "after": {"revenue": "570.00", "margin": "210.00", "margin_rate": "36.8%"},
        }
    ]
    assert 'id="revenue-after">¥570.00' in response.content.decode()


def test_what_if_from_the_editor_takes_the_unsaved_draft_and_its_sample_cart(client, users):
    login(client, users["operator"])
    response = client.post(reverse("promotions:what-if"), {"spec": json.dumps(mj()), "cart": json.dumps(FALLBACK_CART)})
    assert response.status_code == 200
    assert response.context["report"]["revenue_after"] == "287.00"
    assert not Promotion.objects.exists()
    response = client.post(reverse("promotions:what-if"), {"spec": json.dumps({**mj(), "tiers": "x"})})
    assert response.status_code == 422


# --------------------------------------------------------------------------------------------------------
# Campaign eligibility
# --------------------------------------------------------------------------------------------------------


def test_eligibility_names_the_failing_rule_per_sku(client, users):
    SkuFactory(code="MY-01", price=Decimal("100.00"))
    SkuFactory(code="MY-02", price=Decimal("100.00"))
    login(client, users["service"])
    response = client.post(
        reverse("promotions:eligibility"),
        {"preset": "chaoyouhui", "lines": "MY-01,99.00,200,yes,8\nMY-02,50.00,100,no"},
    )
    assert response.status_code == 200
    first, second = response.context["results"]["rows"]
    assert first.facts.code == "MY-01" and first.failed == ["min_sales"]  # no sales in 30 days
    assert [o.status for o in first.outcomes] == ["fail", "pass", "pass", "pass"]
    assert second.failed == ["min_sales", "min_offer_value", "free_shipping"] and second.unknown == ["min_reviews"]
    assert not first.eligible and not second.eligible
    html = response.content.decode()
    assert 'data-rule="min_offer_value"' in html and "Not eligible" in html


def test_eligibility_with_a_pasted_spec_and_bad_lines(client, users):
    SkuFactory(code="MY-01", price=Decimal("100.00"))
    login(client, users["designer"])
    campaign = {"id": "mine", "name": "自定义", "rules": [{"kind": "max_price", "amount": "120.00"}]}
    response = client.post(
        reverse("promotions:eligibility"), {"campaign": json.dumps(campaign), "lines": "MY-01,99.00,10"}
    )
    (row,) = response.context["results"]["rows"]
    assert row.eligible and row.outcomes[0].status == "pass"

    response = client.post(reverse("promotions:eligibility"), {"preset": "tiantiantejia", "lines": "NOPE,9.90,60"})
    assert response.status_code == 422 and response.context["problems"] == ["Line 1: no SKU NOPE."]
    response = client.post(reverse("promotions:eligibility"), {"preset": "tiantiantejia", "lines": "MY-01,9.9x,60"})
    assert response.status_code == 422 and "lines" in response.context["form"].errors
    bad = {"id": "x", "rules": [{"kind": "max_price", "amount": 1.5}]}
    response = client.post(reverse("promotions:eligibility"), {"campaign": json.dumps(bad), "lines": "MY-01,9,1"})
    assert response.status_code == 422 and "campaign.rules[0].amount" in response.context["form"].errors["campaign"][0]


# --------------------------------------------------------------------------------------------------------
# Editor: the window fields
# --------------------------------------------------------------------------------------------------------


def editor_post(form_or_spec: dict, starts_at: str, ends_at: str, **extra) -> dict:
    return {"spec": json.dumps(form_or_spec), "starts_at": starts_at, "ends_at": ends_at, "cart": "{}", **extra}


def test_the_editor_shows_the_window_in_two_local_fields_and_the_rest_of_the_spec_as_json(client, users):
    raw = mj(starts_at="2026-11-11T00:00:00+08:00", ends_at="2026-11-11T15:59:59Z")  # 23:59:59 in Beijing
    promotion = create(users["operator"], raw)
    login(client, users["operator"])
    response = client.get(reverse("promotions:promotion-detail", args=[promotion.pk]))
    form = response.context["form"]
    # the desk's time zone, as the form shows it (naive: a datetime-local input has no zone)
    assert (form["starts_at"].value(), form["ends_at"].value()) == (
        datetime(2026, 11, 11, 0, 0, tzinfo=SHANGHAI).replace(tzinfo=None),
        datetime(2026, 11, 11, 23, 59, 59, tzinfo=SHANGHAI).replace(tzinfo=None),
    )
    shown = json.loads(form["spec"].value())
    assert "starts_at" not in shown and "ends_at" not in shown and shown["tiers"] == [["300", "30"]]
    html = response.content.decode()
    assert '<input type="datetime-local" name="starts_at" value="2026-11-11T00:00"' in html
    assert 'name="ends_at" value="2026-11-11T23:59:59"' in html and 'step="1"' in html

    new = client.get(reverse("promotions:promotion-new"), {"kind": "discount"}).context["form"]
    start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)
    assert (new["starts_at"].value(), new["ends_at"].value()) == (
        start.replace(tzinfo=None),
        (start + timedelta(days=7)).replace(tzinfo=None),
    )


def test_saving_with_the_fields_untouched_keeps_the_window_to_the_second(client, users):
    promotion = create(users["operator"], mj(starts_at="2026-11-11T00:00:00+08:00", ends_at="2026-11-11T15:59:59Z"))
    login(client, users["operator"])
    url = reverse("promotions:promotion-detail", args=[promotion.pk])
    form = client.get(url).context["form"]
    html_values = {"starts_at": "2026-11-11T00:00", "ends_at": "2026-11-11T23:59:59"}  # as the browser sends them
    spec = json.loads(form["spec"].value())
    response = client.post(url, editor_post(spec, **html_values, shop=""))
    assert response.status_code == 302
    promotion.refresh_from_db()
    assert promotion.ends_at == datetime(2026, 11, 11, 23, 59, 59, tzinfo=SHANGHAI)
    assert not AuditEntry.objects.filter(action="promotion.update").exists()  # nothing changed, nothing written


def test_the_window_fields_are_the_window_saved_whatever_the_json_says(client, users):
    login(client, users["operator"])
    raw = mj(starts_at="2026-01-01T00:00:00+08:00", ends_at="2026-01-02T00:00:00+08:00")
    response = client.post(
        reverse("promotions:promotion-new"), editor_post(raw, "2026-12-12T20:00", "2026-12-13T02:00")
    )
    assert response.status_code == 302
    promotion = Promotion.objects.get()
    assert (promotion.starts_at, promotion.ends_at) == (
        datetime(2026, 12, 12, 20, 0, tzinfo=SHANGHAI),
        datetime(2026, 12, 13, 2, 0, tzinfo=SHANGHAI),
    )
    assert (promotion.spec["starts_at"], promotion.spec["ends_at"]) == (
        "2026-12-12T20:00:00+08:00",
        "2026-12-13T02:00:00+08:00",
    )

    # Editing the window of the draft: the fields again, the stored spec's copy follows.
    url = reverse("promotions:promotion-detail", args=[promotion.pk])
    shown = json.loads(client.get(url).context["form"]["spec"].value())
    response = client.post(url, editor_post(shown, "2026-12-12T21:30", "2026-12-13T02:00", shop=""))
    assert response.status_code == 302
    promotion.refresh_from_db()
    assert promotion.starts_at == datetime(2026, 12, 12, 21, 30, tzinfo=SHANGHAI)
    assert promotion.spec["starts_at"] == "2026-12-12T21:30:00+08:00"
    entry = AuditEntry.objects.get(action="promotion.update")
    assert (entry.before, entry.after) == (
        {"starts_at": "2026-12-12T20:00:00+08:00"},
        {"starts_at": "2026-12-12T21:30:00+08:00"},
    )


@pytest.mark.parametrize(
    ("starts_at", "ends_at", "field", "message"),
    [
        ("2026-12-13T02:00", "2026-12-12T20:00", "ends_at", "The end must be after the start."),
        ("2026-12-12T20:00", "2026-12-12T20:00", "ends_at", "The end must be after the start."),
        ("tomorrow 8pm", "2026-12-13T02:00", "starts_at", "Enter a date and time, such as 2026-11-11 20:00."),
        ("2026-12-12T20:00", "2026-13-01T00:00", "ends_at", "Enter a date and time, such as 2026-11-11 20:00."),
    ],
)
def test_a_bad_window_comes_back_next_to_its_field_with_what_was_typed(
    client, users, starts_at, ends_at, field, message
):
    login(client, users["operator"])
    raw = {k: v for k, v in mj().items() if k not in ("starts_at", "ends_at")}
    response = client.post(reverse("promotions:promotion-new"), editor_post(raw, starts_at, ends_at))
    assert response.status_code == 422
    assert response.context["form"].errors == {field: [message]}
    html = response.content.decode()
    assert f'name="starts_at" value="{starts_at}"' in html and f'name="ends_at" value="{ends_at}"' in html
    assert f'<small class="error">{message}</small>' in html
    assert json.loads(response.context["form"]["spec"].value()) == raw
    assert not Promotion.objects.exists()


def test_without_the_fields_or_a_window_in_the_json_the_editor_asks_for_both(client, users):
    login(client, users["operator"])
    raw = {k: v for k, v in mj().items() if k not in ("starts_at", "ends_at")}
    response = client.post(reverse("promotions:promotion-new"), editor_post(raw, "", ""))
    assert response.status_code == 422
    assert response.context["form"].errors == {
        "starts_at": ["Enter when the promotion starts."],
        "ends_at": ["Enter when the promotion ends."],
    }


def test_preview_and_what_if_price_the_draft_in_the_window_of_the_fields(client, users):
    login(client, users["operator"])
    raw = {k: v for k, v in mj().items() if k not in ("starts_at", "ends_at")}
    cart = {**FALLBACK_CART, "at": "2026-12-12T21:00:00+08:00"}
    url = reverse("promotions:preview")

    def payable(starts_at: str, ends_at: str) -> str:
        data = {"spec": json.dumps(raw), "cart": json.dumps(cart), "starts_at": starts_at, "ends_at": ends_at}
        return client.post(url, data, **HTMX).context["preview"]["with"]["totals"]["payable"]

    assert payable("2026-12-12T20:00", "2026-12-13T02:00") == "287.00"  # the cart's moment is inside
    assert payable("2026-12-12T22:00", "2026-12-13T02:00") == "317.00"  # not started yet at 21:00
    response = client.post(
        url, {"spec": json.dumps(raw), "cart": json.dumps(cart), "starts_at": "x", "ends_at": ""}, **HTMX
    )
    assert response.status_code == 200 and "Enter a date and time" in response.content.decode()

    response = client.post(
        reverse("promotions:what-if"),
        {
            "spec": json.dumps(raw),
            "cart": json.dumps(cart),
            "starts_at": "2026-12-12T22:00",
            "ends_at": "2026-12-13T02:00",
        },
    )
    assert response.context["report"]["revenue_after"] == "317.00"
    assert 'name="starts_at" value="2026-12-12T22:00"' in response.content.decode()  # kept for the next run


def test_a_rejected_promotion_shows_why_and_its_author_edits_and_submits_it_again(client, users):
    operator, manager = users["operator"], users["manager"]
    pending = services.submit_promotion(actor=operator, promotion=create(operator, deep("d6-back")))
    services.reject_promotion(actor=manager, promotion=pending, note="折扣太深，改成7折")
    login(client, operator)
    url = reverse("promotions:promotion-detail", args=[pending.pk])
    page = client.get(url).content.decode()
    assert "折扣太深，改成7折" in page and 'id="promotion-rejected"' in page
    assert 'id="submit-promotion"' in page
    response = client.post(url, {"shop": "", "spec": json.dumps(deep("d6-back", rate="7"))})
    assert response.status_code == 302
    client.post(reverse("promotions:promotion-submit", args=[pending.pk]), {"note": "已改成7折"})
    pending.refresh_from_db()
    assert pending.spec["rate"] == "7" and pending.state == PromotionState.APPROVED and pending.auto_approved
