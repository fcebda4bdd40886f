"""The ranks, competitors and board pages and the desk's 竞品动态 card in a real Chromium, on the demo's market
data, at 1440 and 390 px: they render their charts and tables, and the page never scrolls sideways."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.utils import timezone

from zhanggui.catalog.models import Channel, ListingStatus
from zhanggui.catalog.models import Shop as ShopModel
from zhanggui.catalog.tests.factories import ProductFactory, ShopFactory
from zhanggui.core.tests.browser import log_in
from zhanggui.demo.market import create_demo_market

pytestmark = pytest.mark.browser
SHOTS = Path(os.environ.get("ZG_SHOTS", "/tmp/zg/shots"))


@pytest.fixture
def demo_market(users):
    shop = ShopFactory(code="tmall-flagship", name="棉语家纺天猫旗舰店", channel=Channel.TMALL)
    ProductFactory(shop=shop, code="SET-01", title="棉语 纯棉四件套 全棉床单被套", listing_status=ListingStatus.LISTED)
    ProductFactory(shop=shop, code="PIL-01", title="棉语 乳胶枕头 护颈", listing_status=ListingStatus.LISTED)
    create_demo_market(people={}, shops=ShopModel.objects.all(), seed=1, today=timezone.localdate())
    return shop


@pytest.mark.parametrize("width", [1440, 390])
def test_the_market_pages_fit_the_screen(page, live_server, demo_market, width):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": width, "height": 900})
    base = live_server.url
    log_in(page, base, "manager")
    for name, path, ready in (
        ("ranks", "/market/ranks/?shop=tmall-flagship", "#rank-chart-0 .main-svg"),
        ("competitors", "/market/competitors/", "#digest-table tr.change-row"),
        ("board", "/market/board/?shop=tmall-flagship", "#board-chart .main-svg"),
    ):
        page.goto(base + path)
        page.wait_for_selector(ready)
        page.screenshot(path=str(SHOTS / f"market-{name}-{width}.png"), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= width, name
    assert page.locator("#alert-table tr.alert-row").count() == 0  # the board page: no alerts table
    page.goto(base + "/market/ranks/?shop=tmall-flagship")
    assert page.locator("#alert-table tr.alert-row").count() == 2
    page.goto(base + "/")
    page.wait_for_selector("#competitors .competitor-change")
    card = page.locator("#competitors")
    card.screenshot(path=str(SHOTS / f"desk-competitors-{width}.png"))
    assert page.locator("#competitors .competitor-change").count() == 3
    assert page.evaluate("document.documentElement.scrollWidth") <= width
