from __future__ import annotations

import pytest
from django.utils import translation

from zhanggui.catalog.models import Channel
from zhanggui.catalog.tests.factories import ShopFactory


@pytest.fixture
def shop(db):
    return ShopFactory(code="tb01", name="淘宝店", channel=Channel.TAOBAO)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield
