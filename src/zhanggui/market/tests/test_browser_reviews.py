"""The reviews and themes pages in a real Chromium on the demo's reviews, at 1440 and 390 px: the rate chart,
the 删评 list and the themes render, and the page never scrolls sideways."""

from __future__ import annotations

import pytest

from zhanggui.core.tests.browser import log_in
from zhanggui.market.tests.test_browser_watch import SHOTS, demo_market  # noqa: F401 - the fixture

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", [1440, 390])
def test_the_review_pages_fit_the_screen(page, live_server, demo_market, width):  # noqa: F811
    from django.utils import timezone

    from zhanggui.catalog.tests.factories import SkuFactory
    from zhanggui.orders.tests.factories import OrderFactory, OrderLineFactory

    product = demo_market.products.order_by("code").first()
    sku = SkuFactory(shop=demo_market, product=product, code="SET-01-A")
    for n in range(12):
        OrderLineFactory(
            order=OrderFactory(shop=demo_market, paid_at=timezone.now() - timezone.timedelta(days=n * 2)), sku=sku
        )
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": width, "height": 900})
    base = live_server.url
    log_in(page, base, "manager")
    for name, path, ready in (
        ("reviews", "/market/reviews/?shop=tmall-flagship", "#review-rate-chart .main-svg"),
        ("themes", "/market/themes/?shop=tmall-flagship", "section.theme"),
    ):
        page.goto(base + path)
        page.wait_for_selector(ready)
        page.screenshot(path=str(SHOTS / f"market-{name}-{width}.png"), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= width, name
    assert page.locator("section.theme").count() == 4
    page.goto(base + "/market/reviews/?shop=tmall-flagship")
    assert page.locator("#removed-table tr.removed-row").count() == 1  # the demo's one 删评
