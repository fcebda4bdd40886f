"""Members' fixtures: a shop, and `paid(nick, when, total)` making a counted order as an import would."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from zhanggui.catalog.tests.factories import ShopFactory
from zhanggui.orders.tests.factories import OrderFactory

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(text: str) -> datetime:
    """A moment in the desk's time zone: at("2026-01-10") is noon that day, at("2026-01-10 08:00") that hour."""
    return datetime.fromisoformat(text if " " in text else f"{text} 12:00").replace(tzinfo=SHANGHAI)


@pytest.fixture
def shop(db):
    return ShopFactory(code="tb01", name="淘宝店")


@pytest.fixture
def paid(shop):
    def make(nick: str, when: str, total: str, **fields):
        fields.setdefault("receiver_phone", "")
        return OrderFactory(shop=shop, buyer_nick=nick, paid_at=at(when), paid_total=Decimal(total), **fields)

    return make
