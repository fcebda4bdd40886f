"""The product page's "price today": running promotions reaching each SKU, what a buyer pays now (the engine)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from zhanggui.catalog.tests.factories import SkuFactory
from zhanggui.core.services import system_user
from zhanggui.core.tests.pages import login
from zhanggui.promotions.models import Promotion, PromotionState
from zhanggui.promotions.pricing.today import prices_today

pytestmark = pytest.mark.django_db


def running(shop, code, spec, *, state=PromotionState.APPROVED, days=(-1, 1)):
    now = timezone.now()
    return Promotion.objects.create(
        shop=shop,
        code=code,
        name=code,
        spec={"id": code, **spec},
        state=state,
        starts_at=now + timedelta(days=days[0]),
        ends_at=now + timedelta(days=days[1]),
        created_by=system_user(),
    )


@pytest.fixture
def tee():
    return SkuFactory(code="TS-W-M", price=Decimal("99.00"), product__code="TS")


def test_a_sku_pays_its_item_discount_and_sees_the_threshold_it_misses(tee):
    shop = tee.shop
    running(shop, "DZ8", {"kind": "discount", "rate": "8", "scope": {"skus": ["TS-W-M"]}})
    running(shop, "MJ300", {"kind": "spend_save", "tiers": [["300.00", "30.00"]]})
    running(shop, "HAT", {"kind": "discount", "rate": "5", "scope": {"skus": ["HAT-1"]}})  # another SKU
    running(shop, "LATER", {"kind": "discount", "rate": "5"}, days=(1, 3))  # not started yet
    running(shop, "DRAFT", {"kind": "discount", "rate": "5"}, state=PromotionState.DRAFT)
    (row,) = prices_today([tee], shop=shop)
    assert row.pays == Decimal("79.20") and row.saving == Decimal("19.80")
    assert [(r.promotion.id, r.saves) for r in row.reaches] == [("DZ8", Decimal("19.80")), ("MJ300", None)]
    assert len(row.near_misses) == 1 and "220.80" in row.near_misses[0]


def test_member_prices_are_listed_per_tier(tee):
    running(tee.shop, "VIP", {"kind": "member_price", "rates": {"gold": "9", "silver": "9.5"}})
    (row,) = prices_today([tee], shop=tee.shop)
    assert row.pays == Decimal("99.00")
    assert row.member_prices == [("gold", Decimal("89.10")), ("silver", Decimal("94.05"))]


def test_the_product_page_loads_the_box(client, users, tee):
    running(tee.shop, "DZ8", {"kind": "discount", "rate": "8", "scope": {"skus": ["TS-W-M"]}})
    login(client, users["service"])
    page = client.get(reverse("catalog:product-detail", args=[tee.product.pk])).content.decode()
    box = reverse("promotions:product-prices", args=[tee.product.pk])
    assert f'hx-get="{box}"' in page
    html = client.get(box).content.decode()
    assert "¥79.20" in html and "DZ8" in html and "−¥19.80" in html
