"""The approval pages and the SKU price card: what each person sees and what each button does."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from zhanggui.approvals.context_processors import approvals as badge_of
from zhanggui.approvals.tests.conftest import deep, window
from zhanggui.catalog import selectors as catalog_selectors
from zhanggui.catalog import services as catalog_services
from zhanggui.catalog.models import PriceChange
from zhanggui.core.models import AuditEntry
from zhanggui.core.tests.pages import login
from zhanggui.promotions.models import Promotion
from zhanggui.promotions.offers import services as promotion_services

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def ask(user, sku, price="9.90", note="清仓") -> PriceChange:
    catalog_services.set_price(actor=user, sku=sku, price=price, note=note)
    return catalog_selectors.pending_price_change(sku)


def submitted(actor, shop, raw) -> Promotion:
    created = promotion_services.create_promotion(actor=actor, shop=shop, raw_spec=raw)
    return promotion_services.submit_promotion(actor=actor, promotion=created)


# ----- the SKU's price card ------------------------------------------------------------------------------


def test_the_margin_of_a_typed_price_comes_back_live_and_nothing_is_saved(client, operator, sku):
    login(client, operator)
    url = reverse("catalog:sku-price", args=[sku.pk])
    response = client.post(url, {"check": "1", "price": "9.90", "cost": "25.37"}, **HTMX)
    assert response.status_code == 200
    body = response.content.decode()
    assert body.startswith('<div id="price-margin"') and "<html" not in body
    assert "−¥15.47" in body and "−156.3%" in body and "below cost" in body
    assert "83.3% off the current price, deeper than the approval limit of 30% off" in body
    assert "the listing keeps ¥59.00 until then" in body
    within = client.post(url, {"check": "1", "price": "55.00", "cost": "25.37"}, **HTMX).content.decode()
    assert "¥29.63" in within and "53.9%" in within and "price-needs-approval" not in within
    assert not PriceChange.objects.exists() and not AuditEntry.objects.exists()


def test_the_price_card_shows_todays_margin(client, operator, sku):
    login(client, operator)
    page = client.get(reverse("catalog:sku-detail", args=[sku.pk])).content.decode()
    assert 'id="margin-amount">¥33.63</b> (57.0%)' in page


def test_a_price_below_cost_is_sent_for_approval_and_the_sku_keeps_its_price(client, operator, sku):
    login(client, operator)
    url = reverse("catalog:sku-price", args=[sku.pk])
    response = client.post(url, {"price": "9.90", "cost": "25.37", "note": "清仓"}, **HTMX)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="price-sent"' in body and "Waiting for approval: ¥9.90, asked by operator." in body
    assert "The listing keeps ¥59.00 until a manager approves." in body
    assert 'hx-swap-oob="true"' not in body  # the header's price stays as it is
    sku.refresh_from_db()
    assert sku.price == Decimal("59.00")
    page = client.get(reverse("catalog:sku-detail", args=[sku.pk])).content.decode()
    assert '<b id="sku-price">¥59.00</b>' in page and "¥9.90 waiting for approval" in page


def test_without_javascript_the_message_says_it_waits(client, operator, sku):
    login(client, operator)
    response = client.post(reverse("catalog:sku-price", args=[sku.pk]), {"price": "9.90", "cost": "25.37"}, follow=True)
    assert "¥9.90 waits for a manager&#x27;s approval; the SKU keeps ¥59.00 until then." in response.content.decode()


def test_the_operator_sees_the_cost_but_cannot_change_it(client, operator, manager, sku):
    login(client, operator)
    page = client.get(reverse("catalog:sku-detail", args=[sku.pk])).content.decode()
    assert 'name="cost" value="25.37" readonly' in page and "Only the manager changes costs." in page
    response = client.post(reverse("catalog:sku-price", args=[sku.pk]), {"price": "59.00", "cost": "1.00"}, **HTMX)
    assert response.status_code == 403
    sku.refresh_from_db()
    assert sku.cost == Decimal("25.37") and not AuditEntry.objects.exists()
    login(client, manager)
    page = client.get(reverse("catalog:sku-detail", args=[sku.pk])).content.decode()
    assert 'name="cost" value="25.37" readonly' not in page and "Only the manager changes costs." not in page


# ----- the queue, the badge, the desk's card -------------------------------------------------------------


def test_the_queue_lists_prices_and_promotions_for_everyone(client, users, shop, sku):
    change = ask(users["operator"], sku)
    promotion = submitted(users["operator"], shop, deep())
    login(client, users["service"])
    page = client.get(reverse("approvals:list")).content.decode()
    assert f'data-kind="prices" data-pk="{change.pk}"' in page
    assert f'data-kind="promotions" data-pk="{promotion.pk}"' in page
    assert "¥59.00 → ¥9.90 · below its cost of ¥25.37 · 83.3% off the current price" in page
    assert "Only the manager (店长) approves" in page
    assert 'id="approvals-badge"' not in page  # 客服 approves nothing: no badge


def test_the_header_badge_and_the_desk_card_count_what_waits_for_a_manager(client, users, shop, sku):
    ask(users["operator"], sku)
    submitted(users["operator"], shop, deep())
    login(client, users["manager"])
    home = client.get(reverse("home")).content.decode()
    assert 'id="approvals-count">2</span>' in home
    assert "Pending approvals (2)" in home and 'id="approvals-card"' in home
    login(client, users["operator"])
    home = client.get(reverse("home")).content.decode()
    assert 'id="approvals-badge"' not in home and 'id="approvals-card"' not in home


def test_the_badge_costs_one_count_and_nothing_for_others(users, django_assert_num_queries):
    request = RequestFactory().get("/")
    for role in ("manager", "operator"):
        users[role].has_perm("catalog.approve_prices")  # the permission cache every page loads anyway
    request.user = users["manager"]
    with django_assert_num_queries(1):  # price changes, promotions, compensation offers: one UNION ALL count
        assert badge_of(request)["approvals_badge"].count == 0
    request.user = users["operator"]
    with django_assert_num_queries(0):
        assert badge_of(request) == {"approvals_badge": None}


# ----- deciding on a price -------------------------------------------------------------------------------


def test_the_price_page_shows_what_changes_and_another_manager_approves(client, users, other_manager, sku):
    change = ask(users["manager"], sku)
    login(client, users["manager"])
    page = client.get(reverse("approvals:price-change", args=[change.pk])).content.decode()
    assert "¥9.90 is below the cost of ¥25.37" in page and "83.3% off the current price" in page
    assert 'data-row="price"><th>Price</th><td class="num">¥59.00</td><td class="num"><b>¥9.90</b>' in page
    assert "¥33.63 <small>(57.0%)</small>" in page and "−¥15.47 <small>(−156.3%)</small>" in page
    assert 'id="approve"' not in page and 'id="own-request"' in page  # the author: no approve button
    response = client.post(reverse("approvals:price-change-decide", args=[change.pk]), {"decision": "approve"})
    assert response.status_code == 422
    assert "another manager has to approve it" in response.content.decode()
    sku.refresh_from_db()
    assert sku.price == Decimal("59.00")

    login(client, other_manager)
    response = client.post(
        reverse("approvals:price-change-decide", args=[change.pk]), {"decision": "approve", "note": "OK"}, follow=True
    )
    assert response.redirect_chain == [(reverse("approvals:list"), 302)]
    assert "Approved: TEE-M now sells at ¥9.90." in response.content.decode()
    sku.refresh_from_db()
    assert sku.price == Decimal("9.90")
    assert AuditEntry.objects.get(action="sku.price").actor == other_manager


def test_a_rejection_needs_a_reason_and_the_author_reads_it(client, users, sku):
    change = ask(users["operator"], sku)
    login(client, users["manager"])
    url = reverse("approvals:price-change-decide", args=[change.pk])
    response = client.post(url, {"decision": "reject", "note": ""})
    assert response.status_code == 422
    assert response.context["form"].errors["note"] == ["Say why you reject it: the person who asked reads it."]
    response = client.post(url, {"decision": "reject", "note": "低于成本"}, follow=True)
    assert "Rejected: TEE-M keeps ¥59.00; operator sees your reason." in response.content.decode()
    change.refresh_from_db()
    assert (change.state, change.decision_note) == ("rejected", "低于成本")

    login(client, users["operator"])
    sku_page = client.get(reverse("catalog:sku-detail", args=[sku.pk])).content.decode()
    assert 'id="price-rejected"' in sku_page and "¥9.90 was rejected by manager:" in sku_page and "低于成本" in sku_page
    queue = client.get(reverse("approvals:list")).content.decode()
    assert 'id="returned-table"' in queue and "低于成本" in queue


@pytest.mark.parametrize("role", ["operator", "service", "warehouse", "designer", "copywriter"])
def test_only_a_manager_decides_on_a_page(client, users, sku, role):
    change = ask(users["manager"], sku)
    login(client, users[role])
    assert 'id="approve"' not in client.get(reverse("approvals:price-change", args=[change.pk])).content.decode()
    for decision in ("approve", "reject"):
        response = client.post(
            reverse("approvals:price-change-decide", args=[change.pk]), {"decision": decision, "note": "x"}
        )
        assert response.status_code == 403
    change.refresh_from_db()
    sku.refresh_from_db()
    assert (change.state, sku.price) == ("pending", Decimal("59.00"))


def test_an_unknown_item_is_a_404(client, manager):
    login(client, manager)
    assert client.get(reverse("approvals:price-change", args=[999])).status_code == 404
    assert client.get(reverse("approvals:promotion", args=[999])).status_code == 404
    assert client.post(reverse("approvals:promotion-decide", args=[999]), {"decision": "approve"}).status_code == 404


# ----- deciding on a promotion ---------------------------------------------------------------------------


def test_the_promotion_page_shows_the_skus_it_reaches_and_the_engines_cart(client, users, shop, sku):
    promotion = submitted(users["operator"], shop, deep())
    login(client, users["manager"])
    page = client.get(reverse("approvals:promotion", args=[promotion.pk])).content.decode()
    assert "It cuts down to 40% off, deeper than the limit of 30% off." in page
    assert 'data-sku="TEE-M"' in page and 'class="num item-price">¥35.40' in page
    assert "¥10.03 <small>(28.3%)</small>" in page  # 35.40 − 25.37
    assert 'id="payable-with">¥35.40' in page and "saves ¥23.60" in page


def test_approving_a_running_promotion_says_it_runs_now(client, users, other_manager, shop, sku):
    promotion = submitted(users["manager"], shop, deep())
    login(client, other_manager)
    response = client.post(
        reverse("approvals:promotion-decide", args=[promotion.pk]), {"decision": "approve"}, follow=True
    )
    assert "Approved: running now." in response.content.decode()
    promotion.refresh_from_db()
    assert (promotion.state, promotion.approved_by) == ("approved", other_manager)


def test_approving_a_later_promotion_says_when_it_starts(client, users, shop, sku):
    start = timezone.localtime(timezone.now() + timedelta(days=3)).replace(hour=0, minute=0, second=0, microsecond=0)
    raw = deep(starts_at=start.isoformat(), ends_at=(start + timedelta(days=1)).isoformat())
    promotion = submitted(users["operator"], shop, raw)
    login(client, users["manager"])
    response = client.post(
        reverse("approvals:promotion-decide", args=[promotion.pk]), {"decision": "approve"}, follow=True
    )
    assert f"Approved: starts {start:%m-%d} 00:00." in response.content.decode()


def test_rejecting_a_promotion_sends_it_back_with_the_reason(client, users, shop, sku):
    promotion = submitted(users["operator"], shop, deep())
    login(client, users["manager"])
    response = client.post(
        reverse("approvals:promotion-decide", args=[promotion.pk]),
        {"decision": "reject", "note": "最多7折"},
        follow=True,
    )
    assert "Rejected: d6 goes back to operator with your reason." in response.content.decode()
    promotion.refresh_from_db()
    assert (promotion.state, promotion.rejection_note, promotion.rejected_by) == (
        "rejected",
        "最多7折",
        users["manager"],
    )
    login(client, users["operator"])
    queue = client.get(reverse("approvals:list")).content.decode()
    assert f'data-kind="promotions" data-pk="{promotion.pk}"' in queue and "最多7折" in queue
    listing = client.get(reverse("promotions:promotion-list")).content.decode()
    assert "Rejected by manager" in listing
    item = client.get(reverse("approvals:promotion", args=[promotion.pk])).content.decode()
    assert 'id="promotion-rejected"' in item and "最多7折" in item and 'id="reject"' not in item


def test_the_list_says_a_promotion_within_the_limit_was_approved_automatically(client, operator, shop, sku):
    raw = {"id": "mj", "kind": "spend_save", "name": "满300减30", "tiers": [["300", "30"]], **window()}
    submitted(operator, shop, raw)
    login(client, operator)
    listing = client.get(reverse("promotions:promotion-list")).content.decode()
    assert "Approved automatically (within the approval limit)" in listing
