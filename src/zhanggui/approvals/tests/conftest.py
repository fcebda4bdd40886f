"""The cast of the approvals tests: the conftest roles plus a second manager (four eyes), and the SKU of the
issue: ¥59.00, cost ¥25.37."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from zhanggui.catalog.tests.factories import ProductFactory, ShopFactory, SkuFactory
from zhanggui.core import roles


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def other_manager(users):
    from django.contrib.auth.models import Group, User

    user = User.objects.create_user(username="manager2", password="pw-manager2")
    user.groups.add(Group.objects.get(name=roles.MANAGER))
    return user


@pytest.fixture
def shop(db):
    return ShopFactory(code="tm", name="天猫旗舰店")


@pytest.fixture
def sku(shop):
    product = ProductFactory(shop=shop, code="TEE", title="纯棉T恤")
    return SkuFactory(product=product, code="TEE-M", price=Decimal("59.00"), cost=Decimal("25.37"))


def window(start_hours: float = -1, end_hours: float = 24) -> dict[str, str]:
    now = timezone.now().replace(microsecond=0)
    return {
        "starts_at": (now + timedelta(hours=start_hours)).isoformat(),
        "ends_at": (now + timedelta(hours=end_hours)).isoformat(),
    }


def deep(code: str = "d6", **change) -> dict:
    """6折 on the SKU TEE-M: deeper than the default 7折 limit."""
    spec = {"id": code, "kind": "discount", "name": "6折清仓", "rate": "6", "scope": {"skus": ["TEE-M"]}}
    return {**spec, **window(), **change}
