"""The categories and roles page: renders in both languages, splits, saves a row (rebalancing its quarter),
keeps what was typed on an error, and refuses the roles that may not edit."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from zhanggui.catalog.models import ListingStatus, ProductRole
from zhanggui.catalog.tests.factories import CategoryFactory, ProductFactory, SkuFactory
from zhanggui.core.tests.pages import login
from zhanggui.planning import services, shares
from zhanggui.planning.models import Dimension

D = Decimal
pytestmark = pytest.mark.django_db
LISTED = ListingStatus.LISTED


@pytest.fixture
def plan(shop, manager):
    tops = ProductFactory(
        shop=shop, category=CategoryFactory(name="上衣"), role=ProductRole.TRAFFIC, listing_status=LISTED
    )
    pants = ProductFactory(
        shop=shop, category=CategoryFactory(name="裤子"), role=ProductRole.PROFIT, listing_status=LISTED
    )
    SkuFactory(product=tops, price=D("100.00"), listing_status=LISTED)
    SkuFactory(product=pants, price=D("100.00"), listing_status=LISTED)
    return services.create_plan(actor=manager, shop=shop, year=2026, gmv_target=D("1000000.00"))


def url(dimension: str = "category") -> str:
    return f"{reverse('planning:shares')}?shop=tb01&year=2026&dimension={dimension}"


def _row(key: str, amounts: list[str], units: list[str], mode: str = "rebalance") -> dict[str, str]:
    data = {f"s-{key}-mode": mode}
    for q in range(1, 5):
        data |= {f"s-{key}-q{q}_amount": amounts[q - 1], f"s-{key}-q{q}_units": units[q - 1], f"s-{key}-q{q}_skus": "1"}
    return data


def test_split_from_the_page_and_render_both_languages(client, plan, manager):
    login(client, manager, language="en")
    page = client.get(url()).content.decode()
    assert 'id="shares-none"' in page and "Split the quarters" in page
    response = client.post(reverse("planning:shares-build", args=[plan.pk]), {"dimension": "category"})
    assert response.status_code == 302
    page = client.get(url()).content.decode()
    # Q1 ¥230,000 by one SKU each: ¥115,000 a category; the year ¥1,000,000.
    assert 'id="shares-grid"' in page and "115000.00" in page and "¥1,000,000.00" in page and "上衣" in page
    roles = client.get(url("role")).content.decode()
    assert "Traffic (引流款)" in roles and "Image (形象款)" in roles
    zh = login(Client(), manager, language="zh-hans").get(url()).content.decode()
    assert 'id="shares-grid"' in zh and "Split the quarters" not in zh


def test_a_row_saved_rebalances_its_quarter(client, plan, manager):
    shares.build(actor=manager, plan=plan)
    tops = plan.shares.get(dimension=Dimension.CATEGORY, quarter=1, label="上衣")
    client.force_login(manager)
    response = client.post(
        reverse("planning:share-save", args=[plan.pk, "category", tops.key]),
        _row(tops.key, ["130000.00", "120000.00", "105000.00", "160000.00"], ["1300", "1200", "1050", "1600"]),
    )
    assert response.status_code == 302
    pants = {s.quarter: s.amount for s in plan.shares.filter(dimension=Dimension.CATEGORY, label="裤子")}
    assert pants == {1: D("100000.00"), 2: D("120000.00"), 3: D("105000.00"), 4: D("160000.00")}


def test_an_error_keeps_what_was_typed(client, plan, manager):
    shares.build(actor=manager, plan=plan)
    tops = plan.shares.get(dimension=Dimension.CATEGORY, quarter=1, label="上衣")
    login(client, manager, language="en")
    response = client.post(
        reverse("planning:share-save", args=[plan.pk, "category", tops.key]),
        _row(tops.key, ["999999.00", "120000.00", "105000.00", "160000.00"], ["12", "-1", "1", "1"]),
    )
    page = response.content.decode()
    assert response.status_code == 422 and "999999.00" in page and 'value="12"' in page
    response = client.post(
        reverse("planning:share-save", args=[plan.pk, "category", tops.key]),
        _row(tops.key, ["999999.00", "120000.00", "105000.00", "160000.00"], ["12", "1", "1", "1"]),
    )
    assert response.status_code == 422 and "cannot give up that much" in response.content.decode()
    assert plan.shares.get(pk=tops.pk).amount == D("115000.00")


def test_other_roles_read_but_may_not_edit(client, plan, manager, users):
    shares.build(actor=manager, plan=plan)
    login(client, users["service"], language="en")
    page = client.get(url()).content.decode()
    assert 'id="shares-grid"' in page and "share-form-" not in page
    tops = plan.shares.get(dimension=Dimension.CATEGORY, quarter=1, label="上衣")
    response = client.post(
        reverse("planning:share-save", args=[plan.pk, "category", tops.key]),
        _row(tops.key, ["1.00", "1.00", "1.00", "1.00"], ["1", "1", "1", "1"]),
    )
    assert response.status_code == 403
