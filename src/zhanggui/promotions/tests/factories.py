from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from zhanggui.catalog.tests.factories import SkuFactory
from zhanggui.promotions.models import FlashSale


class FlashSaleFactory(factory.django.DjangoModelFactory):
    """A flash sale running now (started an hour ago, ends in an hour), switched on."""

    class Meta:
        model = FlashSale

    sku = factory.SubFactory(SkuFactory)
    shop = factory.SelfAttribute("sku.shop")
    name = factory.Sequence(lambda n: f"秒杀{n}")
    price = Decimal("59.00")
    stock_cap = 10
    per_buyer_cap = 2
    starts_at = factory.LazyFunction(lambda: timezone.now() - timedelta(hours=1))
    ends_at = factory.LazyFunction(lambda: timezone.now() + timedelta(hours=1))
    is_active = True
